// The worked examples of NIST SP 800-22 rev1a §2.x.4 and §2.x.8, typed from the document with its printed values.
// P-values are printed to 6 decimals: agreement means |ours − printed| <= 0.5e-6. Where the document's printed
// P-value contradicts its own printed statistic, the statistic is checked and the discrepancy is stated (these
// errata are also reported by independent implementations of the suite).

#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <string>

#include "physec/randomness/nist_tests.hpp"

namespace pr = physec::randomness;

namespace {

constexpr double printed_6 = 0.5e-6 + 1e-12;  // half a unit in the 6th decimal
constexpr double printed_7 = 0.5e-7 + 1e-12;  // for values printed with 7 decimals
constexpr double printed_9 = 0.5e-9 + 1e-12;
constexpr double pi = 3.14159265358979323846;

// The 100-bit ε of §2.1.8, §2.2.8, §2.3.8, §2.6.8, §2.12.8 and §2.13.8.
const char* const eps_100 =
    "11001001000011111101101010100010001000010110100011"
    "00001000110100110001001100011001100010100010111000";

pr::test_result run(pr::test_result (*test)(pr::bit_view, const pr::nist_config&), const char* bits,
                    const pr::nist_config& cfg = {}) {
  const auto eps = pr::bits_from_string(bits);
  return test(eps, cfg);
}

}  // namespace

TEST(sp800_22_example, frequency_2_1_4) {
  const auto r = run(pr::frequency_test, "1011010101");
  EXPECT_EQ(r.statistic("S_n"), 2);
  EXPECT_NEAR(r.statistic("s_obs"), 0.632455532, printed_9);
  EXPECT_NEAR(r.p_values.at(0), 0.527089, printed_6);
  EXPECT_FALSE(r.recommendation_met);  // n = 10 < 100 (§2.1.7)
}

TEST(sp800_22_example, frequency_2_1_8) {
  const auto r = run(pr::frequency_test, eps_100);
  EXPECT_EQ(r.statistic("S_n"), -16);
  EXPECT_NEAR(r.statistic("s_obs"), 1.6, 1e-12);
  EXPECT_NEAR(r.p_values.at(0), 0.109599, printed_6);
  EXPECT_TRUE(r.recommendation_met);
}

TEST(sp800_22_example, block_frequency_2_2_4) {
  pr::nist_config cfg;
  cfg.block_frequency_M = 3;
  const auto r = run(pr::block_frequency_test, "0110011010", cfg);
  EXPECT_EQ(r.statistic("N"), 3);
  EXPECT_NEAR(r.statistic("chi2"), 1.0, 1e-12);
  EXPECT_NEAR(r.p_values.at(0), 0.801252, printed_6);
}

TEST(sp800_22_example, block_frequency_2_2_8) {
  pr::nist_config cfg;
  cfg.block_frequency_M = 10;
  const auto r = run(pr::block_frequency_test, eps_100, cfg);
  EXPECT_NEAR(r.statistic("chi2"), 7.2, 1e-12);
  EXPECT_NEAR(r.p_values.at(0), 0.706438, printed_6);
}

TEST(sp800_22_example, runs_2_3_4) {
  const auto r = run(pr::runs_test, "1001101011");
  EXPECT_NEAR(r.statistic("pi"), 0.6, 1e-12);
  EXPECT_EQ(r.statistic("V_n_obs"), 7);
  EXPECT_NEAR(r.p_values.at(0), 0.147232, printed_6);
}

TEST(sp800_22_example, runs_2_3_8) {
  const auto r = run(pr::runs_test, eps_100);
  EXPECT_NEAR(r.statistic("pi"), 0.42, 1e-12);
  EXPECT_EQ(r.statistic("V_n_obs"), 52);
  EXPECT_NEAR(r.p_values.at(0), 0.500798, printed_6);
}

