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
  /// causal TCN kernel sizes, one per layer (TDGCN paper §III-C: 9, 5, 3)
  TORCH_ARG(std::vector<int>, tcn_kernels) = std::vector<int>{9, 5, 3};
  /// TCN output channels per layer (ours: 16, 32, 64; the 64, 128, 256 cost 16x the MACs on a CPU)
  TORCH_ARG(std::vector<int>, tcn_channels) = std::vector<int>{16, 32, 64};
  /// G: time slots, one graph each; T is zero-padded at the end to a multiple of G (ours: 5 slots of 10)
  TORCH_ARG(int, nof_slots) = 5;
  /// H: node feature width after the per-slot projection and in every GIN layer (ours)
  TORCH_ARG(int, hidden) = 64;
  /// fraction of the D-1 candidate edges each node keeps: the per-row threshold is its k-th largest weight (ours)
  TORCH_ARG(double, keep_ratio) = 0.3;
  /// dynamic GIN layers (TDGCN paper §III-E: 3)
  TORCH_ARG(int, gin_layers) = 3;
  /// cascade pooling layers (ours: 2, D = 24 -> 19 -> 15)
  TORCH_ARG(int, pool_layers) = 2;
  /// pooling ratio: N_{l+1} = round(N_l (1 - ratio)) (TDGCN paper §III-F: 0.2)
  TORCH_ARG(double, pool_ratio) = 0.2;
  /// dropout before the output layer (ours)
  TORCH_ARG(double, dropout) = 0.2;

 public:
  /// The `[model]` config table (data-given sizes excluded).
  void describe(config::schema& s);
  /// Throws physec::error naming the field when sizes are inconsistent (e.g. kernels vs channels, G > T).
  void validate(const std::string& origin = "model") const;
  /// T padded to a multiple of G.
  int padded_steps() const { return (nof_steps_ + nof_slots_ - 1) / nof_slots_ * nof_slots_; }
  /// Node counts after each pooling layer, starting with D: [D, N_1, ..., N_pool_layers].
  std::vector<int> pool_sizes() const;
};

/// JSON text of every option (for model_handle::options_json and checkpoints).
std::string to_json(const TdgcnOptions& o);
/// Inverse of to_json; throws physec::error naming `origin` and the key on a missing or mistyped key.
TdgcnOptions tdgcn_options_from_json(const std::string& json, const std::string& origin);

}  // namespace physec::auth::models
