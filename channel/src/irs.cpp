#include "physec/channel/irs.hpp"

#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace physec::channel {

namespace {

using vec3 = std::array<double, 3>;

vec3 to_vec(const std::vector<double>& v) { return {v[0], v[1], v[2]}; }
vec3 sub(const vec3& a, const vec3& b) { return {a[0] - b[0], a[1] - b[1], a[2] - b[2]}; }
double dot(const vec3& a, const vec3& b) { return a[0] * b[0] + a[1] * b[1] + a[2] * b[2]; }
double norm(const vec3& a) { return std::sqrt(dot(a, a)); }

// Port positions of a node [λ]: an antenna array's, or the IRS elements' (y-z plane).
std::vector<vec3> irs_positions(const irs_config& c) {
  std::vector<vec3> p;
  for (std::size_t iz = 0; iz < c.nof_z; ++iz)
    for (std::size_t iy = 0; iy < c.nof_y; ++iy)
      p.push_back({0.0, static_cast<double>(iy) * c.spacing_wavelengths, static_cast<double>(iz) * c.spacing_wavelengths});
  return p;
}
std::vector<vec3> array_positions(const antenna_array& a) {
  std::vector<vec3> p;
  for (std::size_t i = 0; i < a.size(); ++i) p.push_back(a.position_wavelengths(i));
  return p;
}

// LOS part of a link from `from` (ports p_s at position x_s) to `to` (ports p_u at x_u), `[nof_to, nof_from]`:
// a_to(r̂) a_from(−r̂)^T exp(−j2π (f_c + f) d / c), r̂ the unit vector from `to` towards `from`.
std::vector<cdouble> los_matrix(const std::vector<vec3>& p_to, const vec3& x_to, const std::vector<vec3>& p_from,
                                const vec3& x_from, double carrier_Hz, double f_Hz) {
  const vec3 d = sub(x_from, x_to);
  const double dist = norm(d);
  const vec3 r = {d[0] / dist, d[1] / dist, d[2] / dist}, r_back = {-r[0], -r[1], -r[2]};
  const cdouble common = std::polar(1.0, -2.0 * pi * (carrier_Hz + f_Hz) * dist / speed_of_light_mps);
  std::vector<cdouble> m(p_to.size() * p_from.size());
  for (std::size_t u = 0; u < p_to.size(); ++u)
    for (std::size_t s = 0; s < p_from.size(); ++s)
      m[u * p_from.size() + s] =
          common * std::polar(1.0, 2.0 * pi * (dot(r, p_to[u]) + dot(r_back, p_from[s])));
  return m;
}

// Unit-variance Rayleigh entries by sum of sinusoids (Jakes spectrum, maximum Doppler f_d), `[nof_time][n]`.
std::vector<std::vector<cdouble>> rayleigh(std::size_t n, double f_d_Hz, std::size_t nof_sin,
                                           const std::vector<double>& times_s, rng_stream& rng) {
  std::vector<std::vector<cdouble>> out(times_s.size(), std::vector<cdouble>(n));
  const double amp = 1.0 / std::sqrt(static_cast<double>(nof_sin));
  for (std::size_t e = 0; e < n; ++e)
    for (std::size_t m = 0; m < nof_sin; ++m) {
      // Stratified arrival angle (uniform in its own sector) and a uniform phase, as for TDL taps.
      const double alpha = 2.0 * pi * (static_cast<double>(m) + rng.uniform()) / static_cast<double>(nof_sin);
      const double phase = rng.uniform(-pi, pi), nu = f_d_Hz * std::cos(alpha);
      for (std::size_t t = 0; t < times_s.size(); ++t) out[t][e] += std::polar(amp, phase + 2.0 * pi * nu * times_s[t]);
    }
  return out;
}

struct geometry {
  std::vector<vec3> p_tx, p_rx, p_irs;
  vec3 x_tx, x_rx, x_irs, v_tx;
};

geometry make_geometry(const irs_config& c) {
  return {array_positions(antenna_array(c.tx)), array_positions(antenna_array(c.rx)), irs_positions(c),
          to_vec(c.tx_position_m), to_vec(c.rx_position_m), to_vec(c.irs_position_m), to_vec(c.tx_velocity_mps)};
}

}  // namespace

