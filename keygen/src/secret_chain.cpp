#include "physec/keygen/secret_chain.hpp"

#include <Eigen/Dense>
#include <algorithm>
#include <array>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>
#include <numeric>

#include "physec/core/error.hpp"
#include "physec/keygen/quantizer.hpp"

namespace physec::keygen {

void chain_config::describe(config::schema& s) {
  s.add("value", value, "the chain's quantizer input (replaces [features].value): phase_aligned (real and imaginary "
        "parts after removing the probe's common phase: the relative phases are reciprocal) or amplitude |h|")
      .choices({"phase_aligned", "amplitude"})
      .source("issue #15; docs/key-agreement.md (more secret bits per realisation than amplitude at 10 and 20 dB)");
  s.add("normalise_power", normalise_power, "replaces [features].normalise_power for the chain: true divides every "
        "probe by its RMS, false keeps its level (the small-scale fading power is reciprocal: more shared bits)")
      .source("ours (docs/key-agreement.md: false gives more secret bits per realisation at every SNR)");
  s.add("slope_features", slope_features, "replaces [features].slope_features for the chain: each kept delay tap's "
        "slope over the probe (Wiener-shrunk, scaled to its tap's power on each party's calibration probes) joins the "
        "KLT's input; the channel's drift within a probe is shared by both parties (value phase_aligned; amplitude "
        "ignores it)")
      .source("ours (docs/key-agreement.md: +0.4 / +1.7 secret bits per realisation at 20 / 30 dB, but an SP 800-90B "
              "excursion rejection on the quickstart's data: off by default)");
  s.add("standardise_per_party", standardise_per_party, "each party quantizes a coefficient standardised by its own "
        "calibration mean and deviation, thresholds in standard units (a fixed gain mismatch between Alice's and "
        "Bob's views, e.g. RF mismatch, cancels); false: both quantize the raw coefficient")
      .source("ours");
  s.add("nof_components", nof_components, "KLT components considered per link").range(1, 4096).source("ours");
  s.add("transform", transform, "per-link decorrelation fitted on the calibration probes: klt (joint KLT of Alice's and "
        "Bob's features), cca (canonical correlation analysis of their KLT coefficients, one map per party), "
        "key_encoder (an encoder trained for keys on the standardised KLT coefficients: [chain.key_encoder], needs "
        "LibTorch); baselines: raw (every feature), pca (nof_components, fitted on Bob's calibration features only), "
        "dct (the nof_components lowest DCT-II coefficients, Re and Im halves separately)")
      .choices({"klt", "cca", "key_encoder", "raw", "pca", "dct"})
      .source("issue #15 (\"KLT or CCA fitted on calibration data\"); issue #16 (key_encoder, baselines)");
  s.add("cca_ridge", cca_ridge, "cca: ridge added to each party's covariance, times its mean variance (over-fitting on "
        "few calibration probes)")
      .range(0.0, 10.0)
      .source("ours (Vinod 1976 canonical ridge)");
  s.add("correlation", correlation, "calibrated A-B correlation of a coefficient: pearson, or rank (Spearman's, "
        "mapped to Pearson's under normality: robust to a few outlier probes)")
      .choices({"pearson", "rank"})
      .source("ours");
  s.add("max_bits", max_bits, "most bits per KLT coefficient").range(1, 8)
      .source("ours (docs/key-agreement.md: with allocation = soft, 6 is the measured choice)");
  s.add("min_correlation", min_correlation, "coefficients with a lower calibrated A-B correlation are dropped")
      .range(0.0, 1.0)
      .source("ours (docs/key-agreement.md: 0.7 is better with chain.slope_features)");
  s.add("leak_factor", leak_factor, "reconciliation leakage per bit / h(p) assumed when choosing bit counts")
      .range(1.0, 3.0)
      .source("docs/key-agreement.md (Cascade measured 1.15-1.28)");
  s.add("allocation", allocation, "bits per coefficient for hard decisions (Cascade, ldpc: maximise m*(1 - "
        "leak_factor*h(p_m))) or for Bob's soft LLRs (ldpc_soft: maximise m - soft_leak_factor*m*H_soft(rho, m), the "
        "per-bit cross-entropy of Alice's Gray bits given Bob's value)")
      .choices({"auto", "hard", "soft"})
      .source("ours (docs/key-agreement.md, soft-decision LDPC; auto: soft with agree.reconciliation = ldpc_soft)");
  s.add("soft_leak_factor", soft_leak_factor, "allocation = soft: syndrome bits / soft conditional entropy assumed "
        "(set it to agree.ldpc_efficiency)")
      .range(1.0, 3.0)
      .source("docs/key-agreement.md (the irregular code converged at 1.10-1.15 in simulation)");
  s.add("eve_regressors", eve_regressors, "KLT components of each of Eve's probes her LMMSE estimator uses")
      .range(1, 4096)
      .source("ours (limited by the calibration probes per link)");
  s.add("entropy_confidence_z", entropy_confidence_z,
        "H(X|E) per realisation: mean - z*sd/sqrt(n) over the validation probes (2.326: one-sided 99 %)")
      .range(0.0, 10.0)
      .source("ours");
  s.add("redundancy_correction", redundancy_correction,
        "subtract from H(X|E) per realisation the Gaussian total correlation of Alice's kept coefficients on the "
        "validation probes (bias-corrected; H = 0 when there are too few probes to estimate it): the surprisal "
        "counts the coefficients as independent given Eve, which over-counts redundant ones (raw, DCT, learned maps)")
      .source("ours (docs/keygen-models.md): on by default, the conservative side for the key's secrecy; false: the "
              "calibration of issue #15, which may over-count H(X|E)");
  s.section("key_encoder", key_encoder, "transform = key_encoder: the encoder trained for keys (issue #16)");
}

void key_encoder_config::describe(config::schema& s) {
  s.add("outputs", outputs, "encoder outputs m (the allocation keeps those with a high A-B correlation)")
      .range(1, 4096)
      .source("ours (= chain.nof_components)");
  s.add("hidden", hidden, "width of the encoder's hidden layer (and of the adversary's)").range(1, 4096).source("ours");
  s.add("pool", pool, "which links one encoder is trained on: all (every link) or snr (the links of one SNR)")
      .choices({"all", "snr"})
      .source("ours (snr: 480 pairs per pool on the default dataset; validation loss stopped at epoch 0-1 at 10 and 20 dB)");
  s.add("epochs", epochs, "most training epochs").range(0, 100000).source("ours (2 CPU cores)");
  s.add("patience", patience, "epochs without a lower validation loss before stopping").range(1, 100000).source("ours");
  s.add("batch", batch, "(Alice, Bob) pairs per step (correlations are estimated over the batch)")
      .range(8, 1 << 20)
      .source("ours");
  s.add("learning_rate", learning_rate, "Adam learning rate of the encoder and the adversary").range(1e-6, 1.0).source("ours");
  s.add("agreement", agreement, "agreement term: correlation (mean of 1 - rho per output) or information (minus the "
        "mean Gaussian information -1/2 log2(1 - rho^2) per output: favours strong outputs, as the bit allocation does)")
      .choices({"correlation", "information"})
      .source("issue #16; ours (information: docs/keygen-models.md, correlation spread the bits thin)");
  s.add("weight_decorrelation", weight_decorrelation, "weight of the decorrelation term (information agreement rewards "
        "copies of a strong output: the decorrelation has to bind)")
      .range(0.0, 1000.0)
      .source("ours");
  s.add("weight_uniformity", weight_uniformity, "weight of the uniformity term").range(0.0, 1000.0).source("ours");
  s.add("weight_secrecy", weight_secrecy, "weight of the adversarial Eve term (0: no adversary)")
      .range(0.0, 1000.0)
      .source("ours");
}

namespace {

double phi_cdf(double x) { return 0.5 * std::erfc(-x / std::sqrt(2.0)); }
double phi_pdf(double x) { return std::exp(-0.5 * x * x) / std::sqrt(2.0 * 3.14159265358979323846); }
double binary_entropy(double p) { return p <= 0 || p >= 1 ? 0.0 : -p * std::log2(p) - (1 - p) * std::log2(1 - p); }

double mean_of(const std::vector<double>& v) {
  return v.empty() ? 0.0 : std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double variance_of(const std::vector<double>& v) {
  if (v.size() < 2) return 0;
  const double m = mean_of(v);
  double s = 0;
  for (double x : v) s += (x - m) * (x - m);
  return s / static_cast<double>(v.size() - 1);
}

std::vector<double> column(const ndarray<double>& x, std::size_t c) {
  std::vector<double> v(x.shape[0]);
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = x(i, c);
  return v;
}

double pearson(const std::vector<double>& a, const std::vector<double>& b) {
  const double ma = mean_of(a), mb = mean_of(b);
  double sab = 0, saa = 0, sbb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return saa > 0 && sbb > 0 ? sab / std::sqrt(saa * sbb) : 0.0;
}

/// Pearson's correlation from Spearman's rank correlation ρ_s under bivariate normality, ρ = 2 sin(π ρ_s / 6)
/// (Kendall & Gibbons, Rank Correlation Methods, 1990): one probe whose phase reference failed moves it by at most
/// ~3/n instead of dominating the sums.
double rank_correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const auto ranks = [](const std::vector<double>& x) {
    std::vector<std::size_t> idx(x.size());
    std::iota(idx.begin(), idx.end(), std::size_t{0});
    std::sort(idx.begin(), idx.end(), [&](std::size_t i, std::size_t j) { return x[i] < x[j]; });
    std::vector<double> r(x.size());
    for (std::size_t k = 0; k < idx.size(); ++k) r[idx[k]] = static_cast<double>(k);
    return r;
  };
  return 2 * std::sin(3.14159265358979323846 * pearson(ranks(a), ranks(b)) / 6);
}

int level_of(const std::vector<double>& thresholds, double x) {
  return static_cast<int>(std::upper_bound(thresholds.begin(), thresholds.end(), x) - thresholds.begin());
}

}  // namespace

double gray_bit_disagreement(double rho, int m) {
  if (m < 1 || m > 16) throw error("bits per coefficient out of range", {"", "m", {}}, "1..16", std::to_string(m));
  const int nof_levels = 1 << m;
  const double s = std::sqrt(std::max(0.0, 1 - rho * rho));
  if (s < 1e-12) return 0;
  std::vector<double> z(static_cast<std::size_t>(nof_levels) + 1);
  z.front() = -std::numeric_limits<double>::infinity();
  z.back() = std::numeric_limits<double>::infinity();
  const boost::math::normal normal;
  for (int j = 1; j < nof_levels; ++j) z[static_cast<std::size_t>(j)] = boost::math::quantile(normal, static_cast<double>(j) / nof_levels);
  const std::vector<double> inner(z.begin() + 1, z.end() - 1);
  const int nof_points = 1601;
  const double lo = -8, step = 16.0 / (nof_points - 1);
  double expected = 0;
  for (int g = 0; g < nof_points; ++g) {
    const double x = lo + step * g;
    const auto a = static_cast<std::uint32_t>(level_of(inner, x));
    double e = 0;
    for (int j = 0; j < nof_levels; ++j) {
      const double p = phi_cdf((z[static_cast<std::size_t>(j) + 1] - rho * x) / s) - phi_cdf((z[static_cast<std::size_t>(j)] - rho * x) / s);
      e += p * __builtin_popcount(gray_encode(a) ^ gray_encode(static_cast<std::uint32_t>(j)));
    }
    expected += phi_pdf(x) * step * e;
  }
  return expected / m;
}

void resolve_allocation(chain_config& chain, const std::string& reconciliation) {
  if (chain.allocation == "auto") chain.allocation = reconciliation == "ldpc_soft" ? "soft" : "hard";
}

double gray_bit_soft_entropy(double rho, int m) {
  if (m < 1 || m > 16) throw error("bits per coefficient out of range", {"", "m", {}}, "1..16", std::to_string(m));
  const int nof_levels = 1 << m;
  const double s = std::sqrt(std::max(0.0, 1 - rho * rho));
  if (s < 1e-12) return 0;
  std::vector<double> z(static_cast<std::size_t>(nof_levels) + 1);
  z.front() = -std::numeric_limits<double>::infinity();
  z.back() = std::numeric_limits<double>::infinity();
  const boost::math::normal normal;
  for (int j = 1; j < nof_levels; ++j) z[static_cast<std::size_t>(j)] = boost::math::quantile(normal, static_cast<double>(j) / nof_levels);
  const int nof_points = 1601;
  const double lo = -8, step = 16.0 / (nof_points - 1);
  double expected = 0;
  std::vector<double> p1(static_cast<std::size_t>(m));
  for (int g = 0; g < nof_points; ++g) {
    const double y = lo + step * g;
    std::fill(p1.begin(), p1.end(), 0.0);
    double total = 0;
    for (int j = 0; j < nof_levels; ++j) {
      const double p = phi_cdf((z[static_cast<std::size_t>(j) + 1] - rho * y) / s) - phi_cdf((z[static_cast<std::size_t>(j)] - rho * y) / s);
      total += p;
      const std::uint32_t gj = gray_encode(static_cast<std::uint32_t>(j));
      for (int b = 0; b < m; ++b)
        if ((gj >> b) & 1u) p1[static_cast<std::size_t>(b)] += p;
    }
    double e = 0;
    for (int b = 0; b < m; ++b) e += binary_entropy(total > 0 ? p1[static_cast<std::size_t>(b)] / total : 0.5);
    expected += phi_pdf(y) * step * e;
  }
  return expected / m;
}

void coefficient_allocator::fit(const ndarray<double>& alice, const ndarray<double>& bob, const chain_config& cfg) {
  fit_klt(alice, bob, cfg);
  const std::size_t n = alice.shape[0], d = alice.shape[1];
  transform_ = cfg.transform;
  interleaved_ = cfg.value != "amplitude";  // phase_aligned: Re and Im interleaved
  if (transform_ == "key_encoder" && !map_)
    throw error("chain.transform = key_encoder needs a trained encoder (set_learned_map)", {"", "chain.transform", {}},
                "a learned map", "none");
  if (transform_ == "pca") bob_pca_.fit(bob, std::min<std::size_t>({nof_components_, d, n - 1}));
  cca_ = cfg.transform == "cca";
  if (cca_) {
    // Canonical correlation analysis (Hotelling 1936) of the two parties' KLT coefficients: whiten each with its
    // ridge-regularised covariance, SVD of the whitened cross-covariance; the singular values are the canonical
    // correlations, each party gets its own map (absorbing a fixed linear map between their views, e.g. RF mismatch).
    const auto ka = klt_transform(alice), kb = klt_transform(bob);
    const auto q = static_cast<Eigen::Index>(ka.shape[1]);
    Eigen::MatrixXd A(static_cast<Eigen::Index>(n), q), B(static_cast<Eigen::Index>(n), q);
    for (std::size_t i = 0; i < n; ++i)
      for (Eigen::Index c = 0; c < q; ++c) {
        A(static_cast<Eigen::Index>(i), c) = ka(i, static_cast<std::size_t>(c));
        B(static_cast<Eigen::Index>(i), c) = kb(i, static_cast<std::size_t>(c));
      }
    const Eigen::RowVectorXd ma = A.colwise().mean(), mb = B.colwise().mean();
    A.rowwise() -= ma;
    B.rowwise() -= mb;
    const double dof = static_cast<double>(n - 1);
    Eigen::MatrixXd caa = A.transpose() * A / dof, cbb = B.transpose() * B / dof;
    const Eigen::MatrixXd cab = A.transpose() * B / dof;
    caa.diagonal().array() += cfg.cca_ridge * caa.trace() / static_cast<double>(q) + 1e-12;
    cbb.diagonal().array() += cfg.cca_ridge * cbb.trace() / static_cast<double>(q) + 1e-12;
    const auto inv_sqrt = [](const Eigen::MatrixXd& c) {
      const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(c);
      return Eigen::MatrixXd(e.eigenvectors() * e.eigenvalues().cwiseMax(1e-300).cwiseSqrt().cwiseInverse().asDiagonal() *
                             e.eigenvectors().transpose());
    };
    const Eigen::MatrixXd wa = inv_sqrt(caa), wb = inv_sqrt(cbb);
    const Eigen::JacobiSVD<Eigen::MatrixXd> svd(wa * cab * wb, Eigen::ComputeFullU | Eigen::ComputeFullV);
    Eigen::MatrixXd ua = wa * svd.matrixU(), ub = wb * svd.matrixV();
    for (Eigen::Index c = 0; c < q; ++c) {
      // Same sign rule as the KLT (largest-magnitude entry of Alice's map positive), so every party derives it.
      Eigen::Index imax;
      ua.col(c).cwiseAbs().maxCoeff(&imax);
      if (ua(imax, c) < 0) {
        ua.col(c) *= -1;
        ub.col(c) *= -1;
      }
    }
    mean_a_.assign(ma.data(), ma.data() + q);
    mean_b_.assign(mb.data(), mb.data() + q);
    w_a_.assign(static_cast<std::size_t>(q * q), 0.0);
    w_b_.assign(static_cast<std::size_t>(q * q), 0.0);
    for (Eigen::Index r = 0; r < q; ++r)
      for (Eigen::Index c = 0; c < q; ++c) {
        w_a_[static_cast<std::size_t>(r * q + c)] = ua(r, c);
        w_b_[static_cast<std::size_t>(r * q + c)] = ub(r, c);
      }
  }
  const auto pa = coefficients(alice, chain_party::alice), pb = coefficients(bob, chain_party::bob);
  kept_.clear();
  mean_ka_.clear();
  sd_ka_.clear();
  mean_kb_.clear();
  sd_kb_.clear();
  bits_.clear();
  rho_.clear();
  thresholds_.clear();
  per_party_ = cfg.standardise_per_party;
  for (std::size_t c = 0; c < pa.shape[1]; ++c) {
    auto a = column(pa, c), b = column(pb, c);
    const double ma = mean_of(a), sa = std::sqrt(std::max(variance_of(a), 1e-300));
    const double mb = mean_of(b), sb = std::sqrt(std::max(variance_of(b), 1e-300));
    if (per_party_) {
      for (double& v : a) v = (v - ma) / sa;
      for (double& v : b) v = (v - mb) / sb;
    }
    const double rho = cfg.correlation == "rank" ? rank_correlation(a, b) : pearson(a, b);
    if (rho < cfg.min_correlation) continue;
    int best_m = 0;
    double best = 0;
    for (int m = 1; m <= cfg.max_bits; ++m) {
      const double score = cfg.allocation == "soft"
                               ? m * (1 - cfg.soft_leak_factor * gray_bit_soft_entropy(rho, m))
                               : m * (1 - cfg.leak_factor * binary_entropy(gray_bit_disagreement(rho, m)));
      if (score > best) {
        best = score;
        best_m = m;
      }
    }
    if (best_m == 0) continue;
    std::vector<double> pooled(a);
    pooled.insert(pooled.end(), b.begin(), b.end());
    std::sort(pooled.begin(), pooled.end());
    const std::size_t levels = std::size_t{1} << best_m;
    std::vector<double> t;
    const bool gaussian = 4 * levels > pooled.size();
    if (gaussian) {
      // More levels than a quarter of the calibration values (soft allocation, many bits): the order statistics
      // would set each threshold from one or two values, so the Gaussian quantiles of the pooled mean and deviation.
      const double mu = mean_of(pooled), sd = std::sqrt(std::max(variance_of(pooled), 1e-300));
      const boost::math::normal normal;
      for (std::size_t j = 1; j < levels; ++j)
        t.push_back(mu + sd * boost::math::quantile(normal, static_cast<double>(j) / static_cast<double>(levels)));
    }
    for (std::size_t j = 1; j < levels && !gaussian; ++j) {
      // Equiprobable levels: the j/L quantile, midway between the order statistics around it.
      const double pos = static_cast<double>(j) * static_cast<double>(pooled.size()) / static_cast<double>(levels) - 0.5;
      const auto i0 = static_cast<std::size_t>(std::clamp(std::floor(pos), 0.0, static_cast<double>(pooled.size() - 1)));
      const std::size_t i1 = std::min(i0 + 1, pooled.size() - 1);
      const double w = std::clamp(pos - static_cast<double>(i0), 0.0, 1.0);
      t.push_back(pooled[i0] * (1 - w) + pooled[i1] * w);
    }
    kept_.push_back(c);
    mean_ka_.push_back(ma);
    sd_ka_.push_back(sa);
    mean_kb_.push_back(mb);
    sd_kb_.push_back(sb);
    bits_.push_back(best_m);
    rho_.push_back(rho);
    thresholds_.push_back(std::move(t));
  }
}

namespace {

/// `[n, d]` -> its first `lead` columns and the rest.
std::pair<ndarray<double>, ndarray<double>> split_columns(const ndarray<double>& x, std::size_t lead) {
  const std::size_t n = x.shape[0], d = x.shape[1];
  ndarray<double> a({n, lead}), b({n, d - lead});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t c = 0; c < d; ++c) (c < lead ? a(i, c) : b(i, c - lead)) = x(i, c);
  return {std::move(a), std::move(b)};
}

}  // namespace

