#pragma once
/// @file Syndrome-based reconciliation with an LDPC code (Slepian–Wolf coding; Gallager 1962 codes, belief
/// propagation as in MacKay 1999): Alice sends the syndrome s = H·x_A of her bits; Bob finds the string closest to
/// his own with that syndrome by sum-product decoding. One message, no interaction; the leakage is exactly the m
/// syndrome bits.
///
/// The parity-check matrix H [m, n] is drawn from a public seed: every column has weight 3 (its checks chosen
/// without repetition, the check degrees kept within one of each other by dealing sockets from a shuffled deck).

#include <cstdint>
#include <vector>

namespace physec::keygen {

class ldpc_code {
 public:
  /// A random column-weight-3 code with n variables and m checks (m >= 3) from `seed`.
  ldpc_code(std::size_t n, std::size_t m, std::uint64_t seed);
  std::size_t nof_bits() const { return var_checks_.size(); }
  std::size_t nof_checks() const { return check_vars_.size(); }
  /// H·x over GF(2) [m].
  std::vector<std::uint8_t> syndrome(const std::vector<std::uint8_t>& x) const;
  /// Sum-product decoding: corrects `y` in place towards the string with syndrome `s`, each bit of `y` wrong with
  /// probability `p`. Returns true when the syndrome is met (within `max_iterations`).
  bool decode(std::vector<std::uint8_t>& y, const std::vector<std::uint8_t>& s, double p, int max_iterations = 100) const;
  /// Soft-decision decoding: `llr[v]` = ln P(x_v = 0 | Bob's observation) / P(x_v = 1 | ...) per bit (Bob's
  /// posterior of Alice's bit); `y` receives the decoded string. Returns true when the syndrome is met.
  bool decode_llr(std::vector<std::uint8_t>& y, const std::vector<std::uint8_t>& s, const std::vector<double>& llr,
                  int max_iterations = 100) const;

 private:
  std::vector<std::vector<std::uint32_t>> check_vars_;  ///< per check: its variables
  std::vector<std::vector<std::uint32_t>> var_checks_;  ///< per variable: its checks
};

/// Syndrome length for n bits at error rate p with the efficiency factor f: ⌈f·n·h(p)⌉ (at least 3, at most n).
std::size_t ldpc_syndrome_bits(std::size_t n, double p, double f);

}  // namespace physec::keygen
