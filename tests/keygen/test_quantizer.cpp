// Quantizers and Gray coding: exact unit checks with values typed by hand.
#include <gtest/gtest.h>

#include <bitset>
#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"
#include "physec/keygen/quantizer.hpp"
#include "physec/keygen/secret_chain.hpp"

namespace kg = physec::keygen;
using physec::ndarray;

namespace {

ndarray<double> column(std::vector<double> v) {
  const std::size_t n = v.size();
  return ndarray<double>({n, 1}, std::move(v));
}

TEST(gray, first_codes_typed_by_hand) {
  // Binary-reflected Gray code table: 000 001 011 010 110 111 101 100.
  const std::uint32_t expected[] = {0, 1, 3, 2, 6, 7, 5, 4};
  for (std::uint32_t k = 0; k < 8; ++k) EXPECT_EQ(kg::gray_encode(k), expected[k]);
}

TEST(gray, bijection_with_one_bit_neighbours) {
  for (int m = 1; m <= 10; ++m) {
    const std::uint32_t n = 1u << m;
    std::vector<bool> seen(n, false);
    for (std::uint32_t k = 0; k < n; ++k) {
      const std::uint32_t g = kg::gray_encode(k);
      ASSERT_LT(g, n);
      EXPECT_FALSE(seen[g]);
      seen[g] = true;
      EXPECT_EQ(kg::gray_decode(g), k);
      if (k + 1 < n) {
        EXPECT_EQ(std::bitset<32>(g ^ kg::gray_encode(k + 1)).count(), 1u);
      }
    }
  }
}

TEST(quantile, levels_exactly_equiprobable_on_fit_data) {
  auto rng = physec::rng_stream(1).derive("q");
  const std::size_t n = 1000, d = 3;
  ndarray<double> x({n, d});
  for (auto& v : x.data) v = rng.normal() * 3 + 1;  // continuous: no ties
  for (int m : {1, 2, 3}) {
    kg::quantile_quantizer q(m, true);
    q.fit(x);
    const auto lv = q.levels(x);
    const int nof_levels = 1 << m;
    for (std::size_t j = 0; j < d; ++j) {
      std::vector<std::size_t> count(nof_levels, 0);
      for (std::size_t i = 0; i < n; ++i) ++count[static_cast<std::size_t>(lv(i, j))];
      for (int k = 0; k < nof_levels; ++k) EXPECT_EQ(count[k], n / nof_levels) << "m=" << m << " level " << k;
    }
  }
}

TEST(quantile, applies_fitted_thresholds_to_other_data) {
  // Thresholds from {1..8} with m = 2: v[2] = 3, v[4] = 5, v[6] = 7.
  kg::quantile_quantizer q(2, true);
  q.fit(column({8, 1, 7, 2, 6, 3, 5, 4}));
  EXPECT_EQ(q.thresholds()[0], (std::vector<double>{3, 5, 7}));
  const auto lv = q.levels(column({-10, 2.9, 3, 4.99, 5, 6.5, 7, 100}));
  EXPECT_EQ(lv.data, (std::vector<int>{0, 0, 1, 1, 2, 2, 3, 3}));
  // Gray bits: levels 0..3 -> 00 01 11 10.
  EXPECT_EQ(kg::to_bits(lv, 2, {}), (std::vector<std::uint8_t>{0, 0, 0, 0, 0, 1, 0, 1, 1, 1, 1, 1, 1, 0, 1, 0}));
}

TEST(quantile, errors_on_shape_and_values) {
  kg::quantile_quantizer q(1, true);
  EXPECT_THROW(q.levels(column({1, 2})), physec::error);  // not fitted
  q.fit(ndarray<double>({4, 2}, {1, 2, 3, 4, 5, 6, 7, 8}));
  try {
    q.levels(column({1, 2}));
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_STREQ(e.what(), "quantile.levels: feature count differs from the data the quantizer was fitted on "
                           "(expected 2 features, got 1)");
  }
  EXPECT_THROW(q.fit(column({1, NAN, 3})), physec::error);
}

TEST(mean, one_bit_above_own_mean) {
  kg::quantizer_config c;
  c.method = "mean";
  auto q = kg::make_quantizer(c);
  EXPECT_EQ(q->levels(column({1, 2, 3, 4})).data, (std::vector<int>{0, 0, 1, 1}));
}

TEST(guard, drops_exactly_the_values_inside_the_band) {
  // {-2,-1,0,1,2}: mean 0, sample sd sqrt(10/4) = 1.5811; alpha = 0.5 -> band (-0.7906, 0.7906): drops 0 only.
  kg::quantizer_config c;
  c.method = "guard";
  c.guard_alpha = 0.5;
  auto q = kg::make_quantizer(c);
  EXPECT_EQ(q->levels(column({-2, -1, 0, 1, 2})).data, (std::vector<int>{0, 0, kg::k_dropped, 1, 1}));
  // alpha = 0.7 -> band half-width 1.1068: drops -1, 0, 1.
  c.guard_alpha = 0.7;
  EXPECT_EQ(kg::make_quantizer(c)->levels(column({-2, -1, 0, 1, 2})).data,
            (std::vector<int>{0, kg::k_dropped, kg::k_dropped, kg::k_dropped, 1}));
}

TEST(common_mask, keeps_positions_no_party_dropped) {
  const ndarray<int> a({4}, std::vector<int>{0, kg::k_dropped, 1, 1});
  const ndarray<int> b({4}, std::vector<int>{1, 0, kg::k_dropped, 0});
  const auto mask = kg::common_mask({&a, &b});
  EXPECT_EQ(mask, (std::vector<std::uint8_t>{1, 0, 0, 1}));
  EXPECT_EQ(kg::to_bits(a, 1, mask), (std::vector<std::uint8_t>{0, 1}));
  EXPECT_EQ(kg::to_bits(b, 1, mask), (std::vector<std::uint8_t>{1, 0}));
}

TEST(multibit, equiprobable_intervals_with_guard_mass) {
  // Values 0..999 (uniform ranks), m = 2, alpha = 0.2: each level keeps 80 % of its quarter; 20 % dropped overall,
  // except at the outer edges (-inf, +inf), which drop only on their inner side: 1 - (4*0.25 - 6*0.025) = 15 %.
  std::vector<double> v(1000);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = static_cast<double>(i);
  kg::quantizer_config c;
  c.method = "multibit";
  c.bits = 2;
  c.guard_alpha = 0.2;
  const auto lv = kg::make_quantizer(c)->levels(column(v));
  std::vector<int> count(4, 0);
  int dropped = 0;
  for (int l : lv.data) (l == kg::k_dropped ? dropped : count[static_cast<std::size_t>(l)])++;
  EXPECT_NEAR(dropped, 150, 3);
  EXPECT_NEAR(count[0], 225, 2);
  EXPECT_NEAR(count[1], 200, 2);
  EXPECT_NEAR(count[3], 225, 2);
}

TEST(quantizer_config, validation_names_field) {
  kg::quantizer_config c;
  c.method = "quantil";
  try {
    kg::make_quantizer(c);
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("method: not an allowed value (did you mean \"quantile\"?)"), std::string::npos)
        << e.what();
  }
}

}  // namespace

