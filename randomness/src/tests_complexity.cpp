// SP 800-22 rev1a §2.9 Maurer's universal, §2.10 linear complexity, §2.11 serial, §2.12 approximate entropy.

#include <algorithm>
#include <array>
#include <cmath>
#include <string>

#include "common.hpp"

namespace physec::randomness {
namespace {

/// Counts of the 2^m overlapping m-bit patterns of ε extended cyclically by its first m-1 bits (§2.11.4 step 1,
/// §2.12.4 step 1); index = pattern with its first bit most significant.
std::vector<std::uint64_t> circular_pattern_counts(bit_view bits, std::size_t m) {
  const std::size_t n = bits.size;
  std::vector<std::uint64_t> counts(std::size_t{1} << m, 0);
  const std::uint32_t mask = static_cast<std::uint32_t>((std::uint64_t{1} << m) - 1);
  std::uint32_t v = 0;
  for (std::size_t j = 0; j + 1 < m; ++j) v = (v << 1) | bits.data[j % n];
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t last = i + m - 1;
    v = ((v << 1) | bits.data[last < n ? last : last % n]) & mask;
    ++counts[v];
  }
  return counts;
}

/// Counts of (m-1)-bit patterns from those of m-bit patterns (the prefix of each).
std::vector<std::uint64_t> shorter_counts(const std::vector<std::uint64_t>& counts) {
  std::vector<std::uint64_t> out(counts.size() / 2);
  for (std::size_t u = 0; u < out.size(); ++u) out[u] = counts[2 * u] + counts[2 * u + 1];
  return out;
}

/// §2.11.4 step 3: ψ²_m = 2^m/n Σ ν² − n (0 for m <= 0, i.e. an empty count table of one pattern).
double psi_squared(const std::vector<std::uint64_t>& counts, double n) {
  if (counts.size() <= 1) return 0.0;
  double sum = 0;
  for (std::uint64_t c : counts) sum += static_cast<double>(c) * static_cast<double>(c);
  return static_cast<double>(counts.size()) / n * sum - n;
}

/// §2.12.4 step 4: φ^(m) = Σ C_i ln C_i, C_i = count_i / n.
double phi(const std::vector<std::uint64_t>& counts, double n) {
  double sum = 0;
  for (std::uint64_t c : counts)
    if (c) sum += static_cast<double>(c) / n * std::log(static_cast<double>(c) / n);
  return sum;
}

/// Linear complexity of one block by the Berlekamp–Massey algorithm over GF(2) (§2.10.4 step 2, §5.5.4.4),
/// on 64-bit words: bit i of `c` is c_i of the connection polynomial, bit i of `window` is s_{N-i}.
class berlekamp_massey {
 public:
  explicit berlekamp_massey(std::size_t max_length)
      : nof_words_(max_length / 64 + 2), c_(nof_words_), b_(nof_words_), t_(nof_words_), window_(nof_words_) {}

  std::size_t operator()(const std::uint8_t* s, std::size_t length) {
    std::fill(c_.begin(), c_.end(), 0);
    std::fill(b_.begin(), b_.end(), 0);
    std::fill(t_.begin(), t_.end(), 0);  // words beyond the active ones stay zero in c_, b_, t_
    std::fill(window_.begin(), window_.end(), 0);
    c_[0] = b_[0] = 1;
    std::size_t l = 0;
    long long m = -1;
    for (std::size_t step = 0; step < length; ++step) {
      // Only the words holding bits 0 … step+1 can be non-zero yet (window, and C, B of degree <= step + 1).
      const std::size_t active = std::min(nof_words_, step / 64 + 2);
      // window <<= 1, bit 0 = s_N
      for (std::size_t w = active - 1; w > 0; --w) window_[w] = (window_[w] << 1) | (window_[w - 1] >> 63);
      window_[0] = (window_[0] << 1) | s[step];
      // discrepancy d = s_N + Σ_{i=1}^{L} c_i s_{N-i}
      std::uint64_t acc = 0;
      for (std::size_t w = 0; w <= l / 64; ++w) acc ^= c_[w] & window_[w];
      if (!(__builtin_popcountll(acc) & 1)) continue;
      std::copy(c_.begin(), c_.begin() + static_cast<std::ptrdiff_t>(active), t_.begin());
      xor_shifted(c_, b_, static_cast<std::size_t>(static_cast<long long>(step) - m), active);  // C += B·x^{N-m}
      if (2 * l <= step) {
        l = step + 1 - l;
        m = static_cast<long long>(step);
        b_.swap(t_);
      }
    }
    return l;
  }

 private:
  /// dst ^= src << shift on the first `active` words (bits beyond them are zero).
  static void xor_shifted(std::vector<std::uint64_t>& dst, const std::vector<std::uint64_t>& src, std::size_t shift,
                          std::size_t active) {
    const std::size_t words = shift / 64, bits = shift % 64;
    for (std::size_t w = active; w-- > words;) {
      std::uint64_t v = src[w - words] << bits;
      if (bits && w > words) v |= src[w - words - 1] >> (64 - bits);
      dst[w] ^= v;
    }
  }

