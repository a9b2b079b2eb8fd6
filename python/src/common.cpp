#include "common.hpp"

#include <cstdint>

namespace physec::python {

void check_rank(const std::string& name, std::size_t rank, std::size_t expected, const std::string& shape_doc) {
  if (expected != 0 && rank != expected)
    throw error("wrong number of dimensions", {"", name, {}}, std::to_string(expected) + " (" + shape_doc + ")",
                std::to_string(rank));
}

namespace {

std::string type_name(const py::handle& v) {
  return py::str(py::type::of(v).attr("__name__"));
}

config::value to_value(const py::handle& v, const std::string& origin, const std::string& key) {
  // bool before int: Python's bool is an int subclass, and TOML tells them apart.
  if (py::isinstance<py::bool_>(v)) return {v.cast<bool>()};
  if (py::isinstance<py::str>(v)) return {v.cast<std::string>()};
  if (py::isinstance<py::float_>(v)) return {v.cast<double>()};
  if (py::isinstance<py::int_>(v) || PyIndex_Check(v.ptr())) {
    // numpy integers have __index__; a value outside int64 is a type error, as in TOML.
    try {
      return {py::int_(py::reinterpret_borrow<py::object>(v)).cast<std::int64_t>()};
    } catch (const py::cast_error&) {
      throw error("integer out of range", {origin, key, {}}, "a 64-bit integer", py::str(v));
    }
  }
  if (py::hasattr(v, "dtype") && py::hasattr(v, "tolist")) {  // numpy scalars (float) and arrays
    return to_value(v.attr("tolist")(), origin, key);
  }
  if (py::isinstance<py::list>(v) || py::isinstance<py::tuple>(v)) {
    config::value::list items;
    for (const auto& item : v) items.push_back(to_value(item, origin, key));
    return {std::move(items)};
  }
  throw error("unsupported value type", {origin, key, {}}, "bool, int, float, str or a list of them (or a dict)",
              type_name(v));
}

void collect(const py::handle& dict, const std::string& prefix, const std::string& origin,
             std::vector<std::pair<std::string, config::value>>& out) {
  for (const auto& [k, v] : py::reinterpret_borrow<py::dict>(dict)) {
    if (!py::isinstance<py::str>(k))
      throw error("config keys must be strings", {origin, prefix, {}}, "str", type_name(k));
    const std::string key = prefix.empty() ? k.cast<std::string>() : prefix + "." + k.cast<std::string>();
    if (py::isinstance<py::dict>(v))
      collect(v, key, origin, out);
    else
      out.emplace_back(key, to_value(v, origin, key));
  }
}

}  // namespace

std::vector<std::pair<std::string, config::value>> dict_leaves(const py::handle& dict, const std::string& prefix,
                                                               const std::string& origin) {
  if (!py::isinstance<py::dict>(dict))
    throw error("a config must be a dict", {origin, prefix, {}}, "dict (nested dicts for tables)", type_name(dict));
  std::vector<std::pair<std::string, config::value>> out;
  collect(dict, prefix, origin, out);
  return out;
}

}  // namespace physec::python