ndarray<double> coefficient_allocator::klt_transform(const ndarray<double>& x) const {
  const std::size_t d = x.shape[1];
  if (trailing_ == 0 || trailing_ >= d) return klt_.transform(x);
  const auto [lead, trail] = split_columns(x, d - trailing_);
  const auto a = klt_.transform(lead), b = klt_trailing_.transform(trail);
  ndarray<double> out({x.shape[0], a.shape[1] + b.shape[1]});
  for (std::size_t i = 0; i < x.shape[0]; ++i) {
    for (std::size_t c = 0; c < a.shape[1]; ++c) out(i, c) = a(i, c);
    for (std::size_t c = 0; c < b.shape[1]; ++c) out(i, a.shape[1] + c) = b(i, c);
  }
  return out;
}

void coefficient_allocator::fit_klt(const ndarray<double>& alice, const ndarray<double>& bob, const chain_config& cfg) {
  if (alice.shape != bob.shape || alice.rank() != 2 || alice.shape[0] < 3)
    throw error("calibration features of Alice and Bob must be [n >= 3, d], the same shape", {"", "calibration", {}},
                shape_string(alice.shape), shape_string(bob.shape));
  const std::size_t n = alice.shape[0], d = alice.shape[1];
  ndarray<double> both({2 * n, d});
  std::copy(alice.data.begin(), alice.data.end(), both.data.begin());
  std::copy(bob.data.begin(), bob.data.end(), both.data.begin() + static_cast<std::ptrdiff_t>(n * d));
  nof_components_ = std::min<std::size_t>({static_cast<std::size_t>(cfg.nof_components), d, 2 * n - 1});
  const std::size_t trailing = trailing_ < d ? trailing_ : 0;
  if (trailing > 0) {
    const auto [lead, trail] = split_columns(both, d - trailing);
    const std::size_t q = nof_components_;
    nof_components_ = std::min(q, d - trailing);
    klt_.fit(lead, nof_components_);
    klt_trailing_.fit(trail, std::min(q, trailing));
  } else {
    klt_.fit(both, nof_components_);
  }
  const auto k = klt_transform(both);
  klt_sd_.assign(k.shape[1], 0.0);
  for (std::size_t c = 0; c < k.shape[1]; ++c) klt_sd_[c] = std::sqrt(std::max(variance_of(column(k, c)), 1e-300));
}

