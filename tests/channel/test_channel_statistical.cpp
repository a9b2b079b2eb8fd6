// Statistical tests of the channel library. Each test states its significance level α and sample size n; every
// tolerance is z_{1−α/2} times a standard error estimated from the n samples (delta method where the statistic is
// a function of means). A test making k checks (real and imaginary parts at several lags) gives each α/k
// (Bonferroni), so the whole test keeps its family-wise level α. Seeds are fixed, so a run is deterministic; α is the chance that a correct generator
// would fail the test for a random seed. Expected values are analytic (typed or derived on paper).

#include <gtest/gtest.h>

#include <boost/math/special_functions/bessel.hpp>

#include <cmath>
#include <complex>
#include <vector>

#include "physec/channel/irs.hpp"
#include "physec/channel/link.hpp"
#include "physec/channel/pathloss.hpp"
#include "physec/channel/tdd.hpp"
#include "physec/core/units.hpp"
#include "stat_helpers.hpp"

namespace pc = physec::channel;
using cd = std::complex<double>;
using physec::pi;
using physec::test::delta_method;
using physec::test::mean_with_se;
using physec::test::z_two_sided;

namespace {

constexpr double alpha = 0.01;

std::unique_ptr<pc::link_model> model(const std::string& profile, double speed_mps = 1.0) {
  pc::link_config c;
  c.profile = profile;
  c.speed_mps = speed_mps;
  c.direction_azimuth_deg = 30.0;
  return pc::make_link_model(c);
}

// Tests the real and imaginary parts of the mean of complex samples `z` against `expected`, at level α/k each,
// k = nof_checks (all checks of the calling test).
void expect_complex_mean(const std::vector<cd>& z, cd expected, const std::string& what, std::size_t nof_checks) {
  std::vector<double> re, im;
  for (const auto& v : z) {
    re.push_back(v.real());
    im.push_back(v.imag());
  }
  const double zq = z_two_sided(alpha / static_cast<double>(nof_checks));
  const auto mr = mean_with_se(re), mi = mean_with_se(im);
  EXPECT_NEAR(mr.mean, expected.real(), zq * mr.se) << what << " (real part, n = " << z.size() << ")";
  EXPECT_NEAR(mi.mean, expected.imag(), zq * mi.se) << what << " (imaginary part, n = " << z.size() << ")";
  std::printf("%-44s measured %+.4f%+.4fj  expected %+.4f%+.4fj  tol %.4f/%.4f\n", what.c_str(), mr.mean, mi.mean,
              expected.real(), expected.imag(), zq * mr.se, zq * mi.se);
}

// Mean |H|² over everything but the first axis of `h` ([n, ...]): one iid value per realisation.
std::vector<double> power_per_realisation(const physec::ndarray<cd>& h) {
  const std::size_t n = h.shape[0], per = h.size() / n;
  std::vector<double> x(n, 0.0);
  for (std::size_t i = 0; i < n; ++i)
    for (std::size_t j = 0; j < per; ++j) x[i] += std::norm(h.data[i * per + j]) / static_cast<double>(per);
  return x;
}

double cluster_power(const pc::ray_set& rs, std::size_t c) {
  double p = 0;
  for (std::size_t r = 0; r < rs.nof_rays(); ++r)
    if (rs.cluster[r] == c) p += rs.power[r];
  return p;
}

}  // namespace

// α = 0.01, n = 1600 TDL-A realisations: the RMS delay spread of the estimated PDP (mean tap powers) equals the
// desired 100 ns. Standard error by the delta method over the 23 tap-power means.
TEST(ChannelStatistical, RmsDelaySpreadOfGeneratedPdp) {
  const auto m = model("TDL-A");
  const std::size_t n = 1600;
  const physec::rng_stream s(101);
  std::vector<std::vector<double>> powers;
  std::vector<double> delays;
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    delays = rs.cluster_delay_s;
    const auto g = pc::cluster_gains(rs, m->rx_array(), m->tx_array(), {0.0});
    std::vector<double> row;
    for (std::size_t c = 0; c < rs.nof_clusters(); ++c) row.push_back(std::norm(g(0, 0, 0, c)));
    powers.push_back(row);
  }
  const auto ds = delta_method(powers, [&](const std::vector<double>& p) { return pc::rms_delay_spread_s(delays, p); });
  std::printf("RMS delay spread: measured %.2f ns, expected 100 ns, tol %.2f ns\n", ds.mean * 1e9,
              z_two_sided(alpha) * ds.se * 1e9);
  EXPECT_NEAR(ds.mean, 100e-9, z_two_sided(alpha) * ds.se);
}

