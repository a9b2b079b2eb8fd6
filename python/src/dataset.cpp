// physec.dataset: the wiretap (PSKG) and mobility (PLA) datasets as dicts of numpy arrays, generated in process or
// read from their HDF5 files. The dict mirrors the file: one key per dataset (groups as nested dicts), the root
// attributes under "attrs".
#include <complex>
#include <cstdint>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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
  put_if(d, "clean_downlink", std::move(w.clean_downlink));
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
  labels["split_random"] = to_numpy(std::move(m.split_random));
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

/// The entry `key` of dict `d` (`path` names it in errors, as the HDF5 dataset it stands for); None when absent and
/// not `required`.
py::object entry(const py::dict& d, const char* key, const std::string& path, bool required) {
  if (d.contains(key)) return d[key];
  if (required) throw error("missing from the dict", {"", path, {}}, "an entry `" + std::string(key) + "`", "none");
  return py::none();
}

template <class T>
ndarray<T> array_entry(const py::dict& d, const char* key, const std::string& path, bool required = true) {
  const py::object v = entry(d, key, path, required);
  return v.is_none() ? ndarray<T>{} : from_numpy<T>(v, path);
}
template <class T>
std::vector<T> vector_entry(const py::dict& d, const char* key, const std::string& path, bool required = true) {
  const py::object v = entry(d, key, path, required);
  return v.is_none() ? std::vector<T>{} : vector_from_numpy<T>(v, path);
}
std::vector<std::string> strings_entry(const py::dict& d, const char* key, const std::string& path, bool required) {
  const py::object v = entry(d, key, path, required);
  return v.is_none() ? std::vector<std::string>{} : v.cast<std::vector<std::string>>();
}
py::dict dict_entry(const py::dict& d, const char* key) {
  return d.contains(key) ? py::dict(d[key]) : py::dict();
}

/// The inverse of wiretap_dict: the arrays (converted to the file's dtypes), labels and attrs (seed, config).
pd::wiretap_data wiretap_from_dict(const py::dict& d) {
  pd::wiretap_data w;
  w.alice = array_entry<std::complex<float>>(d, "alice", "/alice");
  w.bob = array_entry<std::complex<float>>(d, "bob", "/bob");
  w.eve = array_entry<std::complex<float>>(d, "eve", "/eve");
  w.eve_uplink = array_entry<std::complex<float>>(d, "eve_uplink", "/eve_uplink", false);
  w.clean = array_entry<std::complex<float>>(d, "clean", "/clean", false);
  w.clean_downlink = array_entry<std::complex<float>>(d, "clean_downlink", "/clean_downlink", false);
  const py::dict labels = py::dict(entry(d, "labels", "/labels", true));
  w.snr_dB = vector_entry<double>(labels, "snr_dB", "/labels/snr_dB");
  w.delay_spread_s = vector_entry<double>(labels, "delay_spread_s", "/labels/delay_spread_s");
  w.speed_mps = vector_entry<double>(labels, "speed_mps", "/labels/speed_mps");
  w.profile = strings_entry(labels, "profile", "/labels/profile", true);
  w.split = vector_entry<std::uint8_t>(labels, "split", "/labels/split");
  w.link = vector_entry<std::int32_t>(labels, "link", "/labels/link", false);
  w.time_s = vector_entry<double>(labels, "time_s", "/labels/time_s", false);
  w.coherence_time_s = vector_entry<double>(labels, "coherence_time_s", "/labels/coherence_time_s", false);
  w.eve_distance_wavelengths = vector_entry<double>(d, "eve_distance_wavelengths", "/eve_distance_wavelengths");
  w.eve_near = strings_entry(d, "eve_near", "/eve_near", false);
  const py::dict attrs = dict_entry(d, "attrs");
  if (attrs.contains("seed")) w.seed = attrs["seed"].cast<std::uint64_t>();
  if (attrs.contains("config")) w.config_toml = attrs["config"].cast<std::string>();
  return w;
}

/// The inverse of mobility_dict.
pd::mobility_data mobility_from_dict(const py::dict& d) {
  pd::mobility_data m;
  m.sequences = array_entry<float>(d, "sequences", "/sequences");
  m.csi = array_entry<std::complex<float>>(d, "csi", "/csi");
  const py::dict labels = py::dict(entry(d, "labels", "/labels", true));
  m.transmitter = vector_entry<std::int32_t>(labels, "transmitter", "/labels/transmitter");
  m.split_time = vector_entry<std::uint8_t>(labels, "split_time", "/labels/split_time");
  m.split_position = vector_entry<std::uint8_t>(labels, "split_position", "/labels/split_position");
  if (labels.contains("split_random"))  // optional: derived from split_time when absent, as for older files
    m.split_random = vector_entry<std::uint8_t>(labels, "split_random", "/labels/split_random");
  m.start_index = vector_entry<std::int64_t>(labels, "start_index", "/labels/start_index");
  m.snr_dB = array_entry<double>(labels, "snr_dB", "/labels/snr_dB");
  m.los = array_entry<std::uint8_t>(labels, "los", "/labels/los");
  m.positions_m = array_entry<double>(d, "positions_m", "/positions_m");
  m.velocities_mps = array_entry<double>(d, "velocities_mps", "/velocities_mps");
  const py::dict attrs = dict_entry(d, "attrs");
  if (attrs.contains("seed")) m.seed = attrs["seed"].cast<std::uint64_t>();
  if (attrs.contains("config")) m.config_toml = attrs["config"].cast<std::string>();
  if (attrs.contains("nof_legal")) m.nof_legal = attrs["nof_legal"].cast<int>();
  if (attrs.contains("sample_rate_Hz")) m.sample_rate_Hz = attrs["sample_rate_Hz"].cast<double>();
  if (attrs.contains("noise_variance")) m.noise_variance = attrs["noise_variance"].cast<double>();
  if (attrs.contains("feature_layout")) m.feature_layout = attrs["feature_layout"].cast<std::string>();
  return m;
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
      "bob_ant, sc, sym]; eve_uplink, clean, clean_downlink when generated; labels = {snr_dB, delay_spread_s, speed_mps float64 [n], "
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
      "then spoofers), split_time, split_position, split_random uint8 [n] (0 train, 1 validation, 2 test, 3 gap; "
      "split_random: the paper-like protocol), start_index int64 [n], snr_dB float64 [n, T], los uint8 [n, T]}; positions_m, velocities_mps float64 [n, T, 3]; attrs = "
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
      "write_wiretap",
      [](const std::string& path, const py::dict& data) {
        auto w = wiretap_from_dict(data);
        py::gil_scoped_release release;
        pd::write_wiretap(path, w);
      },
      py::arg("path"), py::arg("data"),
      "Writes a wiretap dict (the layout wiretap() returns; your own CSI too) as an HDF5 file the CLI reads "
      "(`physec keygen eval -d path`), atomically, after the reader's consistency checks (a missing entry, a shape "
      "or probe count that does not match raises physec.Error naming the dataset). Complex arrays are stored as "
      "complex64; attrs may give seed and config.");
  m.def(
      "write_mobility",
      [](const std::string& path, const py::dict& data) {
        auto d = mobility_from_dict(data);
        py::gil_scoped_release release;
        pd::write_mobility(path, d);
      },
      py::arg("path"), py::arg("data"),
      "Writes a mobility dict (the layout mobility() returns) as an HDF5 file the CLI reads (`physec auth eval -d "
      "path`), atomically, after the reader's checks; attrs may give seed, config, nof_legal, sample_rate_Hz, "
      "noise_variance, feature_layout.");
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
