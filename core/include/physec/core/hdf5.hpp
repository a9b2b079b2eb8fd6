#pragma once
/// @file HDF5 input and output (HDF5 C++ API inside; no HDF5 header leaks out of here).
///
/// Layout choices, so that h5py and MATLAB read our files with no help:
/// - complex numbers are a compound `{r, i}` of float32 or float64 — what h5py maps to complex64/complex128;
/// - strings are variable-length UTF-8 (h5py gives `str`);
/// - object timestamps are not stored, so the same content gives byte-identical files;
/// - datasets above 1 MiB are chunked, byte-shuffled and deflate-compressed (level 1); a chunk is one row (the first
///   axis: one probe, one sequence) when rows are 1 KiB or more, so that reading a row inflates only that row
///   (mini-batches streamed from a file, issue #17), and a run of small rows of ~64 KiB otherwise.
/// Every file is written under a temporary name in the destination folder and renamed on `commit()`.

#include <complex>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "physec/core/ndarray.hpp"

namespace physec::h5 {

/// Element types we read and write.
enum class dtype { float32, float64, int32, int64, uint8, uint64, complex64, complex128 };
/// "float32", "complex128 {r,i}", ...
std::string dtype_name(dtype t);

template <class T>
constexpr dtype dtype_of();
template <> constexpr dtype dtype_of<float>() { return dtype::float32; }
template <> constexpr dtype dtype_of<double>() { return dtype::float64; }
template <> constexpr dtype dtype_of<std::int32_t>() { return dtype::int32; }
template <> constexpr dtype dtype_of<std::int64_t>() { return dtype::int64; }
template <> constexpr dtype dtype_of<std::uint8_t>() { return dtype::uint8; }
template <> constexpr dtype dtype_of<std::uint64_t>() { return dtype::uint64; }
template <> constexpr dtype dtype_of<std::complex<float>>() { return dtype::complex64; }
template <> constexpr dtype dtype_of<std::complex<double>>() { return dtype::complex128; }

/// An attribute value: text, a number, an integer, or a list of numbers.
struct attribute_value {
  enum class kind { text, real, integer, real_list } k = kind::text;
  std::string text;
  double real = 0;
  std::int64_t integer = 0;
  std::vector<double> reals;
};

/// Writes one HDF5 file atomically. Dataset paths are absolute (`/alice`, `/meta/snr_dB`); parent groups are
/// created as needed. Nothing appears under the final name until `commit()`; a writer destroyed without commit
/// (e.g. by an exception midway) removes its temporary file.
class writer {
 public:
  explicit writer(const std::filesystem::path& path);
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  template <class T>
  void write(const std::string& dataset, const ndarray<T>& a) {
    write_raw(dataset, dtype_of<T>(), a.shape, a.ptr());
  }
  template <class T>
  void write(const std::string& dataset, const shape_t& shape, const T* data) {
    write_raw(dataset, dtype_of<T>(), shape, data);
  }
  /// Creates `dataset` with `shape`, to be filled block by block with write_rows() (files larger than memory). Chunked
  /// and compressed as write() would for that shape, so both give the same file content.
  template <class T>
  void create(const std::string& dataset, const shape_t& shape) {
    create_raw(dataset, dtype_of<T>(), shape);
  }
  /// Writes rows [first_row, first_row + nof_rows) (along the first axis) of a dataset made by create(); `data` holds
  /// them contiguous, `[nof_rows, ...]`.
  template <class T>
  void write_rows(const std::string& dataset, std::size_t first_row, std::size_t nof_rows, const T* data) {
    write_rows_raw(dataset, dtype_of<T>(), first_row, nof_rows, data);
  }
  /// A 1-D dataset of variable-length UTF-8 strings.
  void write_strings(const std::string& dataset, const std::vector<std::string>& values);
  /// Creates an (empty) group.
  void group(const std::string& path);

