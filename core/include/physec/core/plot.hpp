#pragma once
/// @file PNG line plots through gnuplot (pngcairo). The data and script go to a temporary folder; the PNG is
/// written atomically. A missing gnuplot is reported as a warning by the caller's choice, never a crash.

#include <filesystem>
#include <string>
#include <vector>

namespace physec {

/// One curve: y over x, with a legend title.
struct plot_series {
  std::string title;
  std::vector<double> x, y;
};

/// A line plot with axis labels; `log_y` for error-rate curves.
struct plot_spec {
  std::string title, xlabel, ylabel;
  std::vector<plot_series> series;
  bool log_y = false;
};

/// True when a gnuplot executable is on PATH.
bool gnuplot_available();
/// Renders `spec` to a PNG at `png` (800x500). Throws physec::error naming the file when gnuplot fails.
void plot_png(const plot_spec& spec, const std::filesystem::path& png);

}  // namespace physec
