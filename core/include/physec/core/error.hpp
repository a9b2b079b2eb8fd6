#pragma once
/// @file
/// The one exception type of physec: what went wrong, where (file, field or dataset path, index) and what was
/// expected versus what was found. The CLI catches it once, prints `what()` on one line and exits non-zero.

#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>

namespace physec {

/// Where an error was found. Every member is optional; empty members are left out of the message.
struct error_location {
  std::string file;                  ///< file path (config, HDF5, CSV, key file, ...)
  std::string field;                 ///< config key (`channel.snr_dB`) or dataset path (`/alice`)
  std::optional<std::size_t> index;  ///< element index within the field, when it matters
};

/// Exception carrying what, where and expected-vs-found. Message layout (one line):
/// `<file>: <field>[<index>]: <what> (expected <expected>, got <found>)`.
class error : public std::runtime_error {
 public:
  error(std::string what, error_location where = {}, std::string expected = {}, std::string found = {});

  const std::string& description() const noexcept { return description_; }
  const error_location& where() const noexcept { return where_; }
  const std::string& expected() const noexcept { return expected_; }
  const std::string& found() const noexcept { return found_; }

  /// A copy of this error with the file set (used when a lower layer did not know the file name).
  error with_file(const std::string& file) const;

 private:
  std::string description_;
  error_location where_;
  std::string expected_;
  std::string found_;
};

/// Formats the one-line message of an error from its parts (exposed for tests and for the CLI).
std::string format_error_message(const std::string& what, const error_location& where, const std::string& expected,
                                 const std::string& found);

}  // namespace physec
