#include "physec/dataset/wiretap.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/version.hpp"

namespace physec::dataset {

namespace {

void check_finite(const ndarray<std::complex<float>>& a, const std::string& origin, const std::string& name) {
  for (std::size_t i = 0; i < a.size(); ++i)
    if (!std::isfinite(a.data[i].real()) || !std::isfinite(a.data[i].imag()))
      throw error("non-finite CSI value", {origin, name, i}, "finite numbers",
                  std::to_string(a.data[i].real()) + (a.data[i].imag() < 0 ? "" : "+") + std::to_string(a.data[i].imag()) + "j");
}

template <class V>
void check_count(const V& v, std::size_t n, const std::string& origin, const std::string& name) {
  if (v.size() != n)
    throw error("probe count differs from /alice", {origin, name, {}}, std::to_string(n) + " entries",
                std::to_string(v.size()));
}

}  // namespace

void check_wiretap(const wiretap_data& d, const std::string& origin) {
  if (d.alice.rank() != 5)
    throw error("wrong rank", {origin, "/alice", {}}, "[nof_probes, nof_alice_ant, nof_bob_ant, nof_subcarriers, nof_symbols]",
                shape_string(d.alice.shape));
  const std::size_t n = d.alice.shape[0];
  if (d.bob.shape != d.alice.shape) {
    const std::string what = d.bob.rank() == 5 && d.bob.shape[0] != n ? "probe count differs from /alice" : "shape differs from /alice";
    throw error(what, {origin, "/bob", {}}, shape_string(d.alice.shape), shape_string(d.bob.shape));
  }
  if (!d.clean.shape.empty() && d.clean.shape != d.alice.shape)
    throw error("shape differs from /alice", {origin, "/clean", {}}, shape_string(d.alice.shape), shape_string(d.clean.shape));
  if (!d.clean_downlink.shape.empty() && d.clean_downlink.shape != d.alice.shape)
    throw error("shape differs from /alice", {origin, "/clean_downlink", {}}, shape_string(d.alice.shape),
                shape_string(d.clean_downlink.shape));
  shape_t eve_shape = d.alice.shape;
  eve_shape.insert(eve_shape.begin() + 1, d.eve_distance_wavelengths.size());
  if (d.eve.shape != eve_shape)
    throw error(d.eve.rank() == 6 && d.eve.shape[0] != n ? "probe count differs from /alice" : "wrong shape",
                {origin, "/eve", {}}, shape_string(eve_shape), shape_string(d.eve.shape));
  if (!d.eve_uplink.shape.empty()) {
    const auto& u = d.eve_uplink.shape;
    if (u.size() != 6 || u[0] != n || u[1] != d.eve_distance_wavelengths.size() || u[4] != d.alice.shape[3] ||
        u[5] != d.alice.shape[4])
      throw error("wrong shape", {origin, "/eve_uplink", {}},
                  "[" + std::to_string(n) + ", " + std::to_string(d.eve_distance_wavelengths.size()) + ", ?, ?, " +
                      std::to_string(d.alice.shape[3]) + ", " + std::to_string(d.alice.shape[4]) + "]",
                  shape_string(u));
  }
  check_count(d.snr_dB, n, origin, "/labels/snr_dB");
  check_count(d.delay_spread_s, n, origin, "/labels/delay_spread_s");
  check_count(d.speed_mps, n, origin, "/labels/speed_mps");
  check_count(d.profile, n, origin, "/labels/profile");
  check_count(d.split, n, origin, "/labels/split");
  if (!d.link.empty()) check_count(d.link, n, origin, "/labels/link");
  if (!d.eve_near.empty() && d.eve_near.size() != d.eve_distance_wavelengths.size())
    throw error("count differs from /eve_distance_wavelengths", {origin, "/eve_near", {}},
                std::to_string(d.eve_distance_wavelengths.size()), std::to_string(d.eve_near.size()));
  if (!d.time_s.empty()) check_count(d.time_s, n, origin, "/labels/time_s");
  if (!d.coherence_time_s.empty()) check_count(d.coherence_time_s, n, origin, "/labels/coherence_time_s");
  for (std::size_t i = 0; i < n; ++i)
    if (d.split[i] > split_label::test)
      throw error("unknown split label", {origin, "/labels/split", i}, "0 (train), 1 (validation) or 2 (test)",
                  std::to_string(d.split[i]));
  // Every real label: NaN/Inf would pass through grouping and fail late (in gnuplot, after outputs exist).
  const auto finite = [&](const std::vector<double>& v, const char* field) {
    for (std::size_t i = 0; i < v.size(); ++i)
      if (!std::isfinite(v[i])) throw error("non-finite label", {origin, field, i}, "a finite number", "nan/inf");
  };
  finite(d.snr_dB, "/labels/snr_dB");
  finite(d.delay_spread_s, "/labels/delay_spread_s");
  finite(d.eve_distance_wavelengths, "/eve_distance_wavelengths");
  finite(d.speed_mps, "/labels/speed_mps");  // (time_s is NaN by design for i.i.d. probes)
  finite(d.coherence_time_s, "/labels/coherence_time_s");
  if (d.eve_distance_wavelengths.empty())
    throw error("no Eve positions", {origin, "/eve_distance_wavelengths", {}}, "at least one", "none");
  check_finite(d.alice, origin, "/alice");
  check_finite(d.bob, origin, "/bob");
  check_finite(d.eve, origin, "/eve");
  check_finite(d.clean, origin, "/clean");
  check_finite(d.clean_downlink, origin, "/clean_downlink");
  check_finite(d.eve_uplink, origin, "/eve_uplink");
}

struct wiretap_writer::impl {
  h5::writer w;
  bool uplink = false;  // /eve_uplink created
  bool clean = false;   // /clean created
  bool clean_downlink = false;  // /clean_downlink created
  explicit impl(const std::filesystem::path& path) : w(path) {}
};

wiretap_writer::wiretap_writer(const std::filesystem::path& path, std::size_t nof_probes)
    : p_(std::make_unique<impl>(path)), nof_probes_(nof_probes) {}

wiretap_writer::~wiretap_writer() = default;  // unfinished: h5::writer removes its temporary

namespace {

template <class V>
void append_labels(V& to, const V& from) {
  to.insert(to.end(), from.begin(), from.end());
}

/// `[n, rest...]` of a block's array, with n = all probes of the file.
shape_t with_rows(shape_t s, std::size_t n) {
  s.at(0) = n;
  return s;
}

}  // namespace

void wiretap_writer::append(const wiretap_data& block) {
  const std::string file = p_->w.path().string();
  check_wiretap(block, file);
  const std::size_t rows = block.nof_probes();
  if (written_ + rows > nof_probes_)
    throw error("more probes than the file was made for", {file, "/alice", {}}, std::to_string(nof_probes_),
                std::to_string(written_ + rows));
  auto& w = p_->w;
  if (written_ == 0) {
    labels_.eve_distance_wavelengths = block.eve_distance_wavelengths;
    labels_.eve_near = block.eve_near;
    alice_shape_ = with_rows(block.alice.shape, nof_probes_);
    eve_shape_ = with_rows(block.eve.shape, nof_probes_);
    w.create<std::complex<float>>("/alice", alice_shape_);
    w.create<std::complex<float>>("/bob", alice_shape_);
    w.create<std::complex<float>>("/eve", eve_shape_);
    p_->clean = !block.clean.shape.empty();
    if (p_->clean) w.create<std::complex<float>>("/clean", alice_shape_);
    p_->clean_downlink = !block.clean_downlink.shape.empty();
    if (p_->clean_downlink) w.create<std::complex<float>>("/clean_downlink", alice_shape_);
    p_->uplink = !block.eve_uplink.shape.empty();
    if (p_->uplink) w.create<std::complex<float>>("/eve_uplink", with_rows(block.eve_uplink.shape, nof_probes_));
  } else if (with_rows(block.alice.shape, nof_probes_) != alice_shape_ ||
             with_rows(block.eve.shape, nof_probes_) != eve_shape_ ||
             block.eve_distance_wavelengths != labels_.eve_distance_wavelengths || block.eve_near != labels_.eve_near ||
             block.clean.shape.empty() == p_->clean || block.clean_downlink.shape.empty() == p_->clean_downlink ||
             block.eve_uplink.shape.empty() == p_->uplink) {
    throw error("block differs from the first in shape or Eve positions", {file, "/eve", written_},
                shape_string(eve_shape_), shape_string(with_rows(block.eve.shape, nof_probes_)));
  }
  w.write_rows("/alice", written_, rows, block.alice.ptr());
  w.write_rows("/bob", written_, rows, block.bob.ptr());
  w.write_rows("/eve", written_, rows, block.eve.ptr());
  if (p_->clean) w.write_rows("/clean", written_, rows, block.clean.ptr());
  if (p_->clean_downlink) w.write_rows("/clean_downlink", written_, rows, block.clean_downlink.ptr());
  if (p_->uplink) w.write_rows("/eve_uplink", written_, rows, block.eve_uplink.ptr());
  append_labels(labels_.snr_dB, block.snr_dB);
  append_labels(labels_.delay_spread_s, block.delay_spread_s);
  append_labels(labels_.speed_mps, block.speed_mps);
  append_labels(labels_.profile, block.profile);
  append_labels(labels_.split, block.split);
  append_labels(labels_.link, block.link);
  append_labels(labels_.time_s, block.time_s);
  append_labels(labels_.coherence_time_s, block.coherence_time_s);
  written_ += rows;
}

void wiretap_writer::finish(std::uint64_t seed, const std::string& config_toml) {
  auto& w = p_->w;
  if (written_ != nof_probes_)
    throw error("fewer probes than the file was made for", {w.path().string(), "/alice", {}},
                std::to_string(nof_probes_), std::to_string(written_));
  const wiretap_data& d = labels_;
  const shape_t n{nof_probes_};
  w.write("/labels/snr_dB", n, d.snr_dB.data());
  w.write("/labels/delay_spread_s", n, d.delay_spread_s.data());
  w.write("/labels/speed_mps", n, d.speed_mps.data());
  w.write_strings("/labels/profile", d.profile);
  w.write("/labels/split", n, d.split.data());
  if (!d.link.empty()) w.write("/labels/link", n, d.link.data());
  if (!d.time_s.empty()) w.write("/labels/time_s", n, d.time_s.data());
  if (!d.coherence_time_s.empty()) w.write("/labels/coherence_time_s", n, d.coherence_time_s.data());
  w.write("/eve_distance_wavelengths", shape_t{d.nof_eve()}, d.eve_distance_wavelengths.data());
  if (!d.eve_near.empty()) w.write_strings("/eve_near", d.eve_near);
  w.attribute("/", "schema", std::string(k_wiretap_schema));
  w.attribute("/", "physec_version", version());
  w.attribute("/", "seed", static_cast<std::int64_t>(seed));
  w.attribute("/", "config", config_toml);
  w.attribute("/alice", "layout", std::string("[nof_probes, nof_alice_ant, nof_bob_ant, nof_subcarriers, nof_symbols]"));
  w.attribute("/eve", "layout", std::string("[nof_probes, nof_eve, nof_alice_ant, nof_bob_ant, nof_subcarriers, nof_symbols]"));
  if (p_->uplink)
    w.attribute("/eve_uplink", "layout",
                std::string("[nof_probes, nof_eve, nof_eve_ant, nof_bob_ant, nof_subcarriers, nof_symbols]"));
  w.attribute("/labels/split", "meaning", std::string("0 train, 1 validation, 2 test"));
  w.commit();
}

void write_wiretap(const std::filesystem::path& path, const wiretap_data& d) {
  wiretap_writer w(path, d.nof_probes());
  w.append(d);
  w.finish(d.seed, d.config_toml);
}

namespace {

/// read_wiretap and read_wiretap_labels: with `csi` false, the CSI arrays get their shapes only (no data).
wiretap_data read_wiretap_file(const std::filesystem::path& path, bool csi) {
  const std::string file = path.string();
  h5::reader r(path);
  if (r.has_attribute("/", "schema") && r.string_attribute("/", "schema") != k_wiretap_schema)
    throw error("not a wiretap dataset", {file, "/ (attribute schema)", {}}, k_wiretap_schema,
                r.string_attribute("/", "schema"));
  wiretap_data d;
  using opt = std::optional<std::size_t>;
  const auto array = [&](const char* name, std::size_t rank) {
    ndarray<std::complex<float>> a;
    if (csi)
      a = r.read<std::complex<float>>(name, std::vector<opt>(rank));
    else
      a.shape = r.shape(name);
    return a;
  };
  d.alice = array("/alice", 5);
  d.bob = array("/bob", 5);
  d.eve = array("/eve", 6);
  if (r.has("/eve_uplink")) d.eve_uplink = array("/eve_uplink", 6);
  if (r.has("/clean")) d.clean = array("/clean", 5);
  if (r.has("/clean_downlink")) d.clean_downlink = array("/clean_downlink", 5);
  d.snr_dB = r.read<double>("/labels/snr_dB", {opt{}}).data;
  d.delay_spread_s = r.read<double>("/labels/delay_spread_s", {opt{}}).data;
  d.speed_mps = r.read<double>("/labels/speed_mps", {opt{}}).data;
  d.profile = r.read_strings("/labels/profile");
  d.split = r.read<std::uint8_t>("/labels/split", {opt{}}).data;
  if (r.has("/labels/link")) d.link = r.read<std::int32_t>("/labels/link", {opt{}}).data;
  if (r.has("/labels/time_s")) d.time_s = r.read<double>("/labels/time_s", {opt{}}).data;
  if (r.has("/labels/coherence_time_s")) d.coherence_time_s = r.read<double>("/labels/coherence_time_s", {opt{}}).data;
  d.eve_distance_wavelengths = r.read<double>("/eve_distance_wavelengths", {opt{}}).data;
  if (r.has("/eve_near")) d.eve_near = r.read_strings("/eve_near");
  if (r.has_attribute("/", "seed")) d.seed = static_cast<std::uint64_t>(r.number_attribute("/", "seed"));
  if (r.has_attribute("/", "config")) d.config_toml = r.string_attribute("/", "config");
  check_wiretap(d, file);
  return d;
}

}  // namespace

wiretap_data read_wiretap(const std::filesystem::path& path) { return read_wiretap_file(path, true); }

wiretap_data read_wiretap_labels(const std::filesystem::path& path) { return read_wiretap_file(path, false); }

ndarray<std::complex<float>> select_probes(const ndarray<std::complex<float>>& csi, const std::vector<std::size_t>& index) {
  shape_t s = csi.shape;
  const std::size_t per = csi.size() / std::max<std::size_t>(s[0], 1);
  s[0] = index.size();
  ndarray<std::complex<float>> out(s);
  for (std::size_t i = 0; i < index.size(); ++i)
    std::copy_n(csi.data.begin() + static_cast<std::ptrdiff_t>(index[i] * per), per,
                out.data.begin() + static_cast<std::ptrdiff_t>(i * per));
  return out;
}

ndarray<std::complex<float>> eve_at(const wiretap_data& d, std::size_t k) {
  const std::size_t n = d.eve.shape[0], m = d.eve.shape[1];
  if (k >= m) throw error("no such Eve position", {"", "/eve", k}, "an index below " + std::to_string(m), std::to_string(k));
  shape_t s = d.alice.shape;
  const std::size_t per = d.alice.size() / std::max<std::size_t>(n, 1);
  ndarray<std::complex<float>> out(s);
  for (std::size_t i = 0; i < n; ++i)
    std::copy_n(d.eve.data.begin() + static_cast<std::ptrdiff_t>((i * m + k) * per), per,
                out.data.begin() + static_cast<std::ptrdiff_t>(i * per));
  return out;
}

}  // namespace physec::dataset
