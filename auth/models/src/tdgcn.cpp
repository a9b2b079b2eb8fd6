// TDGCN blocks (TDGCN paper §III). Equation numbers refer to the paper; choices where it is silent: docs/tdgcn.md.
#include "physec/auth/models/tdgcn.hpp"

#include <cmath>

#include "physec/nn/complexity.hpp"

namespace physec::auth::models {

namespace F = torch::nn::functional;

torch::Tensor normalize_adjacency(const torch::Tensor& a) {
  const auto n = a.size(-1);
  const auto a_hat = a + torch::eye(n, a.options());
  const auto d_inv_sqrt = a_hat.sum(-1).clamp_min(1e-12).rsqrt();  // [..., N]
  return d_inv_sqrt.unsqueeze(-1) * a_hat * d_inv_sqrt.unsqueeze(-2);
}

// ---- Tcn ---------------------------------------------------------------------------------------------------------

TcnImpl::TcnImpl(std::vector<int> kernels, std::vector<int> channels, int in_channels) : kernels_(std::move(kernels)) {
  int in = in_channels;
  for (std::size_t l = 0; l < kernels_.size(); ++l) {
    convs_.push_back(register_module("conv" + std::to_string(l),
                                     torch::nn::Conv1d(torch::nn::Conv1dOptions(in, channels[l], kernels_[l]))));
    in = channels[l];
  }
}

torch::Tensor TcnImpl::forward(const torch::Tensor& x) {
  auto h = x;
  for (std::size_t l = 0; l < convs_.size(); ++l) {
    // Left padding only: output t depends on inputs t-k+1 .. t (causal), length kept (§III-C).
    h = F::pad(h, F::PadFuncOptions({kernels_[l] - 1, 0}));
    h = torch::relu(convs_[l]->forward(h));
    nn::count_conv("tcn.conv" + std::to_string(l), convs_[l]->weight, h);
  }
  return h;
}

// ---- GraphInit ---------------------------------------------------------------------------------------------------

GraphInitImpl::GraphInitImpl(int nof_nodes, int nof_slots, double keep_ratio)
    : keep_(std::max(1, static_cast<int>(std::lround(keep_ratio * (nof_nodes - 1))))) {
  weight = register_parameter("weight", torch::ones({nof_slots, nof_nodes, nof_nodes}));
}

torch::Tensor GraphInitImpl::forward(const torch::Tensor& h) {
  const auto D = h.size(2);
  // Euclidean distances between the node feature vectors of each slot [B, G, D, D]; +1e-8 keeps sqrt
  // differentiable on the diagonal (where the difference, hence the gradient, is 0).
  const auto diff = h.unsqueeze(3) - h.unsqueeze(2);
  const auto dist = (diff.pow(2).sum(-1) + 1e-8).sqrt();
  nn::count_macs("graph.distance", dist.numel() * h.size(3), dist);
  const auto off_diag = 1 - torch::eye(D, h.options());
  const auto mean_dist = (dist * off_diag).sum({-2, -1}, true) / static_cast<double>(D * (D - 1));
  const auto similarity = torch::exp(-dist / (mean_dist + 1e-8));
  // §III-B: similarity through ReLU times learnable parameters (no self-edges: the GIN adds self separately).
  auto a = torch::relu(weight.unsqueeze(0) * similarity) * off_diag;
  // Threshold at each row's k-th largest value. The mask is a constant (no gradient through the comparison); the
  // kept values are the differentiable weights themselves, not a binarised top-k (which would stop the gradient).
  const auto threshold = std::get<0>(a.topk(keep_, -1)).select(-1, keep_ - 1).unsqueeze(-1);
  const auto mask = (a >= threshold).logical_and(a > 0).to(a.dtype()).detach();
  return a * mask;
}

// ---- DynamicGin --------------------------------------------------------------------------------------------------

DynamicGinImpl::DynamicGinImpl(int in_features, int hidden, int nof_layers, int nof_slots) {
  eps = register_parameter("eps", torch::zeros({nof_layers}));
  temporal = register_parameter("temporal", torch::ones({nof_layers, nof_slots}));
  int in = in_features;
  for (int l = 0; l < nof_layers; ++l) {
    const auto tag = "mlp" + std::to_string(l);
    first_.push_back(register_module(tag + "_0", torch::nn::Linear(in, hidden)));
    second_.push_back(register_module(tag + "_1", torch::nn::Linear(hidden, hidden)));
    in = hidden;
  }
}

torch::Tensor DynamicGinImpl::forward(const torch::Tensor& h0, const torch::Tensor& a_norm) {
  std::vector<torch::Tensor> outputs;
  auto h = h0;
  const auto G = h.size(1);
  for (std::size_t l = 0; l < first_.size(); ++l) {
    const auto tag = "gin.layer" + std::to_string(l);
    const auto spatial = torch::matmul(a_norm, h);  // sum over neighbours, normalised weights (7)
    nn::count_matmul(tag + ".aggregate", a_norm.size(-1), spatial);
    // Temporal edges (§III-D): slot g-1's node i into slot g's node i, weighted by β_{l,g}; slot 0 has none.
    auto previous = torch::zeros_like(h);
    if (G > 1) previous.narrow(1, 1, G - 1).copy_(h.narrow(1, 0, G - 1));
    previous = previous * temporal[static_cast<std::int64_t>(l)].view({1, G, 1, 1});
    const auto u = (1 + eps[static_cast<std::int64_t>(l)]) * h + spatial + previous;  // (8)
    const auto m = torch::relu(first_[l]->forward(u));  // MLP: Linear -> ReLU -> Linear -> ReLU
    nn::count_linear(tag + ".mlp0", first_[l]->weight, m);
    h = torch::relu(second_[l]->forward(m));
    nn::count_linear(tag + ".mlp1", second_[l]->weight, h);
    outputs.push_back(h);
  }
  return torch::cat(outputs, -1);  // (9): layer outputs concatenated
}

// ---- CascadePool -------------------------------------------------------------------------------------------------

CascadePoolImpl::CascadePoolImpl(int nof_nodes, int features, int nof_layers, double ratio) : sizes_{nof_nodes} {
  for (int l = 0; l < nof_layers; ++l) {
    sizes_.push_back(std::max(1, static_cast<int>(std::lround(sizes_.back() * (1.0 - ratio)))));
    assign_.push_back(register_module("assign" + std::to_string(l), torch::nn::Linear(features, sizes_.back())));
    embed_.push_back(register_module("embed" + std::to_string(l), torch::nn::Linear(features, features)));
  }
}

torch::Tensor CascadePoolImpl::forward(const torch::Tensor& x0, const torch::Tensor& a0) {
  auto x = x0;
  auto a = a0;
  for (std::size_t l = 0; l < assign_.size(); ++l) {
    const auto tag = "pool.layer" + std::to_string(l);
    const auto ax = torch::matmul(normalize_adjacency(a), x);  // [N, n_l, F]
    nn::count_matmul(tag + ".propagate", a.size(-1), ax);
    const auto logits = assign_[l]->forward(ax);  // [N, n_l, n_{l+1}]
    nn::count_linear(tag + ".assign", assign_[l]->weight, logits);
    const auto s = torch::softmax(logits, -1).transpose(1, 2);  // S [N, n_{l+1}, n_l], columns sum to 1
    const auto z = torch::relu(embed_[l]->forward(ax));
    nn::count_linear(tag + ".embed", embed_[l]->weight, z);
    x = torch::matmul(s, z);  // X' = S Z (10)
    nn::count_matmul(tag + ".features", s.size(-1), x);
    a = torch::matmul(torch::matmul(s, a), s.transpose(1, 2));  // A' = S A Sᵀ (10)
    nn::count_macs(tag + ".adjacency", a.size(0) * s.size(1) * s.size(2) * (s.size(2) + s.size(1)), a);
  }
  return x;
}

// ---- Tdgcn -------------------------------------------------------------------------------------------------------

TdgcnImpl::TdgcnImpl(TdgcnOptions o) : options_(std::move(o)) {
  options_.validate();
  const int D = options_.nof_dims(), G = options_.nof_slots();
  const int L = options_.padded_steps() / G, C = options_.tcn_channels().back(), H = options_.hidden();
  tcn = register_module("tcn", Tcn(options_.tcn_kernels(), options_.tcn_channels()));
  slot_proj = register_module("slot_proj", torch::nn::Linear(C * L, H));
  graph = register_module("graph", GraphInit(D, G, options_.keep_ratio()));
  gin = register_module("gin", DynamicGin(H, H, options_.gin_layers(), G));
  const int F_out = H * options_.gin_layers();
  pool = register_module("pool", CascadePool(D, F_out, options_.pool_layers(), options_.pool_ratio()));
  dropout = register_module("dropout", torch::nn::Dropout(options_.dropout()));
  fc = register_module("fc", torch::nn::Linear(F_out, options_.nof_classes()));
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
  const auto B = x_in.size(0);
  const int D = options_.nof_dims(), G = options_.nof_slots(), Tp = options_.padded_steps();
  auto x = (x_in - mean_) / std_;
  if (Tp > options_.nof_steps()) x = F::pad(x, F::PadFuncOptions({0, Tp - options_.nof_steps()}));  // zeros at the end
  const auto h_tcn = tcn->forward(x.reshape({B * D, 1, Tp}));  // [B·D, C, Tp]
  const auto C = h_tcn.size(1);
  const auto L = Tp / G;
  // Slot g of node d: its C x L TCN features, projected to H (§III-B node features per time slot).
  const auto slots_in = h_tcn.view({B, D, C, G, L}).permute({0, 3, 1, 2, 4}).reshape({B, G, D, C * L});
  const auto h = torch::relu(slot_proj->forward(slots_in));  // [B, G, D, H]
  nn::count_linear("slot_proj", slot_proj->weight, h);
  const auto a = graph->forward(h);                      // [B, G, D, D]
  const auto z = gin->forward(h, normalize_adjacency(a));  // [B, G, D, L_gin·H]
  const auto Fz = z.size(-1);
  const auto pooled = pool->forward(z.reshape({B * G, D, Fz}), a.reshape({B * G, D, D}));  // [B·G, N, F]
  const auto rep = pooled.view({B, G, -1, Fz}).mean({1, 2});                            // mean pooling (§III-G)
  const auto logits = fc->forward(dropout->forward(rep));
  nn::count_linear("fc", fc->weight, logits);
  if (t) *t = {h_tcn.view({B, D, C, Tp}), h, a, z, pooled.view({B, G, -1, Fz})};
  return logits;
}

}  // namespace physec::auth::models
