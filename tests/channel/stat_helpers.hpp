#pragma once
// Helpers of the statistical tests: sample moments, normal quantiles, and the delta method for a smooth function
// of sample means. Every tolerance is z_{1−α/2}·(standard error), the standard error derived from n.

#include <boost/math/distributions/normal.hpp>

#include <cmath>
#include <functional>
#include <vector>

namespace physec::test {

/// z_{1−α/2} of the standard normal.
inline double z_two_sided(double alpha) {
  return boost::math::quantile(boost::math::normal_distribution<double>(), 1.0 - alpha / 2.0);
}

struct mean_se {
  double mean = 0;
  double se = 0;  ///< standard error of the mean: s/√n
};

/// Sample mean and its standard error.
inline mean_se mean_with_se(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double m = 0;
  for (double v : x) m += v;
  m /= n;
  double ss = 0;
  for (double v : x) ss += (v - m) * (v - m);
  return {m, std::sqrt(ss / (n - 1) / n)};
}

/// Delta method: g evaluated at the sample means of the columns of `x` ([n][d]) and its standard error
/// sqrt(∇gᵀ Σ ∇g / n), Σ the sample covariance, ∇g by central differences.
inline mean_se delta_method(const std::vector<std::vector<double>>& x,
                            const std::function<double(const std::vector<double>&)>& g) {
  const std::size_t n = x.size(), d = x[0].size();
  std::vector<double> m(d, 0.0);
  for (const auto& row : x)
    for (std::size_t j = 0; j < d; ++j) m[j] += row[j] / static_cast<double>(n);
  std::vector<double> grad(d);
  for (std::size_t j = 0; j < d; ++j) {
    const double h = 1e-6 * std::max(std::abs(m[j]), 1e-12);
    auto up = m, dn = m;
    up[j] += h;
    dn[j] -= h;
    grad[j] = (g(up) - g(dn)) / (2 * h);
  }
  double var = 0;
  for (const auto& row : x) {
    double proj = 0;
    for (std::size_t j = 0; j < d; ++j) proj += grad[j] * (row[j] - m[j]);
    var += proj * proj;
  }
  var /= static_cast<double>(n - 1);
  return {g(m), std::sqrt(var / static_cast<double>(n))};
}

}  // namespace physec::test