ndarray<double> coefficient_allocator::standardised(const ndarray<double>& x) const {
  auto k = klt_transform(x);
  for (std::size_t i = 0; i < k.shape[0]; ++i)
    for (std::size_t c = 0; c < k.shape[1]; ++c) k(i, c) /= klt_sd_[c];
  return k;
}

namespace {

/// Re and Im halves of interleaved features `[n, 2h]`, each to its `q/2` lowest DCT-II coefficients (the DCT of the
/// interleaved vector would mix the two).
ndarray<double> dct_of_interleaved(const ndarray<double>& x, std::size_t q) {
  const std::size_t n = x.shape[0], h = x.shape[1] / 2, per = std::max<std::size_t>(1, std::min(q / 2, h));
  ndarray<double> out({n, 2 * per});
  for (std::size_t part = 0; part < 2; ++part) {
    ndarray<double> half({n, h});
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < h; ++j) half(i, j) = x(i, 2 * j + part);
    const auto c = dct_features(half, per);
    for (std::size_t i = 0; i < n; ++i)
      for (std::size_t j = 0; j < per; ++j) out(i, part * per + j) = c(i, j);
  }
  return out;
}

}  // namespace

ndarray<double> coefficient_allocator::coefficients(const ndarray<double>& x, chain_party p) const {
  if (transform_ == "raw") return x;
  if (transform_ == "pca") return bob_pca_.transform(x);
  if (transform_ == "dct")  // along the concatenated antenna pairs' subcarriers (one pair by default)
    return interleaved_ ? dct_of_interleaved(x, nof_components_) : dct_features(x, std::min(nof_components_, x.shape[1]));
  if (transform_ == "key_encoder") return map_->apply(standardised(x));
  auto k = klt_transform(x);
  if (!cca_) return k;
  const std::size_t q = k.shape[1];
  const auto& w = p == chain_party::alice ? w_a_ : w_b_;
  const auto& m = p == chain_party::alice ? mean_a_ : mean_b_;
  ndarray<double> out({k.shape[0], q});
  for (std::size_t i = 0; i < k.shape[0]; ++i)
    for (std::size_t c = 0; c < q; ++c) {
      double acc = 0;
      for (std::size_t r = 0; r < q; ++r) acc += (k(i, r) - m[r]) * w[r * q + c];
      out(i, c) = acc;
    }
  return out;
}