TEST(sp800_22_example, runs_prerequisite_fails_gives_zero) {
  // §2.3.4 step 2: with π = 0.75, |π − 1/2| = 0.25 >= τ = 2/√100 = 0.2, the test is not run and P-value = 0.
  const auto r = run(pr::runs_test, (std::string(75, '1') + std::string(25, '0')).c_str());
  ASSERT_EQ(r.p_values.size(), 1u);
  EXPECT_EQ(r.p_values[0], 0.0);
  EXPECT_FALSE(r.skip_reason.empty());
}

TEST(sp800_22_example, longest_run_2_4_8) {
  const auto r = run(pr::longest_run_test,
                     "11001100000101010110110001001100111000000000001001"
                     "00110101010001000100111101011010000000110101111100"
                     "1100111001101101100010110010");
  EXPECT_EQ(r.statistic("M"), 8);
  // The printed P-value 0.180609 follows from the exact π of §3.4 (0.21484375, 0.3671875, 0.23046875, 0.1875),
  // which we use; the printed χ² = 4.882605 was computed with the 4-decimal π of §2.4.4 (0.2148, …) and gives
  // igamc(3/2, 4.882605/2) = 0.180598 instead (erratum), so the P-value is compared.
  EXPECT_NEAR(r.p_values.at(0), 0.180609, printed_6);
}

TEST(sp800_22_example, rank_2_5_4_matrix_counts) {
  // ε = 01011001001010101101, M = Q = 3: two matrices, of ranks 2 and 3 (§2.5.4 steps 1-3). The document's
  // P-value (0.741948, χ² = 0.596953) uses the 32 × 32 probabilities 0.2888/0.5776/0.1336 for 3 × 3 matrices,
  // not §3.5's formula for M = Q = 3 (which we use), so only the counts are compared.
  pr::nist_config cfg;
  cfg.rank_rows = cfg.rank_columns = 3;
  const auto r = run(pr::rank_test, "01011001001010101101", cfg);
  EXPECT_EQ(r.statistic("N"), 2);
  EXPECT_EQ(r.statistic("F_M"), 1);
  EXPECT_EQ(r.statistic("F_M-1"), 1);
}

TEST(sp800_22_example, rank_probabilities_3_5) {
  // §2.5.4 step 4 prints the 32 × 32 probabilities to 4 decimals: 0.2888, 0.5776, 0.1336.
  EXPECT_NEAR(pr::rank_probability(32, 32, 32), 0.2888, 0.5e-4);
  EXPECT_NEAR(pr::rank_probability(32, 32, 31), 0.5776, 0.5e-4);
  EXPECT_NEAR(1 - pr::rank_probability(32, 32, 32) - pr::rank_probability(32, 32, 31), 0.1336, 0.5e-4);
  // By hand for a full-rank 3 × 3 matrix over GF(2): (1 − 1/8)(1 − 2/8)(1 − 4/8) = 168/512.
  EXPECT_NEAR(pr::rank_probability(3, 3, 3), 168.0 / 512.0, 1e-15);
}

TEST(sp800_22_example, dft_2_6_8) {
  // The document prints N_1 = 46, d = −1.376494, P-value = 0.168669, which an exact DFT does not reproduce (nor
  // for §2.6.4, whose printed N_1 = 4 should be 5). N_0 is compared with the document; N_1 with a direct
  // O(n²) evaluation of |Σ_k x_k e^{−2πijk/n}| < T here, which gives 48, and d and P with §2.6.4 (7)-(8) on it.
  const auto r = run(pr::dft_test, eps_100);
  EXPECT_EQ(r.statistic("N_0"), 47.5);
  const auto eps = pr::bits_from_string(eps_100);
  const double n = 100, threshold = std::sqrt(std::log(1 / 0.05) * n);
  int n1 = 0;
  for (int j = 0; j < 50; ++j) {
    std::complex<double> s = 0;
    for (int k = 0; k < 100; ++k) s += (eps[k] ? 1.0 : -1.0) * std::polar(1.0, -2 * pi * j * k / n);
    n1 += std::abs(s) < threshold;
  }
  EXPECT_EQ(n1, 48);
  EXPECT_EQ(r.statistic("N_1"), n1);
  const double d = (n1 - 47.5) / std::sqrt(n * 0.95 * 0.05 / 4);
  EXPECT_NEAR(r.statistic("d"), d, 1e-12);
  EXPECT_NEAR(r.p_values.at(0), std::erfc(std::abs(d) / std::sqrt(2.0)), 1e-12);
}

