#include "physec/channel/link.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <numeric>

#include "parallel.hpp"
#include "physec/channel/tables.hpp"
#include "physec/core/error.hpp"
#include "physec/core/trig.hpp"
#include "physec/core/units.hpp"

namespace physec::channel {

namespace {

std::array<double, 3> scaled(const std::array<double, 3>& v, double k) { return {v[0] * k, v[1] * k, v[2] * k}; }
double dot(const std::array<double, 3>& a, const std::array<double, 3>& b) {
  return a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
}

// Zenith angles outside [0°, 180°] are reflected back into it (note under (7.5-15)).
double wrap_zenith_deg(double theta_deg) {
  if (theta_deg >= 0.0 && theta_deg <= 180.0) return theta_deg;  // the common case, without fmod's cost
  theta_deg = std::fmod(theta_deg, 360.0);
  if (theta_deg < 0) theta_deg += 360.0;
  return theta_deg > 180.0 ? 360.0 - theta_deg : theta_deg;
}

// Random permutation of 0..n-1 (Fisher-Yates on the project RNG), into p (resized to n).
void permutation(std::size_t n, rng_stream& rng, std::vector<std::size_t>& p) {
  p.resize(n);
  std::iota(p.begin(), p.end(), std::size_t{0});
  for (std::size_t i = n; i > 1; --i) std::swap(p[i - 1], p[rng.uniform_int(i)]);
}

// Linear cluster powers from dB, normalised to sum 1, with the optional K-factor rescaling of §7.7.6:
// the LOS power (index 0) is set to K times the total NLOS power.
std::vector<double> normalised_powers(const std::vector<double>& powers_dB, bool has_los, const link_config& cfg) {
  std::vector<double> p(powers_dB.size());
  std::transform(powers_dB.begin(), powers_dB.end(), p.begin(), db_to_linear);
  if (has_los && cfg.scale_k_factor) {
    const double nlos = std::accumulate(p.begin() + 1, p.end(), 0.0);
    p[0] = db_to_linear(cfg.k_factor_dB) * nlos;
  }
  const double total = std::accumulate(p.begin(), p.end(), 0.0);
  for (auto& x : p) x /= total;
  return p;
}

// Ray i of rs (its arrays sized by sized_ray_set): written in place rather than appended, a third of a snapshot's
// drawing time was spent in push_back.
void set_ray(ray_set& rs, std::size_t i, std::size_t cluster, double power, double aod_deg, double zod_deg,
             double aoa_deg, double zoa_deg, double xpr_inv_sqrt, bool los, rng_stream& rng) {
  rs.cluster[i] = cluster;
  rs.power[i] = power;
  rs.aod_rad[i] = deg_to_rad(aod_deg);
  rs.zod_rad[i] = deg_to_rad(wrap_zenith_deg(zod_deg));
  rs.aoa_rad[i] = deg_to_rad(aoa_deg);
  rs.zoa_rad[i] = deg_to_rad(wrap_zenith_deg(zoa_deg));
  rs.xpr_inv_sqrt[i] = xpr_inv_sqrt;
  // Random initial phases Φ ~ U(-π, π) for the four polarisation combinations (step 10 of §7.5), drawn in this order.
  for (double& phi : rs.phase_rad[i]) phi = rng.uniform(-pi, pi);
  rs.los[i] = los ? 1 : 0;
}

// A ray set with room for nof_rays rays (filled by set_ray) and the motion of the receiving end.
ray_set sized_ray_set(const link_config& cfg, std::size_t nof_clusters, std::size_t nof_rays) {
  ray_set rs;
  rs.cluster_delay_s.reserve(nof_clusters);
  for (auto* v : {&rs.power, &rs.aod_rad, &rs.zod_rad, &rs.aoa_rad, &rs.zoa_rad, &rs.xpr_inv_sqrt}) v->resize(nof_rays);
  rs.cluster.resize(nof_rays);
  rs.phase_rad.resize(nof_rays);
  rs.los.resize(nof_rays);
  rs.carrier_Hz = cfg.carrier_Hz;
  // (7.5-25): v̄ = v [sinθ_v cosφ_v, sinθ_v sinφ_v, cosθ_v]^T.
  rs.rx_velocity_mps =
      scaled(unit_vector(deg_to_rad(cfg.direction_zenith_deg), deg_to_rad(cfg.direction_azimuth_deg)), cfg.speed_mps);
  return rs;
}

// Angular scaling (7.7-5): φ_scaled = (AS_desired / AS_model)(φ − μ_model) + μ_model, with AS_model and μ_model
// the circular spread and mean (Annex A) of the realisation's rays; the mean angle is kept. Zenith angles are
// reflected back into [0, π] afterwards.
void scale_angles(std::vector<double>& angles, const std::vector<double>& powers, double desired_rad, bool zenith) {
  cdouble sum = 0;
  for (std::size_t r = 0; r < angles.size(); ++r) sum += powers[r] * std::polar(1.0, angles[r]);
  const double mu = std::arg(sum), spread = circular_angle_spread_rad(angles, powers);
  if (spread <= 0) return;
  for (auto& a : angles) {
    a = desired_rad / spread * std::remainder(a - mu, 2.0 * pi) + mu;
    if (zenith) a = deg_to_rad(wrap_zenith_deg(rad_to_deg(a)));
  }
}

// What CDL and TDL models share: the config, the two arrays and the normalised cluster powers of a profile.
template <class Profile>
class profile_model : public link_model {
 public:
  profile_model(link_config cfg, const Profile& prof, const array_config& tx, const array_config& rx)
      : cfg_(std::move(cfg)), prof_(prof), tx_(tx), rx_(rx) {
    std::vector<double> p_dB;
    for (std::size_t n = 0; n < prof_.nof_rows; ++n) p_dB.push_back(prof_.rows[n].power_dB);
    powers_ = normalised_powers(p_dB, prof_.has_los, cfg_);
  }
  ray_set draw(rng_stream& rng) const final {
    ray_set rs = draw_rays(rng);
    if (cfg_.normalise_power) {
      const double p = mean_port_power(rs, rx_, tx_);
      for (auto& x : rs.power) x /= p;
    }
    return rs;
  }
  const link_config& config() const noexcept override { return cfg_; }
  const antenna_array& tx_array() const noexcept override { return tx_; }
  const antenna_array& rx_array() const noexcept override { return rx_; }

