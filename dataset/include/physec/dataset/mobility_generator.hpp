#pragma once
/// @file Generates the PLA mobility dataset (TDGCN paper, Table I) over the IRS channel of the channel layer.
///
/// Scene: an industrial hall (x along 0..hall_x, y along 0..hall_y); Bob (3-port ULA) at the edge; an 8 x 16 IRS
/// on the x = 0 wall; 4 legal transmitters and 2 spoofers (4-port ULAs, 1.5 m high), each driving at constant
/// speed around its own circular route (an AGV loop). Route centres lie on a 3 x 2 grid whose spacing is
/// `min_distance_m + 2 * route_radius_m`, so no two transmitters ever come closer than `min_distance_m`. With
/// `spoofer_placement = "near"` spoofer k instead shadows legal transmitter k at a constant offset.
///
/// Channel per sample t: H(t) = sqrt(β_d(t)) H_d(t) + sqrt(β_t(t) β_r) H_c(t)          [nof_rx, nof_tx]
///   H_d: direct link, Ricean (K) when the direct link is LOS, Rayleigh when NLOS (irs.hpp, Jakes Doppler v/λ);
///   H_c: IRS cascade G diag(θ) F with both hops Ricean (IRS deployed with LOS to the floor and to Bob);
///   β_d, β_t, β_r: TR 38.901 InF path loss of each hop (Table 7.4.1-1) at the sample's position, plus
///   log-normal shadow fading from a spatially consistent field (exponential correlation, Table 7.5-6 InF:
///   10 m); the direct link's LOS state from a correlated field thresholded by P_LOS (§7.6.3.3, TR 38.901
///   Table 7.6.3.1-2: d_clutter / 2). Fields depend on location only, shared by every transmitter.
/// The small-scale fading of each transmitter is one continuous sum-of-sinusoids process along its whole
/// trajectory (no spatial consistency between transmitters: two at the same place fade independently).
/// The route is followed as a polygon of 10-sample chords (0.2 m at 2 m/s; sagitta < 2 mm for a 4 m radius).
///
/// CSI estimate: H(t) + CN(0, σ²) per entry, σ² = P_ref / SNR with P_ref the mean |H|² over every transmitter,
/// sample and port pair: SNR is that of the average transmitter; nearer ones enjoy more.

#include <cstdint>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/rng.hpp"
#include "physec/dataset/mobility.hpp"

namespace physec::dataset {

struct mobility_config {
  int nof_legal = 4;                                ///< legal transmitters (labels 0..nof_legal-1)
  int nof_spoofers = 2;                             ///< spoofers (labels nof_legal..)
  int tx_antennas = 4;                              ///< antennas per transmitter (ULA, λ/2)
  int rx_antennas = 3;                              ///< antennas at Bob (ULA, λ/2)
  int irs_ny = 8;                                   ///< IRS elements along y
  int irs_nz = 16;                                  ///< IRS elements along z
  double carrier_Hz = 3.5e9;                        ///< carrier [Hz]
  double bandwidth_Hz = 1e6;                        ///< bandwidth [Hz]: flat at InF delay spreads, one subcarrier
  int samples_per_transmitter = 2000;               ///< CSI samples per transmitter (paper: 50,000)
  int sequence_length = 50;                         ///< T (paper: 50)
  double sample_rate_Hz = 100.0;                    ///< CSI sampling rate [Hz]
  double speed_mps = 2.0;                           ///< transmitter speed [m/s]
  double snr_dB = 15.0;                             ///< CSI estimation SNR of the average transmitter [dB]
  double min_distance_m = 4.0;                      ///< minimum distance between transmitters on different routes [m]
  double route_radius_m = 4.0;                      ///< radius of each circular route [m]
  std::string spoofer_placement = "own";            ///< "own" routes, or "near": spoofer k shadows legal transmitter k
  double spoofer_offset_m = 1.0;                    ///< offset of a "near" spoofer from its legal transmitter [m]
  std::vector<double> hall_m = {60.0, 40.0, 10.0};  ///< hall size (x, y, z) [m]
  std::vector<double> bob_position_m = {30.0, 0.5, 4.0};  ///< Bob [m]
  std::vector<double> irs_position_m = {0.5, 16.0, 3.0};  ///< IRS element 0 (surface in the y-z plane) [m]
  double tx_height_m = 1.5;                               ///< transmitter antenna height [m]
  std::string scenario = "InF-SL";       ///< TR 38.901 InF sub-scenario of the direct link's NLOS path loss
  std::string los_mode = "random";       ///< direct link: "random" (correlated field), "los" or "nlos"
  bool shadow_fading = true;             ///< spatially consistent log-normal shadow fading
  double los_correlation_m = 5.0;        ///< LOS-state correlation distance [m]
  double sf_correlation_m = 10.0;        ///< shadow-fading correlation distance [m]
  double k_factor_dB = 7.0;              ///< Ricean K of LOS links [dB]
  std::string irs_phases = "aligned";    ///< "aligned" to the hall centre, or "random" (fixed, drawn once)
  bool direct_path = true;               ///< include the direct Tx -> Bob link (false: blocked, IRS only)
  int nof_sinusoids = 16;                ///< sinusoids per NLOS entry
  bool rf_signatures = false;            ///< per-transmitter TX-chain gain/phase offsets
  double rf_gain_std_dB = 0.5;           ///< σ of each chain's gain offset [dB]
  double rf_phase_std_deg = 5.0;         ///< σ of each chain's phase offset [deg]
  std::string normalisation = "global";  ///< "global" (keeps received power) or "per_sample" (unit mean power)
  bool phase_reference = true;           ///< rotate each sample so that H[0][0] is real positive
  double train_fraction = 0.6;           ///< share of each trajectory before the test part (paper: 30k / 50k)
  double validation_fraction = 0.1;      ///< share carved out of the end of the training part
  int gap_sequences = 1;                 ///< unused sequences between train, validation and test
  /// where the time split's validation stretch lies: "before_test" (train | gap | validation | gap | test) or
  /// "after_test" (train | gap | test | gap | validation: at the end of the trajectory, so that on a route driven more
  /// than once it revisits trained places as the test stretch does)
  std::string time_validation = "before_test";

  void describe(config::schema& s);
  /// Transmitters in all (legal + spoofers).
  int nof_transmitters() const { return nof_legal + nof_spoofers; }
  /// Sequences per transmitter.
  int sequences_per_transmitter() const { return samples_per_transmitter / sequence_length; }
};

/// The paper-size dataset (`--preset paper`): 50,000 samples per transmitter (1,000 sequences of 50).
void apply_paper_preset(mobility_config& cfg);

/// Route centre of transmitter `i` [m] (x, y, z = tx height).
std::vector<double> route_centre(const mobility_config& cfg, int i);

/// Generates the dataset (its `seed` and `config_toml` are left for the caller). Pure function of (cfg, stream);
/// `nof_threads` changes speed only. `bar` (counting samples) may be null.
mobility_data generate_mobility(const mobility_config& cfg, const rng_stream& stream, unsigned nof_threads,
                                progress* bar);

}  // namespace physec::dataset
