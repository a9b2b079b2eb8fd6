// Unit tests of TDD reciprocity, the impairments and the eavesdropper. Expected values derived on paper.

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "physec/channel/tdd.hpp"
#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace pc = physec::channel;
using physec::pi;

namespace {

pc::tdd_config mimo_config() {
  pc::tdd_config c;
  c.link.profile = "CDL-C";
  c.link.tx.nof_cols = 4;  // Alice
  c.link.rx.nof_cols = 2;  // Bob
  c.link.rx.polarisation = "dual";
  c.link.speed_mps = 10.0;
  c.grid.nof_subcarriers = 24;
  c.grid.nof_symbols = 3;
  c.impairments = pc::impairments_config::none();
  return c;
}

}  // namespace

// With every impairment off and no up/down gap, H_ba == H_ab^T bit for bit, and so are the two estimates.
TEST(ChannelTdd, ExactReciprocityWithImpairmentsOff) {
  auto c = mimo_config();
  c.up_down_gap_s = 0.0;
  const pc::tdd_link link(c, physec::rng_stream(11));
  const auto ev = link.probe(3);
  ASSERT_EQ(ev.clean_ab.shape, (physec::shape_t{3, 4, 4, 24}));  // dual-pol 2-column Bob = 4 ports
  ASSERT_EQ(ev.clean_ba.shape, (physec::shape_t{3, 4, 4, 24}));
  EXPECT_TRUE(ev.clean_ba == pc::transpose_link(ev.clean_ab));
  EXPECT_TRUE(ev.alice == pc::transpose_link(ev.bob));
  EXPECT_TRUE(ev.bob == ev.clean_ab);
  // A gap lets Doppler age the uplink: no longer identical.
  c.up_down_gap_s = 2e-3;
  const auto aged = pc::tdd_link(c, physec::rng_stream(11)).probe(3);
  EXPECT_FALSE(aged.clean_ba == pc::transpose_link(aged.clean_ab));
  EXPECT_TRUE(aged.clean_ab == ev.clean_ab);
}

// Eve at zero offset from Bob sees exactly Bob's downlink channel; at an offset she does not.
TEST(ChannelTdd, EveSharesTheRays) {
  auto c = mimo_config();
  c.eve.offset_m = {0.0, 0.0, 0.0};
  const auto ev = pc::tdd_link(c, physec::rng_stream(12)).probe(0);
  EXPECT_TRUE(ev.clean_eve_from_alice == ev.clean_ab);
  EXPECT_EQ(ev.clean_eve_from_bob.shape, (physec::shape_t{3, 4, 4, 24}));
  c.eve.near = "alice";
  const auto ev2 = pc::tdd_link(c, physec::rng_stream(12)).probe(0);
  EXPECT_TRUE(ev2.clean_eve_from_bob == ev2.clean_ba);  // Eve on Alice's spot hears Bob's uplink as Alice does
  c.eve.offset_m = {0.1, 0.0, 0.0};
  const auto ev3 = pc::tdd_link(c, physec::rng_stream(12)).probe(0);
  EXPECT_FALSE(ev3.clean_eve_from_bob == ev3.clean_ba);
}

// RF mismatch: Bob sees diag(r_B) H diag(t_A), Alice diag(r_A) H^T diag(t_B), chains fixed per device.
TEST(ChannelTdd, RfMismatchIsPerDeviceDiagonal) {
  auto c = mimo_config();
  c.up_down_gap_s = 0.0;
  c.impairments.rf_mismatch = true;
  const pc::tdd_link link(c, physec::rng_stream(13));
  for (std::uint64_t i : {0u, 5u}) {
    const auto ev = link.probe(i);
    for (std::size_t t = 0; t < 3; ++t)
      for (std::size_t b = 0; b < 4; ++b)
        for (std::size_t a = 0; a < 4; ++a)
          for (std::size_t k = 0; k < 24; k += 7) {
            const auto h = ev.clean_ab(t, b, a, k);
            EXPECT_NEAR(std::abs(ev.bob(t, b, a, k) - link.bob().rx_gain[b] * h * link.alice().tx_gain[a]), 0.0,
                        1e-12);
            EXPECT_NEAR(std::abs(ev.alice(t, a, b, k) - link.alice().rx_gain[a] * h * link.bob().tx_gain[b]), 0.0,
                        1e-12);
          }
  }
  EXPECT_NE(link.bob().rx_gain[0], link.bob().tx_gain[0]);
}

