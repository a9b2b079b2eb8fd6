#pragma once
// Runs the physec executable (PHYSEC_EXE, set by the test's CMake target) as a user would, for the CLI tests.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

namespace physec::testing {

/// Exit code and output of one `physec` run.
struct cli_result {
  int code;
  std::string out;  // stdout and stderr together
};

/// `physec ARGS 2>&1` through the shell; code -1 if it did not exit normally.
inline cli_result run_physec(const std::string& args) {
  const std::string cmd = std::string(PHYSEC_EXE) + " " + args + " 2>&1";
  cli_result r{-1, {}};
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return r;
  std::array<char, 4096> buf{};
  while (std::size_t n = fread(buf.data(), 1, buf.size(), p)) r.out.append(buf.data(), n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

}  // namespace physec::testing
