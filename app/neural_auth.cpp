// physec auth train (physec-neural only; config, options and registration in cmd_auth_train.cpp): trains the TDGCN authenticator (issue #10) on a mobility dataset (-d, split time|position) or on
// a UEA `.ts` pair (--ts TRAIN.ts --ts-test TEST.ts), with early stopping on a validation split carved from the
// training data only; writes checkpoint.pt, history.csv, loss/accuracy PNGs, complexity.csv, confusion.csv and
// report.json. Also `tdgcn_eval_stage`, which `physec auth eval` uses to put TDGCN beside the baselines.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>

#include "cli.hpp"
#include "physec/auth/models/tdgcn_train.hpp"
#include "physec/auth/openset.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/rng.hpp"
#include "physec/dataset/uea.hpp"
#include "physec/nn/complexity.hpp"
#include "physec/nn/device.hpp"
#include "physec/nn/runtime.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "train_commands.hpp"

namespace physec::app {

namespace {

std::string model_summary(const auth::models::TdgcnOptions& o) {
  return fmt::format("channels {} kernels {} G={} pool={:g}{}", fmt::join(o.tcn_channels(), "/"),
                     fmt::join(o.tcn_kernels(), "/"), o.nof_slots(), o.pool_ratio(),
                     o.level_width() > 0 ? fmt::format(" level={}", o.level_width()) : std::string());
}

/// Test-split evaluation of a trained model or of an ensemble (mean class probabilities), as the baselines'
/// `evaluation`.
auth::evaluation evaluate_tdgcn(const std::vector<nn::model_handle>& models, const auth::models::sequence_set& test,
                                int nof_classes, int nof_legal, torch::Device device) {
  auth::evaluation e;
  e.model = auth::models::k_tdgcn_name;
  const auto t0 = std::chrono::steady_clock::now();
  const auto pred = auth::models::predict_ensemble(models, test.x, device);
  e.predict_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  e.accuracy = auth::accuracy(test.y, pred);
  e.confusion = auth::confusion_matrix(test.y, pred, static_cast<std::size_t>(nof_classes));
  e.rates = auth::spoofer_detection(test.y, pred, nof_legal);
  e.nof_decisions = test.y.size();
  return e;
}

int nof_classes_of(const dataset::mobility_data& d) {
  return 1 + *std::max_element(d.transmitter.begin(), d.transmitter.end());
}

/// Mobility: train (windows) / validation / test sequence sets of one split.
struct mobility_sets {
  auth::models::sequence_set train, validation, test;
};
mobility_sets mobility_splits(const dataset::mobility_data& d, const std::string& split_name, int stride) {
  const auto& split = dataset::split_labels(d, split_name, "--split");
  mobility_sets s{auth::models::split_windows(d, split, dataset::m_train, stride),
                  auth::models::split_windows(d, split, dataset::m_validation, 0),
                  auth::models::split_windows(d, split, dataset::m_test, 0)};
  for (const auto* p : {&s.train, &s.validation, &s.test})
    if (p->y.empty())
      throw error("a split is empty", {"dataset", "/labels/split_" + split_name, {}}, "sequences in every split",
                  "none");
  return s;
}

/// A TDGCN checkpoint that fits the dataset's D, T and classes.
auth::models::loaded_tdgcn load_checked(const std::filesystem::path& checkpoint, const dataset::mobility_data& d,
                                        torch::Device device) {
  auto loaded = auth::models::load_tdgcn(checkpoint, device);
  const auto& o = loaded.net->options();
  const int nof_classes = nof_classes_of(d);
  if (o.nof_dims() != static_cast<int>(d.nof_dims()) || o.nof_steps() != static_cast<int>(d.nof_steps()) ||
      o.nof_classes() != nof_classes)
    throw error("checkpoint does not fit the dataset", {checkpoint.string(), "model_options", {}},
                fmt::format("D={} T={} classes={}", d.nof_dims(), d.nof_steps(), nof_classes),
                fmt::format("D={} T={} classes={}", o.nof_dims(), o.nof_steps(), o.nof_classes()));
  return loaded;
}

}  // namespace

void check_tdgcn_checkpoint(const std::filesystem::path& checkpoint, const dataset::mobility_data& d,
                            const std::string& device) {
  (void)load_checked(checkpoint, d, nn::parse_device(device));
}

auth::evaluation tdgcn_eval_stage(run_context& ctx, const dataset::mobility_data& d, const std::string& split,
                                  const tdgcn_settings& cfg, const std::filesystem::path& checkpoint,
                                  std::uint64_t seed, const std::string& device_name, bool train_accuracy) {
  auto t = ctx.report().time(checkpoint.empty() ? "tdgcn train + test" : "tdgcn test");
  const auto device = nn::parse_device(device_name);
  const auto s = mobility_splits(d, split, checkpoint.empty() ? cfg.data.window_stride : 0);
  const int nof_classes = nof_classes_of(d);
  if (!checkpoint.empty()) {
    const auto loaded = load_checked(checkpoint, d, device);
    auto e = evaluate_tdgcn({loaded.handle}, s.test, nof_classes, d.nof_legal, device);
    e.parameters = "checkpoint " + checkpoint.filename().string();
    e.validation_accuracy = loaded.meta.best_metric;
    return e;
  }
  nn::fit_options fo;
  fo.show_progress = !log::quiet();
  const auto t0 = std::chrono::steady_clock::now();
  auto fit = auth::models::fit_tdgcn(cfg.model, nof_classes, s.train, s.validation, cfg.train, device, seed, fo);
  const double fit_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  auto e = evaluate_tdgcn({fit.handle}, s.test, nof_classes, d.nof_legal, device);
  e.fit_s = fit_s;
  if (train_accuracy) {  // the training split's whole sequences (the windows trained on overlap them)
    const auto& split_codes = dataset::split_labels(d, split, "--split");
    const auto seen = auth::models::split_windows(d, split_codes, dataset::m_train, 0);
    const auto on_train = evaluate_tdgcn({fit.handle}, seen, nof_classes, d.nof_legal, device);
    e.train_accuracy = on_train.accuracy;
    e.nof_train_decisions = on_train.nof_decisions;
  }
  e.validation_accuracy = fit.result.best_metric;
  // No timings here: accuracy.csv (which holds `parameters`) must be byte-stable; they go to the log and report.
  e.parameters = fmt::format("{}; best epoch {} of {}", model_summary(cfg.model), fit.result.best_epoch,
                             fit.result.history.size());
  log::info("tdgcn: {}, {:.2f} s/epoch", e.parameters, fit.result.seconds_per_epoch);
  return e;
}

openset_scores tdgcn_openset_stage(run_context& ctx, const dataset::mobility_data& d, const std::string& split,
                                   const tdgcn_settings& cfg, std::uint64_t seed, const std::string& device_name) {
  auto t = ctx.report().time("open-set tdgcn");
  const auto device = nn::parse_device(device_name);
  const auto& codes = dataset::split_labels(d, split, "--split");
  // The split's codes with the other side's sequences marked unused: legal ones for training, validation and the
  // legal test set, spoofers for the spoofer test set.
  auto only = [&](bool legal) {
    auto c = codes;
    for (std::size_t i = 0; i < c.size(); ++i)
      if ((d.transmitter[i] < d.nof_legal) != legal) c[i] = dataset::m_unused;
    return c;
  };
  const auto legal = only(true), spoofers = only(false);
  const auto train = auth::models::split_windows(d, legal, dataset::m_train, cfg.data.window_stride);
  const auto validation = auth::models::split_windows(d, legal, dataset::m_validation, 0);
  nn::fit_options fo;
  fo.show_progress = !log::quiet();
  const auto fit = auth::models::fit_tdgcn(cfg.model, d.nof_legal, train, validation, cfg.train, device, seed, fo);
  auto score = [&](const std::vector<std::uint8_t>& c, std::uint8_t code, int stride) {
    const auto s = auth::models::split_windows(d, c, code, stride);
    return auth::max_probability_score(auth::models::predict_proba_ensemble({fit.handle}, s.x, device));
  };
  return {score(legal, dataset::m_train, 0), score(legal, dataset::m_validation, 0), score(legal, dataset::m_test, 0),
          score(spoofers, dataset::m_test, 0)};
}

namespace {

/// UEA: the training file as (train, validation) pairs, one per model, and the test file as given.
struct uea_sets {
  std::vector<std::pair<auth::models::sequence_set, auth::models::sequence_set>> runs;
  auth::models::sequence_set test;
  std::vector<std::string> class_names;
};

auth::models::sequence_set take(const dataset::uea_data& d, const std::vector<std::size_t>& idx) {
  auth::models::sequence_set s;
  const std::size_t D = d.nof_dims(), T = d.nof_steps();
  s.x = ndarray<float>({idx.size(), D, T});
  for (std::size_t r = 0; r < idx.size(); ++r) {
    std::copy_n(d.series.ptr() + idx[r] * D * T, D * T, s.x.ptr() + r * D * T);
    s.y.push_back(d.labels[idx[r]]);
  }
  return s;
}

/// Stratified and seeded: each class's cases in a shuffled order. folds = 1: the first validation_fraction of them
/// validate (at least one). folds = k: they are dealt to the k folds in turn (each class starting where the
/// previous one stopped, so the folds differ in size by at most one case); model f validates on fold f and trains
/// on the others.
uea_sets uea_splits(const auth_train_options& o, const tdgcn_data_config& c, std::uint64_t seed) {
  auto tr = dataset::read_uea(o.ts_train);
  auto te = dataset::read_uea(o.ts_test);
  dataset::check_uea_compatible(tr, te, o.ts_test);
  dataset::pad_uea_pair(tr, te);
  auto rng = rng_stream(seed).derive("auth/train/validation_split");
  const auto k = static_cast<std::size_t>(c.folds);
  std::vector<std::vector<std::size_t>> val_idx(k);
  std::size_t next_fold = 0;
  for (std::size_t cls = 0; cls < tr.class_names.size(); ++cls) {
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < tr.labels.size(); ++i)
      if (tr.labels[i] == static_cast<int>(cls)) members.push_back(i);
    for (std::size_t i = members.size(); i > 1; --i) std::swap(members[i - 1], members[rng.uniform_int(i)]);
    if (k == 1) {
      const auto nv =
          members.empty() ? 0 : std::max<std::size_t>(1, std::lround(c.validation_fraction * members.size()));
      val_idx[0].insert(val_idx[0].end(), members.begin(), members.begin() + static_cast<std::ptrdiff_t>(nv));
    } else {
      for (const auto m : members) val_idx[next_fold++ % k].push_back(m);
    }
  }
  uea_sets out;
  for (auto& v : val_idx) {
    std::sort(v.begin(), v.end());
    std::vector<std::size_t> train_idx;
    for (std::size_t i = 0; i < tr.nof_cases(); ++i)
      if (!std::binary_search(v.begin(), v.end(), i)) train_idx.push_back(i);
    out.runs.emplace_back(take(tr, train_idx), take(tr, v));
  }
  std::vector<std::size_t> all(te.nof_cases());
  for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
  out.test = take(te, all);
  out.class_names = tr.class_names;
  return out;
}

/// Before any output exists: every split non-empty, at least two classes in training, at least two input dimensions
/// (the TDGCN's graph has a node per dimension). `source` names the file in the errors.
void check_sets(const auth::models::sequence_set& train, const auth::models::sequence_set& validation,
                const auth::models::sequence_set& test, const std::string& source) {
  for (const auto& [s, which] : {std::pair{&train, "train split"}, {&validation, "validation split"}, {&test, "test split"}})
    if (s->y.empty()) throw error("a split is empty", {source, which, {}}, "at least one sequence", "none");
  auth::require_two_classes(train.y, {source, "labels", {}}, "class");
  if (train.x.rank() != 3 || train.x.shape[1] < 2)
    throw error("too few input dimensions for the TDGCN's graph", {source, "dimensions", {}}, "at least 2",
                shape_string(train.x.shape));
}

}  // namespace