// CFO: Bob's estimate rotates by exp(j2π(f_A − f_B)·l·T_sym) from symbol to symbol, on top of an LO phase that is
// unknown at every reception, so symbol 0 is rotated too (|rotation| = 1, its angle differs from probe to probe).
TEST(ChannelTdd, CfoRotatesSymbols) {
  auto c = mimo_config();
  c.impairments.cfo = true;
  c.impairments.cfo_max_Hz = 1000.0;
  const pc::tdd_link link(c, physec::rng_stream(14));
  const auto ev = link.probe(1), other = link.probe(2);
  const double df = link.alice().lo_offset_Hz - link.bob().lo_offset_Hz;
  EXPECT_NE(df, 0.0);
  const double t_sym = 1e-3 * 15e3 / 30e3 / 14.0;
  const auto r0 = ev.bob(0, 1, 2, 5) / ev.clean_ab(0, 1, 2, 5);
  EXPECT_NEAR(std::abs(r0), 1.0, 1e-9);
  for (std::size_t l = 1; l < 3; ++l) {
    const auto expected = std::polar(1.0, 2 * pi * df * t_sym * static_cast<double>(l));
    EXPECT_NEAR(std::abs(ev.bob(l, 1, 2, 5) / ev.clean_ab(l, 1, 2, 5) / r0 - expected), 0.0, 1e-9);
  }
  const auto r0_other = other.bob(0, 1, 2, 5) / other.clean_ab(0, 1, 2, 5);
  EXPECT_GT(std::abs(r0 - r0_other), 1e-3);  // symbol 0 is not exempt: its phase is new at every probe
  EXPECT_GT(std::abs(r0 - 1.0), 1e-3);
}

TEST(ChannelTdd, QuantiserLevels) {
  // 2 bits, full scale 1: step 0.5, levels ±0.25, ±0.75.
  EXPECT_DOUBLE_EQ(pc::quantise(0.1, 2, 1.0), 0.25);
  EXPECT_DOUBLE_EQ(pc::quantise(-0.1, 2, 1.0), -0.25);
  EXPECT_DOUBLE_EQ(pc::quantise(0.6, 2, 1.0), 0.75);
  EXPECT_DOUBLE_EQ(pc::quantise(5.0, 2, 1.0), 0.75);
  EXPECT_DOUBLE_EQ(pc::quantise(-5.0, 2, 1.0), -0.75);
}

// A fine ADC barely changes the estimate; a 1-bit ADC changes it a lot.
TEST(ChannelTdd, AdcQuantisationError) {
  auto c = mimo_config();
  c.impairments.adc = true;
  c.impairments.adc_bits = 14;
  auto fine = pc::tdd_link(c, physec::rng_stream(15)).probe(0);
  double err = 0, ref = 0;
  for (std::size_t i = 0; i < fine.bob.size(); ++i) {
    err += std::norm(fine.bob.data[i] - fine.clean_ab.data[i]);
    ref += std::norm(fine.clean_ab.data[i]);
  }
  EXPECT_LT(err / ref, 1e-6);
  c.impairments.adc_bits = 1;
  auto coarse = pc::tdd_link(c, physec::rng_stream(15)).probe(0);
  err = 0;
  for (std::size_t i = 0; i < coarse.bob.size(); ++i) err += std::norm(coarse.bob.data[i] - coarse.clean_ab.data[i]);
  EXPECT_GT(err / ref, 1e-2);
}

TEST(ChannelTdd, BatchIsIndependentOfThreads) {
  auto c = mimo_config();
  c.impairments.estimation_noise = true;
  c.impairments.rf_mismatch = true;
  c.impairments.phase_noise = true;
  const pc::tdd_link link(c, physec::rng_stream(16));
  const auto one = link.probe_batch(4, 5, 1), two = link.probe_batch(4, 5, 2);
  for (std::size_t i = 0; i < 5; ++i) {
    EXPECT_TRUE(one[i].bob == two[i].bob);
    EXPECT_TRUE(one[i].alice == two[i].alice);
    EXPECT_TRUE(one[i].eve_from_bob == two[i].eve_from_bob);
  }
  EXPECT_TRUE(one[2].bob == link.probe(6).bob);
}

TEST(ChannelTdd, TimeSeriesSharesOneRealisation) {
  auto c = mimo_config();
  c.independent_events = false;
  c.link.speed_mps = 0.0;
  const pc::tdd_link link(c, physec::rng_stream(17));
  const auto e0 = link.probe(0), e7 = link.probe(7);
  EXPECT_DOUBLE_EQ(e7.time_down_s, 7 * 10e-3);
  EXPECT_TRUE(e0.clean_ab == e7.clean_ab);  // a static UE: the channel does not change
}

TEST(ChannelTdd, ValidationNamesTheField) {
  auto c = mimo_config();
  c.eve.offset_m = {1.0, 2.0};
  try {
    pc::tdd_link link(c, physec::rng_stream(1));
    FAIL() << "expected an error";
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("eve.offset_m"), std::string::npos) << e.what();
  }
  c = mimo_config();
  c.impairments.snr_dB = 500;
  EXPECT_THROW(c.validate(), physec::error);
}
