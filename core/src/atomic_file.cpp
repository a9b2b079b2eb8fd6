#include "physec/core/atomic_file.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "physec/core/error.hpp"

namespace physec {
namespace fs = std::filesystem;

namespace {
std::atomic<unsigned> g_counter{0};
}

atomic_file::atomic_file(fs::path final_path) : final_(std::move(final_path)) {
  if (final_.filename().empty())
    throw error("output path names no file", {final_.string(), "", {}}, "a file name", "a folder");
  const fs::path dir = final_.parent_path();
  std::error_code ec;
  if (!dir.empty()) {
    fs::create_directories(dir, ec);
    if (ec) throw error("cannot create output folder: " + ec.message(), {dir.string(), "", {}});
  }
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
    std::ofstream f(out.temp_path(), std::ios::binary);
    if (!f) throw error("cannot open for writing", {out.temp_path().string(), "", {}});
    f.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    f.flush();
    if (!f) throw error("write failed", {out.temp_path().string(), "", {}});
  }
  out.commit(mode);
}

std::string read_file(const fs::path& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw error("cannot open file", {path.string(), "", {}}, "a readable file", "none");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

}  // namespace physec
