// TDGCN blocks (TDGCN paper §III on TodyNet's backbone). Choices where physec differs from TodyNet: docs/tdgcn.md.
#include "physec/auth/models/tdgcn.hpp"

#include <cmath>

#include "physec/nn/complexity.hpp"

namespace physec::auth::models {

namespace F = torch::nn::functional;

torch::Tensor normalize_adjacency(const torch::Tensor& a) {
  const auto d_inv_sqrt = a.sum(-1).clamp_min(1.0).rsqrt();  // [..., N]
  return d_inv_sqrt.unsqueeze(-1) * a * d_inv_sqrt.unsqueeze(-2);
}

torch::Tensor causal_conv(torch::nn::Conv2d conv, const torch::Tensor& x) {
  const auto k = conv->weight.size(-1);
  return conv->forward(F::pad(x, F::PadFuncOptions({k - 1, 0})));
}

namespace {
torch::nn::Conv2d time_conv(int in, int out, int kernel) {
  return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, {1, kernel}));
}
torch::nn::Conv2d pointwise(int in, int out) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)); }
}  // namespace

torch::Tensor inverted_dropout(const torch::Tensor& x, double p, bool training) {
  if (!training || p <= 0) return x;
  // Inverted dropout, as F::dropout, with the keep mask from uniform draws: LibTorch's CPU bernoulli_ draws element
  // by element and took ~9 % of a training step; rand_like is ~3x faster (bench_tdgcn; docs/tdgcn.md).
  return x * torch::rand_like(x).ge_(p).div_(1 - p);
}

// ---- SlotGraph ---------------------------------------------------------------------------------------------------

SlotGraphImpl::SlotGraphImpl(int nof_nodes, int nof_slots, int embedding_dim, double keep_ratio)
    : keep_(std::max(1, static_cast<int>(std::lround(keep_ratio * (nof_nodes - 1))))) {
  source = register_parameter("source", torch::randn({nof_slots, nof_nodes, embedding_dim}));
  target = register_parameter("target", torch::randn({nof_slots, nof_nodes, embedding_dim}));
}

torch::Tensor SlotGraphImpl::forward() {
  const auto N = source.size(1);
  const auto scale = 1.0 / std::sqrt(static_cast<double>(source.size(2)));
  const auto off_diag = 1 - torch::eye(N, source.options());
  const auto a = torch::sigmoid(torch::matmul(source, target.transpose(1, 2)) * scale) * off_diag;  // [G, N, N]
  if (keep_ >= N - 1) return a;
  // Each row keeps its k largest entries. The mask is a constant; the kept values stay differentiable.
  const auto threshold = std::get<0>(a.topk(keep_, -1)).select(-1, keep_ - 1).unsqueeze(-1);
  return a * (a >= threshold).to(a.dtype()).detach();
}

// ---- DynamicGin --------------------------------------------------------------------------------------------------

DynamicGinImpl::DynamicGinImpl(int channels, int hidden, int nof_slots, std::string name)
    : nof_slots_(nof_slots), name_(std::move(name)) {
  eps = register_parameter("eps", torch::zeros({1}));
  if (nof_slots > 1) temporal = register_parameter("temporal", torch::ones({1}));
  mlp0 = register_module("mlp0", pointwise(channels, hidden));
  mlp1 = register_module("mlp1", pointwise(hidden, channels));
}

torch::Tensor DynamicGinImpl::forward(const torch::Tensor& x, const torch::Tensor& a_norm) {
  const auto B = x.size(0), C = x.size(1), N = x.size(2), T = x.size(3), G = a_norm.size(0), L = T / G;
  TORCH_CHECK(G == nof_slots_ && G * L == T, "DynamicGin: ", G, " graphs for ", nof_slots_, " slots of T = ", T);
  // Â_g applied to every channel and time step of slot g: [B, C, N, G, L] contracted over the source node.
  const auto spatial = torch::einsum("gnm,bcmgl->bcngl", {a_norm, x.view({B, C, N, G, L})}).reshape({B, C, N, T});
  nn::count_matmul(name_ + ".aggregate", N, spatial);
  auto u = (1 + eps) * x + spatial;
  // Temporal edges: x[t - L] is the same position of the previous slot (zeros for slot 0).
  if (temporal.defined()) u = u + temporal * F::pad(x, F::PadFuncOptions({L, 0})).narrow(3, 0, T);
  const auto m = torch::relu(mlp0->forward(u));
  nn::count_conv(name_ + ".mlp0", mlp0->weight, m);
  const auto h = mlp1->forward(m);
  nn::count_conv(name_ + ".mlp1", mlp1->weight, h);
  return h;
}

// ---- NodePool ----------------------------------------------------------------------------------------------------

NodePoolImpl::NodePoolImpl(int in_nodes, int out_nodes, int kernel, std::string name) : name_(std::move(name)) {
  conv = register_module("conv", time_conv(in_nodes, out_nodes, kernel));
}

