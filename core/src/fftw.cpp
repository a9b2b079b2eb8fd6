#include "physec/core/fftw.hpp"

namespace physec {

std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

}  // namespace physec
