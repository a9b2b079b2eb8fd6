// KDR with Clopper–Pearson intervals, entropy, PCA/DCT transforms: values typed by hand.
#include <gtest/gtest.h>

#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"
#include "physec/core/units.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/features.hpp"
#include "physec/keygen/metrics.hpp"

namespace kg = physec::keygen;
using physec::ndarray;

namespace {

TEST(kdr, known_strings_and_exact_intervals) {
  const std::vector<std::uint8_t> a{1, 0, 1, 0, 1, 0, 1, 0, 1, 0};
  std::vector<std::uint8_t> b = a;
  auto r = kg::key_disagreement(a, b);
  EXPECT_EQ(r.nof_mismatches, 0u);
  EXPECT_EQ(r.kdr, 0.0);
  // k = 0, n = 10, 95 %: upper = 1 - 0.025^(1/10) = 0.308497 (closed form of Clopper–Pearson at k = 0).
  EXPECT_NEAR(r.ci_high, 1.0 - std::pow(0.025, 0.1), 1e-9);
  EXPECT_NEAR(r.ci_high, 0.308497, 1e-6);
  EXPECT_EQ(r.ci_low, 0.0);
  b[9] = 1;
  r = kg::key_disagreement(a, b);
  EXPECT_EQ(r.kdr, 0.1);
  // k = 1, n = 10, 95 % Clopper–Pearson: [0.002529, 0.445016] (standard tables).
  EXPECT_NEAR(r.ci_low, 0.002529, 1e-6);
  EXPECT_NEAR(r.ci_high, 0.445016, 1e-6);
  EXPECT_THROW(kg::key_disagreement(a, {1, 0}), physec::error);
}

TEST(entropy, uniform_and_degenerate) {
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({4}, std::vector<int>{0, 1, 2, 3}), 4), 2.0);
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({4}, std::vector<int>{0, 0, 1, 1}), 4), 1.0);
  EXPECT_DOUBLE_EQ(kg::symbol_entropy_bits(ndarray<int>({3}, std::vector<int>{2, 2, -1}), 4), 0.0);
}

TEST(bound, secrecy_lower_bound) {
  EXPECT_DOUBLE_EQ(kg::secrecy_bound_bits(3.0, 1.0, 0.5), 2.5);
  EXPECT_DOUBLE_EQ(kg::secrecy_bound_bits(1.0, 2.0, 3.0), 0.0);
  EXPECT_NEAR(kg::gaussian_mi_from_correlation(0.5), 0.2075187, 1e-7);  // -0.5 log2(0.75)
}

// The channel-bound mutual information against closed forms of the complex Gaussian (n realisations as rows).
TEST(bound, complex_gaussian_channel_mi_of_hand_made_covariances) {
  using cf = std::complex<float>;
  const double s2 = 0.1;
  // Same channel on both sides, rows a·e1 and b·e2: covariance diag(a²/2, b²/2, 0), so
  // I = Σ log2((λ + σ²)² / (σ² (2λ + σ²))) over λ = a²/2, b²/2.
  ndarray<cf> h({2, 3});
  h(0, 0) = cf(2.0f, 0.0f);
  h(1, 1) = cf(0.0f, 1.0f);
  const auto same = [s2](double l) { return std::log2((l + s2) * (l + s2) / (s2 * (2 * l + s2))); };
  EXPECT_NEAR(kg::complex_gaussian_channel_mi_bits(h, h, s2), same(2.0) + same(0.5), 1e-9);
  // Scalars: h_a = (1, 1), h_b = (c + s, c − s): E|h_a|² = 1, E|h_b|² = c² + s², E[h_a* h_b] = c, so
  // I = log2(det Σ_a det Σ_b / det Σ) with Σ = [[1 + σ², c], [c, c² + s² + σ²]].
  const double c = 0.8, s = 0.6;
  ndarray<cf> a({2, 1}), b({2, 1});
  a(0, 0) = a(1, 0) = cf(1.0f, 0.0f);
  b(0, 0) = cf(static_cast<float>(c + s), 0.0f);
  b(1, 0) = cf(static_cast<float>(c - s), 0.0f);
  const double va = 1 + s2, vb = c * c + s * s + s2;
  EXPECT_NEAR(kg::complex_gaussian_channel_mi_bits(a, b, s2), std::log2(va * vb / (va * vb - c * c)), 1e-6);
  // Uncorrelated: h_b = (1, −1) has E[h_a* h_b] = 0.
  b(0, 0) = cf(1.0f, 0.0f);
  b(1, 0) = cf(-1.0f, 0.0f);
  EXPECT_NEAR(kg::complex_gaussian_channel_mi_bits(a, b, s2), 0.0, 1e-9);
  EXPECT_THROW(kg::complex_gaussian_channel_mi_bits(a, ndarray<cf>({3, 1}), s2), physec::error);
  EXPECT_THROW(kg::complex_gaussian_channel_mi_bits(a, b, 0.0), physec::error);
}

