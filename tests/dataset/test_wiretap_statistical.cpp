// The generated wiretap dataset against what physics and the protocol say (alpha and n stated per test).
#include <gtest/gtest.h>

#include "physec/dataset/wiretap_generator.hpp"
#include "physec/keygen/evaluate.hpp"

namespace ds = physec::dataset;
namespace kg = physec::keygen;

namespace {

ds::wiretap_config small(std::vector<std::string> profiles, std::vector<double> snrs, std::vector<double> eve, int n) {
  ds::wiretap_config c;
  c.profiles = std::move(profiles);
  c.speeds_mps = {0.83};
  c.snrs_dB = std::move(snrs);
  c.eve_distances_wavelengths = std::move(eve);
  c.eve_near_alice_wavelengths = {};
  c.probes_per_setting = n;
  c.grid.nof_symbols = 2;
  return c;
}

TEST(wiretap_generator, exact_reciprocity_gives_zero_kdr) {
  // Every impairment off, no estimation noise, no up/down gap: Alice's and Bob's estimates are the same numbers.
  auto c = small({"CDL-C", "TDL-A"}, {30}, {1.0}, 40);
  c.impairments = physec::channel::impairments_config::none();
  c.up_down_gap_s = 0;
  const auto d = ds::generate_wiretap(c, physec::rng_stream(1), 2, nullptr);
  ASSERT_EQ(d.alice.shape, (physec::shape_t{80, 1, 1, 72, 2}));
  ASSERT_EQ(d.eve_uplink.shape, (physec::shape_t{80, 1, 1, 1, 72, 2}));  // Eve hears Bob's uplink probe too
  for (std::size_t i = 0; i < d.alice.size(); ++i) ASSERT_NEAR(std::abs(d.alice.data[i] - d.bob.data[i]), 0.0, 1e-6);
  const auto r = kg::evaluate_wiretap(d, kg::eval_config{}, 1);
  for (const auto& row : r.rows) EXPECT_EQ(row.ab.nof_mismatches, 0u);
}

TEST(wiretap_generator, same_result_for_any_thread_count_and_eve_does_not_move_alice) {
  auto c = small({"CDL-B"}, {10}, {0.5, 5}, 6);
  const auto one = ds::generate_wiretap(c, physec::rng_stream(7), 1, nullptr);
  const auto two = ds::generate_wiretap(c, physec::rng_stream(7), 2, nullptr);
  EXPECT_EQ(one.alice, two.alice);
  EXPECT_EQ(one.eve, two.eve);
  c.eve_distances_wavelengths = {5};
  const auto other_eve = ds::generate_wiretap(c, physec::rng_stream(7), 1, nullptr);
  EXPECT_EQ(one.alice, other_eve.alice);
  EXPECT_EQ(one.bob, other_eve.bob);
}

TEST(wiretap_generator, eve_at_bobs_position_is_as_good_as_bob) {
  // Eve at distance 0 with Bob's noise level hears the same downlink probe as Bob: KDR(A,E) and KDR(A,B) estimate
  // the same quantity. n = 200 test-split probes x 72 bits at 10 dB; the probe-level 99.99 % intervals must overlap.
  auto c = small({"TDL-A"}, {10}, {0.0}, 500);
  c.impairments.rf_mismatch = false;
  const auto d = ds::generate_wiretap(c, physec::rng_stream(3), 2, nullptr);
  kg::eval_config e;
  e.confidence = 0.9999;
  const auto r = kg::evaluate_wiretap(d, e, 1);
  ASSERT_EQ(r.rows.size(), 1u);
  const auto& row = r.rows[0];
  EXPECT_GT(row.ab.kdr, 0.05);
  EXPECT_LT(row.ab_probe_low, row.ae_probe_high);
  EXPECT_LT(row.ae_probe_low, row.ab_probe_high);
}

TEST(wiretap_generator, eve_far_away_in_rich_scattering_is_a_coin) {
  // TDL-A (Rayleigh taps, Jakes ring): at 5 wavelengths the field correlation is J0(2 pi 5) = 0.065 and the
  // amplitude correlation about its square, so Eve's bits agree with Alice's with probability 0.5 up to ~0.002.
  // The probe-level 99.99 % interval over ~200 test probes must contain 0.5 (widened by that 0.002 model bias).
  auto c = small({"TDL-A"}, {30}, {5.0}, 500);
  const auto d = ds::generate_wiretap(c, physec::rng_stream(4), 2, nullptr);
  kg::eval_config e;
  e.confidence = 0.9999;
  const auto r = kg::evaluate_wiretap(d, e, 1);
  const auto& row = r.rows[0];
  EXPECT_LT(row.ae_probe_low, 0.5 + 0.002);
  EXPECT_GT(row.ae_probe_high, 0.5 - 0.002);
  EXPECT_LT(row.ab.kdr, 0.1);  // while Alice and Bob agree at 30 dB
}

}  // namespace

namespace {

/// |Σ_i Σ_k h_{i,k} conj(h_{i+1,k})| / Σ_i Σ_k |h_{i,k}|²: the normalised lag-one autocorrelation of the clean
/// channel over consecutive probes of one link (probes in time order, one link, symbol 0).
double lag_one_correlation(const ds::wiretap_data& d) {
  const std::size_t n = d.clean.shape[0], per = d.clean.size() / n, T = d.clean.shape[4];
  std::complex<double> num = 0;
  double den = 0;
  for (std::size_t i = 0; i + 1 < n; ++i)
    for (std::size_t j = 0; j < per; j += T) {
      const std::complex<double> a(d.clean.data[i * per + j]), b(d.clean.data[(i + 1) * per + j]);
      num += a * std::conj(b);
      den += std::norm(a);
    }
  return std::abs(num) / den;
}

}  // namespace

