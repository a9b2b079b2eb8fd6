// physec auth ...: physical-layer authentication. `eval` runs the classical baselines (dt knn nb wv gbdt rgbo igbo)
// on a mobility dataset, on per-sample CSI vectors and on sequence features, and reports accuracy, FAR, MDR,
// confusion and timings; `--sweep snr|distance|speed` regenerates the dataset per point from the config. TDGCN
// (`train`, app/cmd_auth_train.cpp) joins the same table: `--model tdgcn` trains it per dataset / sweep point,
// `--model ckpt.pt` (or `--checkpoint`) tests a trained checkpoint.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <thread>

#include "cli.hpp"
#include "physec/auth/features.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/stats.hpp"
#include "physec/core/strings.hpp"
#include "physec/dataset/mobility.hpp"
#include "neural.hpp"
#include "stages.hpp"

namespace physec::app {

namespace {

/// Values of the sweeps `--sweep` runs.
struct sweep_config {
  std::vector<double> snr_dB = {0.0, 15.0, 30.0};    ///< CSI SNR values [dB]
  std::vector<double> distance_m = {1.0, 4.0, 8.0};  ///< minimum distances between transmitters [m]
  std::vector<double> speed_mps = {0.5, 2.0, 3.5};   ///< transmitter speeds [m/s]
  void describe(config::schema& s) {
    s.add("snr_dB", snr_dB, "SNR values of --sweep snr [dB]")
        .range(-30, 60)
        .size(1, 64)
        .source("issue 9 (0, 15, 30 dB)");
    s.add("distance_m", distance_m, "minimum distances of --sweep distance [m]")
        .range(0, 40)
        .size(1, 64)
        .source("ours");
    s.add("speed_mps", speed_mps, "speeds of --sweep speed [m/s]")
        .range(0.01, 50)
        .size(1, 64)
        .source("ours (above ~4 m/s a 4 m route leaves the position split no training arc)");
  }
};

struct auth_eval_config {
  run_config run;
  auth::classifier_config classifiers;
  bool select = true;                                          ///< hyperparameters from the validation split
  std::vector<std::string> features = {"sample", "sequence"};  ///< feature kinds evaluated
  dataset::mobility_config mobility;                           ///< the dataset --sweep regenerates
  sweep_config sweep;
  tdgcn_settings tdgcn;  ///< used by --model tdgcn
  void describe(config::schema& s) {
    s.add("select", select, "choose hyperparameters on the validation split (grid search)").source("issue 9");
    s.add("features", features, "feature kinds: sample (per-sample CSI vectors), sequence (sequence statistics)")
        .choices({"sample", "sequence"})
        .size(1, 2)
        .source("issue 9 (both)");
    s.section("classifiers", classifiers,
              "the baselines' hyperparameters (defaults before selection; seed is set from run.seed)");
    s.section("mobility", mobility, "dataset regenerated at each point of --sweep (as `physec dataset mobility`)");
    s.section("sweep", sweep, "values of each sweep");
    s.section("tdgcn", tdgcn, "TDGCN trained by --model tdgcn (as `physec auth train`)");
    s.section("run", run, "how to run: seed, device, threads");
  }
};

constexpr const char* k_auth_title = "physec auth eval configuration";

struct eval_options {
  common_options common;
  std::string dataset;
  std::string model = "all";
  std::string split = "time";
  std::string sweep;
  std::string checkpoint;  ///< a trained TDGCN to test beside the baselines
};

/// `--model`: comma-separated baseline names, `all` (the seven baselines), `tdgcn` (trained here), or a checkpoint
/// path ending in `.pt`. Returns the baselines; sets `tdgcn` / `checkpoint` for the others.
std::vector<std::string> model_list(const std::string& m, bool* tdgcn = nullptr, std::string* checkpoint = nullptr) {
  std::vector<std::string> out;
  for (const auto& name : split(m, ',')) {
    if (name == "all") {
      for (const auto& b : auth::classifier_names()) out.push_back(b);
    } else if (name == "tdgcn") {
      if (tdgcn) *tdgcn = true;
    } else if (name.size() > 3 && name.substr(name.size() - 3) == ".pt") {
      if (checkpoint) *checkpoint = name;
    } else {
      out.push_back(name);
    }
  }
  return out;
}

auth_eval_options stage_options(const auth_eval_config& cfg, const eval_options& o) {
  bool tdgcn = false;
  std::string ckpt = o.checkpoint;
  auth_eval_options eo;
  eo.models = model_list(o.model, &tdgcn, &ckpt);
  eo.split = o.split;
  eo.features = cfg.features;
  eo.select = cfg.select;
  if (tdgcn) eo.tdgcn = &cfg.tdgcn;
  eo.checkpoint = ckpt;
  eo.seed = cfg.run.seed;
  eo.device = cfg.run.device;
  return eo;
}

// The accuracy's 95 % Clopper-Pearson interval over its decisions.
proportion_interval accuracy_interval(const auth::evaluation& e) {
  const auto n = e.nof_decisions;
  const auto k = static_cast<std::size_t>(std::llround(e.accuracy * static_cast<double>(n)));
  return clopper_pearson(n, std::min(k, n));
}

void run_single(run_context& ctx, const auth_eval_config& cfg, const eval_options& o) {
  dataset::mobility_data d;
  {
    auto t = ctx.report().time("read dataset");
    d = dataset::read_mobility(o.dataset);
  }
  log::info("{}: {} sequences {}, {} legal transmitters", o.dataset, d.nof_sequences(), shape_string(d.sequences.shape),
            d.nof_legal);
  ctx.report().results()["dataset"] = o.dataset;
  ctx.report().results()["dataset_seed"] = d.seed;
  auto so = stage_options(cfg, o);
  so.origin = o.dataset;
  blame_file(o.dataset, [&] { return auth_eval_stage(ctx, d, cfg.classifiers, so); });
}

void run_sweep(run_context& ctx, const auth_eval_config& cfg, const eval_options& o) {
  const std::vector<double>& values = o.sweep == "snr"        ? cfg.sweep.snr_dB
                                      : o.sweep == "distance" ? cfg.sweep.distance_m
                                                              : cfg.sweep.speed_mps;
  const std::string xlabel = experiments::sweep_axis_label(o.sweep);
  experiments::sweep_spec spec;
  spec.sweep = o.sweep;
  spec.values = values;
  spec.protocols = {o.split};
  spec.seeds = {cfg.run.seed};
  const auto so = stage_options(cfg, o);
  spec.baselines = {so.models, so.features, so.select, 0, "generated dataset"};
  spec.threads = thread_count(cfg.run.threads);
  experiments::tdgcn_runner tdgcn;
  if (so.tdgcn)
    tdgcn = [&](const dataset::mobility_data& d, const std::string& protocol, std::uint64_t seed) {
      return tdgcn_eval_stage(ctx, d, protocol, cfg.tdgcn, "", seed, cfg.run.device);
    };
  table rows({"sweep", "value", "features", "model", "accuracy", "far", "mdr", "fit_s", "predict_s"});
  std::map<std::string, std::map<std::string, plot_series>> curves;  // features -> model -> curve
  for (const auto& r : experiments::run_sweep(spec, cfg.mobility, cfg.classifiers, tdgcn, &ctx.report())) {
    rows.add_row({o.sweep, r.value, r.features, r.eval.model, r.eval.accuracy, r.eval.rates.far, r.eval.rates.mdr,
                  r.eval.fit_s, r.eval.predict_s});
    auto& c = curves[r.features][r.eval.model];
    c.title = r.eval.model;
    c.x.push_back(r.value);
    c.y.push_back(r.eval.accuracy);
    const auto ci = accuracy_interval(r.eval);
    c.y_low.push_back(ci.low);
    c.y_high.push_back(ci.high);
  }
  // TDGCN reads raw sequences: its curve joins every feature kind's plot, beside the baselines.
  if (curves.count("raw") && curves.size() > 1) {
    const auto raw = curves["raw"];
    curves.erase("raw");
    for (auto& [features, by_model] : curves)
      for (const auto& [name, c] : raw) by_model[name + " (raw)"] = c;
  }
  rows.write_csv(ctx.output("sweep_" + o.sweep + ".csv"));
  ctx.report().results()["sweep"] = rows.to_json();
  for (auto& [features, by_model] : curves) {
    plot_spec spec{fmt::format("Accuracy vs {} ({} features, {} split, 95 % intervals)", o.sweep, features, o.split),
                   xlabel,
                   "accuracy",
                   {},
                   false};
    for (auto& [name, c] : by_model) spec.series.push_back(c);
    ctx.plot(spec, fmt::format("accuracy_vs_{}_{}.png", o.sweep, features));
  }
  fmt::print("{}", rows.to_text());
}

void run_eval(eval_options& o) {
  log::set_quiet(o.common.quiet);
  auto cfg = load_config<auth_eval_config>(o.common);
  cfg.classifiers.seed = cfg.run.seed;  // one master seed: run.seed (--seed) drives the classifiers too
  const auto eo = stage_options(cfg, o);
  if (eo.tdgcn || !eo.checkpoint.empty()) require_neural("auth eval of TDGCN");
  for (const auto& m : eo.models) auth::make_classifier(m, cfg.classifiers);  // unknown name: one-line error, exit 3
  if (eo.models.empty() && !eo.tdgcn && eo.checkpoint.empty())
    throw error("no model", {"", "--model", {}}, "baseline names, all, tdgcn or a checkpoint .pt", o.model);
  if (!eo.checkpoint.empty()) {
    if (!o.sweep.empty())
      throw error("a checkpoint is trained on one dataset", {"", "--checkpoint", {}}, "-d FILE without --sweep",
                  "--sweep " + o.sweep);
  }
  if (o.sweep.empty() && o.dataset.empty())
    throw error("no dataset", {"", "--dataset", {}}, "-d FILE (or --sweep snr|distance|speed)", "neither");
  if (!o.dataset.empty()) {  // check before any output exists
    const auto d = dataset::read_mobility(o.dataset);
    if (!eo.checkpoint.empty()) check_tdgcn_checkpoint(eo.checkpoint, d, cfg.run.device);
  }
  configure_threads(cfg.run.threads);
  run_context ctx("auth eval", o.common, cfg.run.seed, config::show(cfg, k_auth_title), cfg.run.device);
  if (o.sweep.empty())
    run_single(ctx, cfg, o);
  else
    run_sweep(ctx, cfg, o);
  ctx.finish();
}

}  // namespace

std::vector<auth_result> auth_eval_stage(run_context& ctx, const dataset::mobility_data& d,
                                         const auth::classifier_config& cfg, const auth_eval_options& o,
                                         bool write_outputs) {
  auto out = experiments::evaluate_baselines(d, o.split, cfg, {o.models, o.features, o.select, 0, o.origin},
                                            &ctx.report());
  if (o.tdgcn || !o.checkpoint.empty()) {
    const tdgcn_settings defaults;
    out.push_back({"raw", tdgcn_eval_stage(ctx, d, o.split, o.tdgcn ? *o.tdgcn : defaults, o.checkpoint, o.seed,
                                           o.device)});
    log::info("raw sequences, tdgcn: accuracy {:.4f}", out.back().eval.accuracy);
  }
  table acc(
      {"split", "features", "model", "parameters", "validation_accuracy", "accuracy", "far", "mdr", "nof_decisions"});
  table tim({"split", "features", "model", "fit_s", "predict_s", "predict_us_per_decision"});
  std::size_t best = 0;
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto& e = out[i].eval;
    acc.add_row({o.split, out[i].features, e.model, e.parameters, e.validation_accuracy, e.accuracy, e.rates.far,
                 e.rates.mdr, static_cast<std::int64_t>(e.nof_decisions)});
    tim.add_row({o.split, out[i].features, e.model, e.fit_s, e.predict_s,
                 1e6 * e.predict_s / static_cast<double>(std::max<std::size_t>(e.nof_decisions, 1))});
    if (e.accuracy > out[best].eval.accuracy) best = i;
  }
  if (!write_outputs) return out;
  acc.write_csv(ctx.output("accuracy.csv"));
  tim.write_csv(ctx.output("timing.csv"));
  const auto conf = auth::confusion_table(out[best].eval.confusion);
  conf.write_csv(ctx.output("confusion_best.csv"));
  ctx.report().results()["auth_eval"] = {{"split", o.split},
                                         {"accuracy", acc.to_json()},
                                         {"timing", tim.to_json()},
                                         {"best", {{"features", out[best].features}, {"model", out[best].eval.model}}},
                                         {"confusion_best", conf.to_json()}};
  // Grouped bars: a group per model, a bar per feature kind, with the accuracy's 95 % Clopper-Pearson interval.
  plot_spec spec{"Accuracy per model (" + o.split + " split, 95 % intervals)", "model", "accuracy", {}, false,
                 plot_kind::bars};
  std::map<std::string, std::size_t> kind_index;
  for (const auto& r : out) {
    if (std::find(spec.categories.begin(), spec.categories.end(), r.eval.model) == spec.categories.end())
      spec.categories.push_back(r.eval.model);
    if (!kind_index.count(r.features)) {
      kind_index[r.features] = spec.series.size();
      spec.series.push_back({r.features + " features", {}, {}});
    }
  }
  for (auto& s : spec.series) s.y = s.y_low = s.y_high = std::vector<double>(spec.categories.size(), std::nan(""));
  for (const auto& r : out) {
    auto& s = spec.series[kind_index[r.features]];
    const auto c = static_cast<std::size_t>(
        std::find(spec.categories.begin(), spec.categories.end(), r.eval.model) - spec.categories.begin());
    const auto ci = accuracy_interval(r.eval);
    s.y[c] = r.eval.accuracy;
    s.y_low[c] = ci.low;
    s.y_high[c] = ci.high;
  }
  ctx.plot(spec, "accuracy.png");
  table shown({"features", "model", "accuracy", "FAR", "MDR", "fit s", "predict s", "parameters"});
  for (const auto& r : out)
    shown.add_row({r.features, r.eval.model, r.eval.accuracy, r.eval.rates.far, r.eval.rates.mdr, r.eval.fit_s,
                   r.eval.predict_s, r.eval.parameters});
  fmt::print("{} split\n{}", o.split, shown.to_text());
  fmt::print("confusion of the best ({} features, {}; rows = truth, labels >= {} spoofers):\n{}", out[best].features,
             out[best].eval.model, d.nof_legal, conf.to_text());
  return out;
}

