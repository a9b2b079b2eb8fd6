#include "physec/keygen/quantizer.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/error.hpp"

namespace physec::keygen {

std::uint32_t gray_decode(std::uint32_t g) {
  std::uint32_t k = g;
  for (std::uint32_t shift = 1; shift < 32; shift <<= 1) k ^= k >> shift;
  return k;
}

void quantizer_config::describe(config::schema& s) {
  s.add("method", method, "quantizer: quantile (paper), mean, guard (Mathur 2008), multibit (Jana 2009)")
      .choices({"quantile", "mean", "guard", "multibit"})
      .source("Alashqar et al. 2025 (quantile)");
  s.add("bits", bits, "m, bits per value for quantile and multibit (mean and guard give 1)")
      .range(1, 8)
      .source("Alashqar et al. 2025 (m = 1, 2)");
  s.add("per_feature", per_feature, "quantile: thresholds per feature, else pooled over features").source("ours");
  s.add("guard_alpha", guard_alpha, "guard: band half-width [std]; multibit: dropped probability fraction per interval")
      .range(0, 0.99)
      .source("ours");
  s.add("block_size", block_size, "samples per adaptive block for mean/guard/multibit, 0 = one block")
      .range(0, 1e9)
      .source("ours");
}

namespace {

void check_width(const ndarray<double>& x, std::size_t expected, const std::string& who) {
  if (x.rank() != 2)
    throw error("features must be a matrix", {"", who, {}}, "[nof_samples, nof_features]", shape_string(x.shape));
  if (expected && x.shape[1] != expected)
    throw error("feature count differs from the data the quantizer was fitted on", {"", who, {}},
                std::to_string(expected) + " features", std::to_string(x.shape[1]));
  for (std::size_t i = 0; i < x.size(); ++i)
    if (!std::isfinite(x.data[i]))
      throw error("non-finite feature value", {"", who, i}, "a finite number", std::to_string(x.data[i]));
}

/// Empirical quantile thresholds: t_k = v_(floor(k n / L)) for k = 1..L-1 over sorted v. With n divisible by L and
/// no ties, exactly n/L training values fall in each level.
std::vector<double> quantile_thresholds(std::vector<double> v, int levels) {
  std::sort(v.begin(), v.end());
  std::vector<double> t;
  for (int k = 1; k < levels; ++k) t.push_back(v[(static_cast<std::size_t>(k) * v.size()) / levels]);
  return t;
}

int level_of(double x, const std::vector<double>& t) {
  return static_cast<int>(std::upper_bound(t.begin(), t.end(), x) - t.begin());
}

/// Calls fn(column j, row range [r0, r1)) for each adaptive block of each column.
template <class F>
void for_blocks(const ndarray<double>& x, int block_size, F&& fn) {
  const std::size_t n = x.shape[0], d = x.shape[1];
  const std::size_t b = block_size > 0 ? static_cast<std::size_t>(block_size) : std::max<std::size_t>(n, 1);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t r0 = 0; r0 < n; r0 += b) fn(j, r0, std::min(n, r0 + b));
}

std::vector<double> column_block(const ndarray<double>& x, std::size_t j, std::size_t r0, std::size_t r1) {
  std::vector<double> v;
  for (std::size_t i = r0; i < r1; ++i) v.push_back(x(i, j));
  return v;
}

void mean_std(const std::vector<double>& v, double& mean, double& sd) {
  mean = 0;
  for (double a : v) mean += a;
  mean /= static_cast<double>(v.size());
  double var = 0;
  for (double a : v) var += (a - mean) * (a - mean);
  sd = v.size() > 1 ? std::sqrt(var / static_cast<double>(v.size() - 1)) : 0.0;
}

class mean_quantizer final : public quantizer {
 public:
  explicit mean_quantizer(int block) : block_(block) {}
  std::string name() const override { return "mean"; }
  int bits_per_value() const override { return 1; }
  void fit(const ndarray<double>& train) override { check_width(train, 0, "mean.fit"); }
  ndarray<int> levels(const ndarray<double>& x) const override {
    check_width(x, 0, "mean.levels");
    ndarray<int> out(x.shape, 0);
    for_blocks(x, block_, [&](std::size_t j, std::size_t r0, std::size_t r1) {
      double m, sd;
      mean_std(column_block(x, j, r0, r1), m, sd);
      for (std::size_t i = r0; i < r1; ++i) out(i, j) = x(i, j) > m ? 1 : 0;
    });
    return out;
  }

 private:
  int block_;
};

class guard_quantizer final : public quantizer {
 public:
  guard_quantizer(double alpha, int block) : alpha_(alpha), block_(block) {}
  std::string name() const override { return "guard"; }
  int bits_per_value() const override { return 1; }
  void fit(const ndarray<double>& train) override { check_width(train, 0, "guard.fit"); }
  ndarray<int> levels(const ndarray<double>& x) const override {
    check_width(x, 0, "guard.levels");
    ndarray<int> out(x.shape, k_dropped);
    for_blocks(x, block_, [&](std::size_t j, std::size_t r0, std::size_t r1) {
      double m, sd;
      mean_std(column_block(x, j, r0, r1), m, sd);
      const double hi = m + alpha_ * sd, lo = m - alpha_ * sd;  // q+ and q- of Mathur et al.
      for (std::size_t i = r0; i < r1; ++i) {
        if (x(i, j) > hi) out(i, j) = 1;
        else if (x(i, j) < lo) out(i, j) = 0;
      }
    });
    return out;
  }

