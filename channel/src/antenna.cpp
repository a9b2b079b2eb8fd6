#include "physec/channel/antenna.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/units.hpp"

namespace physec::channel {

std::array<double, 3> unit_vector(double zenith_rad, double azimuth_rad) {
  const double st = std::sin(zenith_rad);
  return {st * std::cos(azimuth_rad), st * std::sin(azimuth_rad), std::cos(zenith_rad)};
}

double element_gain_3gpp_dB(double zenith_rad, double azimuth_rad) {
  // Table 7.3-1: 65° half-power beamwidths, SLA_V = A_max = 30 dB, G_E,max = 8 dBi.
  constexpr double beamwidth_deg = 65.0, sla_v_dB = 30.0, a_max_dB = 30.0, g_max_dBi = 8.0;
  const double theta_deg = rad_to_deg(zenith_rad);
  const double phi_deg = rad_to_deg(std::remainder(azimuth_rad, 2.0 * pi));  // wrap to [-180, 180]
  const double a_v = -std::min(12.0 * std::pow((theta_deg - 90.0) / beamwidth_deg, 2), sla_v_dB);
  const double a_h = -std::min(12.0 * std::pow(phi_deg / beamwidth_deg, 2), a_max_dB);
  return g_max_dBi - std::min(-(a_v + a_h), a_max_dB);
}

void array_config::describe(physec::config::schema& s) {
  s.add("element", element, "element pattern").choices({"isotropic", "3gpp"}).source("TR 38.901 Table 7.3-1");
  s.add("polarisation", polarisation, "single (vertical) or dual (+-45 deg slant) polarisation")
      .choices({"single", "dual"})
      .source("TR 38.901 7.3, model 2");
  s.add("nof_rows", nof_rows, "vertical elements (1 = ULA)").range(1, 64).source("ours");
  s.add("nof_cols", nof_cols, "horizontal elements").range(1, 64).source("ours");
  s.add("spacing_h_wavelengths", spacing_h_wavelengths, "horizontal element spacing [wavelengths]")
      .range(0.01, 100.0)
      .source("TR 38.901 Table 7.8-2 (0.5)");
  s.add("spacing_v_wavelengths", spacing_v_wavelengths, "vertical element spacing [wavelengths]")
      .range(0.01, 100.0)
      .source("TR 38.901 Table 7.8-2 (0.5)");
  s.add("bearing_deg", bearing_deg, "boresight azimuth in the global frame [deg]").range(-360.0, 360.0).source("ours");
}

antenna_array::antenna_array(const array_config& cfg) : cfg_(cfg), directional_(cfg.element == "3gpp") {
  const bool dual = cfg.polarisation == "dual";
  const double c = std::cos(deg_to_rad(cfg.bearing_deg)), s = std::sin(deg_to_rad(cfg.bearing_deg));
  for (std::size_t r = 0; r < cfg.nof_rows; ++r)
    for (std::size_t q = 0; q < cfg.nof_cols; ++q)
      for (int p = 0; p < (dual ? 2 : 1); ++p) {
        // Local position [0, y, z]; rotated about z by the bearing.
        const double y = static_cast<double>(q) * cfg.spacing_h_wavelengths;
        const double z = static_cast<double>(r) * cfg.spacing_v_wavelengths;
        positions_.push_back({-s * y, c * y, z});
        const double slant = dual ? deg_to_rad(p == 0 ? 45.0 : -45.0) : 0.0;
        polarisation_.push_back({std::cos(slant), std::sin(slant)});
      }
}

double antenna_array::element_amplitude(double zenith_rad, double azimuth_rad) const {
  if (!directional_) return 1.0;
  return std::sqrt(db_to_linear(element_gain_3gpp_dB(zenith_rad, azimuth_rad - deg_to_rad(cfg_.bearing_deg))));
}

std::array<double, 2> antenna_array::field(std::size_t i, double zenith_rad, double azimuth_rad) const {
  // (7.3-4), (7.3-5): model-2 slant polarisation.
  const double amplitude = element_amplitude(zenith_rad, azimuth_rad);
  return {amplitude * polarisation_[i][0], amplitude * polarisation_[i][1]};
}

}  // namespace physec::channel
