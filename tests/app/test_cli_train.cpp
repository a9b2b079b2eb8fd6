// `physec keygen train` and `keygen eval --model` as a user meets them: train -> eval with the model, --resume,
// config show, and a bad checkpoint (one line, exit 3, nothing written).
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>

#include "physec/core/atomic_file.hpp"
#include "cli_run.hpp"
#include "test_util.hpp"
#include "wiretap_fixture.hpp"

namespace fs = std::filesystem;

namespace {

using physec::testing::cli_result;
cli_result physec_run(const std::string& args) { return physec::testing::run_physec(args); }

/// A small wiretap dataset (2 profiles, 2 SNRs, 2 symbols), made once per test program.
const fs::path& small_dataset() {
  static const fs::path file = [] {
    const auto dir = physec::testing::temp_dir("cli_train_data");
    const auto r = physec_run("dataset wiretap -q -o " + (dir / "w.h5").string() +
                              " --set 'wiretap.profiles=[\"CDL-C\",\"TDL-A\"]' --set wiretap.speeds_mps=[0.83]"
                              " --set wiretap.snrs_dB=[10.0,30.0] --set wiretap.eve_distances_wavelengths=[0.5,5.0]"
                              " --set wiretap.probes_per_setting=20 --set wiretap.grid.nof_symbols=2 --seed 3");
    EXPECT_EQ(r.code, 0) << r.out;
    return dir / "w.h5";
  }();
  return file;
}

const std::string k_tiny = " -q --set 'model.cnn.channels=[4,8]' --set model.cnn.bottleneck_channels=4 "
                           "--set train.batch_size=16 --set latency_runs=5 --seed 9";

}  // namespace

TEST(cli_train, train_then_eval_with_the_model) {
  const auto dir = physec::testing::temp_dir("cli_train");
  auto r = physec_run("keygen train -d " + small_dataset().string() + " --model cnn_ae_ssa --set train.epochs=2" +
                      k_tiny + " --out " + (dir / "t").string());
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* f : {"checkpoint.pt", "history.csv", "complexity.csv", "complexity_layers.csv", "report.json"})
    EXPECT_TRUE(fs::exists(dir / "t" / f)) << f;
  const std::string history = physec::read_file(dir / "t" / "history.csv");
  EXPECT_EQ(std::count(history.begin(), history.end(), '\n'), 3);  // header + 2 epochs
  const std::string report = physec::read_file(dir / "t" / "report.json");
  EXPECT_NE(report.find("seconds_per_epoch"), std::string::npos);
  EXPECT_NE(report.find("best_epoch"), std::string::npos);

  r = physec_run("keygen eval -q -d " + small_dataset().string() + " --model " + (dir / "t" / "checkpoint.pt").string() +
                 " --out " + (dir / "e").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "e" / "kdr.csv"));
  EXPECT_NE(physec::read_file(dir / "e" / "report.json").find("\"cnn_ae_ssa\""), std::string::npos);

  // Key agreement (#8) on the model's outputs.
  r = physec_run("keygen run -q -d " + small_dataset().string() + " --model " + (dir / "t" / "checkpoint.pt").string() +
                 " --out " + (dir / "r").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir / "r" / "agreement.csv"));

  // --resume of a finished run with the same config: nothing left to train, the history is kept.
  r = physec_run("keygen train -d " + small_dataset().string() + " --model cnn_ae_ssa --set train.epochs=2" + k_tiny +
                 " --resume --out " + (dir / "t").string());
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(physec::read_file(dir / "t" / "history.csv"), history);
  // --resume with another config is refused in one line (exit 3), the checkpoint untouched.
  const std::string before = physec::read_file(dir / "t" / "checkpoint.pt");
  r = physec_run("keygen train -d " + small_dataset().string() + " --model cnn_ae_ssa --set train.epochs=3" + k_tiny +
                 " --resume --out " + (dir / "t").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("cannot resume"), std::string::npos) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_EQ(physec::read_file(dir / "t" / "checkpoint.pt"), before);
}

