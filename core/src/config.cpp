#include "physec/core/config.hpp"

#include <fmt/format.h>

#include <cmath>
#include <toml++/toml.h>

#include "physec/core/atomic_file.hpp"
#include "physec/core/strings.hpp"

namespace physec::config {

namespace {

value from_node(const toml::node& n, const std::string& key, const std::string& file) {
  if (auto b = n.as_boolean()) return value{b->get()};
  if (auto i = n.as_integer()) return value{i->get()};
  if (auto d = n.as_floating_point()) return value{d->get()};
  if (auto s = n.as_string()) return value{s->get()};
  if (auto a = n.as_array()) {
    value::list l;
    for (std::size_t i = 0; i < a->size(); ++i) {
      const toml::node& e = *a->get(i);
      if (e.is_table() || e.is_array())
        fail(file, key, "nested lists and tables in lists are not supported", "a list of scalars",
             e.is_table() ? "a table" : "a nested list");
      l.push_back(from_node(e, key, file));
    }
    return value{std::move(l)};
  }
  fail(file, key, "unsupported TOML type", "boolean, integer, float, string or list", "a date/time");
}

void flatten(const toml::table& t, const std::string& prefix, const std::string& file,
             std::vector<std::pair<std::string, value>>& out) {
  for (auto&& [k, node] : t) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (auto sub = node.as_table())
      flatten(*sub, key, file, out);
    else
      out.emplace_back(key, from_node(node, key, file));
  }
}

std::string escape_string(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20)
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(c));
        else
          out += c;
    }
  }
  return out + "\"";
}

[[noreturn]] void unknown_key(const schema& s, const std::string& key, const std::string& file) {
  std::vector<std::string> names = s.keys();
  std::string hint = nearest_name(key, names);
  if (hint.empty()) {
    // Try the last component against every key's last component (a right name in the wrong table).
    const auto dot = key.rfind('.');
    const std::string leaf = dot == std::string::npos ? key : key.substr(dot + 1);
    for (const auto& f : s.fields())
      if (f.name == leaf) {
        hint = f.key();
        break;
      }
  }
  fail(file, key, "unknown key", hint.empty() ? "one of the keys `physec config show` lists" : "did you mean `" + hint + "`?",
       "`" + key + "`");
}

}  // namespace

[[noreturn]] void fail(const std::string& file, const std::string& key, const std::string& what,
                       const std::string& expected, const std::string& found) {
  throw error(what, {file, key, {}}, expected, found);
}

field* schema::find(const std::string& dotted_key) {
  for (auto& f : fields_)
    if (f.key() == dotted_key) return &f;
  return nullptr;
}

std::vector<std::string> schema::keys() const {
  std::vector<std::string> k;
  k.reserve(fields_.size());
  for (const auto& f : fields_) k.push_back(f.key());
  return k;
}

std::vector<std::pair<std::string, value>> parse_toml_leaves(std::string_view text, const std::string& file) {
  toml::table root;
  try {
    root = toml::parse(text, file);
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw error(std::string("TOML syntax error: ") + std::string(e.description()),
                {file, "line " + std::to_string(b.line) + ", column " + std::to_string(b.column), {}});
  }
  std::vector<std::pair<std::string, value>> leaves;
  flatten(root, "", file, leaves);
  return leaves;
}

void apply_leaves(schema& s, const std::vector<std::pair<std::string, value>>& leaves, const std::string& file) {
  for (const auto& [key, v] : leaves) {
    field* f = s.find(key);
    if (!f) unknown_key(s, key, file);
    f->read(v, {file, key, {}});
  }
}

void apply_override(schema& s, std::string_view assignment) {
  const std::string origin = "--set";
  const auto eq = assignment.find('=');
  if (eq == std::string_view::npos)
    throw error("override is not key=value", {origin, "", {}}, "key=value", "`" + std::string(assignment) + "`");
  const std::string key = trim(assignment.substr(0, eq));
  const std::string rhs = trim(assignment.substr(eq + 1));
  // One value per --set: a newline would let TOML parse a second assignment that is then silently dropped.
  if (rhs.find_first_of("\r\n") != std::string::npos)
    fail(origin, key, "one value per --set", "a single line", "a value spanning lines");
  field* f = s.find(key);
  if (!f) unknown_key(s, key, origin);
  value v;
  try {
    const toml::table t = toml::parse("v = " + rhs);
    v = from_node(*t.get("v"), key, origin);
  } catch (const toml::parse_error&) {
    // A bare word is accepted for string fields: --set profile=CDL-A
    if (f->type_name() != "string") fail(origin, key, "cannot parse value", f->type_name(), "`" + rhs + "`");
    v = value{rhs};
  }
  f->read(v, {origin, key, {}});
}

void validate_schema(const schema& s, const std::string& file) {
  for (const auto& f : s.fields()) f.check(f, file);
  for (const auto& c : s.checks()) c(file);
}

