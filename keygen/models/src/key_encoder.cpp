#include "physec/keygen/models/key_encoder.hpp"

#include <cmath>

namespace physec::keygen::models {

torch::Tensor standardise_columns(const torch::Tensor& z, double eps) {
  const torch::Tensor centred = z - z.mean(0, /*keepdim=*/true);
  const torch::Tensor sd = (centred.pow(2).mean(0, /*keepdim=*/true) + eps).sqrt();
  return centred / sd;
}

torch::Tensor agreement_loss(const torch::Tensor& za, const torch::Tensor& zb) {
  const torch::Tensor corr = (standardise_columns(za) * standardise_columns(zb)).mean(0);  // [m]
  return (1.0 - corr).mean();
}

torch::Tensor decorrelation_loss(const torch::Tensor& z) {
  const std::int64_t b = z.size(0), m = z.size(1);
  if (m < 2) return torch::zeros({}, z.options());
  const torch::Tensor s = standardise_columns(z);
  const torch::Tensor c = s.t().matmul(s) / static_cast<double>(b);  // [m, m], unit diagonal
  const torch::Tensor off = c - torch::diag(torch::diag(c));
  return off.pow(2).sum() / static_cast<double>(m * (m - 1));
}

torch::Tensor uniformity_loss(const torch::Tensor& z) {
  const std::int64_t b = z.size(0);
  const torch::Tensor u = 0.5 * (1.0 + torch::erf(standardise_columns(z) / std::sqrt(2.0)));  // Φ
  const torch::Tensor sorted = std::get<0>(u.sort(0));
  const torch::Tensor grid = (torch::arange(b, z.options()) + 0.5) / static_cast<double>(b);
  return (sorted - grid.unsqueeze(1)).pow(2).mean();
}

torch::Tensor explained_variance(const torch::Tensor& prediction, const torch::Tensor& target) {
  const torch::Tensor centred = target - target.mean(0, true);
  const torch::Tensor residual = (target - prediction).pow(2).mean(0);
  const torch::Tensor variance = centred.pow(2).mean(0) + 1e-12;
  return torch::clamp_min(1.0 - residual / variance, 0.0).mean();
}

KeyEncoderImpl::KeyEncoderImpl(const KeyEncoderOptions& o) : options(o) {
  in = register_module("in", torch::nn::Linear(o.in_features(), o.hidden()));
  norm = register_module("norm", torch::nn::LayerNorm(torch::nn::LayerNormOptions({o.hidden()})));
  out = register_module("out", torch::nn::Linear(o.hidden(), o.out_features()));
  skip = register_module("skip", torch::nn::Linear(torch::nn::LinearOptions(o.in_features(), o.out_features()).bias(false)));
}

torch::Tensor KeyEncoderImpl::forward(const torch::Tensor& x) {
  return out->forward(torch::gelu(norm->forward(in->forward(x)))) + skip->forward(x);
}

EveAdversaryImpl::EveAdversaryImpl(std::int64_t in_features, std::int64_t out_features, std::int64_t hidden) {
  net = register_module("net", torch::nn::Sequential(torch::nn::Linear(in_features, hidden), torch::nn::GELU(),
                                                     torch::nn::Linear(hidden, hidden), torch::nn::GELU(),
                                                     torch::nn::Linear(hidden, out_features)));
}

torch::Tensor EveAdversaryImpl::forward(const torch::Tensor& eve) { return net->forward(eve); }

torch::Tensor key_encoder_loss(const torch::Tensor& za, const torch::Tensor& zb, const torch::Tensor& eve_prediction,
                               const KeyLossWeights& w) {
  torch::Tensor loss = agreement_loss(za, zb) +
                       w.decorrelation * 0.5 * (decorrelation_loss(za) + decorrelation_loss(zb)) +
                       w.uniformity * 0.5 * (uniformity_loss(za) + uniformity_loss(zb));
  if (eve_prediction.defined()) loss = loss + w.secrecy * explained_variance(eve_prediction, za);
  return loss;
}

}  // namespace physec::keygen::models
