#include "physec/experiments/keygen_run.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/normal.hpp>
#include <cmath>
#include <string>
#include <tuple>

#include "physec/core/progress.hpp"
#include "physec/core/rng.hpp"
#include "physec/keygen/iid_tests.hpp"

namespace physec::experiments {

void keygen_run_options::describe(config::schema& s) {
  describe_sessions(s);
  s.section("chain", chain, "per-link KLT, bit allocation and the calibration of H(X|E) (features from [features])");
  s.section("agree", agree, "the key-agreement protocol: reconciliation, finite-key PA, key length, transport limits");
}

void keygen_run_options::describe_sessions(config::schema& s) {
  s.add("probes_per_session", probes_per_session,
        "test probes per key-agreement session; 0 = all test probes of an SNR in one session")
      .range(0, 1000000)
      .source("ours");
  s.add("probe_interval_s", probe_interval_s,
        "i.i.d. datasets only (no probe times): time per channel probe, for seconds per key [s]")
      .range(1e-6, 3600)
      .source("TS 38.211 numerology 1 (ours)");
  s.add("iid_permutations", iid_permutations,
        "SP 800-90B IID tests on each SNR's calibration bits: shuffles of the permutation tests (the spec's 10000; "
        "0 = not run)")
      .range(0, 100000)
      .source("NIST SP 800-90B §5.1");
}

namespace {

/// Σ of matches between two 0/1 strings (both non-empty, same size), and the size.
void count_agreement(const keygen::secure_bytes& a, const keygen::secure_bytes& b, double& same, double& total) {
  if (a.empty() || a.size() != b.size()) return;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i];
  total += static_cast<double>(a.size());
}

/// The SP 800-90B IID verdict of one SNR's calibration bits, as report JSON.
nlohmann::json iid_json(const keygen::iid_test_result& r) {
  nlohmann::json perm = nlohmann::json::array(), chi = nlohmann::json::array();
  for (const auto& p : r.permutation)
    perm.push_back({{"name", p.name}, {"value", p.value}, {"c0", p.c0}, {"c1", p.c1}, {"c2", p.c2}, {"reject", p.reject}});
  for (const auto& c : r.chi_square)
    chi.push_back({{"name", c.name}, {"run", c.run}, {"value", c.value}, {"df", c.df}, {"p_value", c.p_value}, {"reject", c.reject}});
  return {{"nof_bits", r.nof_bits}, {"nof_permutations", r.nof_permutations}, {"iid", r.iid}, {"verdict", r.verdict},
          {"permutation_tests", perm}, {"chi_square_tests", chi}};
}

/// Eve's agreement with Alice's final keys, one value per (SNR, Eve position), tested against "she learned nothing"
/// (each of her key bits agrees with probability ½, independently) with a family-wise error rate α: every value
/// against 0.5 ± z_{1−α/(2m)}·½/√n (Bonferroni over the m values), and per position the bits of every SNR pooled
/// (sessions are independent; positions are not pooled: her keys at two positions may be dependent), Bonferroni
/// over the positions.
nlohmann::json eve_key_test(const std::vector<std::tuple<double, std::size_t, double, double>>& values,
                            const std::vector<double>& distance, const std::vector<std::string>& near, double alpha) {
  const boost::math::normal normal;
  std::size_t m = 0;
  for (const auto& v : values) m += std::get<3>(v) > 0;
  nlohmann::json out = {{"alpha", alpha}, {"nof_values", m}};
  if (m == 0) return out;
  const double z = boost::math::quantile(normal, 1 - alpha / (2.0 * static_cast<double>(m)));
  nlohmann::json each = nlohmann::json::array();
  std::size_t outside = 0;
  std::vector<double> same(distance.size(), 0), total(distance.size(), 0);
  for (const auto& [snr, k, s, n] : values) {
    if (n <= 0) continue;
    const double a = s / n, half = z * 0.5 / std::sqrt(n);
    outside += std::abs(a - 0.5) > half;
    each.push_back({{"snr_dB", snr}, {"eve_position", k}, {"agreement", a}, {"bits", n}, {"z", (a - 0.5) / (0.5 / std::sqrt(n))},
                    {"bonferroni_halfwidth", half}});
    same[k] += s;
    total[k] += n;
  }
  std::size_t npos = 0;
  for (double t : total) npos += t > 0;
  const double zp = boost::math::quantile(normal, 1 - alpha / (2.0 * static_cast<double>(std::max<std::size_t>(npos, 1))));
  nlohmann::json pooled = nlohmann::json::array();
  std::size_t pooled_outside = 0;
  for (std::size_t k = 0; k < total.size(); ++k) {
    if (total[k] <= 0) continue;
    const double a = same[k] / total[k], half = zp * 0.5 / std::sqrt(total[k]);
    pooled_outside += std::abs(a - 0.5) > half;
    pooled.push_back({{"eve_distance_wavelengths", distance[k]}, {"eve_near", near[k]}, {"agreement", a}, {"bits", total[k]},
                      {"z", (a - 0.5) / (0.5 / std::sqrt(total[k]))}, {"bonferroni_halfwidth", half}});
  }
  out["values"] = each;
  out["values_outside_bonferroni_interval"] = outside;
  out["per_position_pooled"] = pooled;
  out["pooled_outside_bonferroni_interval"] = pooled_outside;
  out["consistent_with_no_information"] = outside == 0 && pooled_outside == 0;
  return out;
}

/// "0.998 0.95 ..." (3 decimals), for a CSV cell.
std::string rho_list(const std::vector<double>& rho) {
  std::string out;
  for (double r : rho) out += fmt::format("{}{:.3f}", out.empty() ? "" : " ", r);
  return out;
}

keygen::secure_bytes key_bits_of(const keygen::secure_bytes& key) { return keygen::unpack_bits(key.data(), key.size() * 8); }

std::vector<std::uint8_t> slice(const std::vector<std::uint8_t>& v, std::size_t a, std::size_t b) {
  return std::vector<std::uint8_t>(v.begin() + static_cast<std::ptrdiff_t>(a), v.begin() + static_cast<std::ptrdiff_t>(b));
}

/// Smallest session (in realisations) whose finite-key PA length reaches `key_bits`, at the per-realisation
/// averages of a group: ℓ(n) = n·(h − leak) − (finite-size term) − log2(2/ε_cor) − 2·log2(1/(2ε_PA)); NaN if never.
double realisations_per_key(double h, double v, double leak, double max_bits, const keygen::agree_config& a) {
  for (double n = 1; n <= 1e7; n = std::ceil(n * 1.02)) {
    keygen::finite_key_inputs in;
    in.nof_realisations = n;
    in.h_total = n * h;
    in.v_total = n * v;
    in.leaked_bits = static_cast<std::size_t>(std::ceil(n * leak));
    in.eps_pa_log2 = a.eps_pa_log2;
    in.eps_cor_log2 = a.eps_cor_log2;
    in.finite_size = a.finite_size;
    in.max_bits_per_realisation = max_bits;
    if (keygen::finite_key_length(in).length >= static_cast<std::size_t>(a.key_bits)) return n;
  }
  return std::nan("");
}

}  // namespace

