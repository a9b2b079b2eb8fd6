#include "physec/keygen/features.hpp"

#include <fftw3.h>

#include <Eigen/Dense>
#include <cmath>
#include <mutex>

#include "physec/core/error.hpp"
#include "physec/core/fftw.hpp"
#include "physec/core/units.hpp"

namespace physec::keygen {

ndarray<double> csi_features(const ndarray<std::complex<float>>& csi, const std::string& mode) {
  if (csi.rank() < 2) throw error("CSI must have a sample axis and at least one more", {"", "csi", {}}, "[n, ...]", shape_string(csi.shape));
  const std::size_t n = csi.shape[0], per = csi.size() / std::max<std::size_t>(n, 1);
  if (mode == "amplitude") {
    ndarray<double> out({n, per});
    for (std::size_t i = 0; i < csi.size(); ++i) out.data[i] = std::abs(std::complex<double>(csi.data[i]));
    return out;
  }
  if (mode == "real_imag") {
    ndarray<double> out({n, 2 * per});
    for (std::size_t i = 0; i < csi.size(); ++i) {
      out.data[2 * i] = csi.data[i].real();
      out.data[2 * i + 1] = csi.data[i].imag();
    }
    return out;
  }
  throw error("unknown feature mode", {"", "features", {}}, "amplitude or real_imag", "\"" + mode + "\"");
}

namespace {

using cd = std::complex<double>;

/// One probe's derotated least-squares lines through its symbols, per antenna pair and delay tap (unitary DFT over the
/// subcarriers): the mean and the slope of every tap, and the lines' residual sum of squares.
class probe_lines {
 public:
  probe_lines(std::size_t pairs, std::size_t K, std::size_t T, bool line)
      : pairs_(pairs), K_(K), T_(T), line_(line), roots_(K), y_(K * T), mean(pairs, std::vector<cd>(K)),
        slope(pairs, std::vector<cd>(K)) {
    for (std::size_t m = 0; m < K; ++m) roots_[m] = std::polar(1.0, 2.0 * pi * static_cast<double>(m) / static_cast<double>(K));
  }
  double mean_t() const { return 0.5 * static_cast<double>(T_ - 1); }
  double sxx() const { return static_cast<double>(T_) * (static_cast<double>(T_) * static_cast<double>(T_) - 1.0) / 12.0; }
  /// Fits probe `i` of `csi` [n, pairs, K, T] (flattened): mean, slope (taps) and rss.
  void fit(const ndarray<std::complex<float>>& csi, std::size_t i) {
    rss = 0;
    std::vector<cd> m(K_), s(K_);
    for (std::size_t p = 0; p < pairs_; ++p) {
      const std::complex<float>* h = csi.ptr() + (i * pairs_ + p) * K_ * T_;  // [K, T]
      for (std::size_t t = 0; t < T_; ++t) {
        cd c = 0;
        for (std::size_t k = 0; k < K_; ++k) c += cd(h[k * T_ + t]) * std::conj(cd(h[k * T_]));
        const cd derot = std::abs(c) > 0 ? std::conj(c) / std::abs(c) : cd(1);
        for (std::size_t k = 0; k < K_; ++k) y_[k * T_ + t] = cd(h[k * T_ + t]) * derot;
      }
      for (std::size_t k = 0; k < K_; ++k) {
        cd a = 0, b = 0;
        for (std::size_t t = 0; t < T_; ++t) {
          a += y_[k * T_ + t];
          b += y_[k * T_ + t] * (static_cast<double>(t) - mean_t());
        }
        m[k] = a / static_cast<double>(T_);
        s[k] = line_ ? b / sxx() : cd(0);
        if (line_)
          for (std::size_t t = 0; t < T_; ++t) rss += std::norm(y_[k * T_ + t] - m[k] - s[k] * (static_cast<double>(t) - mean_t()));
      }
      dft(m, mean[p], true);
      dft(s, slope[p], true);
    }
  }
  /// The per-sample noise σ² of the last fit, from its lines' residuals (needs T > 2).
  double noise() const { return rss / static_cast<double>(pairs_ * K_ * (T_ - 2)); }
  /// Unitary DFT over the subcarriers (inverse: subcarriers -> delay taps).
  void dft(const std::vector<cd>& x, std::vector<cd>& y, bool inverse) const {
    const double scale = 1.0 / std::sqrt(static_cast<double>(K_));
    for (std::size_t k = 0; k < K_; ++k) {
      cd acc = 0;
      for (std::size_t m = 0; m < K_; ++m) acc += x[m] * (inverse ? roots_[(k * m) % K_] : std::conj(roots_[(k * m) % K_]));
      y[k] = acc * scale;
    }
  }

