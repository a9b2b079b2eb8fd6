#pragma once
// FFTW's planner (plan creation and destruction) is not thread-safe, in any library of one process; executing a plan
// is. Every physec library that makes or destroys an FFTW plan holds this one mutex.

#include <mutex>

namespace physec {

std::mutex& fftw_planner_mutex();

}  // namespace physec
