#include "physec/core/hdf5.hpp"

#include <H5Cpp.h>

#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <mutex>
#include <set>
#include <thread>
#include <tuple>
#include <cstdint>
#include <cstdlib>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <cstring>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/strings.hpp"

namespace physec::h5 {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t k_compress_above_bytes = std::size_t{1} << 20;
constexpr std::size_t k_row_chunk_min_bytes = std::size_t{1} << 10;      // rows this large: one row a chunk
constexpr std::size_t k_small_rows_chunk_bytes = std::size_t{64} << 10;  // smaller rows: ~64 KiB a chunk

std::size_t element_size(dtype t) {
  switch (t) {
    case dtype::float32: case dtype::int32: return 4;
    case dtype::float64: case dtype::int64: case dtype::uint64: case dtype::complex64: return 8;
    case dtype::uint8: return 1;
    case dtype::complex128: return 16;
  }
  return 0;
}

/// The in-memory (and on-file) HDF5 type of a dtype.
H5::DataType make_type(dtype t) {
  switch (t) {
    case dtype::float32: return H5::PredType::NATIVE_FLOAT;
    case dtype::float64: return H5::PredType::NATIVE_DOUBLE;
    case dtype::int32: return H5::PredType::NATIVE_INT32;
    case dtype::int64: return H5::PredType::NATIVE_INT64;
    case dtype::uint8: return H5::PredType::NATIVE_UINT8;
    case dtype::uint64: return H5::PredType::NATIVE_UINT64;
    case dtype::complex64: {
      H5::CompType c(std::size_t{8});
      c.insertMember("r", 0, H5::PredType::NATIVE_FLOAT);
      c.insertMember("i", 4, H5::PredType::NATIVE_FLOAT);
      return c;
    }
    case dtype::complex128: {
      H5::CompType c(std::size_t{16});
      c.insertMember("r", 0, H5::PredType::NATIVE_DOUBLE);
      c.insertMember("i", 8, H5::PredType::NATIVE_DOUBLE);
      return c;
    }
  }
  throw error("unknown dtype");
}

std::optional<dtype> classify_type(const H5::DataType& t, std::string& description);

/// Classifies a file's datatype as one of ours, or describes what it is. A datatype libhdf5 cannot decode (a
/// damaged file: found by fuzz_bits) is none of ours.
std::optional<dtype> classify(const H5::DataType& t, std::string& description) {
  try {
    return classify_type(t, description);
  } catch (const H5::Exception&) {
    description = "a damaged datatype";
    return std::nullopt;
  }
}

std::optional<dtype> classify_type(const H5::DataType& t, std::string& description) {
  const H5T_class_t cls = t.getClass();
  const std::size_t size = t.getSize();
  if (cls == H5T_FLOAT) {
    description = "float" + std::to_string(size * 8);
    if (size == 4) return dtype::float32;
    if (size == 8) return dtype::float64;
    return std::nullopt;
  }
  if (cls == H5T_INTEGER) {
    const H5::IntType it(t.getId());
    const bool is_signed = it.getSign() != H5T_SGN_NONE;
    description = std::string(is_signed ? "int" : "uint") + std::to_string(size * 8);
    if (is_signed && size == 4) return dtype::int32;
    if (is_signed && size == 8) return dtype::int64;
    if (!is_signed && size == 1) return dtype::uint8;
    if (!is_signed && size == 8) return dtype::uint64;
    return std::nullopt;
  }
  if (cls == H5T_COMPOUND) {
    const H5::CompType ct(t.getId());
    std::vector<std::string> names;
    for (int i = 0; i < ct.getNmembers(); ++i) names.push_back(ct.getMemberName(static_cast<unsigned>(i)));
    description = "compound {" + join(names, ",") + "}";
    if (ct.getNmembers() == 2 && names[0] == "r" && names[1] == "i" && ct.getMemberClass(0) == H5T_FLOAT &&
        ct.getMemberClass(1) == H5T_FLOAT) {
      const std::size_t s0 = ct.getMemberFloatType(0).getSize();
      const std::size_t s1 = ct.getMemberFloatType(1).getSize();
      if (s0 == 4 && s1 == 4) {
        description = "complex64 {r,i}";
        return dtype::complex64;
      }
      if (s0 == 8 && s1 == 8) {
        description = "complex128 {r,i}";
        return dtype::complex128;
      }
    }
    return std::nullopt;
  }
  if (cls == H5T_STRING) description = "string";
  else description = "HDF5 type class " + std::to_string(static_cast<int>(cls));
  return std::nullopt;
}

void disable_times(hid_t plist) { H5Pset_obj_track_times(plist, 0); }

/// The file's bytes, for the checks below that libhdf5 1.10 does not make. Addresses are relative to the base
/// address (after the user block); reads past the end fail.
class file_bytes {
 public:
  file_bytes(const fs::path& path, hid_t file) : f_(path, std::ios::binary) {
    hid_t fcpl = H5Fget_create_plist(file);
    std::size_t sizeof_addr = 0, sizeof_size = 0;
    H5Pget_sizes(fcpl, &sizeof_addr, &sizeof_size);
    H5Pget_userblock(fcpl, &base_);
    H5Pclose(fcpl);
    std::error_code ec;
    size_ = fs::file_size(path, ec);
    ok_ = f_ && !ec && sizeof_addr == 8 && sizeof_size == 8;
  }
  /// Addresses and lengths of 8 bytes (what h5py, MATLAB and physec write); otherwise the checks are left to HDF5.
  bool usable() const { return ok_; }
  bool read(std::uint64_t at, std::size_t len, std::vector<unsigned char>& buf) {
    if (at > size_ || base_ > size_ - at || len > size_ - at - base_) return false;
    buf.resize(len);
    f_.seekg(static_cast<std::streamoff>(base_ + at));
    return static_cast<bool>(f_.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(len)));
  }
  static std::uint64_t le(const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  }

