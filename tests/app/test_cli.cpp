// The physec executable as a user meets it: help, versions, config show round trip, exit codes, one-line errors,
// reproducible outputs.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>

#include "cli_run.hpp"
#include "physec/core/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {

using result = physec::testing::cli_result;
const auto run = physec::testing::run_physec;

fs::path temp_dir(const std::string& name) {
  const fs::path d = fs::temp_directory_path() / ("physec_cli_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

// Small and fast quickstart settings for tests (the determinism test needs every stage, not a trained TDGCN: 20
// steps instead of 150; three quickstarts took up to 300 s on a loaded 2-core machine).
const std::string k_small =
    "--set blas.matrix_size=32 --set blas.repeats=1 --set wiretap.probes_per_setting=20 --set wiretap.snrs_dB=[10.0,20.0] "
    "--set tdgcn.train.max_steps=20 -q";

TEST(cli, help_and_versions) {
  auto r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("quickstart"), std::string::npos);
  EXPECT_NE(r.out.find("Exit codes"), std::string::npos);
  EXPECT_EQ(run("quickstart --help").code, 0);
  EXPECT_EQ(run("config show --help").code, 0);
  r = run("--version");
  EXPECT_EQ(r.code, 0);
  EXPECT_EQ(r.out.rfind("physec ", 0), 0u);
  r = run("version");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("LibTorch"), std::string::npos);
  EXPECT_NE(r.out.find("CUDA"), std::string::npos);
}

TEST(cli, usage_errors_exit_2) {
  EXPECT_EQ(run("").code, 2);
  EXPECT_EQ(run("nosuchcommand").code, 2);
  EXPECT_EQ(run("quickstart --bogus").code, 2);
}

TEST(cli, config_show_round_trips_through_c) {
  const auto dir = temp_dir("show");
  auto r = run("config show quickstart --set wiretap.probes_per_setting=2 --seed 7 -o " + (dir / "a.toml").string());
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("config show quickstart -c " + (dir / "a.toml").string() + " -o " + (dir / "b.toml").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string a = physec::read_file(dir / "a.toml");
  EXPECT_EQ(a, physec::read_file(dir / "b.toml"));
  EXPECT_NE(a.find("probes_per_setting = 2"), std::string::npos);
  EXPECT_NE(a.find("seed = 7"), std::string::npos);
}

TEST(cli, bad_config_is_one_line_exit_3) {
  const auto dir = temp_dir("bad");
  physec::write_file_atomic(dir / "bad.toml", "[wiretap]\nprobes_per_seting = 3\n");
  auto r = run("quickstart -q -c " + (dir / "bad.toml").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "physec: error: " + (dir / "bad.toml").string() +
                       ": wiretap.probes_per_seting: unknown key (expected did you mean `wiretap.probes_per_setting`?, got "
                       "`wiretap.probes_per_seting`)\n");
  EXPECT_FALSE(fs::exists(dir / "out")) << "a failed run must not leave outputs";

  r = run("quickstart -q --set blas.matrix_size=0");
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "physec: error: config: blas.matrix_size: out of range (expected a value in [16, 8192], got 0)\n");

  r = run("quickstart -q -c /nonexistent.toml");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("/nonexistent.toml: file not found"), std::string::npos);

  r = run("quickstart -q --device tpu");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("run.device: not a device (expected cpu, cuda or cuda:N"), std::string::npos);

  r = run("config show nosuch");
  EXPECT_EQ(r.code, 3);
}

TEST(cli, quickstart_runs_and_same_seed_gives_same_bytes) {
  const auto dir = temp_dir("qs");
  for (const char* name : {"a", "b"}) {
    auto r = run("quickstart " + k_small + " --seed 5 --out " + (dir / name).string());
    ASSERT_EQ(r.code, 0) << r.out;
  }
  auto r = run("quickstart " + k_small + " --seed 6 --out " + (dir / "c").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "a" / "report.json"));
  for (const char* file : {"wiretap.h5", "kdr.csv", "alice_bits.h5", "nist.csv", "mobility.h5", "accuracy.csv"}) {
    const std::string a = physec::read_file(dir / "a" / file);
    EXPECT_EQ(a, physec::read_file(dir / "b" / file)) << file;
    EXPECT_NE(a, physec::read_file(dir / "c" / file)) << file;
  }
  const std::string report = physec::read_file(dir / "a" / "report.json");
  EXPECT_NE(report.find("\"seed\": 5"), std::string::npos);
  EXPECT_NE(report.find("\"git_describe\""), std::string::npos);
  EXPECT_NE(report.find("\"stages\""), std::string::npos);
}

}  // namespace

