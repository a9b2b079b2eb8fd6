#pragma once
/// @file The seam between the two executables behind the one `physec` command (issue #17).
///
/// `physec` links only the torch-free layers and starts in milliseconds; `physec-neural`, installed beside it, is the
/// same CLI linked with LibTorch (nn, keygen/models, auth/models). A command that needs a model calls
/// `require_neural()` before it writes or prints anything: in `physec` that replaces the process (execv) with
/// `physec-neural` and the same arguments, which runs the command from the start; in `physec-neural` it returns.
/// Why a second executable rather than a dlopen()ed module: each static library (core's registries, the log state,
/// HDF5's) exists once per process, C++ exceptions never cross a C ABI, and `physec-neural` is the whole CLI,
/// tested as such; the price is one exec (milliseconds) in front of LibTorch's own start-up (~0.7 s).
///
/// Every function below has two definitions: neural_linked.cpp (physec-neural, LibTorch) and neural_handover.cpp
/// (physec). In `physec` the torch-using ones hand over, so that even a path that forgot its early
/// `require_neural()` runs correctly, only later.

#include <nlohmann/json.hpp>

#include <filesystem>
#include <stdexcept>
#include <string>

#include "cli.hpp"

namespace physec::app {

/// Thrown when `physec` cannot start `physec-neural`; main() prints it in one line and exits with internal_error.
struct neural_unavailable : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// True in `physec-neural` (LibTorch linked), false in `physec`.
bool neural_linked();

/// Keeps argv for `require_neural()`. Call first thing in main().
void set_command_line(int argc, char** argv);

/// `physec`: replaces this process with `physec-neural` and the same arguments (never returns; throws
/// neural_unavailable naming `needed_by` when it cannot). `physec-neural`: returns.
void require_neural(const std::string& needed_by);

/// Where `physec` looks for `physec-neural`: beside its own executable, then `../libexec/physec/` from there.
/// (Defined in `physec` only.)
std::filesystem::path neural_executable();

/// Pins OpenBLAS to one thread and, with LibTorch, gives torch `nof_threads` intra-op threads (0 = every core).
void configure_threads(int nof_threads);

/// `run.device` check: "cpu" always passes; any other device needs LibTorch (`physec` hands over, physec-neural
/// checks it: syntax, CUDA availability). Throws physec::error naming `field`.
void check_device(const std::string& device, const std::string& field);

/// The report's "environment": torch, CUDA, BLAS and threads in `physec-neural`; `{"torch_loaded": false}` in
/// `physec`.
nlohmann::json runtime_environment();

/// `physec version`'s lines after the first: LibTorch, CUDA, BLAS, threads.
std::string runtime_versions();

/// quickstart's environment line (logged) and float32 matmul check [GFLOP/s] on `device`.
void log_runtime();
double matmul_gflops(const std::string& device, int n, int repeats);

/// `physec keygen train` and `physec auth train` after their config is loaded (cmd_*_train.cpp hold the configs and
/// options; neural_keygen.cpp and neural_auth.cpp the runs).
struct keygen_train_options;
struct auth_train_options;
void run_keygen_train(keygen_train_options& o);
void run_auth_train(const auth_train_options& o);

}  // namespace physec::app