// ---- Bit allocation: hard and soft disagreement of Gray-coded equiprobable levels ----

TEST(allocation, soft_entropy_obeys_the_analytic_bounds) {
  // Independent checks, no stored values: (1) m = 1, hard: Sheppard's arccos(ρ)/π; (2) m = 1, soft: Jensen, the
  // expected entropy of Bob's posterior of the sign is at most h(his sign's error rate) = h(arccos(ρ)/π); (3) the m
  // Gray bits of equiprobable levels are independent and uniform, so Σ_b I(b; y) ≤ I(x; y) = −½·log2(1 − ρ²);
  // (4) limits: ρ = 0 leaves 1 bit per bit, ρ = 1 nothing.
  const auto h = [](double p) { return -p * std::log2(p) - (1 - p) * std::log2(1 - p); };
  for (const double rho : {0.3, 0.7, 0.9, 0.99, 0.999}) {
    const double p1 = std::acos(rho) / M_PI;
    EXPECT_NEAR(kg::gray_bit_disagreement(rho, 1), p1, 1e-4) << rho;
    EXPECT_LT(kg::gray_bit_soft_entropy(rho, 1), h(p1)) << rho;
    for (int m = 1; m <= 6; ++m) {
      const double hs = kg::gray_bit_soft_entropy(rho, m);
      EXPECT_LE(m * (1 - hs), -0.5 * std::log2(1 - rho * rho) + 1e-6) << rho << " m " << m;
      EXPECT_GT(hs, 0) << rho << " m " << m;
    }
  }
  for (int m = 1; m <= 4; ++m) {
    EXPECT_NEAR(kg::gray_bit_soft_entropy(0.0, m), 1.0, 1e-6) << m;
    EXPECT_EQ(kg::gray_bit_soft_entropy(1.0, m), 0.0) << m;
  }
}

