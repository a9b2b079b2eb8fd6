// Fuzz target: the mobility (authentication) dataset reader (HDF5: sequences, labels, splits, attributes).
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "physec/core/error.hpp"
#include "physec/dataset/mobility.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto path = physec::fuzz::scratch_file(data, size, ".mobility.h5");
  try {
    (void)physec::dataset::read_mobility(path);
  } catch (const physec::error&) {
  }
  return 0;
}
