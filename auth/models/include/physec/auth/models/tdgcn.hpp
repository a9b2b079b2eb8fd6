#pragma once
/// @file TDGCN: temporal dynamic graph convolutional network for mobile multiuser physical-layer authentication.
/// Paper: *TDGCN-Based Mobile Multiuser Physical-Layer Authentication for EI-Enabled IIoT* (§III), whose model is
/// TodyNet's backbone (Liu et al., arXiv 2304.05078). Where physec differs from TodyNet, and why: docs/tdgcn.md.
/// Includes LibTorch.
///
/// Data flow for input `[B, D, T]` (D CSI dimensions = graph nodes), written in the layout `[B, C, N, T]`; the network
/// computes it in the time-major layout `[T, N, B, C]` (GEMMs over shifted time slices instead of convolutions: the
/// same function, faster on CPU; docs/tdgcn.md "Cost"). The blocks' `forward` take and return `[B, C, N, T]`:
///   input scaling (training-split statistics, buffers) -> zero-pad T to G·L -> `[B, 1, D, G·L]`
///   -> blocks l = 0 .. K-1, each:
///        causal temporal conv (C_{l-1} -> C_l, kernel k_l, shared by the nodes)
///        -> DynamicGin over the G slot graphs of SlotGraph_l, applied per time step and channel
///        -> NodePool (node-mixing causal conv N_l -> N_{l+1}, per-node weights; A' = S A Sᵀ)
///        -> BatchNorm2d(C_l) -> ReLU -> dropout
///   -> mean over nodes and time `[B, C_K]` -> Linear -> logits `[B, classes]` (softmax inside the loss).
/// With `level_width` W > 0 the scaled input's mean over its T steps `[B, D]` -> Linear(D -> W) -> BatchNorm1d -> ReLU
/// is concatenated with the `[B, C_K]` readout before that Linear (the per-dimension level branch).

#include <torch/torch.h>

#include <string>
#include <utility>
#include <vector>

#include "physec/auth/models/tdgcn_options.hpp"

namespace physec::auth::models {

/// D^{-1/2} A D^{-1/2} with D the row sums of `a` `[..., N, N]` clamped to >= 1 (no self-loops added: the GIN's
/// (1 + ε) term is the only self term).
torch::Tensor normalize_adjacency(const torch::Tensor& a);

/// Causal convolution along the last axis of `[B, C, N, T]`: left-padded by k - 1, so output t sees inputs <= t and
/// the length stays T. `conv` has kernel `(1, k)`.
torch::Tensor causal_conv(torch::nn::Conv2d conv, const torch::Tensor& x);

/// Inverted dropout of `x` (any shape): zeroes each element with probability `p` and scales the rest by 1/(1 - p)
/// when `training`; `x` itself otherwise. The same distribution as torch's dropout, drawn with rand_like.
torch::Tensor inverted_dropout(const torch::Tensor& x, double p, bool training);

/// The learnable slot graphs (§III-B), one `[N, N]` adjacency per slot:
///   A_g = sigmoid(U_g V_gᵀ / sqrt(E)) without self-edges, each row keeping its k = max(1, round(keep_ratio (N-1)))
///   largest entries (the others set to 0).
/// U_g, V_g `[N, E]` are node embeddings, initialised N(0, 1). The top-k mask is a constant that multiplies the
/// values, so gradient reaches U and V through every kept edge (TodyNet's hard 0/1 top-k passes none).
class SlotGraphImpl : public torch::nn::Module {
 public:
  SlotGraphImpl(int nof_nodes, int nof_slots, int embedding_dim, double keep_ratio);
  /// `[G, N, N]`, non-negative, sparse, not normalised.
  torch::Tensor forward();
  int keep() const { return keep_; }
  torch::Tensor source, target;  ///< U, V `[G, N, E]`

