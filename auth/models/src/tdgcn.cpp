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

namespace {

// The network runs in the time-major layout [T, N, B, C] (docs/tdgcn.md, "Cost"): a causal shift in time is then a
// contiguous slice, the 1x1 convolutions are one GEMM over all T·N·B rows, the per-slot graph product is a batched
// matrix product over the time steps with no copies, and the two causal convolutions are sums of shifted GEMMs
// (below). The public blocks keep [B, C, N, T].
torch::Tensor to_tnbc(const torch::Tensor& x) { return x.permute({3, 2, 0, 1}).contiguous(); }
torch::Tensor as_bcnt(const torch::Tensor& x) { return x.permute({2, 3, 1, 0}); }     // a view, no copy
torch::Tensor as_tnbc_view(const torch::Tensor& x) { return x.permute({3, 2, 0, 1}); }  // a view, no copy

/// `x` `[T, ...]` left-padded with k - 1 zero time steps: `[T + k - 1, ...]`.
torch::Tensor pad_time(const torch::Tensor& x, std::int64_t k) {
  std::vector<std::int64_t> pad(2 * static_cast<std::size_t>(x.dim()), 0);
  pad[pad.size() - 2] = k - 1;
  return F::pad(x, F::PadFuncOptions(pad));
}

/// Causal temporal convolution shared by the nodes, as k GEMMs over shifted slices:
///   y[t, n, b, :] = bias + Σ_j W[:, :, 0, j] xpad[t + j, n, b, :]
/// `xpad` `[T + k - 1, N, B, C]`, `weight` `[O, C, 1, k]`, `bias` `[O]` -> `[T, N, B, O]`. The backward accumulates
/// into slices of one input-gradient buffer (autograd over the slices would zero and sum k full-size buffers).
struct TimeConvFunction : torch::autograd::Function<TimeConvFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& xpad,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    const auto k = weight.size(3), O = weight.size(0), C = weight.size(1), T = xpad.size(0) - k + 1;
    const auto wk = weight.squeeze(2).permute({2, 1, 0}).contiguous();  // [k, C, O]
    const auto rows = [&](std::int64_t j) { return xpad.narrow(0, j, T).view({-1, C}); };
    auto y = torch::addmm(bias, rows(0), wk[0]);  // [T·N·B, O]
    for (std::int64_t j = 1; j < k; ++j) y.addmm_(rows(j), wk[j]);
    ctx->save_for_backward({xpad, wk});
    return y.view({T, xpad.size(1), xpad.size(2), O});
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &xpad = saved[0], &wk = saved[1];
    const auto k = wk.size(0), C = wk.size(1), O = wk.size(2), T = xpad.size(0) - k + 1;
    const auto gy = grad[0].contiguous().view({-1, O});
    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) {
      gx = torch::zeros_like(xpad);
      for (std::int64_t j = 0; j < k; ++j) gx.narrow(0, j, T).view({-1, C}).addmm_(gy, wk[j].t());
    }
    auto gwk = torch::empty_like(wk);
    for (std::int64_t j = 0; j < k; ++j) {
      auto gw_j = gwk[j];
      torch::mm_out(gw_j, xpad.narrow(0, j, T).view({-1, C}).t(), gy);
    }
    return {gx, gwk.permute({2, 1, 0}).unsqueeze(2).contiguous(), gy.sum(0)};
  }
};

/// Node-mixing causal convolution (the nodes are its channels), one GEMM per output time step over a window of k
/// time steps, contiguous in the time-major layout:
///   y[t, o, r] = bias[o] + Σ_{j,n} W[o, n, 0, j] xpad[t + j, n, r]      (r = b·C + c)
/// `xpad` `[T + k - 1, N, R]`, `weight` `[O, N, 1, k]`, `bias` `[O]` -> `[T, O, R]`.
struct NodeConvFunction : torch::autograd::Function<NodeConvFunction> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& xpad,
                               const torch::Tensor& weight, const torch::Tensor& bias) {
    const auto O = weight.size(0), N = weight.size(1), k = weight.size(3), T = xpad.size(0) - k + 1;
    const auto R = xpad.size(2);
    const auto wk = weight.squeeze(2).permute({0, 2, 1}).reshape({O, k * N});  // [O, (j, n)]
    const auto windows = xpad.as_strided({T, k * N, R}, {N * R, R, 1});       // window t = xpad[t : t + k]
    auto y = torch::baddbmm(bias.view({1, O, 1}), wk.expand({T, O, k * N}), windows);
    ctx->save_for_backward({xpad, wk});
    return y;
  }
  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad) {
    const auto saved = ctx->get_saved_variables();
    const auto &xpad = saved[0], &wk = saved[1];
    const auto O = wk.size(0), N = xpad.size(1), R = xpad.size(2), k = wk.size(1) / N, T = xpad.size(0) - k + 1;
    const auto gy = grad[0].contiguous();  // [T, O, R]
    torch::Tensor gx;
    if (ctx->needs_input_grad(0)) {
      // Windows overlap: accumulated one time step after the other.
      gx = torch::zeros_like(xpad);
      const auto gx_rows = gx.view({-1, R}), wt = wk.t();
      for (std::int64_t t = 0; t < T; ++t) gx_rows.narrow(0, t * N, k * N).addmm_(wt, gy[t]);
    }
    // dW_j = Σ_{t, r} dy[t, :, r] xpad[t + j, :, r]ᵀ: one GEMM per tap over all T·R columns, with time moved inside
    // the node rows (two transposing copies of the size of the input and output instead of T small products).
    const auto gy_rows = gy.permute({1, 0, 2}).contiguous().view({O, T * R});  // [O, (t, r)]
    const auto x_rows = xpad.permute({1, 0, 2}).contiguous();                 // [N, T + k - 1, R]
    auto gw = torch::empty({k, O, N}, gy.options());
    for (std::int64_t j = 0; j < k; ++j) {
      auto gw_j = gw[j];
      torch::mm_out(gw_j, gy_rows, x_rows.narrow(1, j, T).view({N, T * R}).t());
    }
    return {gx, gw.permute({1, 2, 0}).unsqueeze(2).contiguous(), gy.sum(std::vector<std::int64_t>{0, 2})};
  }
};

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
  return as_bcnt(forward_tnbc(to_tnbc(x), a_norm)).contiguous();
}