 protected:
  virtual ray_set draw_rays(rng_stream& rng) const = 0;

  link_config cfg_;
  Profile prof_;
  antenna_array tx_, rx_;
  std::vector<double> powers_;
};

class cdl_model final : public profile_model<tables::cdl_profile> {
 public:
  cdl_model(link_config cfg, const tables::cdl_profile& prof)
      : profile_model(cfg, prof, cfg.tx, cfg.rx) {}

  ray_set draw_rays(rng_stream& rng) const override {
    const std::size_t m_rays = tables::ray_offsets.size(), nof_los = prof_.has_los ? 1 : 0;
    ray_set rs = sized_ray_set(cfg_, prof_.nof_rows, nof_los + (prof_.nof_rows - nof_los) * m_rays);
    std::vector<std::size_t> p_aod, p_zod, p_zoa;
    std::size_t i = 0;
    const double xpr_inv_sqrt = std::sqrt(1.0 / db_to_linear(prof_.xpr_dB));
    for (std::size_t n = 0; n < prof_.nof_rows; ++n) {
      const auto& row = prof_.rows[n];
      rs.cluster_delay_s.push_back(row.delay * cfg_.delay_spread_s);  // (7.7-1)
      if (prof_.has_los && n == 0) {
        // The specular LOS path is a single ray at the cluster angles, (7.5-29).
        set_ray(rs, i++, n, powers_[n], row.aod_deg, row.zod_deg, row.aoa_deg, row.zoa_deg, 0.0, true, rng);
        continue;
      }
      // Step 2 of §7.7.1: random coupling of AOD-AOA, ZOD-ZOA and AOD-ZOD within the cluster.
      permutation(m_rays, rng, p_aod);
      permutation(m_rays, rng, p_zod);
      permutation(m_rays, rng, p_zoa);
      for (std::size_t m = 0; m < m_rays; ++m) {
        // (7.7-0a): φ_n,m = φ_n + c_AS α_m, likewise for the other three angles.
        const auto& a = tables::ray_offsets;
        set_ray(rs, i++, n, powers_[n] / static_cast<double>(m_rays), row.aod_deg + prof_.c_asd_deg * a[p_aod[m]],
                row.zod_deg + prof_.c_zsd_deg * a[p_zod[m]], row.aoa_deg + prof_.c_asa_deg * a[m],
                row.zoa_deg + prof_.c_zsa_deg * a[p_zoa[m]], xpr_inv_sqrt, false, rng);
      }
    }
    if (cfg_.angle_scaling) {
      scale_angles(rs.aod_rad, rs.power, deg_to_rad(cfg_.asd_deg), false);
      scale_angles(rs.aoa_rad, rs.power, deg_to_rad(cfg_.asa_deg), false);
      scale_angles(rs.zod_rad, rs.power, deg_to_rad(cfg_.zsd_deg), true);
      scale_angles(rs.zoa_rad, rs.power, deg_to_rad(cfg_.zsa_deg), true);
    }
    return rs;
  }
};

// TDL models are single-antenna: both ends are one isotropic, vertically polarised port.
class tdl_model final : public profile_model<tables::tdl_profile> {
 public:
  tdl_model(link_config cfg, const tables::tdl_profile& prof)
      : profile_model(std::move(cfg), prof, array_config{}, array_config{}) {}

