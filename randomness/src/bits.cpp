#include "physec/randomness/bits.hpp"

#include <cctype>
#include <string>

#include "physec/core/error.hpp"

namespace physec::randomness {

bit_view bit_view::sub(std::size_t offset, std::size_t count) const {
  if (offset > size || count > size - offset)
    throw error("bit range out of the sequence", {"", "bits", offset}, "offset + count <= " + std::to_string(size),
                std::to_string(offset) + " + " + std::to_string(count));
  return {data + offset, count};
}

std::vector<std::uint8_t> bits_from_string(std::string_view text) {
  std::vector<std::uint8_t> bits;
  bits.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '0' || c == '1')
      bits.push_back(static_cast<std::uint8_t>(c - '0'));
    else if (!std::isspace(static_cast<unsigned char>(c)))
      throw error("not a bit character", {"", "text", i}, "'0', '1' or whitespace", std::string("'") + c + "'");
  }
  return bits;
}

void check_bits(bit_view bits, std::string_view test) {
  for (std::size_t i = 0; i < bits.size; ++i)
    if (bits.data[i] > 1)
      throw error("bit value is not 0 or 1", {"", std::string(test), i}, "0 or 1", std::to_string(bits.data[i]));
}

}  // namespace physec::randomness
