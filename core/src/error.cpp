#include "physec/core/error.hpp"

#include <utility>

namespace physec {

std::string format_error_message(const std::string& what, const error_location& where, const std::string& expected,
                                 const std::string& found) {
  std::string msg;
  if (!where.file.empty()) msg += where.file + ": ";
  if (!where.field.empty()) {
    msg += where.field;
    if (where.index) msg += "[" + std::to_string(*where.index) + "]";
    msg += ": ";
  } else if (where.index) {
    msg += "index " + std::to_string(*where.index) + ": ";
  }
  msg += what;
  if (!expected.empty() || !found.empty()) {
    msg += " (";
    if (!expected.empty()) msg += "expected " + expected;
    if (!expected.empty() && !found.empty()) msg += ", ";
    if (!found.empty()) msg += "got " + found;
    msg += ")";
  }
  // One line, always: fold any newline a caller let through.
  for (char& c : msg)
    if (c == '\n' || c == '\r') c = ' ';
  return msg;
}

error::error(std::string what, error_location where, std::string expected, std::string found)
    : std::runtime_error(format_error_message(what, where, expected, found)),
      description_(std::move(what)),
      where_(std::move(where)),
      expected_(std::move(expected)),
      found_(std::move(found)) {}

error error::with_file(const std::string& file) const {
  error_location w = where_;
  w.file = file;
  return error(description_, w, expected_, found_);
}

}  // namespace physec
