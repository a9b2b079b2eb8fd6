#pragma once
/// @file Open-set spoofer detection (issue #19): a detector trained on the legal users only gives every sequence a
/// score, higher for "not one of them"; spoofers never seen in training are flagged by a threshold on it.
///
/// Rates follow metrics.hpp, spoofers positive: FAR = legal sequences flagged / legal sequences, MDR = spoofer
/// sequences not flagged / spoofer sequences. A threshold is chosen on the legal *validation* scores (their
/// (1 − far) quantile), never on the test split, and FAR and MDR are then measured on the test split.

#include <cstdint>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::auth {

/// Area under the ROC curve, P(score of a spoofer > score of a legal user) + ½ P(equal): the Mann-Whitney U
/// statistic over n_legal · n_spoofer. Both lists non-empty.
double auroc(const std::vector<double>& legal, const std::vector<double>& spoofer);

/// Standard error of an AUROC estimate (Hanley & McNeil, Radiology 143, 1982, eq. 2), for a 95 % interval
/// auroc ± 1.96 · se.
double auroc_standard_error(double auroc, std::size_t nof_legal, std::size_t nof_spoofer);

/// One point of the ROC: flag a sequence when its score > threshold.
struct roc_point {
  double threshold = 0, far = 0, mdr = 0;
};

/// Every distinct threshold of the pooled scores (and one below all), ascending threshold = descending FAR.
std::vector<roc_point> roc_curve(const std::vector<double>& legal, const std::vector<double>& spoofer);

/// The threshold that flags at most a fraction `far` of `legal_validation` (its (1 − far) empirical quantile:
/// the smallest score t with #{s > t} ≤ far · n).
double threshold_at_far(std::vector<double> legal_validation, double far);

/// FAR and MDR of the rule "score > threshold" on test scores.
roc_point rates_at(const std::vector<double>& legal, const std::vector<double>& spoofer, double threshold);

/// Mahalanobis scorer (Lee, Lee, Lee & Shin, NeurIPS 2018): the legal classes' means and one shared covariance,
/// shrunk toward its diagonal by `shrinkage` (Ledoit-Wolf-like, for few sequences per class), fitted on the
/// legal training features; score(x) = min over classes c of (x − μ_c)ᵀ Σ⁻¹ (x − μ_c).
class mahalanobis_scorer {
 public:
  explicit mahalanobis_scorer(double shrinkage = 0.1) : shrinkage_(shrinkage) {}
  /// `x` `[n, d]`, labels `y` `[n]` (any ints; each distinct one a class with ≥ 1 sample).
  void fit(const ndarray<float>& x, const std::vector<int>& y);
  /// `x` `[m, d]` -> m scores.
  std::vector<double> score(const ndarray<float>& x) const;

 private:
  double shrinkage_;
  std::size_t dims_ = 0;
  std::vector<std::vector<double>> means_;
  std::vector<double> precision_;  ///< Σ⁻¹, row-major [d, d]
};

/// Maximum-softmax-probability score (Hendrycks & Gimpel, ICLR 2017): 1 − max_c p(c | x) of a closed-set
/// classifier's probabilities `[m, C]`.
std::vector<double> max_probability_score(const ndarray<double>& proba);

}  // namespace physec::auth
