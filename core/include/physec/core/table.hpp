#pragma once
/// @file A results table: printed aligned on screen, written as CSV, embedded as JSON in run reports.

#include <cstdint>
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

namespace physec {

class table {
 public:
  using cell = std::variant<std::string, double, std::int64_t>;

  explicit table(std::vector<std::string> columns);
  /// Appends a row; its length must equal the number of columns.
  table& add_row(std::vector<cell> cells);

  const std::vector<std::string>& columns() const { return columns_; }
  const std::vector<std::vector<cell>>& rows() const { return rows_; }

  /// RFC 4180 CSV; reals in their shortest round-trip form.
  std::string to_csv() const;
  /// Aligned text; reals with `digits` significant digits.
  std::string to_text(int digits = 4) const;
  /// An array of row objects keyed by column name.
  nlohmann::json to_json() const;
  /// Writes CSV atomically.
  void write_csv(const std::filesystem::path& path) const;

 private:
  std::vector<std::string> columns_;
  std::vector<std::vector<cell>> rows_;
};

}  // namespace physec
