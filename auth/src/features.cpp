#include "physec/auth/features.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/error.hpp"

namespace physec::auth {

const std::vector<std::string>& sequence_feature_names() {
  static const std::vector<std::string> names = {"mean", "std", "min", "max", "lag1_autocorr", "mean_abs_diff"};
  return names;
}

namespace {
void check_sequences(const ndarray<float>& s) {
  if (s.rank() != 3 || s.shape[0] == 0 || s.shape[1] == 0 || s.shape[2] < 2)
    throw error("CSI sequences must be a non-empty 3-d array with at least two time steps",
                {"", "sequences", std::nullopt}, "[nof_sequences, D, T >= 2]", shape_string(s.shape));
}
}  // namespace

ndarray<float> sequence_features(const ndarray<float>& sequences) {
  check_sequences(sequences);
  const std::size_t ns = sequences.shape[0], nd = sequences.shape[1], nt = sequences.shape[2];
  const std::size_t nf = sequence_feature_names().size();
  ndarray<float> out({ns, nd * nf});
  for (std::size_t s = 0; s < ns; ++s)
    for (std::size_t dim = 0; dim < nd; ++dim) {
      const float* v = sequences.ptr() + (s * nd + dim) * nt;
      double mean = 0.0, lo = v[0], hi = v[0], abs_diff = 0.0;
      for (std::size_t t = 0; t < nt; ++t) {
        mean += v[t];
        lo = std::min<double>(lo, v[t]);
        hi = std::max<double>(hi, v[t]);
        if (t) abs_diff += std::abs(static_cast<double>(v[t]) - v[t - 1]);
      }
      mean /= static_cast<double>(nt);
      double var = 0.0, lag1 = 0.0;
      for (std::size_t t = 0; t < nt; ++t) {
        var += (v[t] - mean) * (v[t] - mean);
        if (t + 1 < nt) lag1 += (v[t] - mean) * (v[t + 1] - mean);
      }
      float* o = out.ptr() + s * nd * nf + dim * nf;
      o[0] = static_cast<float>(mean);
      o[1] = static_cast<float>(std::sqrt(var / static_cast<double>(nt)));
      o[2] = static_cast<float>(lo);
      o[3] = static_cast<float>(hi);
      o[4] = var > 0.0 ? static_cast<float>(lag1 / var) : 0.0f;
      o[5] = static_cast<float>(abs_diff / static_cast<double>(nt - 1));
    }
  return out;
}

ndarray<float> per_sample_vectors(const ndarray<float>& sequences) {
  check_sequences(sequences);
  const std::size_t ns = sequences.shape[0], nd = sequences.shape[1], nt = sequences.shape[2];
  ndarray<float> out({ns * nt, nd});
  for (std::size_t s = 0; s < ns; ++s)
    for (std::size_t dim = 0; dim < nd; ++dim)
      for (std::size_t t = 0; t < nt; ++t) out(s * nt + t, dim) = sequences(s, dim, t);
  return out;
}

std::vector<int> per_sample_labels(const std::vector<int>& labels, std::size_t nof_steps) {
  std::vector<int> out;
  out.reserve(labels.size() * nof_steps);
  for (int l : labels) out.insert(out.end(), nof_steps, l);
  return out;
}

void feature_scaler::fit(const ndarray<float>& x) {
  if (x.rank() != 2 || x.shape[0] == 0)
    throw error("scaler needs a non-empty matrix", {"", "x", std::nullopt}, "[nof_samples, nof_features]",
                shape_string(x.shape));
  const std::size_t n = x.shape[0], d = x.shape[1];
  mean_.assign(d, 0.0);
  scale_.assign(d, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) mean_[j] += x.data[i * d + j];
  for (auto& m : mean_) m /= static_cast<double>(n);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < d; ++j) scale_[j] += (x.data[i * d + j] - mean_[j]) * (x.data[i * d + j] - mean_[j]);
  for (auto& s : scale_) {
    s = std::sqrt(s / static_cast<double>(n));
    if (!(s > 0.0)) s = 1.0;
  }
}

ndarray<float> feature_scaler::transform(const ndarray<float>& x) const {
  if (x.rank() != 2 || x.shape[1] != mean_.size())
    throw error("scaler input has the wrong feature count", {"", "x", std::nullopt},
                "[n, " + std::to_string(mean_.size()) + "]", shape_string(x.shape));
  ndarray<float> out(x.shape);
  const std::size_t d = mean_.size();
  for (std::size_t i = 0; i < x.size(); ++i)
    out.data[i] = static_cast<float>((x.data[i] - mean_[i % d]) / scale_[i % d]);
  return out;
}

}  // namespace physec::auth