// A fixed gain between the two views (e.g. RF mismatch when the probes keep their power): with per-party
// standardisation both parties' levels and Bob's soft decisions follow Alice's; quantizing the raw coefficients on
// pooled thresholds does not. Bob sees 1.25x Alice's values plus 1 % noise: ρ ≈ 0.9999, so at 4 bits per coefficient
// a disagreement needs a threshold inside ~2.6 noise deviations (≈ 0.026 σ) of the value: at most 15 thresholds
// × 0.4 density × 2·0.026 ≈ 0.3 of a value's 4 bits flip, i.e. ≤ 0.08 per bit; the raw coefficients are off by 0.25 of
// their value, several level widths beyond 1 σ.
TEST(allocation, per_party_standardisation_absorbs_a_gain_mismatch) {
  physec::rng_stream rng(7);
  const std::size_t n = 2000, d = 4;
  const double sd[d] = {2.0, 1.4, 1.0, 0.7};
  ndarray<double> alice({n, d}), bob({n, d});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) {
      alice(i, j) = sd[j] * rng.normal();
      bob(i, j) = 1.25 * (alice(i, j) + 0.01 * sd[j] * rng.normal());
    }
  const auto disagreement = [&](bool per_party) {
    kg::chain_config cfg;
    cfg.value = "amplitude";
    cfg.allocation = "hard";
    cfg.max_bits = 4;
    cfg.nof_components = static_cast<int>(d);
    cfg.standardise_per_party = per_party;
    kg::coefficient_allocator a;
    a.fit(alice, bob, cfg);
    EXPECT_EQ(a.bits_per_coefficient(), std::vector<int>(d, 4));
    const auto ya = a.project(alice, kg::chain_party::alice), yb = a.project(bob, kg::chain_party::bob);
    const auto ba = a.bits(a.levels(ya)), bb = a.bits(a.levels(yb));
    const auto llr = a.llr(yb);
    std::size_t hard = 0, soft = 0;
    for (std::size_t i = 0; i < ba.size(); ++i) {
      hard += ba[i] != bb[i];
      soft += ba[i] != (llr[i] < 0);
    }
    return std::pair{static_cast<double>(hard) / static_cast<double>(ba.size()),
                     static_cast<double>(soft) / static_cast<double>(ba.size())};
  };
  const auto [hard_std, soft_std] = disagreement(true);
  const auto [hard_raw, soft_raw] = disagreement(false);
  EXPECT_LT(hard_std, 0.08);
  EXPECT_LT(2 * hard_std, hard_raw);
  EXPECT_LT(soft_std, 0.08);
  EXPECT_GT(hard_raw, 0.10) << hard_std;  // the raw coefficients' levels drift apart
  EXPECT_LT(soft_raw, 0.08);  // the LLRs always standardised with each party's calibration moments
}

TEST(allocation, a_trailing_block_gets_its_own_klt) {
  // Features [level, level, drift, drift] with equal variances: a joint KLT may mix a level with a drift (degenerate
  // eigenvalues); with the last two columns as a block of their own, the first block's coefficients depend on the
  // first two columns only and the second block's on the last two only.
  physec::rng_stream rng(3);
  const std::size_t n = 400;
  ndarray<double> alice({n, 4}), bob({n, 4});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < 4; ++j) {
      alice(i, j) = rng.normal();
      bob(i, j) = alice(i, j) + 0.05 * rng.normal();
    }
  kg::chain_config cfg;
  cfg.value = "amplitude";
  cfg.nof_components = 2;
  kg::coefficient_allocator a;
  a.set_trailing_block(2);
  a.fit(alice, bob, cfg);
  ndarray<double> moved_lead = alice, moved_trail = alice;
  for (std::size_t i = 0; i < n; ++i) {
    moved_lead(i, 0) += 1.0;
    moved_trail(i, 3) += 1.0;
  }
  const auto k = a.project_all(alice), kl = a.project_all(moved_lead), kt = a.project_all(moved_trail);
  ASSERT_EQ(k.shape, (physec::shape_t{n, 4}));  // 2 components per block
  double lead_to_trail = 0, trail_to_lead = 0, lead_to_lead = 0, trail_to_trail = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < 2; ++c) {
      lead_to_lead += std::abs(kl(i, c) - k(i, c));
      trail_to_lead += std::abs(kt(i, c) - k(i, c));
    }
    for (std::size_t c = 2; c < 4; ++c) {
      lead_to_trail += std::abs(kl(i, c) - k(i, c));
      trail_to_trail += std::abs(kt(i, c) - k(i, c));
    }
  }
  EXPECT_EQ(lead_to_trail, 0.0);
  EXPECT_EQ(trail_to_lead, 0.0);
  EXPECT_GT(lead_to_lead, 0.5 * static_cast<double>(n));  // a unit shift moves the block's coefficients by ~1
  EXPECT_GT(trail_to_trail, 0.5 * static_cast<double>(n));
}
