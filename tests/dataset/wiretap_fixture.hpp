#pragma once
// A synthetic wiretap dataset with known structure, for tests: the common channel h is CN(0,1) i.i.d. per
// coefficient; Alice and Bob see h plus independent CN(0, noise_var) estimation noise; Eve at position k sees
// rho_k h + sqrt(1 - rho_k^2) h_k' plus her own noise. /clean and /clean_downlink both hold h (no up/down gap).
#include <cmath>
#include <filesystem>
#include <functional>
#include <string>

#include "physec/core/hdf5.hpp"

#include "physec/core/rng.hpp"
#include "physec/dataset/wiretap.hpp"

namespace physec::testing {

inline dataset::wiretap_data synthetic_wiretap(std::size_t n, double noise_var, std::vector<double> eve_rho,
                                               std::uint64_t seed, shape_t per_probe = {1, 1, 8, 2}) {
  dataset::wiretap_data d;
  shape_t s{n};
  s.insert(s.end(), per_probe.begin(), per_probe.end());
  d.alice = ndarray<std::complex<float>>(s);
  d.bob = d.alice;
  d.clean = d.alice;
  shape_t se = s;
  se.insert(se.begin() + 1, eve_rho.size());
  d.eve = ndarray<std::complex<float>>(se);
  const std::size_t per = d.alice.size() / n;
  const rng_stream root(seed);
  for (std::size_t i = 0; i < n; ++i) {
    auto r = root.at(i);
    for (std::size_t k = 0; k < per; ++k) {
      const auto h = r.complex_normal();
      d.clean.data[i * per + k] = std::complex<float>(h);
      d.alice.data[i * per + k] = std::complex<float>(h + r.complex_normal(noise_var));
      d.bob.data[i * per + k] = std::complex<float>(h + r.complex_normal(noise_var));
      for (std::size_t e = 0; e < eve_rho.size(); ++e) {
        const double rho = eve_rho[e];
        const auto he = rho * h + std::sqrt(1 - rho * rho) * r.complex_normal();
        d.eve.data[(i * eve_rho.size() + e) * per + k] = std::complex<float>(he + r.complex_normal(noise_var));
      }
    }
    d.snr_dB.push_back(i % 2 ? 10.0 : 20.0);
    d.delay_spread_s.push_back(100e-9);
    d.speed_mps.push_back(1.0);
    d.profile.push_back(i % 3 ? "CDL-C" : "TDL-A");
    d.split.push_back(static_cast<std::uint8_t>(i % 5 == 0 ? dataset::split_label::validation
                                                           : (i % 5 < 3 ? dataset::split_label::train : dataset::split_label::test)));
  }
  d.clean_downlink = d.clean;  // no up/down gap
  for (std::size_t e = 0; e < eve_rho.size(); ++e) d.eve_distance_wavelengths.push_back(static_cast<double>(e));
  d.seed = seed;
  d.config_toml = "seed = " + std::to_string(seed) + "\n";
  return d;
}

/// Writes a wiretap file with the synthetic data changed by `edit`, bypassing the writer's checks (for tests of the
/// readers' errors). An array left with an empty shape is not written.
inline std::filesystem::path write_broken_wiretap(
    const std::filesystem::path& p, const std::function<void(h5::writer&, dataset::wiretap_data&)>& edit) {
  auto d = synthetic_wiretap(10, 0.1, {0.0}, 3);
  h5::writer w(p);
  edit(w, d);
  if (!d.alice.shape.empty()) w.write("/alice", d.alice);
  if (!d.bob.shape.empty()) w.write("/bob", d.bob);
  if (!d.eve.shape.empty()) w.write("/eve", d.eve);
  const shape_t n{d.snr_dB.size()};
  w.write("/labels/snr_dB", n, d.snr_dB.data());
  w.write("/labels/delay_spread_s", n, d.delay_spread_s.data());
  w.write("/labels/speed_mps", shape_t{d.speed_mps.size()}, d.speed_mps.data());
  w.write_strings("/labels/profile", d.profile);
  w.write("/labels/split", n, d.split.data());
  w.write("/eve_distance_wavelengths", shape_t{d.eve_distance_wavelengths.size()}, d.eve_distance_wavelengths.data());
  w.commit();
  return p;
}

}  // namespace physec::testing
