#include "physec/dataset/mobility.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/version.hpp"

namespace physec::dataset {

namespace {

template <class A>
void check_finite(const A& a, const std::string& origin, const std::string& name) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    const auto v = a.data[i];
    bool ok = true;
    if constexpr (std::is_same_v<std::decay_t<decltype(v)>, std::complex<float>>)
      ok = std::isfinite(v.real()) && std::isfinite(v.imag());
    else
      ok = std::isfinite(static_cast<double>(v));
    if (!ok) throw error("non-finite value", {origin, name, i}, "finite numbers", "nan/inf");
  }
}

void check_shape(const shape_t& found, const shape_t& expected, const std::string& origin, const std::string& name) {
  if (found != expected)
    throw error(!found.empty() && !expected.empty() && found[0] != expected[0]
                    ? "sequence count differs from /sequences"
                    : "wrong shape",
                {origin, name, {}}, shape_string(expected), shape_string(found));
}

template <class V>
void check_count(const V& v, std::size_t n, const std::string& origin, const std::string& name) {
  if (v.size() != n)
    throw error("sequence count differs from /sequences", {origin, name, {}}, std::to_string(n) + " entries",
                std::to_string(v.size()));
}

void check_split(const std::vector<std::uint8_t>& s, const std::string& origin, const std::string& name) {
  for (std::size_t i = 0; i < s.size(); ++i)
    if (s[i] > m_unused)
      throw error("unknown split code", {origin, name, i}, "0 (train), 1 (validation), 2 (test) or 3 (unused)",
                  std::to_string(s[i]));
}

}  // namespace

void check_mobility(const mobility_data& d, const std::string& origin) {
  if (d.sequences.rank() != 3)
    throw error("wrong rank", {origin, "/sequences", {}}, "[nof_sequences, D, T]", shape_string(d.sequences.shape));
  const std::size_t n = d.sequences.shape[0], T = d.sequences.shape[2];
  if (n == 0) throw error("empty dataset", {origin, "/sequences", {}}, "at least one sequence", "0");
  if (T < 2) throw error("sequences too short", {origin, "/sequences", {}}, "T >= 2", std::to_string(T));
  if (d.csi.rank() != 4)
    throw error("wrong rank", {origin, "/csi", {}}, "[nof_sequences, T, nof_rx, nof_tx]", shape_string(d.csi.shape));
  check_shape(d.csi.shape, {n, T, d.csi.shape[2], d.csi.shape[3]}, origin, "/csi");
  if (d.sequences.shape[1] != 2 * d.csi.shape[2] * d.csi.shape[3])
    throw error("feature dimension does not match the CSI ports", {origin, "/sequences", {}},
                "D = 2 * nof_rx * nof_tx = " + std::to_string(2 * d.csi.shape[2] * d.csi.shape[3]),
                std::to_string(d.sequences.shape[1]));
  check_count(d.transmitter, n, origin, "/labels/transmitter");
  check_count(d.split_time, n, origin, "/labels/split_time");
  check_count(d.split_position, n, origin, "/labels/split_position");
  if (!d.split_random.empty()) check_count(d.split_random, n, origin, "/labels/split_random");
  check_count(d.start_index, n, origin, "/labels/start_index");
  check_shape(d.snr_dB.shape, {n, T}, origin, "/labels/snr_dB");
  check_shape(d.los.shape, {n, T}, origin, "/labels/los");
  check_shape(d.positions_m.shape, {n, T, 3}, origin, "/positions_m");
  check_shape(d.velocities_mps.shape, {n, T, 3}, origin, "/velocities_mps");
  if (d.nof_legal < 1)
    throw error("bad attribute", {origin, "/ (attribute nof_legal)", {}}, ">= 1", std::to_string(d.nof_legal));
  for (std::size_t i = 0; i < n; ++i)
    if (d.transmitter[i] < 0 || d.transmitter[i] > 255)
      throw error("transmitter label out of range", {origin, "/labels/transmitter", i}, "0..255",
                  std::to_string(d.transmitter[i]));
  const int nof_transmitters =
      n == 0 ? 0 : *std::max_element(d.transmitter.begin(), d.transmitter.end()) + 1;
  if (d.nof_legal > nof_transmitters)
    throw error("more legal transmitters than transmitters", {origin, "/ (attribute nof_legal)", {}},
                "at most " + std::to_string(nof_transmitters), std::to_string(d.nof_legal));
  check_split(d.split_time, origin, "/labels/split_time");
  check_split(d.split_position, origin, "/labels/split_position");
  check_split(d.split_random, origin, "/labels/split_random");
  check_finite(d.sequences, origin, "/sequences");
  check_finite(d.csi, origin, "/csi");
  check_finite(d.snr_dB, origin, "/labels/snr_dB");
  check_finite(d.positions_m, origin, "/positions_m");
  check_finite(d.velocities_mps, origin, "/velocities_mps");
}