 private:
  std::size_t pairs_, K_, T_;
  bool line_;
  std::vector<cd> roots_, y_;

 public:
  std::vector<std::vector<cd>> mean, slope;  ///< [pairs][taps]
  double rss = 0;
};


void check_probe_csi(const ndarray<std::complex<float>>& csi, std::size_t nof_taps, std::size_t nof_guard_taps, const char* who) {
  if (csi.rank() != 5)
    throw error("CSI must be [n, alice_ant, bob_ant, subcarriers, symbols]", {"", who, {}}, "rank 5", shape_string(csi.shape));
  if (nof_taps + nof_guard_taps > csi.shape[3])
    throw error("more delay taps kept than subcarriers", {"", "features.delay_taps", {}},
                "taps + guard <= " + std::to_string(csi.shape[3]), std::to_string(nof_taps + nof_guard_taps));
}

}  // namespace

bool delay_tap_kept(std::size_t l, std::size_t K, std::size_t nof_taps, std::size_t nof_guard_taps) {
  return nof_taps == 0 || l < nof_taps || l + nof_guard_taps >= K;
}

probe_line_stats fit_probe_line_stats(const ndarray<std::complex<float>>& csi, std::size_t nof_taps,
                                      std::size_t nof_guard_taps) {
  check_probe_csi(csi, nof_taps, nof_guard_taps, "slope_tap_gains");
  const std::size_t n = csi.shape[0], pairs = csi.shape[1] * csi.shape[2], K = csi.shape[3], T = csi.shape[4];
  if (n == 0 || T < 3)
    throw error("slope gains need probes of at least 3 symbols", {"", "slope_tap_gains", {}}, "n >= 1, T >= 3",
                shape_string(csi.shape));
  probe_lines lines(pairs, K, T, true);
  probe_line_stats st;
  st.mean_power.assign(pairs * K, 0.0);
  st.slope_power.assign(pairs * K, 0.0);
  st.gains.assign(pairs * K, 0.0);
  double noise = 0;
  for (std::size_t i = 0; i < n; ++i) {
    lines.fit(csi, i);
    noise += lines.noise();
    for (std::size_t p = 0; p < pairs; ++p)
      for (std::size_t l = 0; l < K; ++l) {
        st.mean_power[p * K + l] += std::norm(lines.mean[p][l]) / static_cast<double>(n);
        st.slope_power[p * K + l] += std::norm(lines.slope[p][l]) / static_cast<double>(n);
      }
  }
  st.slope_noise = noise / static_cast<double>(n) / lines.sxx();  // per tap: σ²/Σ(t − t̄)²
  for (std::size_t p = 0; p < pairs; ++p)
    for (std::size_t l = 0; l < K; ++l) {
      if (!delay_tap_kept(l, K, nof_taps, nof_guard_taps)) continue;
      const double q = std::max(0.0, st.slope_power[p * K + l] - st.slope_noise);
      st.gains[p * K + l] = q > 0 ? q / (q + st.slope_noise) : 0.0;
    }
  return st;
}

std::vector<double> slope_tap_gains(const ndarray<std::complex<float>>& csi, std::size_t nof_taps, std::size_t nof_guard_taps) {
  return fit_probe_line_stats(csi, nof_taps, nof_guard_taps).gains;
}

ndarray<std::complex<float>> denoise_probes(const ndarray<std::complex<float>>& csi, std::size_t nof_taps,
                                            std::size_t nof_guard_taps, double extrapolate_symbols,
                                            bool shrink_slope, bool normalise_power, const std::vector<double>& tap_gains,
                                            ndarray<std::complex<float>>* slopes) {
  check_probe_csi(csi, nof_taps, nof_guard_taps, "denoise_probes");
  const std::size_t n = csi.shape[0], pairs = csi.shape[1] * csi.shape[2], K = csi.shape[3], T = csi.shape[4];
  const bool line = T > 2 && extrapolate_symbols != 0;
  const bool per_tap = line && shrink_slope && !tap_gains.empty();
  if (per_tap && tap_gains.size() != pairs * K)
    throw error("one slope gain per antenna pair and delay tap", {"", "denoise_probes", {}},
                std::to_string(pairs * K) + " gains", std::to_string(tap_gains.size()));
  shape_t out_shape = csi.shape;
  out_shape[4] = 1;
  ndarray<std::complex<float>> out(out_shape);
  const std::size_t kept = nof_taps > 0 ? nof_taps + nof_guard_taps : K;
  probe_lines lines(pairs, K, T, line || slopes != nullptr);
  if (slopes != nullptr) *slopes = ndarray<std::complex<float>>({n, pairs, K});
  std::vector<cd> taps(K), freq(K);
  for (std::size_t i = 0; i < n; ++i) {
    lines.fit(csi, i);
    if (slopes != nullptr)
      for (std::size_t p = 0; p < pairs; ++p)
        for (std::size_t l = 0; l < K; ++l) (*slopes)(i, p, l) = std::complex<float>(lines.slope[p][l]);
    // One gain per probe (without per-tap gains): the slope shrunk toward 0 by the share of its power that is not
    // noise, σ² from the lines' residuals, Var(slope) = σ²/Σ(t − t̄)² per kept tap.
    double gain = 0;
    if (line && !per_tap) {
      double slope_power = 0;
      for (std::size_t p = 0; p < pairs; ++p)
        for (std::size_t l = 0; l < K; ++l)
          if (delay_tap_kept(l, K, nof_taps, nof_guard_taps)) slope_power += std::norm(lines.slope[p][l]);
      const double slope_noise = static_cast<double>(pairs * kept) * lines.noise() / lines.sxx();
      gain = !shrink_slope ? 1.0 : slope_power > 0 ? std::max(0.0, 1.0 - slope_noise / slope_power) : 0.0;
    }
    double power = 0;
    for (std::size_t p = 0; p < pairs; ++p) {
      for (std::size_t l = 0; l < K; ++l) {
        const double g = per_tap ? tap_gains[p * K + l] : gain;
        taps[l] = delay_tap_kept(l, K, nof_taps, nof_guard_taps) ? lines.mean[p][l] + extrapolate_symbols * g * lines.slope[p][l] : cd(0);
      }
      lines.dft(taps, freq, false);
      std::complex<float>* o = out.ptr() + (i * pairs + p) * K;
      for (std::size_t k = 0; k < K; ++k) {
        o[k] = std::complex<float>(freq[k]);
        power += std::norm(freq[k]);
      }
    }
    const double rms = std::sqrt(power / static_cast<double>(pairs * K));
    if (normalise_power && rms > 0) {
      for (std::size_t j = 0; j < pairs * K; ++j) out.ptr()[i * pairs * K + j] /= static_cast<float>(rms);
      if (slopes != nullptr)
        for (std::size_t j = 0; j < pairs * K; ++j) slopes->data[i * pairs * K + j] /= static_cast<float>(rms);
    }
  }
  return out;
}

ndarray<std::complex<float>> align_common_phase(const ndarray<std::complex<float>>& csi, std::size_t reference_len,
                                                ndarray<std::complex<float>>* also) {
  if (csi.rank() < 2 || csi.shape[0] == 0) return csi;
  const std::size_t n = csi.shape[0], per = csi.size() / n;
  if (reference_len < 1 || reference_len > per)
    throw error("phase reference longer than a probe", {"", "align_common_phase", {}}, "1.." + std::to_string(per),
                std::to_string(reference_len));
  if (also != nullptr && (also->rank() < 1 || also->shape[0] != n))
    throw error("arrays to turn alike must have the same probes", {"", "align_common_phase", {}}, std::to_string(n) + " probes",
                shape_string(also->shape));
  const std::size_t per_also = also != nullptr ? also->size() / n : 0;
  ndarray<std::complex<float>> out = csi;
  for (std::size_t i = 0; i < n; ++i) {
    std::complex<double> s = 0;
    for (std::size_t j = 0; j < reference_len; ++j) s += std::complex<double>(csi.data[i * per + j]);
    if (std::abs(s) == 0) continue;
    const auto rot = std::complex<float>(std::conj(s) / std::abs(s));
    for (std::size_t j = 0; j < per; ++j) out.data[i * per + j] *= rot;
    for (std::size_t j = 0; j < per_also; ++j) also->data[i * per_also + j] *= rot;
  }
  return out;
}

void pca::fit(const ndarray<double>& train, std::size_t nof_components) {
  using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  if (train.rank() != 2 || train.shape[0] < 2)
    throw error("PCA needs a feature matrix of at least 2 samples", {"", "pca.fit", {}}, "[n >= 2, d]", shape_string(train.shape));
  d_ = train.shape[1];
  if (nof_components < 1 || nof_components > d_)
    throw error("PCA components out of range", {"", "pca.nof_components", {}}, "1.." + std::to_string(d_),
                std::to_string(nof_components));
  k_ = nof_components;
  Eigen::Map<const matrix> x(train.ptr(), static_cast<Eigen::Index>(train.shape[0]), static_cast<Eigen::Index>(d_));
  const Eigen::RowVectorXd mean = x.colwise().mean();
  const Eigen::MatrixXd centred = x.rowwise() - mean;
  const Eigen::MatrixXd cov = centred.transpose() * centred / static_cast<double>(train.shape[0] - 1);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);  // ascending eigenvalues
  mean_.assign(mean.data(), mean.data() + d_);
  components_.assign(k_ * d_, 0.0);
  double kept = 0;
  for (std::size_t c = 0; c < k_; ++c) {
    const auto col = static_cast<Eigen::Index>(d_ - 1 - c);
    Eigen::VectorXd v = eig.eigenvectors().col(col);
    // Fix the sign (largest-magnitude entry positive) so that every party derives the same directions.
    Eigen::Index imax;
    v.cwiseAbs().maxCoeff(&imax);
    if (v(imax) < 0) v = -v;
    for (std::size_t j = 0; j < d_; ++j) components_[c * d_ + j] = v(static_cast<Eigen::Index>(j));
    kept += eig.eigenvalues()(col);
  }
  const double total = eig.eigenvalues().sum();
  explained_ = total > 0 ? kept / total : 0.0;
}

