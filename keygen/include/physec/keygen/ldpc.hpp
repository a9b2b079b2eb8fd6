#pragma once
/// @file Syndrome-based reconciliation with an LDPC code (Slepian–Wolf coding; Gallager 1962 codes, belief
/// propagation as in MacKay 1999): Alice sends the syndrome s = H·x_A of her bits; Bob finds the string closest to
/// his own with that syndrome by sum-product decoding. One message, no interaction; the leakage is exactly the m
/// syndrome bits.
///
/// The parity-check matrix H [m, n] is drawn from a public seed: every column has the weight its variable's degree
/// says (its checks chosen without repetition, the check degrees kept near-equal by dealing sockets from a shuffled
/// deck). Degrees: all 3 (Gallager's regular code, `ldpc`), or an irregular profile (`ldpc_soft`: see
/// k_ldpc_soft_degrees).

#include <cstdint>
#include <vector>

namespace physec::keygen {

/// A variable-degree profile: (column weight, share of the variables) pairs, shares summing to 1.
using ldpc_degrees = std::vector<std::pair<int, double>>;

/// The regular code: every column weight 3.
inline const ldpc_degrees k_ldpc_regular_degrees{{3, 1.0}};
/// The soft decoder's irregular profile: half the variables of degree 2, 30 % of degree 3, 20 % of degree 8 (chosen
/// by simulation: with Bob's Gaussian LLRs of Gray bits at the default dataset's correlations, 14-20 kbit strings,
/// belief propagation converged at 1.10-1.15 times the soft conditional entropy, the regular code at 1.20;
/// docs/key-agreement.md).
inline const ldpc_degrees k_ldpc_soft_degrees{{2, 0.5}, {3, 0.3}, {8, 0.2}};

class ldpc_code {
 public:
  /// A random code with n variables and m checks (m >= 3) from `seed`, column weights from `degrees` (each at most
  /// m): the first ⌊share·n⌉ variables of a shuffled order get the first degree, and so on.
  ldpc_code(std::size_t n, std::size_t m, std::uint64_t seed, const ldpc_degrees& degrees = k_ldpc_regular_degrees);
  std::size_t nof_bits() const { return var_checks_.size(); }
  std::size_t nof_checks() const { return check_vars_.size(); }
  /// Rate adaptation (blind reconciliation): appends `count` checks drawn from `seed`, each on `row_weight` distinct
  /// variables chosen uniformly (at most n); the first checks and their syndrome bits are unchanged, so a decoder that
  /// failed can be given only the new syndrome bits.
  void add_checks(std::size_t count, std::size_t row_weight, std::uint64_t seed);

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
