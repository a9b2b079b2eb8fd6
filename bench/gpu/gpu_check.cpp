// gpu_check: physec's LibTorch layer on CUDA against the CPU (bench/gpu/README.md). One JSON line per check on stdout,
// then a summary line; exit code 0 iff no check failed. Checks without CUDA report "skip" (their CPU parts still run)
// unless --require-cuda makes a missing GPU a failure.
//
//   gpu_check [--quick] [--require-cuda] [--no-timing] [--cpu-threads N] [--workdir DIR]
//
// Numerical tolerances. Every model runs three times from the same weights and inputs: float64 on the CPU (the
// reference), the model's precision on the CPU, and the same on CUDA. An error is max |a - ref| / max |ref| over a
// tensor. The CUDA result passes when its error is within a floor or within 10x the CPU's own error at the same
// precision (the CPU path is the one physec is tested on). Floors for float32: outputs 1e-4, gradients 1e-3. The
// longest reductions are K <= 640 products (256 channels x kernel 3, 128 x 5) and means over <= 5,200 positions, so
// float32 rounding (u = 6e-8) gives ~sqrt(K)·u ~ 1e-6 per layer, far below 1e-4; TF32 (u = 4.9e-4, cuDNN convolutions
// use it by default in torch 2.x) would not fit, so TF32 is switched off for the comparison and its error reported
// separately. Gradients pass through train-mode batch normalisation (division by batch standard deviations) and
// sums over ~20,000 rows, hence the looser 1e-3. float64 models (the key encoder): 1e-9. A gradient that is zero in
// exact arithmetic (a bias before train-mode batch normalisation, the attention's key bias under the softmax, the key
// encoder's output bias under its scale-free losses) is rounding noise everywhere: its error is taken relative to the
// model's largest gradient, and it is exempt from the non-zero-gradient check (listed as such in the output).
#include <ATen/Context.h>
#include <openssl/evp.h>
#include <torch/torch.h>
#include <torch/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "physec/auth/models/tdgcn.hpp"
#include "physec/auth/models/tdgcn_train.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/version.hpp"
#include "physec/keygen/models/config.hpp"
#include "physec/keygen/models/key_encoder.hpp"
#include "physec/keygen/models/modules.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/device.hpp"
#include "physec/nn/runtime.hpp"
#include "physec/nn/trainer.hpp"

namespace am = physec::auth::models;
namespace km = physec::keygen::models;
namespace nn = physec::nn;
namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

namespace {

struct options {
  bool quick = false;
  bool require_cuda = false;
  bool timing = true;
  int cpu_threads = 0;
  fs::path workdir;
};

bool g_cuda = false;  // torch::cuda::is_available() at start

// ---- output --------------------------------------------------------------------------------------------------------

struct tally {
  int passed = 0, failed = 0, skipped = 0, reported = 0;
  std::vector<std::string> failures;
};

void emit(const json& j) { std::cout << j.dump() << std::endl; }  // one line, flushed (a killed run keeps its lines)

/// Runs one check: `body` returns its details with "status" (pass, fail, skip or report); an exception is a failure.
void run_check(tally& t, const std::string& name, const std::function<json()>& body) {
  const auto t0 = std::chrono::steady_clock::now();
  json details;
  try {
    details = body();
  } catch (const std::exception& e) {
    details = json{{"status", "fail"}, {"error", e.what()}};
  }
  json line{{"check", name}, {"status", details.value("status", "fail")}};
  for (auto it = details.begin(); it != details.end(); ++it)
    if (it.key() != "status") line[it.key()] = it.value();
  line["seconds"] = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  const std::string s = line["status"].get<std::string>();
  if (s == "pass")
    ++t.passed;
  else if (s == "skip")
    ++t.skipped;
  else if (s == "report")
    ++t.reported;
  else {
    ++t.failed;
    t.failures.push_back(name);
  }
  emit(line);
}

const char* k_no_cuda = "skipped: no CUDA";

// ---- small helpers -------------------------------------------------------------------------------------------------

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double median(std::vector<double> v) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double quantile(std::vector<double> v, double q) {
  if (v.empty()) return std::nan("");
  std::sort(v.begin(), v.end());
  return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1))];
}

