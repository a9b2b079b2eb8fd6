#pragma once
/// @file The trainer shared by every physec model: mini-batches from an example source (in memory or streamed from
/// HDF5), Adam/AdamW, a learning-rate schedule, gradient clipping, early stopping on a validation metric, atomic
/// checkpoints after every epoch and exact `--resume`, progress with loss/metric/ETA. Includes LibTorch.
///
/// Determinism: the caller seeds torch before building the model (`seed_torch`); the trainer shuffles with a
/// physec rng_stream derived from (seed, epoch) and re-seeds torch at the start of every epoch from the same
/// stream, so a resumed run continues exactly as the uninterrupted one would have (on the same device and threads).

#include <torch/torch.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "physec/nn/train_config.hpp"

namespace physec::nn {

/// A model as the trainer, checkpoints and the complexity report see it.
struct model_handle {
  std::shared_ptr<torch::nn::Module> module;                  ///< owns the parameters
  std::function<torch::Tensor(const torch::Tensor&)> forward;  ///< [B, ...] -> [B, ...]
  std::string name;                                            ///< architecture name, e.g. "cnn_ae_ssa"
  std::string options_json;  ///< the architecture's options as JSON: enough to rebuild it before loading weights
};

/// Wraps a TORCH_MODULE holder whose `forward(torch::Tensor)` returns a tensor.
template <class Holder>
model_handle make_handle(Holder holder, std::string name, std::string options_json) {
  model_handle h;
  h.module = holder.ptr();
  h.forward = [holder](const torch::Tensor& x) mutable { return holder->forward(x); };
  h.name = std::move(name);
  h.options_json = std::move(options_json);
  return h;
}

/// Seeds torch's global generators (CPU and CUDA) from a physec seed stream; call before building a model.
void seed_torch(std::uint64_t seed);

/// One mini-batch: inputs and targets, stacked along dim 0 (on the CPU; the trainer moves them).
struct example_batch {
  torch::Tensor inputs;
  torch::Tensor targets;
};

/// Where examples come from.
class example_source {
 public:
  virtual ~example_source() = default;
  virtual std::size_t size() const = 0;
  /// The examples `index` (positions in [0, size())), in that order.
  virtual example_batch batch(const std::vector<std::size_t>& index) const = 0;
};

/// Examples held in memory: inputs `[n, ...]`, targets `[n, ...]` (same n).
class tensor_source : public example_source {
 public:
  tensor_source(torch::Tensor inputs, torch::Tensor targets);
  std::size_t size() const override;
  example_batch batch(const std::vector<std::size_t>& index) const override;
  const torch::Tensor& inputs() const { return inputs_; }
  const torch::Tensor& targets() const { return targets_; }

 private:
  torch::Tensor inputs_, targets_;
};

/// Examples streamed from an HDF5 file, batch by batch: only the rows of the current batch are read. `rows` are
/// the file rows that make up this source (e.g. the training split); `load` turns file rows (sorted ascending)
/// into a batch, reading them with `h5::reader::read_rows`.
class h5_source : public example_source {
 public:
  using loader = std::function<example_batch(const std::filesystem::path& file, const std::vector<std::size_t>& rows)>;
  h5_source(std::filesystem::path file, std::vector<std::size_t> rows, loader load);
  std::size_t size() const override { return rows_.size(); }
  example_batch batch(const std::vector<std::size_t>& index) const override;

 private:
  std::filesystem::path file_;
  std::vector<std::size_t> rows_;
  loader load_;
};

/// What is learned: the loss of a batch and the validation metric that early stopping and the schedule follow.
struct train_task {
  /// Mean loss of a batch (a scalar tensor): model output vs target.
  std::function<torch::Tensor(const torch::Tensor& output, const torch::Tensor& target)> loss;
  /// Validation metric over a whole source (e.g. accuracy); empty: the mean validation loss.
  std::function<double(const model_handle& model, const example_source& validation, torch::Device device)> metric;
  std::string metric_name = "val_loss";
  bool higher_is_better = false;
};

/// One epoch of the history.
struct epoch_record {
  int epoch = 0;  ///< 1-based
  double train_loss = 0, val_loss = 0, metric = 0, learning_rate = 0, seconds = 0;
  bool improved = false;
};

struct train_result {
  std::vector<epoch_record> history;  ///< every epoch, including those before a resume
  int best_epoch = 0;
  double best_metric = 0;    ///< the task's validation metric at the best epoch
  double best_val_loss = 0;  ///< the mean validation loss at the best epoch
  std::int64_t steps = 0;    ///< optimiser steps, including those before a resume
  bool stopped_early = false;
  double seconds = 0;            ///< wall time of the epochs run in this call
  double seconds_per_epoch = 0;  ///< mean over the epochs run in this call
  std::int64_t nof_parameters = 0;
};

/// Metadata stored in every checkpoint (and readable without building the model).
struct checkpoint_meta {
  std::string format = "physec.checkpoint/1";
  std::string model_name, model_options_json;
  std::string config_toml;  ///< the effective config of the run that trained it
  std::string physec_version, git_describe, torch_version;
  std::uint64_t seed = 0;
  int epoch = 0, best_epoch = 0;
  double best_metric = 0;
  bool finished = false;     ///< training ended (max epochs or early stop); weights are the best ones
  std::string extra_json = "{}";  ///< model-specific data the model needs at inference (e.g. input scaling)
};

struct fit_options {
  std::filesystem::path checkpoint;  ///< written atomically after every epoch and at the end; empty = none
  /// Seconds between checkpoint writes (an epoch ends, the last write is at least this old); 0: every epoch. For
  /// runs of thousands of short epochs; `--resume` continues from the last one written.
  double checkpoint_interval_s = 0;
  bool resume = false;               ///< continue from `checkpoint` (same config and model required)
  std::string config_toml;           ///< stored in the checkpoint
  std::string extra_json = "{}";     ///< stored in the checkpoint's metadata
  bool show_progress = true;
};

class trainer {
 public:
  trainer(model_handle model, train_config cfg, torch::Device device, std::uint64_t seed);
  /// Trains on `train`, validating on `validation` after every epoch; on return the model holds the weights of the
  /// best epoch. Throws physec::error on a bad config or a checkpoint that does not fit.
  train_result fit(const example_source& train, const example_source& validation, const train_task& task,
                   const fit_options& o = {});

 private:
  model_handle model_;
  train_config cfg_;
  torch::Device device_;
  std::uint64_t seed_;
};

/// Mean loss over a whole source, batch by batch, in eval mode without gradients.
double mean_loss(const model_handle& model, const example_source& source, const train_task& task, torch::Device device,
                 int batch_size = 256);

/// Runs the model on `inputs` `[n, ...]` in batches under NoGradGuard and eval(); returns `[n, ...]` on the CPU.
torch::Tensor predict(const model_handle& model, const torch::Tensor& inputs, torch::Device device,
                      int batch_size = 256);

}  // namespace physec::nn
