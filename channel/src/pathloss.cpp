#include "physec/channel/pathloss.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace physec::channel {

namespace {

double d3d_of(const large_scale_config& c, double d2d_m) { return std::hypot(d2d_m, c.h_bs_m - c.h_ut_m); }

void check_range(double d, double lo, double hi, const char* what) {
  if (!(d >= lo && d <= hi))
    throw error(std::string("distance outside the validity range of Table 7.4.1-1: ") + what,
                {"", "d2d_m", std::nullopt}, "[" + std::to_string(lo) + ", " + std::to_string(hi) + "] m",
                std::to_string(d));
}

// Table 7.4.1-1, UMa and UMi-Street Canyon LOS with the breakpoint d'_BP = 4 h'_BS h'_UT f_c / c, h' = h − 1 m
// (effective environment height h_E = 1 m; exact for UMi, and for UMa when h_UT ≤ 13 m).
double urban_los_dB(const large_scale_config& c, double d2d, double d3d, double a, double b_far) {
  const double fc_GHz = c.carrier_Hz / 1e9;
  const double d_bp = 4.0 * (c.h_bs_m - 1.0) * (c.h_ut_m - 1.0) * c.carrier_Hz / speed_of_light_mps;
  if (d2d <= d_bp) return a + (c.scenario == "UMa" ? 22.0 : 21.0) * std::log10(d3d) + 20.0 * std::log10(fc_GHz);
  return a + 40.0 * std::log10(d3d) + 20.0 * std::log10(fc_GHz) -
         b_far * std::log10(d_bp * d_bp + (c.h_bs_m - c.h_ut_m) * (c.h_bs_m - c.h_ut_m));
}

double log_fit(double a, double b_d, double b_f, double d3d, double fc_GHz) {
  return a + b_d * std::log10(d3d) + b_f * std::log10(fc_GHz);
}

}  // namespace

void large_scale_config::describe(physec::config::schema& s) {
  s.add("scenario", scenario, "TR 38.901 scenario")
      .choices({"UMi", "UMa", "InH-mixed", "InH-open", "InF-SL", "InF-DL", "InF-SH", "InF-DH", "InF-HH"})
      .source("TR 38.901 Table 7.4.1-1");
  s.add("carrier_Hz", carrier_Hz, "carrier [Hz]").range(0.5e9, 100e9).source("DESIGN.md 4 (3.5 GHz)");
  s.add("h_bs_m", h_bs_m, "BS antenna height [m]").range(1.0, 150.0).source("TR 38.901 Table 7.4.1-1 (UMi 10 m)");
  s.add("h_ut_m", h_ut_m, "UT antenna height [m]").range(1.0, 22.5).source("TR 38.901 Table 7.4.1-1 (1.5 m)");
  s.add("los_mode", los_mode, "LOS state: drawn, forced LOS or forced NLOS")
      .choices({"random", "los", "nlos"})
      .source("TR 38.901 Table 7.4.2-1");
  s.add("shadow_fading", shadow_fading, "draw log-normal shadow fading").source("TR 38.901 Table 7.4.1-1");
  s.add("tx_power_dBm", tx_power_dBm, "transmit power [dBm]").range(-50.0, 60.0).source("ours (UE class 3, 23 dBm)");
  s.add("tx_gain_dBi", tx_gain_dBi, "transmit antenna gain [dBi]").range(-20.0, 40.0).source("ours");
  s.add("rx_gain_dBi", rx_gain_dBi, "receive antenna gain [dBi]").range(-20.0, 40.0).source("ours");
  s.add("bandwidth_Hz", bandwidth_Hz, "noise bandwidth [Hz]").range(1e3, 1e9).source("ours (72 x 30 kHz)");
  s.add("noise_figure_dB", noise_figure_dB, "receiver noise figure [dB]").range(0.0, 30.0).source("TR 38.901 Table 7.8-2 (UE 9 dB)");
  s.add("clutter_density", clutter_density, "InF clutter density r").range(0.0, 0.99).source("TR 38.901 Table 7.2-4 (sparse 20%)");
  s.add("clutter_size_m", clutter_size_m, "InF clutter size d_clutter [m]").range(0.1, 100.0).source("TR 38.901 Table 7.2-4 (10 m)");
  s.add("clutter_height_m", clutter_height_m, "InF clutter height h_c [m]").range(0.0, 10.0).source("TR 38.901 Table 7.2-4 (0-10 m)");
  s.check([this, &s](const std::string& file) {
    const bool high = scenario == "InF-SH" || scenario == "InF-DH";
    if (high && !(h_bs_m > clutter_height_m && clutter_height_m > h_ut_m))
      physec::config::fail(file, s.key("clutter_height_m"), "InF-SH/DH need h_ut < h_c < h_bs",
                           "between h_ut_m and h_bs_m", std::to_string(clutter_height_m));
  });
}