 private:
  std::ifstream f_;
  hsize_t base_ = 0;
  std::uintmax_t size_ = 0;
  bool ok_ = false;
};

/// libhdf5 1.10 dereferences a variable-length string's global-heap object index without a bound check: one
/// damaged byte in a file makes it read out of bounds, loop or crash (H5HG_read). Before HDF5 reads such strings we
/// check their references ourselves, from the file's bytes (HDF5 File Format Specification v3, §III.E "Global Heap"
/// and §IV.A.2.j "Variable-length" datatype storage: a 4-byte length, then the collection's address and a 4-byte
/// object index). `records`: n references of 16 bytes. Returns a description of the first bad one, or "".
std::string check_vlen_records(file_bytes& fb, const std::vector<unsigned char>& records, hsize_t n) {
  const auto get = &file_bytes::le;
  std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> collections;  // address -> index -> size
  std::vector<unsigned char> col;
  for (hsize_t i = 0; i < n; ++i) {
    const unsigned char* r = records.data() + 16 * i;
    const std::uint64_t len = get(r, 4), addr = get(r + 4, 8), idx = get(r + 12, 4);
    if (addr == 0 && idx == 0 && len == 0) continue;  // an empty (null) string
    auto it = collections.find(addr);
    if (it == collections.end()) {
      std::map<std::uint64_t, std::uint64_t> objects;
      std::vector<unsigned char> head;
      if (!fb.read(addr, 16, head) || std::memcmp(head.data(), "GCOL", 4) != 0 || head[4] != 1)
        return "string " + std::to_string(i) + " points to no global heap collection";
      const std::uint64_t size = get(head.data() + 8, 8);
      if (size < 16 || !fb.read(addr, static_cast<std::size_t>(std::min<std::uint64_t>(size, 1u << 30)), col))
        return "string " + std::to_string(i) + ": global heap collection of a bad size";
      // Walk the collection as libhdf5 does (H5HG__cache_heap_deserialize): object i > 0 takes a 16-byte header and
      // its size rounded up to 8; the free-space object 0 takes its size, header included. A free-space size under
      // 16 makes libhdf5 loop forever (size 0) or read a header inside another; an object past the end, read beyond.
      for (std::uint64_t pos = 16; pos + 16 <= col.size();) {
        const std::uint64_t oid = get(col.data() + pos, 2), osize = get(col.data() + pos + 8, 8);
        const std::uint64_t left = col.size() - pos;
        if (oid == 0 ? (osize < 16 || osize > left) : (osize > left - 16 || ((osize + 7) / 8) * 8 > left - 16))
          return "string " + std::to_string(i) + ": global heap object " + std::to_string(oid) + " has a bad size";
        if (oid != 0) objects[oid] = osize;
        pos += oid == 0 ? osize : 16 + ((osize + 7) / 8) * 8;
      }
      it = collections.emplace(addr, std::move(objects)).first;
    }
    const auto obj = it->second.find(idx);
    if (obj == it->second.end() || obj->second < len)
      return "string " + std::to_string(i) + " refers to a missing global heap object (index " + std::to_string(idx) +
             ")";
  }
  return {};
}

/// The references of a variable-length string dataset of n elements, when its data are contiguous.
std::string check_vlen_references(const fs::path& path, hid_t file, hid_t dset, hsize_t n) {
  const haddr_t offset = H5Dget_offset(dset);
  if (offset == HADDR_UNDEF || n == 0) return {};
  file_bytes fb(path, file);
  if (!fb.usable()) return {};
  std::vector<unsigned char> records;
  if (n > (std::uint64_t{1} << 32) || !fb.read(offset, static_cast<std::size_t>(n) * 16, records))
    return "string references lie beyond the end of the file";
  return check_vlen_records(fb, records, n);
}

/// The stored value of attribute `name` (n_bytes) in the object header at `header`: object header v1 or v2 with its
/// continuation blocks, attribute message v1-v3 (Format Specification v3, §IV.A.1.a/b, §IV.A.2.m, §IV.A.2.q).
/// Nothing when it is not found there (dense or shared attribute storage): HDF5 then reads it unchecked.
std::optional<std::vector<unsigned char>> attribute_value_bytes(file_bytes& fb, std::uint64_t header,
                                                                const std::string& name, std::size_t n_bytes) {
  const auto le = &file_bytes::le;
  std::vector<unsigned char> b;
  if (!fb.read(header, 16, b)) return std::nullopt;
  const bool v2 = std::memcmp(b.data(), "OHDR", 4) == 0;
  if (!v2 && b[0] != 1) return std::nullopt;
  std::size_t tracked_order = 0;  // v2: 2 more bytes per message header when creation order is tracked
  std::vector<std::pair<std::uint64_t, std::uint64_t>> blocks;  // (address, length) of message blocks
  if (v2) {
    if (!fb.read(header, 40, b) || b[4] != 2) return std::nullopt;
    const unsigned flags = b[5];
    std::size_t pos = 6 + ((flags & 0x20) ? 16 : 0) + ((flags & 0x10) ? 4 : 0);
    const int width = 1 << (flags & 3);
    tracked_order = (flags & 0x04) ? 2 : 0;
    blocks.emplace_back(header + pos + static_cast<std::size_t>(width), le(b.data() + pos, width));
  } else {
    blocks.emplace_back(header + 16, le(b.data() + 8, 4));
  }
  const std::size_t msg_header = v2 ? 4 + tracked_order : 8;
  for (std::size_t k = 0; k < blocks.size() && k < 64; ++k) {
    auto [at, len] = blocks[k];
    if (len > (1u << 24) || !fb.read(at, static_cast<std::size_t>(len), b)) return std::nullopt;
    std::size_t pos = 0, end = b.size();
    if (v2 && k > 0) {  // a continuation block: "OCHK", messages, checksum
      if (end < 8 || std::memcmp(b.data(), "OCHK", 4) != 0) return std::nullopt;
      pos = 4;
      end -= 4;
    } else if (v2) {
      end = end >= 4 ? end - 4 : 0;  // chunk 0's checksum follows its messages
    }
    while (pos + msg_header <= end) {
      const std::uint64_t type = v2 ? b[pos] : le(b.data() + pos, 2);
      const std::uint64_t size = v2 ? le(b.data() + pos + 1, 2) : le(b.data() + pos + 2, 2);
      const unsigned mflags = v2 ? b[pos + 3] : b[pos + 4];
      const std::size_t data = pos + msg_header;
      if (size > end - data) return std::nullopt;
      const unsigned char* d = b.data() + data;
      if (type == 0x10 && size >= 16) blocks.emplace_back(le(d, 8), le(d + 8, 8));
      if (type == 0x0c && !(mflags & 0x02) && size >= 8) {  // an attribute, not shared
        const unsigned version = d[0];
        const std::size_t name_size = le(d + 2, 2), type_size = le(d + 4, 2), space_size = le(d + 6, 2);
        const auto pad = [&](std::size_t x) { return version == 1 ? (x + 7) / 8 * 8 : x; };
        const std::size_t name_at = version == 3 ? 9 : 8;
        const std::size_t value_at = name_at + pad(name_size) + pad(type_size) + pad(space_size);
        if (version >= 1 && version <= 3 && name_size >= 1 && name_at + name_size <= size &&
            name_size - 1 == name.size() && std::memcmp(d + name_at, name.data(), name.size()) == 0) {
          if (value_at > size || n_bytes > size - value_at) return std::nullopt;
          return std::vector<unsigned char>(d + value_at, d + value_at + n_bytes);
        }
      }
      pos = data + size;
    }
  }
  return std::nullopt;
}

