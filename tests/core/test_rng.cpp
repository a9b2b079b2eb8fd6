// Seeded RNG streams: reproducibility, independence of named streams, distribution moments.
#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "physec/core/rng.hpp"

namespace {

std::vector<std::uint64_t> draw(physec::rng_stream s, int n) {
  std::vector<std::uint64_t> v;
  for (int i = 0; i < n; ++i) v.push_back(s());
  return v;
}

TEST(rng, same_seed_same_numbers) {
  EXPECT_EQ(draw(physec::rng_stream(42).derive("channel/eve"), 100),
            draw(physec::rng_stream(42).derive("channel/eve"), 100));
  EXPECT_NE(draw(physec::rng_stream(42), 10), draw(physec::rng_stream(43), 10));
}

TEST(rng, mixers_match_published_vectors) {
  // SplitMix64: the first output of the reference splitmix64.c (Vigna) seeded with 0 is 0xe220a8397b1dcdaf.
  EXPECT_EQ(physec::splitmix64(0), 0xe220a8397b1dcdafULL);
  // FNV-1a 64 of "a" (published test vector of the FNV reference): 0xaf63dc4c8601ec8c.
  EXPECT_EQ(physec::fnv1a64("a"), 0xaf63dc4c8601ec8cULL);
  EXPECT_EQ(physec::fnv1a64(""), 0xcbf29ce484222325ULL);
}

TEST(rng, adding_a_consumer_does_not_shift_another) {
  const physec::rng_stream root(7);
  const auto bob_alone = draw(root.derive("channel/bob"), 50);
  // Another consumer draws heavily from its own stream first: bob's numbers are unchanged.
  auto eve = root.derive("channel/eve");
  for (int i = 0; i < 1000; ++i) eve();
  EXPECT_EQ(draw(root.derive("channel/bob"), 50), bob_alone);
}

TEST(rng, derived_streams_are_distinct) {
  const physec::rng_stream root(1);
  std::set<std::uint64_t> firsts;
  for (int i = 0; i < 1000; ++i) firsts.insert(root.at(static_cast<std::uint64_t>(i))());
  for (const char* n : {"a", "b", "channel", "channel/eve", "0", "1"}) firsts.insert(root.derive(n)());
  EXPECT_EQ(firsts.size(), 1006u);
  EXPECT_NE(root.derive("3").key(), root.at(3).key());
  EXPECT_EQ(root.derive("x").derive("y").key(), root.derive("x").derive("y").key());
  EXPECT_NE(root.derive("x").derive("y").key(), root.derive("y").derive("x").key());
}

TEST(rng, streams_are_uncorrelated) {
  // n = 100000 pairs from two named streams; under independence the sample correlation r has standard deviation
  // 1/sqrt(n) = 0.00316. With alpha = 1e-6 (two-sided z = 4.89) the bound is |r| < 0.0155.
  auto a = physec::rng_stream(5).derive("alice");
  auto b = physec::rng_stream(5).derive("bob");
  const int n = 100000;
  double sab = 0, saa = 0, sbb = 0;
  for (int i = 0; i < n; ++i) {
    const double x = a.normal(), y = b.normal();
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  EXPECT_LT(std::abs(sab / std::sqrt(saa * sbb)), 4.89 / std::sqrt(double(n)));
}

TEST(rng, normal_and_uniform_moments) {
  // n = 200000, alpha = 1e-6 (z = 4.89). Mean of N(0,1): sd 1/sqrt(n); variance estimate: sd sqrt(2/n).
  // Uniform mean 1/2 with sd sqrt(1/12/n).
  auto s = physec::rng_stream(11).derive("moments");
  const int n = 200000;
  const double z = 4.89;
  double m = 0, v = 0, u = 0;
  for (int i = 0; i < n; ++i) {
    const double x = s.normal();
    m += x;
    v += x * x;
    u += s.uniform();
  }
  m /= n;
  v = v / n - m * m;
  u /= n;
  EXPECT_LT(std::abs(m), z / std::sqrt(double(n)));
  EXPECT_LT(std::abs(v - 1.0), z * std::sqrt(2.0 / n));
  EXPECT_LT(std::abs(u - 0.5), z * std::sqrt(1.0 / 12.0 / n));
}

TEST(rng, complex_normal_power) {
  // E|z|^2 = variance; |z|^2 ~ variance * Exp(1), sd = variance/sqrt(n). n = 100000, alpha = 1e-6.
  auto s = physec::rng_stream(3).derive("cn");
  const int n = 100000;
  double p = 0;
  for (int i = 0; i < n; ++i) p += std::norm(s.complex_normal(2.0));
  EXPECT_LT(std::abs(p / n - 2.0), 4.89 * 2.0 / std::sqrt(double(n)));
}

TEST(rng, uniform_int_is_in_range_and_unbiased) {
  // chi-square over 6 bins, n = 60000; 5 dof, alpha = 1e-6 critical value 35.9 (chi2 table, 1 - 1e-6 quantile).
  auto s = physec::rng_stream(9).derive("dice");
  std::vector<int> count(6, 0);
  const int n = 60000;
  for (int i = 0; i < n; ++i) {
    const auto k = s.uniform_int(6);
    ASSERT_LT(k, 6u);
    ++count[k];
  }
  double chi2 = 0;
  for (int c : count) chi2 += (c - n / 6.0) * (c - n / 6.0) / (n / 6.0);
  EXPECT_LT(chi2, 35.9);
}

}  // namespace
