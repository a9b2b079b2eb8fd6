// NIST SP 800-90B §5 IID tests on binary samples: the statistics by hand, sequences that are not IID by construction
// (rejected), and i.i.d. bits (accepted at the false-rejection rate the spec's rules are designed for).
#include <gtest/gtest.h>

#include "physec/core/rng.hpp"
#include "physec/keygen/iid_tests.hpp"

namespace kg = physec::keygen;

namespace {

TEST(sp800_90b, statistics_of_a_short_sequence_by_hand) {
  // 11000000 11110000: mean 6/16; running sums minus (i+1)·0.375 peak at |6 - 12·0.375| = 1.5 (i = 11).
  // Conversion I: weights (2, 4): one increase -> 1 directional run of length 1, 1 increase.
  // Median 0.5 runs: 11 | 000000 | 1111 | 0000 -> 4 runs, longest 6. Conversion II: (192, 240), no repeat -> no
  // collision window (0, 0). Lag 1 on (2, 4): 0 equal pairs, covariance 2·4 = 8; longer lags have no pairs.
  const std::vector<std::uint8_t> b{1, 1, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 0, 0, 0, 0};
  const auto t = kg::iid_permutation_statistics(b);
  ASSERT_EQ(t.size(), 19u);
  EXPECT_DOUBLE_EQ(t[0], 1.5);
  EXPECT_EQ(t[1], 1);
  EXPECT_EQ(t[2], 1);
  EXPECT_EQ(t[3], 1);
  EXPECT_EQ(t[4], 4);
  EXPECT_EQ(t[5], 6);
  EXPECT_EQ(t[6], 0);
  EXPECT_EQ(t[7], 0);
  EXPECT_EQ(t[8], 0);
  EXPECT_EQ(t[13], 8);
  EXPECT_EQ(t[14], 0);
  EXPECT_GT(t[18], 0);
}

TEST(sp800_90b, rejects_a_periodic_sequence) {
  // Period 8: every Conversion-I weight is the same, so the lag statistics sit at their extreme for any shuffle.
  std::vector<std::uint8_t> b;
  for (int i = 0; i < 64; ++i)
    for (std::uint8_t x : {0, 0, 1, 0, 1, 1, 0, 1}) b.push_back(x);
  const auto r = kg::sp800_90b_iid_tests(b, 1, 10000);
  EXPECT_FALSE(r.iid) << r.verdict;
}

TEST(sp800_90b, rejects_a_strongly_correlated_sequence) {
  // A binary Markov chain that repeats its last bit with probability 0.9: runs are 10 bits long on average instead
  // of 2, so the number of median runs (~n/10) is far below every shuffle's (~n/2).
  auto rng = physec::rng_stream(5).derive("markov");
  std::vector<std::uint8_t> b{0};
  for (int i = 1; i < 512; ++i) b.push_back(rng.uniform() < 0.9 ? b.back() : static_cast<std::uint8_t>(1 - b.back()));
  const auto r = kg::sp800_90b_iid_tests(b, 2, 10000);
  EXPECT_FALSE(r.iid) << r.verdict;
  EXPECT_TRUE(r.permutation[4].reject);  // numRunsMedian
}

TEST(sp800_90b, accepts_iid_bits_at_the_designed_rate) {
  // Under IID each permutation statistic rejects with probability <= 2·6/10001 (its rank among 10001 exchangeable
  // values is uniform; ties only lower it) and each chi-square test with 0.001: <= 19·0.0012 + 0.002 = 0.025 per
  // sequence (union bound). 6 sequences of 384 fair bits: P(3 or more rejected) <= C(6,3)·0.025³ = 3e-4 = alpha.
  int rejected = 0;
  for (std::uint64_t s = 0; s < 6; ++s) {
    auto rng = physec::rng_stream(100 + s).derive("fair");
    std::vector<std::uint8_t> b(384);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng.uniform() < 0.5);
    rejected += !kg::sp800_90b_iid_tests(b, 1000 + s, 10000).iid;
  }
  EXPECT_LE(rejected, 2);
}

}  // namespace
