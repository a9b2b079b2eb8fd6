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

ndarray<std::complex<float>> denoise_probes(const ndarray<std::complex<float>>& csi, std::size_t nof_taps,
                                            std::size_t nof_guard_taps, double extrapolate_symbols,
                                            bool shrink_slope, bool normalise_power) {
  using cd = std::complex<double>;
  if (csi.rank() != 5)
    throw error("CSI must be [n, alice_ant, bob_ant, subcarriers, symbols]", {"", "denoise_probes", {}}, "rank 5",
                shape_string(csi.shape));
  const std::size_t n = csi.shape[0], pairs = csi.shape[1] * csi.shape[2], K = csi.shape[3], T = csi.shape[4];
  if (nof_taps + nof_guard_taps > K)
    throw error("more delay taps kept than subcarriers", {"", "features.delay_taps", {}}, "taps + guard <= " + std::to_string(K),
                std::to_string(nof_taps + nof_guard_taps));
  shape_t out_shape = csi.shape;
  out_shape[4] = 1;
  ndarray<std::complex<float>> out(out_shape);
  std::vector<cd> roots(K), taps(K);
  const double mean_t = 0.5 * static_cast<double>(T - 1);
  const double sxx = static_cast<double>(T) * (static_cast<double>(T) * static_cast<double>(T) - 1.0) / 12.0;
  const bool line = T > 2 && extrapolate_symbols != 0;
  const std::size_t kept = nof_taps > 0 ? nof_taps + nof_guard_taps : K;
  for (std::size_t m = 0; m < K; ++m) roots[m] = std::polar(1.0, 2.0 * pi * static_cast<double>(m) / static_cast<double>(K));
  const auto dft = [&](const std::vector<cd>& x, std::vector<cd>& y, bool inverse) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(K));
    for (std::size_t k = 0; k < K; ++k) {
      cd acc = 0;
      for (std::size_t m = 0; m < K; ++m) acc += x[m] * (inverse ? roots[(k * m) % K] : std::conj(roots[(k * m) % K]));
      y[k] = acc * scale;
    }
  };
  const auto truncate = [&](std::vector<cd>& x) {
    if (nof_taps == 0) return;
    dft(x, taps, true);
    for (std::size_t l = nof_taps; l + nof_guard_taps < K; ++l) taps[l] = 0;
    dft(taps, x, false);
  };
  std::vector<cd> y(K * T);                                // one antenna pair's derotated symbols [K, T]
  std::vector<std::vector<cd>> mean(pairs, std::vector<cd>(K)), slope(pairs, std::vector<cd>(K));
  for (std::size_t i = 0; i < n; ++i) {
    double rss = 0, slope_power = 0;
    for (std::size_t p = 0; p < pairs; ++p) {
      const std::complex<float>* h = csi.ptr() + (i * pairs + p) * K * T;  // [K, T]
      for (std::size_t t = 0; t < T; ++t) {
        cd c = 0;
        for (std::size_t k = 0; k < K; ++k) c += cd(h[k * T + t]) * std::conj(cd(h[k * T]));
        const cd derot = std::abs(c) > 0 ? std::conj(c) / std::abs(c) : cd(1);
        for (std::size_t k = 0; k < K; ++k) y[k * T + t] = cd(h[k * T + t]) * derot;
      }
      auto &m = mean[p], &s = slope[p];
      for (std::size_t k = 0; k < K; ++k) {
        cd a = 0, b = 0;
        for (std::size_t t = 0; t < T; ++t) {
          a += y[k * T + t];
          b += y[k * T + t] * (static_cast<double>(t) - mean_t);
        }
        m[k] = a / static_cast<double>(T);
        s[k] = line ? b / sxx : cd(0);
        if (line)
          for (std::size_t t = 0; t < T; ++t) rss += std::norm(y[k * T + t] - m[k] - s[k] * (static_cast<double>(t) - mean_t));
      }
      truncate(m);
      if (line) {
        truncate(s);
        for (const cd& v : s) slope_power += std::norm(v);
      }
    }
    // The slope shrunk toward 0 by the share of its power that is not noise: σ² from the residuals of the lines,
    // Var(slope) = σ²/Σ(t − t̄)² per subcarrier, times kept/K after the delay-domain truncation.
    double gain = 0;
    if (line && slope_power > 0) {
      const double noise = rss / static_cast<double>(pairs * K * (T - 2));
      const double slope_noise = static_cast<double>(pairs * K) * noise / sxx * static_cast<double>(kept) / static_cast<double>(K);
      gain = shrink_slope ? std::max(0.0, 1.0 - slope_noise / slope_power) : 1.0;
    }
    double power = 0;
    for (std::size_t p = 0; p < pairs; ++p) {
      std::complex<float>* o = out.ptr() + (i * pairs + p) * K;
      for (std::size_t k = 0; k < K; ++k) {
        const cd v = mean[p][k] + extrapolate_symbols * gain * slope[p][k];
        o[k] = std::complex<float>(v);
        power += std::norm(v);
      }
    }
    const double rms = std::sqrt(power / static_cast<double>(pairs * K));
    if (normalise_power && rms > 0)
      for (std::size_t j = 0; j < pairs * K; ++j) out.ptr()[i * pairs * K + j] /= static_cast<float>(rms);
  }
  return out;
}

ndarray<std::complex<float>> align_common_phase(const ndarray<std::complex<float>>& csi, std::size_t reference_len) {
  if (csi.rank() < 2 || csi.shape[0] == 0) return csi;
  const std::size_t n = csi.shape[0], per = csi.size() / n;
  if (reference_len < 1 || reference_len > per)
    throw error("phase reference longer than a probe", {"", "align_common_phase", {}}, "1.." + std::to_string(per),
                std::to_string(reference_len));
  ndarray<std::complex<float>> out = csi;
  for (std::size_t i = 0; i < n; ++i) {
    std::complex<double> s = 0;
    for (std::size_t j = 0; j < reference_len; ++j) s += std::complex<double>(csi.data[i * per + j]);
    if (std::abs(s) == 0) continue;
    const auto rot = std::complex<float>(std::conj(s) / std::abs(s));
    for (std::size_t j = 0; j < per; ++j) out.data[i * per + j] *= rot;
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
