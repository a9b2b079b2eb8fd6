// Errors, strings, tables, progress lines, run report, proportion intervals, plot scripts.
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/report.hpp"
#include "physec/core/stats.hpp"
#include "physec/core/strings.hpp"
#include "physec/core/table.hpp"

namespace {

TEST(error, one_line_layout) {
  const physec::error e("wrong shape", {"w.h5", "/alice", 3}, "[?, 4]", "[2, 5]");
  EXPECT_STREQ(e.what(), "w.h5: /alice[3]: wrong shape (expected [?, 4], got [2, 5])");
  EXPECT_STREQ(physec::error("bad\nthing").what(), "bad thing");
  EXPECT_STREQ(physec::error("x", {"", "", 2}).what(), "index 2: x");
  EXPECT_STREQ(physec::error("x", {"f", "", {}}).with_file("g").what(), "g: x");
}

TEST(strings, edit_distance_and_nearest) {
  EXPECT_EQ(physec::edit_distance("kitten", "sitting"), 3u);
  EXPECT_EQ(physec::edit_distance("", "abc"), 3u);
  EXPECT_EQ(physec::nearest_name("snr_db", {"snr_dB", "seed", "speed_mps"}), "snr_dB");
  EXPECT_EQ(physec::nearest_name("completely_else", {"snr_dB", "seed"}), "");
  EXPECT_EQ(physec::split("a,,b", ','), (std::vector<std::string>{"a", "", "b"}));
  EXPECT_EQ(physec::trim("  x y \n"), "x y");
}

TEST(table, csv_text_json) {
  physec::table t({"snr_dB", "kdr", "note"});
  t.add_row({std::int64_t{0}, 0.125, std::string("a,b")});
  t.add_row({std::int64_t{10}, 1.0 / 3.0, std::string("say \"hi\"")});
  EXPECT_EQ(t.to_csv(), "snr_dB,kdr,note\n0,0.125,\"a,b\"\n10,0.3333333333333333,\"say \"\"hi\"\"\"\n");
  EXPECT_EQ(t.to_json()[1]["snr_dB"], 10);
  EXPECT_NE(t.to_text().find("0.3333"), std::string::npos);
  EXPECT_THROW(t.add_row({std::int64_t{1}}), physec::error);
}

TEST(progress, line_has_rate_and_eta) {
  EXPECT_EQ(physec::progress::format_line("generate", 25, 100, "samples", 5.0),
            "generate: 25/100 samples (25.0%), 5 samples/s, elapsed 0:05, ETA 0:15");
  EXPECT_EQ(physec::format_duration(3725), "1:02:05");
}

TEST(progress, log_mode_prints_the_last_line_once) {
  physec::progress::force_terminal(0);
  ::testing::internal::CaptureStderr();
  {
    physec::progress p("work", 4, "items");
    for (int i = 0; i < 4; ++i) p.advance();
  }  // the destructor finishes: nothing new after 4/4
  const std::string out = ::testing::internal::GetCapturedStderr();
  physec::progress::force_terminal(-1);
  std::size_t lines_at_100 = 0;
  for (std::size_t at = out.find("(100.0%)"); at != std::string::npos; at = out.find("(100.0%)", at + 1)) ++lines_at_100;
  EXPECT_EQ(lines_at_100, 1u) << out;
  EXPECT_NE(out.find("work: 1/4 items"), std::string::npos) << out;
}

TEST(report, json_has_provenance_and_stages) {
  physec::run_report r("quickstart", 42);
  r.set_config("seed = 42\n[link]\nsnr_dB = 10.0\n");
  r.set_device("cpu");
  { auto s = r.time("stage one"); }
  r.results()["kdr"] = 0.1;
  const auto j = r.to_json();
  EXPECT_EQ(j["seed"], 42);
  EXPECT_EQ(j["config"]["link"]["snr_dB"], 10.0);
  EXPECT_EQ(j["stages"][0]["stage"], "stage one");
  EXPECT_FALSE(j["physec_version"].get<std::string>().empty());
  EXPECT_FALSE(j["git_describe"].get<std::string>().empty());
  const auto dir = std::filesystem::temp_directory_path() / "physec_test_report";
  r.write(dir / "report.json");
  EXPECT_EQ(nlohmann::json::parse(physec::read_file(dir / "report.json"))["results"]["kdr"], 0.1);
}

}  // namespace

