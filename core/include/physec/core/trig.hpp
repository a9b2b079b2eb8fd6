#pragma once
// Sine and cosine of many arguments at once: the channel simulator's phasors (issue #17). A loop the compiler turns
// into SIMD code (SSE2 everywhere, AVX2 or AVX-512 where the CPU has it, chosen at run time with the same bits), instead of one
// libm call per argument.

#include <cstddef>

namespace physec {

/// Arguments up to this magnitude [rad] take the vector path; a batch holding a larger one (or a NaN or infinity)
/// is computed with std::sin / std::cos instead, element by element.
inline constexpr double sincos_batch_limit = 1.0e6;

/// s[i] = sin(x[i]), c[i] = cos(x[i]) for i < n. Error within 3 ulp of the exact value (measured worst 2.2: the reduced argument is rounded twice) (Cody-Waite
/// reduction by π/2 in three parts, Taylor polynomials of degree 17 / 18 on [−π/4, π/4]). `s` and `c` may not
/// overlap `x`.
void sincos_batch(const double* x, double* s, double* c, std::size_t n);

}  // namespace physec
