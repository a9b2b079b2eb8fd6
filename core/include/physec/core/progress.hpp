#pragma once
/// @file Progress of long loops: on a terminal, one line redrawn (at most 10 times a second) with count, rate and
/// ETA; when stderr is not a terminal, a plain line at each further 10 % or every 30 s. `log::set_quiet(true)`
/// silences both. Thread-safe: workers may call advance() concurrently.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <mutex>
#include <string>

namespace physec {

class progress {
 public:
  /// `unit` names what is counted ("samples", "batches").
  progress(std::string label, std::size_t total, std::string unit = "items");
  ~progress();
  progress(const progress&) = delete;
  progress& operator=(const progress&) = delete;

  void advance(std::size_t n = 1);
  /// Prints the final line (called by the destructor if not called before).
  void finish();

  /// Forces terminal or plain mode (tests); by default decided by isatty(stderr).
  static void force_terminal(int mode);  // -1 auto, 0 plain, 1 terminal

  /// The text of a progress line; exposed for tests. `elapsed_s` > 0.
  static std::string format_line(const std::string& label, std::size_t done, std::size_t total,
                                 const std::string& unit, double elapsed_s);

 private:
  void maybe_print(bool force);
  std::string label_, unit_;
  std::size_t total_;
  std::atomic<std::size_t> done_{0};
  std::chrono::steady_clock::time_point start_, last_print_;
  std::size_t last_decile_ = 0;
  std::size_t last_printed_done_ = static_cast<std::size_t>(-1);  // done_ at the last line printed (log mode)
  bool terminal_ = false, finished_ = false;
  std::mutex mutex_;
};

/// "1:02:03" or "2:03" from seconds.
std::string format_duration(double seconds);

}  // namespace physec