// The separable (space-frequency x time) bound: a time-invariant channel reduces it to the one-instant bound with
// noise σ²/T; a scalar pair with correlation c gives the closed form log2((1 + σ²)² / ((1 + σ²)² − c²)).
TEST(bound, separable_channel_mi_reduces_to_closed_forms) {
  using cf = std::complex<float>;
  const double s2 = 0.1;
  ndarray<cf> h({2, 3, 4});  // 2 realisations, 3 entries, 4 instants: the same value at every instant
  const cf v[2][3] = {{cf(2.0f, 0.0f), cf(0.5f, -1.0f), cf(0.0f, 0.0f)}, {cf(0.0f, 1.0f), cf(1.0f, 1.0f), cf(-0.3f, 0.2f)}};
  ndarray<cf> h0({2, 3});
  for (std::size_t i = 0; i < 2; ++i)
    for (std::size_t e = 0; e < 3; ++e) {
      h0(i, e) = v[i][e];
      for (std::size_t t = 0; t < 4; ++t) h(i, e, t) = v[i][e];
    }
  EXPECT_NEAR(kg::separable_channel_mi_bits(h, h, s2), kg::complex_gaussian_channel_mi_bits(h0, h0, s2 / 4), 1e-6);
  const double c = 0.8, s = 0.6;  // c² + s² = 1: both sides have unit power
  ndarray<cf> a({2, 1, 1}), b({2, 1, 1});
  a(0, 0, 0) = a(1, 0, 0) = cf(1.0f, 0.0f);
  b(0, 0, 0) = cf(static_cast<float>(c + s), 0.0f);
  b(1, 0, 0) = cf(static_cast<float>(c - s), 0.0f);
  const double q = (1 + s2) * (1 + s2);
  EXPECT_NEAR(kg::separable_channel_mi_bits(a, b, s2), std::log2(q / (q - c * c)), 1e-6);
  EXPECT_THROW(kg::separable_channel_mi_bits(a, ndarray<cf>({2, 2, 1}), s2), physec::error);
}

TEST(pca, exact_directions_and_explained_variance) {
  // Points (±3, 0), (0, ±1): covariance diag(6, 2/3) (n - 1 = 3); first direction e1, explains 6 / (20/3) = 0.9.
  ndarray<double> x({4, 2}, {3, 0, -3, 0, 0, 1, 0, -1});
  kg::pca p;
  p.fit(x, 1);
  EXPECT_NEAR(p.explained_variance(), 0.9, 1e-12);
  const auto y = p.transform(x);
  EXPECT_NEAR(y(0, 0), 3.0, 1e-12);
  EXPECT_NEAR(y(1, 0), -3.0, 1e-12);
  EXPECT_NEAR(y(2, 0), 0.0, 1e-12);
  EXPECT_THROW(p.transform(ndarray<double>({1, 3})), physec::error);
}

TEST(dct, orthonormal_dct2_of_known_vectors) {
  // Constant 1 over d = 4: X0 = sqrt(4) = 2, others 0. A pure cos(pi (2j+1) / 8) basis vector: X1 = sqrt(d/2).
  const std::size_t d = 4;
  ndarray<double> x({2, d});
  for (std::size_t j = 0; j < d; ++j) {
    x(0, j) = 1.0;
    x(1, j) = std::cos(M_PI * (2.0 * j + 1.0) / (2.0 * d));
  }
  const auto y = kg::dct_features(x, 4);
  EXPECT_NEAR(y(0, 0), 2.0, 1e-12);
  for (std::size_t k = 1; k < 4; ++k) EXPECT_NEAR(y(0, k), 0.0, 1e-12);
  EXPECT_NEAR(y(1, 1), std::sqrt(2.0), 1e-12);
  EXPECT_NEAR(y(1, 0), 0.0, 1e-12);
}

TEST(features, amplitude_and_real_imag) {
  ndarray<std::complex<float>> csi({1, 2}, {{3.0f, 4.0f}, {0.0f, -1.0f}});
  EXPECT_EQ(kg::csi_features(csi, "amplitude").data, (std::vector<double>{5.0, 1.0}));
  EXPECT_EQ(kg::csi_features(csi, "real_imag").data, (std::vector<double>{3.0, 4.0, 0.0, -1.0}));
  EXPECT_THROW(kg::csi_features(csi, "phase"), physec::error);
}

