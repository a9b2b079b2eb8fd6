// Unit tests of the suite-level analysis (SP 800-22 rev1a §4.2), input checks and configuration.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/randomness/read_bits.hpp"
#include "physec/randomness/suite.hpp"

namespace pr = physec::randomness;

TEST(nist_suite, proportion_interval_4_2_1) {
  // §4.2.1: α = 0.01, m = 1000 sequences: 0.99 ± 3·√(0.99·0.01/1000) = 0.99 ± 0.0094392 (printed 0.9806 … 0.9994).
  const auto [low, high] = pr::proportion_interval(0.01, 1000);
  EXPECT_NEAR(low, 0.9806, 0.5e-4);
  EXPECT_NEAR(high, 0.9994, 0.5e-4);
  // m = 100 by hand: 0.99 ± 3·√(0.0099/100) = 0.99 ± 0.029850 → lower end 0.960150.
  EXPECT_NEAR(pr::proportion_interval(0.01, 100).first, 0.960150, 1e-6);
}

TEST(nist_suite, uniformity_4_2_2_by_hand) {
  // Bin counts 12 8 9 11 10 10 9 11 12 8 over 100 P-values: χ² = (4+4+1+1+0+0+1+1+4+4)/10 = 2.0, and
  // P-value_T = igamc(9/2, 1) = 1 − γ(4.5, 1)/Γ(4.5) = 0.991468 (series of γ summed by hand to 6 terms).
  const int counts[10] = {12, 8, 9, 11, 10, 10, 9, 11, 12, 8};
  std::vector<double> p;
  for (int bin = 0; bin < 10; ++bin)
    for (int i = 0; i < counts[bin]; ++i) p.push_back(0.1 * bin + 0.05);
  EXPECT_NEAR(pr::uniformity_p_value(p), 0.991468, 2e-6);
  // All P-values in one bin: χ² = 9·m, P-value_T far below 0.0001.
  EXPECT_LT(pr::uniformity_p_value(std::vector<double>(100, 0.05)), 1e-4);
}

TEST(nist_suite, accumulator_rows_histogram_and_verdicts) {
  pr::suite_accumulator acc(0.01);
  pr::test_result r;
  r.name = "Frequency";
  r.p_values = {0.005};
  r.labels = {""};
  acc.add({r});  // one failure, in bin C1
  for (int i = 0; i < 99; ++i) {
    r.p_values = {0.01 * i + 0.005 + (i == 0 ? 0.5 : 0)};  // spread over the bins
    acc.add({r});
  }
  pr::test_result skipped;
  skipped.name = "RandomExcursions";
  skipped.skipped = true;
  acc.add({skipped});
  const auto rep = acc.report(1000);
  ASSERT_EQ(rep.rows.size(), 1u);
  const auto& row = rep.row("Frequency");
  EXPECT_EQ(row.nof_sequences, 100u);
  EXPECT_EQ(row.nof_passed, 99u);
  EXPECT_TRUE(row.proportion_ok());
  EXPECT_EQ(row.histogram[0], 10u);
  EXPECT_EQ(rep.skipped.at("RandomExcursions"), 1u);
  EXPECT_EQ(rep.nof_sequences, 101u);
  const auto t = rep.to_table();
  EXPECT_EQ(t.columns().at(2), "C1");
  EXPECT_EQ(t.rows().size(), 1u);
  const std::string text = rep.final_analysis_report();
  EXPECT_NE(text.find("C1  C2  C3"), std::string::npos);
  EXPECT_NE(text.find("99/100"), std::string::npos);
  EXPECT_THROW(rep.row("Rank"), physec::error);
  const auto j = rep.to_json();
  EXPECT_EQ(j.at("nof_sequences"), 101);
  EXPECT_EQ(j.at("rows").at(0).at("passed"), 99);
  EXPECT_EQ(j.at("skipped").at("RandomExcursions"), 1);
}

TEST(nist_suite, single_sequence_table) {
  const std::vector<std::uint8_t> bits(1000, 1);  // all ones: frequency P-value ≈ 0
  const auto results = pr::run_all_tests(bits);
  const auto t = pr::single_sequence_table(results, 0.01);
  ASSERT_FALSE(t.rows().empty());
  EXPECT_EQ(std::get<std::string>(t.rows()[0][0]), "Frequency");
  EXPECT_EQ(std::get<std::string>(t.rows()[0][3]), "FAIL");
  bool any_skipped = false;
  for (const auto& row : t.rows()) any_skipped = any_skipped || std::get<std::string>(row[3]) == "skipped";
  EXPECT_TRUE(any_skipped);  // universal (n < 387,840) and the excursion tests (J < 500)
}

TEST(nist_suite, run_suite_checks_length) {
  const std::vector<std::uint8_t> bits(1000, 1);
  EXPECT_THROW(pr::run_suite(bits, 1000, 2), physec::error);
}

TEST(nist_suite, all_fifteen_tests_in_reference_order) {
  const auto& tests = pr::all_tests();
  ASSERT_EQ(tests.size(), 15u);
  EXPECT_EQ(tests.front().name, "Frequency");
  EXPECT_EQ(tests.back().name, "LinearComplexity");
  const std::vector<std::uint8_t> bits(200, 0);
  for (const auto& t : tests) {
    const auto r = t.run(bits, {});
    EXPECT_EQ(r.name, t.name);
    EXPECT_TRUE(r.skipped || !r.p_values.empty()) << t.name;
    if (r.skipped) {
      EXPECT_FALSE(r.skip_reason.empty()) << t.name;
    }
  }
}

