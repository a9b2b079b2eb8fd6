#pragma once
/// @file Bit sequences for the NIST SP 800-22 tests: one byte per bit (values 0 or 1), in the order the bits were
/// produced. A byte per bit costs 8x the memory of packing but keeps every test a tight loop over bytes, and the
/// 1-Mbit sequences of SP 800-22 §4 fit in 1 MiB.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace physec::randomness {

/// A read-only view of a bit sequence ε = ε_1 … ε_n, one byte per bit, each 0 or 1 (shape [n]).
struct bit_view {
  const std::uint8_t* data = nullptr;  ///< first bit
  std::size_t size = 0;                ///< n, the number of bits

  bit_view() = default;
  /// A view of `nof_bits` bits starting at `first`.
  bit_view(const std::uint8_t* first, std::size_t nof_bits) : data(first), size(nof_bits) {}
  /// A view of a whole vector of bits.
  bit_view(const std::vector<std::uint8_t>& bits) : data(bits.data()), size(bits.size()) {}  // NOLINT implicit

  /// Bit i (0-based), 0 or 1.
  std::uint8_t operator[](std::size_t i) const { return data[i]; }
  /// The bits [offset, offset + count); throws physec::error when out of range.
  bit_view sub(std::size_t offset, std::size_t count) const;
};

/// Parses '0'/'1' characters into bits, ignoring whitespace; throws physec::error (with the character index) on
/// any other character. Used for the SP 800-22 worked examples and for ASCII bit files.
std::vector<std::uint8_t> bits_from_string(std::string_view text);

/// Throws physec::error naming the index of the first element that is neither 0 nor 1; `test` names the caller.
void check_bits(bit_view bits, std::string_view test);

}  // namespace physec::randomness