namespace {

TEST(stats, clopper_pearson_edges_match_the_closed_form) {
  // k = 0 and k = n have closed forms: upper = 1 - (alpha/2)^(1/n), lower = (alpha/2)^(1/n) (Clopper & Pearson 1934).
  const auto none = physec::clopper_pearson(10, 0, 0.95);
  EXPECT_DOUBLE_EQ(none.value, 0.0);
  EXPECT_DOUBLE_EQ(none.low, 0.0);
  EXPECT_NEAR(none.high, 1.0 - std::pow(0.025, 0.1), 1e-12);  // 0.30850...
  const auto all = physec::clopper_pearson(10, 10, 0.95);
  EXPECT_NEAR(all.low, std::pow(0.025, 0.1), 1e-12);  // 0.69150...
  EXPECT_DOUBLE_EQ(all.high, 1.0);
  // n = 20, k = 10: the tabulated exact 95 % interval [0.2720, 0.7280] (symmetric about 1/2).
  const auto half = physec::clopper_pearson(20, 10, 0.95);
  EXPECT_NEAR(half.low, 0.27196, 5e-5);
  EXPECT_NEAR(half.high, 0.72804, 5e-5);
  EXPECT_TRUE(std::isnan(physec::clopper_pearson(0, 0).value));
  EXPECT_THROW(physec::clopper_pearson(3, 4), physec::error);
}

std::string slurp(const std::filesystem::path& p) { return physec::read_file(p); }

TEST(plot, bars_script_groups_categories_with_error_bars) {
  const auto dir = std::filesystem::temp_directory_path() / "physec_test_plot_bars";
  std::filesystem::create_directories(dir);
  physec::plot_spec spec{"Accuracy", "model", "accuracy", {}, false, physec::plot_kind::bars, {"dt", "knn", "tdgcn"}};
  spec.series.push_back({"sample", {}, {0.5, 0.75, NAN}, {0.4, 0.6, NAN}, {0.6, 0.9, NAN}});
  spec.series.push_back({"raw", {}, {NAN, NAN, 0.25}, {NAN, NAN, 0.1}, {NAN, NAN, 0.4}});
  std::vector<std::filesystem::path> files;
  const auto gp = physec::gnuplot_script(spec, dir / "out.png", dir / "data", files);
  EXPECT_NE(gp.find("set style histogram errorbars"), std::string::npos) << gp;
  EXPECT_NE(gp.find("using 2:3:4:xtic(1)"), std::string::npos) << gp;
  EXPECT_NE(gp.find("using 5:6:7"), std::string::npos) << gp;
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(slurp(files[0]), "\"dt\" 0.5 0.4 0.6 NaN NaN NaN\n\"knn\" 0.75 0.6 0.9 NaN NaN NaN\n"
                             "\"tdgcn\" NaN NaN NaN 0.25 0.1 0.4\n");
  // A series that does not cover every category is refused.
  spec.series[1].y.pop_back();
  files.clear();
  EXPECT_THROW(physec::gnuplot_script(spec, dir / "out.png", dir / "data", files), physec::error);
}

TEST(plot, lines_with_intervals_use_error_lines) {
  const auto dir = std::filesystem::temp_directory_path() / "physec_test_plot_lines";
  std::filesystem::create_directories(dir);
  physec::plot_spec spec{"KDR", "SNR [dB]", "KDR", {{"A-B", {0, 10}, {0.4, 0.1}, {0.3, 0.05}, {0.5, 0.15}}}, true};
  std::vector<std::filesystem::path> files;
  const auto gp = physec::gnuplot_script(spec, dir / "out.png", dir / "data", files);
  EXPECT_NE(gp.find("using 1:2:3:4 with yerrorlines"), std::string::npos) << gp;
  EXPECT_NE(gp.find("set logscale y"), std::string::npos);
  EXPECT_EQ(slurp(files.at(0)), "0.0 0.4 0.3 0.5\n10.0 0.1 0.05 0.15\n");
  if (physec::gnuplot_available()) {
    physec::plot_png(spec, dir / "kdr.png");
    EXPECT_GT(std::filesystem::file_size(dir / "kdr.png"), 1000u);
  }
}

}  // namespace
