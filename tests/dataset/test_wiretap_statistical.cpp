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