// α = 0.01, n = 1200 CDL-C realisations, 2x2 isotropic ULAs: the mean over ports and 72 subcarriers of |H|²
// (one iid value per realisation) has expectation 1.
TEST(ChannelStatistical, AverageChannelPowerIsOne) {
  pc::link_config c;
  c.rx.nof_cols = 2;
  c.tx.nof_cols = 2;
  const auto m = pc::make_link_model(c);
  pc::ofdm_grid g;
  g.nof_symbols = 1;
  const std::size_t n = 1200;
  const auto h = pc::generate_csi(*m, g, physec::rng_stream(102), 0, n, 2);
  const auto r = mean_with_se(power_per_realisation(h));
  std::printf("average power: measured %.4f, expected 1, tol %.4f\n", r.mean, z_two_sided(alpha) * r.se);
  EXPECT_NEAR(r.mean, 1.0, z_two_sided(alpha) * r.se);
}

// α = 0.01, n = 4000 TDL-A realisations at 30 m/s, 3.5 GHz (f_D = 350 Hz): the normalised autocorrelation of the
// strongest tap, E[h(0) h*(τ)]/P, equals J0(2π f_D τ) (Clarke/Jakes) at five lags.
TEST(ChannelStatistical, TdlTapAutocorrelationFollowsJ0) {
  const double speed = 30.0, f_d = speed * 3.5e9 / 299792458.0;
  const auto m = model("TDL-A", speed);
  const std::size_t n = 4000;
  const double xs[] = {0.5, 1.5, 2.404825557695773, 3.8317, 5.0};  // 2π f_D τ (first zero of J0 at 2.4048)
  std::vector<double> times = {0.0};
  for (double x : xs) times.push_back(x / (2 * pi * f_d));
  std::vector<std::vector<cd>> z(std::size(xs));
  const physec::rng_stream s(103);
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto g = pc::cluster_gains(rs, m->rx_array(), m->tx_array(), times);
    const double p = cluster_power(rs, 1);  // tap 2 of Table 7.7.2-1, 0 dB
    for (std::size_t j = 0; j < std::size(xs); ++j) z[j].push_back(g(0, 0, 0, 1) * std::conj(g(j + 1, 0, 0, 1)) / p);
  }
  for (std::size_t j = 0; j < std::size(xs); ++j)
    expect_complex_mean(z[j], boost::math::cyl_bessel_j(0, xs[j]), "TDL tap autocorrelation at 2πf_Dτ=" +
                                                                       std::to_string(xs[j]),
                        2 * std::size(xs));
}

// α = 0.01, n = 2000 CDL-C realisations, UE at 3 m/s towards azimuth 30°: E[H(t) H*(t+τ)] given the ray angles is
// Σ_r p_r exp(−j2π ν_r τ), ν_r = v sinθ_r cos(φ_r − φ_v)/λ computed here from the ray angles. The test checks
// that the mean of H(0)H*(τ) − Σ_r p_r exp(−j2πν_r τ) is zero, and reports the analytic value.
TEST(ChannelStatistical, CdlTimeAutocorrelationMatchesRayAnalytic) {
  const double speed = 3.0, lambda = 299792458.0 / 3.5e9;
  const auto m = model("CDL-C", speed);
  const std::size_t n = 2000;
  const std::vector<double> taus = {0.5e-3, 2e-3, 5e-3, 20e-3};
  std::vector<double> times = {0.0};
  times.insert(times.end(), taus.begin(), taus.end());
  const physec::rng_stream s(104);
  std::vector<std::vector<cd>> diff(taus.size());
  std::vector<cd> analytic_mean(taus.size());
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto h = pc::frequency_response(rs, m->rx_array(), m->tx_array(), times, {0.0});
    for (std::size_t j = 0; j < taus.size(); ++j) {
      cd analytic = 0;
      for (std::size_t r = 0; r < rs.nof_rays(); ++r) {
        const double nu = speed * std::sin(rs.zoa_rad[r]) * std::cos(rs.aoa_rad[r] - pi / 6) / lambda;
        analytic += rs.power[r] * std::polar(1.0, -2 * pi * nu * taus[j]);
      }
      diff[j].push_back(h(0, 0, 0, 0) * std::conj(h(j + 1, 0, 0, 0)) - analytic);
      analytic_mean[j] += analytic / static_cast<double>(n);
    }
  }
  for (std::size_t j = 0; j < taus.size(); ++j) {
    std::printf("CDL-C analytic autocorrelation at %.1f ms: %+.4f%+.4fj\n", taus[j] * 1e3, analytic_mean[j].real(),
                analytic_mean[j].imag());
    expect_complex_mean(diff[j], 0.0, "CDL autocorrelation minus analytic, tau=" + std::to_string(taus[j]),
                        2 * taus.size());
  }
}

