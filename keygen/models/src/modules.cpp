#include "physec/keygen/models/modules.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "physec/core/error.hpp"
#include "physec/nn/complexity.hpp"

namespace physec::keygen::models {

namespace {

constexpr double k_leak = 0.1;  // LeakyReLU slope: keeps a gradient for negative pre-activations (signed CSI parts)

torch::Tensor act(const torch::Tensor& x) { return torch::leaky_relu(x, k_leak); }

}  // namespace

// ---- SpatialSelfAttention ----

SpatialSelfAttentionImpl::SpatialSelfAttentionImpl(const SpatialSelfAttentionOptions& o) : options(o) {
  const std::int64_t c = o.channels();
  const std::int64_t ck = std::max<std::int64_t>(1, c / o.reduction());
  query = register_module("query", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, ck, 1)));
  key = register_module("key", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, ck, 1)));
  value = register_module("value", torch::nn::Conv2d(torch::nn::Conv2dOptions(c, c, 1)));
  gamma = register_parameter("gamma", torch::zeros({1}));
}

torch::Tensor SpatialSelfAttentionImpl::forward(const torch::Tensor& x) {
  const auto b = x.size(0), c = x.size(1), h = x.size(2), w = x.size(3), n = h * w;
  const torch::Tensor q = query(x), k = key(x), v = value(x);
  nn::count_conv(prefix_ + ".query", query->weight, q);
  nn::count_conv(prefix_ + ".key", key->weight, k);
  nn::count_conv(prefix_ + ".value", value->weight, v);
  // energy[b, i, j] = q_i · k_j over the N = H·W positions; softmax over j (the keys).
  const torch::Tensor energy = torch::bmm(q.view({b, -1, n}).transpose(1, 2), k.view({b, -1, n}));  // [B, N, N]
  nn::count_matmul(prefix_ + ".energy", q.size(1), energy);
  attention_ = torch::softmax(energy, -1);
  const torch::Tensor mixed = torch::bmm(v.view({b, c, n}), attention_.transpose(1, 2));  // [B, C, N]
  nn::count_matmul(prefix_ + ".mix", n, mixed);
  return gamma * mixed.view({b, c, h, w}) + x;
}

// ---- blocks ----

ConvBlockImpl::ConvBlockImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride,
                             std::string name)
    : name_(std::move(name)) {
  conv = register_module(
      "conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, kernel).stride(stride).padding(kernel / 2)));
  bn = register_module("bn", torch::nn::BatchNorm2d(out));
}

torch::Tensor ConvBlockImpl::forward(const torch::Tensor& x) {
  torch::Tensor y = conv(x);
  nn::count_conv(name_ + ".conv", conv->weight, y);
  return act(bn(y));
}

DeconvBlockImpl::DeconvBlockImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::string name)
    : name_(std::move(name)) {
  deconv = register_module(
      "deconv", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(in, out, kernel).stride(2).padding(kernel / 2)));
  bn = register_module("bn", torch::nn::BatchNorm2d(out));
}

torch::Tensor DeconvBlockImpl::forward(const torch::Tensor& x, const std::vector<std::int64_t>& output_hw) {
  const std::vector<std::int64_t> size{x.size(0), deconv->options.out_channels(), output_hw.at(0), output_hw.at(1)};
  torch::Tensor y = deconv->forward(x, at::IntArrayRef(size));
  nn::count_conv_transpose(name_ + ".deconv", deconv->weight, x, y);
  return act(bn(y));
}

// ---- CnnAe ----

CnnAeImpl::CnnAeImpl(const CnnAeOptions& o) : options(o) {
  const auto& ch = o.channels();
  const std::int64_t k = o.kernel_size();
  if (ch.empty() || k < 1 || k % 2 == 0 || o.bottleneck_channels() < 1)
    throw error("bad CNN-AE options", {"", "model.cnn", {}}, "at least one encoder width, an odd kernel size, a bottleneck >= 1",
                "kernel " + std::to_string(k) + ", " + std::to_string(ch.size()) + " widths");
  auto enc = register_module("encoder", torch::nn::ModuleList());
  for (std::size_t i = 0; i < ch.size(); ++i) {
    const std::int64_t in = i == 0 ? o.in_channels() : ch[i - 1];
    encoder.push_back(ConvBlock(in, ch[i], k, i == 0 ? 1 : 2, "encoder." + std::to_string(i)));
    enc->push_back(encoder.back());
  }
  if (o.attention()) {
    attention = register_module(
        "attention", SpatialSelfAttention(SpatialSelfAttentionOptions(ch.back()).reduction(o.attention_reduction())));
    attention->set_name("attention");
  }
  bottleneck = register_module("bottleneck", ConvBlock(ch.back(), o.bottleneck_channels(), 1, 1, "bottleneck"));
  expand = register_module("expand", ConvBlock(o.bottleneck_channels(), ch.back(), 1, 1, "expand"));
  auto dec = register_module("decoder", torch::nn::ModuleList());
  for (std::size_t i = 0; i + 1 < ch.size(); ++i) {
    decoder.push_back(DeconvBlock(ch[i + 1], ch[i], k, "decoder." + std::to_string(i)));
    dec->push_back(decoder.back());
  }
  output = register_module("output",
                           torch::nn::Conv2d(torch::nn::Conv2dOptions(ch.front(), o.in_channels(), k).padding(k / 2)));
}