/// max |a - ref| / max |ref| (both moved to the CPU in float64); max |a - ref| when ref is all zeros.
double rel_err(const torch::Tensor& a, const torch::Tensor& ref) {
  const auto r = ref.detach().to(torch::kCPU, torch::kDouble), x = a.detach().to(torch::kCPU, torch::kDouble);
  const double scale = r.abs().max().item<double>();
  const double diff = (x - r).abs().max().item<double>();
  return scale > 0 ? diff / scale : diff;
}

void set_tf32(bool on) {
  at::globalContext().setAllowTF32CuBLAS(on);
  at::globalContext().setAllowTF32CuDNN(on);
}

/// Copies every parameter and buffer of `from` into the same-named tensor of `to` (any device and dtype).
void copy_state(const torch::nn::Module& from, torch::nn::Module& to) {
  torch::NoGradGuard no_grad;
  const auto src_p = from.named_parameters(true), src_b = from.named_buffers(true);
  auto dst_p = to.named_parameters(true), dst_b = to.named_buffers(true);
  if (src_p.size() != dst_p.size() || src_b.size() != dst_b.size())
    throw std::runtime_error("copy_state: the two models differ in their parameters or buffers");
  for (auto& p : dst_p) p.value().copy_(src_p[p.key()]);
  for (auto& b : dst_b) b.value().copy_(src_b[b.key()]);
}

// ---- 1. runtime ----------------------------------------------------------------------------------------------------

json check_runtime(const options& o) {
  const auto info = nn::query_runtime();
  json j;
  j["torch_version"] = info.torch_version;
  j["cuda_available"] = info.cuda_available;
  j["cuda_device_count"] = info.cuda_device_count;
  j["intra_op_threads"] = info.intra_op_threads;
  j["blas"] = info.blas;
  j["blas_threads"] = info.blas_threads;
  j["cplusplus"] = static_cast<long>(__cplusplus);
#ifdef _GLIBCXX_USE_CXX11_ABI
  j["glibcxx_cxx11_abi"] = _GLIBCXX_USE_CXX11_ABI;
#endif
  j["physec_version"] = physec::version();
  j["git_describe"] = physec::git_describe();
  j["tf32_default_cublas"] = at::globalContext().allowTF32CuBLAS();
  j["tf32_default_cudnn"] = at::globalContext().allowTF32CuDNN();
  j["hardware_threads"] = static_cast<int>(std::thread::hardware_concurrency());
  if (o.require_cuda && !info.cuda_available) {
    j["status"] = "fail";
    j["error"] = "--require-cuda: torch::cuda::is_available() is false (a CPU-only LibTorch, or no driver/device)";
  } else {
    j["status"] = "pass";
  }
  return j;
}

/// check_device / parse_device: what a config's `run.device` may say.
json check_devices() {
  json j;
  std::vector<std::string> problems;
  const auto expect_ok = [&](const std::string& d) {
    try {
      nn::check_device(d, "run.device");
    } catch (const std::exception& e) {
      problems.push_back(d + " rejected: " + e.what());
    }
  };
  const auto expect_error = [&](const std::string& d, const std::string& needle) {
    try {
      nn::check_device(d, "run.device");
      problems.push_back(d + " accepted");
    } catch (const physec::error& e) {
      if (std::string(e.what()).find(needle) == std::string::npos)
        problems.push_back(d + ": message lacks \"" + needle + "\": " + e.what());
    }
  };
  expect_ok("cpu");
  expect_error("gpu", "not a device");
  expect_error("cpu:0", "not a device");
  if (g_cuda) {
    expect_ok("cuda");
    expect_ok("cuda:0");
    expect_error("cuda:" + std::to_string(torch::cuda::device_count()), "no such CUDA device");
    const torch::Device d = nn::parse_device("cuda");
    if (!d.is_cuda() || d.index() != 0) problems.push_back("parse_device(\"cuda\") gave " + d.str());
    j["cuda_accepted"] = true;
  } else {
    expect_error("cuda", "CUDA is not available");
    j["note"] = "no CUDA: \"cuda\" must be (and was checked to be) rejected";
  }
  j["problems"] = problems;
  j["status"] = problems.empty() ? "pass" : "fail";
  return j;
}

