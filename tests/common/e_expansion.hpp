#pragma once
// The binary expansion of e computed with MPFR (never from a file the code wrote): SP 800-22 Appendix B's test
// sequence, for the regression test and the start-up benchmark (bench/app/e_bits).
#include <gmp.h>
#include <mpfr.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace physec::testing {

/// The first n bits (n >= 2) of e = 10.1011011111…₂ (integer bits included), MSB first.
inline std::vector<std::uint8_t> e_bits(std::size_t n) {
  mpfr_t e;
  mpfr_init2(e, static_cast<mpfr_prec_t>(n + 128));
  mpfr_set_ui(e, 1, MPFR_RNDN);
  mpfr_exp(e, e, MPFR_RNDN);             // e, correctly rounded to n + 128 bits
  mpfr_mul_2ui(e, e, n - 2, MPFR_RNDN);  // e · 2^(n−2), exact
  mpz_t z;
  mpz_init(z);
  mpfr_get_z(z, e, MPFR_RNDZ);  // floor: n bits, 2^(n−1) <= z < 2^n
  std::vector<std::uint8_t> bits(n);
  for (std::size_t i = 0; i < n; ++i) bits[i] = static_cast<std::uint8_t>(mpz_tstbit(z, n - 1 - i));
  mpz_clear(z);
  mpfr_clear(e);
  return bits;
}

}  // namespace physec::testing
