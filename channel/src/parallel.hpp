#pragma once
// Private helper: runs fn(i) for i in [0, count) on `nof_threads` threads (interleaved), rethrowing the first error.

#include <cstddef>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace physec::channel::detail {

template <class Fn>
void parallel_for(std::size_t count, unsigned nof_threads, Fn&& fn) {
  if (nof_threads <= 1 || count <= 1) {
    for (std::size_t i = 0; i < count; ++i) fn(i);
    return;
  }
  std::exception_ptr first_error;
  std::mutex m;
  std::vector<std::thread> pool;
  for (unsigned w = 0; w < nof_threads; ++w)
    pool.emplace_back([&, w] {
      try {
        for (std::size_t i = w; i < count; i += nof_threads) fn(i);
      } catch (...) {
        std::lock_guard<std::mutex> lock(m);
        if (!first_error) first_error = std::current_exception();
      }
    });
  for (auto& t : pool) t.join();
  if (first_error) std::rethrow_exception(first_error);
}

}  // namespace physec::channel::detail