/// The references of a variable-length string attribute of n elements (libhdf5 reads them as unchecked as a
/// dataset's: found by fuzz_wiretap and fuzz_mobility).
std::string check_vlen_attribute(const fs::path& path, hid_t file, const std::string& object, const std::string& name,
                                 hsize_t n) {
#if H5_VERSION_GE(1, 12, 0)
  (void)path, (void)file, (void)object, (void)name, (void)n;
  return {};  // object addresses are tokens from 1.12 on; the check is made for Debian 12's libhdf5 1.10
#else
  H5O_info_t info{};
  if (n == 0 || n > (1u << 20) || H5Oget_info_by_name2(file, object.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT) < 0)
    return {};
  file_bytes fb(path, file);
  if (!fb.usable()) return {};
  const auto records = attribute_value_bytes(fb, info.addr, name, static_cast<std::size_t>(n) * 16);
  return records ? check_vlen_records(fb, *records, n) : std::string{};
#endif
}

std::string fmt_bytes(long double bytes) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%.3Lg bytes", bytes);
  return buf;
}

std::string parent_of(const std::string& path) {
  const auto slash = path.rfind('/');
  if (slash == std::string::npos || slash == 0) return "/";
  return path.substr(0, slash);
}

/// Silences HDF5's own error printing once per process: we report errors ourselves, in one line.
struct quiet_hdf5 {
  quiet_hdf5() { H5::Exception::dontPrint(); }
};
void silence() { static quiet_hdf5 q; }

}  // namespace

std::string dtype_name(dtype t) {
  switch (t) {
    case dtype::float32: return "float32";
    case dtype::float64: return "float64";
    case dtype::int32: return "int32";
    case dtype::int64: return "int64";
    case dtype::uint8: return "uint8";
    case dtype::uint64: return "uint64";
    case dtype::complex64: return "complex64 {r,i}";
    case dtype::complex128: return "complex128 {r,i}";
  }
  return "?";
}

std::string expected_shape_string(const std::vector<std::optional<std::size_t>>& expected) {
  std::vector<std::string> parts;
  for (const auto& e : expected) parts.push_back(e ? std::to_string(*e) : "?");
  return "[" + join(parts, ", ") + "]";
}

// ------------------------------------------------------------------------------------------------ writer

struct writer::impl {
  atomic_file out;
  // The C API, not H5::H5File/H5::DataSet: their destructors print to stderr (and, on a full disk, crashed in
  // H5File::~H5File) when a close fails, while we report one line ourselves.
  hid_t file = -1;
  bool closed = false;
  bool failed = false;  // a write failed: HDF5 holds the file in a state where closing it again crashes at exit
  explicit impl(const fs::path& p) : out(p) {
    silence();
    file = H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    if (file < 0)
      throw error("cannot create HDF5 file" + disk_full_reason(out.temp_path()), {out.final_path().string(), "", {}});
  }
  ~impl() {
    if (!closed && file >= 0 && !failed) H5Fclose(file);  // best effort: the temporary is removed by `out`
  }
  impl(const impl&) = delete;
  impl& operator=(const impl&) = delete;
  error fail(const std::string& object, const std::string& what, const H5::Exception& e) const {
    return error(what + ": " + e.getDetailMsg() + disk_full_reason(out.temp_path()), {out.final_path().string(), object, {}});
  }
  error fail(const std::string& object, const std::string& what) {
    failed = true;
    return error(what + disk_full_reason(out.temp_path()), {out.final_path().string(), object, {}});
  }
  /// Creates `dataset` and writes `data` (nullptr: leave it empty), closing it on every path.
  void create_and_write(const std::string& dataset, hid_t type, hid_t space, hid_t dcpl, const void* data) {
    const hid_t ds = H5Dcreate2(file, dataset.c_str(), type, space, H5P_DEFAULT, dcpl, H5P_DEFAULT);
    if (ds < 0) throw fail(dataset, "cannot create dataset");
    const herr_t st = data ? H5Dwrite(ds, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) : 0;
    const herr_t cl = H5Dclose(ds);
    if (st < 0 || cl < 0) throw fail(dataset, "cannot write dataset");
  }
  void ensure_group(const std::string& path) {
    if (path == "/" || path.empty()) return;
    ensure_group(parent_of(path));
    if (H5Lexists(file, path.c_str(), H5P_DEFAULT) > 0) return;
    hid_t gcpl = H5Pcreate(H5P_GROUP_CREATE);  // mirror of the dataset setting: no timestamps
    disable_times(gcpl);
    hid_t g = H5Gcreate2(file, path.c_str(), H5P_DEFAULT, gcpl, H5P_DEFAULT);
    H5Pclose(gcpl);
    if (g < 0) throw error("cannot create group", {out.final_path().string(), path, {}});
    H5Gclose(g);
  }
  void put_attribute(const std::string& object, const std::string& name, const H5::DataType& type,
                     const H5::DataSpace& space, const void* data) {
    if (object != "/" && H5Lexists(file, object.c_str(), H5P_DEFAULT) <= 0) ensure_group(object);
    hid_t obj = H5Oopen(file, object.c_str(), H5P_DEFAULT);
    if (obj < 0) throw error("cannot open object for attribute", {out.final_path().string(), object, {}});
    if (H5Aexists(obj, name.c_str()) > 0) H5Adelete(obj, name.c_str());
    hid_t a = H5Acreate2(obj, name.c_str(), type.getId(), space.getId(), H5P_DEFAULT, H5P_DEFAULT);
    herr_t st = a < 0 ? -1 : H5Awrite(a, type.getId(), data);
    if (a >= 0) H5Aclose(a);
    H5Oclose(obj);
    if (st < 0) throw error("cannot write attribute `" + name + "`", {out.final_path().string(), object, {}});
  }
};

