#include "physec/core/plot.hpp"

#include <fmt/format.h>

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
}  // namespace

void plot_png(const plot_spec& spec, const fs::path& png) {
  atomic_file out(png);
  const fs::path script = out.temp_path().string() + ".gp";
  std::vector<fs::path> data_files;
  {
    std::ofstream gp(script);
    gp << "set terminal pngcairo size 800,500 enhanced font 'sans,10'\n";
    gp << "set output " << quote(out.temp_path().string()) << "\n";
    gp << "set title " << quote(spec.title) << "\nset xlabel " << quote(spec.xlabel) << "\nset ylabel "
       << quote(spec.ylabel) << "\nset grid\nset key outside right\n";
    if (spec.log_y) gp << "set logscale y\n";
    std::string plot_cmd = "plot ";
    for (std::size_t k = 0; k < spec.series.size(); ++k) {
      const auto& s = spec.series[k];
      const fs::path dat = out.temp_path().string() + "." + std::to_string(k) + ".dat";
      std::ofstream d(dat);
      for (std::size_t i = 0; i < s.x.size() && i < s.y.size(); ++i)
        d << config::format_real(s.x[i]) << " " << config::format_real(s.y[i]) << "\n";
      data_files.push_back(dat);
      plot_cmd += fmt::format("{}{} using 1:2 with linespoints lw 2 title {}", k ? ", " : "", quote(dat.string()),
                              quote(s.title));
    }
    gp << plot_cmd << "\n";
  }
  const int rc = std::system(("gnuplot " + quote(script.string()) + " >/dev/null 2>&1").c_str());
  std::error_code ec;
  fs::remove(script, ec);
  for (const auto& d : data_files) fs::remove(d, ec);
  if (rc != 0 || !fs::exists(out.temp_path()))
    throw error("gnuplot failed to render the plot", {png.string(), "", {}}, "gnuplot with pngcairo", "exit status " + std::to_string(rc));
  out.commit();
}

}  // namespace physec