namespace {

TEST(cli, keygen_eval_bad_dataset_is_one_line_and_writes_nothing) {
  const auto dir = temp_dir("kg");
  auto r = run("keygen eval -q -d " + (dir / "none.h5").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "physec: error: " + (dir / "none.h5").string() + ": file not found (expected an HDF5 file, got no such file)\n");
  physec::write_file_atomic(dir / "text.h5", "not hdf5");
  r = run("keygen eval -q -d " + (dir / "text.h5").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("not an HDF5 file"), std::string::npos);
  r = run("keygen eval -q -d x.h5 --quantizer quantil");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("quantizer.method: not an allowed value (did you mean \"quantile\"?)"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "out"));
}

TEST(cli, dataset_wiretap_then_keygen_eval) {
  const auto dir = temp_dir("wt");
  const std::string small =
      "--set 'wiretap.profiles=[\"TDL-A\"]' --set wiretap.speeds_mps=[1.0] --set wiretap.snrs_dB=[10.0] "
      "--set wiretap.eve_distances_wavelengths=[1.0] --set wiretap.probes_per_setting=30 --set wiretap.grid.nof_symbols=1";
  auto r = run("dataset wiretap -q " + small + " -o " + (dir / "w.h5").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "w.h5.report.json"));
  r = run("keygen eval -q -d " + (dir / "w.h5").string() + " --bits 2 --out " + (dir / "eval").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("KDR(A,B)"), std::string::npos);
  EXPECT_TRUE(fs::exists(dir / "eval" / "kdr.csv"));
  EXPECT_TRUE(fs::exists(dir / "eval" / "kdr_vs_snr.png"));
  // The dataset's config attribute is the effective config: -c accepts it back.
  r = run("dataset wiretap -q " + small + " --set wiretap.probes_per_setting=0 -o " + (dir / "bad.h5").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_FALSE(fs::exists(dir / "bad.h5"));
}

}  // namespace

namespace {

TEST(cli, nist_on_ascii_bits_and_bad_input) {
  const auto dir = temp_dir("nist");
  // SP 800-22 rev1a §2.1.4: epsilon = 1011010101 gives the frequency test P-value 0.527089.
  physec::write_file_atomic(dir / "eps.txt", "1011010101\n");
  auto r = run("nist -q " + (dir / "eps.txt").string() + " --out " + (dir / "out").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("0.527089"), std::string::npos) << r.out;
  EXPECT_TRUE(fs::exists(dir / "out" / "nist.csv"));
  EXPECT_TRUE(fs::exists(dir / "out" / "report.json"));

  physec::write_file_atomic(dir / "bad.txt", "10110x0101\n");
  r = run("nist -q --format ascii " + (dir / "bad.txt").string() + " --out " + (dir / "out2").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find(dir.string() + "/bad.txt"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "out2"));

  r = run("nist -q " + (dir / "eps.txt").string() + " --length 20");
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("--length: sequence length exceeds the bits in the file (expected at most 10, got 20)"),
            std::string::npos) << r.out;
}

const std::string k_tiny_mobility =
    "--set mobility.samples_per_transmitter=300 --set mobility.sequence_length=20 --set mobility.irs_ny=2 "
    "--set mobility.irs_nz=2";

