#include "physec/keygen/evaluate.hpp"

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <map>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::keygen {

void feature_config::describe(config::schema& s) {
  s.add("method", method, "feature transform: raw CSI, PCA/KLT fitted on Bob's training data, or DCT")
      .choices({"raw", "pca", "dct"})
      .source("Alashqar et al. 2025 (baselines)");
  s.add("value", value, "per-coefficient value: amplitude |h|, real and imaginary parts, or phase_aligned (real and "
        "imaginary parts after removing the probe's common phase, referred to antenna pair 0; symbols = probe or first)")
      .choices({"amplitude", "real_imag", "phase_aligned"})
      .source("ours");
  s.add("symbols", symbols, "OFDM symbols of a probe used: probe (all, derotated, averaged, delay-domain truncated, "
        "normalised per probe: every method's input), first, or all (raw)")
      .choices({"probe", "first", "all"})
      .source("issue #15 (whole-probe features)");
  s.add("delay_taps", delay_taps, "probe: delay-domain taps kept from delay 0 (463 ns each at 72 x 30 kHz; 0 = all)")
      .range(0, 4096)
      .source("ours (TR 38.901 CDL/TDL at 100 ns: paths up to ~1 us, 2-3 taps, plus leakage)");
  s.add("delay_guard_taps", delay_guard_taps, "probe: taps kept just before delay 0 (leakage)").range(0, 4096).source("ours");
  s.add("extrapolate_symbols", extrapolate_symbols,
        "probe: evaluate the straight-line trend of each probe's symbols this many symbols past its centre toward the "
        "other party's probe (downlink forward, uplink backward), so that both estimate the channel nearer one instant "
        "across the TDD gap; 0 = the symbols' average; 7 = where two adjacent 14-symbol probes meet")
      .range(0, 1000)
      .source("ours (issue #15: the up/down gap costs 12 of 42 bound bits at 20 dB)");
  s.add("shrink_slope", shrink_slope,
        "probe: multiply the extrapolated slope by its Wiener gain max(0, 1 - noise/power), the noise from the lines' "
        "residuals (a noisy probe is averaged, a clean one extrapolated); false: the plain line")
      .source("ours");
  s.add("slope_gains", slope_gains,
        "probe, shrink_slope: tap (each delay tap's slope times its own Wiener gain, fitted on the party's calibration "
        "probes: strong taps extrapolated, weak ones averaged) or probe (one gain per probe from its own lines)")
      .choices({"tap", "probe"})
      .source("ours (docs/key-agreement.md: tap gives more secret bits per realisation, but failed 1 of 10 loopback "
              "agreements at 10 dB: probe stays the default)");
  s.add("slope_features", slope_features,
        "probe: append each kept delay tap's slope over the probe (Wiener-shrunk, scaled to its tap's power, fitted on "
        "the calibration probes) to the features: the channel's drift, which both parties observe; value phase_aligned "
        "or real_imag")
      .source("ours (issue #15)");
  s.add("normalise_power", normalise_power,
        "probe: divide every probe by its RMS (RF gain mismatch and large-scale power cancel, and so does the "
        "small-scale fading power); false keeps each probe's level")
      .source("ours");
  s.add("nof_components", nof_components, "pca: principal components kept; dct: lowest coefficients kept per antenna pair and symbol")
      .range(1, 100000)
      .source("ours");
}

void eval_config::describe(config::schema& s) {
  s.section("features", features, "CSI -> quantizer input");
  s.section("quantizer", quantizer, "quantizer input -> levels -> Gray-coded bits");
  s.add("confidence", confidence, "confidence of the KDR Clopper–Pearson intervals").range(0.5, 0.9999).source("ours");
  s.add("mi_max_dims", mi_max_dims, "MI estimated on at most this many leading principal components").range(1, 4096).source("ours");
  s.add("fit_per_snr", fit_per_snr, "fit transform and quantizer per SNR (calibrated at the operating point), else over all SNRs")
      .source("ours");
}

int eve_probe_when(const dataset::wiretap_data& d, std::size_t k, bool uplink) {
  const bool near_alice = k < d.eve_near.size() && d.eve_near[k] == "alice";
  return (near_alice != uplink) ? -1 : +1;
}

namespace {

/// Features `[n, d]` followed by Re and Im of the slope times its scale of every antenna pair's taps that the delay
/// truncation keeps (the same columns for every party).
ndarray<double> append_slope_features(const ndarray<double>& f, const ndarray<std::complex<float>>& slopes,
                                      const std::vector<double>& scale, std::size_t nof_taps, std::size_t nof_guard_taps) {
  const std::size_t n = f.shape[0], d = f.shape[1], K = slopes.shape[2], m = slopes.size() / std::max<std::size_t>(n, 1);
  if (scale.size() != m)
    throw error("slope scales fitted on CSI of another shape", {"", "features.slope_features", {}}, std::to_string(m),
                std::to_string(scale.size()));
  std::vector<std::size_t> cols;
  for (std::size_t j = 0; j < m; ++j)
    if (delay_tap_kept(j % K, K, nof_taps, nof_guard_taps)) cols.push_back(j);
  ndarray<double> out({n, d + 2 * cols.size()});
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t c = 0; c < d; ++c) out(i, c) = f(i, c);
    for (std::size_t c = 0; c < cols.size(); ++c) {
      const std::complex<double> v = std::complex<double>(slopes.data[i * m + cols[c]]) * scale[cols[c]];
      out(i, d + 2 * c) = v.real();
      out(i, d + 2 * c + 1) = v.imag();
    }
  }
  return out;
}

}  // namespace