// α = 0.01, n = 2000 CDL-C realisations at one instant: E[H(f) H*(f+Δf)] = Σ_n P_n exp(j2π Δf τ_n), the Fourier
// transform of the PDP (cluster powers and delays of the realisation, DS = 100 ns), at four frequency lags.
TEST(ChannelStatistical, FrequencyCorrelationIsPdpTransform) {
  const auto m = model("CDL-C");
  const std::size_t n = 2000;
  const std::vector<double> freqs = {0.0, 0.3e6, 1e6, 3e6, 10e6};
  const physec::rng_stream s(105);
  std::vector<std::vector<cd>> z(freqs.size() - 1);
  std::vector<cd> expected(freqs.size() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto h = pc::frequency_response(rs, m->rx_array(), m->tx_array(), {0.0}, freqs);
    for (std::size_t j = 1; j < freqs.size(); ++j) z[j - 1].push_back(h(0, 0, 0, 0) * std::conj(h(0, 0, 0, j)));
    if (i == 0)
      for (std::size_t j = 1; j < freqs.size(); ++j)
        for (std::size_t c = 0; c < rs.nof_clusters(); ++c)
          expected[j - 1] += cluster_power(rs, c) * std::polar(1.0, 2 * pi * freqs[j] * rs.cluster_delay_s[c]);
  }
  for (std::size_t j = 0; j < z.size(); ++j)
    expect_complex_mean(z[j], expected[j], "frequency correlation at df=" + std::to_string(freqs[j + 1]), 2 * z.size());
}

// α = 0.01, n = 4000 TDL-A realisations (rays on an isotropic horizontal ring): Eve displaced by d along x from
// Bob has E[H_bob H_eve*] = J0(2π d/λ).
TEST(ChannelStatistical, EveCorrelationIsBesselForIsotropicRing) {
  const auto m = model("TDL-A");
  const double lambda = 299792458.0 / 3.5e9;
  const std::size_t n = 4000;
  const double ds[] = {0.2, 0.5, 1.0, 3.0};
  std::vector<std::vector<cd>> z(std::size(ds));
  const physec::rng_stream s(106);
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto hb = pc::frequency_response(rs, m->rx_array(), m->tx_array(), {0.0}, {0.0});
    for (std::size_t j = 0; j < std::size(ds); ++j) {
      pc::displacement d;
      d.rx_m = {ds[j] * lambda, 0.0, 0.0};
      const auto he = pc::frequency_response(rs, m->rx_array(), m->tx_array(), {0.0}, {0.0}, d);
      z[j].push_back(hb(0, 0, 0, 0) * std::conj(he(0, 0, 0, 0)));
    }
  }
  for (std::size_t j = 0; j < std::size(ds); ++j)
    expect_complex_mean(z[j], boost::math::cyl_bessel_j(0, 2 * pi * ds[j]),
                        "Eve ring correlation at d/lambda=" + std::to_string(ds[j]), 2 * std::size(ds));
}

