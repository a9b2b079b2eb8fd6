#include "physec/auth/boosting.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>
#include <numeric>
#include <string>

#include "physec/core/error.hpp"
#include "xgboost_api.hpp"

namespace physec::auth {

namespace {

void xgb_check(int rc, const char* call) {
  if (rc != 0)
    throw error(std::string("XGBoost ") + call + " failed: " + xgb().XGBGetLastError(),
                {"", "xgboost", std::nullopt});
}

/// Owns a DMatrix built from a dense `[n, d]` matrix (no missing values: NaN marks missing).
struct dmatrix {
  DMatrixHandle h = nullptr;
  explicit dmatrix(const ndarray<float>& x) {
    xgb_check(xgb().XGDMatrixCreateFromMat(x.ptr(), static_cast<bst_ulong>(x.shape[0]),
                                           static_cast<bst_ulong>(x.shape[1]), std::numeric_limits<float>::quiet_NaN(),
                                           &h),
              "XGDMatrixCreateFromMat");
  }
  ~dmatrix() {
    if (h) xgb().XGDMatrixFree(h);
  }
  dmatrix(const dmatrix&) = delete;
  dmatrix& operator=(const dmatrix&) = delete;
};

/// Row-wise softmax of margins `[n, k]` in place.
void softmax_rows(std::vector<double>& m, std::size_t k) {
  for (std::size_t i = 0; i < m.size(); i += k) {
    const double top = *std::max_element(m.begin() + static_cast<std::ptrdiff_t>(i),
                                         m.begin() + static_cast<std::ptrdiff_t>(i + k));
    double z = 0.0;
    for (std::size_t c = 0; c < k; ++c) z += (m[i + c] = std::exp(m[i + c] - top));
    for (std::size_t c = 0; c < k; ++c) m[i + c] /= z;
  }
}

/// Mean multi-class cross-entropy of softmax(margins) `[n, k]` against labels.
double log_loss(std::vector<double> margins, const std::vector<int>& y, std::size_t k) {
  softmax_rows(margins, k);
  double loss = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const auto c = static_cast<std::size_t>(y[i]);
    // A validation label the training set never had counts as a certain miss.
    loss -= c < k ? std::log(std::max(margins[i * k + c], 1e-300)) : std::log(1e-300);
  }
  return loss / static_cast<double>(y.size());
}

}  // namespace

boosted_trees::boosted_trees(const boost_config& cfg, std::uint64_t seed) : scheme_(boost_scheme::gbdt), seed_(seed) {
  static_cast<boost_config&>(cfg_) = cfg;
  cfg_.lambda = 0.0;
  cfg_.gamma = 0.0;
  cfg_.top_rate = 1.0;
  cfg_.other_rate = 0.0;
}

boosted_trees::boosted_trees(const rgbo_config& cfg, std::uint64_t seed) : scheme_(boost_scheme::rgbo), seed_(seed) {
  static_cast<rgbo_config&>(cfg_) = cfg;
  cfg_.top_rate = 1.0;
  cfg_.other_rate = 0.0;
}

boosted_trees::boosted_trees(const igbo_config& cfg, std::uint64_t seed)
    : scheme_(boost_scheme::igbo), cfg_(cfg), seed_(seed) {}

boosted_trees::~boosted_trees() {
  if (booster_) xgb().XGBoosterFree(booster_);
}

std::string boosted_trees::name() const {
  switch (scheme_) {
    case boost_scheme::gbdt: return "gbdt";
    case boost_scheme::rgbo: return "rgbo";
    case boost_scheme::igbo: return "igbo";
  }
  return "boost";
}

std::vector<float> boosted_trees::margins(void* dm, int rounds, bool training) const {
  return margins_range(dm, 0, rounds, training);
}

std::vector<float> boosted_trees::margins_range(void* dm, int begin, int end, bool training) const {
  // type 1 = raw margins; iteration_end = 0 means "all rounds".
  const std::string cfg = std::string("{\"type\": 1, \"training\": ") + (training ? "true" : "false") +
                          ", \"iteration_begin\": " + std::to_string(begin) + ", \"iteration_end\": " +
                          std::to_string(end) + ", \"strict_shape\": false, \"cache_id\": 0, \"missing\": NaN}";
  const bst_ulong* shape = nullptr;
  bst_ulong dim = 0;
  const float* result = nullptr;
  xgb_check(xgb().XGBoosterPredictFromDMatrix(booster_, dm, cfg.c_str(), &shape, &dim, &result),
            "XGBoosterPredictFromDMatrix");
  bst_ulong len = 1;
  for (bst_ulong i = 0; i < dim; ++i) len *= shape[i];
  return std::vector<float>(result, result + len);
}

