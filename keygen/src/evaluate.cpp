#include "physec/keygen/evaluate.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::keygen {

void feature_config::describe(config::schema& s) {
  s.add("method", method, "feature transform: raw CSI, PCA/KLT fitted on Bob's training data, or DCT")
      .choices({"raw", "pca", "dct"})
      .source("Alashqar et al. 2025 (baselines)");
  s.add("value", value, "per-coefficient value: amplitude |h| or real and imaginary parts").choices({"amplitude", "real_imag"}).source("ours");
  s.add("symbols", symbols, "OFDM symbols of a probe used: first, or all").choices({"first", "all"}).source("ours");
  s.add("nof_components", nof_components, "pca: principal components kept; dct: lowest coefficients kept per antenna pair and symbol")
      .range(1, 100000)
      .source("ours");
}

void eval_config::describe(config::schema& s) {
  s.section("features", features, "CSI -> quantizer input");
  s.section("quantizer", quantizer, "quantizer input -> levels -> Gray-coded bits");
  s.add("confidence", confidence, "confidence of the KDR Clopper–Pearson intervals").range(0.5, 0.9999).source("ours");
  s.add("mi_max_dims", mi_max_dims, "MI estimated on at most this many leading principal components").range(1, 4096).source("ours");
}

ndarray<double> feature_pipeline::base(const ndarray<std::complex<float>>& csi) const {
  if (csi.rank() != 5)
    throw error("CSI must be [n, ue, bs, subcarriers, symbols]", {"", "features", {}}, "rank 5", shape_string(csi.shape));
  ndarray<std::complex<float>> used = csi;
  if (cfg_.symbols == "first") {
    // Keep symbol 0: [n, ue, bs, sc, 1].
    shape_t s = csi.shape;
    const std::size_t nsym = s[4];
    s[4] = 1;
    used = ndarray<std::complex<float>>(s);
    for (std::size_t i = 0; i < used.size(); ++i) used.data[i] = csi.data[i * nsym];
  }
  ndarray<double> f = csi_features(used, cfg_.value);
  if (cfg_.method != "dct") return f;
  // DCT along the subcarrier axis, per (antenna pair, symbol, real/imag part): reorder so subcarriers are last.
  const std::size_t n = used.shape[0], ue = used.shape[1], bs = used.shape[2], sc = used.shape[3], sym = used.shape[4];
  const std::size_t parts = cfg_.value == "real_imag" ? 2 : 1;
  const std::size_t groups = ue * bs * sym * parts;
  const std::size_t keep = std::min<std::size_t>(static_cast<std::size_t>(cfg_.nof_components), sc);
  ndarray<double> rows({n * groups, sc});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t a = 0; a < ue * bs; ++a)
      for (std::size_t k = 0; k < sc; ++k)
        for (std::size_t t = 0; t < sym; ++t)
          for (std::size_t p = 0; p < parts; ++p) {
            const std::size_t src = (((i * ue * bs + a) * sc + k) * sym + t) * parts + p;
            const std::size_t g = (a * sym + t) * parts + p;
            rows(i * groups + g, k) = f.data[src];
          }
  const ndarray<double> coeffs = dct_features(rows, keep);
  return ndarray<double>({n, groups * keep}, coeffs.data);
}

void feature_pipeline::fit(const ndarray<std::complex<float>>& train_csi) {
  if (cfg_.method != "pca") return;
  const ndarray<double> f = base(train_csi);
  pca_.fit(f, std::min<std::size_t>(static_cast<std::size_t>(cfg_.nof_components), f.shape[1]));
}

ndarray<double> feature_pipeline::transform(const ndarray<std::complex<float>>& csi) const {
  ndarray<double> f = base(csi);
  return cfg_.method == "pca" ? pca_.transform(f) : f;
}

namespace {

std::vector<std::size_t> indices_where(const std::vector<std::uint8_t>& split, std::uint8_t label) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < split.size(); ++i)
    if (split[i] == label) idx.push_back(i);
  return idx;
}

ndarray<double> rows_of(const ndarray<double>& x, const std::vector<std::size_t>& idx) {
  const std::size_t d = x.shape[1];
  ndarray<double> out({idx.size(), d});
  for (std::size_t i = 0; i < idx.size(); ++i)
    std::copy_n(x.data.begin() + static_cast<std::ptrdiff_t>(idx[i] * d), d, out.data.begin() + static_cast<std::ptrdiff_t>(i * d));
  return out;
}

double mi_or_nan(const ndarray<double>& a, const ndarray<double>& b) {
  if (a.shape[0] <= 2 * (a.shape[1] + b.shape[1])) return std::nan("");  // too few probes for a stable estimate
  return gaussian_mi_bits_corrected(a, b);
}

}  // namespace

