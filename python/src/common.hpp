#pragma once
/// @file What every binding of the Python module shares: numpy <-> physec::ndarray conversion (row-major, no copy
/// on the way out), and configs given as Python dicts, read through the same schema path as TOML files.

#include <pybind11/complex.h>
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cstddef>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/error.hpp"
#include "physec/core/ndarray.hpp"

namespace physec::python {

namespace py = pybind11;

/// A numpy array that owns `data` (moved, not copied) with the given row-major shape.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& data, const shape_t& shape) {
  auto* owner = new std::vector<T>(std::move(data));
  py::capsule free_when_done(owner, [](void* p) { delete static_cast<std::vector<T>*>(p); });
  std::vector<py::ssize_t> extents(shape.begin(), shape.end());
  return py::array_t<T>(extents, owner->data(), free_when_done);
}
template <class T>
py::array_t<T> to_numpy(ndarray<T>&& a) {
  const shape_t shape = a.shape;
  return to_numpy(std::move(a.data), shape);
}
/// A 1-D numpy array of a vector.
template <class T>
py::array_t<T> to_numpy(std::vector<T>&& data) {
  const shape_t shape{data.size()};
  return to_numpy(std::move(data), shape);
}

/// Runs `fn` with the GIL released (for C++ work longer than ~1 ms) and returns its result; build Python objects
/// from the result only after, with the GIL held again.
template <class F>
auto without_gil(F&& fn) {
  py::gil_scoped_release release;
  return fn();
}

/// Throws physec::error for argument `name` when `rank` differs from `expected` (0: any rank).
void check_rank(const std::string& name, std::size_t rank, std::size_t expected, const std::string& shape_doc);

/// A copy of any array-like (list, numpy array of any dtype numpy can cast) as an ndarray<T>, C order.
/// `name` and `shape_doc` (e.g. "[n, d]") name the argument in the error when the rank is not `rank` (0: any).
template <class T>
ndarray<T> from_numpy(const py::handle& obj, const std::string& name, std::size_t rank = 0,
                      const std::string& shape_doc = {}) {
  auto a = py::array_t<T, py::array::c_style | py::array::forcecast>::ensure(obj);
  if (!a)
    throw error("not convertible to a numeric array", {"", name, {}}, "an array " + shape_doc,
                std::string(py::str(py::type::of(obj).attr("__name__"))));
  check_rank(name, static_cast<std::size_t>(a.ndim()), rank, shape_doc);
  shape_t shape(a.shape(), a.shape() + a.ndim());
  return ndarray<T>(std::move(shape), std::vector<T>(a.data(), a.data() + a.size()));
}

/// A 1-D vector copy of an array-like; `name` in errors.
template <class T>
std::vector<T> vector_from_numpy(const py::handle& obj, const std::string& name) {
  return std::move(from_numpy<T>(obj, name, 1, "[n]").data);
}

/// The (dotted key, value) leaves of a Python dict, as parse_toml_leaves returns them for a TOML file: nested dicts
/// are tables; bool, int, float, str and lists (or numpy arrays) of them are values. Keys get `prefix` + "." in
/// front (a TOML section). `origin` names the dict in errors.
std::vector<std::pair<std::string, config::value>> dict_leaves(const py::handle& dict, const std::string& prefix,
                                                               const std::string& origin);

/// A config struct seen as the TOML section `name` (the table the CLI's config files hold it under).
template <class C>
struct in_section {
  std::string name;
  C* cfg;
  void describe(config::schema& s) { s.section(name, *cfg); }
};

/// A config struct: the defaults `cfg`, then the dict's values (None: none), validated, through the path a TOML
/// file takes (apply_leaves, validate_schema): the same type checks, range checks and unknown-key suggestions.
/// `section` is the table the CLI reads this struct from ("wiretap", "quantizer", ...; "" for none): keys in errors
/// are then named as in a config file, e.g. `wiretap config: wiretap.probes_per_settings: unknown key (expected did
/// you mean `wiretap.probes_per_setting`?, ...)`, the CLI's message after the origin.
template <class C>
C config_from_dict(const py::object& dict, C cfg, const std::string& section, const std::string& origin) {
  config::schema s;
  in_section<C> wrapped{section, &cfg};
  if (section.empty())
    cfg.describe(s);
  else
    wrapped.describe(s);
  if (!dict.is_none()) config::apply_leaves(s, dict_leaves(dict, section, origin), origin);
  config::validate_schema(s, origin);
  return cfg;
}

/// The effective config as TOML text (what `physec config show` prints for the same values).
template <class C>
std::string config_toml(C cfg, const std::string& title) {
  return config::show(cfg, title);
}

/// Submodule binders, one per library layer (each in its own .cpp).
void bind_nist(py::module_& m);
void bind_keygen(py::module_& m);
void bind_channel(py::module_& m);
void bind_dataset(py::module_& m);
void bind_auth(py::module_& m);

}  // namespace physec::python