 private:
  int keep_;
};
TORCH_MODULE(SlotGraph);

/// One dynamic GIN layer (§III-D, §III-E) over `[B, C, N, T]`, T = G·L. For every channel c and time step t in slot g:
///   u[:, t] = (1 + ε) x[:, t] + Â_g x[:, t] + β x[:, t - L]      (x[:, t - L] = 0 in slot 0)
///   h = W_2 ReLU(W_1 u + b_1) + b_2   (the MLP acts on the channels of each node and step: 1x1 convolutions)
/// The β term is the temporal edge set: node i at the same position of slot g-1 sends to node i of slot g (never
/// backwards in time). ε (init 0) and β (init 1; only when G > 1) are learnable.
class DynamicGinImpl : public torch::nn::Module {
 public:
  /// `name` prefixes its MAC counts.
  DynamicGinImpl(int channels, int hidden, int nof_slots, std::string name = "gin");
  /// `x` `[B, C, N, G·L]`, `a_norm` `[G, N, N]` -> `[B, C, N, G·L]`.
  torch::Tensor forward(const torch::Tensor& x, const torch::Tensor& a_norm);
  /// The same in the time-major layout the network runs in: `x` `[G·L, N, B, C]` contiguous -> `[G·L, N, B, C]`.
  torch::Tensor forward_tnbc(const torch::Tensor& x, const torch::Tensor& a_norm);
  torch::Tensor eps;       ///< ε `[1]`
  torch::Tensor temporal;  ///< β `[1]`; undefined when G = 1
  torch::nn::Conv2d mlp0{nullptr}, mlp1{nullptr};

 private:
  int nof_slots_;
  std::string name_;
};
TORCH_MODULE(DynamicGin);

/// Node-mixing pooling (§III-F, after TodyNet's time-diff pooling): a causal convolution over time with the nodes as
/// its channels, N -> N' (every output node a learned, node-specific mix of the input nodes), and the assignment
/// S `[N', N]` = the kernel's absolute weights summed over taps, rows normalised to 1, which pools the graphs:
/// A' = S A Sᵀ. Node identity survives: each input node has its own weights.
class NodePoolImpl : public torch::nn::Module {
 public:
  NodePoolImpl(int in_nodes, int out_nodes, int kernel, std::string name = "pool");
  /// `x` `[B, C, N, T]`, `a` `[G, N, N]` -> (`[B, C, N', T]`, `[G, N', N']`).
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& x, const torch::Tensor& a);
  /// The same in the time-major layout the network runs in: `x` `[T, N, B, C]` contiguous -> (`[T, N', B, C]`,
  /// `[G, N', N']`).
  std::pair<torch::Tensor, torch::Tensor> forward_tnbc(const torch::Tensor& x, const torch::Tensor& a);
  /// S `[N', N]`.
  torch::Tensor assignment() const;
  torch::nn::Conv2d conv{nullptr};

 private:
  std::string name_;
};
TORCH_MODULE(NodePool);

/// The whole network (see the file comment).
class TdgcnImpl : public torch::nn::Module {
 public:
  explicit TdgcnImpl(TdgcnOptions o);
  /// `[B, D, T]` -> logits `[B, classes]`.
  torch::Tensor forward(const torch::Tensor& x);
  /// Sets the input scaling from training inputs `[n, D, T]`: per-dimension mean and standard deviation.
  void fit_scaling(const torch::Tensor& x_train);
  const TdgcnOptions& options() const { return options_; }

  /// Intermediate tensors of one forward pass, for tests: per block, the output `[B, C_l, N_{l+1}, G·L]` and the
  /// slot graphs it used `[G, N_l, N_l]`.
  struct trace {
    std::vector<torch::Tensor> blocks, graphs;
  };
  torch::Tensor forward_traced(const torch::Tensor& x, trace* t);

  std::vector<torch::nn::Conv2d> tconvs;
  std::vector<DynamicGin> gins;
  std::vector<NodePool> pools;
  std::vector<torch::nn::BatchNorm2d> norms;
  SlotGraph graph{nullptr};  ///< graphs of the first block; later blocks pool them (A' = S A Sᵀ)
  torch::nn::Linear fc{nullptr};
  torch::nn::Linear level{nullptr};           ///< level branch D -> W; null when level_width = 0
  torch::nn::BatchNorm1d level_norm{nullptr};  ///< its normalisation; null when level_width = 0

 private:
  TdgcnOptions options_;
  torch::Tensor mean_, std_;  ///< buffers `[D, 1]`
};
TORCH_MODULE(Tdgcn);

}  // namespace physec::auth::models
