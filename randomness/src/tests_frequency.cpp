// SP 800-22 rev1a §2.1 frequency, §2.2 block frequency, §2.3 runs, §2.4 longest run of ones, §2.13 cumulative sums.

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>
#include <string>

#include "common.hpp"

namespace physec::randomness {
namespace {

std::size_t count_ones(bit_view bits) {
  std::size_t ones = 0;
  for (std::size_t i = 0; i < bits.size; ++i) ones += bits.data[i];
  return ones;
}

/// §2.13.4 step 4: P-value of the maximal excursion z of a random walk of n steps.
double cusum_p_value(double n, double z) {
  const double sqrt_n = std::sqrt(n);
  double sum1 = 0;
  for (double k = std::trunc((-n / z + 1) / 4); k <= std::trunc((n / z - 1) / 4); ++k)
    sum1 += detail::normal_cdf((4 * k + 1) * z / sqrt_n) - detail::normal_cdf((4 * k - 1) * z / sqrt_n);
  double sum2 = 0;
  for (double k = std::trunc((-n / z - 3) / 4); k <= std::trunc((n / z - 1) / 4); ++k)
    sum2 += detail::normal_cdf((4 * k + 3) * z / sqrt_n) - detail::normal_cdf((4 * k + 1) * z / sqrt_n);
  return 1.0 - sum1 + sum2;
}

}  // namespace

test_result frequency_test(bit_view bits, const nist_config&) {
  const std::size_t n = bits.size;
  auto r = detail::start(bits, "Frequency", "n >= 100 (SP 800-22 §2.1.7)", n >= 100);
  if (n == 0) return detail::skipped(std::move(r), "empty sequence");
  const double s_n = 2.0 * static_cast<double>(count_ones(bits)) - static_cast<double>(n);  // §2.1.4 (1)
  const double s_obs = std::abs(s_n) / std::sqrt(static_cast<double>(n));                   // §2.1.4 (2)
  detail::add_stat(r, "S_n", s_n);
  detail::add_stat(r, "s_obs", s_obs);
  detail::add_p(r, detail::erfc(s_obs / std::sqrt(2.0)));  // §2.1.4 (3)
  return r;
}

test_result block_frequency_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.block_frequency_M;
  if (m == 0) detail::bad_parameter("block_frequency_M", "block length must be positive", ">= 1", "0");
  const std::size_t nof_blocks = n / m;
  auto r =
      detail::start(bits, "BlockFrequency", "n >= 100, M >= 20, M > 0.01 n, N < 100 (SP 800-22 §2.2.7)",
                    n >= 100 && m >= 20 && static_cast<double>(m) > 0.01 * static_cast<double>(n) && nof_blocks < 100);
  if (nof_blocks == 0) return detail::skipped(std::move(r), "fewer bits than one block (n < M)");
  double sum = 0;
  for (std::size_t b = 0; b < nof_blocks; ++b) {
    const double pi = static_cast<double>(count_ones(bits.sub(b * m, m))) / static_cast<double>(m);  // §2.2.4 (2)
    sum += (pi - 0.5) * (pi - 0.5);
  }
  const double chi2 = 4.0 * static_cast<double>(m) * sum;  // §2.2.4 (3)
  detail::add_stat(r, "N", static_cast<double>(nof_blocks));
  detail::add_stat(r, "chi2", chi2);
  detail::add_p(r, detail::igamc(static_cast<double>(nof_blocks) / 2.0, chi2 / 2.0));  // §2.2.4 (4)
  return r;
}

test_result runs_test(bit_view bits, const nist_config&) {
  const std::size_t n = bits.size;
  auto r = detail::start(bits, "Runs", "n >= 100 (SP 800-22 §2.3.7)", n >= 100);
  if (n == 0) return detail::skipped(std::move(r), "empty sequence");
  const double nd = static_cast<double>(n);
  const double pi = static_cast<double>(count_ones(bits)) / nd;  // §2.3.4 (1)
  detail::add_stat(r, "pi", pi);
  // §2.3.4 (2): the frequency prerequisite; when it fails the test is not run and P-value = 0.
  if (std::abs(pi - 0.5) >= 2.0 / std::sqrt(nd)) {
    detail::add_p(r, 0.0);
    r.skip_reason = "frequency prerequisite |pi - 1/2| < 2/sqrt(n) failed: P-value set to 0 (SP 800-22 §2.3.4)";
    return r;
  }
  std::size_t v_obs = 1;  // §2.3.4 (3)
  for (std::size_t k = 0; k + 1 < n; ++k) v_obs += bits.data[k] != bits.data[k + 1];
  detail::add_stat(r, "V_n_obs", static_cast<double>(v_obs));
  const double q = pi * (1 - pi);
  detail::add_p(r, detail::erfc(std::abs(static_cast<double>(v_obs) - 2 * nd * q) / (2 * std::sqrt(2 * nd) * q)));
  return r;
}

