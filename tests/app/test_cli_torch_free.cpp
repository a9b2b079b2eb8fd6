// Issue #17: commands that use no model never map LibTorch (`physec` links only the torch-free layers and hands a
// command over to physec-neural when it needs a model); a missing physec-neural is one line and exit 4.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "cli_run.hpp"
#include "physec/core/atomic_file.hpp"

namespace fs = std::filesystem;

namespace {

using physec::testing::run_command;

/// Every shared object the dynamic loader opened while `physec ARGS` ran (LD_DEBUG=files, also across an exec and
/// through dlopen), as the loader's log text.
std::string loaded_objects(const fs::path& dir, const std::string& args, int* code = nullptr) {
  const fs::path log = dir / "ld";
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("ld.", 0) == 0) fs::remove(e.path());
  const auto r = run_command("LD_DEBUG=files LD_DEBUG_OUTPUT=" + log.string() + " " + PHYSEC_EXE + " " + args);
  if (code) *code = r.code;
  std::string text;
  for (const auto& e : fs::directory_iterator(dir))
    if (e.path().filename().string().rfind("ld.", 0) == 0) text += physec::read_file(e.path());
  return text;
}

bool maps_torch(const std::string& loader_log) { return loader_log.find("libtorch") != std::string::npos; }

TEST(cli_torch_free, commands_without_a_model_do_not_load_libtorch) {
  const fs::path dir = PHYSEC_TEST_DIR();
  int code = -1;
  // The check itself: a command that needs LibTorch shows it in the loader's log.
  EXPECT_TRUE(maps_torch(loaded_objects(dir, "version", &code)));
  EXPECT_EQ(code, 0);

  EXPECT_FALSE(maps_torch(loaded_objects(dir, "--version", &code)));
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(maps_torch(loaded_objects(dir, "config show nist", &code)));
  EXPECT_EQ(code, 0);
  EXPECT_FALSE(maps_torch(loaded_objects(dir, "config show keygen train", &code)));
  EXPECT_EQ(code, 0);
  std::string bits;
  for (int i = 0; i < 20000; ++i) bits += (i * 2654435761u >> 7) & 1 ? '1' : '0';
  physec::write_file_atomic(dir / "bits.txt", bits);
  EXPECT_FALSE(maps_torch(loaded_objects(dir, "nist -q " + (dir / "bits.txt").string() + " --out " +
                                                  (dir / "nist").string(),
                                              &code)));
  EXPECT_EQ(code, 0);
  EXPECT_TRUE(fs::exists(dir / "nist" / "report.json"));
}

TEST(cli_torch_free, missing_neural_executable_is_one_line_exit_4) {
  const fs::path dir = PHYSEC_TEST_DIR();
  fs::copy_file(PHYSEC_EXE, dir / "physec");  // alone: no physec-neural beside it
  const std::string exe = (dir / "physec").string();
  auto r = run_command(exe + " --version");
  EXPECT_EQ(r.code, 0) << r.out;
  r = run_command(exe + " auth train -d mobility.h5 --out " + (dir / "out").string());
  EXPECT_EQ(r.code, 4);
  EXPECT_EQ(r.out, "physec: error: the neural part of physec, " + (dir / "physec-neural").string() +
                       ", could not be started (No such file or directory) — needed by 'auth train'\n");
  EXPECT_FALSE(fs::exists(dir / "out"));
  r = run_command(exe + " keygen eval -d wiretap.h5 --model m.pt");
  EXPECT_EQ(r.code, 4);
  EXPECT_NE(r.out.find("needed by 'keygen eval --model'"), std::string::npos) << r.out;
}

}  // namespace
