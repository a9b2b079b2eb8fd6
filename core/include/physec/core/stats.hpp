#pragma once
/// @file Small statistics shared by the layers: exact confidence intervals for a proportion.

#include <cstddef>

namespace physec {

/// A proportion k/n with its two-sided confidence interval.
struct proportion_interval {
  double value = 0;  ///< k / n (NaN when n = 0)
  double low = 0;    ///< lower bound
  double high = 1;   ///< upper bound
};

/// Clopper–Pearson exact interval (Clopper & Pearson 1934) for k successes in n trials at `confidence` (e.g. 0.95):
/// alpha/2 in each tail. n = 0 gives value NaN and the interval [0, 1].
proportion_interval clopper_pearson(std::size_t n, std::size_t k, double confidence = 0.95);

}  // namespace physec
