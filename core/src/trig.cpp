#include "physec/core/trig.hpp"

#include <cmath>
#include <cstdint>
#include <cstring>

namespace physec {

namespace {

// π/2 = C1 + C2 + C3: C1 and C2 carry 33 significant bits each, so n·C1 and n·C2 are exact for |n| < 2^20 (the
// limit above is 2^19.3 · π/2); C3 is the rest, rounded. Computed from 76 decimal digits of π with exact rationals.
constexpr double c1 = 0x1.921fb544p+0, c2 = 0x1.0b4611a6p-34, c3 = 0x1.3198a2e037073p-69;
constexpr double two_over_pi = 0x1.45f306dc9c883p-1;
// Adding 1.5·2^52 rounds a double of magnitude below 2^51 to an integer (round half to even) in its low mantissa
// bits; subtracting it back gives that integer as a double. No rounding-mode call, so the loop vectorises.
constexpr double round_magic = 0x1.8p52;

constexpr double inv_factorial(int k) {
  double f = 1;
  for (int i = 2; i <= k; ++i) f *= i;
  return 1.0 / f;
}
// Taylor coefficients; on |r| ≤ π/4 the first omitted terms are below 1e-19 (sin: r^19/19!, cos: r^20/20!).
constexpr double s3 = -inv_factorial(3), s5 = inv_factorial(5), s7 = -inv_factorial(7), s9 = inv_factorial(9),
                 s11 = -inv_factorial(11), s13 = inv_factorial(13), s15 = -inv_factorial(15),
                 s17 = inv_factorial(17);
constexpr double k4 = inv_factorial(4), k6 = -inv_factorial(6), k8 = inv_factorial(8), k10 = -inv_factorial(10),
                 k12 = inv_factorial(12), k14 = -inv_factorial(14), k16 = inv_factorial(16),
                 k18 = -inv_factorial(18);

std::uint64_t bits(double x) {
  std::uint64_t u;
  std::memcpy(&u, &x, sizeof u);
  return u;
}
double from_bits(std::uint64_t u) {
  double x;
  std::memcpy(&x, &u, sizeof x);
  return x;
}

// The vector path. Quadrant q = n mod 4 from the low bits of the rounded sum; sin and cos of the reduced argument r,
// then swapped (q odd) and negated by bit masks: integer operations, so every SIMD width gives the same bits.
// Returns how many arguments lie outside ±sincos_batch_limit (NaN included), counted in the same pass as an integer,
// which vectorises (a separate bool reduction did not, and cost a quarter of the kernel's time).
__attribute__((target_clones("avx512f", "avx2", "default"))) std::uint64_t sincos_kernel(const double* x, double* s,
                                                                                         double* c, std::size_t n) {
  std::uint64_t outside = 0;
  for (std::size_t i = 0; i < n; ++i) {
    outside += !(std::fabs(x[i]) <= sincos_batch_limit);
    const double t = x[i] * two_over_pi + round_magic;
    const std::uint64_t q = bits(t);
    const double k = t - round_magic;
    const double r = ((x[i] - k * c1) - k * c2) - k * c3;
    const double r2 = r * r;
    const double sr =
        r + r * r2 * (s3 + r2 * (s5 + r2 * (s7 + r2 * (s9 + r2 * (s11 + r2 * (s13 + r2 * (s15 + r2 * s17)))))));
    const double cr =
        1.0 - 0.5 * r2 +
        r2 * r2 * (k4 + r2 * (k6 + r2 * (k8 + r2 * (k10 + r2 * (k12 + r2 * (k14 + r2 * (k16 + r2 * k18)))))));
    const std::uint64_t swap = std::uint64_t{0} - (q & 1);  // all ones in odd quadrants
    const std::uint64_t sr_bits = bits(sr), cr_bits = bits(cr);
    const std::uint64_t sin_bits = (cr_bits & swap) | (sr_bits & ~swap);
    const std::uint64_t cos_bits = (sr_bits & swap) | (cr_bits & ~swap);
    // sin(r + qπ/2): −sin in quadrants 2, 3; cos(r + qπ/2): −sin in 1, −cos in 2, sin in 3.
    s[i] = from_bits(sin_bits ^ ((q & 2) << 62));
    c[i] = from_bits(cos_bits ^ (((q + 1) & 2) << 62));
  }
  return outside;
}

}  // namespace

void sincos_batch(const double* x, double* s, double* c, std::size_t n) {
  if (sincos_kernel(x, s, c, n) == 0) return;
  for (std::size_t i = 0; i < n; ++i) {
    s[i] = std::sin(x[i]);
    c[i] = std::cos(x[i]);
  }
}

}  // namespace physec
