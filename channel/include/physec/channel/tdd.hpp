#pragma once
/// @file TDD reciprocity, what breaks it, and an eavesdropper (DESIGN.md §4).
///
/// Alice is the transmitting end of the link model (BS) and Bob the receiving end (UE). Downlink and uplink share
/// one ray set, so at the same instant H_ba = H_ab^T exactly. A probe event is a downlink probe (Alice → Bob) at
/// t_down and an uplink probe (Bob → Alice) at t_up = t_down + up_down_gap_s; Doppler ages the channel in between.
/// Each receiver forms a least-squares estimate (unit pilots) through its impairments:
///
///     Y = diag(r_rx) H diag(t_tx) · exp(j(2π(f_tx − f_rx) t + φ_pn(t))) + N,   Ĥ_LS = Y / 1
///
/// r, t: per-port RF-chain gains drawn once per device; f: residual LO offsets drawn once per device (t: absolute
/// time); φ_pn: a uniform random LO phase per reception plus a Wiener phase-noise process over the probe's symbols; N: CN(0, 1/SNR) per resource element. With the ADC on, each port's probe
/// carries unit-modulus random-phase pilots X_k; the received H_k X_k is taken to the time domain (unitary DFT over
/// the subcarriers), noise is added there, each real dimension is quantised, and Ĥ_k = Y_k / X_k after the DFT. Eve, at `offset_m` from Bob (or Alice), sees the same rays from her position:
/// each ray gets exp(j2π r̂·Δx/λ) with r̂ the ray's direction at that end. The probe from the node she stands next
/// to reaches her over an independent short-range link (another draw of the same model).

#include <cstdint>
#include <string>
#include <vector>

#include "physec/channel/link.hpp"

namespace physec::channel {

/// What breaks reciprocity; each part switchable, with physical parameters.
struct impairments_config {
  bool estimation_noise = true;     ///< LS channel-estimation noise
  double snr_dB = 20.0;             ///< per-resource-element SNR of the probes [dB]
  bool rf_mismatch = false;         ///< per-port TX/RX RF-chain mismatch, drawn once per device
  double rf_gain_std_dB = 0.5;      ///< standard deviation of each RF chain's gain [dB]
  double rf_phase_std_deg = 10.0;   ///< standard deviation of each RF chain's phase [deg]
  bool cfo = false;                 ///< residual carrier frequency offset of every device's LO
  double cfo_max_Hz = 350.0;        ///< each device's residual LO offset is uniform in ±cfo_max_Hz [Hz] (TS 38.101-1
                                    ///< §6.4.1: ±0.1 ppm at 3.5 GHz)
  bool phase_noise = false;         ///< common phase error per OFDM symbol (Wiener process)
  double phase_noise_std_deg = 1.0; ///< standard deviation of the phase increment per symbol [deg]
  bool adc = false;                 ///< quantise the received samples
  std::size_t adc_bits = 8;         ///< ADC resolution per real dimension [bits]
  double adc_clip_rms = 4.0;        ///< ADC full scale relative to the RMS of the received samples

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
  /// Every impairment off (the exact-reciprocity case).
  static impairments_config none();
};

/// The eavesdropper.
struct eve_config {
  bool enabled = true;                            ///< simulate Eve
  std::string near = "bob";                       ///< "bob" or "alice": the node whose position Eve shares rays with
  std::vector<double> offset_m = {0.0428, 0, 0};  ///< Eve's position minus that node's [m] (x, y, z)

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
};

/// A TDD link with its probes.
struct tdd_config {
  link_config link;                ///< propagation; tx = Alice (BS), rx = Bob (UE)
  ofdm_grid grid;                  ///< the probe's resource grid
  double up_down_gap_s = 0.5e-3;   ///< uplink probe start minus downlink probe start [s]
  bool independent_events = true;  ///< a new channel realisation per event, else one realisation in time
  double probe_period_s = 10e-3;   ///< time between events when they share a realisation [s]
  impairments_config impairments;  ///< what breaks reciprocity
  eve_config eve;                  ///< the eavesdropper

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
};

/// One probe event. Shapes: A = Alice's ports, B = Bob's, E = Eve's, T = nof_symbols, K = nof_subcarriers.
struct probe_event {
  double time_down_s = 0;            ///< start of the downlink probe [s]
  double time_up_s = 0;              ///< start of the uplink probe [s]
  ndarray<cdouble> clean_ab;         ///< [T, B, A, K] H_ab (Alice → Bob) during the downlink probe
  ndarray<cdouble> clean_ba;         ///< [T, A, B, K] H_ba = H_ab^T during the uplink probe
  ndarray<cdouble> bob;              ///< [T, B, A, K] Bob's estimate of the downlink
  ndarray<cdouble> alice;            ///< [T, A, B, K] Alice's estimate of the uplink
  ndarray<cdouble> clean_eve_from_alice;  ///< [T, E, A, K] channel Alice → Eve (downlink probe)
  ndarray<cdouble> clean_eve_from_bob;    ///< [T, E, B, K] channel Bob → Eve (uplink probe)
  ndarray<cdouble> eve_from_alice;   ///< [T, E, A, K] Eve's estimate of Alice's probe
  ndarray<cdouble> eve_from_bob;     ///< [T, E, B, K] Eve's estimate of Bob's probe
};

/// Per-port RF chains and LO offset of one device, drawn once.
struct device_state {
  std::vector<cdouble> tx_gain;  ///< [nof_ports] complex TX chain gains
  std::vector<cdouble> rx_gain;  ///< [nof_ports] complex RX chain gains
  double lo_offset_Hz = 0;       ///< residual LO offset [Hz]
};

/// A TDD link: probe events as a pure function of (config, stream, event index); thread-safe.
class tdd_link {
 public:
  /// Validates `cfg`; draws the devices' RF chains and LO offsets from `stream`.
  tdd_link(tdd_config cfg, const rng_stream& stream);

  /// Probe event `index` (its randomness from `stream.at(index)`-derived streams).
  probe_event probe(std::uint64_t index) const;
  /// Events first .. first+count−1 on `nof_threads` threads; identical for any thread count.
  std::vector<probe_event> probe_batch(std::uint64_t first, std::size_t count, unsigned nof_threads = 1) const;

  const tdd_config& config() const noexcept { return cfg_; }
  const device_state& alice() const noexcept { return alice_; }
  const device_state& bob() const noexcept { return bob_; }
  const device_state& eve() const noexcept { return eve_; }

 private:
  /// `t0_s`: start of the probe [s] (the CFO rotates with absolute time).
  ndarray<cdouble> receive(const ndarray<cdouble>& clean, const device_state& rx, const device_state& tx, double t0_s,
                           rng_stream rng) const;

  tdd_config cfg_;
  rng_stream stream_;
  std::unique_ptr<link_model> model_;
  antenna_array eve_array_;
  device_state alice_, bob_, eve_;
  ray_set shared_rays_, eve_link_rays_;  // used when events share one realisation
};

/// Swaps the ends of a link: `[T, R, S, K]` → `[T, S, R, K]` (H^T per time and subcarrier).
ndarray<cdouble> transpose_link(const ndarray<cdouble>& h);

/// ADC model: mid-rise uniform quantiser of `bits` per real dimension with full scale ±`full_scale`, clipping.
double quantise(double x, std::size_t bits, double full_scale);

}  // namespace physec::channel
