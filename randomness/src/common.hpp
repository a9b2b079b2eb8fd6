#pragma once
// Private helpers shared by the SP 800-22 test implementations.

#include <boost/math/special_functions/erf.hpp>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>
#include <vector>

#include "physec/core/error.hpp"
#include "physec/randomness/nist_tests.hpp"

namespace physec::randomness::detail {

/// Boost.Math evaluates in double (its default promotes to long double, x87, several times slower); the results
/// stay within a few ulp, far below the 6 printed decimals of SP 800-22.
using double_policy = boost::math::policies::policy<boost::math::policies::promote_double<false>>;

/// Complementary error function erfc(x) (SP 800-22 §5.5.3).
inline double erfc(double x) {
  return boost::math::erfc(x, double_policy());
}

/// igamc(a, x) = Γ(a, x)/Γ(a), the regularised upper incomplete gamma function (SP 800-22 §5.5.3).
inline double igamc(double a, double x) {
  if (x <= 0) return 1.0;
  return boost::math::gamma_q(a, x, double_policy());
}

/// Standard normal cumulative distribution Φ(z) (SP 800-22 §5.5.3).
inline double normal_cdf(double z) {
  return 0.5 * erfc(-z / std::sqrt(2.0));
}

/// A result named `name`, with its §2.x.7 recommendation and whether it held; checks the bits are 0/1.
inline test_result start(bit_view bits, std::string name, std::string recommendation, bool met) {
  check_bits(bits, name);
  test_result r;
  r.name = std::move(name);
  r.recommendation = std::move(recommendation);
  r.recommendation_met = met;
  return r;
}

/// Marks `r` skipped with a reason and returns it.
inline test_result skipped(test_result r, std::string reason) {
  r.skipped = true;
  r.skip_reason = std::move(reason);
  r.p_values.clear();
  r.labels.clear();
  return r;
}

/// Adds one P-value with its label.
inline void add_p(test_result& r, double p, std::string label = {}) {
  r.p_values.push_back(p);
  r.labels.push_back(std::move(label));
}

/// Adds an intermediate statistic.
inline void add_stat(test_result& r, std::string key, double value) {
  r.statistics.emplace_back(std::move(key), value);
}

/// Pearson χ² = Σ (ν_i − N·π_i)² / (N·π_i) of observed counts ν against probabilities π.
inline double chi_squared(const std::vector<double>& nu, const std::vector<double>& pi, double total) {
  double chi2 = 0;
  for (std::size_t i = 0; i < nu.size(); ++i) {
    const double e = total * pi[i];
    chi2 += (nu[i] - e) * (nu[i] - e) / e;
  }
  return chi2;
}

/// Throws a physec::error for a bad parameter of a test.
[[noreturn]] inline void bad_parameter(const std::string& field, const std::string& what, const std::string& expected,
                                       const std::string& found) {
  throw error(what, {"", field, std::nullopt}, expected, found);
}

}  // namespace physec::randomness::detail
