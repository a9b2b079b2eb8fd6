#include "physec/core/report.hpp"

#include <fmt/format.h>

#include <ctime>
#include <toml++/toml.h>
#include <sstream>

#include "physec/core/atomic_file.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/version.hpp"

namespace physec {

std::string toml_to_json(const std::string& toml_text) {
  const toml::table t = toml::parse(toml_text);
  std::ostringstream ss;
  ss << toml::json_formatter{t};
  return ss.str();
}

run_report::run_report(std::string command, std::uint64_t seed) : command_(std::move(command)), seed_(seed) {
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  started_utc_ = buf;
}

void run_report::set_config(const std::string& toml_text) {
  config_toml_ = toml_text;
  config_json_ = nlohmann::json::parse(toml_to_json(toml_text));
}

void run_report::set_device(const std::string& device) { device_ = device; }

run_report::stage::stage(run_report& r, std::string name)
    : r_(&r), name_(std::move(name)), t0_(std::chrono::steady_clock::now()) {}
run_report::stage::~stage() { stop(); }
void run_report::stage::stop() {
  if (stopped_) return;
  stopped_ = true;
  r_->record_stage(name_, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0_).count());
}

void run_report::record_stage(const std::string& name, double seconds) { stages_.emplace_back(name, seconds); }

nlohmann::json run_report::to_json() const {
  nlohmann::json j;
  j["command"] = command_;
  j["seed"] = seed_;
  j["physec_version"] = version();
  j["git_describe"] = git_describe();
  j["started_utc"] = started_utc_;
  j["device"] = device_;
  j["environment"] = environment_;
  j["config"] = config_json_;
  j["config_toml"] = config_toml_;
  nlohmann::json st = nlohmann::json::array();
  double total = 0;
  for (const auto& [name, s] : stages_) {
    st.push_back({{"stage", name}, {"wall_s", s}});
    total += s;
  }
  j["stages"] = st;
  j["total_wall_s"] = total;
  j["outputs"] = outputs_;
  j["results"] = results_;
  return j;
}

void run_report::write(const std::filesystem::path& file) const { write_file_atomic(file, to_json().dump(2) + "\n"); }

std::string run_report::summary() const {
  std::string s = fmt::format("physec {} ({}) · {} · seed {} · device {}\n", version(), git_describe(), command_,
                              seed_, device_);
  for (const auto& [name, sec] : stages_) s += fmt::format("  {:<28} {:>9.3f} s\n", name, sec);
  return s;
}

}  // namespace physec