void boosted_trees::fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation) {
  begin_fit(x, y);
  if (booster_) {
    xgb().XGBoosterFree(booster_);
    booster_ = nullptr;
  }
  const std::size_t n = x.shape[0], k = nof_classes_;
  const dmatrix train(x);
  xgb_check(xgb().XGBoosterCreate(&train.h, 1, &booster_), "XGBoosterCreate");
  const rng_stream root = rng_stream(seed_).derive("boost");
  const auto set = [this](const char* key, const std::string& value) {
    xgb_check(xgb().XGBoosterSetParam(booster_, key, value.c_str()), "XGBoosterSetParam");
  };
  // No objective is named: our gradients replace it (XGBoosterBoostOneIter), so only tree parameters matter.
  set("booster", "gbtree");
  set("tree_method", "hist");
  set("num_class", std::to_string(k));
  set("base_score", "0");
  set("disable_default_eval_metric", "1");
  set("verbosity", "0");
  set("seed", std::to_string(root.derive("xgboost").key() % 2147483647u));
  set("nthread", std::to_string(cfg_.nthread));
  set("eta", config::format_real(cfg_.eta));
  set("max_depth", std::to_string(cfg_.max_depth));
  set("min_child_weight", config::format_real(cfg_.min_child_weight));
  set("max_bin", std::to_string(cfg_.max_bin));
  set("lambda", config::format_real(cfg_.lambda));
  set("alpha", "0");
  set("gamma", config::format_real(cfg_.gamma));

  std::unique_ptr<dmatrix> val;
  std::vector<double> val_margin;
  if (validation && cfg_.early_stopping_rounds > 0) {
    check_labelled(validation->x, &validation->y, "validation.x");
    if (validation->x.shape[1] != nof_features_)
      throw error("validation feature count differs from training", {"", "validation.x", std::nullopt},
                  std::to_string(nof_features_) + " features", std::to_string(validation->x.shape[1]));
    val = std::make_unique<dmatrix>(validation->x);
    val_margin.assign(validation->y.size() * k, 0.0);
  }

  const bool goss = cfg_.top_rate < 1.0;
  std::vector<double> p(n * k), magnitude(n);
  std::vector<float> grad(n * k), hess(n * k);
  double best_loss = std::numeric_limits<double>::infinity();
  int best_round = -1;
  rounds_used_ = 0;
  for (int r = 0; r < cfg_.nof_rounds; ++r) {
    // Margins of the rounds so far (XGBoost keeps a prediction cache for the training matrix).
    if (r == 0) {
      std::fill(p.begin(), p.end(), 0.0);
    } else {
      const auto m = margins_range(train.h, 0, 0, true);  // end 0: all rounds, served from the cache
      std::copy(m.begin(), m.end(), p.begin());
    }
    softmax_rows(p, k);
    for (std::size_t i = 0; i < n; ++i) {
      magnitude[i] = 0.0;
      for (std::size_t c = 0; c < k; ++c) {
        const std::size_t ic = i * k + c;
        const double g = p[ic] - (static_cast<std::size_t>(y[i]) == c ? 1.0 : 0.0);
        grad[ic] = static_cast<float>(g);
        // GBDT: h ≡ 1 (first order). RGBO/IGBO: exact diagonal hessian of softmax cross-entropy, floored as
        // XGBoost floors its own (1e-16) so a confident sample never gives a zero denominator.
        hess[ic] = scheme_ == boost_scheme::gbdt ? 1.0f : static_cast<float>(std::max(p[ic] * (1.0 - p[ic]), 1e-16));
        magnitude[i] += std::abs(g);
      }
    }
    if (goss) {
      rng_stream rng = root.derive("goss").at(static_cast<std::uint64_t>(r));
      const auto w = goss_weights(magnitude, cfg_.top_rate, cfg_.other_rate, rng);
      for (std::size_t i = 0; i < n; ++i)
        for (std::size_t c = 0; c < k; ++c) {
          grad[i * k + c] *= w[i];
          hess[i * k + c] *= w[i];
        }
    }
    xgb_check(xgb().XGBoosterBoostOneIter(booster_, train.h, grad.data(), hess.data(),
                                          static_cast<bst_ulong>(n * k)),
              "XGBoosterBoostOneIter");
    rounds_used_ = r + 1;
    if (val) {
      const auto m = margins_range(val->h, r, r + 1, false);
      for (std::size_t i = 0; i < val_margin.size(); ++i) val_margin[i] += m[i];
      const double loss = log_loss(val_margin, validation->y, k);
      if (loss < best_loss) {
        best_loss = loss;
        best_round = r;
      } else if (r - best_round >= cfg_.early_stopping_rounds) {
        break;
      }
    }
  }
  if (val) rounds_used_ = best_round + 1;
}

