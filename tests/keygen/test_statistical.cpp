// Statistical checks of the quantile quantizer and the mutual-information estimator (alpha and n stated).
#include <gtest/gtest.h>

#include <cmath>

#include "physec/core/rng.hpp"
#include "physec/keygen/metrics.hpp"
#include "physec/keygen/quantizer.hpp"

namespace kg = physec::keygen;
using physec::ndarray;

namespace {

TEST(quantile, equiprobable_on_fresh_data_from_the_same_law) {
  // Fit on n_fit = 4000 N(0,1) values, quantize n = 40000 fresh ones, m = 2 (p = 1/4 per level).
  // The level frequency deviates from 1/4 by sampling (sd sqrt(p(1-p)/n)) plus the error of the two fitted
  // thresholds bounding it (each moves its CDF value by sd sqrt(q(1-q)/n_fit) <= 0.5/sqrt(n_fit)).
  // alpha = 1e-4 per level, Bonferroni over 4 levels: z = 3.89.
  const std::size_t n_fit = 4000, n = 40000;
  auto rng = physec::rng_stream(21).derive("fresh");
  ndarray<double> fit({n_fit, 1}), fresh({n, 1});
  for (auto& v : fit.data) v = rng.normal();
  for (auto& v : fresh.data) v = rng.normal();
  kg::quantile_quantizer q(2, true);
  q.fit(fit);
  const auto lv = q.levels(fresh);
  std::vector<double> count(4, 0);
  for (int l : lv.data) count[static_cast<std::size_t>(l)] += 1;
  const double z = 3.89, p = 0.25;
  const double tol = z * (std::sqrt(p * (1 - p) / n) + 2 * 0.5 / std::sqrt(double(n_fit)));
  for (double c : count) EXPECT_NEAR(c / n, p, tol);
}

TEST(gaussian_mi, recovers_known_correlations) {
  // Three independent pairs (a_k, b_k) with correlations 0.9, 0.5, 0: true I = sum of -1/2 log2(1 - rho^2).
  // Tolerance: per pair, Fisher z = atanh(rho_hat) ~ N(atanh rho, 1/(n-3)); with alpha = 1e-4 split over 3 pairs
  // (z = 4.15) the estimate lies in [log2 cosh(z0 - d), log2 cosh(z0 + d)], d = 4.15/sqrt(n-3), summed over pairs;
  // plus the positive small-sample bias of the joint estimator, at most d_a d_b / (2 n ln 2) bits, allowed twice.
  const std::size_t n = 20000;
  const double rho[] = {0.9, 0.5, 0.0};
  auto rng = physec::rng_stream(5).derive("mi");
  ndarray<double> a({n, 3}), b({n, 3});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t k = 0; k < 3; ++k) {
      const double x = rng.normal(), e = rng.normal();
      a(i, k) = x;
      b(i, k) = rho[k] * x + std::sqrt(1 - rho[k] * rho[k]) * e;
    }
  const double est = kg::gaussian_mi_bits(a, b);
  const double d = 4.15 / std::sqrt(double(n) - 3);
  double lo = 0, hi = 0, truth = 0;
  for (double r : rho) {
    const double z0 = std::atanh(r);
    truth += kg::gaussian_mi_from_correlation(r);
    lo += std::log2(std::cosh(std::max(0.0, std::abs(z0) - d)));
    hi += std::log2(std::cosh(std::abs(z0) + d));
  }
  hi += 2 * 9.0 / (2 * n * std::log(2.0));
  EXPECT_GT(est, lo) << "truth " << truth;
  EXPECT_LT(est, hi) << "truth " << truth;
  EXPECT_NEAR(truth, 1.197964 + 0.207519, 1e-6);  // -1/2 log2(0.19) + -1/2 log2(0.75), by hand
}

}  // namespace
