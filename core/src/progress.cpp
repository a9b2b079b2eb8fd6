#include "physec/core/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>

#include "physec/core/log.hpp"

namespace physec {
namespace {
std::atomic<int> g_force_terminal{-1};
}

void progress::force_terminal(int mode) { g_force_terminal = mode; }

std::string format_duration(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const auto s = static_cast<long long>(std::llround(seconds));
  if (s >= 3600) return fmt::format("{}:{:02}:{:02}", s / 3600, (s / 60) % 60, s % 60);
  return fmt::format("{}:{:02}", s / 60, s % 60);
}

std::string progress::format_line(const std::string& label, std::size_t done, std::size_t total,
                                  const std::string& unit, double elapsed_s) {
  const double rate = elapsed_s > 0 ? static_cast<double>(done) / elapsed_s : 0.0;
  const double pct = total ? 100.0 * static_cast<double>(done) / static_cast<double>(total) : 100.0;
  const double eta = rate > 0 ? static_cast<double>(total - std::min(done, total)) / rate : NAN;
  return fmt::format("{}: {}/{} {} ({:.1f}%), {:.3g} {}/s, elapsed {}, ETA {}", label, done, total, unit, pct, rate,
                     unit, format_duration(elapsed_s), done >= total ? "0:00" : format_duration(eta));
}

progress::progress(std::string label, std::size_t total, std::string unit)
    : label_(std::move(label)), unit_(std::move(unit)), total_(total) {
  start_ = last_print_ = std::chrono::steady_clock::now();
  const int f = g_force_terminal;
  terminal_ = f >= 0 ? f == 1 : ::isatty(STDERR_FILENO) == 1;
}

progress::~progress() { finish(); }

void progress::advance(std::size_t n) {
  done_ += n;
  maybe_print(false);
}

void progress::maybe_print(bool force) {
  if (log::quiet()) return;
  std::unique_lock<std::mutex> lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock() && !force) return;  // another thread is printing; skip
  if (!lock.owns_lock()) lock.lock();
  const auto now = std::chrono::steady_clock::now();
  const double since_last = std::chrono::duration<double>(now - last_print_).count();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  const std::size_t done = done_;
  if (terminal_) {
    if (!force && since_last < 0.1) return;
    const std::string line = format_line(label_, done, total_, unit_, std::max(elapsed, 1e-9));
    std::fflush(stdout);
    std::fprintf(stderr, "\r%s\x1b[K", line.c_str());
    if (force) std::fputc('\n', stderr);
    std::fflush(stderr);
  } else {
    const std::size_t decile = total_ ? (10 * done) / total_ : 10;
    if (!force && decile <= last_decile_ && since_last < 30.0) return;
    // finish() after the last advance() has nothing new to say: the 100 % line is printed once.
    if (force && done == last_printed_done_) return;
    last_decile_ = decile;
    last_printed_done_ = done;
    log::write_info(format_line(label_, done, total_, unit_, std::max(elapsed, 1e-9)));
  }
  last_print_ = now;
}

void progress::finish() {
  if (finished_) return;
  finished_ = true;
  maybe_print(true);
}

}  // namespace physec
