#include "physec/auth/classifier.hpp"

#include <algorithm>

#include "physec/auth/baselines.hpp"
#include "physec/auth/boosting.hpp"
#include "physec/core/error.hpp"
#include "physec/core/strings.hpp"

namespace physec::auth {

void dt_config::describe(config::schema& s) {
  s.add("max_depth", max_depth, "deepest level of a leaf (root = 0)").range(1, 64).source("ours");
  s.add("min_samples_leaf", min_samples_leaf, "fewest training samples in a leaf").range(1, 1e9).source("ours");
  s.add("min_samples_split", min_samples_split, "fewest training samples in a node that may be split")
      .range(2, 1e9)
      .source("ours (scikit-learn default)");
}

void knn_config::describe(config::schema& s) {
  s.add("k", k, "neighbours that vote").range(1, 1e6).source("ours (scikit-learn default)");
  s.add("standardise", standardise, "scale features to zero mean, unit variance before the search").source("ours");
}

void nb_config::describe(config::schema& s) {
  s.add("var_smoothing", var_smoothing, "variance floor as a fraction of the largest feature variance")
      .range(0, 1e3)
      .source("ours (scikit-learn default)");
}

void wv_config::describe(config::schema& s) {
  s.add("base", base, "base classifiers of the vote")
      .choices({"dt", "knn", "nb", "gbdt", "rgbo", "igbo"})
      .size(1)
      .source("ours (the paper's non-ensemble baselines)");
  s.add("validation_fraction", validation_fraction, "share of training held out for the weights if no validation set")
      .range(0.01, 0.9)
      .source("ours");
}

void boost_config::describe(config::schema& s) {
  s.add("nof_rounds", nof_rounds, "boosting rounds (one tree per class each)").range(1, 100000).source("ours");
  s.add("eta", eta, "learning rate").range(1e-4, 1).source("ours (XGBoost default)");
  s.add("max_depth", max_depth, "deepest level of a leaf").range(1, 32).source("ours (XGBoost default)");
  s.add("min_child_weight", min_child_weight, "smallest hessian sum in a leaf").range(0, 1e9).source("ours (XGBoost default)");
  s.add("max_bin", max_bin, "histogram bins per feature").range(2, 65536).source("ours (XGBoost default)");
  s.add("early_stopping_rounds", early_stopping_rounds, "rounds without validation log-loss gain before stopping (0: off)")
      .range(0, 100000)
      .source("ours");
  s.add("nthread", nthread, "XGBoost threads").range(1, 1024).source("ours");
}

void rgbo_config::describe(config::schema& s) {
  boost_config::describe(s);
  s.add("lambda", lambda, "L2 penalty on leaf weights").range(0, 1e6).source("ours (XGBoost default)");
  s.add("gamma", gamma, "minimum loss reduction per split").range(0, 1e6).source("ours (XGBoost default)");
}

void igbo_config::describe(config::schema& s) {
  rgbo_config::describe(s);
  s.add("top_rate", top_rate, "a: share of largest-gradient samples kept").range(1e-3, 1).source("ours (LightGBM default)");
  s.add("other_rate", other_rate, "b: share of all samples drawn from the rest, weight (1-a)/b")
      .range(0, 1)
      .source("ours (LightGBM default)");
  s.add("fuse_window", fuse_window, "observations averaged per decision").range(1, 100000).source("ours");
  s.check([this, key = s.key("other_rate")](const std::string& file) {
    if (top_rate + other_rate > 1.0 + 1e-12)
      config::fail(file, key, "GOSS keeps more than all samples", "top_rate + other_rate <= 1",
                   config::format_real(top_rate + other_rate));
  });
}

void classifier_config::describe(config::schema& s) {
  s.add("seed", seed, "master seed of every stochastic step").source("ours (TDGCN paper uses 42)");
  s.section("dt", dt, "CART decision tree");
  s.section("knn", knn, "K nearest neighbours");
  s.section("nb", nb, "Gaussian naive Bayes");
  s.section("wv", wv, "weighted voting (Xie et al., IEEE TII 18(4), 2022)");
  s.section("gbdt", gbdt, "first-order gradient boosting");
  s.section("rgbo", rgbo, "regularised second-order gradient boosting");
  s.section("igbo", igbo, "RGBO with GOSS sampling and multi-observation fusion");
}

const std::vector<std::string>& classifier_names() {
  static const std::vector<std::string> names = {"dt", "knn", "nb", "wv", "gbdt", "rgbo", "igbo"};
  return names;
}

std::vector<int> classifier::predict(const ndarray<float>& x) const { return argmax_rows(predict_proba(x)); }

std::size_t check_labelled(const ndarray<float>& x, const std::vector<int>* y, const std::string& field) {
  if (x.rank() != 2)
    throw error("features must be a matrix", {"", field, std::nullopt}, "[nof_samples, nof_features]",
                shape_string(x.shape));
  if (x.shape[0] == 0 || x.shape[1] == 0)
    throw error("empty feature matrix", {"", field, std::nullopt}, "at least one sample and one feature",
                shape_string(x.shape));
  if (!y) return 0;
  const std::string yfield = field.size() > 1 ? field.substr(0, field.size() - 1) + "y" : "y";
  if (y->size() != x.shape[0])
    throw error("labels and features disagree in length", {"", yfield, std::nullopt},
                std::to_string(x.shape[0]) + " labels", std::to_string(y->size()));
  int max_label = 0;
  for (std::size_t i = 0; i < y->size(); ++i) {
    if ((*y)[i] < 0)
      throw error("negative label", {"", yfield, i}, "a label >= 0", std::to_string((*y)[i]));
    max_label = std::max(max_label, (*y)[i]);
  }
  return static_cast<std::size_t>(max_label) + 1;
}

void classifier::begin_fit(const ndarray<float>& x, const std::vector<int>& y) {
  nof_classes_ = check_labelled(x, &y, "x");
  nof_features_ = x.shape[1];
}

void classifier::check_predict_input(const ndarray<float>& x) const {
  if (nof_features_ == 0) throw error(name() + ": predict before fit", {"", "x", std::nullopt}, "a fitted model", "none");
  check_labelled(x, nullptr, "x");
  if (x.shape[1] != nof_features_)
    throw error(name() + ": feature count differs from training", {"", "x", std::nullopt},
                std::to_string(nof_features_) + " features", std::to_string(x.shape[1]));
}

std::vector<int> argmax_rows(const ndarray<double>& proba) {
  const std::size_t n = proba.shape.at(0), k = proba.shape.at(1);
  std::vector<int> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double* row = proba.ptr() + i * k;
    out[i] = static_cast<int>(std::max_element(row, row + k) - row);
  }
  return out;
}

