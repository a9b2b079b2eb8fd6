#include <cmath>
#include <limits>

#include "physec/auth/baselines.hpp"

namespace physec::auth {

gaussian_nb::gaussian_nb(nb_config cfg) : cfg_(cfg) {}

void gaussian_nb::fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data*) {
  begin_fit(x, y);
  const std::size_t n = x.shape[0], d = nof_features_, k = nof_classes_;
  const Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> xm(
      x.ptr(), static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(d));
  const Eigen::MatrixXd xd = xm.cast<double>();
  mean_ = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(d));
  var_ = mean_;
  Eigen::VectorXd count = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(k));
  for (std::size_t i = 0; i < n; ++i) {
    mean_.row(y[i]) += xd.row(static_cast<Eigen::Index>(i));
    count(y[i]) += 1.0;
  }
  for (Eigen::Index c = 0; c < mean_.rows(); ++c)
    if (count(c) > 0) mean_.row(c) /= count(c);
  for (std::size_t i = 0; i < n; ++i)
    var_.row(y[i]) += (xd.row(static_cast<Eigen::Index>(i)) - mean_.row(y[i])).array().square().matrix();
  for (Eigen::Index c = 0; c < var_.rows(); ++c)
    if (count(c) > 0) var_.row(c) /= count(c);
  // Variance floor relative to the widest feature (scikit-learn's var_smoothing), so a feature constant within
  // a class does not give an infinite likelihood.
  const Eigen::RowVectorXd overall_mean = xd.colwise().mean();
  const double max_var = (xd.rowwise() - overall_mean).array().square().colwise().mean().maxCoeff();
  const double eps = cfg_.var_smoothing * (max_var > 0.0 ? max_var : 1.0);
  var_.array() += eps;
  // With var_smoothing = 0 a feature constant within a class would divide 0 by 0: keep variances positive.
  var_ = var_.cwiseMax(std::numeric_limits<double>::min());
  // A label absent from training (a gap below the largest label) gets prior 0: log π = -inf.
  log_prior_ = (count / static_cast<double>(n)).array().log();
}

ndarray<double> gaussian_nb::predict_proba(const ndarray<float>& x) const {
  check_predict_input(x);
  const std::size_t n = x.shape[0], d = nof_features_, k = nof_classes_;
  constexpr double log_2pi = 1.8378770664093454836;
  ndarray<double> out({n, k});
  std::vector<double> logp(k);
  for (std::size_t i = 0; i < n; ++i) {
    double top = -INFINITY;
    for (std::size_t c = 0; c < k; ++c) {
      double lp = log_prior_(static_cast<Eigen::Index>(c));
      if (!std::isfinite(lp)) {  // a class absent from training: probability 0, whatever the likelihood
        logp[c] = lp;
        continue;
      }
      for (std::size_t j = 0; j < d; ++j) {
        const double v = var_(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j));
        const double diff = x.data[i * d + j] - mean_(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j));
        lp -= 0.5 * (log_2pi + std::log(v) + diff * diff / v);
      }
      logp[c] = lp;
      top = std::max(top, lp);
    }
    double z = 0.0;
    for (std::size_t c = 0; c < k; ++c) z += std::exp(logp[c] - top);
    for (std::size_t c = 0; c < k; ++c) out(i, c) = std::exp(logp[c] - top) / z;
  }
  return out;
}

}  // namespace physec::auth