ndarray<double> pca::transform(const ndarray<double>& x) const {
  if (x.rank() != 2 || x.shape[1] != d_)
    throw error("feature count differs from the PCA fit", {"", "pca.transform", {}}, std::to_string(d_), shape_string(x.shape));
  ndarray<double> out({x.shape[0], k_});
  for (std::size_t i = 0; i < x.shape[0]; ++i)
    for (std::size_t c = 0; c < k_; ++c) {
      double s = 0;
      for (std::size_t j = 0; j < d_; ++j) s += (x(i, j) - mean_[j]) * components_[c * d_ + j];
      out(i, c) = s;
    }
  return out;
}

ndarray<double> dct_features(const ndarray<double>& x, std::size_t nof_coefficients) {
  if (x.rank() != 2) throw error("DCT needs a feature matrix", {"", "dct", {}}, "[n, d]", shape_string(x.shape));
  const std::size_t n = x.shape[0], d = x.shape[1];
  if (nof_coefficients < 1 || nof_coefficients > d)
    throw error("DCT coefficients out of range", {"", "dct.nof_coefficients", {}}, "1.." + std::to_string(d),
                std::to_string(nof_coefficients));
  ndarray<double> out({n, nof_coefficients});
  std::vector<double> in(d), tmp(d);
  fftw_plan plan;
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    plan = fftw_plan_r2r_1d(static_cast<int>(d), in.data(), tmp.data(), FFTW_REDFT10, FFTW_ESTIMATE);
  }
  // FFTW's REDFT10 is the unnormalised DCT-II: Y_k = 2 Σ x_j cos(π k (2j+1) / 2d). Orthonormal scaling:
  // X_0 = Y_0 / (2 sqrt(d)), X_k = Y_k / sqrt(2d).
  const double s0 = 1.0 / (2.0 * std::sqrt(static_cast<double>(d))), sk = 1.0 / std::sqrt(2.0 * static_cast<double>(d));
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) in[j] = x(i, j);
    fftw_execute(plan);
    for (std::size_t k = 0; k < nof_coefficients; ++k) out(i, k) = tmp[k] * (k == 0 ? s0 : sk);
  }
  {
    std::lock_guard<std::mutex> lock(fftw_planner_mutex());
    fftw_destroy_plan(plan);
  }
  return out;
}

}  // namespace physec::keygen