void register_auth(CLI::App& app) {
  register_config<auth_eval_config>("auth eval", k_auth_title);
  auto* au = app.add_subcommand("auth", "physical-layer authentication of moving transmitters");
  au->require_subcommand(1);
  auto* ev = au->add_subcommand("eval",
                                "accuracy, FAR, MDR, confusion and timings of the classical baselines on a "
                                "mobility dataset (table, CSV, JSON, PNG); --sweep regenerates per point");
  auto o = std::make_shared<eval_options>();
  auto* dataset_opt =
      ev->add_option("-d,--dataset", o->dataset, "mobility dataset (HDF5, from `physec dataset mobility`)");
  ev->add_option("--model", o->model,
                 "comma-separated: dt, knn, nb, wv, gbdt, rgbo, igbo, all (the seven), tdgcn (trained per dataset "
                 "from [tdgcn]), or a TDGCN checkpoint FILE.pt")
      ->capture_default_str();
  ev->add_option("--checkpoint", o->checkpoint, "a trained TDGCN checkpoint (`physec auth train`) to test as well");
  ev->add_option("--split", o->split,
                 "train/test protocol: time (later stretches of each route, after a gap), position (route arcs never "
                 "seen) or random (the paper-like split: test sequences share trajectories with training ones)")
      ->check(CLI::IsMember(dataset::split_protocols()))
      ->capture_default_str();
  ev->add_option("--sweep", o->sweep,
                 "snr, distance or speed: regenerate the dataset from [mobility] per [sweep] value (not with -d)")
      ->check(CLI::IsMember({"snr", "distance", "speed"}))
      ->excludes(dataset_opt);  // a sweep regenerates its data: a -d file would be silently ignored
  add_common_options(*ev, o->common, "physec-out/auth-eval");
  ev->callback([o] { run_eval(*o); });
  register_auth_train(*au);
  register_auth_openset(*au);
}

}  // namespace physec::app
