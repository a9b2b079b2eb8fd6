#include "physec/dataset/mobility_generator.hpp"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <mutex>
#include <thread>

#include "physec/channel/irs.hpp"
#include "physec/channel/pathloss.hpp"
#include "physec/core/error.hpp"
#include "physec/core/units.hpp"

namespace physec::dataset {

namespace {

/// The position split's route arcs [rad]: test [0, test), guard, validation, guard, train, guard. The validation arc
/// spans at least two sequences' travel, so that one sequence always lies wholly inside it on every lap (at 5 m/s a
/// sequence covers 0.63 rad of a 4 m circle, as much as a 10 % arc, and none fitted).
struct position_arcs {
  double sequence, guard, test, validation, train;
};
position_arcs arcs_of(const mobility_config& cfg) {
  position_arcs a;
  a.sequence = static_cast<double>(cfg.sequence_length) * cfg.speed_mps / cfg.sample_rate_Hz / cfg.route_radius_m;
  a.guard = cfg.gap_sequences * a.sequence;
  a.test = 2.0 * pi * (1.0 - cfg.train_fraction);
  a.validation = std::max(2.0 * pi * cfg.validation_fraction, 2.0 * a.sequence);
  a.train = 2.0 * pi - a.test - a.validation - 3.0 * a.guard;
  return a;
}

}  // namespace

void mobility_config::describe(config::schema& s) {
  s.add("nof_legal", nof_legal, "legal transmitters").range(1, 64).source("TDGCN paper Table I (4)");
  s.add("nof_spoofers", nof_spoofers, "spoofers").range(0, 64).source("TDGCN paper Table I (2)");
  s.add("tx_antennas", tx_antennas, "antennas per transmitter").range(1, 16).source("TDGCN paper Table I (4)");
  s.add("rx_antennas", rx_antennas, "antennas at Bob").range(1, 16).source("TDGCN paper Table I (3)");
  s.add("irs_ny", irs_ny, "IRS elements along y").range(1, 64).source("TDGCN paper Table I (8)");
  s.add("irs_nz", irs_nz, "IRS elements along z").range(1, 64).source("TDGCN paper Table I (16)");
  s.add("carrier_Hz", carrier_Hz, "carrier [Hz]").range(0.5e9, 100e9).source("TDGCN paper Table I (3.5 GHz)");
  s.add("bandwidth_Hz", bandwidth_Hz, "bandwidth [Hz]; the channel is flat over it (one subcarrier)")
      .range(1e3, 20e6)
      .source("TDGCN paper Table I (1 MHz)");
  s.add("samples_per_transmitter", samples_per_transmitter, "CSI samples per transmitter")
      .range(4, 1e7)
      .source("ours (small; paper 50,000)");
  s.add("sequence_length", sequence_length, "samples per sequence T").range(2, 10000).source("TDGCN paper (50)");
  s.add("sample_rate_Hz", sample_rate_Hz, "CSI sampling rate [Hz]")
      .range(1, 1e5)
      .source("TDGCN paper Table I (100 Hz)");
  s.add("speed_mps", speed_mps, "transmitter speed [m/s]").range(0.01, 50).source("TDGCN paper Table I (2 m/s)");
  s.add("snr_dB", snr_dB, "CSI estimation SNR of the average transmitter [dB]").range(-30, 60).source("ours");
  s.add("min_distance_m", min_distance_m, "minimum distance between transmitters on different routes [m]")
      .range(0, 40)
      .source("ours (paper sweeps it)");
  s.add("route_radius_m", route_radius_m, "radius of each circular route [m]").range(0.5, 20).source("ours");
  s.add("spoofer_placement", spoofer_placement, "spoofers on their own routes, or shadowing legal transmitters")
      .choices({"own", "near"})
      .source("ours");
  s.add("spoofer_offset_m", spoofer_offset_m, "distance of a near spoofer from its legal transmitter [m]")
      .range(0.01, 20)
      .source("ours");
  s.add("hall_m", hall_m, "hall size (x, y, z) [m]").size(3, 3).range(5, 1000).source("ours");
  s.add("bob_position_m", bob_position_m, "Bob's position [m]").size(3, 3).range(0, 1000).source("ours (hall edge)");
  s.add("irs_position_m", irs_position_m, "IRS element 0 [m]; the surface lies in the y-z plane")
      .size(3, 3)
      .range(0, 1000)
      .source("ours (x = 0 wall)");
  s.add("tx_height_m", tx_height_m, "transmitter antenna height [m]")
      .range(0.5, 10)
      .source("TR 38.901 Table 7.2-4 (1.5 m)");
  s.add("scenario", scenario, "InF sub-scenario of the direct link")
      .choices({"InF-SL", "InF-DL", "InF-SH", "InF-DH", "InF-HH"})
      .source("ours (InF-SL: sparse clutter, open AGV aisles)");
  s.add("los_mode", los_mode, "direct-link LOS state").choices({"random", "los", "nlos"}).source("TR 38.901 §7.6.3.3");
  s.add("shadow_fading", shadow_fading, "spatially consistent log-normal shadow fading")
      .source("TR 38.901 Table 7.4.1-1");
  s.add("los_correlation_m", los_correlation_m, "LOS-state correlation distance [m]")
      .range(0.1, 1000)
      .source("TR 38.901 Table 7.6.3.1-2 (InF: d_clutter / 2)");
  s.add("sf_correlation_m", sf_correlation_m, "shadow-fading correlation distance [m]")
      .range(0.1, 1000)
      .source("TR 38.901 Table 7.5-6 part-3 (InF: 10 m)");
  s.add("k_factor_dB", k_factor_dB, "Ricean K of LOS links [dB]")
      .range(-20, 40)
      .source("TR 38.901 Table 7.5-6 part-3 (InF LOS: 7 dB)");
  s.add("irs_phases", irs_phases, "IRS configuration, fixed for the dataset")
      .choices({"aligned", "random"})
      .source("ours");
  s.add("direct_path", direct_path, "include the direct Tx -> Bob link (false: blocked, only the IRS reaches Bob)")
      .source("ours");
  s.add("nof_sinusoids", nof_sinusoids, "sinusoids per NLOS entry").range(4, 256).source("ours");
  s.add("rf_signatures", rf_signatures, "per-transmitter TX-chain gain and phase offsets")
      .source("issue 9 (off by default)");
  s.add("rf_gain_std_dB", rf_gain_std_dB, "std of a chain's gain offset [dB]").range(0, 10).source("ours");
  s.add("rf_phase_std_deg", rf_phase_std_deg, "std of a chain's phase offset [deg]").range(0, 180).source("ours");
  s.add("normalisation", normalisation, "feature scaling: global (keeps received power) or per_sample (drops it)")
      .choices({"global", "per_sample"})
      .source("ours");
  s.add("phase_reference", phase_reference, "rotate each sample so that H[0][0] is real positive").source("ours");
  s.add("train_fraction", train_fraction, "share of each trajectory before the test part")
      .range(0.05, 0.95)
      .source("TDGCN paper (30,000 of 50,000)");
  s.add("validation_fraction", validation_fraction, "share carved from the end of the training part")
      .range(0.01, 0.5)
      .source("ours");
  s.add("gap_sequences", gap_sequences, "unused sequences between train, validation and test")
      .range(1, 100)
      .source("issue 9 (>= 1)");
  s.add("time_validation", time_validation,
        "time split's validation stretch: before_test (train | gap | validation | gap | test) or after_test (train | "
        "gap | test | gap | validation, the end of the trajectory: on routes driven more than once it revisits trained "
        "places as the test does)")
      .choices({"before_test", "after_test"})
      .source("ours (issue #19: the before_test stretch lies on places the training never saw)");
  s.check([this, &s](const std::string& file) {
    const int S = sequences_per_transmitter();
    const int b = static_cast<int>(std::lround(train_fraction * S));
    const int nv = std::max(1, static_cast<int>(std::lround(validation_fraction * S)));
    const bool after = time_validation == "after_test";  // the layouts of assign_time_split
    const int nof_train = after ? b : b - nv - gap_sequences;
    const int nof_test = S - b - gap_sequences - (after ? nv + gap_sequences : 0);
    if (nof_train < 1 || nof_test < 1)
      config::fail(file, s.key("samples_per_transmitter"), "too few sequences for train, validation, test and gaps",
                   ">= 1 training and >= 1 test sequence per transmitter beside " + std::to_string(nv) +
                       " validation and " + std::to_string(2 * gap_sequences) + " gap sequences",
                   std::to_string(S) + " sequences: " + std::to_string(nof_train) + " training, " +
                       std::to_string(nof_test) + " test (" + time_validation + ")");
    const auto arcs = arcs_of(*this);
    if (arcs.train < 2.0 * arcs.sequence)  // else the position split's training arc holds almost no whole sequence
      config::fail(file, s.key("speed_mps"), "the position split's training arc is too short for this speed",
                   "a training arc of >= 2 sequences' travel (lower speed_mps or sequence_length, or raise "
                   "route_radius_m)",
                   config::format_real(std::round(100.0 * arcs.train / arcs.sequence) / 100.0) + " sequences");
    for (int i = 0; i < nof_transmitters(); ++i) {
      const auto c = route_centre(*this, i);
      if (c[0] - route_radius_m < 0.5 || c[0] + route_radius_m > hall_m[0] - 0.5 || c[1] - route_radius_m < 0.5 ||
          c[1] + route_radius_m > hall_m[1] - 0.5)
        config::fail(file, s.key("min_distance_m"), "route of transmitter " + std::to_string(i) + " leaves the hall",
                     "routes inside the hall (reduce min_distance_m or route_radius_m)",
                     "centre (" + config::format_real(c[0]) + ", " + config::format_real(c[1]) + ")");
      for (const auto* p : {&bob_position_m, &irs_position_m})
        if (std::hypot(c[0] - (*p)[0], c[1] - (*p)[1]) < route_radius_m + 1.0)
          config::fail(file, s.key("route_radius_m"), "a route passes within 1 m of Bob or the IRS", ">= 1 m clearance",
                       "transmitter " + std::to_string(i));
    }
  });
}

void apply_paper_preset(mobility_config& cfg) {
  cfg.samples_per_transmitter = 50000;
}

std::vector<double> route_centre(const mobility_config& cfg, int i) {
  const double sp = cfg.min_distance_m + 2.0 * cfg.route_radius_m;
  const double cx = 0.5 * cfg.hall_m[0], cy = 0.5 * cfg.hall_m[1];
  const bool near = cfg.spoofer_placement == "near" && i >= cfg.nof_legal;
  const int slot = near ? i - cfg.nof_legal : i;  // a near spoofer takes its leader's route, shifted
  // Slots on a grid of 3 columns, rows alternating above and below the hall's centre line.
  const int col = slot % 3, row = slot / 3;
  const double x = cx + (col - 1) * sp;
  const double y = cy + (row % 2 == 0 ? -0.5 : 0.5) * sp + (row / 2) * 2.0 * sp * (row % 2 == 0 ? -1.0 : 1.0);
  return {x + (near ? cfg.spoofer_offset_m : 0.0), y, cfg.tx_height_m};
}

namespace {

using vec3 = std::array<double, 3>;

/// Zero-mean unit-variance Gaussian random field on the floor with exponential correlation exp(−|Δ|/d):
/// random Fourier features, wave vectors from the field's spectral density ∝ (1 + d²|k|²)^(−3/2), a 2-D Cauchy
/// (k = z / (d |w|), z ~ N(0, I), w ~ N(0, 1)).
class correlated_field {
 public:
  correlated_field(double d_m, rng_stream rng) {
    for (int m = 0; m < k_terms; ++m) {
      const double w = std::max(std::abs(rng.normal()), 1e-12);
      kx_[m] = rng.normal() / (d_m * w);
      ky_[m] = rng.normal() / (d_m * w);
      ph_[m] = rng.uniform(0.0, 2.0 * pi);
    }
  }
  double operator()(double x, double y) const {
    double s = 0;
    for (int m = 0; m < k_terms; ++m) s += std::cos(kx_[m] * x + ky_[m] * y + ph_[m]);
    return s * std::sqrt(2.0 / k_terms);
  }

