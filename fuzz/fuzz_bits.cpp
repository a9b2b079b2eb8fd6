// Fuzz target: the NIST bit readers. The first byte picks the format (binary, ascii, automatic, hdf5) and a bit
// limit; the rest is the file.
#include <cstddef>
#include <cstdint>

#include "fuzz_util.hpp"
#include "physec/core/error.hpp"
#include "physec/randomness/read_bits.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  using physec::randomness::bit_format;
  static constexpr bit_format formats[] = {bit_format::binary, bit_format::ascii, bit_format::automatic,
                                           bit_format::hdf5};
  const bit_format f = formats[data[0] & 3];
  physec::randomness::read_bits_options o;
  o.max_bits = (data[0] & 4) ? 100 : 0;
  const auto path = physec::fuzz::scratch_file(data + 1, size - 1, f == bit_format::hdf5 ? ".h5" : ".bits");
  try {
    (void)physec::randomness::read_bits(path, f, o);
  } catch (const physec::error&) {
  }
  return 0;
}
