#pragma once
/// @file Privacy amplification: universal hashing with a random Toeplitz matrix (Carter & Wegman 1979; Krawczyk,
/// CRYPTO 1994 for Toeplitz), the output length from the leftover hash lemma (Impagliazzo, Levin & Luby 1989;
/// Bennett, Brassard, Crépeau & Maurer 1995) with a finite-key term, and SP 800-90B-style min-entropy estimates.

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
/// correlated CSI bits it overestimates. Not used for the PA length (it estimates H(X), not H(X|E), and expects
/// far more samples than a session has); kept for reports.
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

/// Finite-key privacy-amplification length by the leftover hash lemma with smooth min-entropy (Renner 2005, PhD
/// thesis, Cor. 5.6.1; Tomamichel, Lim, Gisin & Renner, Nat. Commun. 3:634, 2012, eq. (2)):
///
///   ℓ = ⌊ H_min^ε(X|E) − leak_IR − log2(2/ε_cor) − 2·log2(1/(2·ε_PA)) ⌋
///
/// with the smooth min-entropy of n independent realisations from the calibrated conditional entropy:
///   second_order: H_min^ε ≈ Σ H(X|E) − sqrt(Σ V)·Φ^{-1}(1 − ε²)   (second-order expansion, Tomamichel & Hayashi,
///                 IEEE Trans. Inf. Theory 59(11), 2013; O(log n) terms dropped),
///   tcr:          H_min^ε ≥ Σ H(X|E) − sqrt(n)·4·log2(η)·sqrt(log2(2/ε²)), η = 2 + 2^(m/2), m the most bits per
///                 realisation (Tomamichel, Colbeck & Renner, IEEE Trans. Inf. Theory 55(12), 2009, Thm. 9; rigorous).
/// Sums run over the session's realisations (probes weighted by realisations per probe).
struct finite_key_inputs {
  double nof_realisations = 0;   ///< n (probes × realisations per probe)
  double h_total = 0;            ///< Σ H(X|E) over the realisations [bits]
  double v_total = 0;            ///< Σ V(X|E) [bits²]
  double max_bits_per_realisation = 0;  ///< m (tcr's η)
  std::size_t leaked_bits = 0;   ///< leak_IR: every bit that crossed the public channel about X
  int eps_pa_log2 = 64;          ///< ε_PA = 2^−eps_pa_log2 (also the smoothing ε)
  int eps_cor_log2 = 64;         ///< ε_cor = 2^−eps_cor_log2
  std::string finite_size = "second_order";  ///< second_order | tcr
};

struct finite_key_result {
  double smooth_min_entropy = 0;  ///< H_min^ε(X|E) estimate [bits]
  double finite_size_term = 0;    ///< what was subtracted from Σ H for finite size [bits]
  std::size_t length = 0;         ///< ℓ (0 when negative)
  std::string formula;            ///< with the numbers filled in
};

finite_key_result finite_key_length(const finite_key_inputs& in);

}  // namespace physec::keygen