eval_result evaluate_wiretap(const dataset::wiretap_data& d, const eval_config& cfg, std::uint64_t seed) {
  eval_config checked = cfg;
  config::validate(checked, "keygen eval");
  const auto train = indices_where(d.split, dataset::split_label::train);
  const auto test = indices_where(d.split, dataset::split_label::test);
  if (train.empty()) throw error("no training probes", {"", "/labels/split", {}}, "some probes with split 0", "none");
  if (test.empty()) throw error("no test probes", {"", "/labels/split", {}}, "some probes with split 2", "none");

  // Fit the public transforms on Bob's training data.
  feature_pipeline pipe(cfg.features);
  const auto bob_train = dataset::select_probes(d.bob, train);
  pipe.fit(bob_train);
  const ndarray<double> bob_train_f = pipe.transform(bob_train);
  auto q = make_quantizer(cfg.quantizer);
  q->fit(bob_train_f);
  const int nof_levels = 1 << q->bits_per_value();

  // MI on the leading principal components of the quantizer input (a rotation when d is small).
  eval_result res;
  res.nof_features = bob_train_f.shape[1];
  res.mi_dims = std::min<std::size_t>(res.nof_features, static_cast<std::size_t>(cfg.mi_max_dims));
  pca mi_pca;
  mi_pca.fit(bob_train_f, res.mi_dims);
  res.mi_estimator = "Gaussian (log-det of sample covariances, less the small-sample bias d^2/(2 n ln 2)) on the first " +
                     std::to_string(res.mi_dims) + " principal components of the " + std::to_string(res.nof_features) +
                     "-dimensional quantizer input, per SNR group; exact for jointly Gaussian features";

  // Features of every party on the test split.
  const auto alice_f = pipe.transform(dataset::select_probes(d.alice, test));
  const auto bob_f = pipe.transform(dataset::select_probes(d.bob, test));
  std::vector<ndarray<double>> eve_f;
  for (std::size_t k = 0; k < d.nof_eve(); ++k) eve_f.push_back(pipe.transform(dataset::select_probes(dataset::eve_at(d, k), test)));

  // Group test probes by SNR.
  std::map<double, std::vector<std::size_t>> by_snr;  // SNR -> positions within `test`
  for (std::size_t i = 0; i < test.size(); ++i) by_snr[d.snr_dB[test[i]]].push_back(i);

  const rng_stream coin_root = rng_stream(seed).derive("keygen/eval/eve_guess");
  for (const auto& [snr, pos] : by_snr) {
    const auto a = rows_of(alice_f, pos), b = rows_of(bob_f, pos);
    const auto la = q->levels(a), lb = q->levels(b);
    const auto mask = common_mask({&la, &lb});
    const auto bits_a = to_bits(la, q->bits_per_value(), mask);
    const auto bits_b = to_bits(lb, q->bits_per_value(), mask);
    const auto ra = mi_pca.transform(a), rb = mi_pca.transform(b);
    const double mi_ab = mi_or_nan(ra, rb);
    ndarray<int> la_kept = la;
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (!mask[i]) la_kept.data[i] = k_dropped;
    for (std::size_t k = 0; k < d.nof_eve(); ++k) {
      const auto e = rows_of(eve_f[k], pos);
      auto le = q->levels(e);
      auto coin = coin_root.at(static_cast<std::uint64_t>(std::llround(snr * 1000))).derive(std::to_string(k));
      for (auto& l : le.data)
        if (l == k_dropped) l = static_cast<int>(coin.uniform_int(static_cast<std::uint64_t>(nof_levels)));
      const auto bits_e = to_bits(le, q->bits_per_value(), mask);
      const auto re = mi_pca.transform(e);
      eval_row row;
      row.snr_dB = snr;
      row.eve_distance_wavelengths = d.eve_distance_wavelengths[k];
      row.nof_probes = pos.size();
      row.bits_per_probe = static_cast<double>(bits_a.size()) / static_cast<double>(pos.size());
      row.ab = key_disagreement(bits_a, bits_b, cfg.confidence);
      row.ae = key_disagreement(bits_a, bits_e, cfg.confidence);
      row.be = key_disagreement(bits_b, bits_e, cfg.confidence);
      row.entropy_bits = symbol_entropy_bits(la_kept, nof_levels);
      row.mi_ab = mi_ab;
      row.mi_ae = mi_or_nan(ra, re);
      row.mi_be = mi_or_nan(rb, re);
      row.bound = std::isnan(mi_ab) ? std::nan("") : secrecy_bound_bits(mi_ab, row.mi_ae, row.mi_be);
      row.efficiency = row.bound > 0 ? row.bits_per_probe / row.bound : std::nan("");
      res.rows.push_back(row);
    }
  }
  return res;
}

table eval_result::to_table() const {
  table t({"snr_dB", "eve_distance_wavelengths", "nof_probes", "bits_per_probe", "kdr_ab", "kdr_ab_low", "kdr_ab_high",
           "kdr_ae", "kdr_ae_low", "kdr_ae_high", "kdr_be", "entropy_bits", "mi_ab_bits", "mi_ae_bits", "mi_be_bits",
           "bound_bits", "efficiency"});
  for (const auto& r : rows)
    t.add_row({r.snr_dB, r.eve_distance_wavelengths, static_cast<std::int64_t>(r.nof_probes), r.bits_per_probe, r.ab.kdr,
               r.ab.ci_low, r.ab.ci_high, r.ae.kdr, r.ae.ci_low, r.ae.ci_high, r.be.kdr, r.entropy_bits, r.mi_ab, r.mi_ae,
               r.mi_be, r.bound, r.efficiency});
  return t;
}

}  // namespace physec::keygen
