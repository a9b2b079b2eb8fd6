#pragma once
/// @file Privacy amplification: universal hashing with a random Toeplitz matrix (Carter & Wegman 1979; Krawczyk,
/// CRYPTO 1994 for Toeplitz), the output length from the leftover hash lemma (Impagliazzo, Levin & Luby 1989;
/// Bennett, Brassard, Crépeau & Maurer 1995), and an SP 800-90B-style min-entropy estimate.

#include <cstdint>
#include <string>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::keygen {

/// Toeplitz hash of `x` (n bits, 0/1 bytes) to `m` bits with the matrix T[i][j] = seed[i − j + n − 1]
/// (i < m, j < n), whose n + m − 1 seed bits are public: y = T·x over GF(2). Bit-sliced: x is packed into 64-bit
/// words once and every output bit is the parity of a word-wise AND with the seed shifted to the row,
/// O(m·n/64) word operations.
std::vector<std::uint8_t> toeplitz_hash(const std::vector<std::uint8_t>& x, const std::vector<std::uint8_t>& seed,
                                        std::size_t m);

/// The same product by the definition, bit by bit (O(m·n)); for tests.
std::vector<std::uint8_t> toeplitz_hash_naive(const std::vector<std::uint8_t>& x,
                                              const std::vector<std::uint8_t>& seed, std::size_t m);

/// Min-entropy per bit of a bit string by the most-common-value estimate of NIST SP 800-90B §6.3.1:
/// p_u = min(1, p̂ + 2.576·sqrt(p̂(1 − p̂)/(n − 1))), H = −log2 p_u. It treats bits as independent, so for
/// correlated CSI bits it overestimates; the PA length caps it by the secrecy bound as well (see pa_length).
double min_entropy_mcv_per_bit(const std::vector<std::uint8_t>& bits);

/// Min-entropy per bit by the Markov estimate of NIST SP 800-90B §6.3.3 for binary sources: first-order transition
/// probabilities estimated from the string, then −log2 of the most probable 128-bit sequence (found exactly by
/// dynamic programming), divided by 128, at most 1. Unlike the MCV estimate it sees the correlation between
/// neighbouring bits (neighbouring subcarriers of a probe). Applied to the subsequences of every lag-th bit for
/// lag = 1..max_lag (m-bit levels put a value's neighbour m bits away) and the smallest kept.
double min_entropy_markov_per_bit(const std::vector<std::uint8_t>& bits, std::size_t max_lag = 8);

/// min(MCV, Markov over lags 1..8): the per-bit min-entropy the PA length uses.
double min_entropy_per_bit(const std::vector<std::uint8_t>& bits);

/// Shannon entropy per bit, conditioned on one earlier bit: min over lag = 1..max_lag of the plug-in estimate of
/// H(X_{i+lag} | X_i), and the marginal H(X). The asymptotic rate for long strings (asymptotic equipartition:
/// smooth min-entropy per bit tends to the Shannon rate); for strings of thousands of bits it is optimistic — no
/// finite-size correction is applied (TCR 2009's would exceed n at these lengths).
double conditional_entropy_per_bit(const std::vector<std::uint8_t>& bits, std::size_t max_lag = 8);

/// Inputs and result of the privacy-amplification length, all in bits:
///
///   ℓ = max(0, ⌊min(n·h_min − n_probes·I(A;E) − leaked, n_probes·B)⌋ − 2·s)
///
/// n·h_min − n_probes·I(A;E) estimates Eve's uncertainty about Alice's n bits before the public discussion
/// (h_min = min(MCV, Markov) per bit; Eve's information bounded by the Gaussian MI of the continuous features,
/// which her quantized bits cannot exceed); everything that crossed the public channel is subtracted in full.
/// n_probes·B, the PSKG I secrecy bound B = I(A;B) − min(I(A;E), I(B;E)) — the key rate of ideal reconciliation,
/// already net of its leakage — caps it, since the per-bit entropy estimate still overstates correlated bits.
/// 2·s is the leftover-hash-lemma margin for a key ε = 2^−s close to uniform given Eve's view.
struct pa_length_inputs {
  std::size_t nof_bits = 0;         ///< n: reconciled bits
  std::size_t nof_probes = 0;       ///< probes the bits came from
  double min_entropy_per_bit = 1;   ///< h_min [bits/bit]
  double mi_ae_per_probe = 0;       ///< I(A;E) [bits/probe]
  double bound_per_probe = 0;       ///< B [bits/probe]
  std::size_t leaked_bits = 0;      ///< every parity / syndrome / sample bit that crossed the public channel
  int security_bits = 32;           ///< s: ε = 2^−s
};

struct pa_length_result {
  double entropy_term = 0;  ///< n·h_min − n_probes·I(A;E) (before subtracting the leakage)
  double bound_term = 0;    ///< n_probes·B
  std::size_t length = 0;   ///< ℓ
  std::string formula;      ///< the formula with the numbers filled in
};

pa_length_result pa_length(const pa_length_inputs& in);

}  // namespace physec::keygen