void run_auth_train(const auth_train_options& o) {
  log::set_quiet(o.common.quiet);
  auto cfg = load_config<auth_train_config>(o.common);
  const bool uea = !o.ts_train.empty();
  if (uea == !o.dataset.empty())
    throw error("choose one data source", {"", "--dataset", {}}, "-d FILE or --ts TRAIN.ts --ts-test TEST.ts",
                uea ? "both" : "neither");
  if (uea && o.ts_test.empty())
    throw error("no test file", {"", "--ts-test", {}}, "--ts-test TEST.ts beside --ts", "none");
  nn::configure_threads(cfg.run.threads);
  const auto device = nn::parse_device(cfg.run.device);
  // Read everything (and fail) before any output exists. One (train, validation) pair per model: UEA with
  // data.folds = k > 1 trains an ensemble of k fold models; otherwise one model.
  std::vector<std::pair<auth::models::sequence_set, auth::models::sequence_set>> runs;
  auth::models::sequence_set test;
  std::vector<std::string> class_names;
  int nof_legal = 0;  // spoofer rates only for the mobility dataset
  std::string source;
  if (uea) {
    auto s = uea_splits(o, cfg.tdgcn.data, cfg.run.seed);
    runs = std::move(s.runs), test = std::move(s.test);
    class_names = s.class_names;
    nof_legal = static_cast<int>(class_names.size());
    source = o.ts_train;
  } else {
    const auto d = dataset::read_mobility(o.dataset);
    auto s = mobility_splits(d, o.split, cfg.tdgcn.data.window_stride);
    runs.emplace_back(std::move(s.train), std::move(s.validation));
    test = std::move(s.test);
    for (int c = 0; c < nof_classes_of(d); ++c)
      class_names.push_back((c < d.nof_legal ? "legal" : "spoofer") + std::to_string(c));
    nof_legal = d.nof_legal;
    source = o.dataset;
  }
  for (const auto& [train, validation] : runs) check_sets(train, validation, test, source);
  const bool ensemble = runs.size() > 1;
  const int nof_classes = static_cast<int>(class_names.size());
  const std::string toml = config::show(cfg, k_auth_train_title);
  run_context ctx("auth train", o.common, cfg.run.seed, toml, cfg.run.device);
  std::vector<auth::models::tdgcn_fit> fits;
  std::vector<nn::model_handle> handles;
  for (std::size_t f = 0; f < runs.size(); ++f) {
    const auto& [train, validation] = runs[f];
    log::info("{}: {}train {} {} (validation {}, test {}), {} classes", source,
              ensemble ? fmt::format("fold {}/{}: ", f + 1, runs.size()) : "", train.y.size(),
              shape_string(train.x.shape), validation.y.size(), test.y.size(), nof_classes);
    nn::fit_options fo;
    fo.checkpoint = ctx.output(ensemble ? fmt::format("checkpoint_fold{}.pt", f + 1) : "checkpoint.pt");
    fo.resume = o.resume && (!ensemble || std::filesystem::exists(fo.checkpoint));  // later folds may not exist yet
    fo.config_toml = toml;
    fo.show_progress = !o.common.quiet;
    fo.checkpoint_interval_s = 30;  // thousands of short epochs on small files
    // One model: the run's seed (as before folds existed); fold f: a stream of its own.
    const auto seed = ensemble ? rng_stream(cfg.run.seed).derive("auth/train/fold").at(f)() : cfg.run.seed;
    auto t = ctx.report().time(ensemble ? fmt::format("train fold {}", f + 1) : "train");
    fits.push_back(auth::models::fit_tdgcn(cfg.tdgcn.model, nof_classes, train, validation, cfg.tdgcn.train, device,
                                           seed, fo));
    handles.push_back(fits.back().handle);
  }
  auth::evaluation e;
  {
    auto t = ctx.report().time("test");
    e = evaluate_tdgcn(handles, test, nof_classes, nof_legal, device);
  }
  nn::complexity_report cx;
  {
    auto t = ctx.report().time("complexity");
    cx = nn::measure_complexity(handles.front(), {1, static_cast<std::int64_t>(test.x.shape[1]),
                                                   static_cast<std::int64_t>(test.x.shape[2])},
                                device, 100);
  }
  table hist({"fold", "epoch", "train_loss", "val_loss", "val_accuracy", "learning_rate", "seconds", "improved"});
  std::vector<plot_series> losses, accuracies;
  for (std::size_t f = 0; f < fits.size(); ++f) {
    const std::string tag = ensemble ? fmt::format("fold {} ", f + 1) : "";
    plot_series loss_tr{tag + "train loss", {}, {}}, loss_va{tag + "validation loss", {}, {}},
        acc_va{tag + "validation accuracy", {}, {}};
    for (const auto& r : fits[f].result.history) {
      hist.add_row({static_cast<std::int64_t>(f + 1), static_cast<std::int64_t>(r.epoch), r.train_loss, r.val_loss,
                    r.metric, r.learning_rate, r.seconds, static_cast<std::int64_t>(r.improved)});
      loss_tr.x.push_back(r.epoch), loss_tr.y.push_back(r.train_loss);
      loss_va.x.push_back(r.epoch), loss_va.y.push_back(r.val_loss);
      acc_va.x.push_back(r.epoch), acc_va.y.push_back(r.metric);
    }
    losses.push_back(loss_tr), losses.push_back(loss_va), accuracies.push_back(acc_va);
  }
  hist.write_csv(ctx.output("history.csv"));
  ctx.plot({"TDGCN loss", "epoch", "cross-entropy", losses, false}, "loss.png");
  ctx.plot({"TDGCN validation accuracy", "epoch", "accuracy", accuracies, false}, "accuracy.png");
  cx.summary_table().write_csv(ctx.output("complexity.csv"));
  cx.layer_table().write_csv(ctx.output("complexity_layers.csv"));
  const auto conf = auth::confusion_table(e.confusion);
  conf.write_csv(ctx.output("confusion.csv"));
  // Per model: its selected epoch and, for an ensemble, its own test accuracy (reported, never used to choose).
  // Cross-validated accuracy: each fold model's accuracy on its held-out fold at its selected epoch, pooled.
  nlohmann::json members = nlohmann::json::array();
  double cv_correct = 0, cv_cases = 0, train_s = 0, epoch_s = 0;
  std::vector<int> best_epochs;
  for (std::size_t f = 0; f < fits.size(); ++f) {
    const auto& r = fits[f].result;
    const auto nv = static_cast<double>(runs[f].second.y.size());
    cv_correct += r.best_metric * nv, cv_cases += nv, train_s += r.seconds, epoch_s += r.seconds_per_epoch;
    best_epochs.push_back(r.best_epoch);
    members.push_back({{"fold", f + 1},
                       {"nof_train", runs[f].first.y.size()},
                       {"nof_validation", runs[f].second.y.size()},
                       {"best_epoch", r.best_epoch},
                       {"best_val_loss", r.best_val_loss},
                       {"best_val_accuracy", r.best_metric},
                       {"epochs_run", r.history.size()},
                       {"steps", r.steps},
                       {"test_accuracy", ensemble ? auth::accuracy(test.y, auth::models::predict_classes(
                                                                               handles[f], test.x, device))
                                                  : e.accuracy}});
  }
  const auto& first = fits.front().result;
  auto& res = ctx.report().results();
  res["data"] = {{"source", source},
                 {"kind", uea ? "uea" : "mobility"},
                 {"split", !uea      ? o.split
                           : ensemble ? fmt::format("{} stratified folds of TRAIN.ts; test = TEST.ts", runs.size())
                                      : "validation carved from TRAIN.ts; test = TEST.ts"},
                 {"nof_train", runs.front().first.y.size() + (ensemble ? runs.front().second.y.size() : 0)},
                 {"nof_validation", ensemble ? 0 : runs.front().second.y.size()},
                 {"nof_test", test.y.size()},
                 {"series_length", test.x.shape[2]},  // after padding unequal lengths
                 {"class_names", class_names}};
  res["tdgcn"] = {{"test_accuracy", e.accuracy},
                  {"models", fits.size()},
                  {"cv_accuracy", cv_correct / cv_cases},
                  {"members", members},
                  {"best_epoch", first.best_epoch},
                  {"best_val_accuracy", first.best_metric},
                  {"best_val_loss", first.best_val_loss},
                  {"steps", first.steps},
                  {"epochs_run", first.history.size()},
                  {"stopped_early", first.stopped_early},
                  {"seconds_per_epoch", epoch_s / static_cast<double>(fits.size())},
                  {"train_s", train_s},
                  {"test_predict_s", e.predict_s},
                  {"far", e.rates.far},
                  {"mdr", e.rates.mdr},
                  {"confusion", conf.to_json()},
                  {"complexity", cx.summary_table().to_json()}};
  if (ensemble)
    fmt::print("TDGCN on {}: test accuracy {:.4f} ({} decisions), ensemble of {} fold models; cross-validated "
               "accuracy on the training file {:.4f}; best epochs {}; {:.1f} s training\n",
               source, e.accuracy, e.nof_decisions, fits.size(), cv_correct / cv_cases,
               fmt::join(best_epochs, " "),
               train_s);
  else
    fmt::print("TDGCN on {}: test accuracy {:.4f} ({} decisions); best epoch {} (validation loss {:.4f}, accuracy "
               "{:.4f}) of {} ({} steps); {:.3f} s/epoch\n",
               source, e.accuracy, e.nof_decisions, first.best_epoch, first.best_val_loss, first.best_metric,
               first.history.size(), first.steps, first.seconds_per_epoch);
  if (!uea) fmt::print("FAR {:.4f}, MDR {:.4f}\n", e.rates.far, e.rates.mdr);
  fmt::print("{}confusion (rows = truth):\n{}", cx.summary_table().to_text(), conf.to_text());
  ctx.finish();
}

}  // namespace physec::app