// Probing in time: consecutive probes of one link one coherence time apart (the default interval 0.423 λ/v) are
// nearly uncorrelated — Clarke's model gives |J0(2π·0.423)| = 0.10 for the complex channel — while probes a twentieth
// of that apart are nearly the same channel (J0(2π·0.0212) = 0.996), and i.i.d. probes are uncorrelated. n = 400
// probes of TDL-A at 3 m/s; the sample correlation's sd is at most ~1/sqrt(n) = 0.05 for independent pairs, and
// subcarriers of a probe are correlated, so the tolerance is 4 sd over the bound plus 0.1 for the non-Clarke
// (finite-ray) Doppler spectrum: alpha well below 1e-3.
TEST(wiretap_generator, probes_one_coherence_time_apart_are_nearly_independent) {
  auto c = small({"TDL-A"}, {20}, {5.0}, 400);
  c.speeds_mps = {3.0};
  c.grid.nof_symbols = 1;
  c.train_fraction = 0.5;
  const auto d = ds::generate_wiretap(c, physec::rng_stream(11), 2, nullptr);
  ASSERT_EQ(d.time_s.size(), 400u);
  const double t_coh = ds::coherence_time_s(3.0, c.carrier_Hz);
  EXPECT_NEAR(t_coh, 0.423 * 299792458.0 / 3.5e9 / 3.0, 1e-9);  // 12.08 ms
  EXPECT_NEAR(d.time_s[1] - d.time_s[0], t_coh, 1e-12);
  const double tol = 4.0 / std::sqrt(400.0);
  EXPECT_LT(lag_one_correlation(d), 0.10 + 0.1 + tol);
  c.probe_interval_s = t_coh / 20;
  EXPECT_GT(lag_one_correlation(ds::generate_wiretap(c, physec::rng_stream(11), 2, nullptr)), 0.9);
  c.iid_probes = true;
  EXPECT_LT(lag_one_correlation(ds::generate_wiretap(c, physec::rng_stream(11), 2, nullptr)), tol);
}

// Eve near Alice (issue #15): at distance 0 from Alice, with every impairment off, her estimate of Bob's uplink probe
// (stored in /eve) is Alice's own estimate, number for number; her other observation (/eve_uplink) is Alice's probe
// over her own short link. Positions near Bob come first, then those near Alice, and /eve_near says which is which.
TEST(wiretap_generator, eve_near_alice_at_distance_zero_hears_what_alice_hears) {
  auto c = small({"CDL-C"}, {20}, {5.0}, 6);
  c.eve_near_alice_wavelengths = {0.0};
  c.impairments = physec::channel::impairments_config::none();
  const auto d = ds::generate_wiretap(c, physec::rng_stream(5), 2, nullptr);
  ASSERT_EQ(d.nof_eve(), 2u);
  EXPECT_EQ(d.eve_near, (std::vector<std::string>{"bob", "alice"}));
  const auto near_alice = ds::eve_at(d, 1), near_bob = ds::eve_at(d, 0);
  double diff = 0, far = 0;
  for (std::size_t i = 0; i < d.alice.size(); ++i) {
    diff = std::max(diff, static_cast<double>(std::abs(near_alice.data[i] - d.alice.data[i])));
    far = std::max(far, static_cast<double>(std::abs(near_bob.data[i] - d.alice.data[i])));
  }
  EXPECT_LT(diff, 1e-5);
  EXPECT_GT(far, 1e-2);  // 5 λ from Bob is another channel
}

// /clean_downlink is the channel during Bob's probe, one up/down gap before /clean (Alice's probe), in the same port
// order: with no gap the two are the same numbers; with a gap τ on TDL-A (Rayleigh taps on a Jakes ring) their
// normalised correlation is J0(2π f_D τ). At 30 m/s and 0.5 ms, f_D = v f_c / c = 350 Hz: J0(1.100) = 0.7196
// (Abramowitz & Stegun table 9.1), far from 1. n = 300 probes x 72 subcarriers of ~a few independent taps: the
// sample correlation's sd is about (1 − ρ²)/√300 = 0.03; tolerance 0.1 (> 3 sd).
TEST(wiretap_generator, clean_downlink_is_the_channel_one_gap_before_alices_probe) {
  auto c = small({"TDL-A"}, {20}, {5.0}, 300);
  c.speeds_mps = {30.0};
  c.up_down_gap_s = 0;
  const auto same = ds::generate_wiretap(c, physec::rng_stream(5), 2, nullptr);
  ASSERT_EQ(same.clean_downlink.shape, same.clean.shape);
  for (std::size_t i = 0; i < same.clean.size(); ++i)
    ASSERT_NEAR(std::abs(same.clean.data[i] - same.clean_downlink.data[i]), 0.0, 1e-5);
  c.up_down_gap_s = 0.5e-3;
  const auto gap = ds::generate_wiretap(c, physec::rng_stream(5), 2, nullptr);
  std::complex<double> num = 0;
  double na = 0, nb = 0;
  for (std::size_t i = 0; i < gap.clean.size(); ++i) {
    const std::complex<double> a(gap.clean.data[i]), b(gap.clean_downlink.data[i]);
    num += a * std::conj(b);
    na += std::norm(a);
    nb += std::norm(b);
  }
  const double f_d = 30.0 * c.carrier_Hz / 299792458.0;
  EXPECT_NEAR(2 * M_PI * f_d * 0.5e-3, 1.100, 0.001);
  EXPECT_NEAR(num.real() / std::sqrt(na * nb), 0.7196, 0.1);
}
