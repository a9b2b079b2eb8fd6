// UEA `.ts` reader: the two archive sets shipped in tests/data/uea (counts and values checked against awk on the
// raw files, see the comments), a hand-written file, and every rejection as a one-line error naming file and line.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "physec/dataset/uea.hpp"
#include "test_util.hpp"

namespace ds = physec::dataset;
using physec::testing::message_of;

namespace {

const std::filesystem::path k_uea = physec::testing::uea_dir();

const char* k_header =
    "# comment\n@problemName Toy\n@timeStamps false\n@missing false\n@univariate false\n@dimensions 2\n"
    "@equalLength true\n@seriesLength 3\n@classLabel true a b\n@data\n";

}  // namespace

TEST(Uea, ParsesHandWrittenFile) {
  const auto d = ds::parse_uea(std::string(k_header) + "1,2,3:4,5,6:b\n\n-1.5,0,2e-1:7,8,9:a\n", "toy.ts");
  EXPECT_EQ(d.problem_name, "Toy");
  ASSERT_EQ(d.series.shape, (physec::shape_t{2, 2, 3}));
  EXPECT_EQ(d.class_names, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{1, 0}));
  EXPECT_FLOAT_EQ(d.series(0, 1, 2), 6.0f);
  EXPECT_FLOAT_EQ(d.series(1, 0, 0), -1.5f);
  EXPECT_FLOAT_EQ(d.series(1, 0, 2), 0.2f);
}

TEST(Uea, ReadsBasicMotionsAndRacketSports) {
  // awk on the raw files: BasicMotions 40 + 40 cases, 10 per class; RacketSports 151 + 152 cases; first training
  // case of BasicMotions: label Standing, first value 0.079106, last value of dimension 6 -0.03196.
  const auto bm = ds::read_uea(k_uea / "BasicMotions_TRAIN.ts");
  ASSERT_EQ(bm.series.shape, (physec::shape_t{40, 6, 100}));
  EXPECT_EQ(bm.class_names, (std::vector<std::string>{"Standing", "Running", "Walking", "Badminton"}));
  EXPECT_EQ(bm.labels[0], 0);
  EXPECT_FLOAT_EQ(bm.series(0, 0, 0), 0.079106f);
  EXPECT_FLOAT_EQ(bm.series(0, 5, 99), -0.03196f);
  for (int c = 0; c < 4; ++c) EXPECT_EQ(std::count(bm.labels.begin(), bm.labels.end(), c), 10);
  const auto bt = ds::read_uea(k_uea / "BasicMotions_TEST.ts");
  EXPECT_EQ(bt.nof_cases(), 40u);
  ds::check_uea_compatible(bm, bt, "test");
  const auto rs = ds::read_uea(k_uea / "RacketSports_TRAIN.ts");
  EXPECT_EQ(rs.series.shape, (physec::shape_t{151, 6, 30}));
  EXPECT_EQ(ds::read_uea(k_uea / "RacketSports_TEST.ts").nof_cases(), 152u);
  EXPECT_NE(message_of([&] { ds::check_uea_compatible(bm, rs, "rs.ts"); }).find("rs.ts: series: shape differs"),
            std::string::npos);
}

TEST(Uea, RejectsBadFilesInOneLine) {
  const std::string h = k_header;
  auto msg = [](const std::string& text) { return message_of([&] { ds::parse_uea(text, "bad.ts"); }); };
  EXPECT_EQ(msg(h + "1,?,3:4,5,6:a\n"),
            "bad.ts:11: dimension 1 value 2: missing value (not supported: impute before reading) (expected a finite "
            "number, got ?)");
  EXPECT_EQ(msg(h + "1,2,3:4,5:a\n"),
            "bad.ts:11: dimension 2: unequal series length although the header declares one length (expected 3 "
            "values, got 2)");
  EXPECT_EQ(msg(h + "1,2,3:4,5,6:c\n"), "bad.ts:11: label: unknown class label (expected one of a b, got c)");
  EXPECT_EQ(msg(h + "1,2,3:a\n"), "bad.ts:11: case: dimension count differs from @dimensions (expected 2, got 1)");
  EXPECT_EQ(msg(h + "1,x,3:4,5,6:a\n"), "bad.ts:11: dimension 1 value 2: not a number (expected a finite number, got x)");
  EXPECT_EQ(msg(h), "bad.ts: @data: no cases (expected at least one case, got none)");
  EXPECT_EQ(msg("@classLabel true a b\n1,2:a\n"),
            "bad.ts:2: header: data before @data (expected '#', '@key value' or '@data', got 1,2:a)");
  EXPECT_EQ(msg("@seriesLength 3\n@classLabel true a b\n@data\n1,2,3:a\n1,2:a\n"),
            "bad.ts:5: dimension 1: unequal series length although the header declares one length (expected 3 "
            "values, got 2)");
  EXPECT_EQ(msg("@equalLength maybe\n"), "bad.ts:1: @equalLength: bad header value (expected true or false, got maybe)");
  EXPECT_EQ(msg("@classLabel true a b\n@data\n1,2:,:a\n"),
            "bad.ts:3: dimension 2 value 1: not a number (expected a finite number, got an empty field)");
  EXPECT_NE(message_of([] { ds::read_uea("/nonexistent.ts"); }).find("/nonexistent.ts: file not found"),
            std::string::npos);
}

TEST(Uea, PadsUnequalLengthsByHoldingTheLastValue) {
  // Hand-written: lengths 3 and 2 (case 1), 1 and 4 (case 2); the longest is 4, so every series ends at 4 steps,
  // its tail holding its own last value.
  const auto d = ds::parse_uea(
      "@problemName Ragged\n@dimensions 2\n@equalLength false\n@classLabel true a b\n@data\n1,2,3:4,5:a\n"
      "6:7,8,9,10:b\n",
      "ragged.ts");
  ASSERT_EQ(d.series.shape, (physec::shape_t{2, 2, 4}));
  const std::vector<float> want = {1, 2, 3, 3, 4, 5, 5, 5, 6, 6, 6, 6, 7, 8, 9, 10};
  EXPECT_EQ(std::vector<float>(d.series.ptr(), d.series.ptr() + 16), want);
  EXPECT_EQ(d.lengths, (std::vector<std::size_t>{3, 2, 1, 4}));
  EXPECT_EQ(d.labels, (std::vector<std::int32_t>{0, 1}));
  // A test file of 5 steps: both files end at 5 steps; a file already that long is unchanged.
  auto train = d;
  auto test = ds::parse_uea("@classLabel true a b\n@data\n1,2,3,4,5:0:a\n", "t.ts");
  ds::pad_uea_pair(train, test);
  ASSERT_EQ(train.series.shape, (physec::shape_t{2, 2, 5}));
  EXPECT_FLOAT_EQ(train.series(0, 0, 4), 3.0f);
  EXPECT_FLOAT_EQ(train.series(1, 1, 3), 10.0f);
  EXPECT_FLOAT_EQ(train.series(1, 1, 4), 10.0f);
  ASSERT_EQ(test.series.shape, (physec::shape_t{1, 2, 5}));
  EXPECT_FLOAT_EQ(test.series(0, 0, 4), 5.0f);
  EXPECT_FLOAT_EQ(test.series(0, 1, 4), 0.0f);  // "0": one value, held
  ds::check_uea_compatible(train, test, "t.ts");
}
