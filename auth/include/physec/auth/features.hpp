#pragma once
/// @file Feature extraction for the classical baselines: per-sample CSI vectors and sequence-level statistics
/// from CSI sequences `[nof_sequences, D, T]`, and a standardiser.

#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::auth {

/// Statistics computed per CSI dimension by sequence_features, in this order.
const std::vector<std::string>& sequence_feature_names();

/// Sequence-level features: for each dimension d of each sequence, the mean, standard deviation (population),
/// minimum, maximum, lag-1 autocorrelation r1 = Σ_t (x_t - m)(x_{t+1} - m) / Σ_t (x_t - m)² (0 for a constant
/// sequence) and mean absolute first difference. Mobility makes large-scale statistics (mean, spread) carry the
/// identity while r1 and |Δx| reflect the fading rate.
/// `sequences` `[nof_sequences, D, T]` (T >= 2) -> `[nof_sequences, D * 6]`, features of dimension d at
/// columns `d * 6 .. d * 6 + 5`.
ndarray<float> sequence_features(const ndarray<float>& sequences);

/// Per-sample vectors: `sequences` `[nof_sequences, D, T]` -> `[nof_sequences * T, D]` (sample t of sequence s at
/// row s * T + t), and `labels` `[nof_sequences]` -> `[nof_sequences * T]`, so consecutive rows are consecutive
/// observations of one transmitter.
ndarray<float> per_sample_vectors(const ndarray<float>& sequences);
std::vector<int> per_sample_labels(const std::vector<int>& labels, std::size_t nof_steps);

/// Standardiser: x' = (x - mean) / std per feature, statistics from fit(); features with zero spread are only
/// centred.
class feature_scaler {
 public:
  /// `x` `[n, d]`.
  void fit(const ndarray<float>& x);
  /// `x` `[n, d]` -> `[n, d]`; d must match fit.
  ndarray<float> transform(const ndarray<float>& x) const;
  const std::vector<double>& mean() const { return mean_; }
  const std::vector<double>& scale() const { return scale_; }

 private:
  std::vector<double> mean_, scale_;
};

}  // namespace physec::auth
