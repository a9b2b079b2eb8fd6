#pragma once
// Shared by the fuzz targets: the libFuzzer entry point's contract is that a reader given any bytes either returns
// or throws physec::error (the CLI's one-line message). Anything else (another exception type, a crash, a sanitizer
// report, a hang) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace physec::fuzz {

/// A file holding `data`, rewritten at every call (one per process and suffix), for readers that take a path.
inline std::filesystem::path scratch_file(const std::uint8_t* data, std::size_t size, const std::string& suffix) {
  static const std::filesystem::path dir = [] {
    const char* t = std::getenv("TMPDIR");
    return std::filesystem::path(t && *t ? t : "/tmp");
  }();
  const auto path = dir / ("physec-fuzz-" + std::to_string(::getpid()) + suffix);
  std::ofstream(path, std::ios::binary | std::ios::trunc).write(reinterpret_cast<const char*>(data),
                                                                static_cast<std::streamsize>(size));
  return path;
}

}  // namespace physec::fuzz
