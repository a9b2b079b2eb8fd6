#include "physec/nn/runtime.hpp"

#include <dlfcn.h>
#include <malloc.h>

#include <chrono>
#include <regex>
#include <thread>
#include <torch/torch.h>
#include <torch/version.h>

#include "physec/core/error.hpp"
#include "physec/nn/device.hpp"

namespace physec::nn {

namespace {
// OpenBLAS entry points, looked up at run time: no link-time dependency on which BLAS libtorch resolved to.
using set_threads_fn = void (*)(int);
using get_threads_fn = int (*)();
using get_config_fn = char* (*)();
template <class F>
F blas_symbol(const char* name) {
  return reinterpret_cast<F>(::dlsym(RTLD_DEFAULT, name));
}
}  // namespace

runtime_info query_runtime() {
  runtime_info r;
  r.torch_version = TORCH_VERSION;
  r.cuda_available = torch::cuda::is_available();
  r.cuda_device_count = r.cuda_available ? static_cast<int>(torch::cuda::device_count()) : 0;
  r.intra_op_threads = at::get_num_threads();
  if (auto get = blas_symbol<get_threads_fn>("openblas_get_num_threads")) r.blas_threads = get();
  if (auto cfg = blas_symbol<get_config_fn>("openblas_get_config"))
    r.blas = cfg();  // "OpenBLAS 0.3.21 ... MAX_THREADS=64"
  else
    r.blas = "unknown (not OpenBLAS)";
  return r;
}

void configure_threads(int nof_threads) {
  // Training allocates and frees batch-sized buffers (hundreds of KiB to MiB) every step. glibc serves blocks above
  // its mmap threshold with fresh mappings and trims the heap top as soon as 128 KiB are free, so every batch paid page
  // faults and kernel page clearing (22 % of a streamed keygen epoch in perf). Blocks up to 32 MiB now come from the
  // heap, and up to 128 MiB of freed memory stay mapped for the next batch: streamed epochs 1.6-1.9x -> 1.2-1.3x of
  // in-memory ones on the default dataset (issue #17). Set here so that the CLI, the Python module and the benches
  // train under the same allocator policy.
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  mallopt(M_TRIM_THRESHOLD, 128 << 20);
  if (auto set = blas_symbol<set_threads_fn>("openblas_set_num_threads")) set(1);
  const int n = nof_threads > 0 ? nof_threads : std::max(1u, std::thread::hardware_concurrency());
  at::set_num_threads(n);
}

c10::Device parse_device(const std::string& device, const std::string& field) {
  static const std::regex pattern("^(cpu|cuda)(:([0-9]+))?$");
  std::smatch m;
  if (!std::regex_match(device, m, pattern) || (m[1] == "cpu" && m[2].matched))
    throw error("not a device", {"", field, {}}, "cpu, cuda or cuda:N", "\"" + device + "\"");
  if (m[1] == "cpu") return c10::Device(c10::kCPU);
  if (!torch::cuda::is_available())
    throw error("CUDA is not available in this build or on this machine", {"", field, {}}, "cpu",
                "\"" + device + "\"");
  const int index = m[3].matched ? std::stoi(m[3].str()) : 0;
  const int count = static_cast<int>(torch::cuda::device_count());
  if (index >= count)
    throw error("no such CUDA device", {"", field, {}}, "an index below " + std::to_string(count),
                std::to_string(index));
  return c10::Device(c10::kCUDA, static_cast<c10::DeviceIndex>(index));
}

void check_device(const std::string& device, const std::string& field) { (void)parse_device(device, field); }

double matmul_gflops(const std::string& device, int n, int repeats) {
  const c10::Device dev = parse_device(device);
  torch::NoGradGuard no_grad;
  torch::manual_seed(0);
  auto a = torch::randn({n, n}, torch::TensorOptions().device(dev));
  auto b = torch::randn({n, n}, torch::TensorOptions().device(dev));
  auto c = torch::mm(a, b);  // warm-up
  (void)c.sum().item<float>();  // waits for the device (torch::cuda::synchronize is not in LibTorch 1.13)
  const auto t0 = std::chrono::steady_clock::now();
  for (int i = 0; i < repeats; ++i) c = torch::mm(a, b);
  (void)c.sum().item<float>();
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return 2.0 * n * double(n) * n * repeats / s / 1e9;
}

}  // namespace physec::nn
