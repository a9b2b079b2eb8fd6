// Errors, strings, tables, progress lines, run report.
#include <gtest/gtest.h>

#include <filesystem>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/report.hpp"
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
