#pragma once
/// @file Large-scale propagation, TR 38.901 §7.4: path loss (Table 7.4.1-1), LOS probability (Table 7.4.2-1) and
/// log-normal shadow fading, for UMi-Street Canyon, UMa, InH (mixed / open office) and InF (SL, DL, SH, DH, HH),
/// so that a node's SNR follows from geometry and transmit power.

#include <string>

#include "physec/core/config.hpp"
#include "physec/core/rng.hpp"

namespace physec::channel {

/// Scenario, heights and link budget of one link.
struct large_scale_config {
  std::string scenario = "UMi";      ///< UMi, UMa, InH-mixed, InH-open, InF-SL, InF-DL, InF-SH, InF-DH, InF-HH
  double carrier_Hz = 3.5e9;         ///< carrier [Hz]
  double h_bs_m = 10.0;              ///< BS antenna height [m]
  double h_ut_m = 1.5;               ///< UT antenna height [m]
  std::string los_mode = "random";   ///< "random" (drawn from the LOS probability), "los" or "nlos"
  bool shadow_fading = true;         ///< draw log-normal shadow fading
  double tx_power_dBm = 23.0;        ///< transmit power [dBm]
  double tx_gain_dBi = 0.0;          ///< transmit antenna gain [dBi]
  double rx_gain_dBi = 0.0;          ///< receive antenna gain [dBi]
  double bandwidth_Hz = 2.16e6;      ///< noise bandwidth [Hz]
  double noise_figure_dB = 9.0;      ///< receiver noise figure [dB]
  double clutter_density = 0.2;      ///< InF clutter density r
  double clutter_size_m = 10.0;      ///< InF clutter size d_clutter [m]
  double clutter_height_m = 2.0;     ///< InF clutter height h_c [m]

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
};

/// Path loss [dB] at 2D distance `d2d_m` (heights from `cfg`), Table 7.4.1-1. Throws outside the model's range.
double pathloss_dB(const large_scale_config& cfg, bool los, double d2d_m);
/// LOS probability at 2D distance `d2d_m`, Table 7.4.2-1.
double los_probability(const large_scale_config& cfg, double d2d_m);
/// Shadow-fading standard deviation σ_SF [dB], Table 7.4.1-1.
double shadow_fading_std_dB(const large_scale_config& cfg, bool los);
/// Thermal noise power [dBm]: −174 dBm/Hz + 10 log10(B) + NF.
double noise_power_dBm(const large_scale_config& cfg);

/// One drawn link budget.
struct link_budget {
  bool los = true;                ///< line of sight
  double d2d_m = 0, d3d_m = 0;    ///< distances [m]
  double pathloss_dB = 0;         ///< path loss [dB]
  double shadow_fading_dB = 0;    ///< shadow fading drawn [dB] (added to the loss)
  double rx_power_dBm = 0;        ///< received power [dBm]
  double snr_dB = 0;              ///< received SNR [dB]
};

/// Draws LOS state and shadow fading for a link at 2D distance `d2d_m` and returns its budget.
link_budget draw_link_budget(const large_scale_config& cfg, double d2d_m, rng_stream& rng);

}  // namespace physec::channel