test_result longest_run_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size;
  auto r = detail::start(bits, "LongestRun", "n >= 128 (SP 800-22 §2.4.7)", n >= 128);
  std::size_t m = cfg.longest_run_M;
  if (m == 0) {  // §2.4.2 table: minimum n for each M
    if (n < 128) return detail::skipped(std::move(r), "n < 128 bits (SP 800-22 §2.4.2)");
    m = n < 6272 ? 8 : n < 750000 ? 128 : 10000;
  }
  // §2.4.4 step 2 (the categories of v_i) and §3.4 (the probabilities π_i): M = 8 and 128 from the exact values
  // of §3.4, M = 10⁴ from the 4-decimal table of §2.4.4 (as the reference implementation uses).
  std::size_t lo = 0, hi = 0;
  std::vector<double> pi;
  if (m == 8) {
    lo = 1, hi = 4, pi = {0.21484375, 0.3671875, 0.23046875, 0.1875};
  } else if (m == 128) {
    lo = 4, hi = 9, pi = {0.1174035788, 0.242955959, 0.249363483, 0.17517706, 0.102701071, 0.112398847};
  } else if (m == 10000) {
    lo = 10, hi = 16, pi = {0.0882, 0.2092, 0.2483, 0.1933, 0.1208, 0.0675, 0.0727};
  } else {
    detail::bad_parameter("longest_run_M", "block length not in the table of SP 800-22 §2.4.2", "8, 128 or 10000",
                          std::to_string(m));
  }
  const std::size_t nof_blocks = n / m;
  if (nof_blocks == 0) return detail::skipped(std::move(r), "fewer bits than one block (n < M)");
  std::vector<double> nu(pi.size(), 0.0);
  for (std::size_t b = 0; b < nof_blocks; ++b) {
    std::size_t run = 0, longest = 0;
    const std::uint8_t* p = bits.data + b * m;
    for (std::size_t i = 0; i < m; ++i) {
      run = (run + 1) * p[i];  // branch-free run length
      longest = std::max(longest, run);
    }
    nu[std::clamp(longest, lo, hi) - lo] += 1;
  }
  const double chi2 = detail::chi_squared(nu, pi, static_cast<double>(nof_blocks));  // §2.4.4 (3)
  const double k = static_cast<double>(pi.size() - 1);
  detail::add_stat(r, "M", static_cast<double>(m));
  detail::add_stat(r, "chi2", chi2);
  detail::add_p(r, detail::igamc(k / 2.0, chi2 / 2.0));  // §2.4.4 (4)
  return r;
}

test_result cumulative_sums_test(bit_view bits, const nist_config&) {
  const std::size_t n = bits.size;
  auto r = detail::start(bits, "CumulativeSums", "n >= 100 (SP 800-22 §2.13.7)", n >= 100);
  if (n == 0) return detail::skipped(std::move(r), "empty sequence");
  // §2.13.4 (1)-(3): forward z = max_k |S_k|; reverse (mode 1) z = max_k |S_n - S_k|, k = 0 … n-1.
  long long s = 0, s_max = 0, s_min = 0;
  for (std::size_t i = 0; i < n; ++i) {
    s += 2 * static_cast<long long>(bits.data[i]) - 1;  // branch-free: the bits are unpredictable
    s_max = std::max(s_max, s);
    s_min = std::min(s_min, s);
  }
  const long long z_forward = std::max(s_max, -s_min);
  // S_k over k = 0 … n-1 has the same extremes as over 0 … n except possibly S_n itself.
  long long t = 0, t_max = 0, t_min = 0;
  for (std::size_t i = 0; i + 1 < n; ++i) {
    t += 2 * static_cast<long long>(bits.data[i]) - 1;
    t_max = std::max(t_max, t);
    t_min = std::min(t_min, t);
  }
  const long long z_reverse = std::max(std::llabs(s - t_min), std::llabs(s - t_max));
  const double nd = static_cast<double>(n);
  detail::add_stat(r, "z_forward", static_cast<double>(z_forward));
  detail::add_stat(r, "z_reverse", static_cast<double>(z_reverse));
  detail::add_p(r, cusum_p_value(nd, static_cast<double>(z_forward)), "forward");
  detail::add_p(r, cusum_p_value(nd, static_cast<double>(z_reverse)), "reverse");
  return r;
}

}  // namespace physec::randomness
