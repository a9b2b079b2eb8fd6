#pragma once
// Runs the physec executable (PHYSEC_EXE, set by the test's CMake target) as a user would, for the CLI tests.
#include <string>

#include "test_util.hpp"

namespace physec::testing {

/// Exit code and output (stdout and stderr together) of one `physec` run.
using cli_result = command_result;

/// `physec ARGS 2>&1` through the shell; code -1 if it did not exit normally.
inline cli_result run_physec(const std::string& args) { return run_command(std::string(PHYSEC_EXE) + " " + args); }

}  // namespace physec::testing