void write_mobility(const std::filesystem::path& path, const mobility_data& d) {
  check_mobility(d, path.string());
  h5::writer w(path);
  const shape_t n{d.nof_sequences()};
  w.write("/sequences", d.sequences);
  w.write("/csi", d.csi);
  w.write("/labels/transmitter", n, d.transmitter.data());
  w.write("/labels/split_time", n, d.split_time.data());
  w.write("/labels/split_position", n, d.split_position.data());
  const auto split_random = d.split_random.empty() ? random_split(d.split_time) : d.split_random;
  w.write("/labels/split_random", n, split_random.data());
  w.write("/labels/start_index", n, d.start_index.data());
  w.write("/labels/snr_dB", d.snr_dB);
  w.write("/labels/los", d.los);
  w.write("/positions_m", d.positions_m);
  w.write("/velocities_mps", d.velocities_mps);
  w.attribute("/", "schema", std::string(k_mobility_schema));
  w.attribute("/", "physec_version", version());
  w.attribute("/", "seed", static_cast<std::int64_t>(d.seed));
  w.attribute("/", "config", d.config_toml);
  w.attribute("/", "nof_legal", static_cast<std::int64_t>(d.nof_legal));
  w.attribute("/", "sample_rate_Hz", d.sample_rate_Hz);
  w.attribute("/", "noise_variance", d.noise_variance);
  w.attribute("/", "feature_layout", d.feature_layout);
  w.attribute("/sequences", "layout", std::string("[nof_sequences, D, T]"));
  w.attribute("/csi", "layout", std::string("[nof_sequences, T, nof_rx, nof_tx]"));
  w.attribute("/labels/transmitter", "meaning", std::string("0..nof_legal-1 legal, the rest spoofers"));
  w.attribute("/labels/split_time", "meaning", std::string("0 train, 1 validation, 2 test, 3 unused (gap)"));
  w.attribute("/labels/split_position", "meaning", std::string("0 train, 1 validation, 2 test, 3 unused (gap)"));
  w.attribute("/labels/split_random", "meaning",
              std::string("split_time's codes shuffled over the sequences: the paper-like protocol, training and test "
                          "sequences share stretches of trajectory"));
  w.commit();
}

mobility_data read_mobility(const std::filesystem::path& path) {
  const std::string file = path.string();
  h5::reader r(path);
  if (!r.has_attribute("/", "schema") || r.string_attribute("/", "schema") != k_mobility_schema)
    throw error(
        "not a mobility dataset", {file, "/ (attribute schema)", {}}, k_mobility_schema,
        r.has_attribute("/", "schema") ? r.string_attribute("/", "schema") : std::string("no schema attribute"));
  mobility_data d;
  using opt = std::optional<std::size_t>;
  d.sequences = r.read<float>("/sequences", {opt{}, opt{}, opt{}});
  d.csi = r.read<std::complex<float>>("/csi", {opt{}, opt{}, opt{}, opt{}});
  d.transmitter = r.read<std::int32_t>("/labels/transmitter", {opt{}}).data;
  d.split_time = r.read<std::uint8_t>("/labels/split_time", {opt{}}).data;
  d.split_position = r.read<std::uint8_t>("/labels/split_position", {opt{}}).data;
  d.split_random = r.has("/labels/split_random") ? r.read<std::uint8_t>("/labels/split_random", {opt{}}).data
                                                 : random_split(d.split_time);  // files from before issue #19
  d.start_index = r.read<std::int64_t>("/labels/start_index", {opt{}}).data;
  d.snr_dB = r.read<double>("/labels/snr_dB", {opt{}, opt{}});
  d.los = r.read<std::uint8_t>("/labels/los", {opt{}, opt{}});
  d.positions_m = r.read<double>("/positions_m", {opt{}, opt{}, opt{}});
  d.velocities_mps = r.read<double>("/velocities_mps", {opt{}, opt{}, opt{}});
  if (r.has_attribute("/", "seed")) d.seed = static_cast<std::uint64_t>(r.number_attribute("/", "seed"));
  if (r.has_attribute("/", "config")) d.config_toml = r.string_attribute("/", "config");
  if (r.has_attribute("/", "nof_legal")) d.nof_legal = static_cast<int>(r.number_attribute("/", "nof_legal"));
  if (r.has_attribute("/", "sample_rate_Hz")) d.sample_rate_Hz = r.number_attribute("/", "sample_rate_Hz");
  if (r.has_attribute("/", "noise_variance")) d.noise_variance = r.number_attribute("/", "noise_variance");
  if (r.has_attribute("/", "feature_layout")) d.feature_layout = r.string_attribute("/", "feature_layout");
  check_mobility(d, file);
  return d;
}

