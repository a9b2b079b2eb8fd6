#pragma once
/// @file The run report: every command writes one JSON file next to its outputs (effective config, seed,
/// physec version and git describe, device, per-stage wall times, results) and prints the same summary.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace physec {

class run_report {
 public:
  run_report(std::string command, std::uint64_t seed);

  /// The effective configuration as commented TOML (as `physec config show` prints it); stored as text and JSON.
  void set_config(const std::string& toml_text);
  void set_device(const std::string& device);
  /// Free-form environment facts (threads, BLAS, LibTorch version).
  nlohmann::json& environment() { return environment_; }
  /// Results of the command; the caller fills this.
  nlohmann::json& results() { return results_; }
  /// Files the command wrote (relative or absolute paths as given).
  void add_output(const std::string& path) { outputs_.push_back(path); }

  /// Times a stage from construction to destruction (or stop()).
  class stage {
   public:
    stage(run_report& r, std::string name);
    ~stage();
    stage(const stage&) = delete;
    stage& operator=(const stage&) = delete;
    void stop();

   private:
    run_report* r_;
    std::string name_;
    std::chrono::steady_clock::time_point t0_;
    bool stopped_ = false;
  };
  stage time(std::string name) { return stage(*this, std::move(name)); }
  void record_stage(const std::string& name, double seconds);

  nlohmann::json to_json() const;
  /// Writes the report atomically (pretty JSON).
  void write(const std::filesystem::path& file) const;
  /// Human summary (a few lines): command, seed, version, device, stage times.
  std::string summary() const;

 private:
  std::string command_;
  std::uint64_t seed_;
  std::string config_toml_;
  nlohmann::json config_json_;
  std::string device_ = "cpu";
  nlohmann::json environment_ = nlohmann::json::object();
  nlohmann::json results_ = nlohmann::json::object();
  std::vector<std::pair<std::string, double>> stages_;
  std::vector<std::string> outputs_;
  std::string started_utc_;
};

/// Converts TOML text to a JSON string (via the TOML library's own formatter).
std::string toml_to_json(const std::string& toml_text);

}  // namespace physec