TEST(sp800_22_example, non_overlapping_template_2_7_4) {
  pr::nist_config cfg;
  cfg.non_overlapping_m = 3;
  cfg.non_overlapping_N = 2;
  const auto r = run(pr::non_overlapping_template_test, "10100100101110010110", cfg);
  EXPECT_EQ(r.statistic("M"), 10);
  EXPECT_NEAR(r.statistic("mu"), 1.0, 1e-12);
  EXPECT_NEAR(r.statistic("sigma2"), 0.46875, 1e-12);
  EXPECT_NEAR(r.p_value("001"), 0.344154, printed_6);
}

TEST(sp800_22_example, aperiodic_templates_2_7) {
  // §2.7 / the reference suite's templates9 file: 148 aperiodic templates of length 9; for m = 2: 01, 10.
  EXPECT_EQ(pr::aperiodic_templates(9).size(), 148u);
  EXPECT_EQ(pr::aperiodic_templates(2), (std::vector<std::uint32_t>{0b01, 0b10}));
  EXPECT_EQ(pr::aperiodic_templates(3), (std::vector<std::uint32_t>{0b001, 0b011, 0b100, 0b110}));
  EXPECT_EQ(pr::aperiodic_templates(9).front(), 0b000000001u);
  EXPECT_EQ(pr::aperiodic_templates(9).back(), 0b111111110u);
}

TEST(sp800_22_example, universal_2_9_4) {
  // ε = 01011010011101010111, L = 2, Q = 4: K = 6, sum = 7.169925, f_n = 1.1949875. The document's P-value
  // (0.767189) takes σ = √variance(2) = √1.338, without the c·√(1/K) factor of its own step 5, so only the
  // statistic is compared.
  pr::nist_config cfg;
  cfg.universal_L = 2;
  cfg.universal_Q = 4;
  const auto r = run(pr::universal_test, "01011010011101010111", cfg);
  EXPECT_EQ(r.statistic("K"), 6);
  EXPECT_NEAR(r.statistic("sum"), 7.169925, printed_6);
  EXPECT_NEAR(r.statistic("f_n"), 1.1949875, printed_7);
}

TEST(sp800_22_example, linear_complexity_2_10_4) {
  // ε = 1101011110001 (one block, M = 13): L = 4, μ = 6.777222, T = 2.999444 → class ν_6.
  pr::nist_config cfg;
  cfg.linear_complexity_M = 13;
  const auto r = run(pr::linear_complexity_test, "1101011110001", cfg);
  EXPECT_NEAR(r.statistic("mu"), 6.777222, printed_6);
  EXPECT_EQ(r.statistic("nu_6"), 1);
}

TEST(sp800_22_example, serial_2_11_4) {
  pr::nist_config cfg;
  cfg.serial_m = 3;
  const auto r = run(pr::serial_test, "0011011101", cfg);
  EXPECT_NEAR(r.statistic("psi2_m"), 2.8, 1e-12);
  EXPECT_NEAR(r.statistic("psi2_m-1"), 1.2, 1e-12);
  EXPECT_NEAR(r.statistic("psi2_m-2"), 0.4, 1e-12);
  EXPECT_NEAR(r.statistic("del_psi2"), 1.6, 1e-12);
  EXPECT_NEAR(r.statistic("del2_psi2"), 0.8, 1e-12);
  EXPECT_NEAR(r.p_value("1"), 0.808792, printed_6);
  EXPECT_NEAR(r.p_value("2"), 0.670320, printed_6);
}