  ray_set draw_rays(rng_stream& rng) const override {
    const double phi_v_deg = cfg_.direction_azimuth_deg;
    const std::size_t m_rays = cfg_.nof_sinusoids;
    const std::size_t nof_los = prof_.has_los ? 1 : 0;
    ray_set rs = sized_ray_set(cfg_, prof_.nof_rows, nof_los + (prof_.nof_rows - nof_los) * m_rays);
    std::vector<std::size_t> p_aod;
    std::size_t i = 0;
    for (std::size_t n = 0; n < prof_.nof_rows; ++n) {
      rs.cluster_delay_s.push_back(prof_.rows[n].delay * cfg_.delay_spread_s);  // (7.7-1)
      if (prof_.has_los && n == 0) {
        // LOS tap: one ray whose Doppler is los_doppler_cos·f_D (TS 38.101-4 Annex B.2.1 uses 0.7).
        const double aoa_deg = phi_v_deg + rad_to_deg(std::acos(cfg_.los_doppler_cos));
        set_ray(rs, i++, n, powers_[n], 0.0, 90.0, aoa_deg, 90.0, 0.0, true, rng);
        continue;
      }
      // Sum of sinusoids with stratified uniform arrival azimuths on a horizontal ring: each α_m is uniform in
      // its own 2π/M sector, so E[exp(j2π f_D cos α τ)] over the tap is exactly J0(2π f_D τ) (Clarke/Jakes).
      // Departures are uniform and independent, so a displaced transmitter sees a ring as well.
      permutation(m_rays, rng, p_aod);
      for (std::size_t m = 0; m < m_rays; ++m) {
        const double sector = 360.0 / static_cast<double>(m_rays);
        const double aoa = phi_v_deg + sector * (static_cast<double>(m) + rng.uniform());
        const double aod = sector * (static_cast<double>(p_aod[m]) + rng.uniform());
        set_ray(rs, i++, n, powers_[n] / static_cast<double>(m_rays), aod, 90.0, aoa, 90.0, 0.0, false, rng);
      }
    }
    return rs;
  }
};

}  // namespace

double ray_set::doppler_Hz(std::size_t r) const {
  // (7.5-25), with the transmitter's motion added the same way.
  return (dot(arrival_direction(r), rx_velocity_mps) + dot(departure_direction(r), tx_velocity_mps)) /
         wavelength_m(carrier_Hz);
}
std::array<double, 3> ray_set::arrival_direction(std::size_t r) const { return unit_vector(zoa_rad[r], aoa_rad[r]); }
std::array<double, 3> ray_set::departure_direction(std::size_t r) const {
  return unit_vector(zod_rad[r], aod_rad[r]);
}

void link_config::describe(physec::config::schema& s) {
  s.add("profile", profile, "link-level model")
      .choices({"CDL-A", "CDL-B", "CDL-C", "CDL-D", "CDL-E", "TDL-A", "TDL-B", "TDL-C", "TDL-D", "TDL-E"})
      .source("TR 38.901 Tables 7.7.1-1..5, 7.7.2-1..5");
  s.add("delay_spread_s", delay_spread_s, "desired RMS delay spread [s]")
      .range(1e-9, 5e-6)
      .source("TR 38.901 Table 7.7.3-1 (nominal 100 ns)");
  s.add("carrier_Hz", carrier_Hz, "carrier frequency [Hz]").range(0.5e9, 100e9).source("DESIGN.md 4 (3.5 GHz)");
  s.add("speed_mps", speed_mps, "UE speed [m/s]").range(0.0, 150.0).source("ours");
  s.add("direction_azimuth_deg", direction_azimuth_deg, "UE direction of travel, azimuth [deg]")
      .range(-360.0, 360.0)
      .source("TR 38.901 (7.5-25)");
  s.add("direction_zenith_deg", direction_zenith_deg, "UE direction of travel, zenith [deg]")
      .range(0.0, 180.0)
      .source("TR 38.901 (7.5-25)");
  s.add("scale_k_factor", scale_k_factor, "rescale the LOS power to k_factor_dB (CDL-D/E, TDL-D/E)")
      .source("TR 38.901 7.7.6");
  s.add("k_factor_dB", k_factor_dB, "desired K-factor: LOS power over total NLOS power [dB]")
      .range(-30.0, 40.0)
      .source("TR 38.901 7.7.6; 13.3 dB as K1 of Table 7.7.2-4");
  s.add("nof_sinusoids", nof_sinusoids, "TDL: sinusoids per Rayleigh tap").range(4, 1024).source("ours");
  s.add("los_doppler_cos", los_doppler_cos, "TDL: LOS tap Doppler as a fraction of the maximum Doppler")
      .range(-1.0, 1.0)
      .source("TS 38.101-4 Annex B.2.1 (0.7)");
  s.add("normalise_power", normalise_power, "normalise E|H|^2 over port pairs to 1").source("ours");
  s.add("angle_scaling", angle_scaling, "CDL: scale ray angles to the desired spreads").source("TR 38.901 7.7.5.1");
  s.add("asd_deg", asd_deg, "CDL: desired ASD [deg]").range(0.1, 100.0).source("ours");
  s.add("asa_deg", asa_deg, "CDL: desired ASA [deg]").range(0.1, 100.0).source("ours");
  s.add("zsd_deg", zsd_deg, "CDL: desired ZSD [deg]").range(0.1, 50.0).source("ours");
  s.add("zsa_deg", zsa_deg, "CDL: desired ZSA [deg]").range(0.1, 50.0).source("ours");
  s.section("tx", tx, "transmitting end (BS / Alice)");
  s.section("rx", rx, "receiving end (UE / Bob)");
  s.check([this, &s](const std::string& file) {
    const bool single_port = tx.nof_rows * tx.nof_cols == 1 && rx.nof_rows * rx.nof_cols == 1 &&
                             tx.polarisation == "single" && rx.polarisation == "single";
    if (is_tdl() && !single_port)
      physec::config::fail(file, s.key("profile"), "TDL models are single-antenna (SISO)",
                           "1x1 single-polarised tx and rx arrays, or a CDL profile", profile);
  });
}

std::unique_ptr<link_model> make_link_model(link_config cfg) {
  cfg.validate();
  for (const auto& p : tables::cdl_profiles)
    if (p.name == cfg.profile) return std::make_unique<cdl_model>(std::move(cfg), p);
  for (const auto& p : tables::tdl_profiles)
    if (p.name == cfg.profile) return std::make_unique<tdl_model>(std::move(cfg), p);
  throw error("unknown link profile", {"", "profile", std::nullopt}, "CDL-A..E or TDL-A..E", cfg.profile);
}

double mean_port_power(const ray_set& rays, const antenna_array& rx, const antenna_array& tx) {
  // Every port's field is the array's element amplitude times its polarisation (cos ζ, sin ζ), so each sum over the
  // port pairs factorises into sums over each array's ports: Σ_u,s (a_θ b_θ)² = A_θθ B_θθ with A_pq = Σ_u a_p a_q.
  auto port_sums = [](const antenna_array& arr) {
    std::array<double, 3> m{};  // Σ cos², Σ sin², Σ cos·sin
    for (std::size_t i = 0; i < arr.size(); ++i) {
      const auto& p = arr.polarisation(i);
      m[0] += p[0] * p[0], m[1] += p[1] * p[1], m[2] += p[0] * p[1];
    }
    return m;
  };
  const auto a = port_sums(rx), b = port_sums(tx);
  double total = 0;
  const bool isotropic = !rx.directional() && !tx.directional();
  for (std::size_t r = 0; r < rays.nof_rays(); ++r) {
    double g = 1.0;  // the element gains, 1 for isotropic elements at both ends
    if (!isotropic) {
      const double ar = rx.element_amplitude(rays.zoa_rad[r], rays.aoa_rad[r]);
      const double at = tx.element_amplitude(rays.zod_rad[r], rays.aod_rad[r]);
      g = ar * ar * at * at;
    }
    const double x2 = rays.xpr_inv_sqrt[r] * rays.xpr_inv_sqrt[r];
    if (rays.los[r])  // Σ (a_θ b_θ − a_φ b_φ)²
      total += rays.power[r] * g * (a[0] * b[0] - 2.0 * a[2] * b[2] + a[1] * b[1]);
    else
      total += rays.power[r] * g * (a[0] * b[0] + a[1] * b[1] + x2 * (a[0] * b[1] + a[1] * b[0]));
  }
  return total / static_cast<double>(rx.size() * tx.size());
}

double circular_angle_spread_rad(const std::vector<double>& angles_rad, const std::vector<double>& powers) {
  cdouble sum = 0;
  double p = 0;
  for (std::size_t r = 0; r < angles_rad.size(); ++r) {
    sum += powers[r] * std::polar(1.0, angles_rad[r]);
    p += powers[r];
  }
  return std::sqrt(-2.0 * std::log(std::min(1.0, std::abs(sum) / p)));
}

double rms_delay_spread_s(const std::vector<double>& delays_s, const std::vector<double>& powers) {
  double p = 0, m1 = 0, m2 = 0;
  for (std::size_t i = 0; i < delays_s.size(); ++i) {
    p += powers[i];
    m1 += powers[i] * delays_s[i];
    m2 += powers[i] * delays_s[i] * delays_s[i];
  }
  m1 /= p;
  return std::sqrt(std::max(0.0, m2 / p - m1 * m1));
}

namespace {

// The hot loops, compiled three times (AVX-512, AVX2 and the baseline) and chosen at run time by the CPU. No FMA in
// any (ISO C++ mode: GCC contracts nothing): all do the same IEEE operations in the same order, lane by lane, so they
// give the same bits.

// acc[t][us] += Σ_r coef[r][us] · rot[r][t] over t < nt, us < nus, adding ray by ray in order r = 0, 1, ... nr − 1;
// structures of arrays (real and imaginary parts apart), rot[r][t] at r·r_stride + t·t_stride. The accumulators of
// a block of port pairs stay in registers over the rays.
__attribute__((target_clones("avx512f", "avx2", "default"))) void accumulate_rays(
    const double* coef_re, const double* coef_im, std::size_t nr, const double* rot_re, const double* rot_im,
    std::size_t r_stride, std::size_t t_stride, double* acc_re, double* acc_im, std::size_t nt, std::size_t nus) {
  constexpr std::size_t block = 16;
  for (std::size_t t = 0; t < nt; ++t)
    for (std::size_t us0 = 0; us0 < nus; us0 += block) {
      const std::size_t nb = std::min(block, nus - us0);
      double ar[block], ai[block];
      for (std::size_t us = 0; us < nb; ++us) ar[us] = acc_re[t * nus + us0 + us], ai[us] = acc_im[t * nus + us0 + us];
      for (std::size_t r = 0; r < nr; ++r) {
        const double rr = rot_re[r * r_stride + t * t_stride], ri = rot_im[r * r_stride + t * t_stride];
        const double* cr = coef_re + r * nus + us0;
        const double* ci = coef_im + r * nus + us0;
        for (std::size_t us = 0; us < nb; ++us) {
          ar[us] += cr[us] * rr - ci[us] * ri;
          ai[us] += cr[us] * ri + ci[us] * rr;
        }
      }
      for (std::size_t us = 0; us < nb; ++us) acc_re[t * nus + us0 + us] = ar[us], acc_im[t * nus + us0 + us] = ai[us];
    }
}

// What cluster_gains computes per ray, each quantity as one array over the rays (index q·nr + r): the phase
// arguments are, in this order, the nu receive ports, the ns transmit ports, the npol polarisation phases in use and
// the nt Doppler phases.
struct ray_layout {
  std::size_t nr, nu, ns, npol, nt;
  std::size_t per_ray() const { return nu + ns + npol + nt; }
};

// The directions and the port and Doppler phase arguments of every ray (the polarisation phases are copied by the
// caller). ang_s/ang_c: sin/cos of [zoa | aoa | zod | aod] ([4, nr]); pos_rx/pos_tx: port positions [λ] as x, y, z
// triples; shift_rx/shift_tx: the ends' displacements [λ]; v_rx/v_tx: velocities [m/s]. dir: [7, nr] out, the
// receive and transmit directions (x, y, z each) and the Doppler ν [Hz]; arg: [per_ray, nr] out.
__attribute__((target_clones("avx512f", "avx2", "default"))) void ray_arguments(
    const ray_layout& l, const double* ang_s, const double* ang_c, const double* pos_rx, const double* shift_rx,
    const double* pos_tx, const double* shift_tx, const double* v_rx, const double* v_tx, double lambda,
    const double* times_s, double* dir, double* arg) {
  const std::size_t nr = l.nr;
  // (7.5-23)/(7.5-24): r̂ = [sinθ cosφ, sinθ sinφ, cosθ].
  for (std::size_t e = 0; e < 2; ++e) {
    const double *sz = ang_s + 2 * e * nr, *cz = ang_c + 2 * e * nr;
    const double *sa = ang_s + (2 * e + 1) * nr, *ca = ang_c + (2 * e + 1) * nr;
    double *d0 = dir + 3 * e * nr, *d1 = d0 + nr, *d2 = d1 + nr;
    for (std::size_t r = 0; r < nr; ++r) d0[r] = sz[r] * ca[r], d1[r] = sz[r] * sa[r], d2[r] = cz[r];
  }
  const double *rx0 = dir, *rx1 = dir + nr, *rx2 = dir + 2 * nr;
  const double *tx0 = dir + 3 * nr, *tx1 = dir + 4 * nr, *tx2 = dir + 5 * nr;
  double* doppler_Hz = dir + 6 * nr;
  // 2π (r̂·d̄_u + r̂·Δ) per port u, (7.5-22).
  auto ports = [nr](const double* d0, const double* d1, const double* d2, const double* pos, const double* sh,
                    std::size_t n, double* out) {
    for (std::size_t u = 0; u < n; ++u) {
      const double p0 = pos[3 * u], p1 = pos[3 * u + 1], p2 = pos[3 * u + 2];
      for (std::size_t r = 0; r < nr; ++r)
        out[u * nr + r] =
            2.0 * pi * ((d0[r] * p0 + d1[r] * p1 + d2[r] * p2) + (d0[r] * sh[0] + d1[r] * sh[1] + d2[r] * sh[2]));
    }
  };
  ports(rx0, rx1, rx2, pos_rx, shift_rx, l.nu, arg);
  ports(tx0, tx1, tx2, pos_tx, shift_tx, l.ns, arg + l.nu * nr);
  // (7.5-25), with the transmitter's motion added the same way; the phase 2π ν t at every time.
  for (std::size_t r = 0; r < nr; ++r)
    doppler_Hz[r] = ((rx0[r] * v_rx[0] + rx1[r] * v_rx[1] + rx2[r] * v_rx[2]) +
                     (tx0[r] * v_tx[0] + tx1[r] * v_tx[1] + tx2[r] * v_tx[2])) /
                    lambda;
  double* at = arg + (l.nu + l.ns + l.npol) * nr;
  for (std::size_t t = 0; t < l.nt; ++t)
    for (std::size_t r = 0; r < nr; ++r) at[t * nr + r] = 2.0 * pi * doppler_Hz[r] * times_s[t];
}

// Per ray and port pair the complex coefficient that the Doppler phasor multiplies, (7.5-22)/(7.5-29):
// coef[u, s] = Σ_p a_p[u] b_p[s], a_p[u] = F_rx,u,p · exp(j2π r̂_rx·d̄_rx,u/λ) and
// b_p[s] = Σ_q M_pq F_tx,s,q · exp(j2π r̂_tx·d̄_tx,s/λ), M the polarisation matrix: random phases Φ, cross terms
// weighted by sqrt(1/κ) (7.5-22); [[1, 0], [0, −1]] with the LOS phase (7.5-29). Entries of polarisations absent at
// either end stay zero (they multiply a zero field). s/c: sin/cos of the arguments of ray_arguments; slot[i]: the
// offset of Φ^pq (i = 2p + q) among the polarisation phases or −1; amp: sqrt of the ray powers, amp_rx/amp_tx: element
// amplitudes, all [nr]; pol_rx,
// pol_tx: (cos ζ, sin ζ) per port. b: [4, ns, nr] scratch (re/im of b_0, b_1); coef: [nu·ns, nr] re then im.
struct ray_fields {
  const double *amp, *xpr_inv_sqrt, *amp_rx, *amp_tx, *pol_rx, *pol_tx;
  const double *zero, *one;  // [nr] zeros, [nr] ones
  const double* los;         // [nr] 1 for the LOS ray, else 0
  std::array<std::ptrdiff_t, 4> slot;
  bool rx_dual;
};

// Written without branches on the ray and with restrict-qualified arrays, so that every loop over the rays
// vectorises.
__attribute__((target_clones("avx512f", "avx2", "default"))) void ray_coefficients(const ray_layout& l,
                                                                                   const ray_fields& f, const double* s,
                                                                                   const double* c, double* b,
                                                                                   double* coef) {
  const std::size_t nr = l.nr, nu = l.nu, ns = l.ns, nus = nu * ns;
  const double* __restrict amp = f.amp;
  const double* __restrict xpr = f.xpr_inv_sqrt;
  const double* __restrict amp_rx = f.amp_rx;
  const double* __restrict amp_tx = f.amp_tx;
  const double* __restrict los = f.los;
  const double* __restrict qs = s + (nu + ns) * nr;  // the polarisation phasors; Φ^θθ first
  const double* __restrict qc = c + (nu + ns) * nr;
  const double* __restrict zero = f.zero;
  // Φ^pq's cosines and sines, or zeros for an entry not in use.
  auto phasor = [&](std::size_t i, const double* v) {
    return f.slot[i] >= 0 ? v + static_cast<std::size_t>(f.slot[i]) * nr : zero;
  };
  for (std::size_t p = 0; p < (f.rx_dual ? 2u : 1u); ++p) {
    const double* __restrict m0c = phasor(2 * p, qc);
    const double* __restrict m0s = phasor(2 * p, qs);
    const double* __restrict m1c = phasor(2 * p + 1, qc);
    const double* __restrict m1s = phasor(2 * p + 1, qs);
    // |M_pq| = sqrt(p_r) · (1 on the diagonal, sqrt(1/κ) off it); the LOS matrix [[1, 0], [0, −1]].
    const double* __restrict k0 = p == 0 ? f.one : xpr;
    const double* __restrict k1 = p == 0 ? xpr : f.one;
    const double los0 = p == 0 ? 1.0 : 0.0, los1 = p == 0 ? 0.0 : -1.0;
    for (std::size_t sp = 0; sp < ns; ++sp) {
      const double pol0 = f.pol_tx[2 * sp], pol1 = f.pol_tx[2 * sp + 1];
      const double* __restrict hr = c + (nu + sp) * nr;
      const double* __restrict hi = s + (nu + sp) * nr;
      double* __restrict br = b + (2 * p * ns + sp) * nr;
      double* __restrict bi = b + ((2 * p + 1) * ns + sp) * nr;
#pragma GCC ivdep
      for (std::size_t r = 0; r < nr; ++r) {
        // M_p0, M_p1: (7.5-29) for the LOS ray, (7.5-22) otherwise; both computed, then one chosen (no branch).
        const double g0 = amp[r] * k0[r], g1 = amp[r] * k1[r];  // |M_p0|, |M_p1| off LOS
        const double lr = amp[r] * qc[r], li = amp[r] * qs[r];
        const double n0r = g0 * m0c[r], n0i = g0 * m0s[r], n1r = g1 * m1c[r], n1i = g1 * m1s[r];
        const bool is_los = los[r] != 0.0;
        const double m0r = is_los ? los0 * lr : n0r, m0i = is_los ? los0 * li : n0i;
        const double m1r = is_los ? los1 * lr : n1r, m1i = is_los ? los1 * li : n1i;
        const double f0 = amp_tx[r] * pol0, f1 = amp_tx[r] * pol1;
        const double vr = m0r * f0 + m1r * f1, vi = m0i * f0 + m1i * f1;
        br[r] = vr * hr[r] - vi * hi[r];
        bi[r] = vr * hi[r] + vi * hr[r];
      }
    }
  }
  for (std::size_t u = 0; u < nu; ++u) {
    const double* __restrict cr_u = c + u * nr;
    const double* __restrict ci_u = s + u * nr;
    const double pol0 = f.pol_rx[2 * u], pol1 = f.pol_rx[2 * u + 1];
    for (std::size_t sp = 0; sp < ns; ++sp) {
      double* __restrict out_re = coef + (u * ns + sp) * nr;
      double* __restrict out_im = coef + (nus + u * ns + sp) * nr;
      const double* __restrict b0r = b + sp * nr;
      const double* __restrict b0i = b + (ns + sp) * nr;
#pragma GCC ivdep
      for (std::size_t r = 0; r < nr; ++r) {
        const double f0 = amp_rx[r] * pol0;
        const double ar0 = f0 * cr_u[r], ai0 = f0 * ci_u[r];
        out_re[r] = ar0 * b0r[r] - ai0 * b0i[r];
        out_im[r] = ar0 * b0i[r] + ai0 * b0r[r];
      }
      if (!f.rx_dual) continue;
      const double* __restrict b1r = b + (2 * ns + sp) * nr;
      const double* __restrict b1i = b + (3 * ns + sp) * nr;
#pragma GCC ivdep
      for (std::size_t r = 0; r < nr; ++r) {
        const double f1 = amp_rx[r] * pol1;
        const double ar1 = f1 * cr_u[r], ai1 = f1 * ci_u[r];
        out_re[r] += ar1 * b1r[r] - ai1 * b1i[r];
        out_im[r] += ar1 * b1i[r] + ai1 * b1r[r];
      }
    }
  }
}

// h[row][k] = Σ_c g[row][c] e[c][k] for every row (= (t, u, s)): g interleaved complex [rows, nc], e as structure of
// arrays [nc, nk], h interleaved [rows, nk]. Subcarriers in blocks of 24, each summed over the clusters before it is
// written.
__attribute__((target_clones("avx512f", "avx2", "default"))) void synthesise(const cdouble* g, const double* e_re,
                                                                             const double* e_im, cdouble* h,
                                                                             std::size_t rows, std::size_t nc,
                                                                             std::size_t nk) {
  constexpr std::size_t block = 24;
  for (std::size_t row = 0; row < rows; ++row) {
    const cdouble* gc = g + row * nc;
    double* out = reinterpret_cast<double*>(h + row * nk);  // std::complex: {re, im} ([complex.numbers])
    for (std::size_t k0 = 0; k0 < nk; k0 += block) {
      const std::size_t nb = std::min(block, nk - k0);
      double ar[block] = {}, ai[block] = {};
      for (std::size_t c = 0; c < nc; ++c) {
        const double gr = gc[c].real(), gi = gc[c].imag();
        const double* er = e_re + c * nk + k0;
        const double* ei = e_im + c * nk + k0;
        for (std::size_t k = 0; k < nb; ++k) {
          ar[k] += gr * er[k] - gi * ei[k];
          ai[k] += gr * ei[k] + gi * er[k];
        }
      }
      for (std::size_t k = 0; k < nb; ++k) {
        out[2 * (k0 + k)] = ar[k];
        out[2 * (k0 + k) + 1] = ai[k];
      }
    }
  }
}

}  // namespace

namespace {

// Scratch buffers of one thread, kept from call to call. Allocated per call (~100 kB for a snapshot, ~300 kB for the
// 14 symbols of a slot) they were handed back to the kernel by every free, and the page faults and page clearing
// that followed took over half of the evolution path's time.
struct workspace {
  std::vector<double> ang, ang_s, ang_c, arg, arg_s, arg_c;  // the two sin/cos batches of cluster_gains
  std::vector<double> ports, dir, amp, los, zero, one, b, coef, coef_re, coef_im, acc_re, acc_im;
  std::vector<char> zero_block;  // per phase block of cluster_gains: all its arguments are ±0
  std::vector<cdouble> gains;    // frequency_response's cluster gains
  // The subcarrier exponentials exp(-j2π f τ) of the last call and what they were computed from: a model's cluster
  // delays are fixed, so every realisation of a model (and every call on one realisation) reuses them.
  std::vector<double> exp_delays_s, exp_freqs_Hz, e_re, e_im;
};

workspace& thread_workspace() {
  thread_local workspace w;
  return w;
}

// v's storage with room for n values (contents unspecified).
double* room(std::vector<double>& v, std::size_t n) {
  if (v.size() < n) v.resize(n);
  return v.data();
}

bool same_bits(const std::vector<double>& a, const std::vector<double>& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(double)) == 0);
}

