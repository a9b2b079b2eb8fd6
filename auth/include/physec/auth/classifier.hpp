#pragma once
/// @file The classical authenticators of the PLA half (DESIGN.md §5): one interface, one config struct per
/// model, one factory. A classifier maps a CSI feature vector (a per-sample CSI vector, or the sequence-level
/// features of `features.hpp`) to a transmitter label: 0 .. nof_legal-1 for legal users, nof_legal and above
/// for spoofers. Every model here builds without LibTorch.
///
/// Shapes: `x` is `[nof_samples, nof_features]` row-major float, `y` is `[nof_samples]` with labels in
/// `0 .. nof_classes-1`, probabilities are `[nof_samples, nof_classes]`.

#include <algorithm>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/error.hpp"
#include "physec/core/ndarray.hpp"

namespace physec::auth {

/// Feature matrix and labels, e.g. a validation split. `x`: `[nof_samples, nof_features]`, `y`: `[nof_samples]`.
struct labelled_data {
  ndarray<float> x;     ///< features `[nof_samples, nof_features]`
  std::vector<int> y;   ///< labels `[nof_samples]`
};

/// Throws unless the (non-empty) training labels hold two classes or more: one class trains nothing. `noun` names a
/// class in the message ("class", "transmitter").
inline void require_two_classes(const std::vector<int>& labels, const error_location& where,
                                const std::string& noun) {
  if (std::adjacent_find(labels.begin(), labels.end(), std::not_equal_to<>()) == labels.end())
    throw error("the training split holds one " + noun + " only", where,
                "at least two " + noun + (noun == "class" ? "es" : "s"), noun + " " + std::to_string(labels.front()) + " only");
}

/// CART decision tree (Breiman et al. 1984), Gini impurity.
struct dt_config {
  int max_depth = 16;         ///< deepest level of a leaf (the root is depth 0)
  int min_samples_leaf = 1;   ///< fewest training samples in a leaf
  int min_samples_split = 2;  ///< fewest training samples in a node that may be split
  void describe(config::schema& s);
};

/// K nearest neighbours, Euclidean distance on standardised features.
struct knn_config {
  int k = 5;                ///< neighbours that vote
  bool standardise = true;  ///< scale each feature to zero mean, unit variance (training statistics) first
  void describe(config::schema& s);
};

/// Gaussian naive Bayes.
struct nb_config {
  double var_smoothing = 1e-9;  ///< added to every variance, as a fraction of the largest feature variance
  void describe(config::schema& s);
};

/// Weighted voting over base classifiers, weights from validation accuracy (Xie et al., IEEE TII 18(4), 2022).
struct wv_config {
  std::vector<std::string> base = {"dt", "knn", "nb"};  ///< base classifiers (their own sections configure them)
  double validation_fraction = 0.2;  ///< held out of training for the weights when fit() gets no validation set
  void describe(config::schema& s);
};

/// Tree-boosting parameters shared by GBDT, RGBO and IGBO (XGBoost C API underneath).
struct boost_config {
  int nof_rounds = 100;             ///< boosting rounds (one tree per class per round)
  double eta = 0.3;                 ///< learning rate (shrinkage)
  int max_depth = 6;                ///< deepest level of a leaf
  double min_child_weight = 1.0;    ///< smallest hessian sum in a leaf (a sample count for GBDT, whose h = 1)
  int max_bin = 256;                ///< histogram bins per feature (tree_method = hist)
  int early_stopping_rounds = 10;   ///< stop when validation log loss has not improved for this many rounds (0: off)
  int nthread = 1;                  ///< XGBoost threads (1 keeps results bit-identical and shares the cores)
  void describe(config::schema& s);
};

/// RGBO: second-order boosting with L2 leaf regularisation and a split penalty (XGBoost objective, eq. (2)
/// of Chen & Guestrin, KDD 2016).
struct rgbo_config : boost_config {
  double lambda = 1.0;  ///< L2 penalty on leaf weights
  double gamma = 0.0;   ///< minimum loss reduction for a split (penalty per leaf)
  void describe(config::schema& s);
};

/// IGBO: RGBO with gradient-based one-side sampling (GOSS, Ke et al., NeurIPS 2017) and multi-observation
/// fusion at decision time.
struct igbo_config : rgbo_config {
  double top_rate = 0.2;    ///< a: fraction of samples with the largest |gradient| always kept
  double other_rate = 0.1;  ///< b: fraction of all samples drawn at random from the rest, reweighted (1-a)/b
  int fuse_window = 5;      ///< observations of one transmitter averaged per decision (see fuse_observations)
  void describe(config::schema& s);
};

/// Every baseline's configuration; `make_classifier(name, cfg)` reads the section of `name`.
struct classifier_config {
  std::uint64_t seed = 42;  ///< master seed of every stochastic step (splits, GOSS, XGBoost's own seed)
  dt_config dt;
  knn_config knn;
  nb_config nb;
  wv_config wv;
  boost_config gbdt;
  rgbo_config rgbo;
  igbo_config igbo;
  void describe(config::schema& s);
};

/// The model names `make_classifier` accepts, in the order of the TDGCN paper's baseline table.
const std::vector<std::string>& classifier_names();

/// A trained-or-not classifier. Life cycle: construct (factory), fit, predict / predict_proba (const).
class classifier {
 public:
  virtual ~classifier() = default;

  /// Trains on `x` `[nof_samples, nof_features]` with labels `y` `[nof_samples]` in 0..nof_classes-1
  /// (nof_classes = largest label + 1). `validation`, when given, is used only where a model says so
  /// (voting weights, early stopping); it is never used for anything else.
  virtual void fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation = nullptr) = 0;

  /// Class probabilities `[nof_samples, nof_classes]`; `x` must have the training feature count.
  virtual ndarray<double> predict_proba(const ndarray<float>& x) const = 0;

  /// Labels `[nof_samples]`: the most probable class (ties to the lowest label).
  virtual std::vector<int> predict(const ndarray<float>& x) const;

  /// The factory name: dt, knn, nb, wv, gbdt, rgbo or igbo.
  virtual std::string name() const = 0;

  /// Classes seen at fit (largest label + 1); 0 before fit.
  std::size_t nof_classes() const { return nof_classes_; }
  /// Features per sample seen at fit; 0 before fit.
  std::size_t nof_features() const { return nof_features_; }

 protected:
  /// Checks shapes and labels of training data and records nof_features / nof_classes.
  void begin_fit(const ndarray<float>& x, const std::vector<int>& y);
  /// Checks that `x` is `[n, nof_features()]` and that fit has run; names the field on failure.
  void check_predict_input(const ndarray<float>& x) const;

  std::size_t nof_classes_ = 0;
  std::size_t nof_features_ = 0;
};

/// Builds the classifier called `name` (see classifier_names()) from its section of `cfg`, after validating
/// `cfg`. Throws physec::error for an unknown name (nearest valid name suggested).
std::unique_ptr<classifier> make_classifier(const std::string& name, const classifier_config& cfg);

/// Row-wise argmax of `[n, k]` probabilities (ties to the lowest index): `[n]`.
std::vector<int> argmax_rows(const ndarray<double>& proba);

/// Checks `x` is rank 2 with `y.size()` rows (if `y` is non-null) and returns nof_classes = max label + 1;
/// `field` names the data in errors ("x", "validation.x").
std::size_t check_labelled(const ndarray<float>& x, const std::vector<int>* y, const std::string& field);

/// Rows `rows` of `x` `[n, d]` (in the given order): `[rows.size(), d]`.
ndarray<float> take_rows(const ndarray<float>& x, const std::vector<std::size_t>& rows);

}  // namespace physec::auth
