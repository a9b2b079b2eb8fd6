// sincos_batch against the x87 extended-precision libm (sinl / cosl: 64-bit significands, an implementation
// independent of ours), in units of the double result's last place.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include "physec/core/trig.hpp"

namespace {

// |got − ref| in ulps of the reference rounded to double; a reference below 2^-30 (the reduced argument there
// carries an absolute error of ~1e-32) is judged by its absolute error in ulps of 2^-30.
double ulps(double got, long double ref) {
  const double scale = std::max(std::fabs(static_cast<double>(ref)), 0x1p-30);
  const double ulp = std::ldexp(1.0, std::ilogb(scale) - 52);
  return static_cast<double>(std::fabs(static_cast<long double>(got) - ref)) / ulp;
}

void expect_within_3_ulps(const std::vector<double>& x) {
  std::vector<double> s(x.size()), c(x.size());
  physec::sincos_batch(x.data(), s.data(), c.data(), x.size());
  double worst_s = 0, worst_c = 0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    worst_s = std::max(worst_s, ulps(s[i], std::sin(static_cast<long double>(x[i]))));
    worst_c = std::max(worst_c, ulps(c[i], std::cos(static_cast<long double>(x[i]))));
  }
  EXPECT_LE(worst_s, 3.0);
  EXPECT_LE(worst_c, 3.0);
}

}  // namespace

TEST(Trig, SincosBatchWithinThreeUlpsOnRandomArguments) {
  std::mt19937_64 gen(17);
  for (const double range : {1.0, 10.0, 1e3, 1e5, physec::sincos_batch_limit}) {
    std::uniform_real_distribution<double> u(-range, range);
    std::vector<double> x(20000);
    for (auto& v : x) v = u(gen);
    expect_within_3_ulps(x);
  }
}

TEST(Trig, SincosBatchAtQuadrantBoundariesAndSpecialPoints) {
  // Multiples of π/4 (ties of the reduction, both sides) and arguments near zero.
  std::vector<double> x{0.0, -0.0, 1e-300, -1e-300, 1e-9, -1e-9};
  for (int k = -4000; k <= 4000; ++k) {
    const double v = k * 0.78539816339744830962;
    x.insert(x.end(), {v, std::nextafter(v, 1e9), std::nextafter(v, -1e9)});
  }
  expect_within_3_ulps(x);
  std::vector<double> s(1), c(1);
  physec::sincos_batch(x.data(), s.data(), c.data(), 1);
  EXPECT_EQ(s[0], 0.0);
  EXPECT_EQ(c[0], 1.0);
}

TEST(Trig, OutOfRangeAndNonFiniteArgumentsFallBackToLibm) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> x{1e7, -3e12, 0.5, nan, std::numeric_limits<double>::infinity()};
  std::vector<double> s(x.size()), c(x.size());
  physec::sincos_batch(x.data(), s.data(), c.data(), x.size());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(s[i], std::sin(x[i]));
    EXPECT_EQ(c[i], std::cos(x[i]));
  }
  EXPECT_TRUE(std::isnan(s[3]) && std::isnan(c[3]) && std::isnan(s[4]) && std::isnan(c[4]));
}