json check_matmul() {
  json j;
  j["cpu_n"] = 2048;
  j["cpu_gflops"] = nn::matmul_gflops("cpu", 2048, 3);
  if (g_cuda) {
    j["cuda_n"] = 8192;
    j["cuda_gflops_fp32"] = nn::matmul_gflops("cuda", 8192, 20);  // TF32 off (set at start)
    set_tf32(true);
    j["cuda_gflops_tf32_allowed"] = nn::matmul_gflops("cuda", 8192, 20);
    set_tf32(false);
  } else {
    j["cuda"] = k_no_cuda;
  }
  j["status"] = "report";
  return j;
}

/// SHA-256 behind the EVP calls checkpoints use (the machine's libcrypto): FIPS 180-2 vectors.
json check_sha256() {
  const auto digest = [](const std::string& s) {
    EVP_MD_CTX* c = EVP_MD_CTX_new();
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    const bool ok = c && EVP_DigestInit_ex(c, EVP_sha256(), nullptr) == 1 &&
                    EVP_DigestUpdate(c, s.data(), s.size()) == 1 && EVP_DigestFinal_ex(c, d, &n) == 1;
    EVP_MD_CTX_free(c);
    std::string hex;
    static const char* k = "0123456789abcdef";
    for (unsigned i = 0; ok && i < n; ++i) hex += {k[d[i] >> 4], k[d[i] & 15]};
    return hex;
  };
  const std::vector<std::pair<std::string, std::string>> vectors{
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"}};
  int bad = 0;
  for (const auto& [msg, want] : vectors) bad += digest(msg) != want;
  return json{{"status", bad ? "fail" : "pass"}, {"vectors", vectors.size()}, {"mismatches", bad}};
}

// ---- 2, 3. CPU / CUDA parity of the models -------------------------------------------------------------------------

/// Outputs and gradients of a float64 run against the float64 CPU reference (see the tolerances at the top).
constexpr double k_tol_float64 = 1e-9;

struct parity_case {
  std::string name;
  std::function<nn::model_handle()> build;  ///< a fresh model on the CPU in float32, seeded, ready to run
  torch::Tensor x;                          ///< CPU float64 (float32-representable values)
  torch::Tensor target;                     ///< CPU, float64 or int64
  std::function<torch::Tensor(const torch::Tensor& out, const torch::Tensor& target)> loss;
  torch::Dtype dtype = torch::kFloat;  ///< precision the model runs in
  double tol_out = 1e-4, tol_grad = 1e-3;
};

struct run_result {
  torch::Tensor eval_out;
  double loss = 0;
  std::vector<std::pair<std::string, torch::Tensor>> grads;  ///< (name, gradient or undefined), float64 on the CPU
};

run_result run_model(nn::model_handle& m, const parity_case& c, torch::Device dev, torch::Dtype dt) {
  run_result r;
  const auto x = c.x.to(dev, dt);
  {
    torch::NoGradGuard no_grad;
    m.module->eval();
    r.eval_out = m.forward(x).to(torch::kCPU, torch::kDouble);
  }
  m.module->train();
  m.module->zero_grad();
  const auto target = c.target.is_floating_point() ? c.target.to(dev, dt) : c.target.to(dev);
  const auto loss = c.loss(m.forward(x), target);
  loss.backward();
  r.loss = loss.item<double>();
  for (const auto& p : m.module->named_parameters(true)) {
    const auto& g = p.value().grad();
    r.grads.emplace_back(p.key(), g.defined() ? g.detach().to(torch::kCPU, torch::kDouble) : torch::Tensor());
  }
  return r;
}

json check_parity(const parity_case& c) {
  auto base = c.build();
  const auto make = [&](torch::Device dev, torch::Dtype dt) {
    auto m = c.build();
    copy_state(*base.module, *m.module);
    m.module->to(dev, dt);
    return m;
  };
  auto m_ref = make(torch::kCPU, torch::kDouble);
  auto m_cpu = make(torch::kCPU, c.dtype);
  const auto ref = run_model(m_ref, c, torch::kCPU, torch::kDouble);
  const auto cpu = run_model(m_cpu, c, torch::kCPU, c.dtype);

  json j;
  j["dtype"] = c.dtype == torch::kDouble ? "float64" : "float32";
  j["input"] = c.x.sizes().vec();
  j["parameters"] = ref.grads.size();
  j["loss_ref"] = ref.loss;
  j["loss_cpu"] = cpu.loss;
  j["eval_err_cpu"] = rel_err(cpu.eval_out, ref.eval_out);
  // A gradient that is zero in exact arithmetic (a convolution's bias before train-mode batch normalisation, which
  // subtracts the batch mean) is rounding noise in every precision: its error is measured against the model's
  // largest gradient instead of its own, and it need not be non-zero.
  double g_all = 0;
  for (const auto& [name, g] : ref.grads)
    if (g.defined()) g_all = std::max(g_all, g.abs().max().item<double>());
  std::vector<bool> structural_zero(ref.grads.size(), false);
  std::vector<std::string> zero_exact;
  for (std::size_t i = 0; i < ref.grads.size(); ++i) {
    const auto& g = ref.grads[i].second;
    structural_zero[i] = !g.defined() || g.abs().max().item<double>() <= 1e-9 * g_all;
    if (structural_zero[i]) zero_exact.push_back(ref.grads[i].first);
  }
  const auto grad_err = [&](std::size_t i, const torch::Tensor& g) {
    const auto& gr = ref.grads[i].second;
    if (!g.defined() || !gr.defined()) return g.defined() == gr.defined() ? 0.0 : std::nan("");
    if (!structural_zero[i]) return rel_err(g, gr);
    return (g.detach().to(torch::kCPU, torch::kDouble) - gr).abs().max().item<double>() / std::max(g_all, 1e-300);
  };
  const auto lacks_grad = [](const torch::Tensor& g) { return !g.defined() || g.abs().max().item<double>() == 0; };
  double worst_cpu = 0;
  std::vector<std::string> cpu_no_grad;
  for (std::size_t i = 0; i < ref.grads.size(); ++i) {
    const auto& g = cpu.grads[i].second;
    if (!structural_zero[i] && lacks_grad(g)) cpu_no_grad.push_back(cpu.grads[i].first);
    worst_cpu = std::max(worst_cpu, grad_err(i, g));
  }
  j["grad_zero_in_exact_arithmetic"] = zero_exact;
  j["grad_err_cpu_max"] = worst_cpu;
  j["zero_grad_params_cpu"] = cpu_no_grad;
  if (!g_cuda) {
    j["status"] = "skip";
    j["reason"] = k_no_cuda;
    j["note"] = "CPU parts ran: CPU precision vs float64 above";
    return j;
  }

  const torch::Device cuda(torch::kCUDA, 0);
  auto m_gpu = make(cuda, c.dtype);
  const auto gpu = run_model(m_gpu, c, cuda, c.dtype);
  std::vector<std::string> failures, gpu_no_grad, grad_over;
  json over_errors = json::object();
  j["loss_cuda"] = gpu.loss;
  const double e_out = rel_err(gpu.eval_out, ref.eval_out);
  const double out_limit = std::max(c.tol_out, 10 * j["eval_err_cpu"].get<double>());
  j["eval_err_cuda"] = e_out;
  j["eval_limit"] = out_limit;
  if (!(e_out <= out_limit)) failures.push_back("eval output");
  double worst = 0;
  std::string worst_name;
  for (std::size_t i = 0; i < ref.grads.size(); ++i) {
    const auto& [name, g] = gpu.grads[i];
    if (!structural_zero[i] && lacks_grad(g)) gpu_no_grad.push_back(name);
    const double e = grad_err(i, g), e_cpu = grad_err(i, cpu.grads[i].second);
    if (!(e <= std::max(c.tol_grad, 10 * e_cpu))) {
      grad_over.push_back(name);
      over_errors[name] = e;
    }
    if (!(e <= worst)) {  // NaN counts as worst
      worst = e;
      worst_name = name;
    }
  }
  j["grad_err_cuda_max"] = worst;
  j["grad_err_cuda_worst_param"] = worst_name;
  j["grad_limit_floor"] = c.tol_grad;
  j["zero_grad_params_cuda"] = gpu_no_grad;
  if (!gpu_no_grad.empty()) failures.push_back("parameters without gradient on cuda");
  j["grad_over_floor_cuda"] = over_errors;
  if (c.dtype == torch::kDouble) {
    for (const auto& n : grad_over) failures.push_back("grad " + n);
  } else {
    // The same weights in float64 on CUDA: the device's arithmetic against the CPU's with rounding out of the way.
    // float32 gradients above the floor (cuDNN/cuBLAS sum in another order, and train-mode batch norm divides by
    // batch deviations) fail the check only if the float64 run disagrees too (found on the mobility TDGCN: 1.3e-3).
    auto m_gpu64 = make(cuda, torch::kDouble);
    const auto gpu64 = run_model(m_gpu64, c, cuda, torch::kDouble);
    const double e_out64 = rel_err(gpu64.eval_out, ref.eval_out);
    double e_grad64 = 0;
    for (std::size_t i = 0; i < ref.grads.size(); ++i)
      e_grad64 = std::max(e_grad64, grad_err(i, gpu64.grads[i].second));
    j["eval_err_cuda_float64"] = e_out64;
    j["grad_err_cuda_float64_max"] = e_grad64;
    if (!(std::max(e_out64, e_grad64) <= k_tol_float64)) {
      failures.push_back("float64 on cuda");
      for (const auto& n : grad_over) failures.push_back("grad " + n);
    }
  }
  if (c.dtype == torch::kFloat) {  // report only: the same eval pass with TF32 allowed (cuBLAS and cuDNN)
    set_tf32(true);
    {
      torch::NoGradGuard no_grad;
      m_gpu.module->eval();
      j["eval_err_cuda_tf32_allowed"] = rel_err(m_gpu.forward(c.x.to(cuda, c.dtype)), ref.eval_out);
    }
    set_tf32(false);
  }
  j["failures"] = failures;
  j["status"] = failures.empty() ? "pass" : "fail";
  return j;
}

torch::Tensor float_values(const torch::Tensor& x) { return x.to(torch::kFloat).to(torch::kDouble); }

parity_case tdgcn_case(const std::string& name, int dims, int steps, int classes) {
  parity_case c;
  c.name = name;
  c.build = [=] {
    nn::seed_torch(11);
    // dropout 0: the masks would differ between devices; everything else as trained (default widths 64/128/256)
    am::Tdgcn net(am::TdgcnOptions(dims, steps, classes).dropout(0.0));
    net->fit_scaling(torch::randn({64, dims, steps}) * 2 + 0.5);
    return am::make_tdgcn_handle(net);
  };
  torch::manual_seed(12);
  c.x = float_values(torch::randn({16, dims, steps}) * 2 + 0.5);
  c.target = torch::randint(0, classes, {16}, torch::kLong);
  c.loss = [](const torch::Tensor& out, const torch::Tensor& y) {
    return torch::nn::functional::cross_entropy(out, y);
  };
  return c;
}

parity_case keygen_case(const std::string& name, int f, int t) {
  parity_case c;
  c.name = name;
  c.build = [=] {
    nn::seed_torch(21);
    km::model_config cfg;
    cfg.name = name;
    auto m = km::make_keygen_model(name, km::options_json(cfg, f, t));
    // The attention's residual scale starts at 0, which passes no gradient to query/key/value: open it.
    const auto params = m.module->named_parameters(true);
    if (const auto* gamma = params.find("attention.gamma")) {
      torch::NoGradGuard no_grad;
      gamma->fill_(0.5);
    }
    return m;
  };
  torch::manual_seed(22);
  c.x = float_values(torch::randn({16, 2, f, t}));
  c.target = float_values(c.x + 0.3 * torch::randn({16, 2, f, t}));
  const std::string loss = name == "dense_ae" ? "mse" : "phase_invariant";
  c.loss = [loss](const torch::Tensor& out, const torch::Tensor& target) {
    return km::feature_model_loss(loss, out, target);
  };
  return c;
}

/// The key encoder with its adversarial Eve, as train_key_encoder runs them: input [B, 2D + E] = (Alice, Bob, Eve).
struct KeyPairImpl : torch::nn::Module {
  KeyPairImpl(std::int64_t d, std::int64_t e, std::int64_t m) : d_(d) {
    enc = register_module("enc", km::KeyEncoder(km::KeyEncoderOptions(d, m)));
    adv = register_module("adv", km::EveAdversary(e, m));
  }
  torch::Tensor forward(const torch::Tensor& x) {
    const auto e = x.narrow(1, 2 * d_, x.size(1) - 2 * d_);
    return torch::cat({enc->forward(x.narrow(1, 0, d_)), enc->forward(x.narrow(1, d_, d_)), adv->forward(e)}, 1);
  }
  km::KeyEncoder enc{nullptr};
  km::EveAdversary adv{nullptr};
  std::int64_t d_;
};
TORCH_MODULE(KeyPair);

parity_case key_encoder_case() {
  const std::int64_t d = 32, e = 16, m = 12, b = 256;
  parity_case c;
  c.name = "key_encoder";
  c.dtype = torch::kDouble;  // train_key_encoder runs in float64
  c.tol_out = c.tol_grad = k_tol_float64;
  c.build = [=] {
    nn::seed_torch(31);
    return nn::make_handle(KeyPair(d, e, m), "key_pair", "{}");
  };
  torch::manual_seed(32);
  const auto alice = torch::randn({b, d});
  c.x = float_values(torch::cat({alice, alice + 0.3 * torch::randn({b, d}), alice.narrow(1, 0, e) + torch::randn({b, e})}, 1));
  c.target = torch::zeros({b}, torch::kDouble);  // unused
  c.loss = [m](const torch::Tensor& out, const torch::Tensor&) {
    const auto za = out.narrow(1, 0, m), zb = out.narrow(1, m, m), eve = out.narrow(1, 2 * m, m);
    // The encoder's loss (secrecy against Eve's prediction) plus Eve's own (MSE to Alice's standardised outputs).
    return km::key_encoder_loss(za, zb, eve) + torch::mse_loss(eve, km::standardise_columns(za).detach());
  };
  return c;
}

// ---- 4. the trainer with the device from the config -----------------------------------------------------------------

/// `n` sequences [24, 50] in 6 classes; class c raises dimensions 4c .. 4c+3 by 1 (noise N(0, 1)).
am::sequence_set synthetic(int n, std::uint64_t seed) {
  torch::manual_seed(seed);
  const auto y = torch::randint(0, 6, {n}, torch::kLong);
  const auto pattern = torch::one_hot(y, 6).to(torch::kFloat).repeat_interleave(4, 1).unsqueeze(2);  // [n, 24, 1]
  const auto x = (torch::randn({n, 24, 50}) + pattern).contiguous();
  am::sequence_set s;
  s.x = physec::ndarray<float>({static_cast<std::size_t>(n), 24, 50},
                               std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel()));
  const auto yi = y.to(torch::kInt).contiguous();
  s.y.assign(yi.data_ptr<int>(), yi.data_ptr<int>() + n);
  return s;
}

