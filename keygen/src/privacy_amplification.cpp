#include "physec/keygen/privacy_amplification.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>

#include "physec/core/error.hpp"

namespace physec::keygen {

namespace {

void check_seed(std::size_t n, std::size_t m, std::size_t seed_bits) {
  if (n == 0 || m == 0 || seed_bits != n + m - 1)
    throw error("Toeplitz seed has the wrong length", {"", "toeplitz_seed", {}}, "n + m - 1 = " + std::to_string(n + m - 1) + " bits",
                std::to_string(seed_bits));
}

std::vector<std::uint64_t> pack64(const std::vector<std::uint8_t>& bits, std::size_t extra_words) {
  std::vector<std::uint64_t> w(bits.size() / 64 + 1 + extra_words, 0);
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (bits[i] & 1u) w[i / 64] |= std::uint64_t{1} << (i % 64);
  return w;
}

}  // namespace

std::vector<std::uint8_t> toeplitz_hash_naive(const std::vector<std::uint8_t>& x,
                                              const std::vector<std::uint8_t>& seed, std::size_t m) {
  const std::size_t n = x.size();
  check_seed(n, m, seed.size());
  std::vector<std::uint8_t> y(m, 0);
  for (std::size_t i = 0; i < m; ++i)
    for (std::size_t j = 0; j < n; ++j) y[i] ^= static_cast<std::uint8_t>(seed[i + n - 1 - j] & x[j] & 1u);
  return y;
}

std::vector<std::uint8_t> toeplitz_hash(const std::vector<std::uint8_t>& x, const std::vector<std::uint8_t>& seed,
                                        std::size_t m) {
  const std::size_t n = x.size();
  check_seed(n, m, seed.size());
  // y_i = XOR_j seed[i + n-1-j] x_j = XOR_t seed[i + t] xr_t with xr_t = x_{n-1-t}: a sliding window of the seed.
  std::vector<std::uint8_t> xr(x.rbegin(), x.rend());
  const auto xw = pack64(xr, 0);
  const auto sw = pack64(seed, 1);
  const std::size_t words = (n + 63) / 64;
  std::vector<std::uint8_t> y(m, 0);
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t w0 = i / 64, sh = i % 64;
    std::uint64_t acc = 0;
    for (std::size_t w = 0; w < words; ++w) {
      const std::uint64_t lo = sw[w0 + w] >> sh;
      const std::uint64_t hi = sh ? sw[w0 + w + 1] << (64 - sh) : 0;
      acc ^= (lo | hi) & xw[w];  // xw's bits beyond n are zero, so the window's tail does not matter
    }
    y[i] = static_cast<std::uint8_t>(__builtin_parityll(acc));
  }
  std::fill(xr.begin(), xr.end(), 0);
  return y;
}

double min_entropy_mcv_per_bit(const std::vector<std::uint8_t>& bits) {
  const std::size_t n = bits.size();
  if (n < 2) return 0;
  std::size_t ones = 0;
  for (auto b : bits) ones += b & 1u;
  const double p = static_cast<double>(std::max(ones, n - ones)) / static_cast<double>(n);
  const double pu = std::min(1.0, p + 2.576 * std::sqrt(p * (1 - p) / static_cast<double>(n - 1)));  // SP 800-90B 6.3.1
  return -std::log2(pu);
}

namespace {

/// The SP 800-90B §6.3.3 Markov estimate of the bits at positions start, start + lag, start + 2·lag, ...
double markov_estimate(const std::vector<std::uint8_t>& bits, std::size_t start, std::size_t lag) {
  double c[2] = {0, 0}, t[2][2] = {{0, 0}, {0, 0}};
  std::size_t n = 0;
  for (std::size_t i = start; i < bits.size(); i += lag, ++n) {
    c[bits[i] & 1u] += 1;
    if (i + lag < bits.size()) t[bits[i] & 1u][bits[i + lag] & 1u] += 1;
  }
  if (n < 2) return 1;
  const double p_init[2] = {c[0] / static_cast<double>(n), c[1] / static_cast<double>(n)};
  double p_tr[2][2];
  for (int a = 0; a < 2; ++a) {
    const double row = t[a][0] + t[a][1];
    for (int b = 0; b < 2; ++b) p_tr[a][b] = row > 0 ? t[a][b] / row : (a == b ? 1.0 : 0.0);
  }
  // log2 of the most probable 128-bit sequence ending in each state (Viterbi over the two states).
  const auto lg = [](double p) { return p > 0 ? std::log2(p) : -1e300; };
  double best[2] = {lg(p_init[0]), lg(p_init[1])};
  for (int k = 1; k < 128; ++k) {
    const double b0 = std::max(best[0] + lg(p_tr[0][0]), best[1] + lg(p_tr[1][0]));
    const double b1 = std::max(best[0] + lg(p_tr[0][1]), best[1] + lg(p_tr[1][1]));
    best[0] = b0;
    best[1] = b1;
  }
  return std::min(1.0, -std::max(best[0], best[1]) / 128.0);
}

}  // namespace

