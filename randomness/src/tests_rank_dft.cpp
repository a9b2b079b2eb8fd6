// SP 800-22 rev1a §2.5 binary matrix rank and §2.6 discrete Fourier transform (spectral) tests.

#include <fftw3.h>

#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "common.hpp"
#include "physec/core/fftw.hpp"

namespace physec::randomness {
namespace {

/// Rank over GF(2) of a matrix given as row bit masks (Gaussian elimination).
std::size_t gf2_rank(std::vector<std::uint64_t>& rows, std::size_t nof_columns) {
  std::size_t rank = 0;
  for (std::size_t c = 0; c < nof_columns && rank < rows.size(); ++c) {
    const std::uint64_t bit = std::uint64_t{1} << c;
    std::size_t pivot = rank;
    while (pivot < rows.size() && !(rows[pivot] & bit)) ++pivot;
    if (pivot == rows.size()) continue;
    std::swap(rows[rank], rows[pivot]);
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (i != rank && (rows[i] & bit)) rows[i] ^= rows[rank];
    ++rank;
  }
  return rank;
}

// FFTW's planner is not thread-safe (FFTW manual §5.4): plans are made under physec's one planner lock. Planning a 10^6-point
// transform costs more than executing it (even with FFTW_ESTIMATE), so plans are kept per length and executed
// with the new-array interface, which is thread-safe; at most `max_cached_plans` lengths are kept.
constexpr std::size_t max_cached_plans = 16;

using real_buffer = std::unique_ptr<double, void (*)(void*)>;
using complex_buffer = std::unique_ptr<fftw_complex, void (*)(void*)>;

/// The cached real-to-complex plan of length n, made on first use; nullptr when the cache is full.
fftw_plan cached_plan(std::size_t n) {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  static std::map<std::size_t, fftw_plan> plans;  // kept for the life of the process
  if (auto it = plans.find(n); it != plans.end()) return it->second;
  if (plans.size() >= max_cached_plans) return nullptr;
  // Planned on scratch arrays (FFTW_ESTIMATE does not touch them); fftw_alloc gives the alignment plans assume.
  real_buffer in(fftw_alloc_real(n), fftw_free);
  complex_buffer out(fftw_alloc_complex(n / 2 + 1), fftw_free);
  const fftw_plan plan = fftw_plan_dft_r2c_1d(static_cast<int>(n), in.get(), out.get(), FFTW_ESTIMATE);
  plans.emplace(n, plan);
  return plan;
}

/// The DFT of the real sequence x (length n) into spectrum (n/2 + 1 entries), arrays from fftw_alloc.
void real_dft(double* x, fftw_complex* spectrum, std::size_t n) {
  if (const fftw_plan plan = cached_plan(n)) {
    fftw_execute_dft_r2c(plan, x, spectrum);
    return;
  }
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan = fftw_plan_dft_r2c_1d(static_cast<int>(n), x, spectrum, FFTW_ESTIMATE);
  }
  fftw_execute(plan);
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(plan);
}

}  // namespace

double rank_probability(std::size_t rows, std::size_t columns, std::size_t rank) {
  // SP 800-22 §3.5: p_r = 2^{r(Q+M-r) - MQ} Π_{i=0}^{r-1} (1 - 2^{i-Q})(1 - 2^{i-M}) / (1 - 2^{i-r}).
  const double m = static_cast<double>(rows), q = static_cast<double>(columns), rr = static_cast<double>(rank);
  double log2_p = rr * (q + m - rr) - m * q;
  double product = 1.0;
  for (std::size_t i = 0; i < rank; ++i) {
    const double di = static_cast<double>(i);
    product *= (1 - std::exp2(di - q)) * (1 - std::exp2(di - m)) / (1 - std::exp2(di - rr));
  }
  return std::exp2(log2_p) * product;
}

