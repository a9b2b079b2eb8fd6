#pragma once
/// @file What every `physec` command shares: the common options, config loading (defaults <- -c file <- --set <-
/// --seed/--device), the `[run]` config section, the registry behind `physec config show`, and the run context
/// (output folder + report) that each command fills.

#include <CLI/CLI.hpp>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/error.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/report.hpp"

namespace physec::app {

/// Exit codes of `physec` (also in --help and the README).
enum exit_code : int { ok = 0, usage_error = 2, input_error = 3, internal_error = 4 };

/// Options every config-driven command accepts.
struct common_options {
  std::string config_file;             ///< -c/--config
  std::vector<std::string> overrides;  ///< --set key=value (repeatable)
  std::optional<std::uint64_t> seed;   ///< --seed, overrides run.seed
  std::string out_dir;                 ///< --out
  bool quiet = false;                  ///< --quiet
  std::string device;                  ///< --device, overrides run.device
};

/// Adds -c, --set, --seed, --out, --quiet, --device to a subcommand.
void add_common_options(CLI::App& cmd, common_options& o, const std::string& default_out);

/// How a command runs; the `[run]` table of every command's config.
struct run_config {
  std::uint64_t seed = 42;     ///< master seed of every random stream
  std::string device = "cpu";  ///< torch device for neural stages
  int threads = 0;             ///< torch intra-op threads, 0 = all cores
  void describe(config::schema& s);
};

/// Worker threads for `run.threads`: the value, or every core for 0.
unsigned thread_count(int threads);

/// Builds a command's config: `cfg` (the defaults, or a preset), then the -c file, then --set, then --seed/--device;
/// validated.
template <class C>
C load_config(const common_options& o, C cfg = C{}) {
  if (!o.config_file.empty()) config::apply_file(cfg, o.config_file);
  config::apply_overrides(cfg, o.overrides);
  if (o.seed) cfg.run.seed = *o.seed;
  if (!o.device.empty()) cfg.run.device = o.device;
  config::validate(cfg, o.config_file.empty() ? std::string("config") : o.config_file);
  return cfg;
}

/// `physec config show <command>` looks commands up here.
struct config_entry {
  std::string title;
  std::function<std::string(const common_options&)> show;
};
std::map<std::string, config_entry>& config_registry();

template <class C>
void register_config(const std::string& command, const std::string& title) {
  config_registry()[command] = {title, [title](const common_options& o) {
                                  C cfg = load_config<C>(o);
                                  return config::show(cfg, title);
                                }};
}

/// Checks, creating nothing, that `dir` (or its nearest existing parent) is a writable folder on a writable file
/// system; throws physec::error (one line) otherwise.
void require_writable_folder(const std::filesystem::path& dir);

/// Output folder + report of one command run. `finish()` writes `<out>/report.json` and prints the summary.
class run_context {
 public:
  run_context(const std::string& command, const common_options& o, std::uint64_t seed, const std::string& config_toml,
              const std::string& device, std::string report_name = "report.json");
  const std::filesystem::path& out_dir() const { return out_; }
  run_report& report() { return report_; }
  /// A path inside the output folder, recorded in the report's outputs.
  std::filesystem::path output(const std::string& name);
  /// Writes `spec` as the PNG `name` in the output folder, or warns once that gnuplot is missing.
  void plot(const plot_spec& spec, const std::string& name);
  void finish();

 private:
  std::filesystem::path out_;
  std::string report_name_;
  run_report report_;
};

/// Registration functions, one per command file.
void register_quickstart(CLI::App& app);
void register_config_command(CLI::App& app);
void register_version(CLI::App& app);
void register_keygen(CLI::App& app);
/// `physec keygen train` (cmd_keygen_train.cpp), added under the `keygen` subcommand.
void register_keygen_train(CLI::App& keygen);
void register_keygen_run(CLI::App& keygen);  ///< `keygen run` and `keygen agree` (cmd_keygen_run.cpp)
void register_dataset(CLI::App& app);
void register_nist(CLI::App& app);
void register_auth(CLI::App& app);
/// `physec auth train` (app/cmd_auth_train.cpp), called from register_auth.
void register_auth_train(CLI::App& auth);
void register_auth_openset(CLI::App& auth);
void register_reproduce(CLI::App& app);  ///< `physec reproduce` (cmd_reproduce.cpp)

/// Exit code of the command that ran (set by its callback).
int& command_status();

/// Runs `f`; a physec::error that names no file is rethrown naming `file`, the input the failing stage worked on
/// (library code that checks sizes, classes or splits does not know where its arrays came from).
template <class F>
auto blame_file(const std::string& file, F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const error& e) {
    if (e.where().file.empty()) throw e.with_file(file);
    throw;
  }
}

}  // namespace physec::app