json check_trainer(const options& o, const std::string& device_name) {
  json j;
  j["run_device"] = device_name;
  // What `physec auth train` does with `[run] device`: check it, parse it, train there.
  nn::check_device(device_name, "run.device");
  const torch::Device device = nn::parse_device(device_name, "run.device");
  const auto train = synthetic(384, 1), val = synthetic(192, 2);
  am::TdgcnOptions opts;
  opts.tcn_channels({16, 32, 64}).dropout(0.1);
  nn::train_config cfg;
  cfg.epochs = o.quick ? 6 : 10;
  cfg.batch_size = 32;
  cfg.learning_rate = 3e-3;
  cfg.schedule = "none";
  cfg.patience = 0;
  nn::fit_options fo;
  fo.checkpoint = o.workdir / ("tdgcn_" + device_name + ".pt");
  fo.show_progress = false;
  fo.config_toml = "[run]\ndevice = \"" + device_name + "\"\n";
  struct quiet_logs {  // the trainer's per-epoch lines would go to stderr
    quiet_logs() { physec::log::set_quiet(true); }
    ~quiet_logs() { physec::log::set_quiet(false); }
  } quiet;
  const auto fit = am::fit_tdgcn(opts, 6, train, val, cfg, device, 42, fo);
  std::vector<std::string> failures;
  const auto& h = fit.result.history;
  j["epochs"] = h.size();
  j["train_loss_first"] = h.front().train_loss;
  j["train_loss_last"] = h.back().train_loss;
  j["val_accuracy_best"] = fit.result.best_metric;
  j["best_epoch"] = fit.result.best_epoch;
  j["seconds_per_epoch"] = fit.result.seconds_per_epoch;
  j["chance"] = 1.0 / 6;
  if (!(h.back().train_loss < 0.7 * h.front().train_loss)) failures.push_back("training loss did not fall by 30 %");
  if (!(fit.result.best_metric >= 0.6)) failures.push_back("validation accuracy below 0.6 (chance 0.17)");
  for (const auto& p : fit.net->parameters())
    if (p.device() != device) {
      failures.push_back("a parameter is on " + p.device().str());
      break;
    }

  // The checkpoint written on `device`, loaded on the CPU and on `device`.
  const auto meta = nn::read_checkpoint_meta(fo.checkpoint);
  j["checkpoint_torch_version"] = meta.torch_version;
  j["checkpoint_bytes"] = fs::file_size(fo.checkpoint);
  if (!meta.finished) failures.push_back("checkpoint not marked finished");
  const auto on_cpu = am::load_tdgcn(fo.checkpoint, torch::kCPU);
  const auto on_dev = am::load_tdgcn(fo.checkpoint, device);
  const auto xs = am::to_source(val).inputs();
  const auto out = nn::predict(fit.handle, xs, device);
  const auto out_cpu = nn::predict(on_cpu.handle, xs, torch::kCPU);
  const auto out_dev = nn::predict(on_dev.handle, xs, device);
  const double e_cpu = rel_err(out_cpu, out), e_dev = rel_err(out_dev, out);
  const double agree = out_cpu.argmax(1).eq(out.argmax(1)).to(torch::kDouble).mean().item<double>();
  j["reload_cpu_err"] = e_cpu;
  j["reload_same_device_err"] = e_dev;
  j["reload_cpu_class_agreement"] = agree;
  if (!(e_cpu <= 1e-4)) failures.push_back("checkpoint on the CPU differs from the trained model");
  if (!(e_dev <= 1e-6)) failures.push_back("checkpoint reloaded on " + device.str() + " differs");
  if (!(agree >= 0.99)) failures.push_back("predicted classes differ after reload on the CPU");
  j["failures"] = failures;
  j["status"] = failures.empty() ? "pass" : "fail";
  return j;
}