ndarray<double> coefficient_allocator::project(const ndarray<double>& x, chain_party p) const {
  const auto all = coefficients(x, p);
  ndarray<double> out({x.shape[0], kept_.size()});
  const auto& mean = p == chain_party::alice ? mean_ka_ : mean_kb_;
  const auto& sd = p == chain_party::alice ? sd_ka_ : sd_kb_;
  for (std::size_t i = 0; i < x.shape[0]; ++i)
    for (std::size_t c = 0; c < kept_.size(); ++c)
      out(i, c) = per_party_ ? (all(i, kept_[c]) - mean[c]) / sd[c] : all(i, kept_[c]);
  return out;
}

ndarray<int> coefficient_allocator::levels(const ndarray<double>& coeffs) const {
  ndarray<int> out(coeffs.shape);
  for (std::size_t i = 0; i < coeffs.shape[0]; ++i)
    for (std::size_t c = 0; c < kept_.size(); ++c) out(i, c) = level_of(thresholds_[c], coeffs(i, c));
  return out;
}

std::vector<std::uint8_t> coefficient_allocator::bits(const ndarray<int>& levels) const {
  std::vector<std::uint8_t> out;
  for (std::size_t i = 0; i < levels.shape[0]; ++i)
    for (std::size_t c = 0; c < kept_.size(); ++c) {
      const std::uint32_t g = gray_encode(static_cast<std::uint32_t>(levels(i, c)));
      for (int b = bits_[c] - 1; b >= 0; --b) out.push_back(static_cast<std::uint8_t>((g >> b) & 1u));
    }
  return out;
}

