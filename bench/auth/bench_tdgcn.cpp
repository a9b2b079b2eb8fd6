// TDGCN training-step and batch-1 latency timing, the protocol of bench/auth/tdgcn_torch.py (the same architecture
// in PyTorch): random inputs `[n, D, T]`, `--warmup` epochs, then the median over `--epochs` epochs of the training
// step alone (forward, cross-entropy, backward, Adam step; no data loading, no validation), and the median batch-1
// inference latency in eval mode. Defaults: TDGCN's (TodyNet widths 64/128/256), BasicMotions' shape.
//
//   OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 build/bench/auth/bench_tdgcn --dims 6 --steps 100 --classes 4
// Prints one JSON line.
#include <fmt/format.h>
#include <fmt/ranges.h>  // fmt::join (moved out of format.h in fmt 10, which LibTorch 2.x bundles)

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <torch/csrc/autograd/profiler_kineto.h>
#include <torch/version.h>

#include "physec/auth/models/tdgcn.hpp"
#include "physec/nn/runtime.hpp"

namespace am = physec::auth::models;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const auto n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

namespace prof = torch::autograd::profiler;

// An event's [start, end) in microseconds: KinetoEvent has startUs()/durationUs() in LibTorch 1.13 and
// startNs()/durationNs() in 2.x (found by building bench/gpu against 2.11). The int overload wins where both exist.
using interval = std::array<std::uint64_t, 2>;
template <class E>
auto interval_us(const E& e, int) -> decltype(std::uint64_t(e.startNs() + e.durationNs()), interval()) {
  return {e.startNs() / 1000, (e.startNs() + e.durationNs()) / 1000};
}
template <class E>
auto interval_us(const E& e, long) -> decltype(std::uint64_t(e.startUs() + e.durationUs()), interval()) {
  return {e.startUs(), e.startUs() + e.durationUs()};
}

// `--profile S`: S training steps under LibTorch's profiler; prints to stderr each op (name and input shapes) with its
// self time per step, largest first (ops nested in another op, e.g. the GEMM inside a linear, are not counted twice).
void print_profile(am::Tdgcn& model, torch::optim::Adam& opt, const torch::Tensor& x, const torch::Tensor& y,
                   std::int64_t bs, int nof_steps) {
  const torch::profiler::impl::ProfilerConfig config(torch::profiler::impl::ProfilerState::KINETO, true, false);
  const std::set<torch::profiler::impl::ActivityType> cpu{torch::profiler::impl::ActivityType::CPU};
  prof::prepareProfiler(config, cpu);
  prof::enableProfiler(config, cpu);
  model->train();
  const auto t0 = std::chrono::steady_clock::now();
  for (int s = 0; s < nof_steps; ++s) {
    const auto first = (s * bs) % x.size(0), len = std::min(bs, x.size(0) - first);
    opt.zero_grad();
    torch::nn::functional::cross_entropy(model->forward(x.narrow(0, first, len)), y.narrow(0, first, len)).backward();
    opt.step();
  }
  const double wall_ms = seconds_since(t0) / nof_steps * 1e3;
  const auto result = prof::disableProfiler();
  struct span {
    std::uint64_t start, end, thread;
    std::string key;
  };
  std::vector<span> spans;
  for (const auto& e : result->events()) {
    std::string key = e.name();
    if (e.hasShapes()) {
      key += " [";
      for (const auto& sh : e.shapes()) key += fmt::format("[{}]", fmt::join(sh, ","));
      key += "]";
    }
    const auto [start, end] = interval_us(e, 0);
    spans.push_back({start, end, e.startThreadId(), key});
  }
  std::sort(spans.begin(), spans.end(), [](const span& a, const span& b) {
    return a.thread != b.thread ? a.thread < b.thread : a.start != b.start ? a.start < b.start : a.end > b.end;
  });
  std::map<std::string, std::pair<double, int>> self_us;  // key -> (self time [us], calls)
  std::vector<std::size_t> open;                        // enclosing spans
  std::vector<double> child_us(spans.size(), 0.0);
  const auto close = [&](std::size_t i) {
    auto& acc = self_us[spans[i].key];
    acc.first += static_cast<double>(spans[i].end - spans[i].start) - child_us[i];
    acc.second += 1;
  };
  for (std::size_t i = 0; i < spans.size(); ++i) {
    while (!open.empty() && (spans[open.back()].thread != spans[i].thread || spans[open.back()].end <= spans[i].start)) {
      close(open.back());
      open.pop_back();
    }
    if (!open.empty()) child_us[open.back()] += static_cast<double>(spans[i].end - spans[i].start);
    open.push_back(i);
  }
  for (; !open.empty(); open.pop_back()) close(open.back());
  std::vector<std::pair<double, std::string>> rows;
  double total = 0;
  for (const auto& [key, acc] : self_us) {
    rows.push_back({acc.first, fmt::format("{:5.1f} calls  {}", acc.second / static_cast<double>(nof_steps), key)});
    total += acc.first;
  }
  std::sort(rows.rbegin(), rows.rend());
  fmt::print(stderr, "profile: {} steps, {:.1f} ms/step of self time in ops, {:.1f} ms/step wall (with the profiler)\n",
             nof_steps, total / nof_steps / 1e3, wall_ms);
  for (std::size_t r = 0; r < std::min<std::size_t>(rows.size(), 400); ++r)
    fmt::print(stderr, "{:8.2f} ms/step  {}\n", rows[r].first / nof_steps / 1e3, rows[r].second);
}

}  // namespace

