#pragma once
/// @file Key-agreement metrics: key disagreement ratio with exact binomial confidence intervals, symbol entropy,
/// and the information-theoretic reference — a Gaussian mutual-information estimate and the Eve-conditioned lower
/// bound on the secret-key rate, I(A;B) − min(I(A;E), I(B;E)) (Maurer 1993; Ahlswede & Csiszár 1993).

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

/// −½·log2(1 − ρ²): mutual information of two jointly Gaussian scalars with correlation ρ [bits].
double gaussian_mi_from_correlation(double rho);

/// max(0, I(A;B) − min(I(A;E), I(B;E))) [bits per sample].
double secrecy_bound_bits(double i_ab, double i_ae, double i_be);

}  // namespace physec::keygen
