// `physec auth train` and TDGCN in `physec auth eval`, as a user meets them: training on the public BasicMotions set
// (tests/data/uea), its outputs, testing the checkpoint beside the baselines, and bad inputs (exit 3, one line,
// nothing written).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <vector>

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
               k_fast + " --set data.folds=1");
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

TEST(cli_auth_train, basic_motions_fold_ensemble) {
  // The default UEA protocol: k stratified folds of TRAIN (here 3 for speed), one model per fold, one checkpoint
  // each, the ensemble tested. BasicMotions: 40 training cases, 10 per class, dealt to 3 folds in turn: 14 + 13 + 13.
  const auto dir = physec::testing::temp_dir("auth_train_folds");
  auto r = run("auth train --ts " + (k_uea / "BasicMotions_TRAIN.ts").string() + " --ts-test " +
               (k_uea / "BasicMotions_TEST.ts").string() + " --out " + (dir / "t").string() + k_fast +
               " --set data.folds=3");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* f : {"checkpoint_fold1.pt", "checkpoint_fold2.pt", "checkpoint_fold3.pt"})
    EXPECT_TRUE(fs::exists(dir / "t" / f)) << f;
  EXPECT_FALSE(fs::exists(dir / "t" / "checkpoint.pt"));
  std::ifstream hist(dir / "t" / "history.csv");
  std::string line;
  int rows = 0;
  while (std::getline(hist, line)) ++rows;
  EXPECT_EQ(rows, 1 + 3 * 4);  // header + 4 epochs per fold
  std::ifstream rep(dir / "t" / "report.json");
  const auto j = nlohmann::json::parse(rep);
  const auto& t = j.at("results").at("tdgcn");
  EXPECT_EQ(t.at("models").get<int>(), 3);
  std::vector<int> nv;
  for (const auto& m : t.at("members")) {
    nv.push_back(m.at("nof_validation").get<int>());
    EXPECT_EQ(m.at("nof_train").get<int>() + nv.back(), 40);
  }
  EXPECT_EQ(nv, (std::vector<int>{14, 13, 13}));
  const double cv = t.at("cv_accuracy").get<double>();
  EXPECT_GE(cv, 0.0);
  EXPECT_LE(cv, 1.0);
  EXPECT_NE(r.out.find("ensemble of 3 fold models"), std::string::npos) << r.out;
  // --resume with every fold finished trains nothing more and gives the same test accuracy.
  const auto first = t.at("test_accuracy").get<double>();
  r = run("auth train --ts " + (k_uea / "BasicMotions_TRAIN.ts").string() + " --ts-test " +
          (k_uea / "BasicMotions_TEST.ts").string() + " --out " + (dir / "t").string() + k_fast +
          " --set data.folds=3 --resume");
  ASSERT_EQ(r.code, 0) << r.out;
  std::ifstream rep2(dir / "t" / "report.json");
  EXPECT_DOUBLE_EQ(nlohmann::json::parse(rep2).at("results").at("tdgcn").at("test_accuracy").get<double>(), first);
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