std::vector<double> coefficient_allocator::llr(const ndarray<double>& y) const {
  std::vector<double> out;
  const double inf = std::numeric_limits<double>::infinity();
  for (std::size_t i = 0; i < y.shape[0]; ++i)
    for (std::size_t c = 0; c < kept_.size(); ++c) {
      const double rho = std::clamp(rho_[c], -0.999999, 0.999999), s = std::sqrt(1 - rho * rho);
      // Standard units: project() standardised them already, else with the calibration means and deviations.
      const double yt = per_party_ ? y(i, c) : (y(i, c) - mean_kb_[c]) / sd_kb_[c];
      const auto& t = thresholds_[c];
      std::vector<double> p0(static_cast<std::size_t>(bits_[c]), 1e-300), p1(p0);
      for (std::size_t l = 0; l <= t.size(); ++l) {
        const double lo = l == 0 ? -inf : per_party_ ? t[l - 1] : (t[l - 1] - mean_ka_[c]) / sd_ka_[c];
        const double hi = l == t.size() ? inf : per_party_ ? t[l] : (t[l] - mean_ka_[c]) / sd_ka_[c];
        const double p = std::max(0.0, phi_cdf((hi - rho * yt) / s) - phi_cdf((lo - rho * yt) / s));
        const std::uint32_t g = gray_encode(static_cast<std::uint32_t>(l));
        for (int b = 0; b < bits_[c]; ++b) (((g >> b) & 1u) ? p1 : p0)[static_cast<std::size_t>(b)] += p;
      }
      for (int b = bits_[c] - 1; b >= 0; --b)  // MSB first, as bits()
        out.push_back(std::clamp(std::log(p0[static_cast<std::size_t>(b)] / p1[static_cast<std::size_t>(b)]), -30.0, 30.0));
    }
  return out;
}

pa_calibration chain_group::calibration(std::size_t p0, std::size_t p1) const {
  pa_calibration c;
  for (std::size_t i = p0; i < p1; ++i) {
    c.nof_realisations += weight[i];
    c.h_total += weight[i] * h[i];
    c.v_total += weight[i] * v[i];
    c.max_bits_per_realisation = std::max(c.max_bits_per_realisation, static_cast<double>(bits_per_probe[i]));
    c.soft_entropy_total += h_soft[i];
  }
  c.error_rate = error_rate;
  return c;
}

int coefficient_allocator::bits_per_probe() const { return std::accumulate(bits_.begin(), bits_.end(), 0); }

namespace {

using csi_t = ndarray<std::complex<float>>;

/// Eve's CSI of Bob's uplink probe at position k, `[n, eve_ant, bob_ant, sc, sym]` (empty when not stored).
csi_t eve_uplink_at(const dataset::wiretap_data& d, std::size_t k) {
  if (d.eve_uplink.shape.empty()) return {};
  const auto& s = d.eve_uplink.shape;
  const std::size_t n = s[0], m = s[1], per = s[2] * s[3] * s[4] * s[5];
  csi_t out({n, s[2], s[3], s[4], s[5]});
  for (std::size_t i = 0; i < n; ++i)
    std::copy_n(d.eve_uplink.data.begin() + static_cast<std::ptrdiff_t>((i * m + k) * per), per,
                out.data.begin() + static_cast<std::ptrdiff_t>(i * per));
  return out;
}

/// [n, p] regressors: 1, then the first q KLT coefficients of each of Eve's observations.
ndarray<double> regressors(const std::vector<ndarray<double>>& obs, std::size_t q) {
  const std::size_t n = obs.front().shape[0];
  std::size_t p = 1;
  for (const auto& o : obs) p += std::min(q, o.shape[1]);
  ndarray<double> r({n, p});
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t j = 0;
    r(i, j++) = 1.0;
    for (const auto& o : obs)
      for (std::size_t c = 0; c < std::min(q, o.shape[1]); ++c) r(i, j++) = o(i, c);
  }
  return r;
}

using matrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
Eigen::Map<const matrix> as_matrix(const ndarray<double>& x) {
  return {x.ptr(), static_cast<Eigen::Index>(x.shape[0]), static_cast<Eigen::Index>(x.shape[1])};
}

/// Eve's LMMSE estimator of Alice's kept coefficients from her regressors, fitted on calibration probes.
struct eve_estimator {
  Eigen::MatrixXd beta;        // [p, kept]
  std::vector<double> sigma;   // residual std per coefficient (unbiased, n - p degrees of freedom)
  bool usable = false;

  void fit(const ndarray<double>& r, const ndarray<double>& a) {
    const auto n = static_cast<Eigen::Index>(r.shape[0]), p = static_cast<Eigen::Index>(r.shape[1]);
    if (n <= p + 1 || a.shape[1] == 0) return;
    const Eigen::MatrixXd R = as_matrix(r), A = as_matrix(a);
    Eigen::MatrixXd g = R.transpose() * R;
    g.diagonal().array() += 1e-9 * g.diagonal().mean();
    beta = g.ldlt().solve(R.transpose() * A);
    const Eigen::MatrixXd res = A - R * beta;
    sigma.resize(a.shape[1]);
    for (std::size_t c = 0; c < a.shape[1]; ++c)
      sigma[c] = std::sqrt(res.col(static_cast<Eigen::Index>(c)).squaredNorm() / static_cast<double>(n - p));
    usable = true;
  }
  ndarray<double> predict(const ndarray<double>& r) const {
    ndarray<double> out({r.shape[0], static_cast<std::size_t>(beta.cols())});
    Eigen::Map<matrix>(out.ptr(), beta.rows() ? static_cast<Eigen::Index>(r.shape[0]) : 0, beta.cols()) = as_matrix(r) * beta;
    return out;
  }
};

