// Regression: SP 800-22 rev1a on the first 10^6 bits of the binary expansion of e, against the document's worked
// examples on e (§2.5.8, §2.8.8, §2.10.8, §2.11.8, §2.14.8, §2.15.8) and its Appendix B table.
//
// The bits are computed here with MPFR. Convention (checked against the reference suite's data/data.e, whose
// first bits are 10101101111110000101…): the expansion starts with e's two integer bits, e = 10.1011011111…₂,
// so the sequence is floor(e · 2^(n−2)) written MSB first.

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "e_expansion.hpp"
#include "physec/randomness/nist_tests.hpp"

namespace pr = physec::randomness;

namespace {

using physec::testing::e_bits;

const std::vector<std::uint8_t>& e_million() {
  static const std::vector<std::uint8_t> bits = e_bits(1000000);
  return bits;
}

// The document prints P-values to 6 decimals: agreement means |ours − printed| <= 0.5e-6 (+ rounding slack).
constexpr double printed_6 = 0.5e-6 + 1e-12;

}  // namespace

TEST(e_expansion, first_bits_match_reference_data_file) {
  // First 64 bits of the reference suite's data/data.e, typed from that file.
  const auto expected = pr::bits_from_string("1010110111111000010101000101100010100010101110110100101010011010");
  const auto& e = e_million();
  ASSERT_EQ(e.size(), 1000000u);
  EXPECT_EQ(std::vector<std::uint8_t>(e.begin(), e.begin() + 64), expected);
}

// SP 800-22 rev1a Appendix B, "2. The binary expansion of e" (n = 10^6; parameters as printed there:
// block frequency M = 128, templates m = 9, universal L = 7 and Q = 1280 (from n), linear complexity M = 500,
// serial m = 16, approximate entropy m = 10). The expected values are typed from the document.
TEST(e_expansion, appendix_b) {
  const pr::bit_view e = e_million();
  const pr::nist_config cfg;
  const auto cusum = pr::cumulative_sums_test(e, cfg);
  const auto serial = pr::serial_test(e, cfg);
  const struct {
    const char* test;
    double ours, printed;
  } rows[] = {
      {"Frequency", pr::frequency_test(e, cfg).p_values.at(0), 0.953749},
      {"BlockFrequency (M=128)", pr::block_frequency_test(e, cfg).p_values.at(0), 0.211072},
      {"CumulativeSums forward", cusum.p_value("forward"), 0.669886},
      {"CumulativeSums reverse", cusum.p_value("reverse"), 0.724265},
      {"Runs", pr::runs_test(e, cfg).p_values.at(0), 0.561917},
      {"LongestRun", pr::longest_run_test(e, cfg).p_values.at(0), 0.718945},
      {"Rank", pr::rank_test(e, cfg).p_values.at(0), 0.306156},
      {"FFT", pr::dft_test(e, cfg).p_values.at(0), 0.847187},
      {"NonOverlappingTemplate (000000001)", pr::non_overlapping_template_test(e, cfg).p_value("000000001"), 0.078790},
      {"OverlappingTemplate (m=9)", pr::overlapping_template_test(e, cfg).p_values.at(0), 0.110434},
      {"Universal", pr::universal_test(e, cfg).p_values.at(0), 0.282568},
      {"ApproximateEntropy (m=10)", pr::approximate_entropy_test(e, cfg).p_values.at(0), 0.700073},
      {"RandomExcursions (x=+1)", pr::random_excursions_test(e, cfg).p_value("x=+1"), 0.786868},
      {"RandomExcursionsVariant (x=-1)", pr::random_excursions_variant_test(e, cfg).p_value("x=-1"), 0.826009},
      {"LinearComplexity (M=500)", pr::linear_complexity_test(e, cfg).p_values.at(0), 0.826335},
      {"Serial (m=16) P1", serial.p_value("1"), 0.766182},
      {"Serial (m=16) P2", serial.p_value("2"), 0.462921},
  };
  for (const auto& r : rows) {
    std::printf("%-36s ours %.9f  Appendix B %.6f\n", r.test, r.ours, r.printed);
    EXPECT_NEAR(r.ours, r.printed, printed_6) << r.test;
  }
}

// §2.5.8: the first 100,000 bits of e, M = Q = 32.
TEST(e_expansion, rank_2_5_8) {
  const pr::bit_view e = pr::bit_view(e_million()).sub(0, 100000);
  const auto r = pr::rank_test(e);
  EXPECT_EQ(r.statistic("N"), 97);
  EXPECT_EQ(r.statistic("F_M"), 23);
  EXPECT_EQ(r.statistic("F_M-1"), 60);
  EXPECT_NEAR(r.statistic("chi2"), 1.2619656, 0.5e-7);
  EXPECT_NEAR(r.p_values.at(0), 0.532069, printed_6);
}

