#include "physec/core/atomic_file.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "physec/core/error.hpp"

namespace physec {
namespace fs = std::filesystem;

namespace {
std::atomic<unsigned> g_counter{0};

/// Removes temporaries of `final_name` in `dir` (our naming: `.NAME.tmp.PID.N`) whose process no longer exists:
/// what a `kill -9` midway leaves. Another live process's temporary is left alone.
void remove_stale_temporaries(const fs::path& dir, const std::string& final_name) {
  const std::string prefix = "." + final_name + ".tmp.";
  std::error_code ec;
  for (fs::directory_iterator it(dir.empty() ? fs::path(".") : dir, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const auto dot = rest.find('.');
    if (dot == std::string::npos || dot == 0 || rest.find_first_not_of("0123456789.") != std::string::npos) continue;
    const long pid = std::strtol(rest.substr(0, dot).c_str(), nullptr, 10);
    if (pid <= 0 || pid == ::getpid()) continue;
    if (::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH) {
      std::error_code rm;
      fs::remove(it->path(), rm);
    }
  }
}
}  // namespace

atomic_file::atomic_file(fs::path final_path) : final_(std::move(final_path)) {
  if (final_.filename().empty())
    throw error("output path names no file", {final_.string(), "", {}}, "a file name", "a folder");
  const fs::path dir = final_.parent_path();
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    if (ec) throw error("cannot create output folder: " + ec.message(), {dir.string(), "", {}});
  }
  remove_stale_temporaries(dir, final_.filename().string());
  // Hidden, unique per process and per object, in the same folder (so the rename stays on one file system).
  temp_ = dir / ("." + final_.filename().string() + ".tmp." + std::to_string(::getpid()) + "." +
                 std::to_string(g_counter.fetch_add(1)));
}

atomic_file::~atomic_file() {
  if (!committed_) {
    std::error_code ec;
    fs::remove(temp_, ec);  // best effort; never throws from a destructor
  }
}

void atomic_file::commit(int mode) {
  if (committed_) return;
  if (mode >= 0 && ::chmod(temp_.c_str(), static_cast<mode_t>(mode)) != 0)
    throw error(std::string("cannot set permissions: ") + std::strerror(errno), {temp_.string(), "", {}});
  std::error_code ec;
  fs::rename(temp_, final_, ec);
  if (ec) throw error("cannot move finished file into place: " + ec.message(), {final_.string(), "", {}});
  committed_ = true;
}

void write_file_atomic(const fs::path& path, std::string_view contents, int mode) {
  atomic_file out(path);
  {
    // Created with its final permissions (a key file is never readable by others, not even for a moment), exclusive.
    const int fd = ::open(out.temp_path().c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                          static_cast<mode_t>(mode >= 0 ? mode : 0666));
    if (fd < 0) throw error("cannot open for writing" + disk_full_reason(out.temp_path()), {path.string(), "", {}});
    std::size_t done = 0;
    while (done < contents.size()) {
      const ssize_t n = ::write(fd, contents.data() + done, contents.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const std::string why = disk_full_reason(out.temp_path());
        ::close(fd);
        throw error("write failed" + why, {path.string(), "", {}});
      }
      done += static_cast<std::size_t>(n);
    }
    if (::close(fd) != 0) throw error("write failed" + disk_full_reason(out.temp_path()), {path.string(), "", {}});
  }
  out.commit(mode);
}

/// ": no space left on the device (N bytes free)" when the folder of `path` is (nearly) full, else "": why a
/// write failed, which HDF5's own message ("H5Dwrite failed") does not say.
std::string disk_full_reason(const fs::path& path) {
  const int err = errno;  // what the failed write left, before statvfs can change it
  if (err == ENOSPC || err == EDQUOT || err == EFBIG || err == EROFS || err == EIO) return ": " + std::string(std::strerror(err));
  struct statvfs v {};
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  if (::statvfs(dir.c_str(), &v) != 0) return {};
  const unsigned long long free_bytes = static_cast<unsigned long long>(v.f_bavail) * v.f_frsize;
  if (free_bytes < (1ull << 20)) return ": no space left on the device (" + std::to_string(free_bytes) + " bytes free)";
  return {};
}

std::uintmax_t require_regular_file(const fs::path& path, const std::string& expected) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  const char* found = nullptr;
  switch (st.type()) {
    case fs::file_type::regular: break;
    case fs::file_type::not_found: found = "no such file"; break;
    case fs::file_type::directory: found = "a folder"; break;
    case fs::file_type::fifo: found = "a FIFO"; break;
    case fs::file_type::character:
    case fs::file_type::block: found = "a device"; break;
    case fs::file_type::socket: found = "a socket"; break;
    default: found = ec ? "an inaccessible path" : "not a regular file"; break;
  }
  if (found)
    throw error(st.type() == fs::file_type::not_found ? "file not found" : "not a regular file", {path.string(), "", {}},
                expected, found);
  const std::uintmax_t size = fs::file_size(path, ec);
  if (ec) throw error("cannot read input: " + ec.message(), {path.string(), "", {}}, expected, "an unreadable file");
  return size;
}

std::string read_file(const fs::path& path, std::uintmax_t max_bytes) {
  const std::uintmax_t size = require_regular_file(path);
  if (size > max_bytes)
    throw error("file too large", {path.string(), "", {}}, "at most " + std::to_string(max_bytes) + " bytes",
                std::to_string(size) + " bytes");
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error("cannot open file", {path.string(), "", {}}, "a readable file", "permission denied or I/O error");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace physec
