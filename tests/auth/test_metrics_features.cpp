// Unit tests of the metrics (hand-made prediction list) and of the feature extraction (hand-computed sequence).
#include <gtest/gtest.h>

#include <cmath>

#include "physec/auth/features.hpp"
#include "physec/auth/metrics.hpp"
#include "physec/core/error.hpp"

namespace pa = physec::auth;

// Ten decisions, 4 legal users (0-3) and spoofers 4, 5:
//   i      0 1 2 3 4 | 5 6 7 8 9
//   truth  0 0 1 2 3 | 4 4 5 5 5
//   pred   0 4 1 3 3 | 4 0 5 4 2
// correct: i = 0, 2, 4, 5, 7 -> accuracy 5/10.
// legal samples i = 0..4 (5); flagged as spoofer: i = 1 -> FAR = 1/5. (i = 3, legal 2 taken for legal 3, is no
// false alarm.) spoofer samples i = 5..9 (5); taken for legal: i = 6, 9 -> MDR = 2/5. (i = 8, spoofer 5 taken
// for spoofer 4, is no miss.)
TEST(metrics, confusion_far_and_mdr_of_a_hand_made_prediction_list) {
  const std::vector<int> truth = {0, 0, 1, 2, 3, 4, 4, 5, 5, 5};
  const std::vector<int> pred = {0, 4, 1, 3, 3, 4, 0, 5, 4, 2};
  EXPECT_DOUBLE_EQ(pa::accuracy(truth, pred), 0.5);
  const auto r = pa::spoofer_detection(truth, pred, 4);
  EXPECT_EQ(r.nof_legal, 5);
  EXPECT_EQ(r.nof_spoofer, 5);
  EXPECT_DOUBLE_EQ(r.far, 0.2);
  EXPECT_DOUBLE_EQ(r.mdr, 0.4);
  const auto c = pa::confusion_matrix(truth, pred, 6);
  const std::vector<std::vector<std::int64_t>> expected = {
      {1, 0, 0, 0, 1, 0}, {0, 1, 0, 0, 0, 0}, {0, 0, 0, 1, 0, 0},
      {0, 0, 0, 1, 0, 0}, {1, 0, 0, 0, 1, 0}, {0, 0, 1, 0, 1, 1}};
  EXPECT_EQ(c, expected);
  const auto t = pa::confusion_table(c);
  EXPECT_EQ(t.columns().size(), 7u);
  EXPECT_EQ(t.rows().size(), 6u);
  // With 5 legal users, label 4 counts as legal: spoofers are only the three 5s, two of them missed.
  const auto r5 = pa::spoofer_detection(truth, pred, 5);
  EXPECT_EQ(r5.nof_spoofer, 3);
  EXPECT_DOUBLE_EQ(r5.mdr, 2.0 / 3.0);
  EXPECT_DOUBLE_EQ(r5.far, 0.0);
}

TEST(metrics, rejects_bad_input_and_reports_nan_without_samples) {
  EXPECT_THROW(pa::accuracy({0, 1}, {0}), physec::error);
  EXPECT_THROW(pa::accuracy({}, {}), physec::error);
  try {
    pa::confusion_matrix({0, 1}, {0, 7}, 6);
    FAIL() << "no error";
  } catch (const physec::error& e) {
    EXPECT_EQ(e.where().field, "predicted");
    EXPECT_EQ(e.where().index, std::optional<std::size_t>(1));
  }
  EXPECT_TRUE(std::isnan(pa::spoofer_detection({0, 1}, {0, 1}).mdr));
}

// One sequence, D = 2, T = 4: dimension 0 = 1, 2, 3, 4; dimension 1 constant 5.
// Dimension 0: mean 2.5; deviations -1.5, -0.5, 0.5, 1.5; Σ dev² = 5, std = sqrt(5/4);
// lag-1: (-1.5)(-0.5) + (-0.5)(0.5) + (0.5)(1.5) = 1.25, r1 = 1.25 / 5 = 0.25; mean |Δx| = 1.
// Dimension 1: mean 5, std 0, r1 defined as 0, |Δx| 0.
TEST(features, sequence_statistics_of_a_hand_made_sequence) {
  const physec::ndarray<float> seq({1, 2, 4}, {1, 2, 3, 4, 5, 5, 5, 5});
  const auto f = pa::sequence_features(seq);
  ASSERT_EQ(f.shape, (physec::shape_t{1, 12}));
  ASSERT_EQ(pa::sequence_feature_names().size(), 6u);
  const std::vector<float> expected = {2.5f, static_cast<float>(std::sqrt(1.25)), 1, 4, 0.25f, 1, 5, 0, 5, 5, 0, 0};
  for (std::size_t j = 0; j < 12; ++j) EXPECT_FLOAT_EQ(f.data[j], expected[j]) << "column " << j;
  EXPECT_THROW(pa::sequence_features(physec::ndarray<float>({1, 2, 1})), physec::error);
}

TEST(features, per_sample_layout_keeps_each_transmitters_observations_consecutive) {
  // Two sequences, D = 2, T = 3.
  const physec::ndarray<float> seq({2, 2, 3}, {1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60});
  const auto v = pa::per_sample_vectors(seq);
  ASSERT_EQ(v.shape, (physec::shape_t{6, 2}));
  EXPECT_EQ(v.data, (std::vector<float>{1, 10, 2, 20, 3, 30, 4, 40, 5, 50, 6, 60}));
  EXPECT_EQ(pa::per_sample_labels({3, 5}, 3), (std::vector<int>{3, 3, 3, 5, 5, 5}));
}

TEST(features, scaler_standardises_with_training_statistics) {
  pa::feature_scaler s;
  s.fit(physec::ndarray<float>({4, 2}, {0, 7, 2, 7, 4, 7, 6, 7}));  // column 0: mean 3, std sqrt(5); column 1 constant
  const auto t = s.transform(physec::ndarray<float>({1, 2}, {3 + 2 * static_cast<float>(std::sqrt(5.0)), 8}));
  EXPECT_NEAR(t.data[0], 2.0f, 1e-6f);
  EXPECT_FLOAT_EQ(t.data[1], 1.0f);  // constant feature: centred only
  EXPECT_THROW(s.transform(physec::ndarray<float>({1, 3})), physec::error);
}
