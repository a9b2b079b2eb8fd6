#pragma once
// The party under attack in fuzz_frames, and the honest sessions make_frame_seeds records as its seeds: the same
// configuration, calibration and bit strings in both, so that a seed drives the party through a whole session.
#include <cstddef>
#include <cstdint>
#include <vector>

#include "physec/keygen/protocol.hpp"

namespace physec::fuzz {

constexpr std::size_t k_frames_bits = 1024;
constexpr std::uint64_t k_party_seed = 0x9e3779b97f4a7c15ull;
constexpr std::uint64_t k_eve_seed = 12345;
constexpr std::uint64_t k_alice_public_seed = 11;

/// Options byte: bit 0 the party under attack is Alice (else Bob); bit 1 LDPC (else Cascade); bit 2 Alice reveals
/// a 32-bit error-rate sample; bit 3 a pre-shared key.
inline keygen::agree_config frames_config(std::uint8_t options) {
  keygen::agree_config cfg;
  cfg.public_seed = 7;  // fixes Bob's nonce: a recorded session replays
  cfg.timeout_s = 1;
  cfg.session_timeout_s = 5;
  if (options & 2) cfg.reconciliation = "ldpc";
  if (options & 4) cfg.nof_sample_bits = 32;
  if (options & 8) cfg.psk = keygen::secure_bytes(std::vector<std::uint8_t>(32, 0x5a));
  return cfg;
}

inline keygen::pa_calibration frames_calibration() {
  keygen::pa_calibration cal;
  cal.nof_realisations = 8;
  cal.h_total = 8 * 128;  // every bit secret: LDPC sessions too end with a key
  cal.max_bits_per_realisation = 128;
  cal.error_rate = 0.05;
  return cal;
}

/// A fixed bit string (xorshift64); `flip_every` > 0 flips every flip_every-th bit (the other party's errors).
inline std::vector<std::uint8_t> fixed_bits(std::size_t n, std::uint64_t x, std::size_t flip_every = 0) {
  std::vector<std::uint8_t> b(n);
  for (std::size_t i = 0; i < n; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    b[i] = static_cast<std::uint8_t>(x & 1);
    if (flip_every && i % flip_every == flip_every / 2) b[i] ^= 1;
  }
  return b;
}

}  // namespace physec::fuzz