 private:
  static constexpr int k_terms = 64;
  std::array<double, k_terms> kx_{}, ky_{}, ph_{};
};

struct route {
  vec3 centre{};
  double radius = 1, omega = 0, phase0 = 0;
  vec3 position(double t) const {
    const double a = phase0 + omega * t;
    return {centre[0] + radius * std::cos(a), centre[1] + radius * std::sin(a), centre[2]};
  }
  vec3 velocity(double t) const {
    const double a = phase0 + omega * t;
    return {-radius * omega * std::sin(a), radius * omega * std::cos(a), 0.0};
  }
  /// Route angle in [0, 2π) of the sample at t, measured from the +x axis of the route centre.
  double angle(double t) const {
    const double a = std::fmod(phase0 + omega * t, 2.0 * pi);
    return a < 0 ? a + 2.0 * pi : a;
  }
};

/// Clean channel of one transmitter: H `[n][nof_rx][nof_tx]` and per-sample geometry.
struct tx_track {
  std::vector<std::complex<double>> h;  // [n, U, S]
  std::vector<vec3> pos, vel;
  std::vector<std::uint8_t> los;
  std::vector<double> angle;
};

struct scene {
  const mobility_config& cfg;
  channel::large_scale_config ls_direct, ls_tx_irs, ls_irs_rx;
  correlated_field los_field, sf_direct, sf_irs;
  std::vector<double> irs_phases;
  double beta_r_dB = 0;
};

channel::irs_config base_irs(const mobility_config& cfg) {
  channel::irs_config ic;
  ic.nof_y = static_cast<std::size_t>(cfg.irs_ny);
  ic.nof_z = static_cast<std::size_t>(cfg.irs_nz);
  ic.carrier_Hz = cfg.carrier_Hz;
  ic.tx.nof_cols = static_cast<std::size_t>(cfg.tx_antennas);
  ic.rx.nof_cols = static_cast<std::size_t>(cfg.rx_antennas);
  ic.rx_position_m = cfg.bob_position_m;
  ic.irs_position_m = cfg.irs_position_m;
  ic.k_factor_dB = cfg.k_factor_dB;
  ic.nof_sinusoids = static_cast<std::size_t>(cfg.nof_sinusoids);
  ic.direct_gain_dB = ic.tx_irs_gain_dB = ic.irs_rx_gain_dB = 0.0;
  return ic;
}

double d2d(const vec3& a, const std::vector<double>& b) {
  return std::hypot(a[0] - b[0], a[1] - b[1]);
}

constexpr int k_chord = 10;  // samples per straight chord of the route

tx_track simulate(const scene& sc, const route& r, rng_stream st) {
  const auto& cfg = sc.cfg;
  const std::size_t n = static_cast<std::size_t>(cfg.sequences_per_transmitter()) * cfg.sequence_length;
  const std::size_t U = static_cast<std::size_t>(cfg.rx_antennas), S = static_cast<std::size_t>(cfg.tx_antennas);
  const double k_lin = db_to_linear(cfg.k_factor_dB);
  const double w_los = std::sqrt(k_lin / (k_lin + 1.0)), w_nlos = std::sqrt(1.0 / (k_lin + 1.0));
  const rng_stream ch = st.derive("channel");

  channel::irs_config cascade = base_irs(cfg);
  cascade.direct_path = false;
  channel::irs_config direct = base_irs(cfg);
  direct.nof_y = direct.nof_z = 1;  // the direct part only: a 1-element IRS at -300 dB; same "direct" stream
  direct.tx_irs_gain_dB = direct.irs_rx_gain_dB = -300.0;
  const std::vector<double> one_phase{0.0};

  // Per-transmitter RF chain offsets (switch): gain and phase of each TX chain.
  std::vector<std::complex<double>> rf(S, 1.0);
  if (cfg.rf_signatures) {
    rng_stream rr = st.derive("rf");
    for (auto& g : rf)
      g = std::polar(std::sqrt(db_to_linear(cfg.rf_gain_std_dB * rr.normal())),
                     deg_to_rad(cfg.rf_phase_std_deg) * rr.normal());
  }

  tx_track tr;
  tr.h.assign(n * U * S, 0.0);
  tr.pos.resize(n);
  tr.vel.resize(n);
  tr.los.resize(n);
  tr.angle.resize(n);
  const double dt = 1.0 / cfg.sample_rate_Hz;
  for (std::size_t c0 = 0; c0 < n; c0 += k_chord) {
    const std::size_t len = std::min<std::size_t>(k_chord, n - c0);
    const double ts = static_cast<double>(c0) * dt, te = static_cast<double>(c0 + k_chord) * dt;
    const vec3 xs = r.position(ts), xe = r.position(te);
    std::vector<double> v(3), x0(3), times(len);
    for (int k = 0; k < 3; ++k) {
      v[k] = (xe[k] - xs[k]) / (te - ts);
      x0[k] = xs[k] - v[k] * ts;  // so that x0 + v t is on the chord at absolute time t
    }
    for (std::size_t j = 0; j < len; ++j) times[j] = static_cast<double>(c0 + j) * dt;
    cascade.tx_position_m = direct.tx_position_m = x0;
    cascade.tx_velocity_mps = direct.tx_velocity_mps = v;
    rng_stream r1 = ch, r2 = ch, r3 = ch;
    const auto hc = channel::irs_channel(cascade, sc.irs_phases, r1, times, {0.0});
    direct.nlos = false;
    const auto hl = channel::irs_channel(direct, one_phase, r2, times, {0.0});  // LOS part of H_d
    direct.nlos = true;
    direct.k_factor_dB = 0.0;
    const auto hm = channel::irs_channel(direct, one_phase, r3, times, {0.0});  // (LOS + NLOS) / sqrt(2)
    direct.k_factor_dB = cfg.k_factor_dB;
    for (std::size_t j = 0; j < len; ++j) {
      const std::size_t i = c0 + j;
      vec3 p{};
      for (int k = 0; k < 3; ++k) p[k] = x0[k] + v[k] * times[j];
      tr.pos[i] = p;
      tr.vel[i] = {v[0], v[1], v[2]};
      tr.angle[i] = r.angle(times[j]);
      // Direct link: LOS state, path loss and shadow fading at this position.
      bool los = cfg.los_mode == "los";
      const double dd = d2d(p, cfg.bob_position_m);
      if (cfg.los_mode == "random") {
        const double u = 0.5 * std::erfc(-sc.los_field(p[0], p[1]) / std::sqrt(2.0));  // Φ(g): uniform marginal
        los = u < channel::los_probability(sc.ls_direct, dd);
      }
      tr.los[i] = los ? 1 : 0;
      double pl_d = channel::pathloss_dB(sc.ls_direct, los, dd);
      double pl_t = channel::pathloss_dB(sc.ls_tx_irs, true, d2d(p, cfg.irs_position_m));
      if (cfg.shadow_fading) {
        pl_d += channel::shadow_fading_std_dB(sc.ls_direct, los) * sc.sf_direct(p[0], p[1]);
        pl_t += channel::shadow_fading_std_dB(sc.ls_tx_irs, true) * sc.sf_irs(p[0], p[1]);
      }
      const double b_d = cfg.direct_path ? std::sqrt(db_to_linear(-pl_d)) : 0.0;
      const double b_c = std::sqrt(db_to_linear(-pl_t - sc.beta_r_dB));
      for (std::size_t u = 0; u < U; ++u)
        for (std::size_t s = 0; s < S; ++s) {
          const auto l = hl(j, u, s, 0);
          const auto nl = std::sqrt(2.0) * hm(j, u, s, 0) - l;
          const auto hd = los ? w_los * l + w_nlos * nl : nl;
          tr.h[(i * U + u) * S + s] = (b_d * hd + b_c * hc(j, u, s, 0)) * rf[s];
        }
    }
  }
  return tr;
}

/// One transmitter's time-split codes, in trajectory order. The test stretch starts at b + g (b = train_fraction·S)
/// in both layouts; "after_test" gives the validation sequences' place before the test to training and takes them,
/// after a gap, from the end of the test stretch.
void assign_time_split(const mobility_config& cfg, std::vector<std::uint8_t>& out) {
  const int S = cfg.sequences_per_transmitter(), g = cfg.gap_sequences;
  const int b = static_cast<int>(std::lround(cfg.train_fraction * S));
  const int nv = std::max(1, static_cast<int>(std::lround(cfg.validation_fraction * S)));
  if (cfg.time_validation == "after_test") {
    const int e = S - nv - g;  // test [b + g, e), gap, validation [S - nv, S)
    for (int k = 0; k < S; ++k)
      out.push_back(k < b ? m_train : k < b + g ? m_unused : k < e ? m_test : k < e + g ? m_unused : m_validation);
    return;
  }
  const int a = b - nv - g;
  for (int k = 0; k < S; ++k)
    out.push_back(k < a ? m_train : k < a + g ? m_unused : k < b ? m_validation : k < b + g ? m_unused : m_test);
}

}  // namespace

mobility_data generate_mobility(const mobility_config& cfg_in, const rng_stream& stream, unsigned nof_threads,
                                progress* bar) {
  mobility_config cfg = cfg_in;
  config::validate(cfg, "dataset mobility");
  const int nt = cfg.nof_transmitters(), S = cfg.sequences_per_transmitter(), T = cfg.sequence_length;
  const std::size_t U = static_cast<std::size_t>(cfg.rx_antennas), A = static_cast<std::size_t>(cfg.tx_antennas);
  const std::size_t n_tx = static_cast<std::size_t>(S) * static_cast<std::size_t>(T);

  channel::large_scale_config ls;
  ls.scenario = cfg.scenario;
  ls.carrier_Hz = cfg.carrier_Hz;
  ls.bandwidth_Hz = cfg.bandwidth_Hz;
  ls.h_ut_m = cfg.tx_height_m;
  if (cfg.scenario == "InF-SH" || cfg.scenario == "InF-DH")
    ls.clutter_height_m = 0.5 * (cfg.tx_height_m + cfg.bob_position_m[2]);
  scene sc{cfg,
           ls,
           ls,
           ls,
           correlated_field(cfg.los_correlation_m, stream.derive("field/los")),
           correlated_field(cfg.sf_correlation_m, stream.derive("field/sf-direct")),
           correlated_field(cfg.sf_correlation_m, stream.derive("field/sf-irs")),
           {},
           0.0};
  sc.ls_direct.h_bs_m = cfg.bob_position_m[2];
  // IRS hops: deployed with LOS; the InF LOS formula is shared by every InF sub-scenario.
  sc.ls_tx_irs.h_bs_m = cfg.irs_position_m[2];
  sc.ls_irs_rx.h_bs_m = cfg.bob_position_m[2];
  sc.ls_irs_rx.h_ut_m = cfg.irs_position_m[2];
  if (sc.ls_irs_rx.h_ut_m == sc.ls_irs_rx.h_bs_m) sc.ls_irs_rx.h_ut_m -= 1e-3;
  sc.beta_r_dB = channel::pathloss_dB(
      sc.ls_irs_rx, true,
      std::hypot(cfg.bob_position_m[0] - cfg.irs_position_m[0], cfg.bob_position_m[1] - cfg.irs_position_m[1]));
  {
    channel::irs_config ic = base_irs(cfg);
    ic.phase_mode = cfg.irs_phases;
    ic.tx_position_m = {0.5 * cfg.hall_m[0], 0.5 * cfg.hall_m[1], cfg.tx_height_m};
    rng_stream pr = stream.derive("irs-phases");
    sc.irs_phases = channel::irs_phases(ic, pr);
  }

  // Routes; a near spoofer copies its leader's start phase so the offset stays constant.
  std::vector<route> routes(static_cast<std::size_t>(nt));
  for (int i = 0; i < nt; ++i) {
    const auto c = route_centre(cfg, i);
    auto& r = routes[static_cast<std::size_t>(i)];
    r.centre = {c[0], c[1], c[2]};
    r.radius = cfg.route_radius_m;
    r.omega = cfg.speed_mps / cfg.route_radius_m;
    const bool near = cfg.spoofer_placement == "near" && i >= cfg.nof_legal;
    r.phase0 =
        stream.derive("route").at(static_cast<std::uint64_t>(near ? i - cfg.nof_legal : i)).uniform(0.0, 2.0 * pi);
  }

  std::vector<tx_track> tracks(static_cast<std::size_t>(nt));
  std::atomic<int> next{0};
  std::mutex bar_mutex;
  auto worker = [&] {
    for (int i = next++; i < nt; i = next++) {
      tracks[static_cast<std::size_t>(i)] = simulate(sc, routes[static_cast<std::size_t>(i)],
                                                     stream.derive("transmitter").at(static_cast<std::uint64_t>(i)));
      if (bar) {
        std::lock_guard<std::mutex> lock(bar_mutex);
        bar->advance(n_tx);
      }
    }
  };
  const unsigned nth = std::max(1u, std::min<unsigned>(nof_threads, static_cast<unsigned>(nt)));
  std::vector<std::thread> pool;
  for (unsigned k = 1; k < nth; ++k) pool.emplace_back(worker);
  worker();
  for (auto& th : pool) th.join();

  // Noise from the mean received power over every transmitter, sample and port pair.
  double p_ref = 0;
  for (const auto& tr : tracks)
    for (const auto& h : tr.h) p_ref += std::norm(h);
  p_ref /= static_cast<double>(nt) * static_cast<double>(n_tx * U * A);
  const double noise_var = p_ref / db_to_linear(cfg.snr_dB);

  mobility_data d;
  const std::size_t n = static_cast<std::size_t>(nt) * static_cast<std::size_t>(S), D = 2 * U * A;
  const std::size_t Tz = static_cast<std::size_t>(T);
  d.sequences = ndarray<float>({n, D, Tz});
  d.csi = ndarray<std::complex<float>>({n, Tz, U, A});
  d.snr_dB = ndarray<double>({n, Tz});
  d.los = ndarray<std::uint8_t>({n, Tz});
  d.positions_m = ndarray<double>({n, Tz, 3});
  d.velocities_mps = ndarray<double>({n, Tz, 3});
  d.nof_legal = cfg.nof_legal;
  d.sample_rate_Hz = cfg.sample_rate_Hz;
  d.noise_variance = noise_var;
  d.feature_layout = std::string(
                         "D = 2 * nof_rx * nof_tx: d < nof_rx*nof_tx real, then imaginary parts of H[u][s] at "
                         "u * nof_tx + s; ") +
                     (cfg.phase_reference ? "each sample rotated so that H[0][0] is real positive; " : "") +
                     (cfg.normalisation == "global" ? "divided by sqrt(P_ref), the mean received power per entry "
                                                      "over the dataset (received power kept)"
                                                    : "divided by its own RMS entry (received power dropped)");
  const double g_scale = 1.0 / std::sqrt(p_ref);

  // Position split: route arcs (arcs_of), so no test position lies within one sequence's travel of a training one.
  const auto arcs = arcs_of(cfg);
  const double guard = arcs.guard, a_test = arcs.test, a_val = arcs.validation;
  auto arc_of = [&](double ang) -> std::uint8_t {
    if (ang < a_test) return m_test;
    if (ang >= a_test + guard && ang < a_test + guard + a_val) return m_validation;
    if (ang >= a_test + 2 * guard + a_val && ang < 2.0 * pi - guard) return m_train;
    return m_unused;
  };

  std::size_t q = 0;
  for (int i = 0; i < nt; ++i) {
    const auto& tr = tracks[static_cast<std::size_t>(i)];
    rng_stream nz = stream.derive("noise").at(static_cast<std::uint64_t>(i));
    assign_time_split(cfg, d.split_time);
    for (int k = 0; k < S; ++k, ++q) {
      d.transmitter.push_back(i);
      d.start_index.push_back(static_cast<std::int64_t>(k) * T);
      std::uint8_t arc = 255;
      for (std::size_t t = 0; t < Tz; ++t) {
        const std::size_t smp = static_cast<std::size_t>(k) * Tz + t;
        const std::uint8_t a = arc_of(tr.angle[smp]);
        arc = arc == 255 ? a : (arc == a ? arc : static_cast<std::uint8_t>(m_unused));
        double pw = 0, pw_noisy = 0;
        std::vector<std::complex<double>> y(U * A);
        for (std::size_t e = 0; e < U * A; ++e) {
          const auto h = tr.h[smp * U * A + e];
          pw += std::norm(h);
          y[e] = h + nz.complex_normal(noise_var);
          pw_noisy += std::norm(y[e]);
          d.csi.data[(q * Tz + t) * U * A + e] = std::complex<float>(y[e]);
        }
        d.snr_dB(q, t) = linear_to_db(pw / static_cast<double>(U * A) / noise_var);
        d.los(q, t) = tr.los[smp];
        for (std::size_t k3 = 0; k3 < 3; ++k3) {
          d.positions_m(q, t, k3) = tr.pos[smp][k3];
          d.velocities_mps(q, t, k3) = tr.vel[smp][k3];
        }
        std::complex<double> rot = 1.0;
        if (cfg.phase_reference && std::abs(y[0]) > 0) rot = std::conj(y[0]) / std::abs(y[0]);
        const double scale = cfg.normalisation == "global"
                                 ? g_scale
                                 : 1.0 / std::sqrt(std::max(pw_noisy / static_cast<double>(U * A), 1e-300));
        for (std::size_t e = 0; e < U * A; ++e) {
          const auto f = y[e] * rot * scale;
          d.sequences(q, e, t) = static_cast<float>(f.real());
          d.sequences(q, U * A + e, t) = static_cast<float>(f.imag());
        }
      }
      d.split_position.push_back(arc);
    }
  }
  d.split_random = random_split(d.split_time);
  return d;
}

}  // namespace physec::dataset