TEST(features, probe_line_is_evaluated_where_asked_and_a_common_rotation_is_undone) {
  // One probe, one antenna pair, K = 4 subcarriers, T = 14 symbols: h_kt = (a_k + b_k t) e^{j 0.3 t} (a straight line
  // per subcarrier turned by a CFO-like common rotation, which the derotation to symbol 0 removes exactly since
  // Σ_k h_kt conj(h_k0) = e^{j 0.3 t} Σ_k (a_k + b_k t) a_k with a positive sum). Every tap kept, so the output is the
  // line at t̄ + x = 6.5 + x, divided by its RMS over the subcarriers (x = 0: the average of the symbols).
  const std::size_t K = 4, T = 14;
  const double a[K] = {1.0, 2.0, 0.5, 1.5}, b[K] = {0.05, -0.04, 0.02, 0.0};
  ndarray<std::complex<float>> csi({1, 1, 1, K, T});
  for (std::size_t k = 0; k < K; ++k)
    for (std::size_t t = 0; t < T; ++t)
      csi.data[k * T + t] = std::complex<float>(std::polar(a[k] + b[k] * static_cast<double>(t), 0.3 * static_cast<double>(t)));
  for (const double x : {0.0, 7.0, -7.0, 3.0}) {
    const auto out = kg::denoise_probes(csi, 0, 0, x);
    ASSERT_EQ(out.shape, (physec::shape_t{1, 1, 1, K, 1}));
    std::vector<double> line(K);
    double power = 0;
    for (std::size_t k = 0; k < K; ++k) {
      line[k] = a[k] + b[k] * (6.5 + x);
      power += line[k] * line[k];
    }
    const double rms = std::sqrt(power / static_cast<double>(K));
    for (std::size_t k = 0; k < K; ++k) {
      EXPECT_NEAR(out.data[k].real(), line[k] / rms, 1e-5) << "x " << x << " k " << k;
      EXPECT_NEAR(out.data[k].imag(), 0.0, 1e-5) << "x " << x << " k " << k;
    }
  }
}

TEST(features, extrapolated_slope_is_shrunk_by_its_wiener_gain) {
  // One probe, one pair, K = 2 subcarriers, T = 14: y_kt = a_k + b (t − t̄) + e_t with e_t = c ((t − t̄)² − v), v the mean
  // of (t − t̄)², a residual orthogonal to 1 and to (t − t̄) (symmetric, zero-mean), so the least-squares line is exactly
  // a_k + b (t − t̄) and RSS = K Σ_t e_t². All values real and positive: the derotation does nothing. Hence, by the
  // definition, σ² = RSS/(K (T − 2)), N = K σ²/Sxx, P = K b², g = 1 − N/P, and the output is a_k + x g b over its RMS.
  const std::size_t K = 2, T = 14;
  const double a[K] = {3.0, 2.0}, b = 0.05, c = 0.035, mean_t = 6.5, sxx = 14.0 * (14.0 * 14.0 - 1.0) / 12.0;
  double v = 0;
  for (std::size_t t = 0; t < T; ++t) v += (t - mean_t) * (t - mean_t) / static_cast<double>(T);
  ndarray<std::complex<float>> csi({1, 1, 1, K, T});
  double e2 = 0;
  for (std::size_t t = 0; t < T; ++t) {
    const double e = c * ((t - mean_t) * (t - mean_t) - v);
    e2 += e * e;
    for (std::size_t k = 0; k < K; ++k) csi.data[k * T + t] = std::complex<float>(static_cast<float>(a[k] + b * (t - mean_t) + e), 0.0f);
  }
  const double sigma2 = static_cast<double>(K) * e2 / static_cast<double>(K * (T - 2));
  const double g = 1.0 - (static_cast<double>(K) * sigma2 / sxx) / (static_cast<double>(K) * b * b);
  ASSERT_GT(g, 0.2);
  ASSERT_LT(g, 0.9);  // the case exercises the shrinkage, neither end
  for (const bool shrink : {true, false}) {
    const double x = 7.0, gain = shrink ? g : 1.0;
    const auto out = kg::denoise_probes(csi, 0, 0, x, shrink);
    const double l0 = a[0] + x * gain * b, l1 = a[1] + x * gain * b, rms = std::sqrt((l0 * l0 + l1 * l1) / 2);
    EXPECT_NEAR(out.data[0].real(), l0 / rms, 1e-5) << "shrink " << shrink;
    EXPECT_NEAR(out.data[1].real(), l1 / rms, 1e-5) << "shrink " << shrink;
  }
}