TEST(sp800_22_example, approximate_entropy_2_12_4) {
  // ε = 0100110101, m = 3. The document prints χ² = 0.502193 but P-value = 0.261961, which is igamc(4, χ²/2) for
  // χ² = 2n(ln 2 − ApEn) = 10.043859 (its printed χ² drops a factor of 20): the P-value is compared.
  pr::nist_config cfg;
  cfg.approximate_entropy_m = 3;
  const auto r = run(pr::approximate_entropy_test, "0100110101", cfg);
  EXPECT_NEAR(r.p_values.at(0), 0.261961, printed_6);
}

TEST(sp800_22_example, approximate_entropy_2_12_8) {
  pr::nist_config cfg;
  cfg.approximate_entropy_m = 2;
  const auto r = run(pr::approximate_entropy_test, eps_100, cfg);
  EXPECT_NEAR(r.statistic("ApEn"), 0.665393, printed_6);
  EXPECT_NEAR(r.statistic("chi2"), 5.550792, printed_6);
  EXPECT_NEAR(r.p_values.at(0), 0.235301, printed_6);
}

TEST(sp800_22_example, cumulative_sums_2_13_4) {
  const auto r = run(pr::cumulative_sums_test, "1011010111");
  EXPECT_EQ(r.statistic("z_forward"), 4);
  // Printed with 7 decimals as 0.4116588; the exact value of §2.13.4 (4) is 0.41165862 (a difference of 2 in the
  // 7th decimal, below any change of formula: the document's Φ evaluations), so 6 decimals are compared.
  EXPECT_NEAR(r.p_value("forward"), 0.411659, printed_6);
}

TEST(sp800_22_example, cumulative_sums_2_13_8) {
  const auto r = run(pr::cumulative_sums_test, eps_100);
  EXPECT_EQ(r.statistic("z_forward"), 16);
  EXPECT_EQ(r.statistic("z_reverse"), 19);
  EXPECT_NEAR(r.p_value("forward"), 0.219194, printed_6);
  EXPECT_NEAR(r.p_value("reverse"), 0.114866, printed_6);
}

TEST(sp800_22_example, random_excursions_2_14_4) {
  pr::nist_config cfg;
  cfg.excursions_min_cycles = 0;  // the example has J = 3 cycles, far below §2.14.7's 500
  const auto r = run(pr::random_excursions_test, "0110110101", cfg);
  EXPECT_EQ(r.statistic("J"), 3);
  EXPECT_FALSE(r.recommendation_met);
  // Cycles (−1), (1), (1 2 1 2 1 2): state +1 is visited 0, 1 and 3 times, ν = (1, 1, 0, 1, 0, 0). With the
  // exact π of §3.14 for x = 1 (1/2, 1/4, 1/8, 1/16, 1/32, 1/32), χ² = 1/6 + 1/12 + 3/8 + 169/48 + 3/32 + 3/32
  // = 13/3 by hand. The document prints χ² = 4.333033 and P-value = 0.502529: it used π_4 = π_5 = 0.0312 (the
  // 4-decimal table), not 0.03125, so the statistic is compared with the exact value.
  EXPECT_NEAR(r.statistic("chi2_x=+1"), 13.0 / 3.0, 1e-12);
}

TEST(sp800_22_example, random_excursions_skipped_below_500_cycles) {
  const auto r = run(pr::random_excursions_test, "0110110101");
  EXPECT_TRUE(r.skipped);
  EXPECT_TRUE(r.p_values.empty());
  EXPECT_NE(r.skip_reason.find("J = 3"), std::string::npos) << r.skip_reason;
}

TEST(sp800_22_example, random_excursions_variant_2_15_4) {
  pr::nist_config cfg;
  cfg.excursions_min_cycles = 0;
  const auto r = run(pr::random_excursions_variant_test, "0110110101", cfg);
  EXPECT_EQ(r.statistic("J"), 3);
  EXPECT_EQ(r.statistic("xi_x=+1"), 4);
  EXPECT_NEAR(r.p_value("x=+1"), 0.683091, printed_6);
}
