#pragma once
/// @file A plain row-major n-dimensional array: a shape and a flat buffer. The exchange type between the
/// simulator, the HDF5 layer and the learners (which wrap its buffer without copying where they can).

#include <cstddef>
#include <numeric>
#include <string>
#include <vector>

namespace physec {

using shape_t = std::vector<std::size_t>;

/// "[2, 3, 4]"
std::string shape_string(const shape_t& shape);
/// Product of the extents (1 for rank 0).
inline std::size_t shape_size(const shape_t& shape) {
  return std::accumulate(shape.begin(), shape.end(), std::size_t{1}, std::multiplies<>());
}

/// Row-major n-d array. `data.size() == shape_size(shape)` always holds for arrays built by its constructors.
template <class T>
struct ndarray {
  shape_t shape;
  std::vector<T> data;

  ndarray() = default;
  explicit ndarray(shape_t s, T fill = T{}) : shape(std::move(s)), data(shape_size(shape), fill) {}
  ndarray(shape_t s, std::vector<T> d) : shape(std::move(s)), data(std::move(d)) {}

  std::size_t rank() const noexcept { return shape.size(); }
  std::size_t size() const noexcept { return data.size(); }
  T* ptr() noexcept { return data.data(); }
  const T* ptr() const noexcept { return data.data(); }

  /// Flat offset of a multi-index (row-major); no bounds checks.
  template <class... I>
  std::size_t offset(I... idx) const noexcept {
    const std::size_t ix[] = {static_cast<std::size_t>(idx)...};
    std::size_t off = 0;
    for (std::size_t k = 0; k < sizeof...(I); ++k) off = off * shape[k] + ix[k];
    return off;
  }
  template <class... I>
  T& operator()(I... idx) noexcept {
    return data[offset(idx...)];
  }
  template <class... I>
  const T& operator()(I... idx) const noexcept {
    return data[offset(idx...)];
  }
  bool operator==(const ndarray& o) const { return shape == o.shape && data == o.data; }
};

}  // namespace physec