 private:
  double alpha_;
  int block_;
};

class multibit_quantizer final : public quantizer {
 public:
  multibit_quantizer(int bits, double alpha, int block) : bits_(bits), alpha_(alpha), block_(block) {}
  std::string name() const override { return "multibit"; }
  int bits_per_value() const override { return bits_; }
  void fit(const ndarray<double>& train) override { check_width(train, 0, "multibit.fit"); }
  ndarray<int> levels(const ndarray<double>& x) const override {
    check_width(x, 0, "multibit.levels");
    ndarray<int> out(x.shape, k_dropped);
    const int nof_levels = 1 << bits_;
    for_blocks(x, block_, [&](std::size_t j, std::size_t r0, std::size_t r1) {
      std::vector<double> v = column_block(x, j, r0, r1);
      std::sort(v.begin(), v.end());
      const auto q = [&](double p) {
        const double pos = std::clamp(p, 0.0, 1.0) * static_cast<double>(v.size() - 1);
        const auto lo = static_cast<std::size_t>(std::floor(pos));
        const std::size_t hi = std::min(lo + 1, v.size() - 1);
        return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
      };
      // Level k keeps the probability interval [(k + alpha/2)/L, (k + 1 - alpha/2)/L] of the block.
      std::vector<double> lo_edge(nof_levels), hi_edge(nof_levels);
      for (int k = 0; k < nof_levels; ++k) {
        lo_edge[k] = k == 0 ? -INFINITY : q((k + alpha_ / 2) / nof_levels);
        hi_edge[k] = k == nof_levels - 1 ? INFINITY : q((k + 1 - alpha_ / 2) / nof_levels);
      }
      for (std::size_t i = r0; i < r1; ++i)
        for (int k = 0; k < nof_levels; ++k)
          if (x(i, j) >= lo_edge[k] && x(i, j) <= hi_edge[k]) {
            out(i, j) = k;
            break;
          }
    });
    return out;
  }

 private:
  int bits_;
  double alpha_;
  int block_;
};

}  // namespace

quantile_quantizer::quantile_quantizer(int bits, bool per_feature) : bits_(bits), per_feature_(per_feature) {
  if (bits < 1 || bits > 16) throw error("quantile quantizer bits out of range", {"", "bits", {}}, "1..16", std::to_string(bits));
}

void quantile_quantizer::fit(const ndarray<double>& train) {
  check_width(train, 0, "quantile.fit");
  const std::size_t n = train.shape[0], d = train.shape[1];
  const int nof_levels = 1 << bits_;
  if (n < static_cast<std::size_t>(nof_levels))
    throw error("too few training values for the quantile thresholds", {"", "quantile.fit", {}},
                "at least " + std::to_string(nof_levels) + " samples", std::to_string(n));
  nof_features_ = d;
  thresholds_.clear();
  if (per_feature_) {
    for (std::size_t j = 0; j < d; ++j) thresholds_.push_back(quantile_thresholds(column_block(train, j, 0, n), nof_levels));
  } else {
    thresholds_.push_back(quantile_thresholds(train.data, nof_levels));
  }
}

ndarray<int> quantile_quantizer::levels(const ndarray<double>& x) const {
  if (thresholds_.empty()) throw error("quantile quantizer used before fit", {"", "quantile.levels", {}});
  check_width(x, nof_features_, "quantile.levels");
  ndarray<int> out(x.shape, 0);
  for (std::size_t i = 0; i < x.shape[0]; ++i)
    for (std::size_t j = 0; j < x.shape[1]; ++j) out(i, j) = level_of(x(i, j), thresholds_[per_feature_ ? j : 0]);
  return out;
}

std::unique_ptr<quantizer> make_quantizer(const quantizer_config& c) {
  quantizer_config copy = c;
  config::validate(copy, "quantizer");
  if (c.method == "quantile") return std::make_unique<quantile_quantizer>(c.bits, c.per_feature);
  if (c.method == "mean") return std::make_unique<mean_quantizer>(c.block_size);
  if (c.method == "guard") return std::make_unique<guard_quantizer>(c.guard_alpha, c.block_size);
  return std::make_unique<multibit_quantizer>(c.bits, c.guard_alpha, c.block_size);
}

std::vector<std::uint8_t> common_mask(const std::vector<const ndarray<int>*>& levels) {
  if (levels.empty()) return {};
  std::vector<std::uint8_t> mask(levels[0]->size(), 1);
  for (const auto* l : levels) {
    if (l->shape != levels[0]->shape)
      throw error("parties' level arrays differ in shape", {"", "common_mask", {}}, shape_string(levels[0]->shape),
                  shape_string(l->shape));
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (l->data[i] == k_dropped) mask[i] = 0;
  }
  return mask;
}

std::vector<std::uint8_t> to_bits(const ndarray<int>& levels, int bits_per_value, const std::vector<std::uint8_t>& mask) {
  std::vector<std::uint8_t> bits;
  bits.reserve(levels.size() * static_cast<std::size_t>(bits_per_value));
  for (std::size_t i = 0; i < levels.size(); ++i) {
    if (!mask.empty() && !mask[i]) continue;
    if (levels.data[i] == k_dropped) continue;
    const std::uint32_t g = gray_encode(static_cast<std::uint32_t>(levels.data[i]));
    for (int b = bits_per_value - 1; b >= 0; --b) bits.push_back(static_cast<std::uint8_t>((g >> b) & 1u));
  }
  return bits;
}

}  // namespace physec::keygen
