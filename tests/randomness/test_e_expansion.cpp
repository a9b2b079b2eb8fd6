// Regression: SP 800-22 rev1a on the first 10^6 bits of the binary expansion of e, against the document's worked
// examples on e (§2.5.8, §2.8.8, §2.10.8, §2.11.8, §2.14.8, §2.15.8) and its Appendix B table.
//
// The bits are computed here with MPFR. Convention (checked against the reference suite's data/data.e, whose
// first bits are 10101101111110000101…): the expansion starts with e's two integer bits, e = 10.1011011111…₂,
// so the sequence is floor(e · 2^(n−2)) written MSB first.

#include <gmp.h>
#include <mpfr.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "physec/randomness/nist_tests.hpp"

namespace pr = physec::randomness;

namespace {

/// The first n bits of e = 10.1011011111…₂ (integer bits included), MSB first.
std::vector<std::uint8_t> e_bits(std::size_t n) {
  mpfr_t e;
  mpfr_init2(e, static_cast<mpfr_prec_t>(n + 128));
  mpfr_set_ui(e, 1, MPFR_RNDN);
  mpfr_exp(e, e, MPFR_RNDN);                        // e, correctly rounded to n + 128 bits
  mpfr_mul_2ui(e, e, n - 2, MPFR_RNDN);             // e · 2^(n−2), exact
  mpz_t z;
  mpz_init(z);
  mpfr_get_z(z, e, MPFR_RNDZ);                      // floor: n bits, 2^(n−1) <= z < 2^n
  std::vector<std::uint8_t> bits(n);
  for (std::size_t i = 0; i < n; ++i) bits[i] = static_cast<std::uint8_t>(mpz_tstbit(z, n - 1 - i));
  mpz_clear(z);
  mpfr_clear(e);
  return bits;
}

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
