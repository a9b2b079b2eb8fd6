// Statistical tests of the SP 800-22 implementation on a seeded source (physec::rng_stream, xoshiro256**):
// over s sequences of n bits, the §4.2 criteria must hold as often as they should for a random source, and a
// biased source must fail the frequency test.
//
// Design (α = 0.01 per test, s = 200 sequences of n = 10^6 bits, the document's recommended length):
// - §4.2.1: the proportion of sequences passing must reach p̂ − 3·√(p̂(1 − p̂)/s) = 0.99 − 0.0211 = 0.9689, i.e. at
//   most 6 failures in 200 when the expected number is 2: a random source misses it with probability
//   q = P(Bin(200, 0.01) >= 7) ≈ 0.45%, per row.
// - The suite has R ≈ 190 rows (148 templates, 8 + 18 excursion states, …), so a few rows failing is expected of a
//   random source. The test asserts that the number of rows failing is within the 99.9% quantile of Bin(R, q)
//   (rows treated as independent), and that each of the 15 tests' headline rows passes (17 rows: probability of a
//   false alarm ≈ 17 · q ≈ 8%, fixed by the seed; a wrong implementation fails far more rows).
// - §4.2.2: P-value_T >= 0.0001 for every row (false alarm ≈ R · 10^-4 ≈ 2%).

#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <chrono>
#include <cstdio>
#include <vector>

#include "physec/core/rng.hpp"
#include "physec/randomness/suite.hpp"

namespace pr = physec::randomness;

namespace {

/// n bits from the stream, P(1) = p_one.
std::vector<std::uint8_t> source_bits(physec::rng_stream& rng, std::size_t n, double p_one = 0.5) {
  std::vector<std::uint8_t> bits(n);
  if (p_one == 0.5) {
    for (std::size_t i = 0; i < n; i += 64) {
      const std::uint64_t w = rng();
      for (std::size_t j = 0; j < 64 && i + j < n; ++j) bits[i + j] = static_cast<std::uint8_t>((w >> j) & 1u);
    }
  } else {
    for (auto& b : bits) b = rng.uniform() < p_one;
  }
  return bits;
}

/// Smallest k with P(Bin(trials, q) > k) <= tail.
std::size_t binomial_upper_quantile(std::size_t trials, double q, double tail) {
  boost::math::binomial_distribution<double> bin(static_cast<double>(trials), q);
  std::size_t k = 0;
  while (k < trials && boost::math::cdf(boost::math::complement(bin, static_cast<double>(k))) > tail) ++k;
  return k;
}

}  // namespace

TEST(nist_statistical, seeded_source_meets_section_4_2) {
  constexpr double alpha = 0.01;
  constexpr std::size_t nof_sequences = 200, n = 1000000;
  const auto t0 = std::chrono::steady_clock::now();
  physec::rng_stream root(20260513);
  pr::nist_config cfg;
  cfg.alpha = alpha;
  pr::suite_accumulator acc(alpha);
  for (std::size_t s = 0; s < nof_sequences; ++s) {
    auto rng = root.derive("nist/statistical").at(s);
    acc.add(pr::run_all_tests(source_bits(rng, n), cfg));
  }
  const pr::suite_report rep = acc.report(n);
  std::printf("%s", rep.final_analysis_report().c_str());
  std::printf("%zu x %zu bits in %.1f s\n", nof_sequences, n,
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());

  // Headline rows: one per test (two for cusum and serial).
  const std::pair<const char*, const char*> headline[] = {{"Frequency", ""},
                                                          {"BlockFrequency", ""},
                                                          {"CumulativeSums", "forward"},
                                                          {"CumulativeSums", "reverse"},
                                                          {"Runs", ""},
                                                          {"LongestRun", ""},
                                                          {"Rank", ""},
                                                          {"FFT", ""},
                                                          {"NonOverlappingTemplate", "000000001"},
                                                          {"OverlappingTemplate", ""},
                                                          {"Universal", ""},
                                                          {"ApproximateEntropy", ""},
                                                          {"RandomExcursions", "x=+1"},
                                                          {"RandomExcursionsVariant", "x=-1"},
                                                          {"Serial", "1"},
                                                          {"Serial", "2"},
                                                          {"LinearComplexity", ""}};
  for (const auto& [test, label] : headline) {
    const auto& row = rep.row(test, label);
    EXPECT_TRUE(row.proportion_ok()) << test << " " << label << ": " << row.nof_passed << "/" << row.nof_sequences;
    EXPECT_TRUE(row.uniformity_applicable) << test << " " << label;
    EXPECT_GE(row.p_value_uniformity, 0.0001) << test << " " << label;
  }

  // All rows: count of proportion failures against Bin(R, q_max), q_max over the rows' own sequence counts.
  double q_max = 0;
  std::size_t failing = 0;
  for (const auto& row : rep.rows) {
    const double allowed = static_cast<double>(row.nof_sequences) * (1 - row.proportion_low);  // failures allowed
    boost::math::binomial_distribution<double> bin(static_cast<double>(row.nof_sequences), alpha);
    q_max = std::max(q_max, boost::math::cdf(boost::math::complement(bin, std::floor(allowed))));
    failing += !row.proportion_ok();
    EXPECT_GE(row.p_value_uniformity, 0.0001) << row.test << " " << row.label;
  }
  const std::size_t bound = binomial_upper_quantile(rep.rows.size(), q_max, 1e-3);
  std::printf("rows %zu, failing the proportion %zu (bound %zu, q_max %.4f)\n", rep.rows.size(), failing, bound, q_max);
  EXPECT_LE(failing, bound);
  EXPECT_EQ(rep.rows.size(), 1 + 1 + 2 + 1 + 1 + 1 + 1 + 148 + 1 + 1 + 1 + 8 + 18 + 2 + 1u);
}

TEST(nist_statistical, biased_source_fails_frequency) {
  // p(1) = 0.51, n = 10^5: E[S_n] = 0.02 n = 2000, s_obs ≈ 2000/√n ≈ 6.3 standard deviations, so each sequence
  // has P-value ≈ 3·10^-10 < α and the proportion (≈ 0 of 20) is far below the interval.
  constexpr std::size_t nof_sequences = 20, n = 100000;
  physec::rng_stream root(20260514);
  pr::suite_accumulator acc(0.01);
  for (std::size_t s = 0; s < nof_sequences; ++s) {
    auto rng = root.derive("nist/biased").at(s);
    acc.add({pr::frequency_test(source_bits(rng, n, 0.51))});
  }
  const auto rep = acc.report(n);
  const auto& row = rep.row("Frequency");
  EXPECT_FALSE(row.proportion_ok()) << row.nof_passed << "/" << row.nof_sequences;
  EXPECT_LE(row.nof_passed, 2u);
}
