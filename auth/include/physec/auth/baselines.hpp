#pragma once
/// @file The non-boosted baselines of the TDGCN paper: decision tree, KNN, Gaussian naive Bayes and weighted
/// voting. Small, tested implementations: Debian ships no maintained C++ library for CART or naive Bayes.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "physec/auth/classifier.hpp"
#include "physec/auth/features.hpp"

namespace physec::auth {

/// CART classification tree (Breiman, Friedman, Olshen & Stone, "Classification and Regression Trees", 1984):
/// binary axis-aligned splits `x[feature] <= threshold` chosen greedily to minimise the weighted Gini impurity
/// of the children; thresholds are midpoints between consecutive distinct training values; a leaf predicts
/// the class frequencies of its training samples. Ties between splits go to the lowest feature, then the
/// lowest threshold, so the tree is a deterministic function of the data.
class decision_tree final : public classifier {
 public:
  /// One node; a leaf has `feature == -1`.
  struct node {
    int feature = -1;          ///< split feature, -1 for a leaf
    float threshold = 0.0f;    ///< go left when x[feature] <= threshold
    int left = -1, right = -1; ///< child node indices
    std::vector<double> proba; ///< class frequencies of the node's training samples `[nof_classes]`
  };

  explicit decision_tree(dt_config cfg = {});
  void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) override;
  ndarray<double> predict_proba(const ndarray<float>& x) const override;
  std::string name() const override { return "dt"; }

  /// The tree, root first.
  const std::vector<node>& nodes() const { return nodes_; }

 private:
  int grow(const ndarray<float>& x, const std::vector<int>& y, std::vector<std::size_t>& idx, std::size_t begin,
           std::size_t end, int depth);
  dt_config cfg_;
  std::vector<node> nodes_;
};

/// K nearest neighbours (Cover & Hart, IEEE Trans. IT 13(1), 1967): brute-force Euclidean search (Eigen, blocked
/// ||a||^2 + ||b||^2 - 2 a.b) on features standardised with training statistics; probabilities are the vote
/// fractions of the k nearest training samples (distance ties to the lower training index; k is capped at the
/// training size; vote ties go to the lower label, as in classifier::predict).
class knn final : public classifier {
 public:
  explicit knn(knn_config cfg = {});
  void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) override;
  ndarray<double> predict_proba(const ndarray<float>& x) const override;
  std::string name() const override { return "knn"; }

 private:
  knn_config cfg_;
  feature_scaler scaler_;
  Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> train_;  ///< `[n, d]` scaled
  Eigen::VectorXf train_sq_norm_;                                               ///< `[n]`
  std::vector<int> labels_;
};

/// Gaussian naive Bayes: p(c | x) ∝ π_c Π_j N(x_j; μ_cj, σ²_cj + ε), priors π_c from class frequencies,
/// ε = var_smoothing · max_j Var(x_j) (the convention of scikit-learn's GaussianNB). Computed in the log domain.
class gaussian_nb final : public classifier {
 public:
  explicit gaussian_nb(nb_config cfg = {});
  void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) override;
  ndarray<double> predict_proba(const ndarray<float>& x) const override;
  std::string name() const override { return "nb"; }

  /// Per-class means `[nof_classes, nof_features]`, smoothed variances (same shape), log priors `[nof_classes]`.
  const Eigen::MatrixXd& means() const { return mean_; }
  const Eigen::MatrixXd& variances() const { return var_; }
  const Eigen::VectorXd& log_priors() const { return log_prior_; }

 private:
  nb_config cfg_;
  Eigen::MatrixXd mean_, var_;
  Eigen::VectorXd log_prior_;
};

/// Weighted (soft) voting after Xie et al., IEEE TII 18(4), 2022, as the TDGCN paper uses it as a baseline.
/// We follow the rule as the TDGCN paper and issue 9 summarise it (weights from validation accuracy), not a
/// transcription of Xie et al.'s own equations. What we implement: each base classifier m is trained on the training set, its accuracy a_m is measured on a
/// validation set, and the ensemble outputs P(c | x) = Σ_m w_m P_m(c | x) with w_m = a_m / Σ a_m. Bases no
/// better than chance (a_m <= 1 / nof_classes) get weight 0, unless all are, in which case weights are equal.
/// Without a validation set, `validation_fraction` of the training samples (a seeded shuffle) is held out for
/// the weights and the bases train on the rest.
class weighted_voting final : public classifier {
 public:
  weighted_voting(wv_config cfg, std::vector<std::unique_ptr<classifier>> bases, std::uint64_t seed);
  void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) override;
  ndarray<double> predict_proba(const ndarray<float>& x) const override;
  std::string name() const override { return "wv"; }

  /// Normalised weights `[nof_bases]` after fit, in the order of the bases.
  const std::vector<double>& weights() const { return weights_; }

 private:
  wv_config cfg_;
  std::vector<std::unique_ptr<classifier>> bases_;
  std::uint64_t seed_;
  std::vector<double> weights_;
};

}  // namespace physec::auth