std::vector<std::uint8_t> random_split(const std::vector<std::uint8_t>& split_time) {
  std::vector<std::uint8_t> out = split_time;
  // Fisher-Yates with a fixed public seed: the split is a function of split_time alone, so a file without the array
  // gets the same labels as one that stores it.
  rng_stream rng = rng_stream(19).derive("dataset/mobility/split_random");
  for (std::size_t i = out.size(); i > 1; --i) std::swap(out[i - 1], out[rng.uniform_int(i)]);
  return out;
}

const std::vector<std::string>& split_protocols() {
  static const std::vector<std::string> names{"time", "position", "random"};
  return names;
}

const std::vector<std::uint8_t>& split_labels(const mobility_data& d, const std::string& protocol,
                                              const std::string& field) {
  if (protocol == "time") return d.split_time;
  if (protocol == "position") return d.split_position;
  if (protocol == "random") {
    if (d.split_random.size() != d.split_time.size())
      throw error("no paper-like split in this data", {"", field, {}}, std::to_string(d.split_time.size()) + " labels",
                  std::to_string(d.split_random.size()));
    return d.split_random;
  }
  throw error("unknown split protocol", {"", field, {}}, "time, position or random", protocol);
}

std::vector<std::size_t> split_indices(const std::vector<std::uint8_t>& split, std::uint8_t code) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < split.size(); ++i)
    if (split[i] == code) out.push_back(i);
  return out;
}

place_distance distance_to_training(const mobility_data& d, const std::vector<std::uint8_t>& split, std::uint8_t code) {
  const std::size_t T = d.nof_steps();
  std::vector<std::size_t> probes;  // up to five sample indices per sequence: first, quarters, last
  for (std::size_t k = 0; k <= 4 && T > 0; ++k) {
    const std::size_t t = k * (T - 1) / 4;
    if (probes.empty() || probes.back() != t) probes.push_back(t);
  }
  place_distance out;
  double sum = 0;
  for (std::size_t q = 0; q < d.nof_sequences(); ++q) {
    if (split[q] != code) continue;
    double seq_sum = 0;
    for (const auto t : probes) {
      double best = std::numeric_limits<double>::infinity();
      for (std::size_t r = 0; r < d.nof_sequences(); ++r) {
        if (split[r] != m_train || d.transmitter[r] != d.transmitter[q]) continue;
        for (std::size_t u = 0; u < T; ++u) {
          double s2 = 0;
          for (std::size_t c = 0; c < 3; ++c) {
            const double e = d.positions_m(q, t, c) - d.positions_m(r, u, c);
            s2 += e * e;
          }
          best = std::min(best, s2);
        }
      }
      seq_sum += std::sqrt(best);
    }
    const double m = seq_sum / static_cast<double>(probes.size());
    sum += m;
    out.max = std::max(out.max, m);
    ++out.nof_sequences;
  }
  if (out.nof_sequences == 0) return {std::nan(""), std::nan(""), 0};
  out.mean = sum / static_cast<double>(out.nof_sequences);
  return out;
}

ndarray<float> select_sequences(const ndarray<float>& sequences, const std::vector<std::size_t>& index) {
  const std::size_t per = sequences.shape[1] * sequences.shape[2];
  ndarray<float> out({index.size(), sequences.shape[1], sequences.shape[2]});
  for (std::size_t i = 0; i < index.size(); ++i)
    std::copy_n(sequences.data.begin() + static_cast<std::ptrdiff_t>(index[i] * per), per,
                out.data.begin() + static_cast<std::ptrdiff_t>(i * per));
  return out;
}

}  // namespace physec::dataset
