// physec keygen ...: secret key generation. `eval` turns a wiretap dataset into bits with a chosen transform and
// quantizer and reports KDR, bits per probe, entropy and the information-theoretic bound per SNR and Eve position.
#include <fmt/format.h>

#include <map>
#include <set>

#include "cli.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/log.hpp"
#include "physec/core/plot.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/keygen/evaluate.hpp"

namespace physec::app {

namespace {

struct keygen_eval_config {
  run_config run;
  keygen::eval_config eval;
  void describe(config::schema& s) {
    eval.describe(s);  // root keys (confidence, mi_max_dims) first, then [features], [quantizer]
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr const char* k_eval_title = "physec keygen eval configuration";

struct eval_options {
  common_options common;
  std::string dataset;
  std::string method, quantizer;
  int bits = 0;
  std::string model;  ///< checkpoint of `physec keygen train`; empty = raw CSI
};

void plot_results(run_context& ctx, const keygen::eval_result& r) {
  if (!gnuplot_available()) {
    log::warn("gnuplot not found: no PNG plots written");
    return;
  }
  // Every point with its interval from the per-probe KDRs (the bits of one probe are correlated, so the bitwise
  // Clopper-Pearson interval would be too narrow).
  const auto add = [](plot_series& s, double x, double kdr, double low, double high) {
    s.x.push_back(x);
    s.y.push_back(kdr);
    s.y_low.push_back(low);
    s.y_high.push_back(high);
  };
  std::set<double> distances;
  std::map<double, plot_series> ae_by_distance;
  plot_series ab{"Alice-Bob", {}, {}};
  std::map<double, plot_series> ae_by_snr;
  for (const auto& row : r.rows) {
    distances.insert(row.eve_distance_wavelengths);
    if (row.eve_distance_wavelengths == *distances.begin() && (ab.x.empty() || ab.x.back() != row.snr_dB))
      add(ab, row.snr_dB, row.ab.kdr, row.ab_probe_low, row.ab_probe_high);
    auto& s = ae_by_distance[row.eve_distance_wavelengths];
    s.title = fmt::format("Alice-Eve, d = {} λ", row.eve_distance_wavelengths);
    add(s, row.snr_dB, row.ae.kdr, row.ae_probe_low, row.ae_probe_high);
    auto& t = ae_by_snr[row.snr_dB];
    t.title = fmt::format("SNR {} dB", row.snr_dB);
    add(t, row.eve_distance_wavelengths, row.ae.kdr, row.ae_probe_low, row.ae_probe_high);
  }
  plot_spec vs_snr{"Key disagreement ratio vs SNR (95 % intervals over probes)", "SNR [dB]", "KDR", {ab}, false};
  for (auto& [d, s] : ae_by_distance) vs_snr.series.push_back(s);
  plot_png(vs_snr, ctx.output("kdr_vs_snr.png"));
  plot_spec vs_d{"Alice-Eve KDR vs Eve's distance from Bob", "distance [wavelengths]", "KDR(A,E)", {}, false};
  for (auto& [snr, s] : ae_by_snr) vs_d.series.push_back(s);
  plot_png(vs_d, ctx.output("kdr_ae_vs_eve_distance.png"));
}

void run_eval(eval_options& o) {
  if (!o.model.empty()) require_neural("keygen eval --model");
  log::set_quiet(o.common.quiet);
  add_quantizer_shortcuts(o.common, o.method, o.quantizer, o.bits);
  auto cfg = load_config<keygen_eval_config>(o.common);
  run_context ctx("keygen eval", o.common, cfg.run.seed, config::show(cfg, k_eval_title), cfg.run.device);
  dataset::wiretap_data d = read_wiretap_stage(ctx, o.dataset);
  if (!o.model.empty()) d = apply_keygen_model(ctx, o.model, d, cfg.run.device);
  blame_file(o.dataset, [&] { return keygen_eval_stage(ctx, d, cfg.eval, cfg.run.seed); });
  ctx.finish();
}

}  // namespace

void add_quantizer_shortcuts(common_options& o, const std::string& method, const std::string& quantizer, int bits) {
  if (!method.empty()) o.overrides.push_back("features.method=" + method);
  if (!quantizer.empty()) o.overrides.push_back("quantizer.method=" + quantizer);
  if (bits > 0) o.overrides.push_back("quantizer.bits=" + std::to_string(bits));
}

dataset::wiretap_data read_wiretap_stage(run_context& ctx, const std::string& path) {
  dataset::wiretap_data d;
  {
    auto t = ctx.report().time("read dataset");
    d = dataset::read_wiretap(path);
  }
  log::info("{}: {} probes, {} Eve position(s)", path, d.nof_probes(), d.nof_eve());
  ctx.report().results()["dataset"] = path;
  return d;
}

keygen::eval_result keygen_eval_stage(run_context& ctx, const dataset::wiretap_data& d, const keygen::eval_config& cfg,
                                      std::uint64_t seed) {
  keygen::eval_result r;
  {
    auto t = ctx.report().time("keygen eval");
    r = keygen::evaluate_wiretap(d, cfg, seed);
  }
  const table full = r.to_table();
  full.write_csv(ctx.output("kdr.csv"));
  {
    h5::writer w(ctx.output("alice_bits.h5"));  // for `physec nist alice_bits.h5`
    w.write("/keys", shape_t{r.alice_bits_top_snr.size()}, r.alice_bits_top_snr.data());
    w.attribute("/keys", "snr_dB", r.top_snr_dB);
    w.attribute("/keys", "meaning", std::string("Alice's quantized bits at the highest SNR, before reconciliation and "
                                                "privacy amplification"));
    w.commit();
  }
  ctx.report().results()["keygen_eval"]["nof_features"] = r.nof_features;
  ctx.report().results()["keygen_eval"]["mi_estimator"] = r.mi_estimator;
  ctx.report().results()["keygen_eval"]["rows"] = full.to_json();
  {
    auto t = ctx.report().time("plots");
    plot_results(ctx, r);
  }
  table shown({"SNR dB", "Eve d/λ", "probes", "bits/probe", "KDR(A,B)", "CI (probes)", "KDR(A,E)", "KDR(B,E)",
               "I(A;B)", "bound", "efficiency"});
  for (const auto& row : r.rows)
    shown.add_row({row.snr_dB, row.eve_distance_wavelengths, static_cast<std::int64_t>(row.nof_probes),
                   row.bits_per_probe, row.ab.kdr, fmt::format("[{:.4f}, {:.4f}]", row.ab_probe_low, row.ab_probe_high),
                   row.ae.kdr, row.be.kdr, row.mi_ab, row.bound, row.efficiency});
  fmt::print("features: {} {} ({} per probe) · quantizer: {} m={}\n{}", cfg.features.method,
             cfg.features.value, r.nof_features, cfg.quantizer.method, cfg.quantizer.bits,
             shown.to_text());
  fmt::print("CI: {:.0f}% interval over probes (the bits of one probe are correlated; kdr.csv also has the bitwise "
             "Clopper–Pearson one). I in bits/probe; bound = I(A;B) - min(I(A;E), I(B;E)); efficiency = bits/probe / bound.\n",
             100 * cfg.confidence);
  fmt::print("MI estimator: {}\n", r.mi_estimator);
  return r;
}

void register_keygen(CLI::App& app) {
  register_config<keygen_eval_config>("keygen eval", k_eval_title);
  auto* kg = app.add_subcommand("keygen", "secret key generation from reciprocal channels");
  kg->require_subcommand(1);
  auto* ev = kg->add_subcommand("eval", "KDR, bits per probe, entropy and the secrecy bound of a transform + quantizer "
                                        "on a wiretap dataset, per SNR and Eve distance (table, CSV, JSON, PNG)");
  auto o = std::make_shared<eval_options>();
  ev->add_option("-d,--dataset", o->dataset, "wiretap dataset (HDF5, from `physec dataset wiretap` or your own)")
      ->required();
  ev->add_option("--method", o->method, "feature transform: raw, pca or dct (sets features.method)");
  ev->add_option("--quantizer", o->quantizer, "quantile, mean, guard or multibit (sets quantizer.method)");
  ev->add_option("--bits", o->bits, "bits per value m (sets quantizer.bits)");
  ev->add_option("--model", o->model, "checkpoint of `physec keygen train`: every party's CSI goes through the model "
                                       "before the features and quantizer");
  add_common_options(*ev, o->common, "physec-out/keygen-eval");
  ev->callback([o] { run_eval(*o); });
  register_keygen_train(*kg);
  register_keygen_run(*kg);
}

}  // namespace physec::app
