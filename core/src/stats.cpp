#include "physec/core/stats.hpp"

#include <boost/math/distributions/binomial.hpp>
#include <cmath>

#include "physec/core/error.hpp"

namespace physec {

proportion_interval clopper_pearson(std::size_t n, std::size_t k, double confidence) {
  if (k > n || !(confidence > 0 && confidence < 1))
    throw error("bad proportion", {"", "clopper_pearson", {}}, "k <= n and 0 < confidence < 1",
                std::to_string(k) + " of " + std::to_string(n) + " at " + std::to_string(confidence));
  proportion_interval r;
  if (n == 0) {
    r.value = std::nan("");
    return r;
  }
  const double nn = static_cast<double>(n), kk = static_cast<double>(k), alpha = 1.0 - confidence;
  using dist = boost::math::binomial_distribution<double>;
  r.value = kk / nn;
  r.low = dist::find_lower_bound_on_p(nn, kk, alpha / 2, dist::clopper_pearson_exact_interval);
  r.high = dist::find_upper_bound_on_p(nn, kk, alpha / 2, dist::clopper_pearson_exact_interval);
  return r;
}

}  // namespace physec