std::vector<keygen::chain_group> secret_chain_by_snr(const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                                     keygen::chain_config chain, const std::string& reconciliation,
                                                     const keygen::learned_map_trainer& trainer, run_report& report) {
  auto t = report.time("features, KLT, allocation, calibration (secret chain)");
  chain.features = eval.features;
  keygen::resolve_allocation(chain, reconciliation);
  return keygen::build_secret_chain(d, chain, trainer);
}

keygen_run_summary run_key_agreement(const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                     const keygen_run_options& o, std::uint64_t seed,
                                     const std::filesystem::path& out_dir, run_report& report,
                                     const keygen::learned_map_trainer& trainer) {
  const auto groups = secret_chain_by_snr(d, eval, o.chain, o.agree.reconciliation, trainer, report);
  // A file in the output folder, recorded in the report's outputs (as the CLI's run_context::output).
  const auto output = [&](const std::string& name) {
    const auto p = out_dir / name;
    report.add_output(p.string());
    return p;
  };
  keygen_run_summary summary;
  // Per link (one profile at one SNR): the calibration and what it gives.
  table links({"snr_dB", "profile", "nof_calibration", "nof_validation", "nof_test", "probe_interval_s",
               "realisations_per_probe", "coefficients", "bits_per_realisation", "kdr_validation", "kdr_test",
               "h_cond_bits", "v_cond_bits2", "mi_ae_bits", "soft_cross_entropy_bits", "i_ab_features_bits", "redundancy_bits",
               "i_ab_analytic_bits", "bound_bits", "i_ab_analytic_tdd_bits", "bound_tdd_bits",
               "eve_best_kdr", "rho_validation"});
  for (const auto& g : groups)
    for (const auto& l : g.links) {
      double eve_best = std::nan("");
      for (double e : l.eve_kdr)
        if (!std::isnan(e)) eve_best = std::isnan(eve_best) ? e : std::min(eve_best, e);
      links.add_row({l.snr_dB, l.profile, static_cast<std::int64_t>(l.nof_calibration), static_cast<std::int64_t>(l.nof_validation),
                     static_cast<std::int64_t>(l.nof_test), l.probe_interval_s, l.realisations_per_probe,
                     static_cast<std::int64_t>(l.nof_coefficients), static_cast<std::int64_t>(l.bits_per_probe),
                     l.kdr_validation, l.kdr_test, l.h_cond, l.v_cond, l.mi_ae, l.h_soft, l.i_ab_features, l.redundancy,
                     l.i_ab_analytic, l.bound, l.i_ab_analytic_tdd, l.bound_tdd,
                     eve_best, rho_list(l.rho_validation)});
    }
  links.write_csv(output("links.csv"));
  auto t = report.time("key agreement");
  const rng_stream root = rng_stream(seed).derive("keygen/run/public");
  table tab({"snr_dB", "nof_sessions", "nof_probes", "nof_realisations", "nof_bits", "kdr_before", "kdr_after",
             "error_rate_calibrated", "leaked_bits", "leaked_per_bit", "h_cond_per_realisation", "pa_bits",
             "secret_bits_per_realisation", "realisations_per_key", "seconds_per_key", "bound_per_realisation",
             "efficiency", "key_bits_confirmed", "sessions_with_key", "confirmation_rate", "eve_best_kdr",
             "eve_best_distance_wavelengths", "eve_pa_agreement", "eve_key_agreement", "kdr_before_low", "kdr_before_high",
             "secret_bits_asymptotic", "efficiency_asymptotic", "bound_tdd_per_realisation", "efficiency_tdd",
             "efficiency_tdd_asymptotic"});
  nlohmann::json details = nlohmann::json::array();
  std::vector<std::tuple<double, std::size_t, double, double>> eve_keys;  // (snr, position, same, bits)
  std::vector<double> eve_distance;
  std::vector<std::string> eve_near;
  std::size_t total_sessions = 0;
  for (const auto& g : groups) total_sessions += o.probes_per_session > 0
                                                    ? std::max<std::size_t>(1, g.nof_probes() / static_cast<std::size_t>(o.probes_per_session))
                                                    : 1;
  progress bar("key-agreement sessions", total_sessions, "sessions");
  const auto ratio = [](double a, double b) { return b > 0 ? a / b : std::nan(""); };
  for (const auto& g : groups) {
    const std::size_t np = g.nof_probes();
    if (np == 0 || g.alice.empty()) continue;
    // Sessions: consecutive runs of probes_per_session test probes (the remainder joins the last session).
    std::size_t per = o.probes_per_session > 0 ? static_cast<std::size_t>(o.probes_per_session) : np;
    per = std::min(per, np);
    const std::size_t nof_sessions = np / per;
    double ab_wrong_before = 0, ab_wrong_after = 0, ab_bits = 0, ab_rec_bits = 0, leaked = 0, pa_bits = 0, key_bits = 0,
           confirmed = 0, reached = 0;
    std::vector<double> e_pa_same(g.eve.size(), 0), e_pa_total(g.eve.size(), 0), e_key_same(g.eve.size(), 0),
        e_key_total(g.eve.size(), 0), e_wrong(g.eve.size(), 0);
    const auto cal_all = g.calibration(0, np);
    nlohmann::json sessions = nlohmann::json::array();
    for (std::size_t s = 0; s < nof_sessions; ++s) {
      const std::size_t p0 = s * per, p1 = s + 1 == nof_sessions ? np : (s + 1) * per;
      const std::size_t b0 = g.probe_offsets[p0], b1 = g.probe_offsets[p1];
      if (b1 <= b0) continue;
      const auto a = slice(g.alice, b0, b1), b = slice(g.bob, b0, b1);
      std::vector<std::vector<std::uint8_t>> e;
      for (const auto& eb : g.eve) e.push_back(slice(eb, b0, b1));
      const std::vector<double> llr(g.bob_llr.begin() + static_cast<std::ptrdiff_t>(b0), g.bob_llr.begin() + static_cast<std::ptrdiff_t>(b1));
      const auto r = keygen::simulate_session(a, b, e, o.agree, g.calibration(p0, p1),
                                              root.at(static_cast<std::uint64_t>(std::llround(g.snr_dB * 1000))).at(s).key(), llr);
      std::size_t wb = 0, wa = 0;
      for (std::size_t i = 0; i < a.size(); ++i) wb += a[i] != b[i];
      if (r.bob.reconciled.size() == r.alice.reconciled.size())
        for (std::size_t i = 0; i < r.alice.reconciled.size(); ++i) wa += r.alice.reconciled[i] != r.bob.reconciled[i];
      ab_wrong_before += static_cast<double>(wb);
      ab_bits += static_cast<double>(a.size());
      ab_wrong_after += static_cast<double>(wa);
      ab_rec_bits += static_cast<double>(r.alice.reconciled.size());
      leaked += static_cast<double>(r.alice.leaked_bits);
      pa_bits += static_cast<double>(r.alice.pa.length);
      const bool ok = r.alice.ok && r.bob.ok && r.alice.key.vec() == r.bob.key.vec();
      confirmed += ok;
      reached += r.alice.pa.length >= static_cast<std::size_t>(o.agree.key_bits);
      if (ok) {
        key_bits += static_cast<double>(r.alice.key.size() * 8);
        summary.alice_pa_bits.insert(summary.alice_pa_bits.end(), r.alice.pa_bits.vec().begin(), r.alice.pa_bits.vec().end());
      }
      nlohmann::json ev = nlohmann::json::array();
      for (std::size_t k = 0; k < r.eve.size(); ++k) {
        const auto& x = r.eve[k];
        e_wrong[k] += static_cast<double>(x.before.nof_mismatches);
        count_agreement(r.alice.pa_bits, x.pa_bits, e_pa_same[k], e_pa_total[k]);
        if (ok) count_agreement(key_bits_of(r.alice.key), key_bits_of(x.key), e_key_same[k], e_key_total[k]);
        ev.push_back({{"eve_distance_wavelengths", g.eve_distance_wavelengths[k]},
                      {"eve_near", g.eve_near[k]},
                      {"kdr_before", x.before.kdr},
                      {"kdr_after", x.after.kdr},
                      {"bits_determined_by_transcript", x.determined_bits}});
      }
      sessions.push_back({{"probes", {p0, p1}},
                          {"nof_bits", a.size()},
                          {"sample_bits", r.alice.sample_bits},
                          {"error_rate_used", r.bob.kdr_estimate},
                          {"first_block_bits", r.bob.cascade.first_block_bits},
                          {"parity_bits", r.bob.cascade.leaked_bits},
                          {"round_trips", r.bob.cascade.nof_rounds},
                          {"wrong_codewords_caught", r.bob.cascade.nof_wrong_codewords},
                          {"leaked_bits", r.alice.leaked_bits},
                          {"pa_inputs",
                           {{"nof_realisations", r.alice.pa_inputs.nof_realisations},
                            {"h_total", r.alice.pa_inputs.h_total},
                            {"v_total", r.alice.pa_inputs.v_total},
                            {"leaked_bits", r.alice.pa_inputs.leaked_bits},
                            {"eps_pa_log2", r.alice.pa_inputs.eps_pa_log2},
                            {"eps_cor_log2", r.alice.pa_inputs.eps_cor_log2},
                            {"finite_size", r.alice.pa_inputs.finite_size}}},
                          {"pa_length", r.alice.pa.length},
                          {"pa_formula", r.alice.pa.formula},
                          {"transcript_bytes", r.alice.tr.nof_bytes()},
                          {"confirmed", ok},
                          {"alice_failure", r.alice.failure},
                          {"bob_failure", r.bob.failure},
                          {"eve", ev}});
      bar.advance();
    }
    // Eve's best: the position whose bits (her LMMSE estimate of Alice's) agree most with Alice's.
    std::size_t eve_k = 0;
    for (std::size_t k = 1; k < g.eve.size(); ++k)
      if (e_wrong[k] < e_wrong[eve_k]) eve_k = k;
    const double n_real = cal_all.nof_realisations;
    const double per_real = ratio(pa_bits, n_real);
    // Interval per probe: the links' mean (probing in time), else the configured one (i.i.d. probes).
    double interval = 0, weight = 0;
    for (const auto& l : g.links)
      if (std::isfinite(l.probe_interval_s)) {
        interval += l.probe_interval_s * static_cast<double>(l.nof_test);
        weight += static_cast<double>(l.nof_test);
      }
    const double seconds_per_probe = weight > 0 ? interval / weight : o.probe_interval_s;
    // KDR 95 % interval over probes (bits within a probe are correlated, probes are independent realisations): the
    // ratio estimator R = Σw/Σb with the cluster-robust variance Σ(w_i − R·b_i)² / (Σb)² · n/(n − 1).
    double kdr_lo = std::nan(""), kdr_hi = std::nan("");
    if (np > 1 && ab_bits > 0) {
      const double rr = ab_wrong_before / ab_bits;
      double ss = 0;
      for (std::size_t i = 0; i < np; ++i) {
        double w = 0;
        const std::size_t q0 = g.probe_offsets[i], q1 = g.probe_offsets[i + 1];
        for (std::size_t j = q0; j < q1; ++j) w += g.alice[j] != g.bob[j];
        ss += (w - rr * static_cast<double>(q1 - q0)) * (w - rr * static_cast<double>(q1 - q0));
      }
      const double sd = std::sqrt(ss * static_cast<double>(np) / static_cast<double>(np - 1)) / ab_bits;
      kdr_lo = std::max(0.0, rr - 1.96 * sd);
      kdr_hi = std::min(1.0, rr + 1.96 * sd);
    }
    // Asymptotic secret rate: the finite-key terms vanish per realisation as the session grows, H(X|E) − leak remains.
    const double asym = leaked > 0 ? std::max(0.0, ratio(cal_all.h_total - leaked, n_real)) : std::nan("");
    double n_key = realisations_per_key(ratio(cal_all.h_total, n_real), ratio(cal_all.v_total, n_real),
                                              ratio(leaked, n_real), cal_all.max_bits_per_realisation, o.agree);
    if (leaked <= 0) n_key = std::nan("");  // reconciliation never completed: no leakage measured
    // A bound per realisation: the links' bounds weighted by their test probes (links without one left out).
    const auto mean_bound = [&g](double keygen::chain_link_row::*member) {
      double sum = 0, w = 0;
      for (const auto& l : g.links)
        if (std::isfinite(l.*member)) {
          sum += l.*member * static_cast<double>(l.nof_test);
          w += static_cast<double>(l.nof_test);
        }
      return w > 0 ? sum / w : std::nan("");
    };
    const double bound_per_real = mean_bound(&keygen::chain_link_row::bound);
    const double bound_tdd_per_real = mean_bound(&keygen::chain_link_row::bound_tdd);
    tab.add_row({g.snr_dB, static_cast<std::int64_t>(nof_sessions), static_cast<std::int64_t>(np), n_real, ab_bits,
                 ratio(ab_wrong_before, ab_bits), ratio(ab_wrong_after, ab_rec_bits), g.error_rate, leaked,
                 ratio(leaked, ab_bits), ratio(cal_all.h_total, n_real), pa_bits, per_real, n_key,
                 n_key * seconds_per_probe / std::max(1e-12, ratio(n_real, static_cast<double>(np))), bound_per_real,
                 ratio(per_real, bound_per_real), key_bits, confirmed / static_cast<double>(nof_sessions),
                 ratio(confirmed, reached), g.eve.empty() ? std::nan("") : ratio(e_wrong[eve_k], ab_bits),
                 g.eve.empty() ? std::nan("") : g.eve_distance_wavelengths[eve_k],
                 g.eve.empty() ? std::nan("") : ratio(e_pa_same[eve_k], e_pa_total[eve_k]),
                 g.eve.empty() ? std::nan("") : ratio(e_key_same[eve_k], e_key_total[eve_k]), kdr_lo, kdr_hi, asym,
                 ratio(asym, bound_per_real), bound_tdd_per_real, ratio(per_real, bound_tdd_per_real),
                 ratio(asym, bound_tdd_per_real)});
    nlohmann::json eve_all = nlohmann::json::array();
    if (eve_distance.empty()) {
      eve_distance = g.eve_distance_wavelengths;
      eve_near = g.eve_near;
    }
    for (std::size_t k = 0; k < g.eve.size(); ++k) eve_keys.emplace_back(g.snr_dB, k, e_key_same[k], e_key_total[k]);
    nlohmann::json iid = fmt::format("not run: {} calibration bits, {} permutations", g.calibration_alice.size(), o.iid_permutations);
    if (o.iid_permutations > 0 && g.calibration_alice.size() >= 64) {
      auto ti = report.time(fmt::format("SP 800-90B IID tests at {} dB", g.snr_dB));
      const auto r = keygen::sp800_90b_iid_tests(
          g.calibration_alice, root.derive("sp800-90b").at(static_cast<std::uint64_t>(std::llround(g.snr_dB * 1000))).key(),
          o.iid_permutations);
      iid = iid_json(r);
    }
    for (std::size_t k = 0; k < g.eve.size(); ++k)
      eve_all.push_back({{"eve_distance_wavelengths", g.eve_distance_wavelengths[k]},
                         {"eve_near", g.eve_near[k]},
                         {"kdr_before", ratio(e_wrong[k], ab_bits)},
                         {"pa_agreement", ratio(e_pa_same[k], e_pa_total[k])},
                         {"pa_bits_compared", e_pa_total[k]},
                         {"key_agreement", ratio(e_key_same[k], e_key_total[k])},
                         {"key_bits_compared", e_key_total[k]}});
    details.push_back({{"snr_dB", g.snr_dB},
                       {"calibration", {{"nof_realisations", cal_all.nof_realisations},
                                        {"h_total", cal_all.h_total},
                                        {"v_total", cal_all.v_total},
                                        {"error_rate", cal_all.error_rate}}},
                       {"eve", eve_all},
                       {"sp800_90b_iid_calibration_bits", iid},
                       {"sessions", sessions}});
  }
  bar.finish();
  t.stop();
  tab.write_csv(output("agreement.csv"));
  auto& res = report.results()["keygen_run"];
  res["rows"] = tab.to_json();
  res["links"] = links.to_json();
  res["per_snr"] = details;
  res["eve_key_agreement_test"] = eve_key_test(eve_keys, eve_distance, eve_near, 0.05);
  res["pa_length_formula"] =
      "l = floor(sum H(X|E) - sqrt(sum V) PhiInv(1 - eps^2) - leak - log2(2/eps_cor) - 2 log2(1/(2 eps_PA))); H(X|E), V "
      "per realisation from each link's validation probes under Eve's LMMSE estimator on both her probes (worst "
      "position); leak = sample bits + Cascade parities (or LDPC syndrome, verification tag and one bit per request); "
      "docs/key-agreement.md";
  summary.agreement = std::move(tab);
  return summary;
}

}  // namespace physec::experiments
