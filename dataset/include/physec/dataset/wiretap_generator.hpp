#pragma once
/// @file Generates the PSKG wiretap dataset over TR 38.901 CDL/TDL links (the channel layer): every setting
/// (profile x delay spread x UE speed x SNR) is one link whose channel evolves in time (Doppler of the moving UE),
/// probed every `probe_interval_s` (by default one coherence time, so that probes are independent realisations);
/// `iid_probes` draws a fresh channel per probe instead. Alice's and Bob's imperfect estimates, and Eve's at several
/// distances from Bob. Splits are contiguous in time per link (train, then validation, then test), so that no
/// realisation crosses splits.
///
/// Roles follow the channel layer: Alice is the transmitting end of the link model (gNB), Bob the receiving,
/// moving end (UE); Eve stands at a configured distance from Bob and estimates Alice's downlink probe.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "physec/channel/tdd.hpp"
#include "physec/core/config.hpp"
#include "physec/core/progress.hpp"
#include "physec/dataset/wiretap.hpp"

namespace physec::dataset {

/// The wiretap default impairments: every one on (LS estimation noise, RF-chain gain/phase mismatch, CFO with a
/// random LO phase per reception, Wiener phase noise, 8-bit ADC), with the channel layer's cited values.
inline channel::impairments_config wiretap_impairments() {
  channel::impairments_config c;
  c.rf_mismatch = c.cfo = c.phase_noise = c.adc = true;
  return c;
}

struct wiretap_config {
  std::vector<std::string> profiles{"CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E",
                                    "TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E"};  ///< TR 38.901 §7.7.1/§7.7.2
  std::vector<double> delay_spreads_s{100e-9};      ///< desired RMS delay spreads [s] ("nominal", Table 7.7.3-1)
  std::vector<double> speeds_mps{3.0};              ///< UE (Bob) speeds [m/s]: ~11 km/h
  std::vector<double> snrs_dB{0, 10, 20, 30};       ///< probe SNRs [dB]
  std::vector<double> eve_distances_wavelengths{0.5, 2};  ///< Eve's distances from Bob [λ]
  std::vector<double> eve_near_alice_wavelengths{0.5};  ///< Eve's distances from Alice [λ] (more positions, after
                                                        ///< those near Bob; needs equal port counts at Alice and Bob)
  double eve_azimuth_deg = 0.0;      ///< direction of Eve's offset from Bob, azimuth in the horizontal plane [deg]
  int probes_per_setting = 120;      ///< probe events per (profile, delay spread, speed, SNR): one link each
  bool iid_probes = false;           ///< a fresh channel realisation per probe (else one evolving channel per link)
  double probe_interval_s = 0;       ///< time between probes of a link [s]; 0: one coherence time 0.423·λ/v
  double train_fraction = 0.4;       ///< share of probe events in the training split (calibration)
  double validation_fraction = 0.2;  ///< share in the validation split (the rest is test)
  double carrier_Hz = 3.5e9;         ///< carrier [Hz]
  channel::ofdm_grid grid;           ///< NR grid of each probe
  double up_down_gap_s = 0.5e-3;     ///< uplink probe start minus downlink probe start [s]
  channel::array_config alice_array;  ///< Alice's (gNB's) array
  channel::array_config bob_array;    ///< Bob's (UE's) array; Eve has the same
  channel::impairments_config impairments = wiretap_impairments();  ///< what breaks reciprocity, all on (its snr_dB is
                                                                    ///< replaced by each of snrs_dB)

  void describe(config::schema& s);
  /// Eve positions: near Bob, then near Alice.
  std::size_t nof_eve() const;
  /// Number of probe events the config generates.
  std::size_t nof_probes() const;
};

/// Coherence time 0.423/f_D with f_D = v/λ (Rappaport, Wireless Communications, 2nd ed., eq. 5.40.c) [s];
/// infinite for v = 0.
double coherence_time_s(double speed_mps, double carrier_Hz);

/// The paper-size sweep (`--preset paper`): every delay spread of Table 7.7.3-1 but "very-long", 100 probes per
/// setting.
void apply_paper_preset(wiretap_config& cfg);

/// Generates the dataset setting by setting (profile x delay spread x speed x SNR, in that order): `sink` gets each
/// setting's `probes_per_setting` probes as one block, labels included (`seed` and `config_toml` empty); the blocks,
/// concatenated, are what generate_wiretap() returns. Memory: one setting at a time (wiretap_writer streams the
/// blocks into a file).
void generate_wiretap_blocks(const wiretap_config& cfg, const rng_stream& stream, unsigned nof_threads, progress* bar,
                             const std::function<void(const wiretap_data& block)>& sink);

/// Generates the dataset (its `seed` and `config_toml` are left for the caller to fill). Pure function of
/// (cfg, stream); `nof_threads` changes speed only. `bar` may be null.
wiretap_data generate_wiretap(const wiretap_config& cfg, const rng_stream& stream, unsigned nof_threads,
                              progress* bar);

}  // namespace physec::dataset
