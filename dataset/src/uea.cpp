// UEA/UCR `.ts` reader (format: sktime's load_from_tsfile_to_dataframe; timeseriesclassification.com).
#include "physec/dataset/uea.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <sstream>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/strings.hpp"

namespace physec::dataset {

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::vector<std::string> words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> w;
  for (std::string x; in >> x;) w.push_back(x);
  return w;
}

/// Parses one float of a case; rejects missing values and garbage.
float parse_value(const std::string& field, const std::string& origin, std::size_t line, const std::string& where) {
  const std::string t = trim(field);
  const std::string loc = origin + ":" + std::to_string(line);
  if (t == "?" || lower(t) == "nan")
    throw error("missing value (not supported: impute before reading)", {loc, where, {}}, "a finite number", t);
  double v = 0;
  try {
    std::size_t used = 0;
    v = std::stod(t, &used);
    if (used != t.size()) throw std::invalid_argument(t);
  } catch (const std::exception&) {
    throw error("not a number", {loc, where, {}}, "a finite number", t.empty() ? "an empty field" : t);
  }
  if (!std::isfinite(v)) throw error("non-finite value", {loc, where, {}}, "a finite number", t);
  return static_cast<float>(v);
}

bool header_flag(const std::vector<std::string>& w, const std::string& loc, const std::string& key) {
  if (w.size() != 2 || (lower(w[1]) != "true" && lower(w[1]) != "false"))
    throw error("bad header value", {loc, key, {}}, "true or false", w.size() < 2 ? "nothing" : w[1]);
  return lower(w[1]) == "true";
}

}  // namespace

uea_data parse_uea(const std::string& text, const std::string& origin) {
  uea_data d;
  std::istringstream in(text);
  std::string raw;
  std::size_t line = 0;
  bool in_data = false, have_labels = false, equal_header = false;
  long dims_header = -1, length_header = -1;
  std::size_t D = 0, T = 0;  // T: the first series' length; the longest one once unequal lengths are allowed
  std::vector<std::vector<float>> rows;  // one per case and dimension, case-major
  while (std::getline(in, raw)) {
    ++line;
    const std::string s = trim(raw);
    const std::string loc = origin + ":" + std::to_string(line);
    if (s.empty() || s[0] == '#') continue;
    if (!in_data) {
      if (s[0] != '@') throw error("data before @data", {loc, "header", {}}, "'#', '@key value' or '@data'", s.substr(0, 20));
      const auto w = words(s);
      const std::string key = lower(w[0]);
      auto integer = [&](long& out) {
        if (w.size() != 2) throw error("bad header value", {loc, w[0], {}}, "one integer", std::to_string(w.size() - 1) + " words");
        try {
          std::size_t used = 0;
          out = std::stol(w[1], &used);
          if (used != w[1].size() || out <= 0) throw std::invalid_argument(w[1]);
        } catch (const std::exception&) {
          throw error("bad header value", {loc, w[0], {}}, "a positive integer", w[1]);
        }
      };
      if (key == "@problemname") {
        d.problem_name = w.size() > 1 ? w[1] : "";
      } else if (key == "@timestamps") {
        if (header_flag(w, loc, w[0])) throw error("time stamps not supported", {loc, w[0], {}}, "false", "true");
      } else if (key == "@missing") {
        (void)header_flag(w, loc, w[0]);  // missing values are rejected where they occur
      } else if (key == "@univariate") {
        (void)header_flag(w, loc, w[0]);
      } else if (key == "@equallength") {
        equal_header = header_flag(w, loc, w[0]);
      } else if (key == "@dimensions") {
        integer(dims_header);
      } else if (key == "@serieslength") {
        integer(length_header);
      } else if (key == "@classlabel") {
        if (w.size() < 2 || lower(w[1]) != "true")
          throw error("unlabelled data not supported", {loc, w[0], {}}, "true <labels...>", w.size() < 2 ? "nothing" : w[1]);
        if (w.size() < 4) throw error("too few class labels", {loc, w[0], {}}, "at least 2", std::to_string(w.size() - 2));
        d.class_names.assign(w.begin() + 2, w.end());
        have_labels = true;
      } else if (key == "@data") {
        if (!have_labels) throw error("no @classLabel before @data", {loc, "@classLabel", {}}, "@classLabel true <labels...>", "none");
        in_data = true;
      } else if (key == "@targetlabel") {
        throw error("regression targets not supported", {loc, w[0], {}}, "@classLabel", w[0]);
      }  // other keys (e.g. future metadata) carry nothing we use
      continue;
    }
    // One case: dim_1 : dim_2 : ... : dim_D : label
    const auto parts = split(s, ':');
    if (parts.size() < 2) throw error("case without label", {loc, "case", {}}, "dims separated by ':' then the label", s.substr(0, 20));
    const std::size_t nd = parts.size() - 1;
    const std::string label = trim(parts.back());
    const auto it = std::find(d.class_names.begin(), d.class_names.end(), label);
    if (it == d.class_names.end())
      throw error("unknown class label", {loc, "label", {}}, "one of " + join(d.class_names, " "), label);
    if (D == 0) {
      D = nd;
      if (dims_header > 0 && static_cast<std::size_t>(dims_header) != D)
        throw error("dimension count differs from @dimensions", {loc, "case", {}}, std::to_string(dims_header), std::to_string(D));
    } else if (nd != D) {
      throw error("dimension count differs from the first case", {loc, "case", {}}, std::to_string(D), std::to_string(nd));
    }
    for (std::size_t k = 0; k < nd; ++k) {
      const auto vals = split(parts[k], ',');
      const std::string where = "dimension " + std::to_string(k + 1);
      // An empty dimension would have no last value to pad with; "" splits to one empty field, rejected below.
      if (T == 0) {
        T = vals.size();
        if (length_header > 0 && static_cast<std::size_t>(length_header) != T)
          throw error("series length differs from @seriesLength", {loc, where, {}}, std::to_string(length_header),
                      std::to_string(T));
      } else if (vals.size() != T && (equal_header || length_header > 0)) {
        throw error("unequal series length although the header declares one length", {loc, where, {}},
                    std::to_string(T) + " values", std::to_string(vals.size()));
      }
      T = std::max(T, vals.size());
      auto& row = rows.emplace_back();
      for (std::size_t t = 0; t < vals.size(); ++t)
        row.push_back(parse_value(vals[t], origin, line, where + " value " + std::to_string(t + 1)));
    }
    d.labels.push_back(static_cast<std::int32_t>(it - d.class_names.begin()));
  }
  if (!in_data) throw error("no @data section", {origin, "@data", {}}, "a '@data' line", "none");
  if (d.labels.empty()) throw error("no cases", {origin, "@data", {}}, "at least one case", "none");
  // Unequal lengths: every series is padded at its end to the longest one by holding its last value.
  d.series = ndarray<float>({d.labels.size(), D, T});
  d.lengths.reserve(rows.size());
  for (std::size_t r = 0; r < rows.size(); ++r) {
    float* out = d.series.ptr() + r * T;
    std::copy(rows[r].begin(), rows[r].end(), out);
    std::fill(out + rows[r].size(), out + T, rows[r].back());
    d.lengths.push_back(rows[r].size());
  }
  return d;
}