TEST(nist_input, bad_bits_rejected_with_index) {
  const std::vector<std::uint8_t> bits = {0, 1, 2, 1};
  try {
    pr::frequency_test(bits);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().index, 2u);
    EXPECT_EQ(e.where().field, "Frequency");
  }
  EXPECT_THROW(pr::bits_from_string("01x1"), physec::error);
  EXPECT_EQ(pr::bits_from_string("0 1\n1\t0"), (std::vector<std::uint8_t>{0, 1, 1, 0}));
}

TEST(nist_input, bad_parameters_rejected) {
  const std::vector<std::uint8_t> bits(1000, 1);
  pr::nist_config cfg;
  cfg.longest_run_M = 100;  // not in the table of §2.4.2
  EXPECT_THROW(pr::longest_run_test(bits, cfg), physec::error);
  pr::nist_config out_of_range;
  out_of_range.serial_m = 40;
  EXPECT_THROW(physec::config::validate(out_of_range), physec::error);
  pr::nist_config defaults;
  EXPECT_NO_THROW(physec::config::validate(defaults));
  EXPECT_NE(physec::config::show(defaults, "nist").find("SP 800-22 rev1a §2.2.7"), std::string::npos);
}

TEST(nist_input, short_sequences_skipped_with_reason) {
  const std::vector<std::uint8_t> bits(100, 1);
  EXPECT_TRUE(pr::universal_test(bits).skipped);
  EXPECT_TRUE(pr::rank_test(bits).skipped);
  EXPECT_TRUE(pr::longest_run_test(std::vector<std::uint8_t>(127, 1)).skipped);
  const auto r = pr::linear_complexity_test(std::vector<std::uint8_t>(600, 1));
  EXPECT_FALSE(r.skipped);
  EXPECT_FALSE(r.recommendation_met);
}

namespace {

/// A fresh path in the test's temporary folder.
std::filesystem::path temp_path(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() / ("physec_randomness_" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  return dir / name;
}

}  // namespace

TEST(nist_read_bits, binary_msb_first) {
  const auto path = temp_path("bits.bin");
  physec::write_file_atomic(path, std::string("\xA5\x01", 2));
  const auto f = pr::read_bits(path, pr::bit_format::binary);
  EXPECT_EQ(f.bits, pr::bits_from_string("10100101 00000001"));
  EXPECT_EQ(pr::read_bits(path, pr::bit_format::binary, {"/keys", 3}).bits, pr::bits_from_string("101"));
  EXPECT_EQ(pr::read_bits(path, pr::bit_format::automatic).format, pr::bit_format::binary);
}

TEST(nist_read_bits, ascii_ignores_whitespace_and_names_bad_character) {
  const auto path = temp_path("bits.txt");
  physec::write_file_atomic(path, "0110\n 1 0\r\n");
  EXPECT_EQ(pr::read_bits(path, pr::bit_format::ascii).bits, pr::bits_from_string("011010"));
  EXPECT_EQ(pr::read_bits(path, pr::bit_format::automatic).format, pr::bit_format::ascii);
  physec::write_file_atomic(path, "01102");
  try {
    pr::read_bits(path, pr::bit_format::ascii);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().file, path.string());
    EXPECT_EQ(e.where().index, 4u);
  }
  EXPECT_THROW(pr::read_bits(temp_path("missing.txt"), pr::bit_format::ascii), physec::error);
  EXPECT_THROW(pr::parse_bit_format("raw"), physec::error);
  EXPECT_EQ(pr::parse_bit_format("hdf5"), pr::bit_format::hdf5);
}

TEST(nist_read_bits, hdf5_key_set) {
  const auto path = temp_path("keys.h5");
  {
    physec::h5::writer w(path);
    const std::vector<std::uint8_t> keys = {1, 0, 1, 1, 0, 0, 1, 0};
    w.write<std::uint8_t>("/keys", {2, 4}, keys.data());
    const std::vector<std::uint8_t> bad = {0, 1, 7};
    w.write<std::uint8_t>("/bad", {3}, bad.data());
    const std::vector<double> reals = {0.5};
    w.write<double>("/reals", {1}, reals.data());
    w.commit();
  }
  const auto f = pr::read_bits(path, pr::bit_format::automatic);
  EXPECT_EQ(f.format, pr::bit_format::hdf5);
  EXPECT_EQ(f.bits, pr::bits_from_string("1011 0010"));
  EXPECT_EQ(f.row_length, 4u);
  try {
    pr::read_bits(path, pr::bit_format::hdf5, {"/bad", 0});
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "/bad");
    EXPECT_EQ(e.where().index, 2u);
  }
  EXPECT_THROW(pr::read_bits(path, pr::bit_format::hdf5, {"/reals", 0}), physec::error);
  EXPECT_THROW(pr::read_bits(path, pr::bit_format::hdf5, {"/absent", 0}), physec::error);
}