torch::Tensor NodePoolImpl::assignment() const {
  const auto s = conv->weight.abs().sum({2, 3});  // [N', N]
  return s / s.sum(1, true).clamp_min(1e-12);
}

std::pair<torch::Tensor, torch::Tensor> NodePoolImpl::forward(const torch::Tensor& x, const torch::Tensor& a) {
  const auto k = conv->weight.size(-1);
  torch::Tensor y;  // [B, C, N', T]
  if (k <= 3) {
    // The same causal convolution as k node contractions of time-shifted inputs: with few nodes as channels and
    // many (channel, time) positions, oneDNN's convolution (and its backward) is slow; this is 2x faster for the
    // last block (k = 3; bench_tdgcn; docs/tdgcn.md). Longer kernels: the convolution is faster.
    const auto T = x.size(3);
    const auto xp = F::pad(x, F::PadFuncOptions({k - 1, 0}));
    const auto w = conv->weight.squeeze(2);  // [N', N, k]
    for (std::int64_t j = 0; j < k; ++j) {
      const auto yj = torch::einsum("on,bcnt->bcot", {w.select(2, j), xp.narrow(3, j, T)});
      y = y.defined() ? y + yj : yj;
    }
    y = y + conv->bias.view({1, 1, -1, 1});
  } else {
    y = causal_conv(conv, x.transpose(1, 2)).transpose(1, 2);  // nodes as channels
  }
  nn::count_conv(name_, conv->weight, y);
  const auto s = assignment();
  return {y, torch::matmul(torch::matmul(s, a), s.t())};
}

// ---- Tdgcn -------------------------------------------------------------------------------------------------------

TdgcnImpl::TdgcnImpl(TdgcnOptions o) : options_(std::move(o)) {
  options_.validate();
  const int D = options_.nof_dims(), G = options_.nof_slots();
  const auto nodes = options_.pool_sizes();
  const auto& kernels = options_.tcn_kernels();
  const auto& channels = options_.tcn_channels();
  graph = register_module("graph", SlotGraph(D, G, options_.embedding_dim(), options_.keep_ratio()));
  int in = 1;
  for (std::size_t l = 0; l < kernels.size(); ++l) {
    const auto tag = std::to_string(l);
    const int C = channels[l], H = options_.hidden() > 0 ? options_.hidden() : C;
    tconvs.push_back(register_module("tconv" + tag, time_conv(in, C, kernels[l])));
    gins.push_back(register_module("gin" + tag, DynamicGin(C, H, G, "block" + tag + ".gin")));
    pools.push_back(register_module("pool" + tag, NodePool(nodes[l], nodes[l + 1], kernels[l], "block" + tag + ".pool")));
    norms.push_back(register_module("norm" + tag, torch::nn::BatchNorm2d(C)));
    in = C;
  }
  fc = register_module("fc", torch::nn::Linear(in, options_.nof_classes()));
  mean_ = register_buffer("input_mean", torch::zeros({D, 1}));
  std_ = register_buffer("input_std", torch::ones({D, 1}));
}

void TdgcnImpl::fit_scaling(const torch::Tensor& x_train) {
  torch::NoGradGuard guard;
  const auto x = x_train.to(mean_.device(), torch::kFloat).transpose(0, 1).reshape({options_.nof_dims(), -1});
  mean_.copy_(x.mean(1, true));
  std_.copy_(x.std(1, true, true).clamp_min(1e-6));
}

torch::Tensor TdgcnImpl::forward(const torch::Tensor& x) { return forward_traced(x, nullptr); }

torch::Tensor TdgcnImpl::forward_traced(const torch::Tensor& x_in, trace* t) {
  TORCH_CHECK(x_in.dim() == 3 && x_in.size(1) == options_.nof_dims() && x_in.size(2) == options_.nof_steps(),
              "TDGCN input must be [B, ", options_.nof_dims(), ", ", options_.nof_steps(), "], got ", x_in.sizes());
  const int Tp = options_.padded_steps();
  auto x = (x_in - mean_) / std_;
  if (Tp > options_.nof_steps()) x = F::pad(x, F::PadFuncOptions({0, Tp - options_.nof_steps()}));  // zeros at the end
  x = x.unsqueeze(1);  // [B, 1, D, Tp]
  auto a = graph->forward();
  const double p = options_.dropout();
  for (std::size_t l = 0; l < tconvs.size(); ++l) {
    const auto tag = "block" + std::to_string(l) + ".";
    if (t) t->graphs.push_back(a);
    x = causal_conv(tconvs[l], x);
    nn::count_conv(tag + "tconv", tconvs[l]->weight, x);
    x = gins[l]->forward(x, normalize_adjacency(a));
    std::tie(x, a) = pools[l]->forward(x, a);
    x = inverted_dropout(torch::relu(norms[l]->forward(x)), p, is_training());
    if (t) t->blocks.push_back(x);
  }
  const auto logits = fc->forward(x.mean({2, 3}));  // mean over nodes and time (§III-G)
  nn::count_linear("fc", fc->weight, logits);
  return logits;
}

}  // namespace physec::auth::models
