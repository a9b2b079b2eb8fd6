#include "cli.hpp"

#include <sys/statvfs.h>
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>
#include <utility>

#include "physec/core/log.hpp"
#include "neural.hpp"

namespace physec::app {

void add_common_options(CLI::App& cmd, common_options& o, const std::string& default_out) {
  o.out_dir = default_out;
  cmd.add_option("-c,--config", o.config_file, "TOML config file (see `physec config show <command>`)");
  cmd.add_option("--set", o.overrides, "override one config value, key=value in TOML syntax (repeatable)")
      ->type_name("KEY=VALUE")
      ->allow_extra_args(false);
  cmd.add_option("--seed", o.seed, "master seed (overrides run.seed)")
      ->check(CLI::Validator(
          [](std::string& v) {
            // CLI11 would wrap -1 to 2^64 - 1 and report it as 1.8e19.
            return !v.empty() && v[0] == '-' ? "expected a non-negative integer, got " + v : std::string();
          },
          "UINT"));
  // Commands that write one file (-o) have no output folder: an --out there would be silently ignored.
  if (!default_out.empty()) cmd.add_option("--out", o.out_dir, "output folder")->capture_default_str();
  cmd.add_flag("-q,--quiet", o.quiet, "no progress or info lines");
  cmd.add_option("--device", o.device, "torch device: cpu, cuda or cuda:N (overrides run.device)");
}

unsigned thread_count(int threads) {
  return threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
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
      check_device(device, key);
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
  require_writable_folder(out_);  // before minutes of work, not after them
  report_.set_config(config_toml);
  report_.set_device(device);
  report_.environment() = runtime_environment();
}

void require_writable_folder(const std::filesystem::path& dir) {
  // Checked without creating anything: a command that fails later must leave no trace, not even an empty folder.
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path existing = dir.empty() ? fs::path(".") : dir;
  while (!fs::exists(existing, ec) && existing.has_parent_path() && existing != existing.parent_path())
    existing = existing.parent_path();
  if (!fs::exists(existing, ec)) existing = ".";
  if (!fs::is_directory(existing, ec))
    throw error("output folder is not a folder", {existing.string(), "--out", {}}, "a folder", "a file");
  struct statvfs v {};
  if (::statvfs(existing.c_str(), &v) == 0 && (v.f_flag & ST_RDONLY))
    throw error("output folder is on a read-only file system", {dir.string(), "--out", {}}, "a writable folder");
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    throw error("output folder is not writable: " + std::string(std::strerror(errno)), {existing.string(), "--out", {}},
                "a writable folder");
}

std::filesystem::path run_context::output(const std::string& name) {
  const auto p = out_ / name;
  report_.add_output(p.string());
  return p;
}

void run_context::plot(const plot_spec& spec, const std::string& name) {
  if (!gnuplot_available()) {
    static bool warned = false;
    if (!std::exchange(warned, true)) log::warn("gnuplot not found: no PNG plots written");
    return;
  }
  plot_png(spec, output(name));
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
