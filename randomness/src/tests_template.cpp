// SP 800-22 rev1a §2.7 non-overlapping and §2.8 overlapping template matching tests.

#include <cmath>
#include <string>

#include "common.hpp"

namespace physec::randomness {
namespace {

std::string template_label(std::uint32_t t, std::size_t m) {
  std::string s(m, '0');
  for (std::size_t i = 0; i < m; ++i) s[i] = static_cast<char>('0' + ((t >> (m - 1 - i)) & 1u));
  return s;
}

/// §2.8.4 step 4 (Pr(u, η) of the reference implementation): probability of u occurrences of the all-ones
/// template in a block, compound-Poisson approximation; the last class takes the remaining mass.
std::vector<double> overlapping_probabilities(std::size_t m, std::size_t block_length, std::size_t k, bool reference) {
  if (!reference && m == 9 && block_length == 1032 && k == 5)  // §3.8: rev1a's corrected values, m = 9, M = 1032
    return {0.364091, 0.185659, 0.139381, 0.100571, 0.070432, 0.139865};
  const double lambda = static_cast<double>(block_length - m + 1) / std::exp2(static_cast<double>(m));
  const double eta = lambda / 2.0;
  std::vector<double> pi(k + 1, 0.0);
  pi[0] = std::exp(-eta);
  double total = pi[0];
  for (std::size_t u = 1; u < k; ++u) {
    double sum = 0;
    for (std::size_t l = 1; l <= u; ++l) {
      // C(u-1, l-1) η^l / l!
      const double log_term = std::lgamma(static_cast<double>(u)) - std::lgamma(static_cast<double>(l)) -
                              std::lgamma(static_cast<double>(u - l + 1)) + static_cast<double>(l) * std::log(eta) -
                              std::lgamma(static_cast<double>(l + 1));
      sum += std::exp(log_term);
    }
    pi[u] = std::exp(-eta) / std::exp2(static_cast<double>(u)) * sum;
    total += pi[u];
  }
  pi[k] = 1.0 - total;
  return pi;
}

}  // namespace

std::vector<std::uint32_t> aperiodic_templates(std::size_t m) {
  if (m < 1 || m > 24) detail::bad_parameter("m", "template length out of range", "1 <= m <= 24", std::to_string(m));
  std::vector<std::uint32_t> out;
  for (std::uint32_t t = 0; t < (std::uint32_t{1} << m); ++t) {
    bool periodic = false;
    for (std::size_t k = 1; k < m && !periodic; ++k)  // prefix of length m-k against suffix of length m-k
      periodic = (t >> k) == (t & ((std::uint32_t{1} << (m - k)) - 1));
    if (!periodic) out.push_back(t);
  }
  return out;
}

test_result non_overlapping_template_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.non_overlapping_m, nof_blocks = cfg.non_overlapping_N;
  if (m < 2 || m > 21)
    detail::bad_parameter("non_overlapping_m", "template length out of range", "2 <= m <= 21", std::to_string(m));
  if (nof_blocks == 0) detail::bad_parameter("non_overlapping_N", "number of blocks must be positive", ">= 1", "0");
  const std::size_t block_length = n / nof_blocks;
  auto r = detail::start(
      bits, "NonOverlappingTemplate", "m = 9 or 10, N <= 100, M > 0.01 n (SP 800-22 §2.7.7)",
      (m == 9 || m == 10) && nof_blocks <= 100 && static_cast<double>(block_length) > 0.01 * static_cast<double>(n));
  if (block_length < m) return detail::skipped(std::move(r), "blocks shorter than the template (M < m)");
  // An aperiodic template cannot overlap itself, so the scan of §2.7.4 step 2 (skip m bits after a hit) counts
  // exactly the positions where the template occurs: one pass builds every template's count per block.
  const std::size_t nof_values = std::size_t{1} << m;
  const std::uint32_t mask = static_cast<std::uint32_t>(nof_values - 1);
  std::vector<std::uint32_t> counts(nof_blocks * nof_values, 0);
  for (std::size_t b = 0; b < nof_blocks; ++b) {
    const std::uint8_t* p = bits.data + b * block_length;
    std::uint32_t* c = counts.data() + b * nof_values;
    std::uint32_t v = 0;
    for (std::size_t i = 0; i + 1 < m; ++i) v = (v << 1) | p[i];
    for (std::size_t i = m - 1; i < block_length; ++i) {
      v = ((v << 1) | p[i]) & mask;
      ++c[v];
    }
  }
  const double md = static_cast<double>(m), big_m = static_cast<double>(block_length);
  const double mu = (big_m - md + 1) / std::exp2(md);                                    // §2.7.4 (3)
  const double sigma2 = big_m * (1 / std::exp2(md) - (2 * md - 1) / std::exp2(2 * md));  // §2.7.4 (3)
  for (std::uint32_t t : aperiodic_templates(m)) {
    double chi2 = 0;
    for (std::size_t b = 0; b < nof_blocks; ++b) {
      const double w = counts[b * nof_values + t];
      chi2 += (w - mu) * (w - mu) / sigma2;  // §2.7.4 (4)
    }
    detail::add_p(r, detail::igamc(static_cast<double>(nof_blocks) / 2.0, chi2 / 2.0), template_label(t, m));
  }
  detail::add_stat(r, "M", big_m);
  detail::add_stat(r, "mu", mu);
  detail::add_stat(r, "sigma2", sigma2);
  return r;
}

test_result overlapping_template_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.overlapping_m, block_length = cfg.overlapping_M, k = 5;
  if (m < 2 || m > 21 || block_length < m)
    detail::bad_parameter("overlapping_m", "template length out of range", "2 <= m <= min(21, M)", std::to_string(m));
  const std::size_t nof_blocks = n / block_length;
  auto r = detail::start(bits, "OverlappingTemplate", "n >= 10^6 (SP 800-22 §2.8.7)", n >= 1000000);
  if (nof_blocks == 0) return detail::skipped(std::move(r), "fewer bits than one block (n < M)");
  const std::vector<double> pi = overlapping_probabilities(m, block_length, k, cfg.reference_probabilities);
  std::vector<double> nu(k + 1, 0.0);
  for (std::size_t b = 0; b < nof_blocks; ++b) {
    // §2.8.4 step 2: overlapping occurrences of 1…1 (m ones) = positions where a run of ones has reached m.
    const std::uint8_t* p = bits.data + b * block_length;
    std::size_t run = 0, hits = 0;
    for (std::size_t i = 0; i < block_length; ++i) {
      run = (run + 1) * p[i];  // branch-free run length
      hits += run >= m;
    }
    nu[std::min(hits, k)] += 1;
  }
  const double chi2 = detail::chi_squared(nu, pi, static_cast<double>(nof_blocks));  // §2.8.4 (5)
  detail::add_stat(r, "N", static_cast<double>(nof_blocks));
  detail::add_stat(r, "chi2", chi2);
  for (std::size_t i = 0; i <= k; ++i) detail::add_stat(r, "nu_" + std::to_string(i), nu[i]);
  detail::add_p(r, detail::igamc(static_cast<double>(k) / 2.0, chi2 / 2.0));  // §2.8.4 (6)
  return r;
}

}  // namespace physec::randomness
