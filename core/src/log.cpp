#include "physec/core/log.hpp"

#include <atomic>
#include <mutex>

namespace physec::log {
namespace {
std::atomic<bool> g_quiet{false};
std::mutex g_mutex;
}  // namespace

void set_quiet(bool q) { g_quiet = q; }
bool quiet() { return g_quiet; }

void write_info(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fflush(stdout);  // what the command printed so far comes first when both streams go to one file or pipe
  std::fprintf(stderr, "%.*s\n", static_cast<int>(line.size()), line.data());
}

void write_warning(std::string_view line) {
  std::lock_guard<std::mutex> lock(g_mutex);
  std::fflush(stdout);
  std::fprintf(stderr, "warning: %.*s\n", static_cast<int>(line.size()), line.data());
}

}  // namespace physec::log
