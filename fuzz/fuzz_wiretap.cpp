// Fuzz target: the wiretap dataset reader (HDF5: CSI arrays, labels, attributes) and its consistency checks.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "physec/core/error.hpp"
#include "physec/dataset/wiretap.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = physec::fuzz::scratch_file(data, size, ".wiretap.h5");
  try {
    (void)physec::dataset::read_wiretap(path);
  } catch (const physec::error&) {
  }
  return 0;
}
