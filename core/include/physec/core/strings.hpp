#pragma once
/// @file Small string helpers shared by the config parser and the CLI.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace physec {

/// Levenshtein edit distance between two strings (insert, delete, substitute cost 1).
std::size_t edit_distance(std::string_view a, std::string_view b);

/// The candidate nearest to `word` by edit distance, or "" when none is within max(3, |word|/3) edits.
std::string nearest_name(std::string_view word, const std::vector<std::string>& candidates);

/// Splits on a single character; keeps empty fields.
std::vector<std::string> split(std::string_view s, char sep);

/// Removes leading and trailing blanks (space, tab, CR, LF).
std::string trim(std::string_view s);

/// Joins with a separator.
std::string join(const std::vector<std::string>& parts, std::string_view sep);

}  // namespace physec
