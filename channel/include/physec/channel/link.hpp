#pragma once
/// @file Link-level small-scale fading, TR 38.901 §7.7: CDL-A..E (§7.7.1) and TDL-A..E (§7.7.2) as one ray model.
///
/// A realisation is a `ray_set`: clusters (delays) made of rays with power, departure/arrival angles, XPR and
/// random initial phases. Every response is computed from it, (7.5-22)/(7.5-28)/(7.5-29):
///
///     H_u,s(t, f) = Σ_rays sqrt(p_r) F_rx,u(r)^T M_r F_tx,s(r) · exp(j2π r̂_rx·d̄_rx,u/λ) exp(j2π r̂_tx·d̄_tx,s/λ)
///                   · exp(j2π ν_r t) · exp(-j2π f τ_n(r))
///
/// with ν_r = (r̂_rx·v̄_rx + r̂_tx·v̄_tx)/λ (7.5-25, extended to a moving transmitter). A TDL tap is a cluster of
/// `nof_sinusoids` rays on a horizontal ring (classical/Jakes Doppler spectrum by sum of sinusoids), seen by single
/// isotropic antennas. The ray powers sum to 1, so E|H_u,s|² = 1 for isotropic, vertically polarised elements;
/// with `normalise_power` (default) they are rescaled so that E|H_u,s|², averaged over the port pairs of the
/// model's arrays, is 1 for any element pattern and polarisation.

#include <array>
#include <complex>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "physec/channel/antenna.hpp"
#include "physec/channel/ofdm.hpp"
#include "physec/core/config.hpp"
#include "physec/core/ndarray.hpp"
#include "physec/core/rng.hpp"

namespace physec::channel {

using cdouble = std::complex<double>;

/// One realisation of the propagation: clusters and rays. Arrays indexed per ray have `nof_rays()` entries.
struct ray_set {
  double carrier_Hz = 3.5e9;                     ///< carrier [Hz]
  std::array<double, 3> rx_velocity_mps{};       ///< velocity of the receiving end (UE) [m/s]
  std::array<double, 3> tx_velocity_mps{};       ///< velocity of the transmitting end [m/s]
  std::vector<double> cluster_delay_s;           ///< [nof_clusters] delay of each cluster [s]
  std::vector<std::size_t> cluster;              ///< [nof_rays] cluster index of each ray
  std::vector<double> power;                     ///< [nof_rays] linear power (sums to 1 before normalisation)
  std::vector<double> aod_rad, zod_rad;          ///< [nof_rays] departure azimuth / zenith [rad]
  std::vector<double> aoa_rad, zoa_rad;          ///< [nof_rays] arrival azimuth / zenith [rad]
  std::vector<double> xpr_inv_sqrt;              ///< [nof_rays] sqrt(1/κ), κ the XPR (linear)
  std::vector<std::array<double, 4>> phase_rad;  ///< [nof_rays] Φ^θθ, Φ^θφ, Φ^φθ, Φ^φφ [rad]
  std::vector<unsigned char> los;                ///< [nof_rays] 1 for the specular LOS ray ((7.5-29) matrix)