uea_data read_uea(const std::filesystem::path& path) {
  require_regular_file(path, "a readable .ts file");
  return parse_uea(read_file(path), path.string());
}

void pad_uea(uea_data& d, std::size_t nof_steps) {
  const std::size_t n = d.nof_cases(), D = d.nof_dims(), T = d.nof_steps();
  if (nof_steps <= T) return;
  ndarray<float> padded({n, D, nof_steps});
  for (std::size_t r = 0; r < n * D; ++r) {
    const float* in = d.series.ptr() + r * T;
    std::copy(in, in + T, padded.ptr() + r * nof_steps);
    std::fill(padded.ptr() + r * nof_steps + T, padded.ptr() + (r + 1) * nof_steps, in[T - 1]);
  }
  d.series = std::move(padded);
}

void pad_uea_pair(uea_data& train, uea_data& test) {
  const auto T = std::max(train.nof_steps(), test.nof_steps());
  pad_uea(train, T);
  pad_uea(test, T);
}

bool uea_data::equal_length() const {
  return std::all_of(lengths.begin(), lengths.end(), [&](std::size_t n) { return n == nof_steps(); });
}

void check_uea_compatible(const uea_data& train, const uea_data& test, const std::string& test_origin) {
  // Two equal-length files of different lengths are two different problems; unequal-length ones are padded.
  if (test.nof_dims() != train.nof_dims() ||
      (test.nof_steps() != train.nof_steps() && train.equal_length() && test.equal_length()))
    throw error("shape differs from the training file", {test_origin, "series", {}},
                "[?, " + std::to_string(train.nof_dims()) + ", " + std::to_string(train.nof_steps()) + "]",
                shape_string(test.series.shape));
  if (test.class_names != train.class_names)
    throw error("class labels differ from the training file", {test_origin, "@classLabel", {}},
                join(train.class_names, " "), join(test.class_names, " "));
}

}  // namespace physec::dataset
