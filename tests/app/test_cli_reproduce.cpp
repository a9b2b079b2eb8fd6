// `physec reproduce` as a user meets it: --list, every figure id end to end at --scale small (what CI runs), the
// same bytes for the same seed, and bad ids refused in one line with nothing written.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_run.hpp"

namespace fs = std::filesystem;

namespace {

const auto run = physec::testing::run_physec;

std::string slurp(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::stringstream s;
  s << f.rdbuf();
  return s.str();
}

std::size_t lines_of(const fs::path& p) {
  std::ifstream f(p);
  std::string line;
  std::size_t n = 0;
  while (std::getline(f, line)) ++n;
  return n;
}

}  // namespace

TEST(cli_reproduce, list_names_every_figure) {
  const auto r = run("reproduce --list");
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* id : {"pla-fig5", "pla-fig6", "pla-fig7", "pla-fig8"}) EXPECT_NE(r.out.find(id), std::string::npos);
}

TEST(cli_reproduce, every_figure_at_small_scale_end_to_end) {
  const auto dir = physec::testing::temp_dir("reproduce_small");
  const auto r = run("reproduce pla-fig5 pla-fig6 pla-fig7 pla-fig8 --scale small --set run.threads=1 -q --out " +
                     dir.string());
  ASSERT_EQ(r.code, 0) << r.out;
  for (const char* id : {"pla-fig5", "pla-fig6", "pla-fig7", "pla-fig8"}) {
    for (const char* f : {"rows.csv", "summary.csv", "timing.csv", "report.json"})
      EXPECT_TRUE(fs::exists(dir / id / f)) << id << "/" << f;
    // 3 sweep values x 3 protocols x (7 baselines + TDGCN), one seed, plus the header.
    EXPECT_EQ(lines_of(dir / id / "rows.csv"), 1u + 3 * 3 * 8) << id;
    const auto rep = nlohmann::json::parse(slurp(dir / id / "report.json"));
    EXPECT_EQ(rep["results"]["figure"]["id"], id);
    EXPECT_EQ(rep["results"]["scale"], "small");
  }
  // Figs. 5 and 6 share one sweep: the same rows. Fig. 5 needs training accuracies: every row has one in [0, 1].
  EXPECT_EQ(slurp(dir / "pla-fig5" / "rows.csv"), slurp(dir / "pla-fig6" / "rows.csv"));
  std::ifstream rows(dir / "pla-fig5" / "rows.csv");
  std::string line;
  std::getline(rows, line);
  ASSERT_EQ(line.rfind("sweep,value,protocol,seed,features,model,train_accuracy,", 0), 0u) << line;
  while (std::getline(rows, line)) {
    std::stringstream cells(line);
    std::string c;
    for (int k = 0; k < 7; ++k) std::getline(cells, c, ',');
    const double train = std::stod(c);
    EXPECT_GE(train, 0.0) << line;
    EXPECT_LE(train, 1.0) << line;
  }
  // The printed tables name the protocols side by side.
  for (const char* p : {"random", "time", "position"}) EXPECT_NE(r.out.find(p), std::string::npos) << p;
}

TEST(cli_reproduce, same_seed_same_bytes_and_bad_ids_refused) {
  const auto dir = physec::testing::temp_dir("reproduce_seed");
  const std::string one_point =
      " --scale small --set run.threads=1 --set distance_m=[4] --set protocols=[\\\"time\\\"] -q --seed 7 --out ";
  ASSERT_EQ(run("reproduce pla-fig7" + one_point + (dir / "a").string()).code, 0);
  ASSERT_EQ(run("reproduce pla-fig7" + one_point + (dir / "b").string()).code, 0);
  EXPECT_EQ(slurp(dir / "a" / "pla-fig7" / "rows.csv"), slurp(dir / "b" / "pla-fig7" / "rows.csv"));
  EXPECT_NE(slurp(dir / "a" / "pla-fig7" / "rows.csv").find(",time,7,"), std::string::npos);  // --seed S: seed S

  const auto bad = run("reproduce pla-fig9 --scale small --out " + (dir / "c").string());
  EXPECT_EQ(bad.code, 3) << bad.out;
  EXPECT_NE(bad.out.find("pla-fig5, pla-fig6, pla-fig7, pla-fig8"), std::string::npos) << bad.out;
  EXPECT_FALSE(fs::exists(dir / "c"));
  const auto none = run("reproduce --scale small --out " + (dir / "d").string());
  EXPECT_EQ(none.code, 3) << none.out;
  EXPECT_FALSE(fs::exists(dir / "d"));
}
