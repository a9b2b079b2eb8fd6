// Fuzz target: the UEA/UCR `.ts` reader (header, dimensions, labels, values).
#include <cstddef>
#include <cstdint>
#include <string>

#include "physec/core/error.hpp"
#include "physec/dataset/uea.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    const auto d = physec::dataset::parse_uea(std::string(reinterpret_cast<const char*>(data), size), "fuzz.ts");
    (void)d.nof_cases();
  } catch (const physec::error&) {
  }
  return 0;
}