TEST(cli_train, streaming_from_hdf5_gives_the_same_losses_as_reading_once) {
  const auto dir = physec::testing::temp_dir("cli_train_stream");
  const auto losses = [&](const std::string& name, const std::string& stream) {
    const auto r = physec_run("keygen train -d " + small_dataset().string() + " --model cnn_ae --set train.epochs=2" +
                              k_tiny + " --set stream=" + stream + " --out " + (dir / name).string());
    EXPECT_EQ(r.code, 0) << r.out;
    // history.csv: epoch,train_loss,val_loss,... ; keep the first three columns (seconds differ run to run).
    std::string kept;
    std::istringstream in(physec::read_file(dir / name / "history.csv"));
    for (std::string line; std::getline(in, line);) {
      std::size_t cut = 0;
      for (int k = 0; k < 3; ++k) cut = line.find(',', cut + 1);
      kept += line.substr(0, cut) + "\n";
    }
    return kept;
  };
  const std::string streamed = losses("s", "true");
  EXPECT_EQ(std::count(streamed.begin(), streamed.end(), '\n'), 3);
  EXPECT_EQ(streamed, losses("m", "false"));
}

TEST(cli_train, bad_checkpoint_is_one_line_exit_3_and_writes_nothing) {
  const auto dir = physec::testing::temp_dir("cli_train_bad");
  physec::write_file_atomic(dir / "junk.pt", "not a checkpoint");
  auto r = physec_run("keygen eval -q -d " + small_dataset().string() + " --model " + (dir / "junk.pt").string() +
                      " --out " + (dir / "e").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_NE(r.out.find("junk.pt"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "e"));
  r = physec_run("keygen eval -q -d " + small_dataset().string() + " --model " + (dir / "absent.pt").string() +
                 " --out " + (dir / "e").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_FALSE(fs::exists(dir / "e"));
  // An unknown architecture: one line naming the key, exit 3.
  r = physec_run("keygen train -d " + small_dataset().string() + " --model lstm --out " + (dir / "t").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("model.name"), std::string::npos) << r.out;
  // An unknown loss or input phase: one line naming the key and the allowed values, exit 3, nothing written.
  for (const auto& [set, key] : {std::pair<std::string, std::string>{"loss='\"l1\"'", "loss: not an allowed value"},
                                 {"input_phase='\"raw\"'", "input_phase: not an allowed value"}}) {
    r = physec_run("keygen train -d " + small_dataset().string() + " --set " + set + " --out " + (dir / "u").string());
    EXPECT_EQ(r.code, 3) << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
    EXPECT_NE(r.out.find(key), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(dir / "u"));
  }
}

TEST(cli_train, config_show_lists_model_train_and_target) {
  const auto r = physec_run("config show keygen train");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* key : {"target = \"clean\"", "loss = \"phase_invariant\"", "[model]", "[model.cnn]", "[train]",
                          "epochs = 40", "[run]"})
    EXPECT_NE(r.out.find(key), std::string::npos) << key;
}

// Audit item 8: keygen train makes the checks keygen eval makes, before training: a bad split code is refused, and a
// NaN in the CSI is named with its file and probe (it surfaced as a diverging loss blamed on the learning rate).
TEST(cli_train, bad_datasets_are_refused_before_training) {
  const auto dir = physec::testing::temp_dir("cli_train_bad");
  using physec::dataset::wiretap_data;
  const auto nan = physec::testing::write_broken_wiretap(dir / "nan.h5", [](auto&, wiretap_data& d) {
    d.bob.data[1 * 16 + 5] = {std::nanf(""), 0.0f};  // probe 1 (16 values per probe), a training probe
  });
  // The broken files have no /clean: train toward the other party (target cross).
  auto r = physec_run("keygen train -d " + nan.string() + k_tiny + " --set target=cross --set train.epochs=1 --out " + (dir / "a").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(r.out, "physec: error: " + nan.string() + ": /bob[1]: non-finite CSI value (expected finite numbers, got nan/inf)\n");
  const auto split = physec::testing::write_broken_wiretap(dir / "split.h5", [](auto&, wiretap_data& d) { d.split[4] = 7; });
  r = physec_run("keygen train -d " + split.string() + k_tiny + " --set target=cross --set train.epochs=1 --out " + (dir / "b").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find(split.string() + ": /labels/split[4]: unknown split label"), std::string::npos) << r.out;
}