// α = 0.01, n = 2000 CDL-B realisations: Eve at Δx = d·(0.6, 0.8, 0) from Bob, d ∈ {0.25, 0.5, 1, 2}λ, has
// E[H_bob H_eve*] given the rays equal to Σ_r p_r exp(−j2π r̂_r·Δx/λ), r̂_r computed here from the arrival angles.
// The test checks that the mean of H_bob H_eve* minus that analytic value is zero at each distance.
TEST(ChannelStatistical, EveCorrelationMatchesRaySpatialCorrelation) {
  const auto m = model("CDL-B");
  const double lambda = 299792458.0 / 3.5e9;
  const std::size_t n = 2000;
  const double dist[] = {0.25, 0.5, 1.0, 2.0};
  const physec::rng_stream s(107);
  std::vector<std::vector<cd>> diff(std::size(dist));
  std::vector<cd> analytic_mean(std::size(dist));
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto hb = pc::frequency_response(rs, m->rx_array(), m->tx_array(), {0.0}, {0.0});
    for (std::size_t j = 0; j < std::size(dist); ++j) {
      pc::displacement d;
      d.rx_m = {0.6 * dist[j] * lambda, 0.8 * dist[j] * lambda, 0.0};
      const auto he = pc::frequency_response(rs, m->rx_array(), m->tx_array(), {0.0}, {0.0}, d);
      cd analytic = 0;
      for (std::size_t r = 0; r < rs.nof_rays(); ++r) {
        const double proj =
            dist[j] * std::sin(rs.zoa_rad[r]) * (0.6 * std::cos(rs.aoa_rad[r]) + 0.8 * std::sin(rs.aoa_rad[r]));
        analytic += rs.power[r] * std::polar(1.0, -2 * pi * proj);
      }
      analytic_mean[j] += analytic / static_cast<double>(n);
      diff[j].push_back(hb(0, 0, 0, 0) * std::conj(he(0, 0, 0, 0)) - analytic);
    }
  }
  for (std::size_t j = 0; j < std::size(dist); ++j) {
    std::printf("CDL-B analytic Bob-Eve correlation at %.2f lambda: %+.4f%+.4fj\n", dist[j], analytic_mean[j].real(),
                analytic_mean[j].imag());
    expect_complex_mean(diff[j], 0.0, "CDL Eve correlation minus analytic, d=" + std::to_string(dist[j]),
                        2 * std::size(dist));
  }
}

// α = 0.01, n = 10000 TDL-D realisations: the first tap (LOS ray + Rayleigh part) is Ricean with K1 = 13.3 dB
// (Table 7.7.2-4). Moment estimator: γ = E|h|⁴/E²|h|² − 1 = (2K+1)/(K+1)², so K = s/(1 − s), s = sqrt(1 − γ);
// standard error by the delta method over (|h|², |h|⁴).
TEST(ChannelStatistical, LosKFactorRecoveredFromSamples) {
  const auto m = model("TDL-D");
  const std::size_t n = 10000;
  const physec::rng_stream s(108);
  std::vector<std::vector<double>> x;
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto rs = m->draw(rng);
    const auto g = pc::cluster_gains(rs, m->rx_array(), m->tx_array(), {0.0});
    const double p = std::norm(g(0, 0, 0, 0) + g(0, 0, 0, 1));
    x.push_back({p, p * p});
  }
  const auto k = delta_method(x, [](const std::vector<double>& mm) {
    const double sq = std::sqrt(std::max(0.0, 2.0 - mm[1] / (mm[0] * mm[0])));
    return sq / (1.0 - sq);
  });
  const double expected = std::pow(10.0, 1.33);
  std::printf("K-factor: measured %.2f (%.2f dB), expected %.2f (13.3 dB), tol %.2f\n", k.mean,
              10 * std::log10(k.mean), expected, z_two_sided(alpha) * k.se);
  EXPECT_NEAR(k.mean, expected, z_two_sided(alpha) * k.se);
}

// α = 0.01, n = 20 events × 3 symbols × 4×4 ports × 24 subcarriers = 23040 resource elements at 10 dB SNR: the
// LS estimation error E|Ĥ − H|² equals 1/SNR = 0.1.
TEST(ChannelStatistical, EstimationNoiseVarianceMatchesSnr) {
  pc::tdd_config c;
  c.link.tx.nof_cols = 4;
  c.link.rx.nof_cols = 4;
  c.grid.nof_subcarriers = 24;
  c.grid.nof_symbols = 3;
  c.impairments = pc::impairments_config::none();
  c.impairments.estimation_noise = true;
  c.impairments.snr_dB = 10.0;
  const pc::tdd_link link(c, physec::rng_stream(109));
  std::vector<double> e;
  for (const auto& ev : link.probe_batch(0, 20, 2))
    for (std::size_t i = 0; i < ev.bob.size(); ++i) e.push_back(std::norm(ev.bob.data[i] - ev.clean_ab.data[i]));
  const auto r = mean_with_se(e);
  std::printf("estimation error power: measured %.5f, expected 0.1, tol %.5f (n = %zu)\n", r.mean,
              z_two_sided(alpha) * r.se, e.size());
  EXPECT_NEAR(r.mean, 0.1, z_two_sided(alpha) * r.se);
}

