#pragma once
/// @file Key-agreement metrics: key disagreement ratio with exact binomial confidence intervals, symbol entropy,
/// and the information-theoretic reference — a Gaussian mutual-information estimate and the Eve-conditioned lower
/// bound on the secret-key rate, I(A;B) − min(I(A;E), I(B;E)) (Maurer 1993; Ahlswede & Csiszár 1993).

#include <complex>
#include <cstdint>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::keygen {

/// KDR = mismatching bits / compared bits, with a two-sided Clopper–Pearson interval.
struct kdr_result {
  std::size_t nof_bits = 0;
  std::size_t nof_mismatches = 0;
  double kdr = 0;       ///< nof_mismatches / nof_bits (NaN when no bits)
  double ci_low = 0;    ///< Clopper–Pearson lower bound
  double ci_high = 1;   ///< Clopper–Pearson upper bound
};

/// Compares two bit strings of equal length (0/1 bytes). `confidence` e.g. 0.95.
kdr_result key_disagreement(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                            double confidence = 0.95);

/// Empirical Shannon entropy [bits/symbol] of levels in [0, nof_levels), ignoring dropped (-1) entries.
double symbol_entropy_bits(const ndarray<int>& levels, int nof_levels);

/// Gaussian mutual-information estimate [bits per sample] between feature vectors a [n, d] and b [n, d'] from their
/// sample covariances: I = ½·log2(det Σ_a · det Σ_b / det Σ_ab). Exact for jointly Gaussian features; for others it
/// is the mutual information of the Gaussian with the same covariance. A ridge `ridge`·mean variance is added to each
/// diagonal to keep near-singular covariances finite. Needs n > d + d'.
double gaussian_mi_bits(const ndarray<double>& a, const ndarray<double>& b, double ridge = 1e-9);

/// The same estimate less its first-order small-sample bias: under independence 2·n·ln2·Î ~ χ²(d·d') (Bartlett's
/// test), so Î is biased upwards by d·d'/(2·n·ln 2) bits; this returns max(0, Î − d·d'/(2·n·ln 2)).
double gaussian_mi_bits_corrected(const ndarray<double>& a, const ndarray<double>& b, double ridge = 1e-9);

/// I(A;B) [bits per realisation] of two noisy observations of a complex Gaussian channel, A = h_a + n_a and
/// B = h_b + n_b: (h_a, h_b) zero-mean circularly-symmetric complex Gaussian with the second moments of the n
/// realisations in the rows of `h_a` [n, ...] and `h_b` [n, ...] (trailing axes flattened; Σ = Hᴴ H / n, not centred),
/// n_a and n_b white, variance `noise_var` per entry. I = log2 det(I + G_a/σ²) + log2 det(I + G_b/σ²) −
/// log2 det(I + (G_a + G_b)/σ²) with the n×n Gram matrices G = H Hᴴ / n (det(σ²I + HᴴH/n) = σ^{2d} det(I_n +
/// HHᴴ/(nσ²))), so the cost is n³ whatever the dimension. With h_a = h_b it is Σ_k log2((λ_k + σ²)² / (σ²(2λ_k +
/// σ²))) over the eigenvalues λ_k of Σ. Throws on different n or n = 0, or noise_var ≤ 0.
double complex_gaussian_channel_mi_bits(const ndarray<std::complex<float>>& h_a, const ndarray<std::complex<float>>& h_b,
                                        double noise_var);

/// I(A;B) [bits per realisation] when Alice observes the channel at T_a instants and Bob at T_b others, each
/// observation with white noise of variance `noise_var` per entry: h_a [n, ..., T_a] and h_b [n, ..., T_b] hold n
/// realisations, the same space-frequency entries (middle axes, flattened, d of them) and the time (symbol) last.
/// The channel is modelled as zero-mean circularly-symmetric complex Gaussian with a separable covariance R ⊗ C:
/// R [d, d] the space-frequency second moments over every realisation and instant (both parties), C [T_a + T_b]² the
/// correlation of the instants (Alice's first), pooled over realisations and entries and scaled to mean diagonal 1;
/// then, per eigenvalue λ of R, I += log2 det(I + λ C_aa/σ²) + log2 det(I + λ C_bb/σ²) − log2 det(I + λ C/σ²).
/// Exact under the model (a wide-sense stationary channel whose taps share one Doppler spectrum, e.g. TDL Rayleigh
/// taps on a Jakes ring); with a time-invariant channel (C all ones) it equals complex_gaussian_channel_mi_bits of
/// one instant with noise σ²/T_a on each side when T_a = T_b. Throws on different n or d, n = 0, or noise_var ≤ 0.
double separable_channel_mi_bits(const ndarray<std::complex<float>>& h_a, const ndarray<std::complex<float>>& h_b,
                                 double noise_var);

/// −½·log2(1 − ρ²): mutual information of two jointly Gaussian scalars with correlation ρ [bits].
double gaussian_mi_from_correlation(double rho);

/// max(0, I(A;B) − min(I(A;E), I(B;E))) [bits per sample].
double secrecy_bound_bits(double i_ab, double i_ae, double i_be);

}  // namespace physec::keygen
