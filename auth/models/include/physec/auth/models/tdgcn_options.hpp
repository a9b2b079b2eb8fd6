#pragma once
/// @file Options of the TDGCN authenticator (TDGCN paper §III; defaults from its Table I where it gives them, "ours"
/// where it is silent), their `[model]` config table, and their JSON form stored in checkpoints. Torch-light: only
/// <torch/arg.h>, so configs can be described without the model.

#include <torch/arg.h>

#include <string>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::auth::models {

/// The whole TDGCN. `nof_dims` (D, graph nodes), `nof_steps` (T) and `nof_classes` come from the data; the rest
/// is the `[model]` table of `physec auth train`.
struct TdgcnOptions {
  TdgcnOptions() = default;
  TdgcnOptions(int nof_dims, int nof_steps, int nof_classes)
      : nof_dims_(nof_dims), nof_steps_(nof_steps), nof_classes_(nof_classes) {}
  /// D: CSI dimensions = graph nodes (data)
  TORCH_ARG(int, nof_dims) = 24;
  /// T: samples per sequence (data; TDGCN paper Table I: 50)
  TORCH_ARG(int, nof_steps) = 50;
  /// classes (data; TDGCN paper Table I: 4 legal + 2 spoofers)
  TORCH_ARG(int, nof_classes) = 6;
  /// temporal convolution kernel sizes, one per block; their count is the number of blocks (TDGCN paper §III-C and
  /// TodyNet: 9, 5, 3)
  TORCH_ARG(std::vector<int>, tcn_kernels) = std::vector<int>{9, 5, 3};
  /// channels C_l of each block (TodyNet train.py defaults in_dim/hidden_dim/out_dim: 64, 128, 256)
  TORCH_ARG(std::vector<int>, tcn_channels) = std::vector<int>{64, 128, 256};
  /// G: time slots, one graph each; T is zero-padded at the end to a multiple of G (TodyNet `groups`: 4)
  TORCH_ARG(int, nof_slots) = 4;
  /// inner width of each GIN MLP; 0: the block's C_l (ours)
  TORCH_ARG(int, hidden) = 0;
  /// E: width of the node embeddings that make the slot graphs (ours)
  TORCH_ARG(int, embedding_dim) = 16;
  /// fraction of the N-1 candidate edges each node keeps: the per-row threshold is its k-th largest weight (ours)
  TORCH_ARG(double, keep_ratio) = 0.5;
  /// pooling ratio: block l keeps N_{l+1} = max(1, round(D (1 - ratio (l+1)))) nodes (TDGCN paper §III-F, TodyNet:
  /// 0.2)
  TORCH_ARG(double, pool_ratio) = 0.2;
  /// dropout after every block (TodyNet: 0.5)
  TORCH_ARG(double, dropout) = 0.5;
  /// width W of the level branch; 0: none (TodyNet's readout). With W > 0 each sequence's per-dimension mean over
  /// time (of the scaled input: a noise-averaged estimate of the channel at the transmitter's position) goes through
  /// Linear(D -> W) -> BatchNorm1d -> ReLU and is concatenated with the pooled block features before the classifier
  /// (ours; issue #14's cue ablation: the baselines' cue on the time split is this level, which the blocks do not
  /// extract from noisy sequences)
  TORCH_ARG(int, level_width) = 0;

 public:
  /// The `[model]` config table (data-given sizes excluded).
  void describe(config::schema& s);
  /// Throws physec::error naming the field when sizes are inconsistent (e.g. kernels vs channels, G > T).
  void validate(const std::string& origin = "model") const;
  /// T padded to a multiple of G.
  int padded_steps() const { return (nof_steps_ + nof_slots_ - 1) / nof_slots_ * nof_slots_; }
  /// Node counts of the blocks, starting with D: [D, N_1, ..., N_K].
  std::vector<int> pool_sizes() const;
};

/// JSON text of every option (for model_handle::options_json and checkpoints).
std::string to_json(const TdgcnOptions& o);
/// Inverse of to_json; throws physec::error naming `origin` and the key on a missing or mistyped key.
TdgcnOptions tdgcn_options_from_json(const std::string& json, const std::string& origin);

}  // namespace physec::auth::models