ndarray<float> take_rows(const ndarray<float>& x, const std::vector<std::size_t>& rows) {
  const std::size_t d = x.shape.at(1);
  ndarray<float> out({rows.size(), d});
  for (std::size_t r = 0; r < rows.size(); ++r)
    std::copy_n(x.ptr() + rows[r] * d, d, out.ptr() + r * d);
  return out;
}

std::unique_ptr<classifier> make_classifier(const std::string& name, const classifier_config& cfg_in) {
  classifier_config cfg = cfg_in;
  config::validate(cfg);
  if (name == "dt") return std::make_unique<decision_tree>(cfg.dt);
  if (name == "knn") return std::make_unique<knn>(cfg.knn);
  if (name == "nb") return std::make_unique<gaussian_nb>(cfg.nb);
  if (name == "gbdt") return std::make_unique<boosted_trees>(cfg.gbdt, cfg.seed);
  if (name == "rgbo") return std::make_unique<boosted_trees>(cfg.rgbo, cfg.seed);
  if (name == "igbo") return std::make_unique<boosted_trees>(cfg.igbo, cfg.seed);
  if (name == "wv") {
    std::vector<std::unique_ptr<classifier>> bases;
    for (std::size_t m = 0; m < cfg.wv.base.size(); ++m) {
      // Each base gets its own seed stream so two boosted bases never share random draws.
      classifier_config sub = cfg;
      sub.seed = rng_stream(cfg.seed).derive("wv").at(m).key();
      bases.push_back(make_classifier(cfg.wv.base[m], sub));
    }
    return std::make_unique<weighted_voting>(cfg.wv, std::move(bases), cfg.seed);
  }
  const std::string guess = nearest_name(name, classifier_names());
  throw error("unknown classifier" + (guess.empty() ? std::string() : " (did you mean " + guess + "?)"),
              {"", "model", std::nullopt}, "one of " + join(classifier_names(), ", "), name);
}

}  // namespace physec::auth
