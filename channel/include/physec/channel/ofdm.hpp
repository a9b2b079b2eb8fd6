#pragma once
/// @file The NR resource grid the channel is sampled on (TS 38.211 §4.2/§5.3 numerology, normal cyclic prefix).

#include <cstddef>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::channel {

/// An OFDM grid: subcarrier spacing, number of subcarriers and symbols per slot.
struct ofdm_grid {
  double scs_Hz = 30e3;              ///< subcarrier spacing [Hz]
  std::size_t nof_subcarriers = 72;  ///< sampled subcarriers (6 resource blocks)
  std::size_t nof_symbols = 14;      ///< OFDM symbols per probe (one slot, normal CP)

  void describe(physec::config::schema& s);
  void validate() { physec::config::validate(*this); }

  /// Average OFDM symbol duration including the cyclic prefix [s]: a slot of 14 symbols lasts 1 ms·15 kHz/SCS.
  double symbol_duration_s() const { return 1e-3 * 15e3 / scs_Hz / 14.0; }
  /// Baseband subcarrier offsets f_k = (k − nof_subcarriers/2)·SCS [Hz]; `[nof_subcarriers]`.
  std::vector<double> subcarrier_offsets_Hz() const;
  /// Start times of the symbols of a probe starting at `t0_s` [s]; `[nof_symbols]`.
  std::vector<double> symbol_times_s(double t0_s) const;
};

}  // namespace physec::channel