writer::writer(const fs::path& path) {
  try {
    p_ = std::make_unique<impl>(path);
  } catch (const H5::Exception& e) {
    throw error("cannot create HDF5 file: " + e.getDetailMsg(), {path.string(), "", {}});
  }
}

writer::~writer() = default;  // impl closes the file; its atomic_file removes the unfinished temporary

const fs::path& writer::path() const { return p_->out.final_path(); }

void writer::group(const std::string& path) {
  try {
    p_->ensure_group(path);
  } catch (const H5::Exception& e) {
    throw p_->fail(path, "cannot create group", e);
  }
}

namespace {

/// The creation properties of a dataset of `shape`: no timestamps; above 1 MiB chunked along the first axis (one row a
/// chunk for rows of 1 KiB or more: a reader of one row inflates only that row; ~64 KiB of small rows otherwise),
/// byte-shuffled and deflated.
H5::DSetCreatPropList creation_properties(dtype t, const shape_t& shape) {
  H5::DSetCreatPropList dcpl;
  disable_times(dcpl.getId());
  const std::size_t bytes = shape_size(shape) * element_size(t);
  if (!shape.empty() && bytes > k_compress_above_bytes && shape_size(shape) > 0) {
    std::vector<hsize_t> chunk(shape.begin(), shape.end());
    const std::size_t row_bytes = std::max<std::size_t>(1, bytes / std::max<std::size_t>(1, shape[0]));
    chunk[0] = row_bytes >= k_row_chunk_min_bytes
                   ? 1
                   : std::clamp<hsize_t>(k_small_rows_chunk_bytes / row_bytes, 1, shape[0]);
    for (std::size_t k = 1; k < chunk.size(); ++k) chunk[k] = std::max<hsize_t>(1, chunk[k]);
    dcpl.setChunk(static_cast<int>(chunk.size()), chunk.data());
    dcpl.setShuffle();  // byte shuffle first: floats compress far better, and level 1 is ~5x faster than 4
    dcpl.setDeflate(1);
  }
  return dcpl;
}

H5::DataSpace data_space(const shape_t& shape) {
  std::vector<hsize_t> dims(shape.begin(), shape.end());
  return shape.empty() ? H5::DataSpace(H5S_SCALAR) : H5::DataSpace(static_cast<int>(dims.size()), dims.data());
}

}  // namespace

void writer::write_raw(const std::string& dataset, dtype t, const shape_t& shape, const void* data) {
  if (dataset.empty() || dataset[0] != '/')
    throw error("dataset path must be absolute", {p_->out.final_path().string(), dataset, {}}, "/name", dataset);
  try {
    p_->ensure_group(parent_of(dataset));
    const H5::DataSpace space = data_space(shape);
    const H5::DSetCreatPropList dcpl = creation_properties(t, shape);
    const H5::DataType type = make_type(t);
    p_->create_and_write(dataset, type.getId(), space.getId(), dcpl.getId(), shape_size(shape) > 0 ? data : nullptr);
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot write dataset", e);
  }
}

void writer::create_raw(const std::string& dataset, dtype t, const shape_t& shape) {
  write_raw(dataset, t, shape, nullptr);  // created, nothing written: write_rows() fills it
}

void writer::write_rows_raw(const std::string& dataset, dtype t, std::size_t first_row, std::size_t nof_rows,
                            const void* data) {
  const hid_t ds = H5Dopen2(p_->file, dataset.c_str(), H5P_DEFAULT);
  if (ds < 0) throw p_->fail(dataset, "cannot open dataset to write rows");
  const hid_t file_space = H5Dget_space(ds);
  const int rank = H5Sget_simple_extent_ndims(file_space);
  std::vector<hsize_t> dims(static_cast<std::size_t>(std::max(rank, 0)));
  if (rank > 0) H5Sget_simple_extent_dims(file_space, dims.data(), nullptr);
  herr_t st = -1;
  if (rank > 0 && first_row + nof_rows <= dims[0]) {
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    start[0] = first_row;
    count[0] = nof_rows;
    const hid_t mem_space = H5Screate_simple(rank, count.data(), nullptr);
    st = H5Sselect_hyperslab(file_space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr);
    const H5::DataType type = make_type(t);
    if (st >= 0 && nof_rows > 0) st = H5Dwrite(ds, type.getId(), mem_space, file_space, H5P_DEFAULT, data);
    H5Sclose(mem_space);
  }
  H5Sclose(file_space);
  const herr_t cl = H5Dclose(ds);
  if (rank > 0 && first_row + nof_rows > dims[0])
    throw error("rows beyond the dataset", {p_->out.final_path().string(), dataset, first_row + nof_rows},
                "at most " + std::to_string(dims[0]) + " rows", std::to_string(first_row + nof_rows));
  if (st < 0 || cl < 0) throw p_->fail(dataset, "cannot write rows");
}