/// The first symbol of every probe and antenna pair of `csi` [n, a, b, K, T]: [n, a, b, K].
csi_t first_symbol(const csi_t& csi) {
  const std::size_t n = csi.shape[0], T = csi.shape[4], m = csi.size() / (n * T);
  csi_t out({n, csi.shape[1], csi.shape[2], csi.shape[3]});
  for (std::size_t j = 0; j < n * m; ++j) out.data[j] = csi.data[j * T];
  return out;
}

}  // namespace

namespace {

/// −½ log2 det(R) of the correlation matrix R of the columns of `x` `[n, k]` [bits], less its expectation for
/// independent columns, k(k − 1)/(4n) nats (first order in 1/n: E[−ln det R] ≈ Σ_{i<j} E[r_ij²] = k(k − 1)/(2n)), at
/// least 0; 0 for k < 2; NaN when n < k + 2 (R singular or nearly: the redundancy cannot be estimated).
double gaussian_total_correlation(const ndarray<double>& x) {
  const std::size_t n = x.shape[0], k = x.shape[1];
  if (k < 2) return 0;
  if (n < k + 2) return std::nan("");
  Eigen::MatrixXd r(static_cast<Eigen::Index>(k), static_cast<Eigen::Index>(k));
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t b = 0; b < k; ++b) r(static_cast<Eigen::Index>(a), static_cast<Eigen::Index>(b)) = pearson(column(x, a), column(x, b));
  const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> e(r);
  double tc = 0;
  for (Eigen::Index i = 0; i < e.eigenvalues().size(); ++i) tc += -0.5 * std::log2(std::max(e.eigenvalues()(i), 1e-12));
  const double bias = static_cast<double>(k * (k - 1)) / (4.0 * static_cast<double>(n) * std::log(2.0));
  return std::max(0.0, tc - bias);
}

/// Train and validation regressors `[n, p]` standardised column by column with the train mean and standard deviation
/// (a constant column is left as it is).
void standardise_regressors(ndarray<double>& train, ndarray<double>& val) {
  for (std::size_t c = 0; c < train.shape[1]; ++c) {
    const auto v = column(train, c);
    const double m = mean_of(v), sd = std::sqrt(variance_of(v));
    if (sd <= 1e-12) continue;
    for (std::size_t i = 0; i < train.shape[0]; ++i) train(i, c) = (train(i, c) - m) / sd;
    for (std::size_t i = 0; i < val.shape[0]; ++i) val(i, c) = (val(i, c) - m) / sd;
  }
}

}  // namespace

