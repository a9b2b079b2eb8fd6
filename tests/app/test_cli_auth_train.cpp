// `physec auth train` and TDGCN in `physec auth eval`, as a user meets them: training on the public BasicMotions set
// (tests/data/uea), its outputs, testing the checkpoint beside the baselines, and bad inputs (exit 3, one line,
// nothing written).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "cli_run.hpp"

namespace fs = std::filesystem;

namespace {

const auto run = physec::testing::run_physec;

const std::filesystem::path k_uea = physec::testing::uea_dir();
// Narrow and short: seconds on 2 cores.
const std::string k_fast =
    " --set model.tcn_channels=[8,8,16] --set model.hidden=16 --set train.epochs=4 --set train.learning_rate=0.003 -q";

}  // namespace

TEST(cli_auth_train, basic_motions_train_then_eval_checkpoint) {
  const auto dir = physec::testing::temp_dir("auth_train");
  const auto bm = k_uea / "BasicMotions_TRAIN.ts", bt = k_uea / "BasicMotions_TEST.ts";
  auto r = run("auth train --ts " + bm.string() + " --ts-test " + bt.string() + " --out " + (dir / "t").string() +
               k_fast);
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* f : {"checkpoint.pt", "history.csv", "complexity.csv", "confusion.csv", "report.json"})
    EXPECT_TRUE(fs::exists(dir / "t" / f)) << f;
  std::ifstream hist(dir / "t" / "history.csv");
  std::string line;
  int rows = 0;
  while (std::getline(hist, line)) ++rows;
  EXPECT_EQ(rows, 1 + 4);  // header + 4 epochs
  EXPECT_NE(r.out.find("test accuracy"), std::string::npos);

  // A mobility dataset, a TDGCN trained on it, then tested from the checkpoint beside a baseline.
  ASSERT_EQ(run("dataset mobility -q --set mobility.samples_per_transmitter=500 -o " + (dir / "m.h5").string()).code,
            0);
  r = run("auth train -d " + (dir / "m.h5").string() + " --out " + (dir / "mt").string() + k_fast +
          " --set data.window_stride=0");
  ASSERT_EQ(r.code, 0) << r.out;
  r = run("auth eval -q -d " + (dir / "m.h5").string() + " --model knn," + (dir / "mt" / "checkpoint.pt").string() +
          " --set 'features=[\"sequence\"]' --out " + (dir / "e").string());
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream acc(dir / "e" / "accuracy.csv");
  std::string all((std::istreambuf_iterator<char>(acc)), std::istreambuf_iterator<char>());
  EXPECT_NE(all.find(",knn,"), std::string::npos);
  EXPECT_NE(all.find("time,raw,tdgcn,checkpoint checkpoint.pt"), std::string::npos) << all;

  // The UEA checkpoint (D = 6) does not fit the mobility dataset (D = 24): exit 3, one line, nothing written.
  r = run("auth eval -q -d " + (dir / "m.h5").string() + " --checkpoint " + (dir / "t" / "checkpoint.pt").string() +
          " --out " + (dir / "bad").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("checkpoint does not fit the dataset"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(dir / "bad"));
  // Not a checkpoint at all.
  std::ofstream(dir / "junk.pt") << "not a checkpoint";
  r = run("auth eval -q -d " + (dir / "m.h5").string() + " --model junk.pt --out " + (dir / "bad").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 1) << r.out;
  EXPECT_FALSE(fs::exists(dir / "bad"));
}

TEST(cli_auth_train, bad_inputs) {
  const auto dir = physec::testing::temp_dir("auth_train_bad");
  const auto bm = k_uea / "BasicMotions_TRAIN.ts", rt = k_uea / "RacketSports_TEST.ts";
  auto r = run("auth train --ts " + bm.string() + " --ts-test " + rt.string() + " --out " + (dir / "o").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("RacketSports_TEST.ts: series: shape differs from the training file"), std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(dir / "o"));
  r = run("auth train --out " + (dir / "o").string());
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("choose one data source"), std::string::npos);
  r = run("config show auth train");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.out.find("learning_rate = 0.001"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tcn_kernels = [9, 5, 3]"), std::string::npos) << r.out;
}