void writer::write_strings(const std::string& dataset, const std::vector<std::string>& values) {
  try {
    p_->ensure_group(parent_of(dataset));
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5T_CSET_UTF8);
    hsize_t n = values.size();
    H5::DataSpace space(1, &n);
    H5::DSetCreatPropList dcpl;
    disable_times(dcpl.getId());
    std::vector<const char*> ptrs;
    for (const auto& v : values) ptrs.push_back(v.c_str());
    p_->create_and_write(dataset, st.getId(), space.getId(), dcpl.getId(), n > 0 ? ptrs.data() : nullptr);
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot write strings", e);
  }
}

void writer::attribute(const std::string& object, const std::string& name, const std::string& value) {
  try {
    H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
    st.setCset(H5T_CSET_UTF8);
    const char* ptr = value.c_str();
    p_->put_attribute(object, name, st, H5::DataSpace(H5S_SCALAR), &ptr);
  } catch (const H5::Exception& e) {
    throw p_->fail(object, "cannot write attribute `" + name + "`", e);
  }
}

void writer::attribute(const std::string& object, const std::string& name, double value) {
  p_->put_attribute(object, name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(H5S_SCALAR), &value);
}

void writer::attribute(const std::string& object, const std::string& name, std::int64_t value) {
  p_->put_attribute(object, name, H5::PredType::NATIVE_INT64, H5::DataSpace(H5S_SCALAR), &value);
}

void writer::attribute(const std::string& object, const std::string& name, const std::vector<double>& value) {
  hsize_t n = value.size();
  p_->put_attribute(object, name, H5::PredType::NATIVE_DOUBLE, H5::DataSpace(1, &n), value.data());
}

void writer::commit() {
  if (p_->closed) return;
  const herr_t flushed = H5Fflush(p_->file, H5F_SCOPE_GLOBAL);
  const herr_t closed = H5Fclose(p_->file);
  p_->closed = true;  // the id is gone even when closing failed: never close it twice
  if (flushed < 0 || closed < 0) throw p_->fail("", "cannot finish HDF5 file");
  p_->out.commit();
}

// ------------------------------------------------------------------------------------------------ reader