TEST(features, tap_slope_gains_are_the_wiener_gains_of_each_tap) {
  // Two probes, one pair, K = 4, T = 14, all values real: y_kt = A + b_i (t − t̄) + u_i (t − t̄) cos(2πk/K) + e_t, e_t =
  // c ((t − t̄)² − v) orthogonal to 1 and (t − t̄). The lines are exact, so (unitary DFT) tap 0's slope is √K b_i,
  // taps 1 and 3 each √K u_i/2, tap 2's 0; RSS_i = K Σ e_t²; σ² = RSS/(K (T − 2)) and N = σ²/Sxx; q_l = mean |slope_l|²
  // − N and g_l = q_l/(q_l + N), by the definition. nof_taps 2 + 1 guard tap keep taps 0, 1 and 3; tap 2 is cut.
  const std::size_t K = 4, T = 14;
  const double A = 5.0, b[2] = {0.04, -0.02}, u[2] = {0.03, 0.05}, c = 0.01, mean_t = 6.5;
  const double sxx = 14.0 * (14.0 * 14.0 - 1.0) / 12.0;
  double v = 0, e2 = 0;
  for (std::size_t t = 0; t < T; ++t) v += (t - mean_t) * (t - mean_t) / static_cast<double>(T);
  ndarray<std::complex<float>> csi({2, 1, 1, K, T});
  for (std::size_t t = 0; t < T; ++t) {
    const double e = c * ((t - mean_t) * (t - mean_t) - v), x = static_cast<double>(t) - mean_t;
    e2 += e * e;
    for (std::size_t i = 0; i < 2; ++i)
      for (std::size_t k = 0; k < K; ++k)
        csi.data[(i * K + k) * T + t] = std::complex<float>(
            static_cast<float>(A + b[i] * x + u[i] * x * std::cos(2.0 * physec::pi * static_cast<double>(k) / K) + e), 0.0f);
  }
  const double noise = (static_cast<double>(K) * e2 / static_cast<double>(K * (T - 2))) / sxx;
  const auto gain = [&](double q) { return q > 0 ? q / (q + noise) : 0.0; };
  const double q0 = static_cast<double>(K) * (b[0] * b[0] + b[1] * b[1]) / 2 - noise;
  const double q1 = static_cast<double>(K) * (u[0] * u[0] + u[1] * u[1]) / 8 - noise;
  ASSERT_GT(gain(q0), 0.1);
  ASSERT_LT(gain(q1), 0.99);
  const auto g = kg::slope_tap_gains(csi, 2, 1);
  ASSERT_EQ(g.size(), K);
  EXPECT_NEAR(g[0], gain(q0), 1e-4);
  EXPECT_NEAR(g[1], gain(q1), 1e-4);
  EXPECT_NEAR(g[3], gain(q1), 1e-4);
  EXPECT_EQ(g[2], 0.0);
  // denoise_probes with these gains: tap l of the output is mean_l + x g_l slope_l (no normalisation, every tap kept
  // here), so subcarrier k is A + x (g_0 b + g_1 u cos(2πk/K)) at probe 0 (the zero-mean e_t drops out of the mean).
  const double x = 7.0;
  const auto out = kg::denoise_probes(csi, 2, 1, x, true, false, g);
  for (std::size_t k = 0; k < K; ++k) {
    const double want = A + x * (g[0] * b[0] + g[1] * u[0] * std::cos(2.0 * physec::pi * static_cast<double>(k) / K));
    EXPECT_NEAR(out.data[k].real(), want, 1e-4) << "k " << k;
  }
}

