// The seam of neural.hpp in `physec`, which links no LibTorch: whatever needs torch replaces this process with
// physec-neural and the same arguments.
#include <dlfcn.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <system_error>
#include <vector>

#include "neural.hpp"
#include "train_commands.hpp"

namespace physec::app {

namespace {

std::vector<std::string>& command_line() {
  static std::vector<std::string> args;
  return args;
}

[[noreturn]] void hand_over(const std::string& needed_by) {
  const std::filesystem::path exe = neural_executable();
  std::vector<std::string> args = command_line();
  if (args.empty()) args.emplace_back("physec");
  std::vector<char*> argv;
  argv.push_back(const_cast<char*>(exe.c_str()));
  for (std::size_t i = 1; i < args.size(); ++i) argv.push_back(args[i].data());
  argv.push_back(nullptr);
  std::fflush(stdout);
  std::fflush(stderr);
  ::execv(exe.c_str(), argv.data());
  const int err = errno;  // execv returns only on failure
  throw neural_unavailable(fmt::format("the neural part of physec, {}, could not be started ({}) — needed by '{}'",
                                       exe.string(), std::strerror(err), needed_by));
}

}  // namespace

bool neural_linked() { return false; }

void set_command_line(int argc, char** argv) { command_line().assign(argv, argv + argc); }

void require_neural(const std::string& needed_by) { hand_over(needed_by); }

std::filesystem::path neural_executable() {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path self = fs::read_symlink("/proc/self/exe", ec);
  const fs::path dir = ec ? fs::path(".") : self.parent_path();
  const fs::path beside = dir / "physec-neural";
  const fs::path installed = dir / ".." / "libexec" / "physec" / "physec-neural";
  if (!fs::exists(beside, ec) && fs::exists(installed, ec)) return installed.lexically_normal();
  return beside;
}

void configure_threads(int /*nof_threads*/) {
  // No torch pool here. OpenBLAS is pinned to one thread in case a library brought it in (none does today).
  using set_threads_fn = void (*)(int);
  if (auto set = reinterpret_cast<set_threads_fn>(::dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) set(1);
}

void check_device(const std::string& device, const std::string& field) {
  if (device != "cpu") hand_over(field + " = " + device);
}

nlohmann::json runtime_environment() { return {{"torch_loaded", false}}; }

std::string runtime_versions() { hand_over("version"); }
void log_runtime() { hand_over("the torch runtime check"); }
double matmul_gflops(const std::string&, int, int) { hand_over("the BLAS check"); }
void run_keygen_train(keygen_train_options&) { hand_over("keygen train"); }
void run_auth_train(const auth_train_options&) { hand_over("auth train"); }

std::filesystem::path keygen_train_stage(run_context&, const keygen_train_settings&, const std::filesystem::path&,
                                         const run_config&, bool, const std::string&) {
  hand_over("keygen train");
}
dataset::wiretap_data apply_keygen_model(run_context&, const std::string&, const dataset::wiretap_data&,
                                         const std::string&) {
  hand_over("--model");
}
keygen::learned_map_trainer key_encoder_trainer(run_context&, const keygen::key_encoder_config&, std::uint64_t) {
  hand_over("chain.transform = key_encoder");
}
auth::evaluation tdgcn_eval_stage(run_context&, const dataset::mobility_data&, const std::string&,
                                  const tdgcn_settings&, const std::filesystem::path&, std::uint64_t,
                                  const std::string&, bool) {
  hand_over("tdgcn");
}
openset_scores tdgcn_openset_stage(run_context&, const dataset::mobility_data&, const std::string&,
                                   const tdgcn_settings&, std::uint64_t, const std::string&) {
  hand_over("open-set tdgcn");
}
void check_tdgcn_checkpoint(const std::filesystem::path&, const dataset::mobility_data&, const std::string&) {
  hand_over("--checkpoint");
}

}  // namespace physec::app
