#pragma once
/// @file Configuration: TOML files mapped onto plain config structs.
///
/// A config struct describes its fields once, in a member `void describe(physec::config::schema& s)`:
///
///     struct link_config {
///       double snr_dB = 20.0;
///       void describe(config::schema& s) {
///         s.add("snr_dB", snr_dB, "estimation SNR [dB]").range(-30, 60).source("ours");
///       }
///     };
///
/// From that one description come: loading from TOML with type checks, rejection of unknown keys with the nearest
/// valid name suggested, `--set key=value` overrides, range/choice validation naming field, value and allowed range,
/// and `physec config show`, a commented TOML file that `-c` accepts back unchanged.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "physec/core/error.hpp"

namespace physec::config {

/// A parsed TOML value, independent of the TOML library (which stays inside config.cpp).
struct value {
  using list = std::vector<value>;
  std::variant<bool, std::int64_t, double, std::string, list> v;
};

/// How a value is printed and parsed for one C++ type. Specialised below for the supported types.
template <class T, class = void>
struct value_traits;

/// Integer fields and lists of integers (their ranges print as integers).
template <class T>
struct is_integral_field : std::bool_constant<std::is_integral_v<T> && !std::is_same_v<T, bool>> {};
template <class T>
struct is_integral_field<std::vector<T>> : is_integral_field<T> {};

/// One described field of a config struct.
struct field {
  std::string section;  ///< dotted table path, "" for the root
  std::string name;     ///< key within its table
  std::string doc;      ///< one line: what it is, with its unit in brackets
  std::string source;   ///< where the default comes from: a paper table, a spec table, or "ours"
  std::optional<double> lo, hi;          ///< inclusive range for numbers (each element for lists)
  std::vector<std::string> choices;      ///< allowed values for strings (each element for lists)
  bool integral = false;                 ///< integer-valued (ranges print as integers)
  std::size_t min_size = 0;              ///< for lists
  std::size_t max_size = std::numeric_limits<std::size_t>::max();
  std::function<void(const value&, const error_location&)> read;  ///< parse + type check + store
  std::function<std::string()> print;                              ///< TOML literal of the current value
  std::function<std::string()> type_name;                          ///< e.g. "float", "list of integers"
  std::function<void(const field&, const std::string& file)> check;  ///< range/choice/size check

  std::string key() const { return section.empty() ? name : section + "." + name; }
};

/// Fluent setter for the optional parts of a field.
class field_ref {
 public:
  explicit field_ref(field& f) : f_(&f) {}
  field_ref& range(double lo, double hi) {
    f_->lo = lo;
    f_->hi = hi;
    return *this;
  }
  field_ref& min(double lo) {
    f_->lo = lo;
    return *this;
  }
  field_ref& choices(std::vector<std::string> c) {
    f_->choices = std::move(c);
    return *this;
  }
  field_ref& size(std::size_t lo, std::size_t hi = std::numeric_limits<std::size_t>::max()) {
    f_->min_size = lo;
    f_->max_size = hi;
    return *this;
  }
  field_ref& source(std::string s) {
    f_->source = std::move(s);
    return *this;
  }

 private:
  field* f_;
};

/// The description of a config struct: its fields (by reference) and its cross-field checks.
class schema {
 public:
  /// Registers a field. `T` is bool, an integer type, float/double, std::string, or a std::vector of those.
  template <class T>
  field_ref add(std::string name, T& ref, std::string doc) {
    field f;
    f.section = prefix_;
    f.name = std::move(name);
    f.doc = std::move(doc);
    f.integral = is_integral_field<T>::value;
    T* p = &ref;
    f.read = [p](const value& v, const error_location& where) { *p = value_traits<T>::from(v, where); };
    f.print = [p] { return value_traits<T>::print(*p); };
    f.type_name = [] { return value_traits<T>::name(); };
    f.check = [p](const field& self, const std::string& file) { value_traits<T>::check(*p, self, file); };
    fields_.push_back(std::move(f));
    return field_ref(fields_.back());
  }