// §2.8.8: m = 9, M = 1032, N = 968.
TEST(e_expansion, overlapping_template_2_8_8) {
  const auto r = pr::overlapping_template_test(e_million());
  const double nu[] = {329, 164, 150, 111, 78, 136};
  for (int i = 0; i < 6; ++i) EXPECT_EQ(r.statistic("nu_" + std::to_string(i)), nu[i]) << i;
  EXPECT_NEAR(r.statistic("chi2"), 8.965859, printed_6);
  EXPECT_NEAR(r.p_values.at(0), 0.110434, printed_6);
}

// The corrected probabilities of §3.8 (reference_probabilities = false) change the §2.8.8 statistic: the document's
// example and Appendix B used the compound-Poisson values. Same counts; a different (lower) χ².
TEST(e_expansion, overlapping_template_corrected_probabilities_differ) {
  pr::nist_config text;
  text.reference_probabilities = false;
  const auto r = pr::overlapping_template_test(e_million(), text);
  EXPECT_EQ(r.statistic("nu_0"), 329);
  EXPECT_GT(std::abs(r.statistic("chi2") - 8.965859), 0.5);
}

// §2.10.8: M = 1000, N = 1000.
TEST(e_expansion, linear_complexity_2_10_8) {
  pr::nist_config cfg;
  cfg.linear_complexity_M = 1000;
  const auto r = pr::linear_complexity_test(e_million(), cfg);
  const double nu[] = {11, 31, 116, 501, 258, 57, 26};
  for (int i = 0; i < 7; ++i) EXPECT_EQ(r.statistic("nu_" + std::to_string(i)), nu[i]) << i;
  EXPECT_NEAR(r.statistic("chi2"), 2.700348, printed_6);
  EXPECT_NEAR(r.p_values.at(0), 0.845406, printed_6);
}

// §2.11.8: m = 2.
TEST(e_expansion, serial_2_11_8) {
  pr::nist_config cfg;
  cfg.serial_m = 2;
  const auto r = pr::serial_test(e_million(), cfg);
  EXPECT_NEAR(r.statistic("del_psi2"), 0.339764, printed_6);
  EXPECT_NEAR(r.statistic("del2_psi2"), 0.336400, printed_6);
  EXPECT_NEAR(r.p_value("1"), 0.843764, printed_6);
  EXPECT_NEAR(r.p_value("2"), 0.561915, printed_6);
}

// §2.14.8: J = 1490. The document's §2.14.8 rows for the positive states (x = +1 … +4: P = 0.778616, 0.365752,
// 0.790853, 0.792378) contradict its own Appendix B (x = +1: 0.786868) and the reference implementation, so the
// negative states are compared with §2.14.8 here and x = +1 with Appendix B (test appendix_b).
TEST(e_expansion, random_excursions_2_14_8) {
  const auto r = pr::random_excursions_test(e_million());
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.statistic("J"), 1490);
  const struct {
    const char* x;
    double chi2, p;
  } rows[] = {{"x=-4", 3.835698, 0.573306},
              {"x=-3", 7.318707, 0.197996},
              {"x=-2", 7.861927, 0.164011},
              {"x=-1", 15.692617, 0.007779}};
  for (const auto& row : rows) {
    EXPECT_NEAR(r.statistic(std::string("chi2_") + row.x), row.chi2, printed_6) << row.x;
    EXPECT_NEAR(r.p_value(row.x), row.p, printed_6) << row.x;
  }
  for (std::size_t i = 0; i < r.p_values.size(); ++i) std::printf("%s P = %.6f\n", r.labels[i].c_str(), r.p_values[i]);
}

// §2.15.8: J = 1490, ξ(x) and P-values for x = −9 … +9.
TEST(e_expansion, random_excursions_variant_2_15_8) {
  const auto r = pr::random_excursions_variant_test(e_million());
  ASSERT_FALSE(r.skipped) << r.skip_reason;
  EXPECT_EQ(r.statistic("J"), 1490);
  const int states[] = {-9, -8, -7, -6, -5, -4, -3, -2, -1, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  const double xi[] = {1450, 1435, 1380, 1366, 1412, 1475, 1480, 1468, 1502,
                       1409, 1369, 1396, 1479, 1599, 1628, 1619, 1620, 1610};
  const double p[] = {0.858946, 0.794755, 0.576249, 0.493417, 0.633873, 0.917283, 0.934708, 0.816012, 0.826009,
                      0.137861, 0.200642, 0.441254, 0.939291, 0.505683, 0.445935, 0.512207, 0.538635, 0.593930};
  for (int i = 0; i < 18; ++i) {
    const std::string label = std::string("x=") + (states[i] > 0 ? "+" : "") + std::to_string(states[i]);
    EXPECT_EQ(r.statistic("xi_" + label), xi[i]) << label;
    EXPECT_NEAR(r.p_value(label), p[i], printed_6) << label;
  }
}
