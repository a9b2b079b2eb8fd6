// physec.dataset: the wiretap (PSKG) and mobility (PLA) datasets as dicts of numpy arrays, generated in process or
// read from their HDF5 files. The dict mirrors the file: one key per dataset (groups as nested dicts), the root
// attributes under "attrs".
#include <string>
#include <thread>
#include <utility>

#include "common.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/version.hpp"
#include "physec/dataset/mobility.hpp"
#include "physec/dataset/mobility_generator.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/dataset/wiretap_generator.hpp"

namespace physec::python {

namespace pd = physec::dataset;

namespace {

unsigned thread_count(int threads) {
  return threads > 0 ? static_cast<unsigned>(threads) : std::max(1u, std::thread::hardware_concurrency());
}

template <class T>
void put_if(py::dict& d, const char* key, ndarray<T>&& a) {
  if (a.size() != 0) d[key] = to_numpy(std::move(a));
}
template <class T>
void put_if(py::dict& d, const char* key, std::vector<T>&& v) {
  if (!v.empty()) d[key] = to_numpy(std::move(v));
}

py::dict wiretap_dict(pd::wiretap_data&& w) {
  py::dict d, labels, attrs;
  d["alice"] = to_numpy(std::move(w.alice));
  d["bob"] = to_numpy(std::move(w.bob));
  d["eve"] = to_numpy(std::move(w.eve));
  put_if(d, "eve_uplink", std::move(w.eve_uplink));
  put_if(d, "clean", std::move(w.clean));
  labels["snr_dB"] = to_numpy(std::move(w.snr_dB));
  labels["delay_spread_s"] = to_numpy(std::move(w.delay_spread_s));
  labels["speed_mps"] = to_numpy(std::move(w.speed_mps));
  labels["profile"] = w.profile;
  labels["split"] = to_numpy(std::move(w.split));
  put_if(labels, "link", std::move(w.link));
  put_if(labels, "time_s", std::move(w.time_s));
  put_if(labels, "coherence_time_s", std::move(w.coherence_time_s));
  d["labels"] = labels;
  d["eve_distance_wavelengths"] = to_numpy(std::move(w.eve_distance_wavelengths));
  if (!w.eve_near.empty()) d["eve_near"] = w.eve_near;
  attrs["schema"] = pd::k_wiretap_schema;
  attrs["seed"] = w.seed;
  attrs["config"] = w.config_toml;
  d["attrs"] = attrs;
  return d;
}

py::dict mobility_dict(pd::mobility_data&& m) {
  py::dict d, labels, attrs;
  d["sequences"] = to_numpy(std::move(m.sequences));
  d["csi"] = to_numpy(std::move(m.csi));
  labels["transmitter"] = to_numpy(std::move(m.transmitter));
  labels["split_time"] = to_numpy(std::move(m.split_time));
  labels["split_position"] = to_numpy(std::move(m.split_position));
  labels["start_index"] = to_numpy(std::move(m.start_index));
  labels["snr_dB"] = to_numpy(std::move(m.snr_dB));
  labels["los"] = to_numpy(std::move(m.los));
  d["labels"] = labels;
  d["positions_m"] = to_numpy(std::move(m.positions_m));
  d["velocities_mps"] = to_numpy(std::move(m.velocities_mps));
  attrs["schema"] = pd::k_mobility_schema;
  attrs["seed"] = m.seed;
  attrs["config"] = m.config_toml;
  attrs["nof_legal"] = m.nof_legal;
  attrs["sample_rate_Hz"] = m.sample_rate_Hz;
  attrs["noise_variance"] = m.noise_variance;
  attrs["feature_layout"] = m.feature_layout;
  d["attrs"] = attrs;
  return d;
}

}  // namespace

void bind_dataset(py::module_& m) {
  m.def(
      "wiretap",
      [](const py::object& config, std::uint64_t seed, int threads, bool paper_preset) {
        pd::wiretap_config start;
        if (paper_preset) pd::apply_paper_preset(start);
        auto cfg = config_from_dict(config, start, "wiretap", "wiretap config");
        pd::wiretap_data w;
        {
          py::gil_scoped_release release;
          // The stream `physec dataset wiretap` uses (app/cmd_dataset.cpp), so the same config and seed give the
          // same bytes as the file the CLI writes (tests/python/test_channel_dataset.py checks it).
          w = pd::generate_wiretap(cfg, rng_stream(seed).derive("dataset/wiretap"), thread_count(threads), nullptr);
        }
        w.seed = seed;
        w.config_toml = config::show(cfg, "physec.dataset.wiretap configuration ([wiretap] section)");
        return wiretap_dict(std::move(w));
      },
      py::arg("config") = py::none(), py::arg("seed") = 42, py::arg("threads") = 0, py::arg("paper_preset") = false,
      "The PSKG wiretap dataset (docs/datasets.md), as `physec dataset wiretap` generates it for the same config "
      "and seed (byte-equal arrays).\nconfig: dict of the [wiretap] section (profiles, delay_spreads_s [s], "
      "speeds_mps [m/s], snrs_dB [dB], eve_distances_wavelengths [lambda], probes_per_setting, grid = {...}, "
      "impairments = {...}, ...); physec.dataset.default_wiretap_config() lists them. threads: 0 = all cores.\n"
      "Returns dict: alice, bob complex64 [n, alice_ant, bob_ant, sc, sym]; eve complex64 [n, nof_eve, alice_ant, "
      "bob_ant, sc, sym]; eve_uplink, clean when generated; labels = {snr_dB, delay_spread_s, speed_mps float64 [n], "
      "profile list[str], split uint8 [n] (0 train, 1 validation, 2 test), link int32, time_s, coherence_time_s}; "
      "eve_distance_wavelengths float64 [nof_eve]; eve_near list[str]; attrs = {schema, seed, config}.");
  m.def(
      "mobility",
      [](const py::object& config, std::uint64_t seed, int threads, bool paper_preset) {
        pd::mobility_config start;
        if (paper_preset) pd::apply_paper_preset(start);
        auto cfg = config_from_dict(config, start, "mobility", "mobility config");
        pd::mobility_data d;
        {
          py::gil_scoped_release release;
          d = pd::generate_mobility(cfg, rng_stream(seed).derive("dataset/mobility"), thread_count(threads), nullptr);
        }
        d.seed = seed;
        d.config_toml = config::show(cfg, "physec.dataset.mobility configuration ([mobility] section)");
        return mobility_dict(std::move(d));
      },
      py::arg("config") = py::none(), py::arg("seed") = 42, py::arg("threads") = 0, py::arg("paper_preset") = false,
      "The PLA mobility dataset (TDGCN paper Table I), as `physec dataset mobility` generates it.\nconfig: dict of "
      "the [mobility] section (nof_legal, nof_spoofers, samples_per_transmitter, sequence_length, speed_mps [m/s], "
      "snr_dB [dB], ...); physec.dataset.default_mobility_config() lists them.\nReturns dict: sequences float32 "
      "[n, D, T] (D = 2 rx tx), csi complex64 [n, T, nof_rx, nof_tx]; labels = {transmitter int32 [n] (0.. legal, "
      "then spoofers), split_time, split_position uint8 [n] (0 train, 1 validation, 2 test, 3 gap), start_index "
      "int64 [n], snr_dB float64 [n, T], los uint8 [n, T]}; positions_m, velocities_mps float64 [n, T, 3]; attrs = "
      "{schema, seed, config, nof_legal, sample_rate_Hz [Hz], noise_variance, feature_layout}.");
  m.def(
      "read_wiretap",
      [](const std::string& path) {
        pd::wiretap_data w;
        {
          py::gil_scoped_release release;
          w = pd::read_wiretap(path);
        }
        return wiretap_dict(std::move(w));
      },
      py::arg("path"), "Reads and checks a wiretap HDF5 file -> the same dict as wiretap().");
  m.def(
      "read_mobility",
      [](const std::string& path) {
        pd::mobility_data d;
        {
          py::gil_scoped_release release;
          d = pd::read_mobility(path);
        }
        return mobility_dict(std::move(d));
      },
      py::arg("path"), "Reads and checks a mobility HDF5 file -> the same dict as mobility().");
  m.def(
      "default_wiretap_config",
      [] { return config_toml(pd::wiretap_config{}, "physec.dataset.wiretap configuration ([wiretap] section)"); },
      "The wiretap config keys with defaults, units, ranges and sources, as TOML text.");
  m.def(
      "default_mobility_config",
      [] { return config_toml(pd::mobility_config{}, "physec.dataset.mobility configuration ([mobility] section)"); },
      "The mobility config keys with defaults, units, ranges and sources, as TOML text.");
}

}  // namespace physec::python
