#pragma once
/// @file Antenna elements and arrays: the TR 38.901 element pattern (Table 7.3-1) or an isotropic element,
/// single (vertical) or dual (±45° slant) polarisation (model 2, (7.3-4)/(7.3-5)), ULA and UPA geometries.
///
/// Coordinates: the array lies in the y-z plane of its local frame with boresight along local +x; the local frame
/// is rotated about the global z axis by `bearing_deg` (a pure azimuth rotation, so (7.1-15) gives ψ = 0 and the
/// polarisation vectors are unchanged). Angles are zenith θ ∈ [0, π] and azimuth φ in radians.

#include <array>
#include <cstddef>
#include <string>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::channel {

/// Spherical unit vector r̂(θ, φ) = [sinθ cosφ, sinθ sinφ, cosθ], (7.5-23)/(7.5-24).
std::array<double, 3> unit_vector(double zenith_rad, double azimuth_rad);

/// 3GPP element power pattern in the local frame, Table 7.3-1: A(θ', φ') [dB] including the 8 dBi maximum gain.
double element_gain_3gpp_dB(double zenith_rad, double azimuth_rad);

/// Configuration of an antenna array (one per node).
struct array_config {
  std::string element = "isotropic";     ///< "isotropic" or "3gpp" (Table 7.3-1)
  std::string polarisation = "single";   ///< "single" (vertical, ζ = 0) or "dual" (ζ = ±45°)
  std::size_t nof_rows = 1;              ///< vertical elements (along local z); 1 gives a ULA
  std::size_t nof_cols = 1;              ///< horizontal elements (along local y)
  double spacing_h_wavelengths = 0.5;    ///< horizontal spacing d_H [λ]
  double spacing_v_wavelengths = 0.5;    ///< vertical spacing d_V [λ]
  double bearing_deg = 0.0;              ///< boresight azimuth in the global frame [deg]

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }
};

/// An antenna array built from an `array_config`. Element index = (row·nof_cols + col)·nof_pol + pol.
class antenna_array {
 public:
  explicit antenna_array(const array_config& cfg);

  /// Number of antenna ports (elements × polarisations).
  std::size_t size() const noexcept { return positions_.size(); }
  /// Position of port `i` in the global frame [λ], relative to the array's reference point.
  const std::array<double, 3>& position_wavelengths(std::size_t i) const { return positions_[i]; }
  /// Field pattern (F_θ, F_φ) of port `i` towards global angles (θ, φ) [rad], (7.3-4)/(7.3-5).
  std::array<double, 2> field(std::size_t i, double zenith_rad, double azimuth_rad) const;
  /// The element amplitude towards (θ, φ), shared by every port of the array (1 for isotropic elements):
  /// field(i, θ, φ) = element_amplitude(θ, φ) · polarisation(i).
  double element_amplitude(double zenith_rad, double azimuth_rad) const;
  /// (cos ζ_i, sin ζ_i) of port i's slant angle ζ_i (model-2 polarisation, (7.3-4)/(7.3-5)).
  const std::array<double, 2>& polarisation(std::size_t i) const { return polarisation_[i]; }
  /// True when element_amplitude depends on the direction (the 3GPP pattern).
  bool directional() const noexcept { return directional_; }
  const array_config& config() const noexcept { return cfg_; }

 private:
  array_config cfg_;
  std::vector<std::array<double, 3>> positions_;
  std::vector<std::array<double, 2>> polarisation_;
  bool directional_ = false;
};

}  // namespace physec::channel
