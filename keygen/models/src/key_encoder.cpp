#include "physec/keygen/models/key_encoder.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "physec/core/error.hpp"

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

torch::Tensor information_loss(const torch::Tensor& za, const torch::Tensor& zb) {
  const torch::Tensor corr = (standardise_columns(za) * standardise_columns(zb)).mean(0).clamp(0.0, 0.999);
  return (0.5 * torch::log2(1.0 - corr * corr)).mean();
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
  torch::Tensor loss = (w.information ? information_loss(za, zb) : agreement_loss(za, zb)) +
                       w.decorrelation * 0.5 * (decorrelation_loss(za) + decorrelation_loss(zb)) +
                       w.uniformity * 0.5 * (uniformity_loss(za) + uniformity_loss(zb));
  if (eve_prediction.defined()) loss = loss + w.secrecy * explained_variance(eve_prediction, za);
  return loss;
}

namespace {

/// `[n, d]` float64 ndarray -> tensor (a copy).
torch::Tensor to_tensor(const ndarray<double>& x) {
  return torch::from_blob(const_cast<double*>(x.ptr()),
                          {static_cast<std::int64_t>(x.shape[0]), static_cast<std::int64_t>(x.shape[1])}, torch::kDouble)
      .clone();
}

/// The links' arrays selected by `part`, stacked along the probe axis.
torch::Tensor stack(const std::vector<keygen::learned_map_link>& links, ndarray<double> keygen::learned_map_link::*part) {
  std::vector<torch::Tensor> t;
  for (const auto& l : links) t.push_back(to_tensor(l.*part));
  return torch::cat(t, 0);
}

/// Explained variance of `za` (standardised) by a ridge-regularised linear Eve fitted on (eve_fit, za_fit) and applied
/// to (eve_eval, za_eval): the validation yardstick of the secrecy term.
torch::Tensor linear_eve_explained(const torch::Tensor& eve_fit, const torch::Tensor& za_fit, const torch::Tensor& eve_eval,
                                   const torch::Tensor& za_eval) {
  const auto design = [](const torch::Tensor& e) { return torch::cat({torch::ones({e.size(0), 1}, e.options()), e}, 1); };
  const torch::Tensor x = design(eve_fit), y = standardise_columns(za_fit);
  const torch::Tensor g = x.t().matmul(x) + 1e-6 * static_cast<double>(x.size(0)) * torch::eye(x.size(1), x.options());
  const torch::Tensor beta = torch::linalg_solve(g, x.t().matmul(y));
  return explained_variance(design(eve_eval).matmul(beta), standardise_columns(za_eval));
}

/// The trained encoder as the chain's learned map (inference in eval mode, no gradients).
class key_encoder_map : public keygen::learned_map {
 public:
  explicit key_encoder_map(KeyEncoder enc) : enc_(std::move(enc)) { enc_->eval(); }
  ndarray<double> apply(const ndarray<double>& x) const override {
    torch::NoGradGuard no_grad;
    const torch::Tensor y = enc_->forward(to_tensor(x)).contiguous();
    ndarray<double> out({x.shape[0], static_cast<std::size_t>(y.size(1))});
    std::copy_n(y.data_ptr<double>(), out.size(), out.data.begin());
    return out;
  }

 private:
  mutable KeyEncoder enc_;  // forward() is not const in LibTorch; inference changes nothing
};

}  // namespace

