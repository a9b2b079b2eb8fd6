#pragma once
/// @file Atomic file output: write to a temporary name in the destination folder, rename when complete.
/// A writer that throws (or a process that dies) midway never leaves a partial file under the final name.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace physec {

/// Owns a temporary path next to `final_path`. `commit()` renames it onto the final path (atomic on POSIX);
/// the destructor removes the temporary if `commit()` was never called.
class atomic_file {
 public:
  /// Creates the destination folder if needed and picks a unique temporary name beside the final path.
  explicit atomic_file(std::filesystem::path final_path);
  ~atomic_file();
  atomic_file(const atomic_file&) = delete;
  atomic_file& operator=(const atomic_file&) = delete;

  /// Where to write now.
  const std::filesystem::path& temp_path() const noexcept { return temp_; }
  /// Where the file will be once committed.
  const std::filesystem::path& final_path() const noexcept { return final_; }
  /// Renames the temporary onto the final path; optional POSIX permission bits (e.g. 0600) applied before.
  void commit(int mode = -1);

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
};

/// Writes a whole text (or binary) payload atomically.
void write_file_atomic(const std::filesystem::path& path, std::string_view contents, int mode = -1);

/// ": no space left on the device (N bytes free)" when the file system holding `path` has under 1 MiB free, else
/// "": appended to a failed write's message, which the library's own ("H5Dwrite failed") does not explain.
std::string disk_full_reason(const std::filesystem::path& path);

/// Reads a whole regular file of at most `max_bytes` bytes. Throws physec::error naming the file when it is missing,
/// a folder, not a regular file (a FIFO or device would block or never end), larger than `max_bytes`, or unreadable.
std::string read_file(const std::filesystem::path& path, std::uintmax_t max_bytes = UINTMAX_MAX);

/// Checks that `path` names an existing regular file (what every reader of physec needs); throws physec::error
/// naming the file and saying what it is instead (missing, a folder, a FIFO, a device, ...). Returns its size.
std::uintmax_t require_regular_file(const std::filesystem::path& path, const std::string& expected = "a file");

}  // namespace physec
