// Unit tests of the IRS model; expected values derived on paper.

#include <gtest/gtest.h>

#include <cmath>

#include "physec/channel/irs.hpp"
#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace pc = physec::channel;
using physec::pi;

namespace {
pc::irs_config siso_los_only() {
  pc::irs_config c;
  c.tx.nof_cols = 1;
  c.rx.nof_cols = 1;
  c.nlos = false;
  c.direct_path = false;
  return c;
}
}  // namespace

// LOS only, phases aligned: the N = 8·16 unit-modulus cascaded terms add coherently, |H|² = N².
TEST(ChannelIrs, AlignedPhasesGiveCoherentGainNSquared) {
  auto c = siso_los_only();
  physec::rng_stream rng(1);
  const auto th = pc::irs_phases(c, rng);
  ASSERT_EQ(th.size(), 128u);
  const auto h = pc::irs_channel(c, th, rng, {0.0}, {0.0});
  EXPECT_NEAR(std::norm(h(0, 0, 0, 0)), 128.0 * 128.0, 1e-6);
  // With the direct LOS path (unit amplitude) aligned as well: |H| = N + 1.
  c.direct_path = true;
  const auto th2 = pc::irs_phases(c, rng);
  EXPECT_NEAR(std::abs(pc::irs_channel(c, th2, rng, {0.0}, {0.0})(0, 0, 0, 0)), 129.0, 1e-6);
  // Random phases lose the coherence.
  c.direct_path = false;
  c.phase_mode = "random";
  EXPECT_LT(std::norm(pc::irs_channel(c, pc::irs_phases(c, rng), rng, {0.0}, {0.0})(0, 0, 0, 0)), 128.0 * 128.0 / 4);
}

// A moving transmitter: the direct LOS path rotates by exp(−j2π f_c (d(t) − d(0)) / c).
TEST(ChannelIrs, DirectPathPhaseFollowsDistance) {
  auto c = siso_los_only();
  c.direct_path = true;
  c.tx_irs_gain_dB = -300.0;
  c.phase_mode = "fixed";
  physec::rng_stream rng(2);
  const auto h = pc::irs_channel(c, pc::irs_phases(c, rng), rng, {0.0, 0.01}, {0.0});
  // tx (0,0,1.5) moving +x at 2 m/s; rx (40,0,5).
  const double d0 = std::sqrt(40.0 * 40.0 + 3.5 * 3.5), d1 = std::sqrt(39.98 * 39.98 + 3.5 * 3.5);
  const double lambda = 299792458.0 / 3.5e9;
  const auto expected = std::polar(1.0, -2 * pi * (d1 - d0) / lambda);
  EXPECT_NEAR(std::abs(h(1, 0, 0, 0) / h(0, 0, 0, 0) - expected), 0.0, 1e-6);
  EXPECT_EQ(pc::irs_channel(c, pc::irs_phases(c, rng), rng, {0.0}, {0.0, 1e6}).shape,
            (physec::shape_t{1, 1, 1, 2}));
}

TEST(ChannelIrs, DefaultsAndValidation) {
  pc::irs_config c;
  EXPECT_EQ(c.nof_elements(), 128u);
  physec::rng_stream rng(3);
  EXPECT_EQ(pc::irs_channel(c, pc::irs_phases(c, rng), rng, {0.0}, {0.0}).shape, (physec::shape_t{1, 3, 4, 1}));
  c.irs_position_m = c.tx_position_m;
  try {
    c.validate();
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("irs_position_m"), std::string::npos) << e.what();
  }
  EXPECT_THROW(pc::irs_channel(pc::irs_config{}, {0.0}, rng, {0.0}, {0.0}), physec::error);
}
