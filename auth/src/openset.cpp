#include "physec/auth/openset.hpp"

#include <Eigen/Dense>

#include <algorithm>
#include <cmath>
#include <map>

#include "physec/core/error.hpp"

namespace physec::auth {

double auroc(const std::vector<double>& legal, const std::vector<double>& spoofer) {
  if (legal.empty() || spoofer.empty())
    throw error("AUROC needs scores of both classes", {"", "scores", {}}, "legal and spoofer scores",
                std::to_string(legal.size()) + " legal, " + std::to_string(spoofer.size()) + " spoofer");
  // Mann-Whitney: sort all scores, mid-ranks for ties; U = R_spoofer − n_s (n_s + 1) / 2.
  std::vector<std::pair<double, int>> all;
  for (double s : legal) all.emplace_back(s, 0);
  for (double s : spoofer) all.emplace_back(s, 1);
  std::sort(all.begin(), all.end());
  double rank_sum = 0;
  for (std::size_t i = 0; i < all.size();) {
    std::size_t j = i;
    while (j < all.size() && all[j].first == all[i].first) ++j;
    const double mid = 0.5 * static_cast<double>(i + 1 + j);  // ranks i+1 .. j
    for (std::size_t k = i; k < j; ++k)
      if (all[k].second == 1) rank_sum += mid;
    i = j;
  }
  const double ns = static_cast<double>(spoofer.size()), nl = static_cast<double>(legal.size());
  return (rank_sum - ns * (ns + 1) / 2) / (ns * nl);
}

double auroc_standard_error(double a, std::size_t nof_legal, std::size_t nof_spoofer) {
  const double q1 = a / (2 - a), q2 = 2 * a * a / (1 + a);
  const double nl = static_cast<double>(nof_legal), ns = static_cast<double>(nof_spoofer);
  const double var = (a * (1 - a) + (ns - 1) * (q1 - a * a) + (nl - 1) * (q2 - a * a)) / (ns * nl);
  return std::sqrt(std::max(0.0, var));
}

roc_point rates_at(const std::vector<double>& legal, const std::vector<double>& spoofer, double threshold) {
  roc_point p{threshold, 0, 0};
  for (double s : legal) p.far += s > threshold;
  for (double s : spoofer) p.mdr += !(s > threshold);
  p.far = legal.empty() ? std::nan("") : p.far / static_cast<double>(legal.size());
  p.mdr = spoofer.empty() ? std::nan("") : p.mdr / static_cast<double>(spoofer.size());
  return p;
}

std::vector<roc_point> roc_curve(const std::vector<double>& legal, const std::vector<double>& spoofer) {
  std::vector<double> t(legal);
  t.insert(t.end(), spoofer.begin(), spoofer.end());
  std::sort(t.begin(), t.end());
  t.erase(std::unique(t.begin(), t.end()), t.end());
  std::vector<roc_point> out;
  if (!t.empty()) out.push_back(rates_at(legal, spoofer, std::nextafter(t.front(), -HUGE_VAL)));
  for (double x : t) out.push_back(rates_at(legal, spoofer, x));
  return out;
}

double threshold_at_far(std::vector<double> legal, double far) {
  if (legal.empty()) throw error("no legal validation scores for the threshold", {"", "far", {}}, "some", "none");
  std::sort(legal.begin(), legal.end());
  const auto n = legal.size();
  // At most floor(far · n) scores may exceed the threshold: the threshold is the score with that many above it.
  const auto allowed = static_cast<std::size_t>(std::floor(far * static_cast<double>(n) + 1e-9));
  return allowed >= n ? std::nextafter(legal.front(), -HUGE_VAL) : legal[n - 1 - allowed];
}

void mahalanobis_scorer::fit(const ndarray<float>& x, const std::vector<int>& y) {
  if (x.rank() != 2 || x.shape[0] != y.size() || y.empty())
    throw error("Mahalanobis fit needs [n, d] features and n labels", {"", "x", {}}, "[n, d] and n labels",
                shape_string(x.shape) + " and " + std::to_string(y.size()));
  const std::size_t n = x.shape[0], d = x.shape[1];
  dims_ = d;
  std::map<int, std::vector<std::size_t>> by_class;
  for (std::size_t i = 0; i < n; ++i) by_class[y[i]].push_back(i);
  means_.clear();
  Eigen::MatrixXd cov = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(d), static_cast<Eigen::Index>(d));
  for (const auto& [label, rows] : by_class) {
    Eigen::VectorXd mu = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(d));
    for (auto r : rows)
      for (std::size_t k = 0; k < d; ++k) mu[static_cast<Eigen::Index>(k)] += x(r, k);
    mu /= static_cast<double>(rows.size());
    for (auto r : rows) {
      Eigen::VectorXd v(static_cast<Eigen::Index>(d));
      for (std::size_t k = 0; k < d; ++k) v[static_cast<Eigen::Index>(k)] = x(r, k) - mu[static_cast<Eigen::Index>(k)];
      cov += v * v.transpose();
    }
    means_.emplace_back(mu.data(), mu.data() + d);
  }
  cov /= static_cast<double>(n);
  // Shrink toward the diagonal (and keep it positive definite when features are constant or n < d).
  const Eigen::MatrixXd diag = cov.diagonal().asDiagonal();
  cov = (1 - shrinkage_) * cov + shrinkage_ * diag;
  cov.diagonal().array() += 1e-9 * std::max(1.0, cov.diagonal().mean());
  const Eigen::MatrixXd p = cov.ldlt().solve(Eigen::MatrixXd::Identity(cov.rows(), cov.cols()));
  precision_.assign(p.data(), p.data() + p.size());  // symmetric: storage order does not matter
}

std::vector<double> mahalanobis_scorer::score(const ndarray<float>& x) const {
  if (x.rank() != 2 || x.shape[1] != dims_)
    throw error("Mahalanobis score needs the fitted feature width", {"", "x", {}}, "[m, " + std::to_string(dims_) + "]",
                shape_string(x.shape));
  const auto d = static_cast<Eigen::Index>(dims_);
  const Eigen::Map<const Eigen::MatrixXd> p(precision_.data(), d, d);
  std::vector<double> out(x.shape[0]);
  Eigen::VectorXd v(d);
  for (std::size_t i = 0; i < x.shape[0]; ++i) {
    double best = HUGE_VAL;
    for (const auto& mu : means_) {
      for (Eigen::Index k = 0; k < d; ++k) v[k] = x(i, static_cast<std::size_t>(k)) - mu[static_cast<std::size_t>(k)];
      best = std::min(best, v.dot(p * v));
    }
    out[i] = best;
  }
  return out;
}

std::vector<double> max_probability_score(const ndarray<double>& proba) {
  std::vector<double> out(proba.shape.at(0));
  const std::size_t c = proba.shape.at(1);
  for (std::size_t i = 0; i < out.size(); ++i) {
    double m = 0;
    for (std::size_t k = 0; k < c; ++k) m = std::max(m, proba(i, k));
    out[i] = 1 - m;
  }
  return out;
}

}  // namespace physec::auth