  std::size_t nof_words_;
  std::vector<std::uint64_t> c_, b_, t_, window_;
};

}  // namespace

test_result universal_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size;
  // §2.9.7 table: minimum n for each L (L = 6 … 16).
  static constexpr std::array<std::size_t, 11> min_n = {387840,   904960,    2068480,   4654080,   10342400,  22753280,
                                                        49643520, 107560960, 231669760, 496435200, 1059061760};
  // §2.9.4 step 5 table: expectedValue(L) and variance(L), L = 1 … 16.
  static constexpr std::array<double, 17> expected = {0,         0.7326495, 1.5374383, 2.4016068, 3.3112247, 4.2534266,
                                                      5.2177052, 6.1962507, 7.1836656, 8.1764248, 9.1723243, 10.170032,
                                                      11.168765, 12.168070, 13.167693, 14.167488, 15.167379};
  static constexpr std::array<double, 17> variance = {0,     0.690, 1.338, 1.901, 2.358, 2.705, 2.954, 3.125, 3.238,
                                                      3.311, 3.356, 3.384, 3.401, 3.410, 3.416, 3.419, 3.421};
  std::size_t l = cfg.universal_L;
  if (l == 0) {
    for (std::size_t i = 0; i < min_n.size(); ++i)
      if (n >= min_n[i]) l = 6 + i;
  }
  auto r = detail::start(bits, "Universal", "n >= 387,840 with L, Q from the table of SP 800-22 §2.9.7",
                         n >= min_n[0] && (cfg.universal_Q == 0 || cfg.universal_Q >= 10 * (std::size_t{1} << l)));
  if (l == 0) return detail::skipped(std::move(r), "n < 387,840: below the L table of SP 800-22 §2.9.7");
  if (l > 16) detail::bad_parameter("universal_L", "block length out of range", "1 <= L <= 16", std::to_string(l));
  const std::size_t q = cfg.universal_Q ? cfg.universal_Q : 10 * (std::size_t{1} << l);
  const std::size_t total_blocks = n / l;
  if (total_blocks <= q) return detail::skipped(std::move(r), "no test blocks after the Q initialisation blocks");
  const std::size_t k = total_blocks - q;
  // §2.9.4 steps 2-4: table of the last occurrence (1-based block index) of each L-bit value.
  std::vector<std::size_t> last(std::size_t{1} << l, 0);
  const auto block_value = [&](std::size_t i) {
    std::uint32_t v = 0;
    const std::uint8_t* p = bits.data + i * l;
    for (std::size_t j = 0; j < l; ++j) v = (v << 1) | p[j];
    return v;
  };
  for (std::size_t i = 0; i < q; ++i) last[block_value(i)] = i + 1;
  double sum = 0;
  for (std::size_t i = q; i < total_blocks; ++i) {
    const std::uint32_t v = block_value(i);
    sum += std::log2(static_cast<double>(i + 1 - last[v]));
    last[v] = i + 1;
  }
  const double kd = static_cast<double>(k), ld = static_cast<double>(l);
  const double fn = sum / kd;  // §2.9.4 (4)
  // §2.9.4 step 5: σ = c·√(variance(L)/K), c = 0.7 − 0.8/L + (4 + 32/L)·K^{−3/L}/15.
  const double c = 0.7 - 0.8 / ld + (4 + 32 / ld) * std::pow(kd, -3 / ld) / 15;
  const double sigma = c * std::sqrt(variance[l] / kd);
  detail::add_stat(r, "L", ld);
  detail::add_stat(r, "Q", static_cast<double>(q));
  detail::add_stat(r, "K", kd);
  detail::add_stat(r, "sum", sum);
  detail::add_stat(r, "f_n", fn);
  detail::add_stat(r, "sigma", sigma);
  detail::add_p(r, detail::erfc(std::abs(fn - expected[l]) / (std::sqrt(2.0) * sigma)));  // §2.9.4 (5)
  return r;
}

