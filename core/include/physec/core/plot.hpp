#pragma once
/// @file PNG plots through gnuplot (pngcairo): lines over a numeric x (sweeps, histories), optionally with a
/// confidence band per point, and grouped bars over categories (one bar per series and category), optionally with
/// error bars. The data and script go to a temporary folder; the PNG is written atomically. A missing gnuplot is
/// reported as a warning by the caller's choice, never a crash.

#include <filesystem>
#include <string>
#include <vector>

namespace physec {

/// One curve (lines) or one bar group member (bars): y over x, with a legend title. `y_low`/`y_high`, when both
/// have y's size, draw an interval per point (error bars). For bars, x is ignored: y[i] belongs to category i.
struct plot_series {
  std::string title;
  std::vector<double> x, y;
  std::vector<double> y_low = {}, y_high = {};
};

/// What kind of chart: lines over a numeric x, or grouped bars over categories.
enum class plot_kind { lines, bars };

/// A plot with axis labels; `log_y` for error-rate curves; `categories` name the bar groups (bars only).
struct plot_spec {
  std::string title, xlabel, ylabel;
  std::vector<plot_series> series;
  bool log_y = false;
  plot_kind kind = plot_kind::lines;
  std::vector<std::string> categories = {};
};

/// True when a gnuplot executable is on PATH.
bool gnuplot_available();
/// Writes the gnuplot script that renders `spec` into `output` and the data files it reads (named `data_prefix`.k.dat,
/// returned). Separate from rendering so the script can be tested without gnuplot.
std::string gnuplot_script(const plot_spec& spec, const std::filesystem::path& output,
                           const std::filesystem::path& data_prefix, std::vector<std::filesystem::path>& data_files);
/// Renders `spec` to a PNG at `png` (800x500). Throws physec::error naming the file when gnuplot fails.
void plot_png(const plot_spec& spec, const std::filesystem::path& png);

}  // namespace physec
