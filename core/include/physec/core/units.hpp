#pragma once
/// @file Physical constants and unit conversions. Names carry their unit as a suffix.

#include <cmath>

namespace physec {

constexpr double pi = 3.14159265358979323846;
constexpr double speed_of_light_mps = 299792458.0;  ///< [m/s], exact by definition (SI)

/// Power ratio from decibels: 10^(x/10).
inline double db_to_linear(double x_dB) { return std::pow(10.0, x_dB / 10.0); }
/// Decibels from a power ratio: 10·log10(x).
inline double linear_to_db(double x) { return 10.0 * std::log10(x); }
/// Watts from dBm.
inline double dbm_to_watt(double x_dBm) { return std::pow(10.0, (x_dBm - 30.0) / 10.0); }
/// Wavelength [m] of a carrier [Hz].
inline double wavelength_m(double carrier_Hz) { return speed_of_light_mps / carrier_Hz; }
/// Degrees to radians.
constexpr double deg_to_rad(double deg) { return deg * pi / 180.0; }
/// Radians to degrees.
constexpr double rad_to_deg(double rad) { return rad * 180.0 / pi; }

}  // namespace physec
