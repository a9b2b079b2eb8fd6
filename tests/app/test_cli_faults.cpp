// Faults a user meets outside the happy path, through the executable: inputs that are not files (a FIFO would block
// forever, /dev/zero never ends), a full output file system (simulated with `ulimit -f`, so no mount is needed),
// temporaries that a `kill -9` left behind. Each ends in one line, exit code 3, and no file under a final name.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "cli_run.hpp"

namespace fs = std::filesystem;
using physec::testing::run_physec;

namespace {
bool one_line(const std::string& s) { return !s.empty() && s.find('\n') == s.size() - 1; }
/// `-c FILE` options of a tiny wiretap dataset (a file, so that no quotes need escaping through `bash -c`).
std::string tiny_wiretap(const fs::path& dir) {
  std::ofstream(dir / "tiny.toml") << "[wiretap]\nprofiles = [\"CDL-C\"]\nsnrs_dB = [20.0]\nprobes_per_setting = 6\n";
  return "-q -c " + (dir / "tiny.toml").string();
}
/// Runs physec with the output file size limited to `kib` KiB and SIGXFSZ ignored: writes fail with EFBIG, as on
/// a full disk.
physec::testing::cli_result run_with_file_limit(int kib, const std::string& args) {
  return physec::testing::run_command("bash -c \"trap '' XFSZ; ulimit -f " + std::to_string(kib) + "; " +
                                      std::string(PHYSEC_EXE) + " " + args + "\"");
}
}  // namespace

TEST(cli_faults, nist_refuses_what_is_not_a_bit_file_in_one_line) {
  const auto dir = PHYSEC_TEST_DIR();
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  std::ofstream(dir / "empty.bin").flush();
  const struct {
    std::string arg, message;
  } cases[] = {
      {(dir / "fifo").string(), "not a regular file (expected a file, got a FIFO)"},
      {"/dev/zero", "not a regular file (expected a file, got a device)"},
      {dir.string(), "not a regular file (expected a file, got a folder)"},
      {(dir / "empty.bin").string(), "no bits in the file (expected at least one bit, got an empty file)"},
  };
  for (const auto& c : cases) {
    const auto r = run_physec("nist -q --out " + (dir / "out").string() + " " + c.arg);
    EXPECT_EQ(r.code, 3) << r.out;
    EXPECT_EQ(r.out, "physec: error: " + c.arg + ": " + c.message + "\n");
  }
}

TEST(cli_faults, full_output_disk_is_one_line_and_leaves_no_file) {
  const auto dir = PHYSEC_TEST_DIR(), out = dir / "out";
  auto r = run_with_file_limit(200, "dataset wiretap -o " + (out / "w.h5").string() + " " + tiny_wiretap(dir));
  EXPECT_EQ(r.code, 3) << r.out;  // was a segfault in libhdf5's exit handler
  EXPECT_TRUE(one_line(r.out)) << r.out;
  EXPECT_NE(r.out.find("w.h5"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("File too large"), std::string::npos) << r.out;
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out)) << "a partial or temporary file was left";
  // A checkpoint (LibTorch's archive writer terminated the process from its destructor).
  r = run_physec("dataset wiretap -o " + (dir / "w.h5").string() + " " + tiny_wiretap(dir));
  ASSERT_EQ(r.code, 0) << r.out;
  r = run_with_file_limit(64, "keygen train -q -d " + (dir / "w.h5").string() + " --set train.epochs=1 --out " +
                                  (dir / "t").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_TRUE(one_line(r.out)) << r.out;
  EXPECT_FALSE(fs::exists(dir / "t" / "checkpoint.pt"));
}

TEST(cli_faults, temporaries_of_a_killed_run_are_removed_by_the_next) {
  const auto dir = PHYSEC_TEST_DIR();
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);  // a process id that no longer runs: what `kill -9` leaves
  const fs::path stale = dir / (".w.h5.tmp." + std::to_string(child) + ".0");
  const fs::path live = dir / (".w.h5.tmp." + std::to_string(::getpid()) + ".0");  // a running writer's: kept
  std::ofstream(stale) << "partial";
  std::ofstream(live) << "in progress";
  const auto r = run_physec("dataset wiretap -o " + (dir / "w.h5").string() + " " + tiny_wiretap(dir));
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(dir / "w.h5"));
}

