#pragma once
/// @file TDGCN: temporal dynamic graph convolutional network for mobile multiuser physical-layer authentication.
/// Paper: *TDGCN-Based Mobile Multiuser Physical-Layer Authentication for EI-Enabled IIoT* (§III), after TodyNet
/// (Liu et al., arXiv 2304.05078). Design choices where the paper is silent: docs/tdgcn.md. Includes LibTorch.
///
/// Data flow for input `[B, D, T]` (D CSI dimensions = graph nodes):
///   input scaling (training-split statistics, stored as buffers) -> zero-pad T to G·L
///   -> Tcn per node `[B·D, C, G·L]` -> per-slot projection `[B, G, D, H]`
///   -> GraphInit `[B, G, D, D]` (sparse, learnable) -> D^{-1/2}(A+I)D^{-1/2}
///   -> DynamicGin `[B, G, D, L_gin·H]` -> CascadePool per slot `[B·G, N_last, L_gin·H]`
///   -> mean over nodes and slots -> dropout -> Linear -> logits `[B, classes]` (softmax inside the loss).

#include <torch/torch.h>

#include <vector>

#include "physec/auth/models/tdgcn_options.hpp"

namespace physec::auth::models {

/// Symmetric normalisation with self-loops: D^{-1/2} (A + I) D^{-1/2}; `a` `[..., N, N]` non-negative.
torch::Tensor normalize_adjacency(const torch::Tensor& a);

/// Causal temporal convolutions (§III-C): layer l is Conv1d(C_{l-1} -> C_l, k_l) on input left-padded by k_l - 1,
/// so output t sees inputs <= t only and the length stays T; ReLU after each layer.
class TcnImpl : public torch::nn::Module {
 public:
  TcnImpl(std::vector<int> kernels, std::vector<int> channels, int in_channels = 1);
  /// `[N, in_channels, T]` -> `[N, channels.back(), T]`.
  torch::Tensor forward(const torch::Tensor& x);

 private:
  std::vector<int> kernels_;
  std::vector<torch::nn::Conv1d> convs_;
};
TORCH_MODULE(Tcn);

/// Graph initialisation (§III-B), one adjacency per slot: A_g = ReLU(W_g ⊙ exp(-d_ij / d̄)) with d_ij the
/// Euclidean distance between node feature vectors i, j of slot g, d̄ their mean, W_g `[D, D]` learnable (init 1),
/// no self-edges; then each row keeps its k = max(1, round(keep_ratio·(D-1))) largest entries (the threshold is the
/// row's k-th largest value) and the rest are set to 0. The mask multiplies the values, so gradient reaches W_g and
/// the node features through every kept edge.
class GraphInitImpl : public torch::nn::Module {
 public:
  GraphInitImpl(int nof_nodes, int nof_slots, double keep_ratio);
  /// Node features `[B, G, D, H]` -> adjacency `[B, G, D, D]` (non-negative, sparse, not normalised).
  torch::Tensor forward(const torch::Tensor& h);
  /// Edges kept per row.
  int keep() const { return keep_; }
  torch::Tensor weight;  ///< W `[G, D, D]`

 private:
  int keep_;
};
TORCH_MODULE(GraphInit);

/// Dynamic GIN (§III-E, eqs. (7)-(9)), `nof_layers` layers over G slot graphs. Layer l, slot g:
///   u_g = (1 + ε_l) h_g + Â_g h_g + β_{l,g} h_{g-1}      (h_{-1} = 0)
///   h'_g = MLP_l(u_g),  MLP_l = Linear -> ReLU -> Linear -> ReLU
/// β_{l,g} h_{g-1} is the temporal edge set (§III-D): node i of slot g-1 sends to node i of slot g, then slot g-1's
/// nodes are dropped, so every slot's graph keeps D nodes. ε_l, β_{l,g} learnable (init 0 and 1). Output: the layer
/// outputs concatenated along features.
class DynamicGinImpl : public torch::nn::Module {
 public:
  DynamicGinImpl(int in_features, int hidden, int nof_layers, int nof_slots);
  /// `h` `[B, G, D, in]`, `a_norm` `[B, G, D, D]` -> `[B, G, D, nof_layers·hidden]`.
  torch::Tensor forward(const torch::Tensor& h, const torch::Tensor& a_norm);
  torch::Tensor eps;       ///< ε `[nof_layers]`
  torch::Tensor temporal;  ///< β `[nof_layers, G]`

 private:
  std::vector<torch::nn::Linear> first_, second_;  ///< the two layers of each MLP
};
TORCH_MODULE(DynamicGin);

/// Cascade node-clustering pooling (§III-F, eq. (10)). Layer l maps N_l nodes to N_{l+1} = round(N_l (1 - ratio)):
///   S_l = softmax over clusters of (Â_l X_l W_s)ᵀ  `[N_{l+1}, N_l]`,  Z_l = ReLU(Â_l X_l W_e)
///   X_{l+1} = S_l Z_l,   A_{l+1} = S_l A_l S_lᵀ.
class CascadePoolImpl : public torch::nn::Module {
 public:
  CascadePoolImpl(int nof_nodes, int features, int nof_layers, double ratio);
  /// `x` `[N, nodes, F]`, `a` `[N, nodes, nodes]` (not normalised) -> `[N, sizes().back(), F]`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& a);
  /// Node counts [D, N_1, ...].
  const std::vector<int>& sizes() const { return sizes_; }

 private:
  std::vector<int> sizes_;
  std::vector<torch::nn::Linear> assign_, embed_;
};
TORCH_MODULE(CascadePool);

/// The whole network (see the file comment).
class TdgcnImpl : public torch::nn::Module {
 public:
  explicit TdgcnImpl(TdgcnOptions o);
  /// `[B, D, T]` -> logits `[B, classes]`.
  torch::Tensor forward(const torch::Tensor& x);
  /// Sets the input scaling from training inputs `[n, D, T]`: per-dimension mean and standard deviation.
  void fit_scaling(const torch::Tensor& x_train);
  const TdgcnOptions& options() const { return options_; }

  /// Intermediate tensors of one forward pass, for tests.
  struct trace {
    torch::Tensor tcn, slots, adjacency, gin, pooled;
  };
  torch::Tensor forward_traced(const torch::Tensor& x, trace* t);

  Tcn tcn{nullptr};
  torch::nn::Linear slot_proj{nullptr};
  GraphInit graph{nullptr};
  DynamicGin gin{nullptr};
  CascadePool pool{nullptr};
  torch::nn::Dropout dropout{nullptr};
  torch::nn::Linear fc{nullptr};

 private:
  TdgcnOptions options_;
  torch::Tensor mean_, std_;  ///< buffers `[D, 1]`
};
TORCH_MODULE(Tdgcn);

}  // namespace physec::auth::models