// ---- 5. timing (report only) ----------------------------------------------------------------------------------------

/// TDGCN, mobility shape [16, 24, 50], 6 classes, default widths and dropout: median training step (forward,
/// cross-entropy, backward, Adam step) after warm-up, and median batch-1 eval latency (result copied to the host).
json time_tdgcn(torch::Device dev, int warmup, int steps, int latency_runs) {
  nn::seed_torch(51);
  am::Tdgcn net(am::TdgcnOptions(24, 50, 6));
  net->fit_scaling(torch::randn({64, 24, 50}));
  net->to(dev);
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-3));
  const auto x = torch::randn({16, 24, 50}).to(dev);
  const auto y = torch::randint(0, 6, {16}, torch::kLong).to(dev);
  net->train();
  std::vector<double> ms;
  for (int s = 0; s < warmup + steps; ++s) {
    const auto t0 = std::chrono::steady_clock::now();
    opt.zero_grad();
    const auto loss = torch::nn::functional::cross_entropy(net->forward(x), y);
    loss.backward();
    opt.step();
    // Reading the loss copies it to the host after every kernel queued before (backward, Adam) has run: the step's
    // whole time on CUDA (torch::cuda::synchronize is not in LibTorch 1.13).
    (void)loss.item<float>();
    if (s >= warmup) ms.push_back(1e3 * seconds_since(t0));
  }
  net->eval();
  torch::NoGradGuard no_grad;
  const auto x1 = torch::randn({1, 24, 50}).to(dev);
  std::vector<double> lat;
  for (int i = 0; i < 10 + latency_runs; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)net->forward(x1).to(torch::kCPU);
    if (i >= 10) lat.push_back(1e3 * seconds_since(t0));
  }
  return json{{"step_ms_median", median(ms)},      {"step_ms_p10", quantile(ms, 0.1)},
              {"step_ms_p90", quantile(ms, 0.9)},  {"steps", steps},
              {"warmup", warmup},                  {"latency_b1_ms_median", median(lat)},
              {"latency_b1_ms_p90", quantile(lat, 0.9)}, {"latency_runs", latency_runs}};
}

