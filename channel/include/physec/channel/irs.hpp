#pragma once
/// @file Intelligent reflecting surface (IRS): an Ny x Nz surface of passive elements with phase shifts θ_n.
///
///     H(t, f) = sqrt(β_d) H_d + sqrt(β_t β_r) G diag(exp(jθ)) F          [nof_rx, nof_tx] per (t, f)
///
/// F: Tx → IRS `[N, nof_tx]`, G: IRS → Rx `[nof_rx, N]`, H_d: Tx → Rx. Each link is Ricean with factor K:
/// sqrt(K/(K+1)) times a LOS part built from the array responses of the geometry (plane waves, directions from
/// the node positions at time t, phase exp(−j2π (f_c + f) d(t) / c) for the link distance d(t)), plus
/// sqrt(1/(K+1)) times an NLOS Rayleigh part (unit-variance entries; sum of sinusoids with a Jakes spectrum when
/// an end moves). This is the LOS-geometric / NLOS-Rayleigh model of the TDGCN paper (DESIGN.md §5).
/// The surface lies in the global y-z plane around `irs_position_m`, Ny elements along y and Nz along z.

#include <cstddef>
#include <string>
#include <vector>

#include "physec/channel/antenna.hpp"
#include "physec/channel/link.hpp"

namespace physec::channel {

/// Configuration of an IRS-assisted link.
struct irs_config {
  std::size_t nof_y = 8;                              ///< elements along y (Ny)
  std::size_t nof_z = 16;                             ///< elements along z (Nz)
  double spacing_wavelengths = 0.5;                   ///< element spacing [λ]
  double carrier_Hz = 3.5e9;                          ///< carrier [Hz]
  std::vector<double> tx_position_m = {0.0, 0.0, 1.5};    ///< transmitter reference point [m]
  std::vector<double> rx_position_m = {40.0, 0.0, 5.0};   ///< receiver reference point [m]
  std::vector<double> irs_position_m = {20.0, 10.0, 3.0}; ///< IRS reference point (element 0) [m]
  std::vector<double> tx_velocity_mps = {2.0, 0.0, 0.0};  ///< transmitter velocity [m/s]
  array_config tx;                                    ///< transmitter array (4-port ULA by default)
  array_config rx;                                    ///< receiver array (3-port ULA by default)
  bool direct_path = true;                            ///< include H_d
  bool nlos = true;                                   ///< include the Rayleigh NLOS parts
  double k_factor_dB = 3.0;                           ///< Ricean K of every link [dB]
  double direct_gain_dB = 0.0;                        ///< β_d [dB]
  double tx_irs_gain_dB = 0.0;                        ///< β_t [dB]
  double irs_rx_gain_dB = 0.0;                        ///< β_r [dB]
  std::string phase_mode = "aligned";                 ///< "fixed", "random" or "aligned" (to the receiver)
  double fixed_phase_deg = 0.0;                       ///< every element's phase in "fixed" mode [deg]
  std::size_t nof_sinusoids = 16;                     ///< sinusoids per NLOS entry

  irs_config();
  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
  std::size_t nof_elements() const { return nof_y * nof_z; }
};

/// Element phases θ_n [rad], `[nof_elements]`, per `cfg.phase_mode`: all `fixed_phase_deg`; uniform random
/// (drawn from `rng`); or aligned so that the LOS cascade adds coherently with the LOS direct path at rx port 0,
/// tx port 0, the carrier, t = 0.
std::vector<double> irs_phases(const irs_config& cfg, rng_stream& rng);

/// One realisation of the IRS-assisted channel. `times_s`: [nof_time]; `freqs_Hz`: [nof_subcarriers] offsets from
/// the carrier; `phases_rad`: [nof_elements]. Returns `[nof_time, nof_rx, nof_tx, nof_subcarriers]`.
ndarray<cdouble> irs_channel(const irs_config& cfg, const std::vector<double>& phases_rad, rng_stream& rng,
                             const std::vector<double>& times_s, const std::vector<double>& freqs_Hz);

}  // namespace physec::channel
