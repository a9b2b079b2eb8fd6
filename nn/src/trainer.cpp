#include "physec/nn/trainer.hpp"

#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <nlohmann/json.hpp>

#include "checkpoint_io.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/version.hpp"

namespace physec::nn {

namespace {

torch::Tensor index_tensor(const std::vector<std::size_t>& index) {
  std::vector<std::int64_t> v(index.begin(), index.end());
  return torch::tensor(v, torch::kLong);
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(const train_config& cfg, const torch::nn::Module& module) {
  auto params = module.parameters(true);
  if (cfg.optimizer == "adamw")
    return std::make_unique<torch::optim::AdamW>(
        params, torch::optim::AdamWOptions(cfg.learning_rate).weight_decay(cfg.weight_decay));
  return std::make_unique<torch::optim::Adam>(params,
                                              torch::optim::AdamOptions(cfg.learning_rate).weight_decay(cfg.weight_decay));
}

void set_learning_rate(torch::optim::Optimizer& opt, const std::string& kind, double lr) {
  for (auto& group : opt.param_groups()) {
    if (kind == "adamw")
      static_cast<torch::optim::AdamWOptions&>(group.options()).lr(lr);
    else
      static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
  }
}

// The state the trainer needs to continue a run exactly, stored in the checkpoint as JSON.
struct run_state {
  int epoch = 0;  // epochs completed
  std::int64_t steps = 0;  // optimiser steps taken
  int best_epoch = 0;
  double best_metric = 0;     // the task's metric at the best epoch
  double best_selection = 0;  // the value the best epoch was selected on (the metric or the validation loss)
  int bad_epochs = 0;    // since the last improvement (early stopping)
  int plateau_bad = 0;   // since the last improvement or decay (plateau schedule)
  double learning_rate = 0;
  bool stopped_early = false;
  std::vector<epoch_record> history;

  nlohmann::json to_json() const {
    nlohmann::json h = nlohmann::json::array();
    for (const auto& r : history)
      h.push_back({r.epoch, r.train_loss, r.val_loss, r.metric, r.learning_rate, r.seconds, r.improved});
    return {{"epoch", epoch},           {"steps", steps},               {"best_epoch", best_epoch},
            {"best_metric", best_metric},   {"best_selection", best_selection},
            {"bad_epochs", bad_epochs}, {"plateau_bad", plateau_bad},   {"learning_rate", learning_rate},
            {"stopped_early", stopped_early}, {"history", h}};
  }
  static run_state from_json(const nlohmann::json& j) {
    run_state s;
    s.epoch = j.at("epoch").get<int>();
    s.best_epoch = j.at("best_epoch").get<int>();
    s.best_metric = j.at("best_metric").get<double>();
    s.steps = j.value("steps", std::int64_t{0});  // absent in checkpoints written before the step budget
    s.best_selection = j.value("best_selection", s.best_metric);
    s.bad_epochs = j.at("bad_epochs").get<int>();
    s.plateau_bad = j.at("plateau_bad").get<int>();
    s.learning_rate = j.at("learning_rate").get<double>();
    s.stopped_early = j.at("stopped_early").get<bool>();
    for (const auto& r : j.at("history")) {
      epoch_record e;
      e.epoch = r.at(0).get<int>();
      e.train_loss = r.at(1).get<double>();
      e.val_loss = r.at(2).get<double>();
      e.metric = r.at(3).get<double>();
      e.learning_rate = r.at(4).get<double>();
      e.seconds = r.at(5).get<double>();
      e.improved = r.at(6).get<bool>();
      s.history.push_back(e);
    }
    return s;
  }
};

}  // namespace

void seed_torch(std::uint64_t seed) {
  // torch takes a 64-bit seed; derive it through the physec stream so that "seed" means the same everywhere.
  torch::manual_seed(rng_stream(seed).derive("nn/torch_init")());
}

tensor_source::tensor_source(torch::Tensor inputs, torch::Tensor targets)
    : inputs_(std::move(inputs)), targets_(std::move(targets)) {
  if (inputs_.size(0) != targets_.size(0))
    throw error("inputs and targets differ in length", {"", "tensor_source", {}},
                std::to_string(inputs_.size(0)) + " targets", std::to_string(targets_.size(0)));
}

std::size_t tensor_source::size() const { return static_cast<std::size_t>(inputs_.size(0)); }

example_batch tensor_source::batch(const std::vector<std::size_t>& index) const {
  const auto ix = index_tensor(index);
  return {inputs_.index_select(0, ix), targets_.index_select(0, ix)};
}

h5_source::h5_source(std::filesystem::path file, std::vector<std::size_t> rows, loader load)
    : file_(std::move(file)), rows_(std::move(rows)), load_(std::move(load)) {}

example_batch h5_source::batch(const std::vector<std::size_t>& index) const {
  // Read the file rows in ascending order (sequential I/O), then put the batch back into the requested order.
  std::vector<std::size_t> order(index.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return rows_.at(index[a]) < rows_.at(index[b]); });
  std::vector<std::size_t> sorted_rows(index.size());
  for (std::size_t i = 0; i < order.size(); ++i) sorted_rows[i] = rows_.at(index[order[i]]);
  example_batch b = load_(file_, sorted_rows);
  std::vector<std::int64_t> inverse(order.size());
  for (std::size_t i = 0; i < order.size(); ++i) inverse[order[i]] = static_cast<std::int64_t>(i);
  const auto ix = torch::tensor(inverse, torch::kLong);
  return {b.inputs.index_select(0, ix), b.targets.index_select(0, ix)};
}

double mean_loss(const model_handle& model, const example_source& source, const train_task& task, torch::Device device,
                 int batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.module->is_training();
  model.module->eval();
  double sum = 0;
  const std::size_t n = source.size();
  for (std::size_t first = 0; first < n; first += static_cast<std::size_t>(batch_size)) {
    std::vector<std::size_t> idx;
    for (std::size_t i = first; i < std::min(n, first + static_cast<std::size_t>(batch_size)); ++i) idx.push_back(i);
    auto b = source.batch(idx);
    const auto out = model.forward(b.inputs.to(device));
    sum += task.loss(out, b.targets.to(device)).item<double>() * static_cast<double>(idx.size());
  }
  model.module->train(was_training);
  return n ? sum / static_cast<double>(n) : std::nan("");
}

torch::Tensor predict(const model_handle& model, const torch::Tensor& inputs, torch::Device device, int batch_size) {
  torch::NoGradGuard no_grad;
  const bool was_training = model.module->is_training();
  model.module->eval();
  std::vector<torch::Tensor> parts;
  const std::int64_t n = inputs.size(0);
  for (std::int64_t first = 0; first < n; first += batch_size) {
    const std::int64_t len = std::min<std::int64_t>(batch_size, n - first);
    parts.push_back(model.forward(inputs.narrow(0, first, len).to(device)).to(torch::kCPU));
  }
  model.module->train(was_training);
  if (parts.empty()) return torch::empty({0});
  return torch::cat(parts, 0);
}

trainer::trainer(model_handle model, train_config cfg, torch::Device device, std::uint64_t seed)
    : model_(std::move(model)), cfg_(std::move(cfg)), device_(device), seed_(seed) {
  config::validate(cfg_, "train");
}

train_result trainer::fit(const example_source& train, const example_source& validation, const train_task& task,
                          const fit_options& o) {
  if (train.size() == 0) throw error("no training examples", {"", "train", {}}, "at least one", "0");
  if (validation.size() == 0)
    throw error("no validation examples (early stopping and the schedule need them)", {"", "validation", {}},
                "at least one", "0");
  if (!task.loss) throw error("no loss function", {"", "train_task.loss", {}});
  auto& module = *model_.module;
  module.to(device_);
  auto optimizer = make_optimizer(cfg_, module);
  auto current = detail::state_of(module);
  detail::named_tensors best;

  run_state st;
  st.learning_rate = cfg_.learning_rate;
  checkpoint_meta meta;
  meta.model_name = model_.name;
  meta.model_options_json = model_.options_json;
  meta.config_toml = o.config_toml;
  meta.physec_version = version();
  meta.git_describe = git_describe();
  meta.torch_version = TORCH_VERSION;
  meta.seed = seed_;
  meta.extra_json = o.extra_json;

  if (o.resume) {
    if (o.checkpoint.empty()) throw error("--resume needs a checkpoint path", {"", "checkpoint", {}});
    const checkpoint_meta stored = read_checkpoint_meta(o.checkpoint);
    if (stored.model_name != model_.name ||
        nlohmann::json::parse(stored.model_options_json) != nlohmann::json::parse(model_.options_json))
      throw error("cannot resume: the checkpoint was trained with another architecture",
                  {o.checkpoint.string(), "meta.model_options", {}}, model_.name + " " + model_.options_json,
                  stored.model_name + " " + stored.model_options_json);
    if (stored.config_toml != o.config_toml)
      throw error("cannot resume: the checkpoint was trained with another configuration (resume needs the same one)",
                  {o.checkpoint.string(), "meta.config_toml", {}}, "the checkpoint's config", "a different config");
    best = detail::clone_state(current);
    const auto c = detail::read_checkpoint(o.checkpoint, &current, &best, optimizer.get(), device_);
    st = run_state::from_json(nlohmann::json::parse(c.trainer_json));
    meta.extra_json = c.meta.extra_json;
    set_learning_rate(*optimizer, cfg_.optimizer, st.learning_rate);
    log::info("resuming {} from epoch {} (best {} = {:.6g} at epoch {})", o.checkpoint.string(), st.epoch,
              task.metric_name, st.best_metric, st.best_epoch);
  }

  const rng_stream shuffle_root = rng_stream(seed_).derive("nn/shuffle");
  const rng_stream torch_root = rng_stream(seed_).derive("nn/torch_epoch");
  const std::size_t n = train.size();
  const std::size_t bs = static_cast<std::size_t>(cfg_.batch_size);
  const auto t_start = std::chrono::steady_clock::now();
  auto last_write = t_start;
  int epochs_run = 0;
  const bool select_on_loss = cfg_.select_on == "val_loss";
  const bool higher_is_better = !select_on_loss && task.higher_is_better;
  const bool step_budget = cfg_.max_steps > 0;
  const double pi = 3.14159265358979323846;
  const auto cosine = [&](double fraction) {
    return cfg_.min_learning_rate +
           0.5 * (cfg_.learning_rate - cfg_.min_learning_rate) * (1 + std::cos(pi * std::min(1.0, fraction)));
  };
  const auto budget_left = [&] { return !step_budget || st.steps < cfg_.max_steps; };
  const bool finished_before = st.stopped_early || st.epoch >= cfg_.epochs || !budget_left();
  std::unique_ptr<progress> bar;
  if (o.show_progress && !finished_before) {
    auto epochs_left = static_cast<std::int64_t>(cfg_.epochs - st.epoch);
    if (step_budget) {  // the budget ends the run first when it is smaller
      const auto per_epoch = static_cast<std::int64_t>((n + bs - 1) / bs);
      epochs_left = std::min(epochs_left, (cfg_.max_steps - st.steps + per_epoch - 1) / per_epoch);
    }
    bar = std::make_unique<progress>("training " + model_.name, static_cast<std::size_t>(epochs_left), "epochs");
  }

  while (!st.stopped_early && st.epoch < cfg_.epochs && budget_left()) {
    const int epoch = st.epoch + 1;
    const auto t0 = std::chrono::steady_clock::now();
    torch::manual_seed(torch_root.at(static_cast<std::uint64_t>(epoch))());
    // Shuffle: Fisher–Yates on a stream of (seed, epoch).
    std::vector<std::size_t> order(n);
    for (std::size_t i = 0; i < n; ++i) order[i] = i;
    auto g = shuffle_root.at(static_cast<std::uint64_t>(epoch));
    for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[g.uniform_int(i)]);

    module.train();
    const double epoch_lr = st.learning_rate;  // at the epoch's first step (a per-step schedule moves it after)
    double loss_sum = 0;
    std::size_t seen = 0;
    for (std::size_t first = 0; first < n && budget_left(); first += bs) {
      std::vector<std::size_t> idx(order.begin() + static_cast<std::ptrdiff_t>(first),
                                   order.begin() + static_cast<std::ptrdiff_t>(std::min(n, first + bs)));
      auto b = train.batch(idx);
      optimizer->zero_grad();
      auto out = model_.forward(b.inputs.to(device_));
      auto loss = task.loss(out, b.targets.to(device_));
      const double l = loss.item<double>();
      if (!std::isfinite(l))
        throw error("training diverged: the loss is not finite", {"", "train.learning_rate", {}},
                    "a finite loss (try a smaller learning rate or grad_clip_norm)", std::to_string(l));
      loss.backward();
      if (cfg_.grad_clip_norm > 0) torch::nn::utils::clip_grad_norm_(module.parameters(true), cfg_.grad_clip_norm);
      optimizer->step();
      ++st.steps;
      loss_sum += l * static_cast<double>(idx.size());
      seen += idx.size();
      if (step_budget && cfg_.schedule == "cosine") {  // per step over the budget
        st.learning_rate = cosine(static_cast<double>(st.steps) / static_cast<double>(cfg_.max_steps));
        set_learning_rate(*optimizer, cfg_.optimizer, st.learning_rate);
      }
    }

    epoch_record rec;
    rec.epoch = epoch;
    rec.train_loss = loss_sum / static_cast<double>(seen);
    rec.val_loss = mean_loss(model_, validation, task, device_, std::max(cfg_.batch_size, 64));
    rec.metric = task.metric ? task.metric(model_, validation, device_) : rec.val_loss;
    rec.learning_rate = epoch_lr;
    const bool first_epoch = st.best_epoch == 0;
    const double selection = select_on_loss ? rec.val_loss : rec.metric;
    rec.improved = first_epoch || (higher_is_better ? selection > st.best_selection + cfg_.min_delta
                                                    : selection < st.best_selection - cfg_.min_delta);
    if (rec.improved) {
      st.best_metric = rec.metric;
      st.best_selection = selection;
      st.best_epoch = epoch;
      best = detail::clone_state(current);
      st.bad_epochs = 0;
      st.plateau_bad = 0;
    } else {
      ++st.bad_epochs;
      ++st.plateau_bad;
    }
    // Learning rate for the next epoch.
    if (cfg_.schedule == "plateau" && st.plateau_bad >= cfg_.schedule_patience) {
      st.learning_rate = std::max(cfg_.min_learning_rate, st.learning_rate * cfg_.schedule_factor);
      st.plateau_bad = 0;
    } else if (cfg_.schedule == "cosine" && !step_budget) {
      st.learning_rate = cosine(static_cast<double>(epoch) / cfg_.epochs);
    }
    set_learning_rate(*optimizer, cfg_.optimizer, st.learning_rate);
    if (cfg_.patience > 0 && st.bad_epochs >= cfg_.patience) st.stopped_early = true;
    rec.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    st.history.push_back(rec);
    st.epoch = epoch;
    ++epochs_run;
    log::info("epoch {:>3}/{}  train loss {:.5g}  val loss {:.5g}  {} {:.5g}{}  lr {:.3g}  {:.2f} s", epoch,
              cfg_.epochs, rec.train_loss, rec.val_loss, task.metric_name, rec.metric, rec.improved ? " *" : "  ",
              rec.learning_rate, rec.seconds);
    const bool write_now = o.checkpoint_interval_s <= 0 ||
                           std::chrono::duration<double>(std::chrono::steady_clock::now() - last_write).count() >=
                               o.checkpoint_interval_s;
    if (!o.checkpoint.empty() && write_now) {
      last_write = std::chrono::steady_clock::now();
      meta.epoch = st.epoch;
      meta.best_epoch = st.best_epoch;
      meta.best_metric = st.best_metric;
      meta.finished = false;
      detail::write_checkpoint(o.checkpoint, meta, st.to_json().dump(), current, best, optimizer.get());
    }
    if (bar) bar->advance();
  }
  if (bar) bar->finish();
  if (st.stopped_early)
    log::info("early stop after epoch {}: no improvement of {} for {} epochs", st.epoch,
              select_on_loss ? std::string("val_loss") : task.metric_name, cfg_.patience);

  // Leave the model with the best weights, and the checkpoint marked finished.
  if (!best.empty()) detail::copy_state(best, current);
  if (!o.checkpoint.empty()) {
    meta.epoch = st.epoch;
    meta.best_epoch = st.best_epoch;
    meta.best_metric = st.best_metric;
    meta.finished = true;
    detail::write_checkpoint(o.checkpoint, meta, st.to_json().dump(), current, best.empty() ? current : best,
                             optimizer.get());
  }

  train_result r;
  r.history = st.history;
  r.best_epoch = st.best_epoch;
  r.best_metric = st.best_metric;
  r.steps = st.steps;
  for (const auto& e : st.history)
    if (e.epoch == st.best_epoch) r.best_val_loss = e.val_loss;
  r.stopped_early = st.stopped_early;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_start).count();
  double epoch_s = 0;
  for (std::size_t i = r.history.size() - static_cast<std::size_t>(epochs_run); i < r.history.size(); ++i)
    epoch_s += r.history[i].seconds;
  r.seconds_per_epoch = epochs_run ? epoch_s / epochs_run : 0;
  for (const auto& p : module.parameters(true))
    if (p.requires_grad()) r.nof_parameters += p.numel();
  return r;
}

}  // namespace physec::nn
