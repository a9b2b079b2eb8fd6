#pragma once
/// @file Seeded random streams. One master seed; named, independent streams derived from it by hashing the
/// name (`"channel/eve"`), so adding a consumer never shifts another's numbers. Streams can be split further by
/// name or by index (`stream.at(i)`), which lets batches be generated in parallel with identical results.
///
/// Generator: xoshiro256** (Blackman & Vigna 2018), seeded through SplitMix64. Distributions are our own
/// (uniform from the top 53 bits; normal by Box-Muller) so the same seed gives the same numbers with every C++
/// standard library, unlike std::normal_distribution, whose algorithm is implementation-defined.

#include <array>
#include <complex>
#include <cstdint>
#include <limits>
#include <string_view>

namespace physec {

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mixer.
std::uint64_t splitmix64(std::uint64_t x) noexcept;

/// 64-bit FNV-1a hash of a byte string, stable across platforms.
std::uint64_t fnv1a64(std::string_view s) noexcept;

/// A random stream. Satisfies UniformRandomBitGenerator, so it can drive std algorithms as well.
class rng_stream {
 public:
  using result_type = std::uint64_t;

  /// The root stream of a master seed.
  explicit rng_stream(std::uint64_t master_seed = 0) noexcept;

  /// An independent child stream identified by name, e.g. `root.derive("channel").derive("eve")`.
  rng_stream derive(std::string_view name) const noexcept;
  /// An independent child stream identified by an index (per sample, per batch, per run).
  rng_stream at(std::uint64_t index) const noexcept;

  /// The identity of this stream (a hash of the master seed and the derivation path).
  std::uint64_t key() const noexcept { return key_; }

  static constexpr result_type min() noexcept { return 0; }
  static constexpr result_type max() noexcept { return std::numeric_limits<result_type>::max(); }
  result_type operator()() noexcept;

  /// Uniform in [0, 1) with 53 random bits.
  double uniform() noexcept;
  /// Uniform in [a, b).
  double uniform(double a, double b) noexcept { return a + (b - a) * uniform(); }
  /// Uniform integer in [0, n), unbiased (Lemire's method). n must be > 0.
  std::uint64_t uniform_int(std::uint64_t n) noexcept;
  /// Standard normal N(0, 1).
  double normal() noexcept;
  /// Circularly-symmetric complex normal CN(0, variance): real and imaginary parts each N(0, variance/2).
  std::complex<double> complex_normal(double variance = 1.0) noexcept;
  /// A fair bit.
  bool bit() noexcept { return ((*this)() >> 63) != 0; }

 private:
  rng_stream(std::uint64_t key, int) noexcept;
  void seed_state() noexcept;

  std::uint64_t key_;
  std::array<std::uint64_t, 4> s_{};
  double spare_normal_ = 0.0;
  bool has_spare_ = false;
};

}  // namespace physec
