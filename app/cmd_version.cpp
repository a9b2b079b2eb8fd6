// physec version: physec, LibTorch, CUDA, BLAS and threads (physec-neural; `physec --version` needs no torch).
#include <fmt/format.h>

#include "cli.hpp"
#include "physec/core/version.hpp"
#include "neural.hpp"

namespace physec::app {

void register_version(CLI::App& app) {
  auto* v = app.add_subcommand("version", "print versions: physec, LibTorch, CUDA availability, BLAS, threads");
  v->callback([] {
    require_neural("version");  // `physec --version` is the torch-free one
    fmt::print("physec {} ({})\n{}", version(), git_describe(), runtime_versions());
  });
}

}  // namespace physec::app
