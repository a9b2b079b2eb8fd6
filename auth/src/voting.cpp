#include <algorithm>
#include <numeric>

#include "physec/auth/baselines.hpp"
#include "physec/auth/metrics.hpp"
#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::auth {

weighted_voting::weighted_voting(wv_config cfg, std::vector<std::unique_ptr<classifier>> bases, std::uint64_t seed)
    : cfg_(std::move(cfg)), bases_(std::move(bases)), seed_(seed) {
  if (bases_.empty()) throw error("weighted voting needs base classifiers", {"", "wv.base", std::nullopt}, ">= 1", "0");
}

void weighted_voting::fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data* validation) {
  begin_fit(x, y);
  labelled_data held_out;
  const ndarray<float>* train_x = &x;
  const std::vector<int>* train_y = &y;
  ndarray<float> rest_x;
  std::vector<int> rest_y;
  if (!validation) {
    // Seeded Fisher-Yates shuffle; the first validation_fraction of it becomes the weighting set.
    std::vector<std::size_t> perm(x.shape[0]);
    std::iota(perm.begin(), perm.end(), std::size_t{0});
    rng_stream rng = rng_stream(seed_).derive("wv/holdout");
    for (std::size_t i = perm.size(); i > 1; --i) std::swap(perm[i - 1], perm[rng.uniform_int(i)]);
    const auto nv = std::max<std::size_t>(1, static_cast<std::size_t>(cfg_.validation_fraction * perm.size()));
    if (nv >= perm.size())
      throw error("too few samples to hold out a weighting set", {"", "x", std::nullopt}, ">= 2 samples",
                  std::to_string(perm.size()));
    std::vector<std::size_t> vrows(perm.begin(), perm.begin() + static_cast<std::ptrdiff_t>(nv));
    std::vector<std::size_t> trows(perm.begin() + static_cast<std::ptrdiff_t>(nv), perm.end());
    held_out.x = take_rows(x, vrows);
    rest_x = take_rows(x, trows);
    for (auto r : vrows) held_out.y.push_back(y[r]);
    for (auto r : trows) rest_y.push_back(y[r]);
    train_x = &rest_x;
    train_y = &rest_y;
    validation = &held_out;
  } else {
    check_labelled(validation->x, &validation->y, "validation.x");
  }
  std::vector<double> acc;
  for (auto& b : bases_) {
    b->fit(*train_x, *train_y, validation);
    acc.push_back(accuracy(validation->y, b->predict(validation->x)));
  }
  const double chance = 1.0 / static_cast<double>(nof_classes_);
  weights_.assign(acc.size(), 0.0);
  for (std::size_t m = 0; m < acc.size(); ++m) weights_[m] = acc[m] > chance ? acc[m] : 0.0;
  double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  if (total <= 0.0) {
    std::fill(weights_.begin(), weights_.end(), 1.0);
    total = static_cast<double>(weights_.size());
  }
  for (auto& w : weights_) w /= total;
}

ndarray<double> weighted_voting::predict_proba(const ndarray<float>& x) const {
  check_predict_input(x);
  ndarray<double> out({x.shape[0], nof_classes_});
  for (std::size_t m = 0; m < bases_.size(); ++m) {
    if (weights_[m] == 0.0) continue;
    // A base fitted on a subset may have seen fewer classes: its columns map onto the first ones.
    const ndarray<double> p = bases_[m]->predict_proba(x);
    const std::size_t km = p.shape[1];
    for (std::size_t i = 0; i < x.shape[0]; ++i)
      for (std::size_t c = 0; c < km; ++c) out(i, c) += weights_[m] * p(i, c);
  }
  return out;
}

}  // namespace physec::auth
