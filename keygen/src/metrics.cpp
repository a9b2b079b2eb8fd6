#include "physec/keygen/metrics.hpp"

#include <Eigen/Dense>
#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/stats.hpp"

namespace physec::keygen {

kdr_result key_disagreement(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b,
                            double confidence) {
  if (a.size() != b.size())
    throw error("bit strings differ in length", {"", "kdr", {}}, std::to_string(a.size()) + " bits",
                std::to_string(b.size()));
  kdr_result r;
  r.nof_bits = a.size();
  for (std::size_t i = 0; i < a.size(); ++i) r.nof_mismatches += (a[i] != b[i]);
  if (r.nof_bits == 0) {
    r.kdr = std::nan("");
    return r;
  }
  const auto ci = clopper_pearson(r.nof_bits, r.nof_mismatches, confidence);
  r.kdr = ci.value;
  r.ci_low = ci.low;
  r.ci_high = ci.high;
  return r;
}

double symbol_entropy_bits(const ndarray<int>& levels, int nof_levels) {
  std::vector<double> count(static_cast<std::size_t>(nof_levels), 0.0);
  double total = 0;
  for (int l : levels.data)
    if (l >= 0 && l < nof_levels) {
      count[static_cast<std::size_t>(l)] += 1;
      total += 1;
    }
  double h = 0;
  for (double c : count)
    if (c > 0) h -= c / total * std::log2(c / total);
  return h;
}

namespace {
using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::Map<const matrix> as_matrix(const ndarray<double>& x, const char* who) {
  if (x.rank() != 2) throw error("features must be a matrix", {"", who, {}}, "[n, d]", shape_string(x.shape));
  return Eigen::Map<const matrix>(x.ptr(), static_cast<Eigen::Index>(x.shape[0]), static_cast<Eigen::Index>(x.shape[1]));
}

/// log2 det of a symmetric (Hermitian) positive definite matrix via Cholesky; `who` names the caller in the error.
template <class Matrix>
double log2_det(const Matrix& s, const char* who = "gaussian_mi") {
  Eigen::LLT<Matrix> llt(s);
  if (llt.info() != Eigen::Success) throw error("covariance is not positive definite", {"", who, {}});
  return 2.0 * llt.matrixLLT().diagonal().real().array().log().sum() / std::log(2.0);
}
}  // namespace

double gaussian_mi_bits(const ndarray<double>& a, const ndarray<double>& b, double ridge) {
  const auto ma = as_matrix(a, "gaussian_mi.a");
  const auto mb = as_matrix(b, "gaussian_mi.b");
  if (ma.rows() != mb.rows())
    throw error("sample counts differ", {"", "gaussian_mi", {}}, std::to_string(ma.rows()), std::to_string(mb.rows()));
  const Eigen::Index n = ma.rows(), da = ma.cols(), db = mb.cols();
  if (n <= da + db)
    throw error("too few samples for the covariance", {"", "gaussian_mi", {}},
                "more than " + std::to_string(da + db), std::to_string(n));
  Eigen::MatrixXd joint(n, da + db);
  joint << ma, mb;
  const Eigen::RowVectorXd mean = joint.colwise().mean();
  const Eigen::MatrixXd centred = joint.rowwise() - mean;
  Eigen::MatrixXd cov = centred.transpose() * centred / static_cast<double>(n - 1);
  const double scale = cov.diagonal().mean();
  cov.diagonal().array() += ridge * scale;
  const double mi = 0.5 * (log2_det(Eigen::MatrixXd(cov.topLeftCorner(da, da))) +
                           log2_det(Eigen::MatrixXd(cov.bottomRightCorner(db, db))) - log2_det(cov));
  return std::max(0.0, mi);
}

double gaussian_mi_bits_corrected(const ndarray<double>& a, const ndarray<double>& b, double ridge) {
  const double n = static_cast<double>(a.shape[0]);
  const double bias = static_cast<double>(a.shape[1] * b.shape[1]) / (2.0 * n * std::log(2.0));
  return std::max(0.0, gaussian_mi_bits(a, b, ridge) - bias);
}

double complex_gaussian_channel_mi_bits(const ndarray<std::complex<float>>& h_a, const ndarray<std::complex<float>>& h_b,
                                        double noise_var) {
  const char* who = "complex_gaussian_channel_mi";
  if (h_a.rank() < 1 || h_b.rank() < 1 || h_a.shape[0] != h_b.shape[0] || h_a.shape[0] == 0)
    throw error("realisation counts differ or are zero", {"", who, {}}, shape_string(h_a.shape), shape_string(h_b.shape));
  if (!(noise_var > 0)) throw error("noise variance must be positive", {"", who, {}}, "> 0", std::to_string(noise_var));
  const auto n = static_cast<Eigen::Index>(h_a.shape[0]);
  const auto gram = [n](const ndarray<std::complex<float>>& h) {
    const auto d = static_cast<Eigen::Index>(h.size()) / n;
    using cmatrix = Eigen::Matrix<std::complex<float>, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    const Eigen::MatrixXcd m = Eigen::Map<const cmatrix>(h.ptr(), n, d).cast<std::complex<double>>();
    return Eigen::MatrixXcd(m * m.adjoint() / static_cast<double>(n));
  };
  const Eigen::MatrixXcd ga = gram(h_a), gb = gram(h_b);
  const auto log2_det_plus_identity = [&](const Eigen::MatrixXcd& g) {  // log2 det(I + g/σ²), g Hermitian PSD
    return log2_det(Eigen::MatrixXcd(Eigen::MatrixXcd::Identity(n, n) + g / noise_var), who);
  };
  return std::max(0.0, log2_det_plus_identity(ga) + log2_det_plus_identity(gb) - log2_det_plus_identity(ga + gb));
}

double separable_channel_mi_bits(const ndarray<std::complex<float>>& h_a, const ndarray<std::complex<float>>& h_b,
                                 double noise_var) {
  const char* who = "separable_channel_mi";
  if (h_a.rank() < 2 || h_b.rank() < 2 || h_a.shape[0] != h_b.shape[0] || h_a.shape[0] == 0 ||
      h_a.size() / h_a.shape.back() != h_b.size() / h_b.shape.back())
    throw error("realisations or space-frequency entries differ", {"", who, {}}, shape_string(h_a.shape),
                shape_string(h_b.shape));
  if (!(noise_var > 0)) throw error("noise variance must be positive", {"", who, {}}, "> 0", std::to_string(noise_var));
  const std::size_t n = h_a.shape[0], ta = h_a.shape.back(), tb = h_b.shape.back(), t = ta + tb;
  const std::size_t d = h_a.size() / (n * ta);
  // One sample x = [h_a(e, ·), h_b(e, ·)] per realisation and entry e: C from their outer products, R from the
  // entries' second moments across realisations, averaged over the instants.
  Eigen::MatrixXcd c = Eigen::MatrixXcd::Zero(static_cast<Eigen::Index>(t), static_cast<Eigen::Index>(t));
  Eigen::MatrixXcd r = Eigen::MatrixXcd::Zero(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
  Eigen::VectorXcd x(static_cast<Eigen::Index>(t));
  Eigen::MatrixXcd rows(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(t));  // one realisation [d, t]
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t e = 0; e < d; ++e) {
      for (std::size_t k = 0; k < ta; ++k) x(static_cast<Eigen::Index>(k)) = std::complex<double>(h_a.data[(i * d + e) * ta + k]);
      for (std::size_t k = 0; k < tb; ++k) x(static_cast<Eigen::Index>(ta + k)) = std::complex<double>(h_b.data[(i * d + e) * tb + k]);
      c.noalias() += x * x.adjoint();
      rows.row(static_cast<Eigen::Index>(e)) = x.transpose();
    }
    r.noalias() += rows * rows.adjoint();
  }
  const double power = c.diagonal().real().mean();
  if (!(power > 0)) return 0;
  c /= power;
  r /= static_cast<double>(n * t);
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXcd> eig(r, Eigen::EigenvaluesOnly);
  const auto a = static_cast<Eigen::Index>(ta), b = static_cast<Eigen::Index>(tb);
  double mi = 0;
  for (Eigen::Index k = 0; k < eig.eigenvalues().size(); ++k) {
    const double l = eig.eigenvalues()(k) / noise_var;
    if (!(l > 1e-12)) continue;
    const Eigen::MatrixXcd s = Eigen::MatrixXcd::Identity(a + b, a + b) + l * c;
    mi += log2_det(Eigen::MatrixXcd(s.topLeftCorner(a, a)), who) + log2_det(Eigen::MatrixXcd(s.bottomRightCorner(b, b)), who) -
          log2_det(s, who);
  }
  return std::max(0.0, mi);
}

double gaussian_mi_from_correlation(double rho) { return -0.5 * std::log2(1.0 - rho * rho); }

double secrecy_bound_bits(double i_ab, double i_ae, double i_be) { return std::max(0.0, i_ab - std::min(i_ae, i_be)); }

}  // namespace physec::keygen