ndarray<double> feature_pipeline::base(const ndarray<std::complex<float>>& csi, int when) const {
  if (when < -1 || when > 1)
    throw error("which probe of the TDD pair", {"", "when", {}}, "-1, 0 or +1", std::to_string(when));
  if (csi.rank() != 5)
    throw error("CSI must be [n, alice_ant, bob_ant, subcarriers, symbols]", {"", "features", {}}, "rank 5", shape_string(csi.shape));
  ndarray<std::complex<float>> used = csi, slopes;
  // A line needs 3 symbols: probes of fewer have no slope features (the same for every party of a dataset).
  const bool with_slopes = cfg_.slope_features && cfg_.symbols == "probe" && csi.shape[4] > 2;
  if (with_slopes && (cfg_.value == "amplitude" || cfg_.method == "dct"))
    throw error("slope features are complex: they need value = phase_aligned or real_imag and method raw or pca",
                {"", "features.slope_features", {}}, "false", "true with value = " + cfg_.value + ", method = " + cfg_.method);
  if (with_slopes && slope_scale_.empty())
    throw error("slope features are scaled on calibration probes: fit() the pipeline first", {"", "features.slope_features", {}},
                "a fitted pipeline", "not fitted");
  if (cfg_.symbols == "probe") {
    used = denoise_probes(csi, static_cast<std::size_t>(cfg_.delay_taps), static_cast<std::size_t>(cfg_.delay_guard_taps),
                          static_cast<double>(when) * cfg_.extrapolate_symbols, cfg_.shrink_slope, cfg_.normalise_power,
                          tap_gains_, with_slopes ? &slopes : nullptr);
  } else if (cfg_.symbols == "first") {
    // Keep symbol 0: [n, alice_ant, bob_ant, sc, 1].
    shape_t s = csi.shape;
    const std::size_t nsym = s[4];
    s[4] = 1;
    used = ndarray<std::complex<float>>(s);
    for (std::size_t i = 0; i < used.size(); ++i) used.data[i] = csi.data[i * nsym];
  }
  if (cfg_.value == "phase_aligned") {
    if (cfg_.symbols == "all")
      throw error("phase_aligned needs one value per subcarrier: every symbol has its own phase", {"", "features.value", {}},
                  "features.symbols = probe or first", "all");
    used = align_common_phase(used, used.shape[3] * used.shape[4], with_slopes ? &slopes : nullptr);
  }
  ndarray<double> f = csi_features(used, cfg_.value == "amplitude" ? "amplitude" : "real_imag");
  if (with_slopes)
    f = append_slope_features(f, slopes, slope_scale_, static_cast<std::size_t>(cfg_.delay_taps),
                              static_cast<std::size_t>(cfg_.delay_guard_taps));
  if (cfg_.method != "dct") return f;
  // DCT along the subcarrier axis, per (antenna pair, symbol, real/imag part): reorder so subcarriers are last.
  const std::size_t n = used.shape[0], ue = used.shape[1], bs = used.shape[2], sc = used.shape[3], sym = used.shape[4];
  const std::size_t parts = cfg_.value == "amplitude" ? 1 : 2;
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
  tap_gains_.clear();
  slope_scale_.clear();
  const bool per_tap = cfg_.shrink_slope && cfg_.slope_gains == "tap" && cfg_.extrapolate_symbols != 0;
  if (cfg_.symbols == "probe" && train_csi.rank() == 5 && train_csi.shape[0] > 0 && train_csi.shape[4] > 2 &&
      (cfg_.slope_features || per_tap)) {
    const auto st = fit_probe_line_stats(train_csi, static_cast<std::size_t>(cfg_.delay_taps),
                                         static_cast<std::size_t>(cfg_.delay_guard_taps));
    if (per_tap) tap_gains_ = st.gains;
    if (cfg_.slope_features) {
      // The LMMSE slope (gain times the estimate) brought to its tap's power, so that the KLT weighs the drift of a
      // tap like its level; a tap whose slope is noise (gain 0) contributes a constant 0.
      slope_scale_.assign(st.gains.size(), 0.0);
      for (std::size_t j = 0; j < st.gains.size(); ++j)
        if (st.slope_power[j] > 0) slope_scale_[j] = st.gains[j] * std::sqrt(st.mean_power[j] / st.slope_power[j]);
    }
  }
  if (cfg_.method != "pca") return;
  const ndarray<double> f = base(train_csi, +1);  // Bob's: the earlier (downlink) probe
  pca_.fit(f, std::min<std::size_t>(static_cast<std::size_t>(cfg_.nof_components), f.shape[1]));
}