std::shared_ptr<const keygen::learned_map> train_key_encoder(const std::vector<keygen::learned_map_link>& links,
                                                             const keygen::key_encoder_config& cfg, std::uint64_t seed,
                                                             key_encoder_fit_report* report) {
  using keygen::learned_map_link;
  if (links.empty()) throw error("no link to train the key encoder on", {"", "chain.key_encoder", {}}, ">= 1 link", "0");
  const auto t0 = std::chrono::steady_clock::now();
  const torch::Tensor xa = stack(links, &learned_map_link::alice_train), xb = stack(links, &learned_map_link::bob_train);
  const torch::Tensor va = stack(links, &learned_map_link::alice_val), vb = stack(links, &learned_map_link::bob_val);
  const bool with_eve = cfg.weight_secrecy > 0 && links.front().eve_train.size() > 0;
  const torch::Tensor ea = with_eve ? stack(links, &learned_map_link::eve_train) : torch::Tensor();
  const torch::Tensor ev = with_eve ? stack(links, &learned_map_link::eve_val) : torch::Tensor();
  const std::int64_t n = xa.size(0), q = xa.size(1), m = cfg.outputs;
  torch::manual_seed(seed);
  KeyEncoder enc(KeyEncoderOptions(q, m).hidden(cfg.hidden));
  enc->to(torch::kDouble);
  {
    torch::NoGradGuard no_grad;
    enc->skip->weight.zero_();
    for (std::int64_t i = 0; i < std::min(q, m); ++i) enc->skip->weight[i][i] = 1.0;
    enc->out->weight.zero_();
    enc->out->bias.zero_();
  }
  EveAdversary adv(with_eve ? ea.size(1) : 1, m, cfg.hidden);
  adv->to(torch::kDouble);
  torch::optim::Adam opt(enc->parameters(), torch::optim::AdamOptions(cfg.learning_rate));
  torch::optim::Adam opt_eve(adv->parameters(), torch::optim::AdamOptions(cfg.learning_rate));
  const KeyLossWeights w{cfg.weight_decorrelation, cfg.weight_uniformity, cfg.weight_secrecy,
                         cfg.agreement == "information"};
  const auto val_loss = [&] {
    torch::NoGradGuard no_grad;
    enc->eval();
    const torch::Tensor za = enc->forward(va);
    torch::Tensor l = key_encoder_loss(za, enc->forward(vb), torch::Tensor(), w);
    if (with_eve) l = l + w.secrecy * linear_eve_explained(ea, enc->forward(xa), ev, za);
    enc->train();
    return l.item<double>();
  };
  key_encoder_fit_report r;
  r.nof_links = links.size();
  r.nof_train = static_cast<std::size_t>(n);
  r.nof_val = static_cast<std::size_t>(va.size(0));
  r.initial_val_loss = r.best_val_loss = val_loss();
  r.history.push_back({0.0, std::nan(""), r.initial_val_loss});
  // The best epoch's weights, copied (torch::save cannot reload a submodule named "in": a Python keyword).
  const auto snapshot = [&] {
    std::vector<torch::Tensor> v;
    for (const auto& p : enc->parameters()) v.push_back(p.detach().clone());
    return v;
  };
  std::vector<torch::Tensor> best = snapshot();
  const std::int64_t batch = std::min<std::int64_t>(cfg.batch, n);
  int since = 0;
  for (int epoch = 1; epoch <= cfg.epochs; ++epoch) {
    const torch::Tensor perm = torch::randperm(n, torch::kLong);
    double sum = 0;
    int steps = 0;
    for (std::int64_t s = 0; s + batch <= n; s += batch) {  // the remainder (< batch) waits for the next epoch
      const torch::Tensor idx = perm.slice(0, s, s + batch);
      const torch::Tensor za = enc->forward(xa.index_select(0, idx)), zb = enc->forward(xb.index_select(0, idx));
      torch::Tensor loss = key_encoder_loss(za, zb, torch::Tensor(), w);
      if (with_eve) {
        const torch::Tensor e = ea.index_select(0, idx);
        const torch::Tensor target = standardise_columns(za.detach());
        opt_eve.zero_grad();
        torch::mse_loss(adv->forward(e), target).backward();
        opt_eve.step();
        loss = loss + w.secrecy * explained_variance(adv->forward(e).detach(), standardise_columns(za));
      }
      opt.zero_grad();
      loss.backward();
      opt.step();
      sum += loss.item<double>();
      ++steps;
    }
    const double v = val_loss();
    r.history.push_back({static_cast<double>(epoch), sum / std::max(1, steps), v});
    r.epochs_run = epoch;
    if (v < r.best_val_loss) {
      r.best_val_loss = v;
      r.best_epoch = epoch;
      best = snapshot();
      since = 0;
    } else if (++since >= cfg.patience) {
      r.stopped_early = true;
      break;
    }
  }
  {
    torch::NoGradGuard no_grad;
    const auto params = enc->parameters();
    for (std::size_t i = 0; i < params.size(); ++i) params[i].copy_(best[i]);
  }
  enc->eval();
  r.parameters = 0;
  for (const auto& p : enc->parameters()) r.parameters += p.numel();
  r.macs = q * cfg.hidden + cfg.hidden * m + q * m;
  {
    torch::NoGradGuard no_grad;
    const torch::Tensor one = va.slice(0, 0, 1);
    std::vector<double> ms;
    for (int i = 0; i < 220; ++i) {
      const auto a = std::chrono::steady_clock::now();
      (void)enc->forward(one);
      if (i >= 20) ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - a).count());
    }
    std::sort(ms.begin(), ms.end());
    r.latency_p50_ms = ms[ms.size() / 2];
    r.latency_p90_ms = ms[ms.size() * 9 / 10];
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report) *report = r;
  return std::make_shared<key_encoder_map>(enc);
}

}  // namespace physec::keygen::models
