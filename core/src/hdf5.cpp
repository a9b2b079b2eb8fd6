#include "physec/core/hdf5.hpp"

#include <H5Cpp.h>

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <map>
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

/// Classifies a file's datatype as one of ours, or describes what it is.
std::optional<dtype> classify(const H5::DataType& t, std::string& description) {
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

/// libhdf5 1.10 dereferences a variable-length string's global-heap object index without a bound check: one
/// damaged byte in a file makes it read out of bounds and crash (H5HG_read). Before HDF5 reads such a dataset we
/// check its references ourselves, from the file's bytes (HDF5 File Format Specification v3, §III.E "Global Heap"
/// and §IV.A.2.j "Variable-length" datatype storage: a 4-byte length, then the collection's address and a 4-byte
/// object index). Checked when the data are contiguous and addresses/lengths are 8 bytes (what h5py, MATLAB and
/// physec write); other layouts are left to HDF5. Returns a description of the first bad reference, or "".
std::string check_vlen_references(const fs::path& path, hid_t file, hid_t dset, hsize_t n) {
  const haddr_t offset = H5Dget_offset(dset);
  if (offset == HADDR_UNDEF || n == 0) return {};
  hid_t fcpl = H5Fget_create_plist(file);
  std::size_t sizeof_addr = 0, sizeof_size = 0;
  hsize_t userblock = 0;
  H5Pget_sizes(fcpl, &sizeof_addr, &sizeof_size);
  H5Pget_userblock(fcpl, &userblock);
  H5Pclose(fcpl);
  if (sizeof_addr != 8 || sizeof_size != 8) return {};
  std::ifstream f(path, std::ios::binary);
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (!f || ec) return {};
  auto read_at = [&](std::uint64_t at, std::size_t len, std::vector<unsigned char>& buf) {
    if (at > file_size || len > file_size - at) return false;
    buf.resize(len);
    f.seekg(static_cast<std::streamoff>(at));
    return static_cast<bool>(f.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(len)));
  };
  auto le = [](const unsigned char* p, int bytes) {
    std::uint64_t v = 0;
    for (int k = bytes - 1; k >= 0; --k) v = (v << 8) | p[k];
    return v;
  };
  std::vector<unsigned char> records;
  if (n > (std::uint64_t{1} << 32) || !read_at(userblock + offset, static_cast<std::size_t>(n) * 16, records))
    return "string references lie beyond the end of the file";
  std::map<std::uint64_t, std::map<std::uint64_t, std::uint64_t>> collections;  // address -> index -> size
  std::vector<unsigned char> col;
  for (hsize_t i = 0; i < n; ++i) {
    const unsigned char* r = records.data() + 16 * i;
    const std::uint64_t len = le(r, 4), addr = le(r + 4, 8), idx = le(r + 12, 4);
    if (addr == 0 && idx == 0 && len == 0) continue;  // an empty (null) string
    auto it = collections.find(addr);
    if (it == collections.end()) {
      std::map<std::uint64_t, std::uint64_t> objects;
      std::vector<unsigned char> head;
      if (!read_at(userblock + addr, 16, head) || std::memcmp(head.data(), "GCOL", 4) != 0 || head[4] != 1)
        return "string " + std::to_string(i) + " points to no global heap collection";
      const std::uint64_t size = le(head.data() + 8, 8);
      if (size < 16 || !read_at(userblock + addr, static_cast<std::size_t>(std::min<std::uint64_t>(size, 1u << 30)), col))
        return "string " + std::to_string(i) + ": global heap collection of a bad size";
      for (std::uint64_t pos = 16; pos + 16 <= col.size();) {
        const std::uint64_t oid = le(col.data() + pos, 2), osize = le(col.data() + pos + 8, 8);
        if (oid == 0) break;  // free space: the rest of the collection
        if (osize > col.size() - pos - 16)  // an object running past its collection: HDF5 would copy beyond it
          return "string " + std::to_string(i) + ": global heap object " + std::to_string(oid) + " overruns its collection";
        objects[oid] = osize;
        pos += 16 + ((osize + 7) / 8) * 8;
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
    H5O_info_t info;
#if H5_VERSION_GE(1, 12, 0)
    H5Oget_info_by_name3(file.getId(), dataset.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
#else
    H5Oget_info_by_name2(file.getId(), dataset.c_str(), &info, H5O_INFO_BASIC, H5P_DEFAULT);
#endif
    if (info.type != H5O_TYPE_DATASET) throw fail(dataset, "not a dataset", "a dataset", "a group");
    return file.openDataSet(dataset);
  }
};

reader::reader(const fs::path& path) : p_(std::make_unique<impl>()) {
  silence();
  p_->path = path;
  require_regular_file(path, "an HDF5 file");
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
  auto t = classify(p_->open(dataset).getDataType(), desc);
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
  const auto found = classify(p_->open(dataset).getDataType(), desc);
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
  attribute_value v;
  hid_t a = H5Aopen_by_name(p_->file.getId(), object.c_str(), name.c_str(), H5P_DEFAULT, H5P_DEFAULT);
  hid_t t = H5Aget_type(a);
  hid_t sp = H5Aget_space(a);
  const hssize_t n = H5Sget_simple_extent_npoints(sp);
  const H5T_class_t cls = H5Tget_class(t);
  herr_t st = 0;
  if (cls == H5T_STRING) {
    v.k = attribute_value::kind::text;
    if (H5Tis_variable_str(t) > 0) {
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
