#pragma once
/// @file Reading bit sequences for the SP 800-22 tests from files: raw binary (8 bits per byte, most significant bit
/// first, as the reference suite reads binary input), ASCII '0'/'1' text (whitespace ignored, as the reference
/// suite's ASCII input), or an HDF5 dataset of uint8 bits (a physec key set, shape [nof_keys, key_length]).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace physec::randomness {

/// How the bits are stored in a file.
enum class bit_format {
  binary,     ///< 8 bits per byte, MSB first
  ascii,      ///< characters '0' and '1'; whitespace ignored; anything else is an error
  hdf5,       ///< a uint8 dataset whose elements are 0 or 1, read in row-major order
  automatic,  ///< hdf5 for .h5/.hdf5, ascii when every byte is '0', '1' or whitespace, else binary
};

/// "binary", "ascii", "hdf5" or "auto"; throws physec::error naming the accepted values otherwise.
bit_format parse_bit_format(std::string_view name);

/// Options of read_bits().
struct read_bits_options {
  std::string dataset = "/keys";  ///< HDF5 dataset path
  std::size_t max_bits = 0;       ///< stop after this many bits; 0 reads all [bits]
};

/// Bits read from a file.
struct bit_file {
  std::vector<std::uint8_t> bits;          ///< one byte per bit, 0 or 1 [nof_bits]
  std::size_t row_length = 0;              ///< for a 2-D HDF5 dataset [nof_rows, row_length]: bits per row; else 0
  bit_format format = bit_format::binary;  ///< the format actually read (resolved when automatic)
};

/// Reads a bit sequence; throws physec::error (one line, naming the file, dataset and index) on a missing file,
/// a non-bit character, an HDF5 dataset of another type, or an element that is not 0 or 1.
bit_file read_bits(const std::filesystem::path& path, bit_format format, const read_bits_options& options = {});

}  // namespace physec::randomness