TEST(cli, dataset_mobility_then_auth_eval) {
  const auto dir = temp_dir("mob");
  auto r = run("dataset mobility -q " + k_tiny_mobility + " -o " + (dir / "m.h5").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "m.h5.report.json"));
  // The report states, per protocol, how far validation and test lie from trained places.
  const std::string mreport = physec::read_file(dir / "m.h5.report.json");
  for (const char* key : {"distance_to_training_m", "\"time\"", "\"position\"", "\"random\"", "test_mean"})
    EXPECT_NE(mreport.find(key), std::string::npos) << key;
  r = run("auth eval -q -d " + (dir / "m.h5").string() + " --model nb --out " + (dir / "eval").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("confusion of the best"), std::string::npos) << r.out;
  for (const char* f : {"accuracy.csv", "timing.csv", "confusion_best.csv", "accuracy.png", "report.json"})
    EXPECT_TRUE(fs::exists(dir / "eval" / f)) << f;
  const std::string acc = physec::read_file(dir / "eval" / "accuracy.csv");
  EXPECT_NE(acc.find("time,sample,nb,"), std::string::npos) << acc;
  EXPECT_NE(acc.find("time,sequence,nb,"), std::string::npos) << acc;
  r = run("auth eval -q -d " + (dir / "m.h5").string() + " --model knn --split position --out " +
          (dir / "pos").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(physec::read_file(dir / "pos" / "accuracy.csv").find("position,sample,knn,"), std::string::npos);
  // A sweep regenerates the dataset per point from [mobility] and plots accuracy against the swept value.
  r = run("auth eval -q --sweep speed --model nb " + k_tiny_mobility + " --set sweep.speed_mps=[1.0,3.0] --out " +
          (dir / "sweep").string());
  ASSERT_EQ(r.code, 0) << r.out;
  const std::string sw = physec::read_file(dir / "sweep" / "sweep_speed.csv");
  EXPECT_NE(sw.find("speed,1,sample,nb,"), std::string::npos) << sw;
  EXPECT_NE(sw.find("speed,3,sequence,nb,"), std::string::npos) << sw;
  EXPECT_TRUE(fs::exists(dir / "sweep" / "accuracy_vs_speed_sample.png"));
}

TEST(cli, auth_openset_scores_unseen_spoofers_and_refuses_unknown_detectors) {
  const auto dir = temp_dir("openset");
  auto r = run("dataset mobility -q " + k_tiny_mobility + " -o " + (dir / "m.h5").string());
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("auth openset -q -d " + (dir / "m.h5").string() + " --model mahalanobis,nb --split random --out " +
          (dir / "os").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("unseen spoofers, random split"), std::string::npos) << r.out;
  for (const char* f : {"openset.csv", "roc.csv", "roc.png", "report.json"}) EXPECT_TRUE(fs::exists(dir / "os" / f)) << f;
  const std::string csv = physec::read_file(dir / "os" / "openset.csv");
  EXPECT_EQ(csv.rfind("model,auroc,auroc_low,auroc_high,threshold,far_target,far,", 0), 0u) << csv;
  EXPECT_NE(csv.find("\nmahalanobis,"), std::string::npos) << csv;
  EXPECT_NE(csv.find("\nnb,"), std::string::npos) << csv;
  // The ROC of each detector runs from "flag everything" (FAR 1, MDR 0) to "flag nothing" (FAR 0, MDR 1).
  const std::string roc = physec::read_file(dir / "os" / "roc.csv");
  EXPECT_NE(roc.find(",1,0\n"), std::string::npos) << roc;
  EXPECT_NE(roc.find(",0,1\n"), std::string::npos) << roc;
  r = run("auth openset -q -d " + (dir / "m.h5").string() + " --model svm --out " + (dir / "bad").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
  EXPECT_FALSE(fs::exists(dir / "bad"));
}

TEST(cli, auth_eval_bad_dataset_is_one_line_exit_3_and_writes_nothing) {
  const auto dir = temp_dir("mobbad");
  auto r = run("auth eval -q -d " + (dir / "none.h5").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_EQ(r.out, "physec: error: " + (dir / "none.h5").string() +
                       ": file not found (expected an HDF5 file, got no such file)\n");
  // A valid HDF5 file of another schema.
  r =
      run("dataset wiretap -q --set 'wiretap.profiles=[\"TDL-A\"]' --set wiretap.speeds_mps=[1.0] --set "
          "wiretap.snrs_dB=[10.0] "
          "--set wiretap.eve_distances_wavelengths=[1.0] --set wiretap.probes_per_setting=2 --set "
          "wiretap.grid.nof_symbols=1 -o " +
          (dir / "w.h5").string());
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("auth eval -q -d " + (dir / "w.h5").string() + " --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_NE(r.out.find("not a mobility dataset"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find('\n'), r.out.size() - 1) << "one line: " << r.out;
  r = run("auth eval -q -d " + (dir / "w.h5").string() + " --model svm --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 3);
  EXPECT_FALSE(fs::exists(dir / "out")) << "a failed run must not leave outputs";
}

}  // namespace