// cluster_gains into out ([nt, nu, ns, nc] interleaved complex, zero on entry).
void cluster_gains_into(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                        const std::vector<double>& times_s, const displacement& shift, workspace& w, cdouble* out) {
  const std::size_t nu = rx.size(), ns = tx.size(), nt = times_s.size(), nc = rays.nof_clusters();
  const std::size_t nr = rays.nof_rays(), nus = nu * ns;
  const double lambda = wavelength_m(rays.carrier_Hz);
  const auto rx_shift = scaled(shift.rx_m, 1.0 / lambda), tx_shift = scaled(shift.tx_m, 1.0 / lambda);

  // The polarisations present at each end: a single-polarised (vertical) end has no φ component, so the matrix
  // entries that multiply it, and their random phases' sines and cosines, are not needed (the phases are still
  // drawn: the random stream does not depend on the arrays). Φ^θθ (slot 0) is always used, by the LOS ray as well.
  bool rx_pol[2] = {}, tx_pol[2] = {};
  std::vector<double>& pol = w.ports;  // (cos ζ, sin ζ) then x, y, z per port: receive ports first
  pol.resize(5 * (nu + ns));
  double *pol_rx = pol.data(), *pol_tx = pol_rx + 2 * nu, *pos_rx = pol_tx + 2 * ns, *pos_tx = pos_rx + 3 * nu;
  for (std::size_t u = 0; u < nu; ++u)
    for (std::size_t p = 0; p < 3; ++p) {
      if (p < 2) pol_rx[2 * u + p] = rx.polarisation(u)[p], rx_pol[p] |= rx.polarisation(u)[p] != 0.0;
      pos_rx[3 * u + p] = rx.position_wavelengths(u)[p];
    }
  for (std::size_t s = 0; s < ns; ++s)
    for (std::size_t q = 0; q < 3; ++q) {
      if (q < 2) pol_tx[2 * s + q] = tx.polarisation(s)[q], tx_pol[q] |= tx.polarisation(s)[q] != 0.0;
      pos_tx[3 * s + q] = tx.position_wavelengths(s)[q];
    }
  ray_fields f{};
  std::size_t npol = 0;
  for (std::size_t i = 0; i < 4; ++i)
    f.slot[i] = i == 0 || (rx_pol[i / 2] && tx_pol[i % 2]) ? static_cast<std::ptrdiff_t>(npol++) : -1;
  const ray_layout l{nr, nu, ns, npol, nt};

  // Every sine and cosine of the call in two batches. First the ray angles: [zoa | aoa | zod | aod].
  double* ang = room(w.ang, 4 * nr);
  double* ang_s = room(w.ang_s, 4 * nr);
  double* ang_c = room(w.ang_c, 4 * nr);
  std::copy(rays.zoa_rad.begin(), rays.zoa_rad.end(), ang);
  std::copy(rays.aoa_rad.begin(), rays.aoa_rad.end(), ang + nr);
  std::copy(rays.zod_rad.begin(), rays.zod_rad.end(), ang + 2 * nr);
  std::copy(rays.aod_rad.begin(), rays.aod_rad.end(), ang + 3 * nr);
  sincos_batch(ang, ang_s, ang_c, 4 * nr);
  // Then the phases: receive ports, transmit ports, the polarisation phases Φ in use, the Doppler phase at every
  // time; one array over the rays each.
  const std::size_t nq = l.per_ray();
  double* arg = room(w.arg, nq * nr);
  double* arg_s = room(w.arg_s, nq * nr);
  double* arg_c = room(w.arg_c, nq * nr);
  double* dir = room(w.dir, 7 * nr);
  ray_arguments(l, ang_s, ang_c, pos_rx, rx_shift.data(), pos_tx, tx_shift.data(), rays.rx_velocity_mps.data(),
                rays.tx_velocity_mps.data(), lambda, times_s.data(), dir, arg);
  for (std::size_t i = 0; i < 4; ++i)
    if (f.slot[i] >= 0) {
      double* a = arg + (nu + ns + static_cast<std::size_t>(f.slot[i])) * nr;
      for (std::size_t r = 0; r < nr; ++r) a[r] = rays.phase_rad[r][i];
    }
  // Blocks whose arguments are all ±0 (a port at its array's reference point with no displacement, the time 0, no
  // motion) have sin/cos (+0, 1), exactly what sincos_batch returns for ±0: filled in instead of computed.
  auto zero = [](const double* v, std::size_t n) { return std::all_of(v, v + n, [](double x) { return x == 0.0; }); };
  const bool still = zero(rays.rx_velocity_mps.data(), 3) && zero(rays.tx_velocity_mps.data(), 3);
  std::vector<char>& zero_q = w.zero_block;
  zero_q.assign(nq, 0);
  for (std::size_t u = 0; u < nu; ++u) zero_q[u] = zero(pos_rx + 3 * u, 3) && zero(rx_shift.data(), 3);
  for (std::size_t s = 0; s < ns; ++s) zero_q[nu + s] = zero(pos_tx + 3 * s, 3) && zero(tx_shift.data(), 3);
  for (std::size_t t = 0; t < nt; ++t) zero_q[nu + ns + npol + t] = still || times_s[t] == 0.0;
  for (std::size_t q0 = 0, q1 = 0; q0 < nq; q0 = q1) {
    for (q1 = q0 + 1; q1 < nq && zero_q[q1] == zero_q[q0];) ++q1;
    if (zero_q[q0]) {
      std::fill(arg_s + q0 * nr, arg_s + q1 * nr, 0.0);
      std::fill(arg_c + q0 * nr, arg_c + q1 * nr, 1.0);
    } else {
      sincos_batch(arg + q0 * nr, arg_s + q0 * nr, arg_c + q0 * nr, (q1 - q0) * nr);
    }
  }

  // Per ray and port pair the coefficient of its Doppler phasor: [nu·ns, nr], real parts then imaginary parts.
  double* amp = room(w.amp, 3 * nr);  // sqrt(p_r), then the element amplitudes (receive, transmit)
  double *amp_rx = amp + nr, *amp_tx = amp + 2 * nr;
  for (std::size_t r = 0; r < nr; ++r) amp[r] = std::sqrt(rays.power[r]);  // vectorised (no errno, see CMakeLists)
  std::fill(amp_rx, amp_rx + nr, 1.0);
  std::fill(amp_tx, amp_tx + nr, 1.0);
  if (rx.directional())
    for (std::size_t r = 0; r < nr; ++r) amp_rx[r] = rx.element_amplitude(rays.zoa_rad[r], rays.aoa_rad[r]);
  if (tx.directional())
    for (std::size_t r = 0; r < nr; ++r) amp_tx[r] = tx.element_amplitude(rays.zod_rad[r], rays.aod_rad[r]);
  f.amp = amp, f.xpr_inv_sqrt = rays.xpr_inv_sqrt.data(), f.amp_rx = amp_rx, f.amp_tx = amp_tx;
  f.pol_rx = pol_rx, f.pol_tx = pol_tx, f.rx_dual = rx_pol[1];
  w.los.assign(rays.los.begin(), rays.los.end());
  f.los = w.los.data();
  w.zero.assign(nr, 0.0);
  w.one.assign(nr, 1.0);
  f.zero = w.zero.data(), f.one = w.one.data();
  double* coef = room(w.coef, 2 * nus * nr);
  ray_coefficients(l, f, arg_s, arg_c, room(w.b, 4 * ns * nr), coef);
  // ... as rows per ray for the accumulation: [nr, nu·ns].
  double* coef_re = room(w.coef_re, nr * nus);
  double* coef_im = room(w.coef_im, nr * nus);
  for (std::size_t r = 0; r < nr; ++r)  // writes in order (reads strided): 3x faster than the other way round
    for (std::size_t us = 0; us < nus; ++us) {
      coef_re[r * nus + us] = coef[us * nr + r];
      coef_im[r * nus + us] = coef[(nus + us) * nr + r];
    }

  // Time evolution by each ray's Doppler, (7.5-22) last factor, summed over the rays of a cluster: run by run of
  // consecutive rays of one cluster, each run's sum added to the cluster's gains.
  double* acc_re = room(w.acc_re, nt * nus);
  double* acc_im = room(w.acc_im, nt * nus);
  double* o = reinterpret_cast<double*>(out);  // std::complex: {re, im} ([complex.numbers])
  const std::size_t doppler = (nu + ns + npol) * nr;
  for (std::size_t r0 = 0, r1 = 0; r0 < nr; r0 = r1) {
    while (r1 < nr && rays.cluster[r1] == rays.cluster[r0]) ++r1;
    std::fill(acc_re, acc_re + nt * nus, 0.0);
    std::fill(acc_im, acc_im + nt * nus, 0.0);
    accumulate_rays(coef_re + r0 * nus, coef_im + r0 * nus, r1 - r0, arg_c + doppler + r0, arg_s + doppler + r0, 1, nr,
                    acc_re, acc_im, nt, nus);
    const std::size_t c = rays.cluster[r0];
    for (std::size_t i = 0; i < nt * nus; ++i) {
      o[2 * (i * nc + c)] += acc_re[i];
      o[2 * (i * nc + c) + 1] += acc_im[i];
    }
  }
}