torch::Tensor CnnAeImpl::forward(const torch::Tensor& x) {
  std::vector<std::vector<std::int64_t>> sizes;  // [H, W] after each encoder block
  torch::Tensor h = x;
  for (auto& block : encoder) {
    h = block->forward(h);
    sizes.push_back({h.size(2), h.size(3)});
  }
  if (attention) h = attention->forward(h);
  h = expand->forward(bottleneck->forward(h));
  for (std::size_t i = decoder.size(); i-- > 0;) h = decoder[i]->forward(h, sizes[i]);
  torch::Tensor y = output(h);
  nn::count_conv("output", output->weight, y);
  return y;
}

// ---- DenseAe ----

DenseAeImpl::DenseAeImpl(const DenseAeOptions& o) : options(o) {
  const std::int64_t d = o.in_channels() * o.nof_subcarriers() * o.nof_symbols();
  enc1 = register_module("enc1", torch::nn::Linear(d, o.hidden()));
  enc2 = register_module("enc2", torch::nn::Linear(o.hidden(), o.bottleneck()));
  dec1 = register_module("dec1", torch::nn::Linear(o.bottleneck(), o.hidden()));
  dec2 = register_module("dec2", torch::nn::Linear(o.hidden(), d));
}

torch::Tensor DenseAeImpl::forward(const torch::Tensor& x) {
  const std::int64_t f = options.nof_subcarriers(), t = options.nof_symbols();
  if (x.dim() != 4 || x.size(1) != options.in_channels() || x.size(2) != f || x.size(3) != t)
    throw error("dense AE input of the wrong shape", {"", "input", {}},
                "[B, " + std::to_string(options.in_channels()) + ", " + std::to_string(f) + ", " + std::to_string(t) + "]",
                c10::str(x.sizes()));
  torch::Tensor h = x.flatten(1);
  const auto layer = [](torch::nn::Linear& l, const torch::Tensor& in, const char* name) {
    torch::Tensor y = l(in);
    nn::count_linear(name, l->weight, y);
    return y;
  };
  h = act(layer(enc1, h, "enc1"));
  h = act(layer(enc2, h, "enc2"));
  h = act(layer(dec1, h, "dec1"));
  return layer(dec2, h, "dec2").view(x.sizes());
}

// ---- factory ----

torch::Tensor feature_model_loss(const std::string& loss, const torch::Tensor& y, const torch::Tensor& target) {
  if (loss == "mse") return torch::mse_loss(y, target);
  if (loss != "phase_invariant")
    throw error("unknown loss", {"keygen train", "train.loss", {}}, "phase_invariant or mse", loss);
  if (y.dim() != 4 || y.size(1) != 2 || !y.sizes().equals(target.sizes()))
    throw error("wrong shapes", {"keygen train", "loss", {}}, "[B, 2, F, T] twice",
                fmt::format("{} and {}", fmt::join(y.sizes(), "x"), fmt::join(target.sizes(), "x")));
  const torch::Tensor yr = y.select(1, 0), yi = y.select(1, 1), tr = target.select(1, 0), ti = target.select(1, 1);
  // Per example and symbol (sums over subcarriers, dim 1 of [B, F, T]): sum conj(y) t = re + j im.
  const torch::Tensor re = (yr * tr + yi * ti).sum(1), im = (yr * ti - yi * tr).sum(1);
  const torch::Tensor power = (y * y).sum({1, 2}) + (target * target).sum({1, 2});
  // The small constant keeps the gradient of |.| finite where y and the target are orthogonal.
  const torch::Tensor residual = power - 2.0 * torch::sqrt(re * re + im * im + 1e-12);
  return residual.mean() / static_cast<double>(2 * y.size(2));
}

nn::model_handle make_keygen_model(const std::string& name, const std::string& options_json, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(options_json);
  } catch (const std::exception& e) {
    throw error("model options are not JSON", {origin, "model_options", {}}, "a JSON object", e.what());
  }
  const auto get = [&](const char* key) -> const nlohmann::json& {
    if (!j.contains(key)) throw error("model options lack a key", {origin, std::string("model_options.") + key, {}}, key, "absent");
    return j.at(key);
  };
  try {
    if (name == "cnn_ae_ssa" || name == "cnn_ae") {
      CnnAeOptions o;
      o.channels(get("channels").get<std::vector<std::int64_t>>())
          .bottleneck_channels(get("bottleneck_channels").get<std::int64_t>())
          .kernel_size(get("kernel_size").get<std::int64_t>())
          .attention(name == "cnn_ae_ssa")
          .attention_reduction(get("attention_reduction").get<std::int64_t>());
      return nn::make_handle(CnnAe(o), name, options_json);
    }
    if (name == "dense_ae") {
      DenseAeOptions o(get("nof_subcarriers").get<std::int64_t>(), get("nof_symbols").get<std::int64_t>());
      o.hidden(get("hidden").get<std::int64_t>()).bottleneck(get("bottleneck").get<std::int64_t>());
      return nn::make_handle(DenseAe(o), name, options_json);
    }
  } catch (const nlohmann::json::exception& e) {
    throw error("model options of the wrong type", {origin, "model_options", {}}, "integers", e.what());
  }
  throw error("unknown model", {origin, "model", {}}, "cnn_ae_ssa, cnn_ae or dense_ae", name);
}

}  // namespace physec::keygen::models