std::vector<chain_group> build_secret_chain(const dataset::wiretap_data& d, const chain_config& cfg_in,
                                            const learned_map_trainer& trainer) {
  chain_config cfg = cfg_in;
  config::validate(cfg, "keygen chain");
  feature_config fc = cfg.features;
  fc.method = "raw";
  fc.value = cfg.value;
  fc.normalise_power = cfg.normalise_power;
  fc.slope_features = cfg.slope_features && cfg.value == "phase_aligned";
  // Links: the dataset's link label, else one per (SNR, profile, delay spread, speed) setting.
  std::map<std::pair<double, std::string>, std::vector<std::size_t>> links;  // (snr, link key) -> probes in order
  for (std::size_t i = 0; i < d.nof_probes(); ++i) {
    const std::string key = d.link.empty() ? d.profile[i] + "/" + std::to_string(d.delay_spread_s[i]) + "/" + std::to_string(d.speed_mps[i])
                                           : std::to_string(100000000 + d.link[i]);
    links[{d.snr_dB[i], key}].push_back(i);
  }
  std::vector<csi_t> eve_down, eve_up;
  for (std::size_t k = 0; k < d.nof_eve(); ++k) {
    eve_down.push_back(dataset::eve_at(d, k));
    eve_up.push_back(eve_uplink_at(d, k));
    if (!eve_up.back().shape.empty() && eve_up.back().shape[1] * eve_up.back().shape[2] != d.alice.shape[1] * d.alice.shape[2])
      eve_up.back() = csi_t();  // another port count: her uplink features do not fit the link's KLT
  }
  const auto split_of = [&](const std::vector<std::size_t>& idx) {
    std::array<std::vector<std::size_t>, 3> out;  // train, validation, test
    for (auto i : idx)
      out[d.split[i] == dataset::split_label::train ? 0 : d.split[i] == dataset::split_label::validation ? 1 : 2].push_back(i);
    return out;
  };
  // The slope features' columns (the last of each feature vector): their own KLT block (set_trailing_block).
  const std::size_t nof_slope_columns = [&]() -> std::size_t {
    if (!fc.slope_features || d.alice.rank() != 5 || d.alice.shape[4] < 3 || (cfg.transform != "klt" && cfg.transform != "cca" && cfg.transform != "key_encoder"))
      return 0;
    const std::size_t K = d.alice.shape[3];
    std::size_t kept = 0;
    for (std::size_t l = 0; l < K; ++l)
      kept += delay_tap_kept(l, K, static_cast<std::size_t>(fc.delay_taps), static_cast<std::size_t>(fc.delay_guard_taps));
    return 2 * d.alice.shape[1] * d.alice.shape[2] * kept;
  }();
  // Each observation (Alice, Bob, each of Eve's) has its own feature pipeline per link, fitted on its own calibration
  // probes (the per-tap slope gains): use_link() starts a link, and a pipeline is fitted the first time it is used.
  std::map<const csi_t*, feature_pipeline> pipes;
  const std::vector<std::size_t>* calibration = nullptr;
  const auto use_link = [&](const std::vector<std::size_t>& tr) {
    pipes.clear();
    calibration = &tr;
  };
  // Features of probes s of one observation; `when`: +1 the earlier (downlink) probe of the TDD pair, −1 the later.
  const auto sel = [&](const csi_t& csi, const std::vector<std::size_t>& s, int when) {
    auto it = pipes.find(&csi);
    if (it == pipes.end()) {
      it = pipes.emplace(&csi, feature_pipeline(fc)).first;
      if (calibration != nullptr && !calibration->empty()) it->second.fit(dataset::select_probes(csi, *calibration));
    }
    return it->second.transform(dataset::select_probes(csi, s), when);
  };
  const auto sel_a = [&](const std::vector<std::size_t>& s) { return sel(d.alice, s, -1); };  // Alice: the uplink
  const auto sel_b = [&](const std::vector<std::size_t>& s) { return sel(d.bob, s, +1); };    // Bob: the downlink
  // Eve's observations of probes s, each through the link's KLT: her regressors (both probes, every position).
  const auto eve_obs = [&](const coefficient_allocator& alloc, std::size_t k, const std::vector<std::size_t>& s) {
    std::vector<ndarray<double>> o{alloc.project_all(sel(eve_down[k], s, eve_probe_when(d, k)))};
    if (!eve_up[k].shape.empty()) o.push_back(alloc.project_all(sel(eve_up[k], s, eve_probe_when(d, k, true))));
    return o;
  };
  // transform = key_encoder: per pool of links, the encoder trained on their calibration probes (train split) and
  // selected on their validation probes, before any allocation.
  std::map<std::pair<double, std::string>, std::shared_ptr<const learned_map>> maps;
  if (cfg.transform == "key_encoder") {
    if (!trainer)
      throw error("chain.transform = key_encoder needs the LibTorch encoder trainer (physec-neural)",
                  {"", "chain.transform", {}}, "klt | cca | raw | pca | dct without LibTorch", cfg.transform);
    std::map<double, std::vector<std::pair<std::pair<double, std::string>, learned_map_link>>> pools;
    for (const auto& [key, idx] : links) {
      const auto parts = split_of(idx);
      const auto &tr = parts[0], &va = parts[1], &te = parts[2];
      if (te.empty() || tr.size() < 3 || va.size() < 2) continue;
      use_link(tr);
      coefficient_allocator a;
      a.set_trailing_block(nof_slope_columns);
      const auto fa_tr = sel_a(tr), fb_tr = sel_b(tr);
      a.fit_klt(fa_tr, fb_tr, cfg);
      learned_map_link l;
      l.alice_train = a.standardised(fa_tr);
      l.bob_train = a.standardised(fb_tr);
      l.alice_val = a.standardised(sel_a(va));
      l.bob_val = a.standardised(sel_b(va));
      std::vector<ndarray<double>> o_tr, o_va;
      for (std::size_t k = 0; k < d.nof_eve(); ++k) {
        for (auto& x : eve_obs(a, k, tr)) o_tr.push_back(std::move(x));
        for (auto& x : eve_obs(a, k, va)) o_va.push_back(std::move(x));
      }
      if (!o_tr.empty()) {
        l.eve_train = regressors(o_tr, static_cast<std::size_t>(cfg.eve_regressors));
        l.eve_val = regressors(o_va, static_cast<std::size_t>(cfg.eve_regressors));
        standardise_regressors(l.eve_train, l.eve_val);
      }
      pools[cfg.key_encoder.pool == "all" ? 0.0 : key.first].emplace_back(key, std::move(l));
    }
    for (auto& [snr, members] : pools) {
      std::vector<learned_map_link> data;
      for (auto& m : members) data.push_back(std::move(m.second));
      const auto map = trainer(data, cfg.key_encoder.pool == "all" ? std::nan("") : snr);
      for (const auto& m : members) maps[m.first] = map;
    }
  }
  std::map<double, chain_group> groups;
  std::map<double, std::pair<double, double>> val_errors;  // snr -> (wrong, bits)
  for (const auto& [key, idx] : links) {
    const double snr = key.first;
    const auto parts = split_of(idx);
    const auto &tr = parts[0], &va = parts[1], &te = parts[2];
    auto& g = groups[snr];
    g.snr_dB = snr;
    g.eve_distance_wavelengths = d.eve_distance_wavelengths;
    g.eve_near = d.eve_near.empty() ? std::vector<std::string>(d.nof_eve(), "bob") : d.eve_near;
    g.eve.resize(d.nof_eve());
    if (g.probe_offsets.empty()) g.probe_offsets.push_back(0);
    if (te.empty()) continue;
    use_link(tr);
    chain_link_row row;
    row.profile = d.profile[idx.front()];
    row.snr_dB = snr;
    row.nof_calibration = tr.size();
    row.nof_validation = va.size();
    row.nof_test = te.size();
    // Realisations per probe from the probing interval and the coherence time.
    row.probe_interval_s = std::nan("");
    if (!d.time_s.empty() && idx.size() > 1 && std::isfinite(d.time_s[idx[0]])) {
      row.probe_interval_s = (d.time_s[idx.back()] - d.time_s[idx.front()]) / static_cast<double>(idx.size() - 1);
      const double t_coh = d.coherence_time_s.empty() ? std::nan("") : d.coherence_time_s[idx.front()];
      row.realisations_per_probe = std::isfinite(t_coh) && t_coh > 0 ? std::min(1.0, row.probe_interval_s / t_coh) : 0.0;
    }
    coefficient_allocator alloc;
    alloc.set_trailing_block(nof_slope_columns);
    const auto map = maps.find(key);
    if (map != maps.end()) alloc.set_learned_map(map->second);
    const bool calibrated = tr.size() >= 3 && (cfg.transform != "key_encoder" || map != maps.end());
    if (calibrated) alloc.fit(sel_a(tr), sel_b(tr), cfg);
    row.nof_coefficients = calibrated ? alloc.bits_per_coefficient().size() : 0;
    row.bits_per_probe = calibrated ? alloc.bits_per_probe() : 0;
    // Alice's kept coefficients of the calibration and validation probes, projected once (the features denoise every
    // probe): her bits, the redundancy and Eve's targets all start from them.
    const bool keyed = row.bits_per_probe > 0;
    const auto ya_tr = keyed ? alloc.project(sel_a(tr), chain_party::alice) : ndarray<double>();
    const auto fa_va = keyed && !va.empty() ? sel_a(va) : ndarray<double>();
    const auto ya_va = keyed && !va.empty() ? alloc.project(fa_va, chain_party::alice) : ndarray<double>();
    std::vector<std::uint8_t> a_te, b_te;
    if (keyed) {
      const auto a_cal = alloc.bits(alloc.levels(ya_tr));
      g.calibration_alice.insert(g.calibration_alice.end(), a_cal.begin(), a_cal.end());
      a_te = alloc.bits(alloc.levels(alloc.project(sel_a(te), chain_party::alice)));
      const auto yb_te = alloc.project(sel_b(te), chain_party::bob);
      b_te = alloc.bits(alloc.levels(yb_te));
      const auto l_te = alloc.llr(yb_te);
      g.bob_llr.insert(g.bob_llr.end(), l_te.begin(), l_te.end());
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < a_te.size(); ++i) wrong += a_te[i] != b_te[i];
      row.kdr_test = a_te.empty() ? std::nan("") : static_cast<double>(wrong) / static_cast<double>(a_te.size());
      if (!va.empty()) {
        const auto fb_va = sel_b(va);
        const auto a_va = alloc.bits(alloc.levels(ya_va));
        const auto yb_va = alloc.project(fb_va, chain_party::bob);
        const auto b_va = alloc.bits(alloc.levels(yb_va));
        // Soft: the cross-entropy −log2 P(Alice's bit | Bob's LLR) per probe, averaged over the validation probes.
        const auto l_va = alloc.llr(yb_va);
        double ce = 0;
        for (std::size_t i = 0; i < a_va.size(); ++i)
          ce += std::log2(1 + std::exp(a_va[i] ? l_va[i] : -l_va[i]));  // −log2 σ(±L)
        row.h_soft = ce / static_cast<double>(va.size());
        std::size_t w = 0;
        for (std::size_t i = 0; i < a_va.size(); ++i) w += a_va[i] != b_va[i];
        row.kdr_validation = static_cast<double>(w) / static_cast<double>(a_va.size());
        row.redundancy = gaussian_total_correlation(ya_va);
        const auto ca = alloc.coefficients(fa_va, chain_party::alice);
        const auto cb = alloc.coefficients(fb_va, chain_party::bob);
        for (std::size_t c = 0; c < ca.shape[1]; ++c) {
          const double r = pearson(column(ca, c), column(cb, c));
          row.rho_validation.push_back(r);
          if (r > 0) row.i_ab_features += -0.5 * std::log2(std::max(1e-12, 1 - r * r));
        }
        val_errors[snr].first += static_cast<double>(w);
        val_errors[snr].second += static_cast<double>(a_va.size());
      }
    }
    // Eve: her LMMSE estimate of Alice's kept coefficients from both her probes, per position; the worst case for
    // Alice and Bob (smallest H(X|E)) is the calibration.
    row.h_cond = std::numeric_limits<double>::infinity();
    row.mi_ae = 0;
    const double h_max = row.bits_per_probe;
    for (std::size_t k = 0; k < d.nof_eve(); ++k) {
      std::vector<std::uint8_t> e_bits;
      double h = 0, v = 0;
      if (keyed) {
        const auto obs = [&](const std::vector<std::size_t>& s) {
          return regressors(eve_obs(alloc, k, s), static_cast<std::size_t>(cfg.eve_regressors));
        };
        const auto& a_tr = ya_tr;
        eve_estimator est;
        est.fit(obs(tr), a_tr);
        const std::size_t kept = a_tr.shape[1];
        if (est.usable && va.size() >= 2) {
          const auto a_va = alloc.levels(ya_va);
          const auto pred = est.predict(obs(va));
          std::vector<double> surprisal(va.size(), 0.0);
          for (std::size_t i = 0; i < va.size(); ++i)
            for (std::size_t c = 0; c < kept; ++c) {
              const auto& t = alloc.thresholds()[c];
              const int l = a_va(i, c);
              const double lo = l == 0 ? -std::numeric_limits<double>::infinity() : t[static_cast<std::size_t>(l) - 1];
              const double hi = l == static_cast<int>(t.size()) ? std::numeric_limits<double>::infinity() : t[static_cast<std::size_t>(l)];
              const double s = std::max(est.sigma[c], 1e-12);
              const double p = phi_cdf((hi - pred(i, c)) / s) - phi_cdf((lo - pred(i, c)) / s);
              surprisal[i] += -std::log2(std::max(p, 1e-30));
            }
          double mi = 0;
          for (std::size_t c = 0; c < kept; ++c)
            mi += 0.5 * std::log2(std::max(1.0, variance_of(column(a_tr, c)) / std::max(est.sigma[c] * est.sigma[c], 1e-300)));
          row.mi_ae = std::max(row.mi_ae, mi);
          // The mean surprisal under a model is a cross-entropy, an upper bound on the true H(X|E) when the model
          // is wrong; so H(X|E) also stays below H(X) − I(A;E) with H(X) ≤ Σ m_c (equiprobable levels) and the
          // Gaussian I(A;E) of the continuous coefficients (≥ I(X;E) by data processing, in the Gaussian model).
          const double cross = mean_of(surprisal) -
                               cfg.entropy_confidence_z * std::sqrt(variance_of(surprisal) / static_cast<double>(va.size()));
          h = std::min({h_max, cross, h_max - mi});
          // The surprisal sums the coefficients as if independent given E: take their redundancy off (none left
          // when it cannot be estimated).
          if (cfg.redundancy_correction) h = std::isnan(row.redundancy) ? 0.0 : h - row.redundancy;
          v = variance_of(surprisal);
        }
        if (est.usable) e_bits = alloc.bits(alloc.levels(est.predict(obs(te))));
      }
      if (e_bits.size() != a_te.size()) e_bits.assign(a_te.size(), 0);  // no estimator: she guesses zeros
      std::size_t wrong = 0;
      for (std::size_t i = 0; i < a_te.size(); ++i) wrong += a_te[i] != e_bits[i];
      row.eve_kdr.push_back(a_te.empty() ? std::nan("") : static_cast<double>(wrong) / static_cast<double>(a_te.size()));
      g.eve[k].insert(g.eve[k].end(), e_bits.begin(), e_bits.end());
      if (h < row.h_cond) {
        row.h_cond = h;
        row.v_cond = v;
      }
    }
    if (!std::isfinite(row.h_cond)) row.h_cond = 0;
    row.h_cond = std::max(0.0, row.h_cond);
    row.i_ab_analytic = row.bound = row.i_ab_analytic_tdd = row.bound_tdd = std::nan("");
    if (!d.clean.shape.empty() && idx.size() >= 2) {
      const double noise = std::pow(10.0, -snr / 10.0);  // per symbol
      const csi_t up = dataset::select_probes(d.clean, idx), up0 = first_symbol(up);
      row.i_ab_analytic = complex_gaussian_channel_mi_bits(up0, up0, noise / static_cast<double>(d.alice.shape[4]));
      row.bound = std::max(0.0, row.i_ab_analytic - row.mi_ae);
      if (!d.clean_downlink.shape.empty()) {
        row.i_ab_analytic_tdd = separable_channel_mi_bits(up, dataset::select_probes(d.clean_downlink, idx), noise);
        row.bound_tdd = std::max(0.0, row.i_ab_analytic_tdd - row.mi_ae);
      }
    }
    g.alice.insert(g.alice.end(), a_te.begin(), a_te.end());
    g.bob.insert(g.bob.end(), b_te.begin(), b_te.end());
    for (std::size_t i = 0; i < te.size(); ++i) {
      g.probe_offsets.push_back(g.probe_offsets.back() + static_cast<std::size_t>(row.bits_per_probe));
      g.h.push_back(row.h_cond);
      g.v.push_back(row.v_cond);
      g.weight.push_back(row.realisations_per_probe);
      g.h_soft.push_back(row.h_soft);
      g.bits_per_probe.push_back(row.bits_per_probe);
    }
    g.links.push_back(row);
  }
  std::vector<chain_group> out;
  for (auto& [snr, g] : groups) {
    const auto& e = val_errors[snr];
    g.error_rate = (e.first + 0.5) / (e.second + 1.0);
    out.push_back(std::move(g));
  }
  return out;
}

}  // namespace physec::keygen
