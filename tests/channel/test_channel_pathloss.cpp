// Unit tests of the large-scale model. Each expected value is the Table 7.4.1-1 / 7.4.2-1 formula typed again here.

#include <gtest/gtest.h>

#include <cmath>

#include "physec/channel/pathloss.hpp"
#include "physec/core/error.hpp"

namespace pc = physec::channel;

namespace {
pc::large_scale_config scenario(const char* name, double h_bs) {
  pc::large_scale_config c;
  c.scenario = name;
  c.h_bs_m = h_bs;
  c.h_ut_m = 1.5;
  c.carrier_Hz = 3.5e9;
  return c;
}
}  // namespace

TEST(ChannelPathloss, UmiAtKnownDistances) {
  const auto c = scenario("UMi", 10.0);
  // 100 m: d3D = sqrt(100² + 8.5²); d'_BP = 4·9·0.5·3.5e9/c ≈ 210 m, so PL1 applies.
  const double d3 = std::sqrt(100.0 * 100.0 + 8.5 * 8.5);
  EXPECT_NEAR(pc::pathloss_dB(c, true, 100.0), 32.4 + 21 * std::log10(d3) + 20 * std::log10(3.5), 1e-9);
  // 500 m, beyond the breakpoint: PL2.
  const double d5 = std::sqrt(500.0 * 500.0 + 8.5 * 8.5), dbp = 4 * 9 * 0.5 * 3.5e9 / 299792458.0;
  EXPECT_NEAR(pc::pathloss_dB(c, true, 500.0),
              32.4 + 40 * std::log10(d5) + 20 * std::log10(3.5) - 9.5 * std::log10(dbp * dbp + 8.5 * 8.5), 1e-9);
  // NLOS at 100 m: max(PL_LOS, 35.3 log10 d3D + 22.4 + 21.3 log10 fc − 0.3(h_UT − 1.5)).
  EXPECT_NEAR(pc::pathloss_dB(c, false, 100.0), 35.3 * std::log10(d3) + 22.4 + 21.3 * std::log10(3.5), 1e-9);
  EXPECT_DOUBLE_EQ(pc::shadow_fading_std_dB(c, false), 7.82);
  EXPECT_THROW(pc::pathloss_dB(c, true, 5.0), physec::error);  // below 10 m
}

TEST(ChannelPathloss, UmaInhInfAtKnownDistances) {
  const auto uma = scenario("UMa", 25.0);
  const double d3 = std::sqrt(200.0 * 200.0 + 23.5 * 23.5);
  EXPECT_NEAR(pc::pathloss_dB(uma, true, 200.0), 28.0 + 22 * std::log10(d3) + 20 * std::log10(3.5), 1e-9);
  EXPECT_NEAR(pc::pathloss_dB(uma, false, 200.0), 13.54 + 39.08 * std::log10(d3) + 20 * std::log10(3.5), 1e-9);
  const auto inh = scenario("InH-mixed", 3.0);
  const double d3i = std::sqrt(20.0 * 20.0 + 1.5 * 1.5);
  EXPECT_NEAR(pc::pathloss_dB(inh, true, 20.0), 32.4 + 17.3 * std::log10(d3i) + 20 * std::log10(3.5), 1e-9);
  EXPECT_NEAR(pc::pathloss_dB(inh, false, 20.0), 38.3 * std::log10(d3i) + 17.30 + 24.9 * std::log10(3.5), 1e-9);
  auto inf = scenario("InF-DH", 8.0);
  const double d3f = std::sqrt(50.0 * 50.0 + 6.5 * 6.5);
  EXPECT_NEAR(pc::pathloss_dB(inf, true, 50.0), 31.84 + 21.50 * std::log10(d3f) + 19.00 * std::log10(3.5), 1e-9);
  EXPECT_NEAR(pc::pathloss_dB(inf, false, 50.0), 33.63 + 21.9 * std::log10(d3f) + 20 * std::log10(3.5), 1e-9);
  inf.scenario = "InF-DL";
  EXPECT_NEAR(pc::pathloss_dB(inf, false, 50.0), 18.6 + 35.7 * std::log10(d3f) + 20 * std::log10(3.5), 1e-9);
}

TEST(ChannelPathloss, LosProbabilityFormulas) {
  EXPECT_DOUBLE_EQ(pc::los_probability(scenario("UMi", 10), 15.0), 1.0);
  EXPECT_NEAR(pc::los_probability(scenario("UMi", 10), 100.0), 0.18 + std::exp(-100.0 / 36) * 0.82, 1e-12);
  EXPECT_NEAR(pc::los_probability(scenario("UMa", 25), 100.0), 0.18 + std::exp(-100.0 / 63) * 0.82, 1e-12);
  EXPECT_NEAR(pc::los_probability(scenario("InH-mixed", 3), 3.0), std::exp(-1.8 / 4.7), 1e-12);
  EXPECT_NEAR(pc::los_probability(scenario("InH-open", 3), 60.0), std::exp(-11.0 / 211.7) * 0.54, 1e-12);
  auto sl = scenario("InF-SL", 1.5);
  sl.h_ut_m = 1.5;
  // k = −d_clutter / ln(1 − r) = −10 / ln 0.8.
  EXPECT_NEAR(pc::los_probability(sl, 20.0), std::exp(-20.0 / (-10.0 / std::log(0.8))), 1e-12);
}

TEST(ChannelPathloss, SnrFromGeometryAndPower) {
  auto c = scenario("UMi", 10.0);
  c.los_mode = "los";
  c.shadow_fading = false;
  physec::rng_stream rng(3);
  const auto b = pc::draw_link_budget(c, 100.0, rng);
  const double noise = -174 + 10 * std::log10(2.16e6) + 9.0;
  EXPECT_NEAR(b.snr_dB, 23.0 - pc::pathloss_dB(c, true, 100.0) - noise, 1e-9);
  EXPECT_TRUE(b.los);
}

TEST(ChannelPathloss, ValidationNamesTheField) {
  auto c = scenario("InF-SH", 8.0);
  c.clutter_height_m = 10.0;  // above the BS: not a "high BS" factory
  try {
    c.validate();
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("clutter_height_m"), std::string::npos) << e.what();
  }
}
