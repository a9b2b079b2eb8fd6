#include "physec/nn/complexity.hpp"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "physec/core/error.hpp"

namespace physec::nn {

namespace {
thread_local mac_counter* active = nullptr;

std::vector<std::int64_t> shape_of(const torch::Tensor& t) { return t.sizes().vec(); }

std::string shape_text(const std::vector<std::int64_t>& s) {
  std::string out = "[";
  for (std::size_t k = 0; k < s.size(); ++k) out += (k ? ", " : "") + std::to_string(s[k]);
  return out + "]";
}

double percentile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const double pos = q * static_cast<double>(v.size() - 1);
  const auto lo = static_cast<std::size_t>(pos);
  const std::size_t hi = std::min(lo + 1, v.size() - 1);
  return v[lo] + (pos - static_cast<double>(lo)) * (v[hi] - v[lo]);
}

// Waits for queued device work (CUDA kernels run asynchronously): a scalar read back synchronises.
void sync(const torch::Tensor& t) {
  if (t.defined() && t.numel() > 0 && !t.device().is_cpu()) (void)t.reshape({-1})[0].item<float>();
}
}  // namespace

mac_counter::mac_counter() : previous_(active) { active = this; }
mac_counter::~mac_counter() { active = previous_; }

std::int64_t mac_counter::total() const {
  std::int64_t t = 0;
  for (const auto& l : layers_) t += l.macs;
  return t;
}

bool counting_macs() { return active != nullptr; }

void count_macs(const std::string& layer, std::int64_t macs, const torch::Tensor& output) {
  if (active) active->add({layer, shape_of(output), macs});
}

void count_conv(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& output) {
  if (active) count_macs(layer, output.numel() * (weight.numel() / weight.size(0)), output);
}

void count_conv_transpose(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& input,
                          const torch::Tensor& output) {
  if (active) count_macs(layer, input.numel() * (weight.numel() / weight.size(0)), output);
}

void count_linear(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& output) {
  if (active) count_macs(layer, output.numel() * weight.size(1), output);
}

void count_matmul(const std::string& layer, std::int64_t inner, const torch::Tensor& output) {
  if (active) count_macs(layer, output.numel() * inner, output);
}

std::int64_t count_parameters(const torch::nn::Module& module) {
  std::int64_t n = 0;
  for (const auto& p : module.parameters(true))
    if (p.requires_grad()) n += p.numel();
  return n;
}

table complexity_report::layer_table() const {
  table t({"layer", "output_shape", "macs", "share"});
  for (const auto& l : layers)
    t.add_row({l.layer, shape_text(l.output_shape), l.macs,
               macs > 0 ? static_cast<double>(l.macs) / static_cast<double>(macs) : 0.0});
  return t;
}

table complexity_report::summary_table() const {
  table t({"model", "input_shape", "parameters", "macs", "device", "runs", "latency_p50_ms", "latency_p90_ms",
           "latency_p99_ms", "latency_mean_ms"});
  t.add_row({model, shape_text(input_shape), parameters, macs, device, static_cast<std::int64_t>(runs), latency_p50_ms,
             latency_p90_ms, latency_p99_ms, latency_mean_ms});
  return t;
}

complexity_report measure_complexity(const model_handle& model, const std::vector<std::int64_t>& input_shape,
                                     torch::Device device, int runs) {
  if (input_shape.empty() || input_shape[0] != 1)
    throw error("complexity is measured at batch 1", {"", "input_shape", {}}, "[1, ...]", shape_text(input_shape));
  complexity_report r;
  r.model = model.name;
  r.input_shape = input_shape;
  r.parameters = count_parameters(*model.module);
  r.device = device.str();
  r.runs = std::max(1, runs);
  torch::NoGradGuard no_grad;
  const bool was_training = model.module->is_training();
  model.module->eval();
  model.module->to(device);
  const auto x = torch::zeros(input_shape, torch::TensorOptions().device(device));
  {
    mac_counter counter;
    sync(model.forward(x));
    r.layers = counter.layers();
    r.macs = counter.total();
  }
  for (int i = 0; i < std::min(10, r.runs); ++i) sync(model.forward(x));  // warm-up
  std::vector<double> ms;
  ms.reserve(static_cast<std::size_t>(r.runs));
  for (int i = 0; i < r.runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    sync(model.forward(x));
    ms.push_back(std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count());
  }
  r.latency_p50_ms = percentile(ms, 0.5);
  r.latency_p90_ms = percentile(ms, 0.9);
  r.latency_p99_ms = percentile(ms, 0.99);
  r.latency_mean_ms = std::accumulate(ms.begin(), ms.end(), 0.0) / static_cast<double>(ms.size());
  model.module->train(was_training);
  return r;
}

}  // namespace physec::nn
