// physec — one CLI for physical-layer security: secret key generation and authentication from CSI.
#include <CLI/CLI.hpp>
#include <fmt/format.h>

#include <cstdio>
#include <cstdlib>

#include "cli.hpp"
#include "physec/core/error.hpp"
#include "physec/core/version.hpp"
#include "neural.hpp"

namespace {
/// Ends the process after an error without running library exit handlers: every output is already committed or
/// discarded (atomic files, unwound by then), and libhdf5 1.10 crashes in its own exit handler when a write failed
/// midway (a full disk: H5F__close_cb from H5close), turning a one-line error into a segfault.
[[noreturn]] void exit_after_error(int code) {
  std::fflush(stdout);
  std::fflush(stderr);
  std::_Exit(code);
}
}  // namespace

int main(int argc, char** argv) {
  using namespace physec::app;
  set_command_line(argc, argv);  // for the hand-over to physec-neural (neural.hpp)
  // Pin OpenBLAS to one thread before anything can call BLAS; commands then size torch's pool from their config.
  configure_threads(0);
  CLI::App app{
      "physec — physical-layer security for 5G and IIoT: secret key generation from reciprocal TDD channels and\n"
      "multiuser physical-layer authentication, from simulated (3GPP TR 38.901) or your own CSI.\n"
      "Exit codes: 0 success, 2 usage error, 3 bad input or config, 4 internal error.",
      "physec"};
  app.set_version_flag("--version", fmt::format("physec {} ({})", physec::version(), physec::git_describe()));
  app.require_subcommand(1);
  app.fallthrough(false);

  register_quickstart(app);
  register_dataset(app);
  register_keygen(app);
  register_nist(app);
  register_auth(app);
  register_reproduce(app);
  register_version(app);
  register_config_command(app);  // last: it lists the commands registered before it

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? exit_code::ok : exit_code::usage_error;
  } catch (const neural_unavailable& e) {
    fmt::print(stderr, "physec: error: {}\n", e.what());
    exit_after_error(exit_code::internal_error);
  } catch (const physec::error& e) {
    fmt::print(stderr, "physec: error: {}\n", e.what());
    exit_after_error(exit_code::input_error);
  } catch (const std::exception& e) {
    std::string what = e.what();
    what = what.substr(0, what.find('\n'));  // LibTorch messages carry a backtrace after the first line
    fmt::print(stderr, "physec: internal error: {}\n", what);
    exit_after_error(exit_code::internal_error);
  }
  return command_status();
}