// Audit item 13/14: flags that were silently ignored or misreported now say so at once.
TEST(cli_faults, ignored_or_misread_flags_are_refused) {
  const auto dir = PHYSEC_TEST_DIR();
  auto r = run_physec("dataset wiretap -o " + (dir / "w.h5").string() + " --out " + dir.string() + " -q");
  EXPECT_EQ(r.code, 2) << r.out;  // dataset commands write one file (-o): --out is not theirs
  EXPECT_FALSE(fs::exists(dir / "w.h5"));
  r = run_physec("nist /dev/null --seed -1");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("expected a non-negative integer, got -1"), std::string::npos) << r.out;
  r = run_physec("config show nist --set 'nist.alpha=0.01\nrun.seed=3'");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out, "physec: error: --set: nist.alpha: one value per --set (expected a single line, got a value "
                   "spanning lines)\n");
  r = run_physec("auth eval -d " + (dir / "m.h5").string() + " --sweep snr");
  EXPECT_EQ(r.code, 2) << r.out;
  std::ofstream(dir / "afile") << "x";
  r = run_physec("nist /dev/null --out " + (dir / "afile").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out, "physec: error: " + (dir / "afile").string() +
                       ": --out: output folder is not a folder (expected a folder, got a file)\n");
}

// Audit item 14: too little data, one class, an empty split: the message names the file the data came from.
TEST(cli_faults, too_little_data_is_blamed_on_its_file) {
  const auto dir = PHYSEC_TEST_DIR();
  const std::string hdr = "@problemName X\n@timeStamps false\n@missing false\n@univariate false\n@dimensions 2\n"
                          "@equalLength true\n@seriesLength 4\n@classLabel true a b\n@data\n";
  std::ofstream(dir / "one_class.ts") << hdr << "1,2,3,4:2,2,2,2:a\n4,3,2,1:1,1,1,1:a\n1,2,3,5:0,0,1,1:a\n";
  std::ofstream(dir / "one_case.ts") << hdr << "1,2,3,4:2,2,2,2:a\n";
  std::ofstream(dir / "test.ts") << hdr << "1,2,3,4:2,2,2,2:a\n4,3,2,1:1,1,1,1:b\n";
  const auto train = [&](const std::string& ts) {
    return run_physec("auth train -q --ts " + (dir / ts).string() + " --ts-test " + (dir / "test.ts").string() +
                      " --set train.max_steps=2 --out " + (dir / ("out-" + ts)).string());
  };
  auto r = train("one_class.ts");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out, "physec: error: " + (dir / "one_class.ts").string() +
                       ": labels: the training split holds one class only (expected at least two classes, got class 0 only)\n");
  r = train("one_case.ts");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out, "physec: error: " + (dir / "one_case.ts").string() +
                       ": train split: a split is empty (expected at least one sequence, got none)\n");
  EXPECT_FALSE(fs::exists(dir / "out-one_case.ts"));
  // keygen eval on two probes: one training value per quantizer threshold.
  const auto w = (dir / "w.h5").string();
  r = run_physec("dataset wiretap -q -o " + w + " --set 'wiretap.profiles=[\"TDL-A\"]' --set wiretap.snrs_dB=[20.0] " +
                 "--set wiretap.eve_distances_wavelengths=[0.5] --set wiretap.eve_near_alice_wavelengths=[] " +
                 "--set wiretap.probes_per_setting=2 --set wiretap.grid.nof_symbols=2");
  ASSERT_EQ(r.code, 0) << r.out;
  r = run_physec("keygen eval -q -d " + w + " --out " + (dir / "ke").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out.rfind("physec: error: " + w + ": ", 0), 0u) << r.out;
  EXPECT_TRUE(one_line(r.out)) << r.out;
}