  std::size_t nof_rays() const noexcept { return power.size(); }
  std::size_t nof_clusters() const noexcept { return cluster_delay_s.size(); }
  /// Doppler frequency ν_r of ray r [Hz], (7.5-25).
  double doppler_Hz(std::size_t r) const;
  /// Arrival / departure direction r̂ of ray r (global frame), (7.5-23)/(7.5-24).
  std::array<double, 3> arrival_direction(std::size_t r) const;
  std::array<double, 3> departure_direction(std::size_t r) const;
};

/// Configuration of a link-level model (CDL or TDL, chosen by `profile`).
struct link_config {
  std::string profile = "CDL-C";       ///< CDL-A..E (Tables 7.7.1-1..5) or TDL-A..E (Tables 7.7.2-1..5)
  double delay_spread_s = 100e-9;      ///< desired RMS delay spread [s], (7.7-1)
  double carrier_Hz = 3.5e9;           ///< carrier frequency [Hz]
  double speed_mps = 1.0;              ///< UE (receiving end) speed [m/s]
  double direction_azimuth_deg = 0.0;  ///< UE direction of travel φ_v [deg], (7.5-25)
  double direction_zenith_deg = 90.0;  ///< UE direction of travel θ_v [deg], (7.5-25)
  bool scale_k_factor = false;         ///< rescale the LOS power of CDL-D/E, TDL-D/E to `k_factor_dB` (§7.7.6)
  double k_factor_dB = 13.3;           ///< desired LOS / total-NLOS power ratio [dB] when scale_k_factor is set
  std::size_t nof_sinusoids = 32;      ///< TDL: sinusoids per Rayleigh tap (sum-of-sinusoids Jakes spectrum)
  double los_doppler_cos = 0.7;        ///< TDL: LOS-tap Doppler as a fraction of f_D
  bool normalise_power = true;         ///< rescale so E|H|² averaged over port pairs is 1 (element gains out)
  bool angle_scaling = false;          ///< CDL: scale the ray angles to the desired spreads below, (7.7-5)
  double asd_deg = 10.0;               ///< CDL: desired azimuth spread of departure [deg] (§7.7.5.1)
  double asa_deg = 20.0;               ///< CDL: desired azimuth spread of arrival [deg]
  double zsd_deg = 5.0;                ///< CDL: desired zenith spread of departure [deg]
  double zsa_deg = 5.0;                ///< CDL: desired zenith spread of arrival [deg]
  array_config tx;                     ///< transmitting end (BS, Alice); TDL: single isotropic port
  array_config rx;                     ///< receiving end (UE, Bob); TDL: single isotropic port

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
  bool is_tdl() const { return profile.rfind("TDL", 0) == 0; }
};

/// A link-level model: draws ray sets. Immutable after construction, so one instance serves many threads.
class link_model {
 public:
  virtual ~link_model() = default;
  /// Draws one realisation (pure function of the stream's state).
  virtual ray_set draw(rng_stream& rng) const = 0;
  virtual const link_config& config() const noexcept = 0;
  /// The arrays of both ends (for TDL, single isotropic ports).
  virtual const antenna_array& tx_array() const noexcept = 0;
  virtual const antenna_array& rx_array() const noexcept = 0;
};

/// Factory: validates the config and returns the CDL or TDL model it names.
std::unique_ptr<link_model> make_link_model(link_config cfg);

/// RMS delay spread [s] of a power delay profile (powers linear, any scale). `delays_s`, `powers`: [nof_paths].
double rms_delay_spread_s(const std::vector<double>& delays_s, const std::vector<double>& powers);

/// E|H_u,s|² given the ray angles (expectation over the random phases), averaged over all port pairs of the two
/// arrays: Σ_r p_r [(F_rθ F_tθ)² + (F_rφ F_tφ)² + κ⁻¹((F_rθ F_tφ)² + (F_rφ F_tθ)²)] for NLOS rays and
/// p_r (F_rθ F_tθ − F_rφ F_tφ)² for the LOS ray, from (7.5-22)/(7.5-29).
double mean_port_power(const ray_set& rays, const antenna_array& rx, const antenna_array& tx);

/// Circular angular spread [rad] of angles with powers, TR 38.901 Annex A: sqrt(−2 ln |Σ p e^{jφ} / Σ p|).
/// `angles_rad`, `powers`: [nof_rays].
double circular_angle_spread_rad(const std::vector<double>& angles_rad, const std::vector<double>& powers);

/// Optional displacements of the two ends (the eavesdropper's offset), in metres, global frame.
struct displacement {
  std::array<double, 3> rx_m{};  ///< receiving end shifted by this vector
  std::array<double, 3> tx_m{};  ///< transmitting end shifted by this vector
};

/// Frequency response of a realisation.
/// `times_s`: [nof_time] instants; `freqs_Hz`: [nof_subcarriers] baseband offsets from the carrier.
/// Returns `[nof_time, nof_rx, nof_tx, nof_subcarriers]`.
ndarray<cdouble> frequency_response(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                                    const std::vector<double>& times_s, const std::vector<double>& freqs_Hz,
                                    const displacement& shift = {});

/// Complex tap gains of each cluster, `[nof_time, nof_rx, nof_tx, nof_clusters]` (the delay-domain channel).
ndarray<cdouble> cluster_gains(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                               const std::vector<double>& times_s, const displacement& shift = {});

/// Floating-point operations of one `frequency_response` call, counted from its loops (1 complex
/// multiply-add = 8 flops, a sin/cos pair of sincos_batch = 46), for the benchmark report: single-polarised
/// arrays with their first port at the reference point, no displacement, times from 0, the subcarrier exponentials
/// already computed for the model's delays (they are reused from call to call).
double frequency_response_flops(std::size_t nof_rays, std::size_t nof_clusters, std::size_t nof_rx,
                                std::size_t nof_tx, std::size_t nof_time, std::size_t nof_subcarriers);

/// CSI of `count` independent realisations on `grid` (symbol times from t = 0), realisation i drawn from
/// `stream.at(first + i)`. Returns `[count, nof_symbols, nof_rx, nof_tx, nof_subcarriers]`. The samples are split
/// over `nof_threads` threads; the result does not depend on the number of threads.
ndarray<cdouble> generate_csi(const link_model& model, const ofdm_grid& grid, const rng_stream& stream,
                              std::size_t first, std::size_t count, unsigned nof_threads = 1);

}  // namespace physec::channel