test_result rank_test(bit_view bits, const nist_config& cfg) {
  const std::size_t n = bits.size, m = cfg.rank_rows, q = cfg.rank_columns;
  if (m < 2 || m > 64 || q < 2 || q > 64)
    detail::bad_parameter("rank_rows", "matrix size out of range", "2 <= M, Q <= 64",
                          std::to_string(m) + " x " + std::to_string(q));
  const std::size_t nof_matrices = n / (m * q);
  auto r = detail::start(bits, "Rank", "n >= 38 M Q (SP 800-22 §2.5.7)", n >= 38 * m * q);
  if (nof_matrices == 0) return detail::skipped(std::move(r), "fewer bits than one M x Q matrix");
  const std::size_t full = std::min(m, q);
  std::vector<double> nu(3, 0.0);  // ranks full, full - 1, lower (§2.5.4 step 3)
  std::vector<std::uint64_t> rows(m);
  for (std::size_t k = 0; k < nof_matrices; ++k) {
    const std::uint8_t* p = bits.data + k * m * q;  // §2.5.4 step 1: row by row
    for (std::size_t i = 0; i < m; ++i) {
      std::uint64_t row = 0;
      for (std::size_t j = 0; j < q; ++j) row |= std::uint64_t{p[i * q + j]} << j;
      rows[i] = row;
    }
    const std::size_t rank = gf2_rank(rows, q);
    nu[rank == full ? 0 : rank + 1 == full ? 1 : 2] += 1;
  }
  const double p_full = rank_probability(m, q, full), p_minus1 = rank_probability(m, q, full - 1);
  const double chi2 = detail::chi_squared(nu, {p_full, p_minus1, 1 - p_full - p_minus1},
                                          static_cast<double>(nof_matrices));  // §2.5.4 (4)
  detail::add_stat(r, "N", static_cast<double>(nof_matrices));
  detail::add_stat(r, "F_M", nu[0]);
  detail::add_stat(r, "F_M-1", nu[1]);
  detail::add_stat(r, "chi2", chi2);
  detail::add_p(r, std::exp(-chi2 / 2.0));  // §2.5.4 (5): igamc(1, χ²/2) = e^{-χ²/2}
  return r;
}

test_result dft_test(bit_view bits, const nist_config&) {
  const std::size_t n = bits.size;
  auto r = detail::start(bits, "FFT", "n >= 1000 (SP 800-22 §2.6.7)", n >= 1000);
  if (n < 2) return detail::skipped(std::move(r), "fewer than 2 bits");
  if (n > static_cast<std::size_t>(std::numeric_limits<int>::max()))
    return detail::skipped(std::move(r), "n exceeds the transform length FFTW accepts (2^31 - 1)");
  real_buffer x(fftw_alloc_real(n), fftw_free);
  complex_buffer spectrum(fftw_alloc_complex(n / 2 + 1), fftw_free);
  if (!x || !spectrum) throw error("FFTW could not allocate the DFT buffers", {"", "FFT", std::nullopt});
  for (std::size_t i = 0; i < n; ++i) x.get()[i] = 2.0 * bits.data[i] - 1.0;  // §2.6.4 (1)
  real_dft(x.get(), spectrum.get(), n);                                       // §2.6.4 (2)
  const double nd = static_cast<double>(n);
  const double threshold = std::sqrt(std::log(1 / 0.05) * nd);  // §2.6.4 (4), rev1a
  const double n0 = 0.95 * nd / 2.0;                            // §2.6.4 (5)
  std::size_t n1 = 0;                                           // §2.6.4 (6): |S'_j| < T, j = 0 … n/2 - 1
  const fftw_complex* s = spectrum.get();
  const double t2 = threshold * threshold;
  for (std::size_t j = 0; j < n / 2; ++j) n1 += s[j][0] * s[j][0] + s[j][1] * s[j][1] < t2;
  const double d = (static_cast<double>(n1) - n0) / std::sqrt(nd * 0.95 * 0.05 / 4.0);  // §2.6.4 (7)
  detail::add_stat(r, "N_1", static_cast<double>(n1));
  detail::add_stat(r, "N_0", n0);
  detail::add_stat(r, "d", d);
  detail::add_p(r, detail::erfc(std::abs(d) / std::sqrt(2.0)));  // §2.6.4 (8)
  return r;
}

}  // namespace physec::randomness
