#include <algorithm>
#include <numeric>

#include "physec/auth/baselines.hpp"

namespace physec::auth {

namespace {
using row_matrix = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
// Queries per distance GEMM: blocks of about 2^22 distances (16 MiB of floats), at least one query.
std::size_t query_block(std::size_t nof_train) { return std::max<std::size_t>(1, (std::size_t{1} << 22) / nof_train); }
}  // namespace

knn::knn(knn_config cfg) : cfg_(cfg) {}

void knn::fit(const ndarray<float>& x, const std::vector<int>& y, const labelled_data*) {
  begin_fit(x, y);
  const ndarray<float>* src = &x;
  ndarray<float> scaled;
  if (cfg_.standardise) {
    scaler_.fit(x);
    scaled = scaler_.transform(x);
    src = &scaled;
  }
  train_ = Eigen::Map<const row_matrix>(src->ptr(), static_cast<Eigen::Index>(x.shape[0]),
                                        static_cast<Eigen::Index>(x.shape[1]));
  train_sq_norm_ = train_.rowwise().squaredNorm();
  labels_ = y;
}

ndarray<double> knn::predict_proba(const ndarray<float>& x_in) const {
  check_predict_input(x_in);
  const ndarray<float> x = cfg_.standardise ? scaler_.transform(x_in) : x_in;
  const std::size_t n = x.shape[0], d = nof_features_, k_classes = nof_classes_;
  const auto n_train = static_cast<std::size_t>(train_.rows());
  const std::size_t k = std::min(static_cast<std::size_t>(cfg_.k), n_train);
  ndarray<double> out({n, k_classes});
  std::vector<std::size_t> order(n_train);
  const std::size_t block = query_block(n_train);
  for (std::size_t b0 = 0; b0 < n; b0 += block) {
    const std::size_t nb = std::min(block, n - b0);
    const Eigen::Map<const row_matrix> q(x.ptr() + b0 * d, static_cast<Eigen::Index>(nb), static_cast<Eigen::Index>(d));
    // ||q - t||² = ||q||² + ||t||² - 2 q.t ; ||q||² is constant per query and does not change the ranking.
    row_matrix dist = -2.0f * (q * train_.transpose());
    dist.rowwise() += train_sq_norm_.transpose();
    for (std::size_t i = 0; i < nb; ++i) {
      const float* row = dist.data() + i * n_train;
      std::iota(order.begin(), order.end(), std::size_t{0});
      auto closer = [row](std::size_t a, std::size_t b) { return row[a] < row[b] || (row[a] == row[b] && a < b); };
      std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(k), order.end(), closer);
      double* o = out.ptr() + (b0 + i) * k_classes;
      for (std::size_t j = 0; j < k; ++j) o[labels_[order[j]]] += 1.0 / static_cast<double>(k);
    }
  }
  return out;
}

}  // namespace physec::auth
