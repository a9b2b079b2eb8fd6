#pragma once
// Helpers shared by the test suites.
#include <unistd.h>

#include <filesystem>
#include <functional>
#include <string>

#include "physec/core/error.hpp"

namespace physec::testing {

/// A fresh, empty folder under the system temp folder, unique to this process.
inline std::filesystem::path temp_dir(const std::string& name) {
  const auto d = std::filesystem::temp_directory_path() / ("physec_test_" + name + "_" + std::to_string(::getpid()));
  std::filesystem::remove_all(d);
  std::filesystem::create_directories(d);
  return d;
}

/// The one-line message of the physec::error that `fn` throws, or "<no error>".
inline std::string message_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const physec::error& e) {
    return e.what();
  }
  return "<no error>";
}

}  // namespace physec::testing