test_result linear_complexity_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.linear_complexity_M;
  if (m < 2) detail::bad_parameter("linear_complexity_M", "block length too small", ">= 2", std::to_string(m));
  const std::size_t nof_blocks = n / m;
  auto r = detail::start(bits, "LinearComplexity", "n >= 10^6, 500 <= M <= 5000, N >= 200 (SP 800-22 §2.10.7)",
                         n >= 1000000 && m >= 500 && m <= 5000 && nof_blocks >= 200);
  if (nof_blocks == 0) return detail::skipped(std::move(r), "fewer bits than one block (n < M)");
  const double md = static_cast<double>(m);
  const double sign = (m % 2 == 0) ? 1.0 : -1.0;  // (−1)^M
  // §2.10.4 step 3: μ = M/2 + (9 + (−1)^{M+1})/36 − (M/3 + 2/9)/2^M.
  const double mu = md / 2 + (9 - sign) / 36 - (md / 3 + 2.0 / 9) / std::exp2(md);
  std::vector<double> nu(7, 0.0);
  berlekamp_massey bm(m);
  for (std::size_t b = 0; b < nof_blocks; ++b) {
    const double l = static_cast<double>(bm(bits.data + b * m, m));
    const double t = sign * (l - mu) + 2.0 / 9;  // §2.10.4 step 4
    // §2.10.4 step 5: classes T <= −2.5, (−2.5, −1.5], …, (1.5, 2.5], > 2.5.
    const std::size_t cls = t <= -2.5   ? 0
                            : t <= -1.5 ? 1
                            : t <= -0.5 ? 2
                            : t <= 0.5  ? 3
                            : t <= 1.5  ? 4
                            : t <= 2.5  ? 5
                                        : 6;
    nu[cls] += 1;
  }
  // §2.10.4 step 6: π_0 … π_6 (π_0 = 0.01047 in the reference implementation, see nist_config).
  const std::vector<double> pi = {
      cfg.reference_probabilities ? 0.01047 : 0.010417, 0.03125, 0.125, 0.5, 0.25, 0.0625, 0.020833};
  const double chi2 = detail::chi_squared(nu, pi, static_cast<double>(nof_blocks));
  detail::add_stat(r, "N", static_cast<double>(nof_blocks));
  detail::add_stat(r, "mu", mu);
  detail::add_stat(r, "chi2", chi2);
  for (std::size_t i = 0; i < nu.size(); ++i) detail::add_stat(r, "nu_" + std::to_string(i), nu[i]);
  detail::add_p(r, detail::igamc(3.0, chi2 / 2.0));  // §2.10.4 (7), K = 6
  return r;
}

test_result serial_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.serial_m;
  if (m < 2 || m > 20)
    detail::bad_parameter("serial_m", "pattern length out of range", "2 <= m <= 20", std::to_string(m));
  const double log2n = n ? std::floor(std::log2(static_cast<double>(n))) : 0.0;
  auto r =
      detail::start(bits, "Serial", "m < floor(log2 n) - 2 (SP 800-22 §2.11.7)", static_cast<double>(m) < log2n - 2);
  if (n == 0) return detail::skipped(std::move(r), "empty sequence");
  const double nd = static_cast<double>(n);
  const auto counts_m = circular_pattern_counts(bits, m);
  const auto counts_m1 = shorter_counts(counts_m);
  const auto counts_m2 = shorter_counts(counts_m1);
  const double psi_m = psi_squared(counts_m, nd), psi_m1 = psi_squared(counts_m1, nd),
               psi_m2 = psi_squared(counts_m2, nd);
  const double del1 = psi_m - psi_m1, del2 = psi_m - 2 * psi_m1 + psi_m2;  // §2.11.4 step 4
  detail::add_stat(r, "psi2_m", psi_m);
  detail::add_stat(r, "psi2_m-1", psi_m1);
  detail::add_stat(r, "psi2_m-2", psi_m2);
  detail::add_stat(r, "del_psi2", del1);
  detail::add_stat(r, "del2_psi2", del2);
  const double md = static_cast<double>(m);
  detail::add_p(r, detail::igamc(std::exp2(md - 2), del1 / 2), "1");  // §2.11.4 step 5
  detail::add_p(r, detail::igamc(std::exp2(md - 3), del2 / 2), "2");
  return r;
}

test_result approximate_entropy_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.approximate_entropy_m;
  if (m < 1 || m > 19)
    detail::bad_parameter("approximate_entropy_m", "pattern length out of range", "1 <= m <= 19", std::to_string(m));
  const double log2n = n ? std::floor(std::log2(static_cast<double>(n))) : 0.0;
  auto r = detail::start(bits, "ApproximateEntropy", "m < floor(log2 n) - 5 (SP 800-22 §2.12.7)",
                         static_cast<double>(m) < log2n - 5);
  if (n == 0) return detail::skipped(std::move(r), "empty sequence");
  const double nd = static_cast<double>(n);
  const auto counts_m1 = circular_pattern_counts(bits, m + 1);
  const auto counts_m = shorter_counts(counts_m1);
  const double apen = phi(counts_m, nd) - phi(counts_m1, nd);  // §2.12.4 step 5
  const double chi2 = 2 * nd * (std::log(2.0) - apen);         // §2.12.4 step 6
  detail::add_stat(r, "ApEn", apen);
  detail::add_stat(r, "chi2", chi2);
  detail::add_p(r, detail::igamc(std::exp2(static_cast<double>(m) - 1), chi2 / 2));  // §2.12.4 step 7
  return r;
}

}  // namespace physec::randomness
