#include "physec/channel/ofdm.hpp"

namespace physec::channel {

void ofdm_grid::describe(physec::config::schema& s) {
  s.add("scs_Hz", scs_Hz, "subcarrier spacing [Hz]")
      .range(15e3, 240e3)
      .source("TS 38.211 Table 4.2-1; DESIGN.md 4 (30 kHz)");
  s.add("nof_subcarriers", nof_subcarriers, "sampled subcarriers").range(1, 3300).source("DESIGN.md 4 (72)");
  s.add("nof_symbols", nof_symbols, "OFDM symbols per probe").range(1, 140).source("TS 38.211 4.3.2 (14 per slot)");
}

std::vector<double> ofdm_grid::subcarrier_offsets_Hz() const {
  std::vector<double> f(nof_subcarriers);
  for (std::size_t k = 0; k < nof_subcarriers; ++k)
    f[k] = (static_cast<double>(k) - static_cast<double>(nof_subcarriers / 2)) * scs_Hz;
  return f;
}

std::vector<double> ofdm_grid::symbol_times_s(double t0_s) const {
  std::vector<double> t(nof_symbols);
  for (std::size_t l = 0; l < nof_symbols; ++l) t[l] = t0_s + static_cast<double>(l) * symbol_duration_s();
  return t;
}

}  // namespace physec::channel