irs_config::irs_config() {
  tx.nof_cols = 4;  // DESIGN.md 5: 4 antennas per transmitter, 3 at Bob
  rx.nof_cols = 3;
}

void irs_config::describe(physec::config::schema& s) {
  s.add("nof_y", nof_y, "IRS elements along y (Ny)").range(1, 256).source("TDGCN paper Table I (8)");
  s.add("nof_z", nof_z, "IRS elements along z (Nz)").range(1, 256).source("TDGCN paper Table I (16)");
  s.add("spacing_wavelengths", spacing_wavelengths, "IRS element spacing [wavelengths]").range(0.01, 10.0).source("ours");
  s.add("carrier_Hz", carrier_Hz, "carrier [Hz]").range(0.5e9, 100e9).source("TDGCN paper Table I (3.5 GHz)");
  s.add("tx_position_m", tx_position_m, "transmitter position (x, y, z) [m]").size(3, 3).source("ours");
  s.add("rx_position_m", rx_position_m, "receiver position (x, y, z) [m]").size(3, 3).source("ours");
  s.add("irs_position_m", irs_position_m, "IRS position (x, y, z) [m]").size(3, 3).source("ours");
  s.add("tx_velocity_mps", tx_velocity_mps, "transmitter velocity [m/s]")
      .size(3, 3)
      .range(-150.0, 150.0)
      .source("TDGCN paper Table I (2 m/s)");
  s.section("tx", tx, "transmitter array");
  s.section("rx", rx, "receiver array");
  s.add("direct_path", direct_path, "include the direct Tx -> Rx link").source("ours");
  s.add("nlos", nlos, "include the Rayleigh NLOS parts").source("TDGCN paper");
  s.add("k_factor_dB", k_factor_dB, "Ricean K-factor of every link [dB]").range(-40.0, 40.0).source("ours");
  s.add("direct_gain_dB", direct_gain_dB, "large-scale gain of the direct link [dB]").range(-300.0, 100.0).source("ours");
  s.add("tx_irs_gain_dB", tx_irs_gain_dB, "large-scale gain Tx -> IRS [dB]").range(-300.0, 100.0).source("ours");
  s.add("irs_rx_gain_dB", irs_rx_gain_dB, "large-scale gain IRS -> Rx [dB]").range(-300.0, 100.0).source("ours");
  s.add("phase_mode", phase_mode, "element phase configuration")
      .choices({"fixed", "random", "aligned"})
      .source("ours");
  s.add("fixed_phase_deg", fixed_phase_deg, "element phase in fixed mode [deg]").range(-360.0, 360.0).source("ours");
  s.add("nof_sinusoids", nof_sinusoids, "sinusoids per NLOS entry").range(4, 256).source("ours");
  s.check([this, &s](const std::string& file) {
    if (tx_position_m == irs_position_m || rx_position_m == irs_position_m || tx_position_m == rx_position_m)
      physec::config::fail(file, s.key("irs_position_m"), "two nodes share a position", "distinct positions",
                           "coincident nodes");
  });
}

std::vector<double> irs_phases(const irs_config& cfg, rng_stream& rng) {
  const std::size_t n = cfg.nof_elements();
  std::vector<double> th(n, deg_to_rad(cfg.fixed_phase_deg));
  if (cfg.phase_mode == "random")
    for (auto& t : th) t = rng.uniform(-pi, pi);
  if (cfg.phase_mode != "aligned") return th;
  const auto g = make_geometry(cfg);
  const auto f = los_matrix(g.p_irs, g.x_irs, g.p_tx, g.x_tx, cfg.carrier_Hz, 0.0);  // [N, S]
  const auto gm = los_matrix(g.p_rx, g.x_rx, g.p_irs, g.x_irs, cfg.carrier_Hz, 0.0);  // [U, N]
  const double direct_arg =
      cfg.direct_path ? std::arg(los_matrix(g.p_rx, g.x_rx, g.p_tx, g.x_tx, cfg.carrier_Hz, 0.0)[0]) : 0.0;
  const std::size_t ns = g.p_tx.size();
  for (std::size_t k = 0; k < n; ++k) th[k] = direct_arg - std::arg(gm[k] * f[k * ns]);
  return th;
}