  /// Attributes on any object ("/" for the file itself).
  void attribute(const std::string& object, const std::string& name, const std::string& value);
  void attribute(const std::string& object, const std::string& name, const char* value) {
    attribute(object, name, std::string(value));
  }
  void attribute(const std::string& object, const std::string& name, double value);
  void attribute(const std::string& object, const std::string& name, std::int64_t value);
  void attribute(const std::string& object, const std::string& name, const std::vector<double>& value);

  /// Closes the file and moves it into place. Must be called once all writing is done.
  void commit();
  const std::filesystem::path& path() const;

 private:
  void write_raw(const std::string& dataset, dtype t, const shape_t& shape, const void* data);
  void create_raw(const std::string& dataset, dtype t, const shape_t& shape);
  void write_rows_raw(const std::string& dataset, dtype t, std::size_t first_row, std::size_t nof_rows,
                      const void* data);
  struct impl;
  std::unique_ptr<impl> p_;
};

/// Reads one HDF5 file. Every read checks the dtype (and, where asked, the shape) and names the file and
/// dataset path in its error.
class reader {
 public:
  explicit reader(const std::filesystem::path& path);
  ~reader();
  reader(const reader&) = delete;
  reader& operator=(const reader&) = delete;

  bool has(const std::string& object) const;
  shape_t shape(const std::string& dataset) const;
  dtype type(const std::string& dataset) const;
  /// Names of the members of a group, sorted.
  std::vector<std::string> list(const std::string& group) const;

  template <class T>
  ndarray<T> read(const std::string& dataset) const {
    ndarray<T> a;
    a.shape = read_shape_checked(dataset, dtype_of<T>(), {});
    a.data.resize(shape_size(a.shape));
    read_raw(dataset, dtype_of<T>(), a.ptr());
    return a;
  }
  /// As read(), also checking the shape: `std::nullopt` extents match anything; the rank must match exactly.
  template <class T>
  ndarray<T> read(const std::string& dataset, const std::vector<std::optional<std::size_t>>& expected) const {
    ndarray<T> a;
    a.shape = read_shape_checked(dataset, dtype_of<T>(), expected);
    a.data.resize(shape_size(a.shape));
    read_raw(dataset, dtype_of<T>(), a.ptr());
    return a;
  }
  std::vector<std::string> read_strings(const std::string& dataset) const;
  /// Reads only the rows `rows` (indices along dim 0, any order, repeats allowed) of a dataset: `[rows.size(), ...]`,
  /// in the order given. For streaming mini-batches out of files larger than memory.
  template <class T>
  ndarray<T> read_rows(const std::string& dataset, const std::vector<std::size_t>& rows) const {
    ndarray<T> a;
    a.shape = read_shape_checked(dataset, dtype_of<T>(), {});
    a.shape.at(0) = rows.size();
    a.data.resize(shape_size(a.shape));
    read_rows_raw(dataset, dtype_of<T>(), rows, a.ptr());
    return a;
  }

  bool has_attribute(const std::string& object, const std::string& name) const;
  attribute_value attribute(const std::string& object, const std::string& name) const;
  std::string string_attribute(const std::string& object, const std::string& name) const;
  double number_attribute(const std::string& object, const std::string& name) const;

  const std::filesystem::path& path() const;

 private:
  shape_t read_shape_checked(const std::string& dataset, dtype t,
                             const std::vector<std::optional<std::size_t>>& expected) const;
  void check_claimed_size(const std::string& dataset, const shape_t& s, std::size_t element_bytes) const;
  void read_raw(const std::string& dataset, dtype t, void* out) const;
  void read_rows_raw(const std::string& dataset, dtype t, const std::vector<std::size_t>& rows, void* out) const;
  struct impl;
  std::unique_ptr<impl> p_;
};

/// "[?, 3, 72]" for an expected shape with wildcards.
std::string expected_shape_string(const std::vector<std::optional<std::size_t>>& expected);

}  // namespace physec::h5
