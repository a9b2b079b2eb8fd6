#include "cli.hpp"

#include <fmt/format.h>

#include "physec/core/log.hpp"
#include "physec/nn/runtime.hpp"

namespace physec::app {

void add_common_options(CLI::App& cmd, common_options& o, const std::string& default_out) {
  o.out_dir = default_out;
  cmd.add_option("-c,--config", o.config_file, "TOML config file (see `physec config show <command>`)");
  cmd.add_option("--set", o.overrides, "override one config value, key=value in TOML syntax (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--seed", o.seed, "master seed (overrides run.seed)");
  cmd.add_option("--out", o.out_dir, "output folder")->capture_default_str();
  cmd.add_flag("-q,--quiet", o.quiet, "no progress or info lines");
  cmd.add_option("--device", o.device, "torch device: cpu, cuda or cuda:N (overrides run.device)");
}

void run_config::describe(config::schema& s) {
  s.add("seed", seed, "master seed of every random stream; same seed and config give identical outputs")
      .range(0, 9.2e18)
      .source("ours");
  s.add("device", device, "torch device for neural stages: cpu, cuda or cuda:N").source("ours");
  s.add("threads", threads, "torch intra-op threads, 0 = all cores (OpenBLAS is pinned to 1)")
      .range(0, 256)
      .source("ours");
  s.check([this, key = s.key("device")](const std::string& file) {
    try {
      nn::check_device(device, key);
    } catch (const error& e) {
      throw e.with_file(file);
    }
  });
}

std::map<std::string, config_entry>& config_registry() {
  static std::map<std::string, config_entry> r;
  return r;
}

run_context::run_context(const std::string& command, const common_options& o, std::uint64_t seed,
                         const std::string& config_toml, const std::string& device, std::string report_name)
    : out_(o.out_dir), report_name_(std::move(report_name)), report_(command, seed) {
  report_.set_config(config_toml);
  report_.set_device(device);
  const auto rt = nn::query_runtime();
  report_.environment() = {{"torch_version", rt.torch_version},   {"cuda_available", rt.cuda_available},
                           {"cuda_device_count", rt.cuda_device_count}, {"torch_threads", rt.intra_op_threads},
                           {"blas", rt.blas},                      {"blas_threads", rt.blas_threads}};
}

std::filesystem::path run_context::output(const std::string& name) {
  const auto p = out_ / name;
  report_.add_output(p.string());
  return p;
}

void run_context::finish() {
  const auto path = out_ / report_name_;
  report_.write(path);
  if (!log::quiet()) fmt::print("{}", report_.summary());
  fmt::print("report: {}\n", path.string());
}

int& command_status() {
  static int status = exit_code::ok;
  return status;
}

}  // namespace physec::app