json check_timing(const options& o) {
  const int steps = o.quick ? 20 : 50, warmup = 5, lat = 100;
  json j;
  j["model"] = "TDGCN [16, 24, 50], 6 classes, widths 64/128/256, dropout 0.5";
  if (g_cuda) {
    j["cuda"] = time_tdgcn(torch::Device(torch::kCUDA, 0), warmup, steps, lat);
  } else {
    j["cuda"] = k_no_cuda;
  }
  at::set_num_threads(o.cpu_threads);
  j["cpu_threads"] = o.cpu_threads;
  j["cpu"] = time_tdgcn(torch::kCPU, warmup, steps, lat);
  at::set_num_threads(1);
  j["cpu_1_thread"] = time_tdgcn(torch::kCPU, warmup, steps, lat);
  at::set_num_threads(o.cpu_threads);
  if (g_cuda) {
    const double c = j["cuda"]["step_ms_median"].get<double>();
    j["speedup_cuda_vs_cpu"] = j["cpu"]["step_ms_median"].get<double>() / c;
    j["speedup_cuda_vs_cpu_1_thread"] = j["cpu_1_thread"]["step_ms_median"].get<double>() / c;
  }
  j["status"] = "report";
  return j;
}

int usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--quick] [--require-cuda] [--no-timing] [--cpu-threads N] [--workdir DIR]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  options o;
  o.cpu_threads = static_cast<int>(std::min(16u, std::max(1u, std::thread::hardware_concurrency())));
  o.workdir = fs::temp_directory_path() / "physec_gpu_check";
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--quick")
      o.quick = true;
    else if (a == "--require-cuda")
      o.require_cuda = true;
    else if (a == "--no-timing")
      o.timing = false;
    else if (a == "--cpu-threads" && i + 1 < argc)
      o.cpu_threads = std::max(1, std::atoi(argv[++i]));
    else if (a == "--workdir" && i + 1 < argc)
      o.workdir = argv[++i];
    else
      return usage(argv[0]);
  }
  fs::create_directories(o.workdir);
  nn::configure_threads(o.cpu_threads);
  g_cuda = torch::cuda::is_available();

  tally t;
  run_check(t, "runtime", [&] { return check_runtime(o); });
  set_tf32(false);  // after the runtime check has reported the defaults
  run_check(t, "devices", check_devices);
  run_check(t, "sha256", check_sha256);
  run_check(t, "matmul_gflops", check_matmul);
  for (const auto& c : {tdgcn_case("tdgcn_mobility", 24, 50, 6), tdgcn_case("tdgcn_basicmotions", 6, 100, 4),
                        keygen_case("cnn_ae_ssa", 72, 14), keygen_case("cnn_ae", 72, 14),
                        keygen_case("dense_ae", 72, 14), key_encoder_case()})
    run_check(t, "parity_" + c.name, [&] { return check_parity(c); });
  run_check(t, "trainer_cpu", [&] { return check_trainer(o, "cpu"); });
  if (g_cuda)
    run_check(t, "trainer_cuda", [&] { return check_trainer(o, "cuda"); });
  else
    run_check(t, "trainer_cuda", [] { return json{{"status", "skip"}, {"reason", k_no_cuda}}; });
  if (o.timing) run_check(t, "timing_tdgcn", [&] { return check_timing(o); });

  emit(json{{"summary", true},
            {"ok", t.failed == 0},
            {"passed", t.passed},
            {"failed", t.failed},
            {"skipped", t.skipped},
            {"reported", t.reported},
            {"failed_checks", t.failures},
            {"cuda", g_cuda},
            {"torch_version", TORCH_VERSION}});
  return t.failed == 0 ? 0 : 1;
}