std::string format_real(double x) {
  if (std::isnan(x)) return "nan";
  if (std::isinf(x)) return x > 0 ? "inf" : "-inf";
  std::string s = fmt::format("{}", x);  // shortest representation that round-trips
  if (s.find_first_of(".eE") == std::string::npos) s += ".0";
  return s;
}

std::string value_traits<std::string>::print(const std::string& s) { return escape_string(s); }

std::string to_toml(const schema& s, std::string_view title) {
  std::string out;
  out += fmt::format("# {}\n", title);
  out += "# Effective configuration. `-c FILE` accepts this file back unchanged; `--set key=value` overrides one value.\n";
  out += "# Each value's comment says what it is [unit], its allowed range, and where the default comes from.\n";

  // Root fields first (TOML requires them before any table), then each table in order of first appearance.
  std::vector<std::string> sections{""};
  for (const auto& f : s.fields())
    if (std::find(sections.begin(), sections.end(), f.section) == sections.end()) sections.push_back(f.section);

  for (const auto& sec : sections) {
    if (!sec.empty()) {
      out += "\n";
      for (const auto& [name, doc] : s.section_docs())
        if (name == sec && !doc.empty()) out += "# " + doc + "\n";
      out += "[" + sec + "]\n";
    }
    for (const auto& f : s.fields()) {
      if (f.section != sec) continue;
      std::string note;
      if (f.lo && f.hi)
        note += fmt::format("; range [{}, {}]", detail::format_bound(*f.lo, f), detail::format_bound(*f.hi, f));
      else if (f.lo)
        note += fmt::format("; at least {}", detail::format_bound(*f.lo, f));
      if (!f.choices.empty()) note += "; one of: " + join(f.choices, ", ");
      if (!f.source.empty()) note += "; default: " + f.source;
      out += "\n# " + f.doc + note + "\n";
      out += f.name + " = " + f.print() + "\n";
    }
  }
  return out;
}

std::string read_config_text(const std::filesystem::path& path) {
  // A config is text of a few KiB; 16 MiB bounds what a mistaken path (a dataset, a log) can cost.
  require_regular_file(path, "a readable TOML file");
  return read_file(path, std::uintmax_t{16} << 20);
}

namespace detail {

std::string describe_value(const value& v) {
  return std::visit(
      [](const auto& x) -> std::string {
        using X = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<X, bool>)
          return fmt::format("boolean {}", x);
        else if constexpr (std::is_same_v<X, std::int64_t>)
          return fmt::format("integer {}", x);
        else if constexpr (std::is_same_v<X, double>)
          return "float " + format_real(x);
        else if constexpr (std::is_same_v<X, std::string>)
          return "string " + escape_string(x);
        else
          return fmt::format("a list of {}", x.size());
      },
      v.v);
}

void type_error(const error_location& where, const std::string& expected, const value& got) {
  throw error("wrong type", where, expected, describe_value(got));
}

std::string format_bound(double x, const field& f) {
  if (f.integral && std::isfinite(x) && std::abs(x) < 9.3e18) return fmt::format("{}", static_cast<long long>(x));
  return format_real(x);
}

void check_number(double x, const field& f, const std::string& file, std::optional<std::size_t> index) {
  const bool below = f.lo && !(x >= *f.lo);
  const bool above = f.hi && !(x <= *f.hi);
  if (!below && !above && !std::isnan(x)) return;
  std::string expected;
  if (f.lo && f.hi)
    expected = fmt::format("a value in [{}, {}]", format_bound(*f.lo, f), format_bound(*f.hi, f));
  else if (f.lo)
    expected = fmt::format("a value >= {}", format_bound(*f.lo, f));
  else
    expected = fmt::format("a value <= {}", format_bound(*f.hi, f));
  throw error("out of range", {file, f.key(), index}, expected, format_bound(x, f));
}

void check_choice(const std::string& x, const field& f, const std::string& file, std::optional<std::size_t> index) {
  if (f.choices.empty() || std::find(f.choices.begin(), f.choices.end(), x) != f.choices.end()) return;
  const std::string hint = nearest_name(x, f.choices);
  throw error("not an allowed value" + (hint.empty() ? std::string() : " (did you mean \"" + hint + "\"?)"),
              {file, f.key(), index}, "one of " + join(f.choices, ", "), "\"" + x + "\"");
}

void check_size(std::size_t n, const field& f, const std::string& file) {
  if (n >= f.min_size && n <= f.max_size) return;
  std::string expected = f.max_size == std::numeric_limits<std::size_t>::max()
                             ? fmt::format("at least {} element(s)", f.min_size)
                             : fmt::format("{} to {} element(s)", f.min_size, f.max_size);
  throw error("wrong list length", {file, f.key(), {}}, expected, std::to_string(n));
}

}  // namespace detail
}  // namespace physec::config
