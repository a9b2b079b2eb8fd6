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

/// log2 det of a symmetric positive definite matrix via Cholesky.
double log2_det(const Eigen::MatrixXd& s) {
  Eigen::LLT<Eigen::MatrixXd> llt(s);
  if (llt.info() != Eigen::Success) throw error("covariance is not positive definite", {"", "gaussian_mi", {}});
  const Eigen::MatrixXd l = llt.matrixL();
  return 2.0 * l.diagonal().array().log().sum() / std::log(2.0);
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
  const double mi = 0.5 * (log2_det(cov.topLeftCorner(da, da)) + log2_det(cov.bottomRightCorner(db, db)) - log2_det(cov));
  return std::max(0.0, mi);
}

double gaussian_mi_bits_corrected(const ndarray<double>& a, const ndarray<double>& b, double ridge) {
  const double n = static_cast<double>(a.shape[0]);
  const double bias = static_cast<double>(a.shape[1] * b.shape[1]) / (2.0 * n * std::log(2.0));
  return std::max(0.0, gaussian_mi_bits(a, b, ridge) - bias);
}

double gaussian_mi_from_correlation(double rho) { return -0.5 * std::log2(1.0 - rho * rho); }

double secrecy_bound_bits(double i_ab, double i_ae, double i_be) { return std::max(0.0, i_ab - std::min(i_ae, i_be)); }

}  // namespace physec::keygen