// frequency_response into h ([nt, nu, ns, nk] interleaved complex; every element written).
void frequency_response_into(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                             const std::vector<double>& times_s, const std::vector<double>& freqs_Hz,
                             const displacement& shift, workspace& w, cdouble* h) {
  const std::size_t nt = times_s.size(), nu = rx.size(), ns = tx.size(), nc = rays.nof_clusters();
  const std::size_t nk = freqs_Hz.size();
  w.gains.assign(nt * nu * ns * nc, cdouble{});
  cluster_gains_into(rays, rx, tx, times_s, shift, w, w.gains.data());
  // exp(-j2π f_k τ_n): [nof_clusters, nof_subcarriers], as structure of arrays (real parts, imaginary parts) so that
  // the synthesis vectorises over subcarriers.
  if (!same_bits(w.exp_delays_s, rays.cluster_delay_s) || !same_bits(w.exp_freqs_Hz, freqs_Hz)) {
    double* arg = room(w.arg, nc * nk);
    for (std::size_t c = 0; c < nc; ++c)
      for (std::size_t k = 0; k < nk; ++k) arg[c * nk + k] = -2.0 * pi * freqs_Hz[k] * rays.cluster_delay_s[c];
    sincos_batch(arg, room(w.e_im, nc * nk), room(w.e_re, nc * nk), nc * nk);
    w.exp_delays_s = rays.cluster_delay_s;
    w.exp_freqs_Hz = freqs_Hz;
  }
  // H[t, u, s, k] = Σ_c g[t, u, s, c] e[c, k].
  synthesise(w.gains.data(), w.e_re.data(), w.e_im.data(), h, nt * nu * ns, nc, nk);
}

}  // namespace

