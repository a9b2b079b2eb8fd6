// `physec auth openset` (issue #19): spoofers never seen in training. Detectors fitted on the legal transmitters'
// training sequences only score every test sequence; a threshold from the legal validation scores (never the test
// split) flags spoofers. AUROC with its interval, FAR and MDR at the threshold, the ROC as CSV and PNG.
#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "cli.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "physec/auth/classifier.hpp"
#include "physec/auth/features.hpp"
#include "physec/auth/openset.hpp"
#include "physec/core/log.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/stats.hpp"
#include "physec/core/strings.hpp"
#include "physec/core/table.hpp"
#include "physec/dataset/mobility.hpp"

namespace physec::app {

namespace {

struct auth_openset_config {
  run_config run;
  auth::classifier_config classifiers;
  double far = 0.01;          ///< target false-alarm rate of the threshold
  double shrinkage = 0.1;     ///< Mahalanobis covariance shrinkage toward its diagonal
  tdgcn_settings tdgcn;       ///< --model tdgcn
  void describe(config::schema& s) {
    s.add("far", far, "target false-alarm rate: the threshold flags this share of legal validation sequences")
        .range(1e-4, 0.5)
        .source("issue #19 (MDR at 1 % FAR)");
    s.add("shrinkage", shrinkage, "Mahalanobis: shrink the pooled covariance toward its diagonal by this weight")
        .range(0.0, 1.0)
        .source("ours");
    s.section("classifiers", classifiers, "the closed-set baselines behind the max-probability scores");
    s.section("tdgcn", tdgcn, "the TDGCN behind --model tdgcn (as `physec auth train`, trained on legal users only)");
    s.section("run", run, "how to run: seed, device, threads");
  }
};
constexpr const char* k_openset_title = "physec auth openset configuration";

struct openset_options {
  common_options common;
  std::string dataset, split = "time", model = "mahalanobis,nb,igbo";
};

/// Sequence features of the sequences `idx`, and their transmitter labels.
auth::labelled_data features_of(const dataset::mobility_data& d, const std::vector<std::size_t>& idx) {
  auth::labelled_data out;
  out.x = auth::sequence_features(dataset::select_sequences(d.sequences, idx));
  for (auto i : idx) out.y.push_back(d.transmitter[i]);
  return out;
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  const auto mid = v.begin() + static_cast<std::ptrdiff_t>(v.size() / 2);
  std::nth_element(v.begin(), mid, v.end());
  return *mid;
}

void run_openset(const openset_options& o) {
  log::set_quiet(o.common.quiet);
  auto cfg = load_config<auth_openset_config>(o.common);
  cfg.classifiers.seed = cfg.run.seed;
  const auto models = split(o.model, ',');
  for (const auto& m : models)
    if (m != "mahalanobis" && m != "tdgcn") auth::make_classifier(m, cfg.classifiers);  // unknown: one line, exit 3
  if (std::find(models.begin(), models.end(), "tdgcn") != models.end()) require_neural("auth openset --model tdgcn");
  if (models.empty()) throw error("no detector", {"", "--model", {}}, "mahalanobis and/or baseline names", o.model);
  if (o.dataset.empty()) throw error("no dataset", {"", "--dataset", {}}, "-d FILE", "none");
  const auto d = dataset::read_mobility(o.dataset);  // before any output exists
  const auto& s = dataset::split_labels(d, o.split, "--split");
  std::vector<std::size_t> train, validation, legal_test, spoofer_test;
  for (std::size_t i = 0; i < d.nof_sequences(); ++i) {
    const bool legal = d.transmitter[i] < d.nof_legal;
    if (legal && s[i] == dataset::m_train) train.push_back(i);
    if (legal && s[i] == dataset::m_validation) validation.push_back(i);
    if (s[i] == dataset::m_test) (legal ? legal_test : spoofer_test).push_back(i);
  }
  for (const auto& [part, what] : {std::pair{&train, "legal training"}, {&validation, "legal validation"},
                                   {&legal_test, "legal test"}, {&spoofer_test, "spoofer test"}})
    if (part->empty())
      throw error(std::string("no ") + what + " sequences", {o.dataset, "/labels/split_" + o.split, {}},
                  "some sequences", "none");
  auto tr = features_of(d, train), va = features_of(d, validation), lt = features_of(d, legal_test),
       st = features_of(d, spoofer_test);
  auth::require_two_classes(tr.y, {o.dataset, "/labels/transmitter", {}}, "legal transmitter");
  auth::feature_scaler scaler;
  scaler.fit(tr.x);
  for (auto* p : {&tr, &va, &lt, &st}) p->x = scaler.transform(p->x);

  configure_threads(cfg.run.threads);
  run_context ctx("auth openset", o.common, cfg.run.seed, config::show(cfg, k_openset_title), cfg.run.device);
  ctx.report().results()["dataset"] = o.dataset;
  table rows({"model", "auroc", "auroc_low", "auroc_high", "threshold", "far_target", "far", "far_low", "far_high",
              "mdr", "mdr_low", "mdr_high", "nof_legal", "nof_spoofer", "median_legal_train", "median_legal_validation",
              "median_legal_test", "median_spoofer_test"});
  table roc_rows({"model", "threshold", "far", "mdr"});
  plot_spec spec{fmt::format("ROC of unseen-spoofer detection ({} split)", o.split), "false-alarm rate (legal flagged)",
                 "detection rate (spoofers flagged)", {}, false};
  for (const auto& name : models) {
    auto t = ctx.report().time("open-set " + name);
    openset_scores sc;
    if (name == "mahalanobis") {
      auth::mahalanobis_scorer m(cfg.shrinkage);
      m.fit(tr.x, tr.y);
      sc = {m.score(tr.x), m.score(va.x), m.score(lt.x), m.score(st.x)};
    } else if (name == "tdgcn") {
      sc = tdgcn_openset_stage(ctx, d, o.split, cfg.tdgcn, cfg.run.seed, cfg.run.device);
    } else {
      auto clf = auth::make_classifier(name, cfg.classifiers);
      clf->fit(tr.x, tr.y, &va);
      sc = {auth::max_probability_score(clf->predict_proba(tr.x)), auth::max_probability_score(clf->predict_proba(va.x)),
            auth::max_probability_score(clf->predict_proba(lt.x)),
            auth::max_probability_score(clf->predict_proba(st.x))};
    }
    const double a = auth::auroc(sc.legal, sc.spoofer);
    const double se = auth::auroc_standard_error(a, sc.legal.size(), sc.spoofer.size());
    const double thr = auth::threshold_at_far(sc.validation, cfg.far);
    const auto r = auth::rates_at(sc.legal, sc.spoofer, thr);
    const auto far_ci = clopper_pearson(sc.legal.size(), static_cast<std::size_t>(std::llround(r.far * sc.legal.size())));
    const auto mdr_ci =
        clopper_pearson(sc.spoofer.size(), static_cast<std::size_t>(std::llround(r.mdr * sc.spoofer.size())));
    rows.add_row({name, a, std::max(0.0, a - 1.96 * se), std::min(1.0, a + 1.96 * se), thr, cfg.far, r.far, far_ci.low,
                  far_ci.high, r.mdr, mdr_ci.low, mdr_ci.high, static_cast<std::int64_t>(sc.legal.size()),
                  static_cast<std::int64_t>(sc.spoofer.size()), median(sc.train), median(sc.validation),
                  median(sc.legal), median(sc.spoofer)});
    plot_series curve{fmt::format("{} (AUROC {:.3f})", name, a), {}, {}};
    for (const auto& p : auth::roc_curve(sc.legal, sc.spoofer)) {
      roc_rows.add_row({name, p.threshold, p.far, p.mdr});
      curve.x.push_back(p.far);
      curve.y.push_back(1 - p.mdr);
    }
    spec.series.push_back(curve);
    log::info("{}: AUROC {:.3f} ± {:.3f}; at the validation threshold FAR {:.3f}, MDR {:.3f}", name, a, 1.96 * se,
              r.far, r.mdr);
  }
  rows.write_csv(ctx.output("openset.csv"));
  roc_rows.write_csv(ctx.output("roc.csv"));
  ctx.report().results()["auth_openset"] = {{"split", o.split}, {"far_target", cfg.far}, {"detectors", rows.to_json()}};
  ctx.plot(spec, "roc.png");
  table shown({"detector", "AUROC", "95 % interval", "FAR", "MDR", "legal", "spoofer"});
  for (const auto& row : rows.rows()) {
    shown.add_row({row[0], row[1], fmt::format("{:.3f}-{:.3f}", std::get<double>(row[2]), std::get<double>(row[3])),
                   row[6], row[9], row[12], row[13]});
  }
  fmt::print("unseen spoofers, {} split; threshold at {} FAR on legal validation sequences\n{}", o.split, cfg.far,
             shown.to_text());
  ctx.finish();
}

}  // namespace

void register_auth_openset(CLI::App& auth) {
  register_config<auth_openset_config>("auth openset", k_openset_title);
  auto* cmd = auth.add_subcommand(
      "openset",
      "spoofers never seen in training: detectors fitted on the legal transmitters only (Mahalanobis on sequence "
      "features, or 1 - max probability of a baseline); AUROC, FAR and MDR at a threshold from legal validation "
      "sequences, ROC (CSV, PNG)");
  auto o = std::make_shared<openset_options>();
  cmd->add_option("-d,--dataset", o->dataset, "mobility dataset (HDF5, from `physec dataset mobility`)")->required();
  cmd->add_option("--split", o->split, "train/test protocol: time, position or random (see auth eval)")
      ->check(CLI::IsMember(dataset::split_protocols()))
      ->capture_default_str();
  cmd->add_option("--model", o->model,
                  "comma-separated detectors: mahalanobis, baseline names (dt, knn, nb, wv, gbdt, rgbo, igbo) and tdgcn "
                  "(trained on the legal users from [tdgcn]), the last two scored by 1 - max probability")
      ->capture_default_str();
  add_common_options(*cmd, o->common, "physec-out/auth-openset");
  cmd->callback([o] { run_openset(*o); });
}

}  // namespace physec::app