  /// Describes a nested config struct under the table `name`.
  template <class C>
  void section(const std::string& name, C& sub, std::string doc = {}) {
    const std::string saved = prefix_;
    prefix_ = prefix_.empty() ? name : prefix_ + "." + name;
    section_docs_.emplace_back(prefix_, std::move(doc));
    sub.describe(*this);
    prefix_ = saved;
  }

  /// A cross-field check run by validate(); it throws physec::error on failure (use `fail()`).
  void check(std::function<void(const std::string& file)> fn) { checks_.push_back(std::move(fn)); }

  /// Fully qualified key of a field in the current section, for error messages in checks.
  std::string key(const std::string& name) const { return prefix_.empty() ? name : prefix_ + "." + name; }

  std::vector<field>& fields() { return fields_; }
  const std::vector<field>& fields() const { return fields_; }
  const std::vector<std::pair<std::string, std::string>>& section_docs() const { return section_docs_; }
  const std::vector<std::function<void(const std::string&)>>& checks() const { return checks_; }

  field* find(const std::string& dotted_key);
  std::vector<std::string> keys() const;

 private:
  std::string prefix_;
  std::vector<field> fields_;
  std::vector<std::pair<std::string, std::string>> section_docs_;
  std::vector<std::function<void(const std::string&)>> checks_;
};

// ---- operations on a schema (implemented in config.cpp, where the TOML library lives) ----

/// Parses TOML text; returns the root table as a list of (dotted key, value) leaves. Throws with file and line.
std::vector<std::pair<std::string, value>> parse_toml_leaves(std::string_view text, const std::string& file);
/// Applies leaves to the schema: unknown keys rejected with a suggestion, types checked.
void apply_leaves(schema& s, const std::vector<std::pair<std::string, value>>& leaves, const std::string& file);
/// Applies one `key=value` override (value in TOML syntax; bare words accepted for string fields).
void apply_override(schema& s, std::string_view assignment);
/// Runs every field's range/choice check and every cross-field check.
void validate_schema(const schema& s, const std::string& file);
/// Commented TOML of the current values; `title` heads the file.
std::string to_toml(const schema& s, std::string_view title);
/// Formats a double as a TOML float that parses back to the same bits.
std::string format_real(double x);
/// Throws a config error for `key` with the standard message layout.
[[noreturn]] void fail(const std::string& file, const std::string& key, const std::string& what,
                       const std::string& expected, const std::string& found);

// ---- typed front end ----

template <class C>
void validate(C& cfg, const std::string& file = {}) {
  schema s;
  cfg.describe(s);
  validate_schema(s, file);
}

/// Applies a TOML file's values onto `cfg` (keys absent from the file keep their current values).
template <class C>
void apply_file(C& cfg, const std::filesystem::path& path);

/// Applies `--set` overrides in order.
template <class C>
void apply_overrides(C& cfg, const std::vector<std::string>& assignments) {
  schema s;
  cfg.describe(s);
  for (const auto& a : assignments) apply_override(s, a);
}

/// Commented TOML of the effective values.
template <class C>
std::string show(C& cfg, std::string_view title) {
  schema s;
  cfg.describe(s);
  return to_toml(s, title);
}

/// Applies TOML text (already read) onto `cfg`; `file` names it in errors.
template <class C>
void apply_text(C& cfg, std::string_view text, const std::string& file) {
  schema s;
  cfg.describe(s);
  apply_leaves(s, parse_toml_leaves(text, file), file);
}

std::string read_config_text(const std::filesystem::path& path);

template <class C>
void apply_file(C& cfg, const std::filesystem::path& path) {
  apply_text(cfg, read_config_text(path), path.string());
}

// ---- value traits ----

namespace detail {
[[noreturn]] void type_error(const error_location& where, const std::string& expected, const value& got);
std::string describe_value(const value& v);
/// A range bound as text: an integer for integer fields, else the shortest float form.
std::string format_bound(double x, const field& f);
void check_number(double x, const field& f, const std::string& file, std::optional<std::size_t> index);
void check_choice(const std::string& x, const field& f, const std::string& file, std::optional<std::size_t> index);
void check_size(std::size_t n, const field& f, const std::string& file);
}  // namespace detail

template <>
struct value_traits<bool> {
  static bool from(const value& v, const error_location& w) {
    if (auto b = std::get_if<bool>(&v.v)) return *b;
    detail::type_error(w, "a boolean (true or false)", v);
  }
  static std::string print(bool b) { return b ? "true" : "false"; }
  static std::string name() { return "boolean"; }
  static void check(bool, const field&, const std::string&) {}
};

template <class T>
struct value_traits<T, std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>>> {
  static T from(const value& v, const error_location& w) {
    if (auto i = std::get_if<std::int64_t>(&v.v)) {
      if constexpr (std::is_unsigned_v<T>) {
        if (*i < 0) detail::type_error(w, "a non-negative integer", v);
      }
      if (static_cast<long double>(*i) > static_cast<long double>(std::numeric_limits<T>::max()) ||
          static_cast<long double>(*i) < static_cast<long double>(std::numeric_limits<T>::lowest()))
        detail::type_error(w, "an integer that fits " + name(), v);
      return static_cast<T>(*i);
    }
    detail::type_error(w, "an integer", v);
  }
  static std::string print(T x) { return std::to_string(x); }
  static std::string name() { return std::is_unsigned_v<T> ? "non-negative integer" : "integer"; }
  static void check(T x, const field& f, const std::string& file) {
    detail::check_number(static_cast<double>(x), f, file, std::nullopt);
  }
};

template <class T>
struct value_traits<T, std::enable_if_t<std::is_floating_point_v<T>>> {
  static T from(const value& v, const error_location& w) {
    if (auto d = std::get_if<double>(&v.v)) return static_cast<T>(*d);
    if (auto i = std::get_if<std::int64_t>(&v.v)) return static_cast<T>(*i);
    detail::type_error(w, "a number", v);
  }
  static std::string print(T x) { return format_real(static_cast<double>(x)); }
  static std::string name() { return "float"; }
  static void check(T x, const field& f, const std::string& file) {
    detail::check_number(static_cast<double>(x), f, file, std::nullopt);
  }
};

template <>
struct value_traits<std::string> {
  static std::string from(const value& v, const error_location& w) {
    if (auto s = std::get_if<std::string>(&v.v)) return *s;
    detail::type_error(w, "a string", v);
  }
  static std::string print(const std::string& s);
  static std::string name() { return "string"; }
  static void check(const std::string& x, const field& f, const std::string& file) {
    detail::check_choice(x, f, file, std::nullopt);
  }
};

template <class T>
struct value_traits<std::vector<T>> {
  static std::vector<T> from(const value& v, const error_location& w) {
    auto l = std::get_if<value::list>(&v.v);
    if (!l) detail::type_error(w, "a list of " + value_traits<T>::name() + "s", v);
    std::vector<T> out;
    out.reserve(l->size());
    for (std::size_t i = 0; i < l->size(); ++i) {
      error_location wi = w;
      wi.index = i;
      out.push_back(value_traits<T>::from((*l)[i], wi));
    }
    return out;
  }
  static std::string print(const std::vector<T>& xs) {
    std::string s = "[";
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if (i) s += ", ";
      s += value_traits<T>::print(xs[i]);
    }
    return s + "]";
  }
  static std::string name() { return "list of " + value_traits<T>::name() + "s"; }
  static void check(const std::vector<T>& xs, const field& f, const std::string& file) {
    detail::check_size(xs.size(), f, file);
    for (std::size_t i = 0; i < xs.size(); ++i) {
      if constexpr (std::is_same_v<T, std::string>)
        detail::check_choice(xs[i], f, file, i);
      else if constexpr (std::is_arithmetic_v<T> && !std::is_same_v<T, bool>)
        detail::check_number(static_cast<double>(xs[i]), f, file, i);
    }
  }
};

}  // namespace physec::config
