#pragma once
// Inputs shared by the key-agreement tests: fixed-seed random bit strings and a calibration that leaves plenty of
// secret bits, so that a session's outcome depends only on what the test does to it.
#include <cstdint>
#include <vector>

#include "physec/core/rng.hpp"
#include "physec/keygen/protocol.hpp"

namespace physec::testing {

inline std::vector<std::uint8_t> random_bits(std::size_t n, std::uint64_t seed) {
  auto r = physec::rng_stream(seed).derive("bits");
  std::vector<std::uint8_t> b(n);
  for (auto& x : b) x = r.bit() ? 1 : 0;
  return b;
}

/// `probes` realisations of 72 secret bits each (of 80), no dispersion.
inline keygen::pa_calibration generous(std::size_t probes) {
  keygen::pa_calibration c;
  c.nof_realisations = static_cast<double>(probes);
  c.h_total = 72.0 * static_cast<double>(probes);
  c.max_bits_per_realisation = 80;
  c.error_rate = 0.05;
  return c;
}

}  // namespace physec::testing