ndarray<cdouble> irs_channel(const irs_config& cfg, const std::vector<double>& phases_rad, rng_stream& rng,
                             const std::vector<double>& times_s, const std::vector<double>& freqs_Hz) {
  const auto g = make_geometry(cfg);
  const std::size_t nu = g.p_rx.size(), ns = g.p_tx.size(), n = g.p_irs.size();
  const std::size_t nt = times_s.size(), nk = freqs_Hz.size();
  if (phases_rad.size() != n)
    throw error("IRS phase vector has the wrong length", {"", "phases_rad", std::nullopt}, std::to_string(n),
                std::to_string(phases_rad.size()));
  const double k_lin = db_to_linear(cfg.k_factor_dB);
  const double w_los = cfg.nlos ? std::sqrt(k_lin / (k_lin + 1.0)) : 1.0;
  const double w_nlos = cfg.nlos ? std::sqrt(1.0 / (k_lin + 1.0)) : 0.0;
  const double b_d = std::sqrt(db_to_linear(cfg.direct_gain_dB));
  const double b_c = std::sqrt(db_to_linear(cfg.tx_irs_gain_dB) * db_to_linear(cfg.irs_rx_gain_dB));
  // NLOS parts: links touching the moving transmitter fade with f_D = |v|/λ; IRS -> Rx is static.
  const double f_d = norm(g.v_tx) / wavelength_m(cfg.carrier_Hz);
  rng_stream r_f = rng.derive("tx-irs"), r_g = rng.derive("irs-rx"), r_d = rng.derive("direct");
  std::vector<std::vector<cdouble>> nl_f, nl_g, nl_d;
  if (cfg.nlos) {
    nl_f = rayleigh(n * ns, f_d, cfg.nof_sinusoids, times_s, r_f);
    nl_g = rayleigh(nu * n, 0.0, cfg.nof_sinusoids, times_s, r_g);
    if (cfg.direct_path) nl_d = rayleigh(nu * ns, f_d, cfg.nof_sinusoids, times_s, r_d);
  }
  std::vector<cdouble> refl(n);
  for (std::size_t k = 0; k < n; ++k) refl[k] = std::polar(1.0, phases_rad[k]);
  ndarray<cdouble> h({nt, nu, ns, nk});
  for (std::size_t t = 0; t < nt; ++t) {
    const vec3 x_tx = {g.x_tx[0] + g.v_tx[0] * times_s[t], g.x_tx[1] + g.v_tx[1] * times_s[t],
                       g.x_tx[2] + g.v_tx[2] * times_s[t]};
    for (std::size_t q = 0; q < nk; ++q) {
      auto f = los_matrix(g.p_irs, g.x_irs, g.p_tx, x_tx, cfg.carrier_Hz, freqs_Hz[q]);     // [N, S]
      auto gm = los_matrix(g.p_rx, g.x_rx, g.p_irs, g.x_irs, cfg.carrier_Hz, freqs_Hz[q]);  // [U, N]
      std::vector<cdouble> d(nu * ns, 0.0);
      if (cfg.direct_path) d = los_matrix(g.p_rx, g.x_rx, g.p_tx, x_tx, cfg.carrier_Hz, freqs_Hz[q]);
      for (std::size_t i = 0; i < f.size(); ++i) f[i] = w_los * f[i] + (cfg.nlos ? w_nlos * nl_f[t][i] : 0.0);
      for (std::size_t i = 0; i < gm.size(); ++i) gm[i] = w_los * gm[i] + (cfg.nlos ? w_nlos * nl_g[t][i] : 0.0);
      for (std::size_t i = 0; i < d.size(); ++i)
        d[i] = w_los * d[i] + (cfg.nlos && cfg.direct_path ? w_nlos * nl_d[t][i] : 0.0);
      for (std::size_t u = 0; u < nu; ++u)
        for (std::size_t s = 0; s < ns; ++s) {
          cdouble acc = 0;
          for (std::size_t k = 0; k < n; ++k) acc += gm[u * n + k] * refl[k] * f[k * ns + s];
          h(t, u, s, q) = (cfg.direct_path ? b_d * d[u * ns + s] : 0.0) + b_c * acc;
        }
    }
  }
  return h;
}

}  // namespace physec::channel
