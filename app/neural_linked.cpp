// The seam of neural.hpp in physec-neural, which links LibTorch: nothing to hand over, the runtime queried for real.
#include <fmt/format.h>

#include "neural.hpp"
#include "physec/core/log.hpp"
#include "physec/nn/runtime.hpp"

namespace physec::app {

bool neural_linked() { return true; }

void set_command_line(int /*argc*/, char** /*argv*/) {}

void require_neural(const std::string& /*needed_by*/) {}

void configure_threads(int nof_threads) {
  nn::configure_threads(nof_threads);
}

void check_device(const std::string& device, const std::string& field) { nn::check_device(device, field); }

nlohmann::json runtime_environment() {
  const auto rt = nn::query_runtime();
  return {{"torch_loaded", true},
          {"torch_version", rt.torch_version},
          {"cuda_available", rt.cuda_available},
          {"cuda_device_count", rt.cuda_device_count},
          {"torch_threads", rt.intra_op_threads},
          {"blas", rt.blas},
          {"blas_threads", rt.blas_threads}};
}

std::string runtime_versions() {
  const auto rt = nn::query_runtime();
  std::string s = fmt::format("LibTorch {}\n", rt.torch_version);
  s += fmt::format("CUDA {}", rt.cuda_available ? "available" : "not available");
  if (rt.cuda_available) s += fmt::format(", {} device(s)", rt.cuda_device_count);
  s += "\n";
  s += fmt::format("BLAS {}, {} thread(s)\n", rt.blas, rt.blas_threads);
  s += fmt::format("torch intra-op threads {}\n", rt.intra_op_threads);
  return s;
}

void log_runtime() {
  const auto rt = nn::query_runtime();
  log::info("LibTorch {} · CUDA {} · {} · BLAS threads {} · torch threads {}", rt.torch_version,
            rt.cuda_available ? "available" : "not available", rt.blas, rt.blas_threads, rt.intra_op_threads);
  if (rt.blas_threads > 1)
    log::warn("OpenBLAS runs {} threads beside torch's pool: expect oversubscription", rt.blas_threads);
}

double matmul_gflops(const std::string& device, int n, int repeats) { return nn::matmul_gflops(device, n, repeats); }

}  // namespace physec::app