ndarray<double> feature_pipeline::transform(const ndarray<std::complex<float>>& csi, int when) const {
  ndarray<double> f = base(csi, when);
  return cfg_.method == "pca" ? pca_.transform(f) : f;
}

namespace {

double mi_or_nan(const ndarray<double>& a, const ndarray<double>& b) {
  if (a.shape[0] <= 2 * (a.shape[1] + b.shape[1])) return std::nan("");  // too few probes for a stable estimate
  return gaussian_mi_bits_corrected(a, b);
}

}  // namespace

namespace {

/// KDR interval over probes: the pooled KDR R = Σ w_i / Σ b_i (w_i wrong of b_i kept bits in probe i) with the
/// cluster-robust (ratio-estimator) variance Var(R) ≈ Σ (w_i − R b_i)² / ((Σ b_i)² · n/(n−1)) — probes are independent
/// channel realisations, the bits within a probe are not — and a normal interval R ± z·sd.
void probe_interval(const ndarray<int>& la, const ndarray<int>& lb, const std::vector<std::uint8_t>& mask,
                    int bits_per_value, double confidence, double& low, double& high) {
  const std::size_t n = la.shape[0], d = la.shape[1];
  std::vector<double> wrong(n, 0.0), bits(n, 0.0);
  double total_wrong = 0, total_bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t j = 0; j < d; ++j) {
      const std::size_t k = i * d + j;
      if (!mask[k]) continue;
      const std::uint32_t ga = gray_encode(static_cast<std::uint32_t>(la.data[k]));
      const std::uint32_t gb = gray_encode(static_cast<std::uint32_t>(lb.data[k]));
      wrong[i] += static_cast<double>(__builtin_popcount(ga ^ gb));
      bits[i] += bits_per_value;
    }
    total_wrong += wrong[i];
    total_bits += bits[i];
  }
  if (n < 2 || total_bits == 0) {
    low = 0;
    high = 1;
    return;
  }
  const double r = total_wrong / total_bits;
  double ss = 0;
  for (std::size_t i = 0; i < n; ++i) ss += (wrong[i] - r * bits[i]) * (wrong[i] - r * bits[i]);
  const double var = ss / (total_bits * total_bits) * static_cast<double>(n) / static_cast<double>(n - 1);
  const double z = boost::math::quantile(boost::math::normal(), 1 - (1 - confidence) / 2);
  const double half = z * std::sqrt(var);
  low = std::max(0.0, r - half);
  high = std::min(1.0, r + half);
}

}  // namespace

