#include "physec/core/plot.hpp"

#include <fmt/format.h>

#include <cmath>
#include <cstdlib>
#include <fstream>

#include "physec/core/atomic_file.hpp"
#include "physec/core/config.hpp"
#include "physec/core/error.hpp"

namespace physec {
namespace fs = std::filesystem;

bool gnuplot_available() { return std::system("command -v gnuplot >/dev/null 2>&1") == 0; }

namespace {
std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}

// A number gnuplot reads; NaN (a missing bar or point) as gnuplot's own NaN.
std::string number(double v) { return std::isfinite(v) ? config::format_real(v) : std::string("NaN"); }

bool has_interval(const plot_series& s) { return s.y_low.size() == s.y.size() && s.y_high.size() == s.y.size(); }

void check_spec(const plot_spec& spec) {
  for (const auto& s : spec.series) {
    const bool partial = (!s.y_low.empty() || !s.y_high.empty()) && !has_interval(s);
    const bool bars_short = spec.kind == plot_kind::bars && s.y.size() != spec.categories.size();
    if (partial || bars_short)
      throw error("inconsistent plot data", {"", "plot series " + s.title, {}},
                  bars_short ? std::to_string(spec.categories.size()) + " values (one per category)"
                             : std::to_string(s.y.size()) + " interval bounds",
                  bars_short ? std::to_string(s.y.size()) : std::to_string(s.y_low.size()));
  }
}
}  // namespace

std::string gnuplot_script(const plot_spec& spec, const fs::path& output, const fs::path& data_prefix,
                           std::vector<fs::path>& data_files) {
  check_spec(spec);
  std::string gp = "set terminal pngcairo size 800,500 enhanced font 'sans,10'\n";
  gp += "set output " + quote(output.string()) + "\n";
  gp += "set title " + quote(spec.title) + "\nset xlabel " + quote(spec.xlabel) + "\nset ylabel " +
        quote(spec.ylabel) + "\nset grid\nset key outside right\n";
  if (spec.log_y) gp += "set logscale y\n";
  std::string plot_cmd = "plot ";
  if (spec.kind == plot_kind::bars) {
    // One data file: a row per category, then (y, low, high) per series; gnuplot's clustered histogram.
    const bool intervals = !spec.series.empty() && has_interval(spec.series.front());
    gp += intervals ? "set style data histogram\nset style histogram errorbars gap 1 lw 1\n"
                    : "set style data histogram\nset style histogram clustered gap 1\n";
    gp += "set style fill solid 0.7 border -1\nset boxwidth 0.9\nset xtics rotate by -30\nset yrange [0:*]\n";
    const fs::path dat = data_prefix.string() + ".0.dat";
    std::ofstream d(dat);
    for (std::size_t c = 0; c < spec.categories.size(); ++c) {
      d << '"' << spec.categories[c] << '"';
      for (const auto& s : spec.series) {
        d << ' ' << number(s.y[c]);
        if (intervals) d << ' ' << number(has_interval(s) ? s.y_low[c] : s.y[c]) << ' ' << number(has_interval(s) ? s.y_high[c] : s.y[c]);
      }
      d << '\n';
    }
    data_files.push_back(dat);
    const std::size_t cols = intervals ? 3 : 1;
    for (std::size_t k = 0; k < spec.series.size(); ++k) {
      const std::size_t y = 2 + cols * k;
      const std::string using_ = intervals ? fmt::format("{}:{}:{}", y, y + 1, y + 2) : std::to_string(y);
      plot_cmd += fmt::format("{}{} using {}{} title {}", k ? ", " : "", k ? "''" : quote(dat.string()), using_,
                              k ? "" : ":xtic(1)", quote(spec.series[k].title));
    }
  } else {
    for (std::size_t k = 0; k < spec.series.size(); ++k) {
      const auto& s = spec.series[k];
      const fs::path dat = data_prefix.string() + "." + std::to_string(k) + ".dat";
      std::ofstream d(dat);
      const bool intervals = has_interval(s);
      for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i) {
        d << number(s.x[i]) << " " << number(s.y[i]);
        if (intervals) d << " " << number(s.y_low[i]) << " " << number(s.y_high[i]);
        d << "\n";
      }
      data_files.push_back(dat);
      plot_cmd += fmt::format("{}{} using {} with {} lw 2 title {}", k ? ", " : "", quote(dat.string()),
                              intervals ? "1:2:3:4" : "1:2", intervals ? "yerrorlines" : "linespoints",
                              quote(s.title));
    }
  }
  return gp + plot_cmd + "\n";
}

void plot_png(const plot_spec& spec, const fs::path& png) {
  atomic_file out(png);
  const fs::path script = out.temp_path().string() + ".gp";
  std::vector<fs::path> data_files;
  {
    const std::string text = gnuplot_script(spec, out.temp_path(), out.temp_path(), data_files);
    std::ofstream gp(script);
    gp << text;
  }
  const int rc = std::system(("gnuplot " + quote(script.string()) + " >/dev/null 2>&1").c_str());
  std::error_code ec;
  fs::remove(script, ec);
  for (const auto& d : data_files) fs::remove(d, ec);
  if (rc != 0 || !fs::exists(out.temp_path()))
    throw error("gnuplot failed to render the plot", {png.string(), "", {}}, "gnuplot with pngcairo",
                "exit status " + std::to_string(rc));
  out.commit();
}

}  // namespace physec
