// The evaluator on synthetic wiretap data with known answers.
#include <gtest/gtest.h>

#include <boost/math/distributions/chi_squared.hpp>
#include <cmath>

#include "physec/keygen/evaluate.hpp"
#include "wiretap_fixture.hpp"

namespace kg = physec::keygen;

namespace {

TEST(evaluate, identical_measurements_agree_and_independent_eve_is_a_coin) {
  // Noise-free: Alice == Bob exactly -> KDR(A,B) = 0. Eve independent (rho = 0): each of her bits agrees with
  // probability 1/2. n_bits per SNR group = 400 test probes x 16 features; alpha = 1e-6 (z = 4.89):
  // |KDR(A,E) - 0.5| < 4.89 * 0.5 / sqrt(n_bits) (bits of one probe are independent here by construction).
  const auto d = physec::testing::synthetic_wiretap(2000, 0.0, {0.0}, 11);
  kg::eval_config cfg;
  const auto r = kg::evaluate_wiretap(d, cfg, 1);
  ASSERT_EQ(r.rows.size(), 2u);  // SNR 10 and 20, one Eve position
  for (const auto& row : r.rows) {
    EXPECT_EQ(row.ab.nof_mismatches, 0u);
    EXPECT_EQ(row.bits_per_probe, 8.0);  // 1 antenna pair x 8 subcarriers x the first symbol, 1 bit each
    const double n_bits = static_cast<double>(row.ae.nof_bits);
    EXPECT_LT(std::abs(row.ae.kdr - 0.5), 4.89 * 0.5 / std::sqrt(n_bits));
    EXPECT_NEAR(row.entropy_bits, 1.0, 0.01);
    // Independent Eve: 2 n ln2 (I_raw) ~ chi2(d^2) (Bartlett), d = 8, n = 400 probes; the corrected estimate
    // subtracts the mean d^2/(2 n ln 2), so it stays below (chi2_{64, 1-1e-6} - 64) / (2 n ln 2).
    const double n = static_cast<double>(row.nof_probes);
    const double q = boost::math::quantile(boost::math::chi_squared(64), 1 - 1e-6);
    EXPECT_LT(row.mi_ae, (q - 64) / (2 * n * std::log(2.0)));
    EXPECT_GT(row.mi_ab, 5.0);  // noise-free: large (limited only by float32 rounding and the ridge)
  }
}

TEST(evaluate, eve_with_the_same_channel_matches_bob) {
  // Eve sees exactly the common channel (rho = 1) with the same noise as Bob: KDR(A,E) and KDR(A,B) estimate the
  // same probability. Two proportions of n bits each: |p1 - p2| < z sqrt(2 p (1-p) / n), alpha = 1e-6 (z = 4.89).
  const auto d = physec::testing::synthetic_wiretap(2000, 0.1, {1.0}, 12);
  kg::eval_config cfg;
  cfg.quantizer.bits = 2;
  const auto r = kg::evaluate_wiretap(d, cfg, 1);
  for (const auto& row : r.rows) {
    const double p = row.ab.kdr, n = static_cast<double>(row.ab.nof_bits);
    EXPECT_GT(p, 0.01);
    EXPECT_LT(std::abs(row.ae.kdr - p), 4.89 * std::sqrt(2 * p * (1 - p) / n)) << "snr " << row.snr_dB;
    EXPECT_LT(row.bound, 0.1 * row.mi_ab + 0.1);  // Eve knows as much as Bob: (almost) nothing secret
    EXPECT_LT(row.bound, row.mi_ab);
  }
}

TEST(evaluate, pca_and_dct_reduce_the_features) {
  const auto d = physec::testing::synthetic_wiretap(1000, 0.05, {0.0, 0.5}, 13);
  kg::eval_config cfg;
  cfg.features.method = "pca";
  cfg.features.nof_components = 4;
  auto r = kg::evaluate_wiretap(d, cfg, 1);
  EXPECT_EQ(r.nof_features, 4u);
  EXPECT_EQ(r.rows.size(), 4u);
  EXPECT_EQ(r.rows[0].bits_per_probe, 4.0);
  cfg.features.method = "dct";
  cfg.features.nof_components = 3;
  cfg.features.symbols = "all";  // 2 symbols x 3 coefficients
  r = kg::evaluate_wiretap(d, cfg, 1);
  EXPECT_EQ(r.nof_features, 6u);
  EXPECT_LT(r.rows[0].ab.kdr, r.rows[0].ae.kdr);
  const auto t = r.to_table();
  EXPECT_EQ(t.rows().size(), 4u);
}

TEST(evaluate, guard_band_drops_are_public) {
  const auto d = physec::testing::synthetic_wiretap(1000, 0.1, {0.0}, 14);
  kg::eval_config cfg;
  cfg.quantizer.method = "guard";
  cfg.quantizer.guard_alpha = 0.3;
  const auto r = kg::evaluate_wiretap(d, cfg, 1);
  for (const auto& row : r.rows) {
    EXPECT_LT(row.bits_per_probe, 16.0);
    EXPECT_EQ(row.ab.nof_bits, row.ae.nof_bits);  // Eve compares on the same public positions
  }
}

}  // namespace