torch::Tensor DynamicGinImpl::forward_tnbc(const torch::Tensor& x, const torch::Tensor& a_norm) {
  const auto T = x.size(0), N = x.size(1), B = x.size(2), C = x.size(3), G = a_norm.size(0), L = T / G;
  TORCH_CHECK(G == nof_slots_ && G * L == T, "DynamicGin: ", G, " graphs for ", nof_slots_, " slots of T = ", T);
  // (1 + ε) x + Â_g x for every channel and time step of slot g: one [N, N] x [N, B·C] product per time step, with
  // the self term on the diagonal of the [N, N] factor (one pass over x instead of three).
  const auto self_term = (1 + eps) * torch::eye(N, a_norm.options());
  const auto a_t = (a_norm + self_term).unsqueeze(1).expand({G, L, N, N}).reshape({T, N, N});
  auto u = torch::bmm(a_t, x.view({T, N, B * C})).view({T, N, B, C});
  nn::count_matmul(name_ + ".aggregate", N, as_bcnt(u));
  // Temporal edges: x[t - L] is the same position of the previous slot (zeros for slot 0).
  if (temporal.defined()) u.narrow(0, L, T - L).addcmul_(x.narrow(0, 0, T - L), temporal);
  const auto H = mlp0->weight.size(0);
  const auto m = torch::relu(F::linear(u.view({-1, C}), mlp0->weight.view({H, C}), mlp0->bias));
  nn::count_conv(name_ + ".mlp0", mlp0->weight, as_bcnt(m.view({T, N, B, H})));
  const auto h = F::linear(m, mlp1->weight.view({C, H}), mlp1->bias).view({T, N, B, C});
  nn::count_conv(name_ + ".mlp1", mlp1->weight, as_bcnt(h));
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
  auto [y, a2] = forward_tnbc(to_tnbc(x), a);
  return {as_bcnt(y).contiguous(), a2};
}

std::pair<torch::Tensor, torch::Tensor> NodePoolImpl::forward_tnbc(const torch::Tensor& x, const torch::Tensor& a) {
  const auto T = x.size(0), N = x.size(1), B = x.size(2), C = x.size(3), k = conv->weight.size(-1);
  const auto y = NodeConvFunction::apply(pad_time(x.view({T, N, B * C}), k), conv->weight, conv->bias)
                     .view({T, -1, B, C});  // [T, N', B, C]
  nn::count_conv(name_, conv->weight, as_bcnt(y));
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
  if (const int W = options_.level_width(); W > 0) {
    level = register_module("level", torch::nn::Linear(D, W));
    level_norm = register_module("level_norm", torch::nn::BatchNorm1d(W));
    in += W;
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
  torch::Tensor lev;  // [B, W]: the level branch on the unpadded steps
  if (level) {
    const auto m = x.mean(2);
    lev = torch::relu(level_norm->forward(level->forward(m)));
    nn::count_linear("level", level->weight, lev);
  }
  if (Tp > options_.nof_steps()) x = F::pad(x, F::PadFuncOptions({0, Tp - options_.nof_steps()}));  // zeros at the end
  x = x.permute({2, 1, 0}).unsqueeze(3).contiguous();  // [Tp, D, B, 1]
  auto a = graph->forward();
  const double p = options_.dropout();
  for (std::size_t l = 0; l < tconvs.size(); ++l) {
    const auto tag = "block" + std::to_string(l) + ".";
    if (t) t->graphs.push_back(a);
    const auto& tconv = tconvs[l];
    x = TimeConvFunction::apply(pad_time(x, tconv->weight.size(-1)), tconv->weight, tconv->bias);
    nn::count_conv(tag + "tconv", tconv->weight, as_bcnt(x));
    x = gins[l]->forward_tnbc(x, normalize_adjacency(a));
    std::tie(x, a) = pools[l]->forward_tnbc(x, a);
    const auto T = x.size(0), N = x.size(1), B = x.size(2), C = x.size(3);
    // BatchNorm2d over the channels of [rows, C, 1, 1]: the same statistics as over [B, C, N, T].
    x = torch::relu(norms[l]->forward(x.view({-1, C, 1, 1}))).view({T, N, B, C});
    if (is_training() && p > 0) {
      // The keep mask drawn in [B, C, N, T] order, so a seed gives the same masks as the [B, C, N, T] model did;
      // made contiguous once, so the product and its backward read it in order.
      x = x * as_tnbc_view(torch::rand({B, C, N, T}, x.options()).ge_(p).div_(1 - p)).contiguous();
    }
    if (t) t->blocks.push_back(as_bcnt(x));
  }
  auto pooled = x.mean(std::vector<std::int64_t>{0, 1});  // mean over nodes and time (§III-G)
  if (lev.defined()) pooled = torch::cat({pooled, lev}, 1);
  const auto logits = fc->forward(pooled);
  nn::count_linear("fc", fc->weight, logits);
  return logits;
}

}  // namespace physec::auth::models
