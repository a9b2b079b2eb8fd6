#pragma once
// Helpers shared by the test suites.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>

#include <filesystem>
#include <functional>
#include <string>

#include "physec/core/error.hpp"

namespace physec::testing {

/// The UEA archive copies shipped with the tests (tests/data/uea, provenance and licence in its README).
inline std::filesystem::path uea_dir() { return std::filesystem::path(PHYSEC_SOURCE_DIR) / "tests" / "data" / "uea"; }

/// A fresh, empty folder under the system temp folder, unique to this process.
inline std::filesystem::path temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("physec_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

/// A fresh, empty folder named after the running GoogleTest test (call from inside a TEST body).
#define PHYSEC_TEST_DIR() \
  ::physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name())

/// The one-line message of the physec::error that `fn` throws, or "<no error>".
inline std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const physec::error& e) {
    return e.what();
  }
  return "<no error>";
}

/// Exit code and output (stdout and stderr together) of a shell command.
struct command_result {
  int code = -1;
  std::string out;
};

/// Runs `command` through the shell (stderr merged into stdout); code -1 when it did not exit normally.
inline command_result run_command(const std::string& command) {
  command_result r;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace physec::testing
