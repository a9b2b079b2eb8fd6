#include "physec/core/table.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

#include "physec/core/atomic_file.hpp"
#include "physec/core/config.hpp"
#include "physec/core/error.hpp"

namespace physec {

table::table(std::vector<std::string> columns) : columns_(std::move(columns)) {}

table& table::add_row(std::vector<cell> cells) {
  if (cells.size() != columns_.size())
    throw error("table row has the wrong number of cells", {}, std::to_string(columns_.size()),
                std::to_string(cells.size()));
  rows_.push_back(std::move(cells));
  return *this;
}

namespace {
std::string csv_escape(const std::string& s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}
std::string cell_text(const table::cell& c, int digits) {
  if (auto s = std::get_if<std::string>(&c)) return *s;
  if (auto i = std::get_if<std::int64_t>(&c)) return std::to_string(*i);
  const double x = std::get<double>(c);
  if (digits <= 0) return std::isfinite(x) ? fmt::format("{}", x) : config::format_real(x);
  return fmt::format("{:.{}g}", x, digits);
}
}  // namespace

std::string table::to_csv() const {
  std::string out;
  for (std::size_t j = 0; j < columns_.size(); ++j) out += (j ? "," : "") + csv_escape(columns_[j]);
  out += "\n";
  for (const auto& r : rows_) {
    for (std::size_t j = 0; j < r.size(); ++j) out += (j ? "," : "") + csv_escape(cell_text(r[j], 0));
    out += "\n";
  }
  return out;
}

std::string table::to_text(int digits) const {
  std::vector<std::size_t> width(columns_.size());
  for (std::size_t j = 0; j < columns_.size(); ++j) width[j] = columns_[j].size();
  std::vector<std::vector<std::string>> text;
  for (const auto& r : rows_) {
    text.emplace_back();
    for (std::size_t j = 0; j < r.size(); ++j) {
      text.back().push_back(cell_text(r[j], digits));
      width[j] = std::max(width[j], text.back().back().size());
    }
  }
  std::string out;
  auto line = [&](const std::vector<std::string>& cells) {
    for (std::size_t j = 0; j < cells.size(); ++j) out += fmt::format("{}{:>{}}", j ? "  " : "", cells[j], width[j]);
    out += "\n";
  };
  line(columns_);
  std::vector<std::string> rule;
  for (auto w : width) rule.push_back(std::string(w, '-'));
  line(rule);
  for (const auto& r : text) line(r);
  return out;
}

nlohmann::json table::to_json() const {
  nlohmann::json arr = nlohmann::json::array();
  for (const auto& r : rows_) {
    nlohmann::json o = nlohmann::json::object();
    for (std::size_t j = 0; j < r.size(); ++j)
      std::visit([&](const auto& v) { o[columns_[j]] = v; }, r[j]);
    arr.push_back(std::move(o));
  }
  return arr;
}

void table::write_csv(const std::filesystem::path& path) const { write_file_atomic(path, to_csv()); }

}  // namespace physec