eval_result evaluate_wiretap(const dataset::wiretap_data& d, const eval_config& cfg, std::uint64_t seed,
                             std::vector<snr_bits>* bits) {
  eval_config checked = cfg;
  config::validate(checked, "keygen eval");
  // SNR groups: every probe, and per split.
  std::map<double, std::vector<std::size_t>> all_by_snr;
  for (std::size_t i = 0; i < d.nof_probes(); ++i) all_by_snr[d.snr_dB[i]].push_back(i);
  const auto pick = [&](const std::vector<std::size_t>& idx, std::uint8_t label) {
    std::vector<std::size_t> out;
    for (auto i : idx)
      if (d.split[i] == label) out.push_back(i);
    return out;
  };
  std::vector<std::size_t> everyone(d.nof_probes());
  for (std::size_t i = 0; i < everyone.size(); ++i) everyone[i] = i;
  if (pick(everyone, dataset::split_label::train).empty())
    throw error("no training probes", {"", "/labels/split", {}}, "some probes with split 0", "none");
  if (pick(everyone, dataset::split_label::test).empty())
    throw error("no test probes", {"", "/labels/split", {}}, "some probes with split 2", "none");

  eval_result res;
  const rng_stream coin_root = rng_stream(seed).derive("keygen/eval/eve_guess");
  std::vector<ndarray<std::complex<float>>> eve_all;
  for (std::size_t k = 0; k < d.nof_eve(); ++k) eve_all.push_back(dataset::eve_at(d, k));

  // The public transforms: fitted once over all SNRs, or per SNR group.
  struct fitted {
    std::unique_ptr<feature_pipeline> pipe;
    std::unique_ptr<quantizer> q;
    pca mi_pca;
  };
  const auto fit_on = [&](const std::vector<std::size_t>& train_idx) {
    if (train_idx.empty()) throw error("an SNR group has no training probes", {"", "/labels/split", {}}, "some", "none");
    fitted f;
    f.pipe = std::make_unique<feature_pipeline>(cfg.features);
    const auto bob_train = dataset::select_probes(d.bob, train_idx);
    f.pipe->fit(bob_train);
    const ndarray<double> x = f.pipe->transform(bob_train, +1);
    f.q = make_quantizer(cfg.quantizer);
    f.q->fit(x);
    res.nof_features = x.shape[1];
    res.mi_dims = std::min<std::size_t>({res.nof_features, static_cast<std::size_t>(cfg.mi_max_dims), x.shape[0] - 1});
    f.mi_pca.fit(x, res.mi_dims);
    return f;
  };
  fitted global;
  if (!cfg.fit_per_snr) global = fit_on(pick(everyone, dataset::split_label::train));

  for (const auto& [snr, idx] : all_by_snr) {
    const auto test = pick(idx, dataset::split_label::test);
    if (test.empty()) continue;
    fitted local;
    if (cfg.fit_per_snr) local = fit_on(pick(idx, dataset::split_label::train));
    const fitted& f = cfg.fit_per_snr ? local : global;
    const int nof_levels = 1 << f.q->bits_per_value();

    const auto a = f.pipe->transform(dataset::select_probes(d.alice, test), -1);
    const auto b = f.pipe->transform(dataset::select_probes(d.bob, test), +1);
    const auto la = f.q->levels(a), lb = f.q->levels(b);
    const auto mask = common_mask({&la, &lb});
    const auto bits_a = to_bits(la, f.q->bits_per_value(), mask);
    const auto bits_b = to_bits(lb, f.q->bits_per_value(), mask);
    res.alice_bits_top_snr = bits_a;  // groups run in ascending SNR: the last one stays
    res.top_snr_dB = snr;
    double probe_lo = 0, probe_hi = 1;
    probe_interval(la, lb, mask, f.q->bits_per_value(), cfg.confidence, probe_lo, probe_hi);
    ndarray<int> la_kept = la;
    for (std::size_t i = 0; i < mask.size(); ++i)
      if (!mask[i]) la_kept.data[i] = k_dropped;
    // MI uses every probe of this SNR (it is a property of the channel at this SNR, not of the fitted parts).
    const auto ra = f.mi_pca.transform(f.pipe->transform(dataset::select_probes(d.alice, idx), -1));
    const auto rb = f.mi_pca.transform(f.pipe->transform(dataset::select_probes(d.bob, idx), +1));
    const double mi_ab = mi_or_nan(ra, rb);
    snr_bits* group = nullptr;
    if (bits) {
      group = &bits->emplace_back();
      group->snr_dB = snr;
      group->alice = bits_a;
      group->bob = bits_b;
      group->probe_offsets.push_back(0);
      const std::size_t dd = la.shape[1];
      for (std::size_t i = 0; i < la.shape[0]; ++i) {
        std::size_t kept = 0;
        for (std::size_t j = 0; j < dd; ++j) kept += mask[i * dd + j];
        group->probe_offsets.push_back(group->probe_offsets.back() + kept * static_cast<std::size_t>(f.q->bits_per_value()));
      }
    }

    for (std::size_t k = 0; k < d.nof_eve(); ++k) {
      auto le = f.q->levels(f.pipe->transform(dataset::select_probes(eve_all[k], test), eve_probe_when(d, k)));
      auto coin = coin_root.at(static_cast<std::uint64_t>(std::llround(snr * 1000))).derive(std::to_string(k));
      for (auto& l : le.data)
        if (l == k_dropped) l = static_cast<int>(coin.uniform_int(static_cast<std::uint64_t>(nof_levels)));
      const auto bits_e = to_bits(le, f.q->bits_per_value(), mask);
      double ae_lo = 0, ae_hi = 1;
      probe_interval(la, le, mask, f.q->bits_per_value(), cfg.confidence, ae_lo, ae_hi);
      const auto re = f.mi_pca.transform(f.pipe->transform(dataset::select_probes(eve_all[k], idx), eve_probe_when(d, k)));
      eval_row row;
      row.snr_dB = snr;
      row.eve_distance_wavelengths = d.eve_distance_wavelengths[k];
      row.nof_probes = test.size();
      row.bits_per_probe = static_cast<double>(bits_a.size()) / static_cast<double>(test.size());
      row.ab = key_disagreement(bits_a, bits_b, cfg.confidence);
      row.ab_probe_low = probe_lo;
      row.ab_probe_high = probe_hi;
      row.ae_probe_low = ae_lo;
      row.ae_probe_high = ae_hi;
      row.ae = key_disagreement(bits_a, bits_e, cfg.confidence);
      row.be = key_disagreement(bits_b, bits_e, cfg.confidence);
      row.entropy_bits = symbol_entropy_bits(la_kept, nof_levels);
      row.mi_ab = mi_ab;
      row.mi_ae = mi_or_nan(ra, re);
      row.mi_be = mi_or_nan(rb, re);
      row.bound = std::isnan(mi_ab) ? std::nan("") : secrecy_bound_bits(mi_ab, row.mi_ae, row.mi_be);
      row.efficiency = row.bound > 0 ? row.bits_per_probe / row.bound : std::nan("");
      res.rows.push_back(row);
      if (group) {
        group->eve.push_back(bits_e);
        group->eve_distance_wavelengths.push_back(row.eve_distance_wavelengths);
        group->mi_ae.push_back(row.mi_ae);
        group->bound.push_back(row.bound);
      }
    }
  }
  res.mi_estimator = "Gaussian (log-det of sample covariances, less the small-sample bias d^2/(2 n ln 2)) on the first " +
                     std::to_string(res.mi_dims) + " principal components of the " + std::to_string(res.nof_features) +
                     "-dimensional quantizer input, over all probes of each SNR; exact for jointly Gaussian features";
  return res;
}

table eval_result::to_table() const {
  table t({"snr_dB", "eve_distance_wavelengths", "nof_probes", "bits_per_probe", "kdr_ab", "kdr_ab_low", "kdr_ab_high",
           "kdr_ab_probe_low", "kdr_ab_probe_high",
           "kdr_ae", "kdr_ae_low", "kdr_ae_high", "kdr_be", "entropy_bits", "mi_ab_bits", "mi_ae_bits", "mi_be_bits",
           "bound_bits", "efficiency"});
  for (const auto& r : rows)
    t.add_row({r.snr_dB, r.eve_distance_wavelengths, static_cast<std::int64_t>(r.nof_probes), r.bits_per_probe, r.ab.kdr,
               r.ab.ci_low, r.ab.ci_high, r.ab_probe_low, r.ab_probe_high, r.ae.kdr, r.ae.ci_low, r.ae.ci_high, r.be.kdr, r.entropy_bits, r.mi_ab, r.mi_ae,
               r.mi_be, r.bound, r.efficiency});
  return t;
}

}  // namespace physec::keygen
