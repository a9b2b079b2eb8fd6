// Open-set spoofer detection (issue #19): AUROC, its standard error, thresholds and the Mahalanobis scorer on
// hand-computed cases and on Gaussians with a known AUROC.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "physec/auth/openset.hpp"
#include "physec/core/error.hpp"

namespace pa = physec::auth;

TEST(openset, auroc_by_hand_with_a_tie) {
  // Spoofer 4 beats 1, 2, 3 (3); spoofer 2 beats 1 (1), ties 2 (0.5), loses to 3: 4.5 of 6 pairs.
  EXPECT_DOUBLE_EQ(pa::auroc({1, 2, 3}, {2, 4}), 0.75);
  EXPECT_DOUBLE_EQ(pa::auroc({1, 2}, {3, 4}), 1.0);
  EXPECT_DOUBLE_EQ(pa::auroc({3, 4}, {1, 2}), 0.0);
  EXPECT_DOUBLE_EQ(pa::auroc({5, 5}, {5}), 0.5);
  EXPECT_THROW(pa::auroc({}, {1}), physec::error);
}

TEST(openset, hanley_mcneil_standard_error_by_hand) {
  // A = 0.75, 3 legal, 2 spoofers: Q1 = 0.6, Q2 = 0.642857; var = (0.1875 + 0.0375 + 2 · 0.080357) / 6.
  EXPECT_NEAR(pa::auroc_standard_error(0.75, 3, 2), std::sqrt(0.385714286 / 6), 1e-7);
}

TEST(openset, auroc_of_two_gaussians_is_phi_of_shift_over_root_two) {
  // Legal N(0, 1), spoofer N(1, 1): AUROC = Φ(1/√2) = 0.760250. 4000 each: Hanley-McNeil se ≈ 0.0053; 5 se.
  std::mt19937_64 gen(19);
  std::normal_distribution<double> n01(0.0, 1.0);
  std::vector<double> legal(4000), spoofer(4000);
  for (auto& v : legal) v = n01(gen);
  for (auto& v : spoofer) v = 1.0 + n01(gen);
  const double a = pa::auroc(legal, spoofer);
  EXPECT_NEAR(a, 0.5 * std::erfc(-0.5), 5 * pa::auroc_standard_error(a, 4000, 4000));
}

TEST(openset, threshold_from_validation_flags_at_most_the_target_share) {
  std::vector<double> legal;
  for (int i = 1; i <= 100; ++i) legal.push_back(i);
  const double t = pa::threshold_at_far(legal, 0.01);
  EXPECT_EQ(t, 99.0);  // only 100 lies above
  const auto r = pa::rates_at(legal, {50, 99, 100, 150}, t);
  EXPECT_DOUBLE_EQ(r.far, 0.01);
  EXPECT_DOUBLE_EQ(r.mdr, 0.5);  // 100 and 150 are flagged (> 99), 50 and 99 are missed
  EXPECT_LT(pa::threshold_at_far(legal, 1.0), 1.0);  // everything flagged
  // The ROC runs from "flag all" to "flag none".
  const auto roc = pa::roc_curve({1, 2}, {3});
  ASSERT_GE(roc.size(), 2u);
  EXPECT_EQ(roc.front().far, 1.0);
  EXPECT_EQ(roc.front().mdr, 0.0);
  EXPECT_EQ(roc.back().far, 0.0);
  EXPECT_EQ(roc.back().mdr, 1.0);
}

TEST(openset, mahalanobis_distance_to_the_nearest_legal_class_by_hand) {
  // 1-D: class 0 at {-1, 1} (mean 0), class 1 at {9, 11} (mean 10); pooled variance 1.
  physec::ndarray<float> x({4, 1});
  x.data = {-1, 1, 9, 11};
  pa::mahalanobis_scorer m(0.0);
  m.fit(x, {0, 0, 1, 1});
  physec::ndarray<float> q({3, 1});
  q.data = {0, 3, 5};
  const auto s = m.score(q);
  EXPECT_NEAR(s[0], 0.0, 1e-8);
  EXPECT_NEAR(s[1], 9.0, 1e-7);
  EXPECT_NEAR(s[2], 25.0, 1e-7);
}

TEST(openset, mahalanobis_flags_an_unseen_cluster_and_not_a_legal_lookalike) {
  // Three legal classes in 4-D; a spoofer cluster 4 sd away from all of them is found (AUROC near 1), a "spoofer"
  // drawn like legal class 0 is not (AUROC near 0.5: 400 vs 400, se ≈ 0.02; 5 se).
  std::mt19937_64 gen(23);
  std::normal_distribution<double> n01(0.0, 1.0);
  const std::vector<std::vector<double>> centre{{0, 0, 0, 0}, {3, 0, 0, 0}, {0, 3, 0, 0}, {0, 0, 4, 4}};
  auto draw = [&](int c, std::size_t n) {
    physec::ndarray<float> x({n, 4});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t k = 0; k < 4; ++k) x(i, k) = static_cast<float>(centre[c][k] + n01(gen));
    return x;
  };
  physec::ndarray<float> train({600, 4});
  std::vector<int> y;
  for (int c = 0; c < 3; ++c) {
    const auto part = draw(c, 200);
    std::copy(part.data.begin(), part.data.end(), train.data.begin() + c * 800);
    y.insert(y.end(), 200, c);
  }
  pa::mahalanobis_scorer m;
  m.fit(train, y);
  const auto legal = m.score(draw(0, 400));
  EXPECT_GT(pa::auroc(legal, m.score(draw(3, 400))), 0.99);
  const double lookalike = pa::auroc(legal, m.score(draw(0, 400)));
  EXPECT_NEAR(lookalike, 0.5, 5 * pa::auroc_standard_error(0.5, 400, 400));
  physec::ndarray<double> proba({1, 3});
  proba.data = {0.2, 0.7, 0.1};
  EXPECT_EQ(pa::max_probability_score(proba)[0], 1 - 0.7);
}
