// physec keygen train (physec-neural only): trains a PSKG feature model (CNN-AE-SSA, CNN-AE or dense AE) on a wiretap
// dataset, streamed from HDF5, to map each party's measured CSI to the reciprocal channel; writes the checkpoint, the
// history, a loss plot, the complexity report and report.json. Also the app-level seam `apply_keygen_model` used by
// `keygen eval --model` (and by other stages that quantize model outputs). Config and options: cmd_keygen_train.cpp.
#include <fmt/format.h>

#include "cli.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/log.hpp"
#include "physec/core/plot.hpp"
#include "physec/keygen/models/apply.hpp"
#include "physec/keygen/models/config.hpp"
#include "physec/keygen/models/data.hpp"
#include "physec/keygen/models/key_encoder.hpp"
#include "physec/keygen/models/modules.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/complexity.hpp"
#include "physec/nn/device.hpp"
#include "physec/nn/runtime.hpp"
#include "stages.hpp"
#include "neural.hpp"
#include "train_commands.hpp"

namespace physec::app {

namespace {

void write_history(run_context& ctx, const nn::train_result& r, const std::string& loss) {
  table h({"epoch", "train_loss", "val_loss", "metric", "learning_rate", "seconds", "improved"});
  plot_series tr{"training loss", {}, {}}, va{"validation loss", {}, {}};
  for (const auto& e : r.history) {
    h.add_row({static_cast<std::int64_t>(e.epoch), e.train_loss, e.val_loss, e.metric, e.learning_rate, e.seconds,
               static_cast<std::int64_t>(e.improved)});
    tr.x.push_back(e.epoch);
    tr.y.push_back(e.train_loss);
    va.x.push_back(e.epoch);
    va.y.push_back(e.val_loss);
  }
  h.write_csv(ctx.output("history.csv"));
  if (!gnuplot_available()) {
    log::warn("gnuplot not found: no loss.png");
    return;
  }
  plot_png({"Training history", "epoch", loss == "mse" ? "MSE (normalised CSI)" : "MSE up to a phase per symbol (normalised CSI)", {tr, va}, true}, ctx.output("loss.png"));
}

}  // namespace

void run_keygen_train(keygen_train_options& o) {
  log::set_quiet(o.common.quiet);
  if (!o.model.empty()) o.common.overrides.push_back("model.name=" + o.model);
  auto cfg = load_config<keygen_train_config>(o.common);
  nn::configure_threads(cfg.run.threads);
  const std::string toml = config::show(cfg, k_keygen_train_title);
  run_context ctx("keygen train", o.common, cfg.run.seed, toml, cfg.run.device);
  keygen_train_stage(ctx, cfg.settings, o.dataset, cfg.run, o.resume, toml);
  ctx.finish();
}

std::filesystem::path keygen_train_stage(run_context& ctx, const keygen_train_settings& cfg,
                                         const std::filesystem::path& dataset, const run_config& run, bool resume,
                                         const std::string& config_toml) {
  const torch::Device device = nn::parse_device(run.device);
  shape_t shape;
  {
    h5::reader r(dataset);
    shape = r.shape("/alice");
  }
  if (shape.size() != 5)
    throw error("wrong rank", {dataset.string(), "/alice", {}}, "[n, alice_ant, bob_ant, subcarriers, symbols]",
                shape_string(shape));
  const auto f = static_cast<int>(shape[3]), t = static_cast<int>(shape[4]);
  const bool align = cfg.input_phase == "aligned";
  std::unique_ptr<nn::example_source> train =
      keygen::models::wiretap_h5_source(dataset, dataset::split_label::train, cfg.target, align);
  std::unique_ptr<nn::example_source> validation =
      keygen::models::wiretap_h5_source(dataset, dataset::split_label::validation, cfg.target, align);
  if (!cfg.stream) {
    auto t = ctx.report().time("read examples");
    train = keygen::models::read_all(*train);
    validation = keygen::models::read_all(*validation);
  }
  log::info("{}: {} x {} CSI per antenna pair; {} training and {} validation examples (party x probe), target {}",
            dataset.string(), f, t, train->size(), validation->size(), cfg.target);

  nn::seed_torch(run.seed);
  nn::model_handle model =
      keygen::models::make_keygen_model(cfg.model.name, keygen::models::options_json(cfg.model, f, t));
  nn::train_task task;
  task.loss = [loss = cfg.loss](const torch::Tensor& y, const torch::Tensor& target) {
    return keygen::models::feature_model_loss(loss, y, target);
  };
  nn::fit_options fo;
  fo.checkpoint = ctx.output("checkpoint.pt");
  fo.resume = resume;
  fo.config_toml = config_toml;
  fo.extra_json = keygen::models::model_extra_json(cfg.target, shape[3], shape[4], align);
  fo.show_progress = !log::quiet();
  nn::train_result r;
  {
    auto timer = ctx.report().time("train");
    r = nn::trainer(model, cfg.train, device, run.seed).fit(*train, *validation, task, fo);
  }
  write_history(ctx, r, cfg.loss);

  nn::complexity_report c;
  {
    auto timer = ctx.report().time("complexity");
    c = nn::measure_complexity(model, {1, 2, f, t}, device, cfg.latency_runs);
  }
  c.layer_table().write_csv(ctx.output("complexity_layers.csv"));
  const table summary = c.summary_table();
  summary.write_csv(ctx.output("complexity.csv"));

  ctx.report().results()["keygen_train"] = {{"dataset", dataset.string()},
                                            {"model", cfg.model.name},
                                            {"target", cfg.target},
                                            {"loss", cfg.loss},
                                            {"input_phase", cfg.input_phase},
                                            {"epochs_run", r.history.size()},
                                            {"best_epoch", r.best_epoch},
                                            {"best_val_loss", r.best_metric},
                                            {"stopped_early", r.stopped_early},
                                            {"train_seconds", r.seconds},
                                            {"seconds_per_epoch", r.seconds_per_epoch},
                                            {"parameters", c.parameters},
                                            {"macs", c.macs},
                                            {"latency_p50_ms", c.latency_p50_ms},
                                            {"latency_p90_ms", c.latency_p90_ms},
                                            {"complexity", summary.to_json()}};
  if (!log::quiet()) {
    fmt::print("model {} (target {}, loss {}): best validation loss {:.5g} at epoch {} of {}{}; {:.2f} s/epoch, {:.1f} s in all\n",
               cfg.model.name, cfg.target, cfg.loss, r.best_metric, r.best_epoch, r.history.size(),
               r.stopped_early ? " (early stop)" : "", r.seconds_per_epoch, r.seconds);
    fmt::print("complexity (batch 1, input [1, 2, {}, {}], {}):\n{}", f, t, run.device, summary.to_text());
    fmt::print("checkpoint: {}  (physec keygen eval -d {} --model {})\n", fo.checkpoint.string(), dataset.string(),
               fo.checkpoint.string());
  }
  return fo.checkpoint;
}

dataset::wiretap_data apply_keygen_model(run_context& ctx, const std::string& ckpt, const dataset::wiretap_data& d,
                                         const std::string& device) {
  auto timer = ctx.report().time("apply model");
  dataset::wiretap_data out = keygen::models::apply_checkpoint(ckpt, d, device);
  ctx.report().results()["model"] = {{"checkpoint", ckpt}, {"name", keygen::models::checkpoint_model_name(ckpt)}};
  log::info("{}: model {} applied to every party's CSI", ckpt, keygen::models::checkpoint_model_name(ckpt));
  return out;
}

keygen::learned_map_trainer key_encoder_trainer(run_context& ctx, const keygen::key_encoder_config& cfg,
                                                std::uint64_t seed) {
  auto history = std::make_shared<table>(std::vector<std::string>{"snr_dB", "epoch", "train_loss", "val_loss"});
  return [&ctx, cfg, seed, history](const std::vector<keygen::learned_map_link>& links, double snr_dB) {
    auto timer = ctx.report().time(std::isnan(snr_dB) ? std::string("train key encoder")
                                                      : fmt::format("train key encoder at {} dB", snr_dB));
    // One seed per pool, from the run's seed and the pool's SNR (all SNRs: index 0).
    const std::uint64_t s = rng_stream(seed)
                                .derive("keygen/key_encoder")
                                .at(std::isnan(snr_dB) ? 0 : static_cast<std::uint64_t>(std::llround(snr_dB * 1000)))
                                .key();
    keygen::models::key_encoder_fit_report r;
    auto map = keygen::models::train_key_encoder(links, cfg, s, &r);
    for (const auto& h : r.history) history->add_row({snr_dB, h[0], h[1], h[2]});
    history->write_csv(ctx.output("key_encoder_history.csv"));
    auto& out = ctx.report().results()["key_encoder"];
    out.push_back({{"snr_dB", snr_dB},
                   {"nof_links", r.nof_links},
                   {"nof_train_pairs", r.nof_train},
                   {"nof_val_pairs", r.nof_val},
                   {"epochs_run", r.epochs_run},
                   {"best_epoch", r.best_epoch},
                   {"initial_val_loss", r.initial_val_loss},
                   {"best_val_loss", r.best_val_loss},
                   {"stopped_early", r.stopped_early},
                   {"train_seconds", r.seconds},
                   {"parameters", r.parameters},
                   {"macs", r.macs},
                   {"latency_p50_ms", r.latency_p50_ms},
                   {"latency_p90_ms", r.latency_p90_ms}});
    log::info("key encoder{}: {} links, {} / {} pairs; validation loss {:.4f} -> {:.4f} at epoch {} of {}{}; "
              "{} parameters, {} MACs, {:.3f} ms (batch 1); {:.1f} s",
              std::isnan(snr_dB) ? std::string() : fmt::format(" at {} dB", snr_dB), r.nof_links, r.nof_train, r.nof_val,
              r.initial_val_loss, r.best_val_loss, r.best_epoch, r.epochs_run, r.stopped_early ? " (early stop)" : "",
              r.parameters, r.macs, r.latency_p50_ms, r.seconds);
    return map;
  };
}

}  // namespace physec::app
