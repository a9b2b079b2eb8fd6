#include "physec/core/rng.hpp"

#include <cmath>

namespace physec {

std::uint64_t splitmix64(std::uint64_t x) noexcept {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

std::uint64_t fnv1a64(std::string_view s) noexcept {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  return h;
}

namespace {
__extension__ typedef unsigned __int128 u128;
inline std::uint64_t rotl(std::uint64_t x, int k) noexcept { return (x << k) | (x >> (64 - k)); }
// Distinct domain tags so that derive("3") and at(3) are different streams.
constexpr std::uint64_t k_tag_root = 0x5048595345432d30ULL;   // "PHYSEC-0"
constexpr std::uint64_t k_tag_name = 0x6e616d6564737472ULL;
constexpr std::uint64_t k_tag_index = 0x696e646578737472ULL;
}  // namespace

rng_stream::rng_stream(std::uint64_t master_seed) noexcept : key_(splitmix64(master_seed ^ k_tag_root)) {
  seed_state();
}

rng_stream::rng_stream(std::uint64_t key, int) noexcept : key_(key) { seed_state(); }

void rng_stream::seed_state() noexcept {
  std::uint64_t x = key_;
  for (auto& w : s_) {
    x = splitmix64(x);
    w = x;
  }
  if ((s_[0] | s_[1] | s_[2] | s_[3]) == 0) s_[0] = 1;  // the all-zero state is the one fixed point
}

rng_stream rng_stream::derive(std::string_view name) const noexcept {
  return rng_stream(splitmix64(key_ ^ splitmix64(fnv1a64(name) ^ k_tag_name)), 0);
}

rng_stream rng_stream::at(std::uint64_t index) const noexcept {
  return rng_stream(splitmix64(key_ ^ splitmix64(index ^ k_tag_index)), 0);
}

rng_stream::result_type rng_stream::operator()() noexcept {
  // xoshiro256** 1.0
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double rng_stream::uniform() noexcept { return static_cast<double>((*this)() >> 11) * 0x1.0p-53; }

std::uint64_t rng_stream::uniform_int(std::uint64_t n) noexcept {
  // Lemire, "Fast random integer generation in an interval", ACM TOMACS 2019.
  u128 m = static_cast<u128>((*this)()) * n;
  auto low = static_cast<std::uint64_t>(m);
  if (low < n) {
    const std::uint64_t threshold = (0 - n) % n;
    while (low < threshold) {
      m = static_cast<u128>((*this)()) * n;
      low = static_cast<std::uint64_t>(m);
    }
  }
  return static_cast<std::uint64_t>(m >> 64);
}

double rng_stream::normal() noexcept {
  if (has_spare_) {
    has_spare_ = false;
    return spare_normal_;
  }
  // Box-Muller; u1 in (0, 1] so the log is finite.
  const double u1 = 1.0 - uniform();
  const double u2 = uniform();
  const double r = std::sqrt(-2.0 * std::log(u1));
  constexpr double two_pi = 6.283185307179586476925286766559;
  spare_normal_ = r * std::sin(two_pi * u2);
  has_spare_ = true;
  return r * std::cos(two_pi * u2);
}

std::complex<double> rng_stream::complex_normal(double variance) noexcept {
  const double s = std::sqrt(variance / 2.0);
  const double re = normal();
  const double im = normal();
  return {s * re, s * im};
}

}  // namespace physec