TEST(features, slope_features_are_invariant_to_the_common_phase_and_need_a_fit) {
  // A probe whose taps drift, seen twice under two LO phases (a common rotation of every entry): the phase-aligned
  // values and the slope features (rotated by the same common phase) are identical, and the slopes are not all zero.
  const std::size_t K = 8, T = 14;
  physec::rng_stream rng(11);
  ndarray<std::complex<float>> base({6, 1, 1, K, T});
  for (std::size_t i = 0; i < 6; ++i) {
    std::vector<std::complex<double>> h0(3), dh(3);
    for (std::size_t l = 0; l < 3; ++l) {
      h0[l] = {rng.normal() + 2.0 * (l == 0), rng.normal()};
      dh[l] = {0.05 * rng.normal(), 0.05 * rng.normal()};
    }
    for (std::size_t k = 0; k < K; ++k)
      for (std::size_t t = 0; t < T; ++t) {
        std::complex<double> y = 0;
        for (std::size_t l = 0; l < 3; ++l)
          y += (h0[l] + dh[l] * static_cast<double>(t)) * std::polar(1.0, -2.0 * physec::pi * static_cast<double>(k * l) / K);
        base.data[((i * K) + k) * T + t] = std::complex<float>(y + 1e-3 * std::complex<double>(rng.normal(), rng.normal()));
      }
  }
  ndarray<std::complex<float>> turned = base;
  for (auto& z : turned.data) z *= std::polar(1.0f, 2.1f);
  kg::feature_config cfg;
  cfg.value = "phase_aligned";
  cfg.normalise_power = false;
  cfg.slope_features = true;
  cfg.delay_taps = 3;
  cfg.delay_guard_taps = 0;
  kg::feature_pipeline unfitted(cfg);
  EXPECT_THROW(unfitted.transform(base, +1), physec::error);
  kg::feature_pipeline p(cfg), q(cfg);
  p.fit(base);
  q.fit(turned);
  const auto a = p.transform(base, +1), b = q.transform(turned, +1);
  ASSERT_EQ(a.shape, (physec::shape_t{6, 2 * K + 2 * 3}));
  ASSERT_EQ(a.shape, b.shape);
  double slope_power = 0;
  for (std::size_t i = 0; i < 6; ++i)
    for (std::size_t c = 0; c < a.shape[1]; ++c) {
      EXPECT_NEAR(a(i, c), b(i, c), 1e-3 * (1 + std::abs(a(i, c)))) << "probe " << i << " column " << c;
      if (c >= 2 * K) slope_power += a(i, c) * a(i, c);
    }
  EXPECT_GT(slope_power, 1e-3);
}

TEST(features, a_probe_outside_the_tdd_pair_is_refused_by_name) {
  const kg::feature_pipeline pipe(kg::feature_config{});
  const ndarray<std::complex<float>> csi({1, 1, 1, 8, 14}, std::complex<float>(1.0f, 0.0f));
  EXPECT_NO_THROW(pipe.transform(csi, -1));
  try {
    pipe.transform(csi, 2);
    FAIL() << "when = 2 accepted";
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("when"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("-1, 0 or +1"), std::string::npos) << e.what();
  }
}

TEST(features, eve_observations_are_placed_in_the_tdd_pair_by_where_she_stands) {
  // Near Bob, /eve is Alice's downlink probe (the earlier, +1) and /eve_uplink Bob's uplink (−1); near Alice the
  // other way round; no /eve_near means near Bob.
  physec::dataset::wiretap_data d;
  d.eve_near = {"bob", "alice"};
  EXPECT_EQ(kg::eve_probe_when(d, 0), +1);
  EXPECT_EQ(kg::eve_probe_when(d, 0, true), -1);
  EXPECT_EQ(kg::eve_probe_when(d, 1), -1);
  EXPECT_EQ(kg::eve_probe_when(d, 1, true), +1);
  d.eve_near.clear();
  EXPECT_EQ(kg::eve_probe_when(d, 0), +1);
}

TEST(features, common_phase_is_removed_relative_phases_kept) {
  // Probe 0: (3+4j, 1j), reference = its first entry: s = 3+4j, conj(s)/|s| = (3-4j)/5 -> (5, (4+3j)/5).
  // Probe 1: probe 0 turned by 90° (an LO phase) -> the same output. Probe 2: a zero reference stays as it is.
  ndarray<std::complex<float>> csi({3, 2}, {{3.0f, 4.0f}, {0.0f, 1.0f}, {-4.0f, 3.0f}, {-1.0f, 0.0f}, {0.0f, 0.0f}, {2.0f, 0.0f}});
  const auto out = kg::align_common_phase(csi, 1);
  const std::vector<std::complex<float>> expected{{5.0f, 0.0f}, {0.8f, 0.6f}, {5.0f, 0.0f}, {0.8f, 0.6f}, {0.0f, 0.0f}, {2.0f, 0.0f}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_NEAR(out.data[i].real(), expected[i].real(), 1e-6) << i;
    EXPECT_NEAR(out.data[i].imag(), expected[i].imag(), 1e-6) << i;
  }
  EXPECT_THROW(kg::align_common_phase(csi, 3), physec::error);
}

}  // namespace
