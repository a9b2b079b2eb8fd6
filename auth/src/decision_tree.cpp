#include <algorithm>
#include <numeric>

#include "physec/auth/baselines.hpp"

namespace physec::auth {

decision_tree::decision_tree(dt_config cfg) : cfg_(cfg) {}

void decision_tree::fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data*) {
  begin_fit(x, y);
  nodes_.clear();
  std::vector<std::size_t> idx(x.shape[0]);
  std::iota(idx.begin(), idx.end(), std::size_t{0});
  grow(x, y, idx, 0, idx.size(), 0);
}

// Grows the subtree of samples idx[begin, end) and returns its node index. The weighted Gini impurity of a
// split, n_L G_L + n_R G_R = n - (Σ_c n_Lc² / n_L + Σ_c n_Rc² / n_R), is minimised by maximising the bracket,
// which a sweep over the sorted samples updates in O(1) per sample.
int decision_tree::grow(const ndarray<float>& x, const std::vector<int>& y, std::vector<std::size_t>& idx,
                        std::size_t begin, std::size_t end, int depth) {
  const std::size_t n = end - begin, d = nof_features_, k = nof_classes_;
  const int self = static_cast<int>(nodes_.size());
  nodes_.emplace_back();
  std::vector<double> counts(k, 0.0);
  for (std::size_t i = begin; i < end; ++i) counts[static_cast<std::size_t>(y[idx[i]])] += 1.0;
  double parent_sq = 0.0;
  for (std::size_t c = 0; c < k; ++c) {
    parent_sq += counts[c] * counts[c];
    nodes_[self].proba.push_back(counts[c] / static_cast<double>(n));
  }
  const bool pure = std::count(counts.begin(), counts.end(), 0.0) == static_cast<std::ptrdiff_t>(k - 1);
  if (pure || depth >= cfg_.max_depth || n < static_cast<std::size_t>(cfg_.min_samples_split) ||
      n < 2 * static_cast<std::size_t>(cfg_.min_samples_leaf))
    return self;

  const std::size_t min_leaf = static_cast<std::size_t>(cfg_.min_samples_leaf);
  double best_score = parent_sq / static_cast<double>(n) + 1e-12;  // a split must lower the impurity
  int best_feature = -1;
  float best_threshold = 0.0f;
  std::vector<std::size_t> order(idx.begin() + static_cast<std::ptrdiff_t>(begin),
                                 idx.begin() + static_cast<std::ptrdiff_t>(end));
  std::vector<double> left(k), right(k);
  for (std::size_t f = 0; f < d; ++f) {
    auto value = [&](std::size_t i) { return x.data[i * d + f]; };
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return value(a) < value(b); });
    std::fill(left.begin(), left.end(), 0.0);
    right = counts;
    double left_sq = 0.0, right_sq = parent_sq;
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const auto c = static_cast<std::size_t>(y[order[i]]);
      left_sq += 2.0 * left[c] + 1.0;
      right_sq -= 2.0 * right[c] - 1.0;
      left[c] += 1.0;
      right[c] -= 1.0;
      const std::size_t nl = i + 1, nr = n - nl;
      const float a = value(order[i]), b = value(order[i + 1]);
      if (nl < min_leaf || nr < min_leaf || !(a < b)) continue;
      const double score = left_sq / static_cast<double>(nl) + right_sq / static_cast<double>(nr);
      if (score > best_score) {
        best_score = score;
        best_feature = static_cast<int>(f);
        best_threshold = static_cast<float>(0.5 * (static_cast<double>(a) + static_cast<double>(b)));
        if (!(best_threshold < b)) best_threshold = a;  // adjacent floats: the midpoint rounds up to b
      }
    }
  }
  if (best_feature < 0) return self;

  const auto f = static_cast<std::size_t>(best_feature);
  const auto mid = std::stable_partition(idx.begin() + static_cast<std::ptrdiff_t>(begin),
                                         idx.begin() + static_cast<std::ptrdiff_t>(end),
                                         [&](std::size_t i) { return x.data[i * d + f] <= best_threshold; });
  const auto split = static_cast<std::size_t>(mid - idx.begin());
  nodes_[self].feature = best_feature;
  nodes_[self].threshold = best_threshold;
  const int l = grow(x, y, idx, begin, split, depth + 1);
  const int r = grow(x, y, idx, split, end, depth + 1);
  nodes_[self].left = l;
  nodes_[self].right = r;
  return self;
}

ndarray<double> decision_tree::predict_proba(const ndarray<float>& x) const {
  check_predict_input(x);
  const std::size_t n = x.shape[0], d = nof_features_, k = nof_classes_;
  ndarray<double> out({n, k});
  for (std::size_t i = 0; i < n; ++i) {
    int at = 0;
    while (nodes_[at].feature >= 0)
      at = x.data[i * d + static_cast<std::size_t>(nodes_[at].feature)] <= nodes_[at].threshold ? nodes_[at].left
                                                                                              : nodes_[at].right;
    std::copy(nodes_[at].proba.begin(), nodes_[at].proba.end(), out.ptr() + i * k);
  }
  return out;
}

}  // namespace physec::auth