int main(int argc, char** argv) {
  std::map<std::string, std::string> a{{"dims", "6"},    {"steps", "100"},   {"classes", "4"},
                                       {"n", "64"},      {"batch", "16"},    {"epochs", "20"},
                                       {"warmup", "3"},  {"threads", "1"},   {"latency-runs", "200"},
                                       {"channels", ""},  {"profile", "0"}};
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string key = std::string(argv[i]).substr(2);
    if (std::string(argv[i]).rfind("--", 0) != 0 || !a.count(key)) {
      fmt::print(stderr, "unknown option {}\n", argv[i]);
      return 2;
    }
    a[key] = argv[i + 1];
  }
  const auto get = [&](const char* k) { return std::stoi(a.at(k)); };
  // physec's own start-up: torch threads, OpenBLAS pinned to one, and the allocator policy of `physec auth train`.
  physec::nn::configure_threads(get("threads"));
  torch::manual_seed(1);
  am::TdgcnOptions o(get("dims"), get("steps"), get("classes"));
  if (!a.at("channels").empty()) {
    std::vector<int> c;
    for (std::size_t p = 0, q; p < a.at("channels").size(); p = q + 1) {
      q = a.at("channels").find(',', p);
      if (q == std::string::npos) q = a.at("channels").size();
      c.push_back(std::stoi(a.at("channels").substr(p, q - p)));
    }
    o.tcn_channels(c);
  }
  am::Tdgcn model(o);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-3).weight_decay(1e-4));
  const std::int64_t n = get("n"), bs = get("batch");
  const auto x = torch::randn({n, get("dims"), get("steps")});
  const auto y = torch::randint(0, get("classes"), {n}, torch::kLong);
  std::vector<double> epoch_s;
  for (int e = 0; e < get("warmup") + get("epochs"); ++e) {
    model->train();
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t first = 0; first < n; first += bs) {
      const auto len = std::min(bs, n - first);
      opt.zero_grad();
      torch::nn::functional::cross_entropy(model->forward(x.narrow(0, first, len)), y.narrow(0, first, len))
          .backward();
      opt.step();
    }
    if (e >= get("warmup")) epoch_s.push_back(seconds_since(t0));
  }
  if (get("profile") > 0) print_profile(model, opt, x, y, bs, get("profile"));
  model->eval();
  std::vector<double> latency_ms;
  {
    torch::NoGradGuard guard;
    const auto one = x.narrow(0, 0, 1);
    for (int r = 0; r < get("latency-runs") + 10; ++r) {
      const auto t0 = std::chrono::steady_clock::now();
      model->forward(one);
      if (r >= 10) latency_ms.push_back(seconds_since(t0) * 1e3);
    }
  }
  std::int64_t parameters = 0;
  for (const auto& p : model->parameters()) parameters += p.numel();
  const double steps = static_cast<double>((n + bs - 1) / bs);
  fmt::print("{{\"impl\": \"physec libtorch {}\", \"dims\": {}, \"steps\": {}, \"n\": {}, \"batch\": {}, \"threads\": {}, "
             "\"epoch_s_median\": {:.6g}, \"step_ms_median\": {:.6g}, \"latency_ms_median\": {:.6g}, "
             "\"parameters\": {}}}\n",
             TORCH_VERSION, get("dims"), get("steps"), n, bs, get("threads"), median(epoch_s),
             median(epoch_s) / steps * 1e3, median(latency_ms), parameters);
  return 0;
}