// α = 0.01 (two checks at α/2 each), n = 20000 UMi links at d2D = 50 m: the LOS fraction equals
// p = 18/50 + exp(−50/36)(1 − 18/50) (Table 7.4.2-1), tolerance z·sqrt(p(1−p)/n); the shadow fading of the LOS
// links has mean 0, tolerance z·σ_SF/√n_LOS with σ_SF = 4 dB (Table 7.4.1-1).
TEST(ChannelStatistical, LosProbabilityAndShadowFading) {
  pc::large_scale_config c;
  const std::size_t n = 20000;
  const physec::rng_stream s(110);
  std::size_t nof_los = 0;
  double sf_sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto b = pc::draw_link_budget(c, 50.0, rng);
    if (b.los) {
      ++nof_los;
      sf_sum += b.shadow_fading_dB;
    }
  }
  const double p = 18.0 / 50 + std::exp(-50.0 / 36) * (1 - 18.0 / 50), zq = z_two_sided(alpha / 2);
  const double frac = static_cast<double>(nof_los) / n, tol = zq * std::sqrt(p * (1 - p) / n);
  std::printf("UMi LOS probability at 50 m: measured %.4f, expected %.4f, tol %.4f\n", frac, p, tol);
  EXPECT_NEAR(frac, p, tol);
  const double sf_mean = sf_sum / static_cast<double>(nof_los), sf_tol = zq * 4.0 / std::sqrt(double(nof_los));
  std::printf("UMi LOS shadow-fading mean: measured %.4f dB, expected 0, tol %.4f dB\n", sf_mean, sf_tol);
  EXPECT_NEAR(sf_mean, 0.0, sf_tol);
}

// α = 0.01, n = 4000 realisations of the SISO IRS link (N = 128, K = 3 dB on every link, direct path on) with
// random element phases drawn per realisation: the cascade adds incoherently, E|H|² = β_d + β_t β_r N = 129.
TEST(ChannelStatistical, IrsRandomPhasePowerIsIncoherentSum) {
  pc::irs_config c;
  c.tx.nof_cols = 1;
  c.rx.nof_cols = 1;
  c.phase_mode = "random";
  const std::size_t n = 4000;
  const physec::rng_stream s(111);
  std::vector<double> p;
  for (std::size_t i = 0; i < n; ++i) {
    auto rng = s.at(i);
    const auto th = pc::irs_phases(c, rng);
    p.push_back(std::norm(pc::irs_channel(c, th, rng, {0.0}, {0.0})(0, 0, 0, 0)));
  }
  const auto r = mean_with_se(p);
  std::printf("IRS random-phase power: measured %.2f, expected 129, tol %.2f\n", r.mean, z_two_sided(alpha) * r.se);
  EXPECT_NEAR(r.mean, 129.0, z_two_sided(alpha) * r.se);
}

// α = 0.01, n = 400 CDL-B realisations between 2x2 dual-polarised UPAs (8 ports each) with the 3GPP element
// pattern and power normalisation: the mean over the 64 port pairs and 12 subcarriers of |H|² (one iid value per
// realisation) has expectation 1.
TEST(ChannelStatistical, NormalisedPowerWithDirectionalDualPolArrays) {
  pc::link_config c;
  c.profile = "CDL-B";
  for (auto* a : {&c.tx, &c.rx}) {
    a->element = "3gpp";
    a->polarisation = "dual";
    a->nof_rows = 2;
    a->nof_cols = 2;
  }
  c.rx.bearing_deg = 180.0;
  const auto m = pc::make_link_model(c);
  pc::ofdm_grid g;
  g.nof_symbols = 1;
  g.nof_subcarriers = 12;
  const std::size_t n = 400;
  const auto h = pc::generate_csi(*m, g, physec::rng_stream(112), 0, n, 2);
  const auto r = mean_with_se(power_per_realisation(h));
  std::printf("normalised power (3GPP pattern, dual pol): measured %.4f, expected 1, tol %.4f\n", r.mean,
              z_two_sided(alpha) * r.se);
  EXPECT_NEAR(r.mean, 1.0, z_two_sided(alpha) * r.se);
}
