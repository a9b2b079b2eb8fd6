#pragma once
/// @file Preprocessing: CSI -> real feature vectors, and the classical transforms the paper compares against
/// (PCA/KLT fitted on Bob's training data; DCT).

#include <complex>
#include <string>

#include "physec/core/ndarray.hpp"

namespace physec::keygen {

/// CSI `[nof_samples, ...]` (any trailing shape) -> features `[nof_samples, d]`:
/// "amplitude": |h| (d = product of the trailing extents); "real_imag": Re h and Im h interleaved (2x that).
ndarray<double> csi_features(const ndarray<std::complex<float>>& csi, const std::string& mode);

/// Principal component analysis (Karhunen–Loève transform) on features `[n, d]`.
class pca {
 public:
  /// Keeps the `nof_components` directions of largest variance of `train`.
  void fit(const ndarray<double>& train, std::size_t nof_components);
  /// `[n, d]` -> `[n, nof_components]`, projections onto the fitted directions (mean removed).
  ndarray<double> transform(const ndarray<double>& x) const;
  /// Fraction of the training variance the kept components explain.
  double explained_variance() const { return explained_; }

 private:
  std::size_t d_ = 0, k_ = 0;
  std::vector<double> mean_;
  std::vector<double> components_;  // [k, d] row-major
  double explained_ = 0;
};

/// Orthonormal DCT-II along the feature axis: `[n, d]` -> `[n, nof_coefficients]` (the lowest frequencies), via FFTW.
ndarray<double> dct_features(const ndarray<double>& x, std::size_t nof_coefficients);

}  // namespace physec::keygen
