#include "physec/randomness/read_bits.hpp"

#include <algorithm>
#include <cctype>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/randomness/bits.hpp"

namespace physec::randomness {
namespace {

bool is_ascii_bits(const std::string& bytes) {
  return std::all_of(bytes.begin(), bytes.end(),
                     [](char c) { return c == '0' || c == '1' || std::isspace(static_cast<unsigned char>(c)); });
}

void truncate(std::vector<std::uint8_t>& bits, std::size_t max_bits) {
  if (max_bits && bits.size() > max_bits) bits.resize(max_bits);
}

/// Largest bit file read whole: 256 MiB holds SP 800-22's largest usual run (1,000 sequences of 10^6 bits =
/// 125 MB binary) twice over; bits are held one per byte, so a binary file costs 8x its size in memory.
constexpr std::uintmax_t k_max_bit_file_bytes = std::uintmax_t{256} << 20;

void require_bits(const bit_file& f, const std::filesystem::path& path, const std::string& field) {
  if (f.bits.empty())
    throw error("no bits in the file", {path.string(), field, {}}, "at least one bit",
                f.format == bit_format::hdf5 ? "an empty dataset" : "an empty file");
}

}  // namespace

bit_format parse_bit_format(std::string_view name) {
  if (name == "binary") return bit_format::binary;
  if (name == "ascii") return bit_format::ascii;
  if (name == "hdf5") return bit_format::hdf5;
  if (name == "auto") return bit_format::automatic;
  throw error("unknown bit file format", {"", "format", std::nullopt}, "binary, ascii, hdf5 or auto",
              std::string(name));
}

bit_file read_bits(const std::filesystem::path& path, bit_format format, const read_bits_options& options) {
  bit_file out;
  const bool automatic = format == bit_format::automatic;
  if (automatic) {
    const std::string ext = path.extension().string();
    if (ext == ".h5" || ext == ".hdf5") format = bit_format::hdf5;
  }
  if (format == bit_format::hdf5) {
    const h5::reader reader(path);
    const auto a = reader.read<std::uint8_t>(options.dataset);
    out.bits = a.data;
    for (std::size_t i = 0; i < out.bits.size(); ++i)
      if (out.bits[i] > 1)
        throw error("bit value is not 0 or 1", {path.string(), options.dataset, i}, "0 or 1",
                    std::to_string(out.bits[i]));
    if (a.shape.size() == 2) out.row_length = a.shape[1];
    out.format = bit_format::hdf5;
    truncate(out.bits, options.max_bits);
    require_bits(out, path, options.dataset);
    return out;
  }
  const std::string bytes = read_file(path, k_max_bit_file_bytes);
  if (format == bit_format::ascii || (automatic && !bytes.empty() && is_ascii_bits(bytes))) {
    try {
      out.bits = bits_from_string(bytes);
    } catch (const error& e) {
      throw e.with_file(path.string());
    }
    out.format = bit_format::ascii;
  } else {
    out.bits.resize(bytes.size() * 8);
    for (std::size_t i = 0; i < bytes.size(); ++i)
      for (std::size_t j = 0; j < 8; ++j)
        out.bits[8 * i + j] = static_cast<std::uint8_t>((static_cast<unsigned char>(bytes[i]) >> (7 - j)) & 1u);
    out.format = bit_format::binary;
  }
  truncate(out.bits, options.max_bits);
  require_bits(out, path, "");
  return out;
}

}  // namespace physec::randomness
