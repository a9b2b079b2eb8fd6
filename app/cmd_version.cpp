// physec version: physec, LibTorch, CUDA, BLAS and threads.
#include <fmt/format.h>

#include "cli.hpp"
#include "physec/core/version.hpp"
#include "physec/nn/runtime.hpp"

namespace physec::app {

void register_version(CLI::App& app) {
  auto* v = app.add_subcommand("version", "print versions: physec, LibTorch, CUDA availability, BLAS, threads");
  v->callback([] {
    const auto rt = nn::query_runtime();
    fmt::print("physec {} ({})\n", version(), git_describe());
    fmt::print("LibTorch {}\n", rt.torch_version);
    fmt::print("CUDA {}", rt.cuda_available ? "available" : "not available");
    if (rt.cuda_available) fmt::print(", {} device(s)", rt.cuda_device_count);
    fmt::print("\n");
    fmt::print("BLAS {}, {} thread(s)\n", rt.blas, rt.blas_threads);
    fmt::print("torch intra-op threads {}\n", rt.intra_op_threads);
  });
}

}  // namespace physec::app