ndarray<cdouble> cluster_gains(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                               const std::vector<double>& times_s, const displacement& shift) {
  ndarray<cdouble> out({times_s.size(), rx.size(), tx.size(), rays.nof_clusters()});
  cluster_gains_into(rays, rx, tx, times_s, shift, thread_workspace(), out.data.data());
  return out;
}

ndarray<cdouble> frequency_response(const ray_set& rays, const antenna_array& rx, const antenna_array& tx,
                                    const std::vector<double>& times_s, const std::vector<double>& freqs_Hz,
                                    const displacement& shift) {
  ndarray<cdouble> h({times_s.size(), rx.size(), tx.size(), freqs_Hz.size()});
  frequency_response_into(rays, rx, tx, times_s, freqs_Hz, shift, thread_workspace(), h.data.data());
  return h;
}

double frequency_response_flops(std::size_t nof_rays, std::size_t nof_clusters, std::size_t nof_rx,
                                std::size_t nof_tx, std::size_t nof_time, std::size_t nof_subcarriers) {
  const double r = static_cast<double>(nof_rays), c = static_cast<double>(nof_clusters);
  const double u = static_cast<double>(nof_rx), s = static_cast<double>(nof_tx);
  const double t = static_cast<double>(nof_time), k = static_cast<double>(nof_subcarriers);
  // sincos: the operations of sincos_batch's loop (reduction 9, sine polynomial 18, cosine polynomial 19).
  constexpr double cmac = 8, sincos = 46, dot3 = 5;
  // Per ray, as cluster_gains' loops do them for single-polarised ends whose first port is at the array's reference
  // point, no displacement and the first time 0 (the benchmark's case: those phases are (+0, 1) and not computed):
  // 4 angle sincos and the two directions (4); per port a phase argument (2 dot products, 1 add, 1 multiply), the
  // sincos of all but the first port; the Doppler (2 dot products, add, divide), per time its argument (2) and the
  // sincos of all but the first; the one polarisation phasor in use; sqrt(p_r); the transmit side 23 per port; the
  // port-pair coefficient 9; per time and port pair a complex multiply-add; the cluster flush 2 adds per time and
  // port pair. The subcarrier exponentials are computed once per model (the delays are fixed) and not counted.
  const double per_ray = 4 * sincos + 4 + (u + s) * (2 * dot3 + 2) + (u + s - 2) * sincos + (2 * dot3 + 2) + t * 2 +
                         (t - 1) * sincos + sincos + 1 + 23 * s + 9 * u * s + t * u * s * cmac;
  const double flush = c * t * u * s * 2;
  const double synthesis = t * u * s * c * k * cmac;
  return r * per_ray + flush + synthesis;
}

ndarray<cdouble> generate_csi(const link_model& model, const ofdm_grid& grid, const rng_stream& stream,
                              std::size_t first, std::size_t count, unsigned nof_threads) {
  const auto times = grid.symbol_times_s(0.0);
  const auto freqs = grid.subcarrier_offsets_Hz();
  const std::size_t nu = model.rx_array().size(), ns = model.tx_array().size();
  const std::size_t per_sample = grid.nof_symbols * nu * ns * grid.nof_subcarriers;
  ndarray<cdouble> out({count, grid.nof_symbols, nu, ns, grid.nof_subcarriers});
  detail::parallel_for(count, nof_threads, [&](std::size_t i) {
    rng_stream rng = stream.at(first + i);
    frequency_response_into(model.draw(rng), model.rx_array(), model.tx_array(), times, freqs, {}, thread_workspace(),
                            out.data.data() + i * per_sample);
  });
  return out;
}

}  // namespace physec::channel
