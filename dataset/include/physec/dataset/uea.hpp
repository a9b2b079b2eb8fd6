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
/// Supported subset (checked, one-line errors naming file, line and field otherwise): series without time stamps, a
/// class label on every case, no missing values (`?` or NaN are rejected: impute before reading).
///
/// Unequal lengths (e.g. JapaneseVowels, 7–29 steps): allowed unless the header declares one length
/// (`@equalLength true` or `@seriesLength`). Every series is padded **at its end to the longest series of the
/// file, holding its last value** (a constant tail: no step to zero that a convolution would read as an event;
/// physec's models standardise each dimension, where raw zero is not neutral); `pad_uea_pair` then pads a
/// training and a test file to the longer of the two. The original lengths stay in `lengths`.

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
  std::vector<std::size_t> lengths;      ///< [nof_cases * D], case-major: each series' length before padding

  std::size_t nof_cases() const { return series.shape.empty() ? 0 : series.shape[0]; }
  std::size_t nof_dims() const { return series.shape.size() < 2 ? 0 : series.shape[1]; }
  std::size_t nof_steps() const { return series.shape.size() < 3 ? 0 : series.shape[2]; }
  /// Whether every series had `nof_steps()` values in the file (nothing padded).
  bool equal_length() const;
};

/// Parses `.ts` text; `origin` names it in errors (`<origin>:<line>: <field>: ...`).
uea_data parse_uea(const std::string& text, const std::string& origin);

/// Reads a `.ts` file. Throws physec::error naming the file, the line and the field on anything outside the
/// supported subset (a length other than the header's, missing values, unknown label, wrong dimension count, ...).
uea_data read_uea(const std::filesystem::path& path);

/// Pads every series at its end to `nof_steps` by holding its last value (nothing when already that long).
void pad_uea(uea_data& d, std::size_t nof_steps);

/// Pads a training and a test file to the longer of their two lengths (`pad_uea`), so that one model reads both.
void pad_uea_pair(uea_data& train, uea_data& test);

/// Checks that a test file matches its training file: same dimensions and class names (in order), and the same
/// length unless one of them has unequal lengths (then `pad_uea_pair` makes them equal).
void check_uea_compatible(const uea_data& train, const uea_data& test, const std::string& test_origin);

}  // namespace physec::dataset