double min_entropy_markov_per_bit(const std::vector<std::uint8_t>& bits, std::size_t max_lag) {
  if (bits.size() < 2) return 0;
  double h = 1;
  for (std::size_t lag = 1; lag <= max_lag; ++lag)
    if (bits.size() >= 2 * lag) h = std::min(h, markov_estimate(bits, 0, lag));
  return h;
}

double conditional_entropy_per_bit(const std::vector<std::uint8_t>& bits, std::size_t max_lag) {
  const std::size_t n = bits.size();
  if (n < 2) return 0;
  const auto h = [](double p) { return p <= 0 || p >= 1 ? 0.0 : -p * std::log2(p) - (1 - p) * std::log2(1 - p); };
  double ones = 0;
  for (auto b : bits) ones += b & 1u;
  double best = h(ones / static_cast<double>(n));
  for (std::size_t lag = 1; lag <= max_lag && lag < n; ++lag) {
    double t[2][2] = {{0, 0}, {0, 0}};
    for (std::size_t i = 0; i + lag < n; ++i) t[bits[i] & 1u][bits[i + lag] & 1u] += 1;
    const double total = static_cast<double>(n - lag);
    double hc = 0;
    for (int a = 0; a < 2; ++a) {
      const double row = t[a][0] + t[a][1];
      if (row > 0) hc += row / total * h(t[a][1] / row);
    }
    best = std::min(best, hc);
  }
  return best;
}

double min_entropy_per_bit(const std::vector<std::uint8_t>& bits) {
  return std::min(min_entropy_mcv_per_bit(bits), min_entropy_markov_per_bit(bits));
}

finite_key_result finite_key_length(const finite_key_inputs& in) {
  if (in.finite_size != "second_order" && in.finite_size != "tcr")
    throw error("unknown finite-size correction", {"", "agree.finite_size", {}}, "second_order or tcr", in.finite_size);
  finite_key_result r;
  const double eps_log2 = static_cast<double>(in.eps_pa_log2);
  if (in.finite_size == "second_order") {
    // Φ^{-1}(1 − ε²) = −Φ^{-1}(ε²), ε² = 2^(−2·eps_log2); boost evaluates the tail quantile directly.
    const double q = boost::math::quantile(boost::math::complement(boost::math::normal(), std::exp2(-2.0 * eps_log2)));
    r.finite_size_term = std::sqrt(std::max(0.0, in.v_total)) * q;
  } else {
    const double eta = 2.0 + std::exp2(in.max_bits_per_realisation / 2.0);
    r.finite_size_term = std::sqrt(std::max(0.0, in.nof_realisations)) * 4.0 * std::log2(eta) * std::sqrt(1.0 + 2.0 * eps_log2);
  }
  r.smooth_min_entropy = in.h_total - r.finite_size_term;
  const double cor = 1.0 + static_cast<double>(in.eps_cor_log2);  // log2(2/ε_cor)
  const double pa = 2.0 * (eps_log2 - 1.0);                        // 2·log2(1/(2ε_PA))
  const double l = r.smooth_min_entropy - static_cast<double>(in.leaked_bits) - cor - pa;
  r.length = l > 0 ? static_cast<std::size_t>(std::floor(l)) : 0;
  r.formula = fmt::format(
      "l = floor(H - {} - leak - log2(2/eps_cor) - 2 log2(1/(2 eps_PA))) = floor({:.1f} - {:.1f} - {} - {:.0f} - {:.0f}) "
      "= {} (n = {:.1f} realisations, V = {:.1f}, eps_PA = 2^-{}, eps_cor = 2^-{})",
      in.finite_size == "tcr" ? "sqrt(n) 4 log2(eta) sqrt(log2(2/eps^2))" : "sqrt(V) PhiInv(1 - eps^2)", in.h_total,
      r.finite_size_term, in.leaked_bits, cor, pa, r.length, in.nof_realisations, in.v_total, in.eps_pa_log2,
      in.eps_cor_log2);
  return r;
}

}  // namespace physec::keygen
