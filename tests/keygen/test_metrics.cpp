// KDR with Clopper–Pearson intervals, entropy, PCA/DCT transforms: values typed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "physec/core/error.hpp"
#include "physec/keygen/features.hpp"
#include "physec/keygen/metrics.hpp"

namespace kg = physec::keygen;
using physec::ndarray;

namespace {

TEST(kdr, known_strings_and_exact_intervals) {
  const std::vector<std::uint8_t> a{1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
  std::vector<std::uint8_t> b = a;
  auto r = kg::key_disagreement(a, b);
  EXPECT_EQ(r.nof_mismatches, 0u);
  EXPECT_EQ(r.kdr, 0.0);
  // k = 0, n = 10, 95 %: upper = 1 - 0.025^(1/10) = 0.308497 (closed form of Clopper–Pearson at k = 0).
  EXPECT_NEAR(r.ci_high, 1.0 - std::pow(0.025, 0.1), 1e-9);
  EXPECT_NEAR(r.ci_high, 0.308497, 1e-6);
  EXPECT_EQ(r.ci_low, 0.0);
  b[9] = 1;
  r = kg::key_disagreement(a, b);
  EXPECT_EQ(r.kdr, 0.1);
  // k = 1, n = 10, 95 % Clopper–Pearson: [0.002529, 0.445016] (standard tables).
  EXPECT_NEAR(r.ci_low, 0.002529, 1e-6);
  EXPECT_NEAR(r.ci_high, 0.445016, 1e-6);
  EXPECT_THROW(kg::key_disagreement(a, {1, 0}), physec::error);
}

TEST(entropy, uniform_and_degenerate) {
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({4}, std::vector<int>{0, 1, 2, 3}), 4), 2.0);
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({4}, std::vector<int>{0, 0, 1, 1}), 4), 1.0);
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({3}, std::vector<int>{2, 2, -1}), 4), 0.0);
}

TEST(bound, secrecy_lower_bound) {
  EXPECT_DOUBLE_EQ(kg::secrecy_bound_bits(3.0, 1.0, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(kg::secrecy_bound_bits(1.0, 2.0, 3.0), 0.0);
  EXPECT_NEAR(kg::gaussian_mi_from_correlation(0.5), 0.2075187, 1e-7);  // -0.5 log2(0.75)
}

TEST(pca, exact_directions_and_explained_variance) {
  // Points (±3, 0), (0, ±1): covariance diag(6, 2/3) (n - 1 = 3); first direction e1, explains 6 / (20/3) = 0.9.
  ndarray<double> x({4, 2}, {3, 0, -3, 0, 0, 1, 0, -1});
  kg::pca p;
  p.fit(x, 1);
  EXPECT_NEAR(p.explained_variance(), 0.9, 1e-12);
  const auto y = p.transform(x);
  EXPECT_NEAR(y(0, 0), 3.0, 1e-12);
  EXPECT_NEAR(y(1, 0), -3.0, 1e-12);
  EXPECT_NEAR(y(2, 0), 0.0, 1e-12);
  EXPECT_THROW(p.transform(ndarray<double>({1, 3})), physec::error);
}

TEST(dct, orthonormal_dct2_of_known_vectors) {
  // Constant 1 over d = 4: X0 = sqrt(4) = 2, others 0. A pure cos(pi (2j+1) / 8) basis vector: X1 = sqrt(d/2).
  const std::size_t d = 4;
  ndarray<double> x({2, d});
  for (std::size_t j = 0; j < d; ++j) {
    x(0, j) = 1.0;
    x(1, j) = std::cos(M_PI * (2.0 * j + 1.0) / (2.0 * d));
  }
  const auto y = kg::dct_features(x, 4);
  EXPECT_NEAR(y(0, 0), 2.0, 1e-12);
  for (std::size_t k = 1; k < 4; ++k) EXPECT_NEAR(y(0, k), 0.0, 1e-12);
  EXPECT_NEAR(y(1, 1), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(y(1, 0), 0.0, 1e-12);
}

TEST(features, amplitude_and_real_imag) {
  ndarray<std::complex<float>> csi({1, 2}, {{3.0f, 4.0f}, {0.0f, -1.0f}});
  EXPECT_EQ(kg::csi_features(csi, "amplitude").data, (std::vector<double>{5.0, 1.0}));
  EXPECT_EQ(kg::csi_features(csi, "real_imag").data, (std::vector<double>{3.0, 4.0, 0.0, -1.0}));
  EXPECT_THROW(kg::csi_features(csi, "phase"), physec::error);
}

TEST(features, common_phase_is_removed_relative_phases_kept) {
  // Probe 0: (3+4j, 1j), reference = its first entry: s = 3+4j, conj(s)/|s| = (3-4j)/5 -> (5, (4+3j)/5).
  // Probe 1: probe 0 turned by 90° (an LO phase) -> the same output. Probe 2: a zero reference stays as it is.
  ndarray<std::complex<float>> csi({3, 2}, {{3.0f, 4.0f}, {0.0f, 1.0f}, {-4.0f, 3.0f}, {-1.0f, 0.0f}, {0.0f, 0.0f}, {2.0f, 0.0f}});
  const auto out = kg::align_common_phase(csi, 1);
  const std::vector<std::complex<float>> expected{{5.0f, 0.0f}, {0.8f, 0.6f}, {5.0f, 0.0f}, {0.8f, 0.6f}, {0.0f, 0.0f}, {2.0f, 0.0f}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(out.data[i].real(), expected[i].real(), 1e-6) << i;
    EXPECT_NEAR(out.data[i].imag(), expected[i].imag(), 1e-6) << i;
  }
  EXPECT_THROW(kg::align_common_phase(csi, 3), physec::error);
}

}  // namespace
