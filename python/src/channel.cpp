// physec.channel: TR 38.901 CDL/TDL link generation on an OFDM grid.
#include <string>
#include <thread>
#include <vector>

#include "common.hpp"
#include "physec/channel/link.hpp"
#include "physec/channel/ofdm.hpp"
#include "physec/core/rng.hpp"

namespace physec::python {

namespace pc = physec::channel;

namespace {

/// `[count, sym, rx, tx, sc]` (generate_csi's order) -> `[count, rx, tx, sc, sym]` (the datasets' order).
ndarray<pc::cdouble> symbols_last(const ndarray<pc::cdouble>& h) {
  const std::size_t n = h.shape[0], nsym = h.shape[1], nrx = h.shape[2], ntx = h.shape[3], nsc = h.shape[4];
  ndarray<pc::cdouble> out({n, nrx, ntx, nsc, nsym});
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t t = 0; t < nsym; ++t)
      for (std::size_t r = 0; r < nrx; ++r)
        for (std::size_t s = 0; s < ntx; ++s)
          for (std::size_t k = 0; k < nsc; ++k) out(i, r, s, k, t) = h(i, t, r, s, k);
  return out;
}

unsigned thread_count(int threads) {
  return threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace

void bind_channel(py::module_& m) {
  m.def(
      "generate",
      [](const py::object& config, const py::object& grid, std::size_t count, std::uint64_t seed, std::size_t first,
         int threads) {
        const auto link = config_from_dict<pc::link_config>(config, {}, "", "channel config");
        const auto g = config_from_dict<pc::ofdm_grid>(grid, {}, "", "grid config");
        if (count == 0) throw error("no realisations asked for", {"", "count", {}}, ">= 1", "0");
        return to_numpy(without_gil([&] {
          const auto model = pc::make_link_model(link);
          return symbols_last(pc::generate_csi(*model, g, rng_stream(seed).derive("channel/link"), first, count,
                                               thread_count(threads)));
        }));
      },
      py::arg("config") = py::none(), py::arg("grid") = py::none(), py::arg("count") = 1, py::arg("seed") = 42,
      py::arg("first") = 0, py::arg("threads") = 0,
      "Frequency response of `count` independent realisations of a TR 38.901 link-level model (CDL-A..E "
      "§7.7.1, TDL-A..E §7.7.2) on an OFDM grid, symbol times from t = 0 (Doppler from the UE speed).\n"
      "config: dict of the link (profile 'CDL-C', delay_spread_s [s], carrier_Hz [Hz], speed_mps [m/s], "
      "direction_azimuth_deg, ..., tx = {nof_rows, nof_cols, polarisation, element, ...}, rx = {...}); "
      "physec.channel.default_config() lists every key with its unit and range.\n"
      "grid: dict scs_Hz [Hz], nof_subcarriers, nof_symbols.\n"
      "Realisation i is drawn from the stream derive('channel/link').at(first + i) of the master seed, so "
      "(seed, first, count) fixes the bytes whatever `threads` (0: all cores).\n"
      "Returns complex128 [count, nof_rx, nof_tx, nof_subcarriers, nof_symbols] (rx: the UE/Bob end; for CDL "
      "with normalise_power, E|H|^2 = 1 averaged over port pairs).");
  m.def(
      "default_config", [] { return config_toml(pc::link_config{}, "physec.channel.generate link configuration"); },
      "The link configuration keys with defaults, units, ranges and sources, as TOML text.");
  m.def(
      "default_grid", [] { return config_toml(pc::ofdm_grid{}, "physec.channel.generate grid configuration"); },
      "The OFDM grid keys with defaults, as TOML text.");
  m.def(
      "rms_delay_spread_s",
      [](const py::handle& delays, const py::handle& powers) {
        return pc::rms_delay_spread_s(vector_from_numpy<double>(delays, "delays_s"),
                                      vector_from_numpy<double>(powers, "powers"));
      },
      py::arg("delays_s"), py::arg("powers"),
      "RMS delay spread [s] of a power delay profile: delays_s [n] in s, powers [n] linear (any scale).");
}

}  // namespace physec::python