double pathloss_dB(const large_scale_config& c, bool los, double d2d) {
  const double d3d = d3d_of(c, d2d), f = c.carrier_Hz / 1e9;
  const std::string& s = c.scenario;
  if (s == "UMi") {
    check_range(d2d, 10.0, 5000.0, "UMi");
    const double pl_los = urban_los_dB(c, d2d, d3d, 32.4, 9.5);
    if (los) return pl_los;
    return std::max(pl_los, 35.3 * std::log10(d3d) + 22.4 + 21.3 * std::log10(f) - 0.3 * (c.h_ut_m - 1.5));
  }
  if (s == "UMa") {
    check_range(d2d, 10.0, 5000.0, "UMa");
    const double pl_los = urban_los_dB(c, d2d, d3d, 28.0, 9.0);
    if (los) return pl_los;
    return std::max(pl_los, 13.54 + 39.08 * std::log10(d3d) + 20.0 * std::log10(f) - 0.6 * (c.h_ut_m - 1.5));
  }
  if (s.rfind("InH", 0) == 0) {
    check_range(d3d, 1.0, 150.0, "InH (d3D)");
    const double pl_los = log_fit(32.4, 17.3, 20.0, d3d, f);
    return los ? pl_los : std::max(pl_los, log_fit(17.30, 38.3, 24.9, d3d, f));
  }
  check_range(d3d, 1.0, 600.0, "InF (d3D)");
  const double pl_los = log_fit(31.84, 21.50, 19.00, d3d, f);
  if (los || s == "InF-HH") return pl_los;
  const double pl_sl = log_fit(33.0, 25.5, 20.0, d3d, f);
  if (s == "InF-SL") return std::max(pl_los, pl_sl);
  if (s == "InF-DL") return std::max({pl_los, pl_sl, log_fit(18.6, 35.7, 20.0, d3d, f)});
  if (s == "InF-SH") return std::max(pl_los, log_fit(32.4, 23.0, 20.0, d3d, f));
  return std::max(pl_los, log_fit(33.63, 21.9, 20.0, d3d, f));  // InF-DH
}

double los_probability(const large_scale_config& c, double d) {
  const std::string& s = c.scenario;
  if (s == "UMi") return d <= 18.0 ? 1.0 : 18.0 / d + std::exp(-d / 36.0) * (1.0 - 18.0 / d);
  if (s == "UMa") {
    if (d <= 18.0) return 1.0;
    const double c_h = c.h_ut_m <= 13.0 ? 0.0 : std::pow((c.h_ut_m - 13.0) / 10.0, 1.5);
    return (18.0 / d + std::exp(-d / 63.0) * (1.0 - 18.0 / d)) *
           (1.0 + c_h * 1.25 * std::pow(d / 100.0, 3) * std::exp(-d / 150.0));
  }
  if (s == "InH-mixed") {
    if (d <= 1.2) return 1.0;
    if (d < 6.5) return std::exp(-(d - 1.2) / 4.7);
    return std::exp(-(d - 6.5) / 32.6) * 0.32;
  }
  if (s == "InH-open") {
    if (d <= 5.0) return 1.0;
    if (d <= 49.0) return std::exp(-(d - 5.0) / 70.8);
    return std::exp(-(d - 49.0) / 211.7) * 0.54;
  }
  if (s == "InF-HH") return 1.0;
  double k = -c.clutter_size_m / std::log(1.0 - c.clutter_density);
  if (s == "InF-SH" || s == "InF-DH") k *= (c.h_bs_m - c.h_ut_m) / (c.clutter_height_m - c.h_ut_m);
  return std::exp(-d / k);
}

double shadow_fading_std_dB(const large_scale_config& c, bool los) {
  const std::string& s = c.scenario;
  if (s == "UMi") return los ? 4.0 : 7.82;
  if (s == "UMa") return los ? 4.0 : 6.0;
  if (s.rfind("InH", 0) == 0) return los ? 3.0 : 8.03;
  if (los || s == "InF-HH") return 4.3;
  if (s == "InF-SL") return 5.7;
  if (s == "InF-DL") return 7.2;
  if (s == "InF-SH") return 5.9;
  return 4.0;  // InF-DH
}

double noise_power_dBm(const large_scale_config& c) {
  return -174.0 + 10.0 * std::log10(c.bandwidth_Hz) + c.noise_figure_dB;
}

link_budget draw_link_budget(const large_scale_config& cfg, double d2d_m, rng_stream& rng) {
  link_budget b;
  b.d2d_m = d2d_m;
  b.d3d_m = d3d_of(cfg, d2d_m);
  const double u = rng.uniform();
  b.los = cfg.los_mode == "los" || (cfg.los_mode == "random" && u < los_probability(cfg, d2d_m));
  b.pathloss_dB = pathloss_dB(cfg, b.los, d2d_m);
  const double z = rng.normal();
  b.shadow_fading_dB = cfg.shadow_fading ? shadow_fading_std_dB(cfg, b.los) * z : 0.0;
  b.rx_power_dBm = cfg.tx_power_dBm + cfg.tx_gain_dBi + cfg.rx_gain_dBi - b.pathloss_dB - b.shadow_fading_dB;
  b.snr_dB = b.rx_power_dBm - noise_power_dBm(cfg);
  return b;
}

}  // namespace physec::channel