ndarray<double> boosted_trees::predict_proba(const ndarray<float>& x) const {
  check_predict_input(x);
  const dmatrix dm(x);
  const auto m = margins(dm.h, rounds_used_, false);
  ndarray<double> out({x.shape[0], nof_classes_});
  std::copy(m.begin(), m.end(), out.data.begin());
  softmax_rows(out.data, nof_classes_);
  return out;
}

std::vector<float> goss_weights(const std::vector<double>& magnitude, double top_rate, double other_rate,
                                rng_stream& rng) {
  if (!(top_rate > 0.0 && top_rate <= 1.0))
    throw error("GOSS top rate out of range", {"", "top_rate", std::nullopt}, "(0, 1]", config::format_real(top_rate));
  if (!(other_rate >= 0.0 && other_rate <= 1.0))
    throw error("GOSS other rate out of range", {"", "other_rate", std::nullopt}, "[0, 1]",
                config::format_real(other_rate));
  const std::size_t n = magnitude.size();
  // The 1e-9 guards counts like 0.29 * 100 = 28.999999999999996 against losing a sample to rounding.
  const auto nof_top = std::min(n, static_cast<std::size_t>(std::floor(top_rate * static_cast<double>(n) + 1e-9)));
  const auto nof_other =
      std::min(n - nof_top, static_cast<std::size_t>(std::floor(other_rate * static_cast<double>(n) + 1e-9)));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return magnitude[a] > magnitude[b]; });
  std::vector<float> w(n, 0.0f);
  for (std::size_t i = 0; i < nof_top; ++i) w[order[i]] = 1.0f;
  // Partial Fisher-Yates over the rest: the first nof_other positions become a uniform sample without replacement.
  const auto amplify = static_cast<float>((1.0 - top_rate) / other_rate);
  for (std::size_t i = nof_top; i < nof_top + nof_other; ++i) {
    const std::size_t j = i + rng.uniform_int(n - i);
    std::swap(order[i], order[j]);
    w[order[i]] = amplify;
  }
  return w;
}

fused_decisions fuse_observations(const ndarray<double>& proba, const std::vector<std::size_t>& group,
                                  std::size_t window) {
  if (proba.rank() != 2 || proba.shape[0] != group.size())
    throw error("probabilities and groups disagree", {"", "group", std::nullopt},
                "[n, K] probabilities with n = " + std::to_string(group.size()), shape_string(proba.shape));
  if (window == 0) throw error("fusion window must be positive", {"", "fuse_window", std::nullopt}, ">= 1", "0");
  const std::size_t n = proba.shape[0], k = proba.shape[1];
  fused_decisions out;
  std::vector<double> acc;
  std::size_t count = 0;
  const auto flush = [&] {
    for (auto& v : acc) v /= static_cast<double>(count);
    out.proba.data.insert(out.proba.data.end(), acc.begin(), acc.end());
    count = 0;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (count > 0 && (count == window || group[i] != group[i - 1])) flush();
    if (count == 0) {
      acc.assign(k, 0.0);
      out.first_row.push_back(i);
    }
    for (std::size_t c = 0; c < k; ++c) acc[c] += proba(i, c);
    ++count;
  }
  if (count > 0) flush();
  out.proba.shape = {out.first_row.size(), k};
  return out;
}

}  // namespace physec::auth
