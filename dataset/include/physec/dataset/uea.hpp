#pragma once
/// @file Reader of the UEA/UCR time-series classification archive format (`.ts` files, as written by sktime and the
/// archive at timeseriesclassification.com): the public multivariate sets physec validates its sequence models on
/// (e.g. BasicMotions, RacketSports). Torch-free.
///
/// Format: `#` comment lines; `@key value` header lines (`@problemName`, `@timeStamps`, `@missing`, `@univariate`,
/// `@dimensions`, `@equalLength`, `@seriesLength`, `@classLabel true <labels...>`), then `@data`; each following
/// non-empty line is one case: the D dimensions separated by `:`, the T values of a dimension separated by `,`,
/// the class label last.
///
/// Supported subset (checked, one-line errors naming file, line and field otherwise): equal-length series without
/// time stamps, a class label on every case, no missing values (`?` or NaN are rejected: impute before reading).

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::dataset {

/// One `.ts` file in memory.
struct uea_data {
  std::string problem_name;              ///< `@problemName`
  ndarray<float> series;                 ///< [nof_cases, D, T]
  std::vector<std::int32_t> labels;      ///< [nof_cases], indices into class_names
  std::vector<std::string> class_names;  ///< `@classLabel` order

  std::size_t nof_cases() const { return series.shape.empty() ? 0 : series.shape[0]; }
  std::size_t nof_dims() const { return series.shape.size() < 2 ? 0 : series.shape[1]; }
  std::size_t nof_steps() const { return series.shape.size() < 3 ? 0 : series.shape[2]; }
};

/// Parses `.ts` text; `origin` names it in errors (`<origin>:<line>: <field>: ...`).
uea_data parse_uea(const std::string& text, const std::string& origin);

/// Reads a `.ts` file. Throws physec::error naming the file, the line and the field on anything outside the
/// supported subset (ragged lengths, missing values, unknown label, wrong dimension count, ...).
uea_data read_uea(const std::filesystem::path& path);

/// Checks that a test file matches its training file: same dimensions, length and class names (in order).
void check_uea_compatible(const uea_data& train, const uea_data& test, const std::string& test_origin);

}  // namespace physec::dataset