struct reader::impl {
  fs::path path;
  H5::H5File file;
  error fail(const std::string& object, const std::string& what, const std::string& expected = {},
             const std::string& found = {}) const {
    return error(what, {path.string(), object, {}}, expected, found);
  }
  H5::DataSet open(const std::string& dataset) const {
    if (H5Lexists(file.getId(), dataset.c_str(), H5P_DEFAULT) <= 0 ||
        H5Oexists_by_name(file.getId(), dataset.c_str(), H5P_DEFAULT) <= 0)
      throw fail(dataset, "missing dataset", "a dataset at this path", "nothing");
    H5O_info_t info{};
    // A damaged object header fails here (found by fuzz_bits): then `info` holds nothing to trust.
#if H5_VERSION_GE(1, 12, 0)
    const herr_t status = H5Oget_info_by_name3(file.getId(), dataset.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
#else
    const herr_t status = H5Oget_info_by_name2(file.getId(), dataset.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
#endif
    if (status < 0) throw fail(dataset, "damaged object header", "a readable dataset", "an unreadable object");
    if (info.type != H5O_TYPE_DATASET)
      throw fail(dataset, "not a dataset", "a dataset", info.type == H5O_TYPE_GROUP ? "a group" : "another object");
    try {
      return file.openDataSet(dataset);
    } catch (const H5::Exception& e) {
      throw fail(dataset, "cannot open dataset: " + e.getDetailMsg());
    }
  }
};

// ---------------------------------------------------------------------------- vetting untrusted files in a child

namespace {

bool g_vetting_child = false;  // set in the forked child: its own readers do not vet again
/// What the child reads of datasets in full (the rest: their first and last rows). Small, because every command that
/// opens a file pays for it once more: for the 251 MB default dataset, its labels in full and two probes of each CSI
/// array, not the whole file.
constexpr std::size_t k_vet_budget_bytes = std::size_t{32} << 20;

extern "C" herr_t collect_attribute(hid_t, const char* name, const H5A_info_t*, void* names) {
  static_cast<std::vector<std::string>*>(names)->push_back(name);
  return 0;
}

#if H5_VERSION_GE(1, 12, 0)
extern "C" herr_t collect_object(hid_t, const char* name, const H5O_info2_t* info, void* objects) {
#else
extern "C" herr_t collect_object(hid_t, const char* name, const H5O_info_t* info, void* objects) {
#endif
  auto& o = *static_cast<std::vector<std::pair<std::string, bool>>*>(objects);
  if (std::strcmp(name, ".") != 0 && o.size() < 100000) o.emplace_back("/" + std::string(name), info->type == H5O_TYPE_DATASET);
  return 0;
}

/// In the child: everything a physec reader can be asked to read of the file, through the same code (datasets in
/// full up to a memory budget, then their first and last rows; every attribute). Errors are fine (the parent will
/// raise them itself); only a crash or a hang matters.
void read_everything(const fs::path& path) {
  const reader r(path);
  const hid_t file = H5Fopen(path.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (file < 0) return;
  std::vector<std::pair<std::string, bool>> objects{{"", false}};  // the root, even when the walk fails
#if H5_VERSION_GE(1, 12, 0)
  H5Ovisit3(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_object, &objects, H5O_INFO_BASIC);
#else
  H5Ovisit2(file, H5_INDEX_NAME, H5_ITER_NATIVE, collect_object, &objects, H5O_INFO_BASIC);
#endif
  std::size_t budget = k_vet_budget_bytes;
  for (const auto& [name, is_dataset] : objects) {
    const std::string object = name.empty() ? "/" : name;
    std::vector<std::string> attributes;
    H5Aiterate_by_name(file, object.c_str(), H5_INDEX_NAME, H5_ITER_NATIVE, nullptr, collect_attribute, &attributes,
                       H5P_DEFAULT);
    for (const auto& a : attributes) try {
        (void)r.attribute(object, a);
      } catch (const error&) {
      }
    if (!is_dataset) continue;
    try {
      const shape_t shape = r.shape(object);
      dtype t;
      try {
        t = r.type(object);
      } catch (const error&) {
        (void)r.read_strings(object);
        continue;
      }
      const std::size_t bytes = shape_size(shape) * make_type(t).getSize();
      const bool whole = bytes <= budget || shape.empty();
      if (whole) budget -= std::min(budget, bytes);
      const std::vector<std::size_t> rows{0, shape.empty() || shape[0] == 0 ? 0 : shape[0] - 1};
      const auto visit = [&](auto tag) {
        using T = decltype(tag);
        if (whole)
          (void)r.read<T>(object);
        else
          (void)r.read_rows<T>(object, rows);
      };
      switch (t) {
        case dtype::float32: visit(float{}); break;
        case dtype::float64: visit(double{}); break;
        case dtype::int32: visit(std::int32_t{}); break;
        case dtype::int64: visit(std::int64_t{}); break;
        case dtype::uint8: visit(std::uint8_t{}); break;
        case dtype::uint64: visit(std::uint64_t{}); break;
        case dtype::complex64: visit(std::complex<float>{}); break;
        case dtype::complex128: visit(std::complex<double>{}); break;
      }
    } catch (const error&) {
    }
  }
  H5Fclose(file);
}

/// libhdf5 1.10 crashes or hangs on some damaged files (the fuzz targets found out-of-bounds reads in global heap
/// and datatype-conversion code, endless loops in the global heap parser): checks of the file's bytes (above) catch
/// the ones we know; for the rest, a forked child does the reading first (`in_child`), and a child that dies or
/// hangs makes the file refused in one line. Once per file version, and `what`, per process (streaming readers open
/// the file per batch).
void vet(const fs::path& path, const std::string& what, const std::function<void()>& in_child) {
  struct stat st {};
  if (g_vetting_child || ::stat(path.c_str(), &st) != 0) return;
  static std::mutex m;
  static std::set<std::tuple<dev_t, ino_t, off_t, std::int64_t, long, std::string>> vetted;
  const auto key = std::make_tuple(st.st_dev, st.st_ino, st.st_size, static_cast<std::int64_t>(st.st_mtim.tv_sec),
                                   st.st_mtim.tv_nsec, what);
  std::lock_guard<std::mutex> lock(m);
  if (vetted.count(key)) return;
  std::fflush(nullptr);
  const pid_t child = ::fork();
  if (child < 0) return;  // no process to spare: read unvetted, as before
  if (child == 0) {
    g_vetting_child = true;
    // Die of the signal itself: a sanitizer's or fuzzer's handler would report the library's crash as ours.
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
    try {
      in_child();
    } catch (...) {
    }
    ::_exit(0);  // not exit(): no atexit handlers (libhdf5's own crashed on damaged files)
  }
  // Ten seconds, plus what reading the budget takes at 10 MB/s; PHYSEC_HDF5_VET_TIMEOUT_S overrides (the fuzz runs
  // use 2 s: their files are tiny and every hang would cost the full wait).
  double limit_s = 10.0 + static_cast<double>(std::min<std::uintmax_t>(st.st_size, k_vet_budget_bytes)) / 10e6;
  if (const char* env = std::getenv("PHYSEC_HDF5_VET_TIMEOUT_S"); env && std::atof(env) > 0) limit_s = std::atof(env);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(limit_s);
  int status = 0;
  pid_t done = 0;
  while ((done = ::waitpid(child, &status, WNOHANG)) == 0 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  if (done == 0) {
    ::kill(child, SIGKILL);
    ::waitpid(child, &status, 0);
    throw error("damaged HDF5 file", {path.string(), what, {}}, "a file libhdf5 reads",
                "one it does not finish reading in " + std::to_string(static_cast<int>(limit_s)) + " s");
  }
  if (done < 0) return;
  if (WIFSIGNALED(status) || (WIFEXITED(status) && WEXITSTATUS(status) != 0))
    throw error("damaged HDF5 file", {path.string(), what, {}}, "a file libhdf5 reads",
                WIFSIGNALED(status) ? "one it crashes on (signal " + std::to_string(WTERMSIG(status)) + ")"
                                    : "one it fails on (exit " + std::to_string(WEXITSTATUS(status)) + ")");
  vetted.insert(key);
}

}  // namespace

reader::reader(const fs::path& path) : p_(std::make_unique<impl>()) {
  silence();
  p_->path = path;
  require_regular_file(path, "an HDF5 file");
  vet(path, "", [&] { read_everything(path); });
  try {
    if (!H5::H5File::isHdf5(path.string()))
      throw error("not an HDF5 file", {path.string(), "", {}}, "an HDF5 (or MATLAB v7.3) file", "other content");
    p_->file = H5::H5File(path.string(), H5F_ACC_RDONLY);
  } catch (const H5::Exception& e) {
    throw error("cannot open HDF5 file: " + e.getDetailMsg(), {path.string(), "", {}});
  }
}

reader::~reader() = default;


const fs::path& reader::path() const { return p_->path; }

bool reader::has(const std::string& object) const {
  if (object == "/") return true;
  // Check each prefix: H5Lexists fails on a path whose parent is missing.
  std::string sofar;
  for (const auto& part : split(object, '/')) {
    if (part.empty()) continue;
    sofar += "/" + part;
    if (H5Lexists(p_->file.getId(), sofar.c_str(), H5P_DEFAULT) <= 0) return false;
  }
  return true;
}

shape_t reader::shape(const std::string& dataset) const {
  if (!has(dataset)) throw p_->fail(dataset, "missing dataset", "a dataset at this path", "nothing");
  try {
    H5::DataSpace sp = p_->open(dataset).getSpace();
    std::vector<hsize_t> dims(static_cast<std::size_t>(sp.getSimpleExtentNdims()));
    if (!dims.empty()) sp.getSimpleExtentDims(dims.data());
    return shape_t(dims.begin(), dims.end());
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read shape: " + e.getDetailMsg());
  }
}

dtype reader::type(const std::string& dataset) const {
  if (!has(dataset)) throw p_->fail(dataset, "missing dataset", "a dataset at this path", "nothing");
  std::string desc;
  std::optional<dtype> t;
  try {
    t = classify(p_->open(dataset).getDataType(), desc);
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read dtype: " + e.getDetailMsg());
  }
  if (!t) throw p_->fail(dataset, "unsupported dtype", "a real, integer or {r,i} complex type", desc);
  return *t;
}

std::vector<std::string> reader::list(const std::string& group) const {
  if (!has(group)) throw p_->fail(group, "missing group", "a group at this path", "nothing");
  std::vector<std::string> names;
  try {
    H5::Group g = p_->file.openGroup(group);
    for (hsize_t i = 0; i < g.getNumObjs(); ++i) names.push_back(g.getObjnameByIdx(i));
  } catch (const H5::Exception& e) {
    throw p_->fail(group, "cannot list group: " + e.getDetailMsg());
  }
  std::sort(names.begin(), names.end());
  return names;
}

shape_t reader::read_shape_checked(const std::string& dataset, dtype t,
                                   const std::vector<std::optional<std::size_t>>& expected) const {
  const shape_t s = shape(dataset);
  std::string desc;
  std::optional<dtype> found;
  try {
    found = classify(p_->open(dataset).getDataType(), desc);
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read dtype: " + e.getDetailMsg());
  }
  if (!found || *found != t) throw p_->fail(dataset, "wrong dtype", dtype_name(t), desc);
  if (!expected.empty()) {
    bool ok = expected.size() == s.size();
    for (std::size_t k = 0; ok && k < s.size(); ++k)
      if (expected[k] && *expected[k] != s[k]) ok = false;
    if (!ok) {
      const std::string what = expected.size() != s.size() ? "wrong rank" : "wrong shape";
      throw p_->fail(dataset, what, expected_shape_string(expected), shape_string(s));
    }
  }
  check_claimed_size(dataset, s, make_type(t).getSize());
  return s;
}

void reader::check_claimed_size(const std::string& dataset, const shape_t& s, std::size_t element_bytes) const {
  // A damaged or hostile file can claim any shape; refuse before allocating. Two bounds: the machine's memory,
  // and what the stored bytes can expand to (deflate's ratio is at most ~1032:1, RFC 1951's longest match).
  long double bytes = static_cast<long double>(element_bytes);
  for (std::size_t d : s) bytes *= static_cast<long double>(d);
  const long double memory =
      static_cast<long double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<long double>(::sysconf(_SC_PAGESIZE));
  if (memory > 0 && bytes > memory)
    throw p_->fail(dataset, "dataset larger than this machine's memory",
                   "at most " + std::to_string(static_cast<unsigned long long>(memory)) + " bytes",
                   shape_string(s) + " = " + fmt_bytes(bytes));
  const hsize_t stored = H5Dget_storage_size(p_->open(dataset).getId());
  if (bytes > 1100.0L * static_cast<long double>(stored) + 65536.0L)
    throw p_->fail(dataset, "dataset claims more data than the file stores (damaged file?)",
                   "at most ~1100x the " + std::to_string(stored) + " stored bytes", shape_string(s) + " = " +
                   fmt_bytes(bytes));
}

void reader::read_raw(const std::string& dataset, dtype t, void* out) const {
  try {
    H5::DataSet ds = p_->open(dataset);
    if (ds.getSpace().getSimpleExtentNpoints() > 0) ds.read(out, make_type(t));
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read dataset: " + e.getDetailMsg());
  }
}

void reader::read_rows_raw(const std::string& dataset, dtype t, const std::vector<std::size_t>& rows, void* out) const {
  try {
    H5::DataSet ds = p_->open(dataset);
    H5::DataSpace file_space = ds.getSpace();
    const int rank = file_space.getSimpleExtentNdims();
    if (rank < 1) throw p_->fail(dataset, "cannot read rows of a scalar", "rank >= 1", "rank 0");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    file_space.getSimpleExtentDims(dims.data());
    std::vector<hsize_t> start(dims.size(), 0), count = dims;
    count[0] = 1;
    hsize_t row_elems = 1;
    for (std::size_t k = 1; k < dims.size(); ++k) row_elems *= dims[k];
    const H5::DataType mem_type = make_type(t);
    const std::size_t row_bytes = static_cast<std::size_t>(row_elems) * mem_type.getSize();
    H5::DataSpace mem_space(rank, count.data());
    auto* bytes = static_cast<unsigned char*>(out);
    // One hyperslab per row (in the caller's order): rows of a mini-batch are few, and chunked reads cache.
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i] >= dims[0])
        throw p_->fail(dataset, "row out of range", "a row below " + std::to_string(dims[0]), std::to_string(rows[i]));
      start[0] = rows[i];
      file_space.selectHyperslab(H5S_SELECT_SET, count.data(), start.data());
      if (row_elems > 0) ds.read(bytes + i * row_bytes, mem_type, mem_space, file_space);
    }
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read rows: " + e.getDetailMsg());
  }
}

std::vector<std::string> reader::read_strings(const std::string& dataset) const {
  if (!has(dataset)) throw p_->fail(dataset, "missing dataset", "a dataset at this path", "nothing");
  try {
    H5::DataSet ds = p_->open(dataset);
    if (ds.getTypeClass() != H5T_STRING) {
      std::string desc;
      classify(ds.getDataType(), desc);
      throw p_->fail(dataset, "wrong dtype", "strings", desc);
    }
    const hssize_t n = ds.getSpace().getSimpleExtentNpoints();
    std::vector<std::string> out;
    H5::StrType ft = ds.getStrType();
    if (ft.isVariableStr()) {
      const std::string bad =
          check_vlen_references(p_->path, p_->file.getId(), ds.getId(), static_cast<hsize_t>(std::max<hssize_t>(n, 0)));
      if (!bad.empty()) throw p_->fail(dataset, "damaged file: " + bad, "valid variable-length strings", "a bad reference");
      H5::StrType st(H5::PredType::C_S1, H5T_VARIABLE);
      st.setCset(ft.getCset());  // HDF5 converts no character sets: read as stored
      std::vector<char*> ptrs(static_cast<std::size_t>(n));
      if (n > 0) ds.read(ptrs.data(), st);
      for (char* p : ptrs) out.emplace_back(p ? p : "");
      if (n > 0) H5Dvlen_reclaim(st.getId(), ds.getSpace().getId(), H5P_DEFAULT, ptrs.data());
    } else {
      const std::size_t w = ft.getSize();
      std::vector<char> buf(static_cast<std::size_t>(n) * w);
      if (n > 0) ds.read(buf.data(), ft);
      for (hssize_t i = 0; i < n; ++i) {
        const char* b = buf.data() + static_cast<std::size_t>(i) * w;
        out.emplace_back(b, ::strnlen(b, w));
      }
    }
    return out;
  } catch (const H5::Exception& e) {
    throw p_->fail(dataset, "cannot read strings: " + e.getDetailMsg());
  }
}

bool reader::has_attribute(const std::string& object, const std::string& name) const {
  if (!has(object)) return false;
  return H5Aexists_by_name(p_->file.getId(), object.c_str(), name.c_str(), H5P_DEFAULT) > 0;
}

attribute_value reader::attribute(const std::string& object, const std::string& name) const {
  if (!has_attribute(object, name))
    throw p_->fail(object, "missing attribute `" + name + "`", "an attribute of this name", "none");
  // The whole-file check enumerates objects: a damaged group can hide one that is still reachable by name.
  vet(p_->path, object + " (attribute " + name + ")", [&] { (void)reader(p_->path).attribute(object, name); });
  attribute_value v;
  hid_t a = H5Aopen_by_name(p_->file.getId(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  hid_t sp = H5Aget_space(a);
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  const H5T_class_t cls = H5Tget_class(t);
  herr_t st = 0;
  std::string damage;
  if (cls == H5T_STRING) {
    v.k = attribute_value::kind::text;
    if (H5Tis_variable_str(t) > 0 &&
        !(damage = check_vlen_attribute(p_->path, p_->file.getId(), object, name,
                                        static_cast<hsize_t>(std::max<hssize_t>(n, 0)))).empty()) {
      st = -1;
    } else if (H5Tis_variable_str(t) > 0) {
      hid_t mt = H5Tcopy(H5T_C_S1);
      H5Tset_size(mt, H5T_VARIABLE);
      H5Tset_cset(mt, H5Tget_cset(t));  // HDF5 converts no character sets: read as stored
      char* p = nullptr;
      st = H5Aread(a, mt, &p);
      if (st >= 0 && p) v.text = p;
      if (p) H5free_memory(p);
      H5Tclose(mt);
    } else {
      const std::size_t w = H5Tget_size(t);
      std::vector<char> buf(w + 1, '\0');
      st = H5Aread(a, t, buf.data());
      v.text.assign(buf.data(), ::strnlen(buf.data(), w));
    }
  } else if (cls == H5T_INTEGER && n == 1) {
    v.k = attribute_value::kind::integer;
    st = H5Aread(a, H5T_NATIVE_INT64, &v.integer);
    v.real = static_cast<double>(v.integer);
  } else if ((cls == H5T_FLOAT || cls == H5T_INTEGER) && n >= 0) {
    v.reals.resize(static_cast<std::size_t>(n));
    if (n > 0) st = H5Aread(a, H5T_NATIVE_DOUBLE, v.reals.data());
    if (n == 1 && H5Sget_simple_extent_ndims(sp) == 0) {
      v.k = attribute_value::kind::real;
      v.real = v.reals[0];
    } else {
      v.k = attribute_value::kind::real_list;
    }
  } else {
    st = -1;
  }
  H5Sclose(sp);
  H5Tclose(t);
  H5Aclose(a);
  if (!damage.empty())
    throw p_->fail(object, "damaged attribute `" + name + "`: " + damage, "a readable string", "a bad reference");
  if (st < 0) throw p_->fail(object, "cannot read attribute `" + name + "`", "text or numbers", "another type");
  return v;
}

std::string reader::string_attribute(const std::string& object, const std::string& name) const {
  auto v = attribute(object, name);
  if (v.k != attribute_value::kind::text)
    throw p_->fail(object, "attribute `" + name + "` is not text", "text", "a number");
  return v.text;
}

double reader::number_attribute(const std::string& object, const std::string& name) const {
  auto v = attribute(object, name);
  if (v.k == attribute_value::kind::text || v.k == attribute_value::kind::real_list)
    throw p_->fail(object, "attribute `" + name + "` is not a single number", "a number",
                   v.k == attribute_value::kind::text ? "text" : "a list");
  return v.real;
}

}  // namespace physec::h5
