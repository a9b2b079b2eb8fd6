// The generated mobility dataset against the physics it claims (alpha and n stated per test; expected values typed
// by hand from TR 38.901 and Jakes, not read from the code's tables).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <cstdio>
#include <string>

#include "physec/dataset/mobility_generator.hpp"

namespace ds = physec::dataset;

namespace {

// A fast scene for statistics: a 1-element IRS (its cascade is ~60 dB below the direct link, so H is the direct
// link), no shadow fading, CSI noise 60 dB below the average transmitter.
ds::mobility_config direct_only(const std::string& los_mode, int samples) {
  ds::mobility_config c;
  c.irs_ny = c.irs_nz = 1;
  c.shadow_fading = false;
  c.los_mode = los_mode;
  c.snr_dB = 60;
  c.samples_per_transmitter = samples;
  return c;
}

std::complex<double> at(const ds::mobility_data& d, std::size_t q, std::size_t t, std::size_t e) {
  const std::size_t E = d.csi.shape[2] * d.csi.shape[3];
  return std::complex<double>(d.csi.data[(q * d.nof_steps() + t) * E + e]);
}

}  // namespace

TEST(mobility_statistical, mean_received_power_follows_inf_los_path_loss) {
  // TR 38.901 Table 7.4.1-1, InF LOS: PL = 31.84 + 21.50 log10(d3D) + 19.00 log10(fc/GHz), typed here by hand.
  // Per transmitter R = mean over samples and the 12 port pairs of |h|² / 10^(-PL/10) must be 1: Ricean entries
  // have unit power. n = 200 one-second blocks per transmitter (block means ~ independent: a block spans ~23
  // Doppler periods); t-test of the block means, alpha = 0.001 family-wise over 6 transmitters (Bonferroni:
  // z = 3.77); the -60 dB noise adds 1e-6, far below.
  auto c = direct_only("los", 20000);
  const auto d = ds::generate_mobility(c, physec::rng_stream(11), 2, nullptr);
  const std::size_t T = d.nof_steps(), E = 12, per_block = 500;
  const double bob_z = c.bob_position_m[2];
  for (int tx = 0; tx < 6; ++tx) {
    std::vector<double> blocks;
    double acc = 0;
    std::size_t in_block = 0;
    for (std::size_t q = 0; q < d.nof_sequences(); ++q) {
      if (d.transmitter[q] != tx) continue;
      for (std::size_t t = 0; t < T; ++t) {
        const double dx = d.positions_m(q, t, 0) - c.bob_position_m[0],
                     dy = d.positions_m(q, t, 1) - c.bob_position_m[1];
        const double dz = bob_z - d.positions_m(q, t, 2);
        const double pl_dB =
            31.84 + 21.50 * std::log10(std::sqrt(dx * dx + dy * dy + dz * dz)) + 19.00 * std::log10(3.5);
        double p = 0;
        for (std::size_t e = 0; e < E; ++e) p += std::norm(at(d, q, t, e));
        acc += p / E / std::pow(10.0, -pl_dB / 10.0);
        if (++in_block == per_block) {
          blocks.push_back(acc / per_block);
          acc = 0;
          in_block = 0;
        }
      }
    }
    ASSERT_EQ(blocks.size(), 40u);
    double m = 0, v = 0;
    for (double b : blocks) m += b;
    m /= blocks.size();
    for (double b : blocks) v += (b - m) * (b - m);
    const double se = std::sqrt(v / (blocks.size() - 1) / blocks.size());
    std::printf("transmitter %d: mean power / model %.4f (se %.4f)\n", tx, m, se);
    EXPECT_LT(std::abs(m - 1.0), 4.3 * se)
        << "transmitter " << tx << ": mean power / path-loss model " << m << " (se " << se << ")";
  }
}

TEST(mobility_statistical, nlos_lag1_autocorrelation_is_j0_of_doppler) {
  // Jakes: E[h_t h*_{t+1}] / E|h|² = J0(2π f_D / f_s), f_D = v / λ = 2 / (c / 3.5 GHz) = 23.35 Hz, f_s = 100 Hz:
  // J0(1.467) ≈ 0.530 (std::cyl_bessel_j, independent of our code). All-NLOS direct link; the path loss moves by
  // < 0.02 dB per sample, negligible. n = 72 independent entries (6 transmitters x 12 port pairs), each the
  // normalised lag-1 correlation over 2,000 samples; t-test of their mean, alpha = 0.001 two-sided, 71 dof:
  // t < 3.44.
  auto c = direct_only("nlos", 2000);
  const auto d = ds::generate_mobility(c, physec::rng_stream(12), 2, nullptr);
  const double f_d = 2.0 / (299792458.0 / 3.5e9);
  const double expected = std::cyl_bessel_j(0.0, 2.0 * M_PI * f_d / 100.0);
  EXPECT_NEAR(expected, 0.530, 0.005);  // tables: J0(1.4) = 0.5669, J0(1.5) = 0.5118
  const std::size_t T = d.nof_steps();
  std::vector<double> rho;
  for (int tx = 0; tx < 6; ++tx)
    for (std::size_t e = 0; e < 12; ++e) {
      std::vector<std::complex<double>> h;
      for (std::size_t q = 0; q < d.nof_sequences(); ++q)
        if (d.transmitter[q] == tx)
          for (std::size_t t = 0; t < T; ++t) h.push_back(at(d, q, t, e));
      std::complex<double> num = 0;
      double den = 0;
      for (std::size_t i = 0; i + 1 < h.size(); ++i) {
        num += h[i + 1] * std::conj(h[i]);
        den += std::norm(h[i]);
      }
      rho.push_back(num.real() / den);
    }
  double m = 0, v = 0;
  for (double r : rho) m += r;
  m /= rho.size();
  for (double r : rho) v += (r - m) * (r - m);
  const double se = std::sqrt(v / (rho.size() - 1) / rho.size());
  std::printf("lag-1 correlation: mean %.4f over %zu entries (se %.4f), J0 = %.4f\n", m, rho.size(), se, expected);
  EXPECT_LT(std::abs(m - expected), 3.44 * se)
      << "mean lag-1 correlation " << m << " vs J0 " << expected << " (se " << se << ")";
}
