// Key agreement, statistical: over many sessions at a given input KDR, confirmed keys agree and sessions fail
// rarely; Eve's privacy-amplified bits and final keys agree with Alice's half the time. alpha and n stated per test.
#include <gtest/gtest.h>

#include <boost/math/distributions/binomial.hpp>
#include <cmath>

#include "physec/core/rng.hpp"
#include "physec/keygen/protocol.hpp"

namespace kg = physec::keygen;

namespace {

double h2(double p) { return -p * std::log2(p) - (1 - p) * std::log2(1 - p); }

TEST(agreement_statistical, keys_agree_and_eve_gets_a_coin) {
  // R = 200 sessions of n = 4000 bits from 50 "probes" of 80 bits; Bob's bits flipped i.i.d. with p = 0.05, Eve's
  // with q = 0.25 (a close eavesdropper). Calibration as the chain would give it for this source: H(X|E) = 80·h(q)
  // bits per probe (each of Alice's bits is uniform given Eve's with flip probability q), V = the variance of the
  // per-probe surprisal, Σ of 80 i.i.d. terms −log2 P(a_i | e_i) ∈ {−log2(1 − q), −log2 q}.
  const std::size_t R = 200, n = 4000, probes = 50;
  const double p = 0.05, q = 0.25;
  kg::agree_config cfg;
  kg::pa_calibration cal;
  cal.nof_realisations = static_cast<double>(probes);
  cal.h_total = static_cast<double>(probes) * 80 * h2(q);
  const double l0 = -std::log2(1 - q), l1 = -std::log2(q);
  cal.v_total = static_cast<double>(probes) * 80 * q * (1 - q) * (l1 - l0) * (l1 - l0);
  cal.max_bits_per_realisation = 80;
  cal.error_rate = p;
  auto rng = physec::rng_stream(2026).derive("agreement_statistical");
  std::size_t failures = 0;
  double pa_same = 0, pa_total = 0, key_same = 0, key_total = 0;
  for (std::size_t s = 0; s < R; ++s) {
    std::vector<std::uint8_t> a(n), b(n), e(n);
    for (std::size_t i = 0; i < n; ++i) {
      a[i] = rng.bit() ? 1 : 0;
      b[i] = a[i] ^ (rng.uniform() < p ? 1 : 0);
      e[i] = a[i] ^ (rng.uniform() < q ? 1 : 0);
    }
    const auto r = kg::simulate_session(a, b, {e}, cfg, cal, 1000 + s);
    ASSERT_GE(r.alice.pa.length, 128u) << r.alice.pa.formula;
    // Exact: both confirmed means the same key; a confirmed side never holds a key the other lacks.
    EXPECT_EQ(r.alice.ok, r.bob.ok) << r.alice.failure << " | " << r.bob.failure;
    if (r.alice.ok && r.bob.ok) {
      EXPECT_EQ(r.alice.key.vec(), r.bob.key.vec());
    } else {
      ++failures;
      EXPECT_TRUE(r.alice.key.empty());
      EXPECT_TRUE(r.bob.key.empty());
    }
    const auto& ev = r.eve[0];
    EXPECT_LE(ev.after.nof_mismatches, ev.before.nof_mismatches);  // peeling only fixes bits
    for (std::size_t i = 0; i < r.alice.pa_bits.size() && ev.has_pa; ++i) pa_same += r.alice.pa_bits[i] == ev.pa_bits[i];
    if (ev.has_pa) pa_total += static_cast<double>(r.alice.pa_bits.size());
    if (r.alice.ok) {
      const auto ka = kg::unpack_bits(r.alice.key.data(), r.alice.key.size() * 8);
      const auto ke = kg::unpack_bits(ev.key.data(), ev.key.size() * 8);
      for (std::size_t i = 0; i < ka.size(); ++i) key_same += ka[i] == ke[i];
      key_total += static_cast<double>(ka.size());
    }
  }
  // Sessions fail (Cascade's residual errors, caught by confirmation) with probability at most eps = 0.02 (4 passes
  // at p = 0.05 on ~4000 bits): failures ~ Bin(R, eps); reject above its 1 − 1e-3 quantile.
  const double q_fail = boost::math::quantile(boost::math::binomial(static_cast<double>(R), 0.02), 1 - 1e-3);
  EXPECT_LE(static_cast<double>(failures), q_fail) << failures << " of " << R << " sessions failed";
  // Eve: each PA output bit and key bit agrees with Alice's with probability 1/2 (universal hashing of a string
  // that differs from Alice's). Pooled over sessions; alpha = 1e-6 two-sided (z = 4.89): |agree − 1/2| < z/(2 sqrt N).
  ASSERT_GT(pa_total, 0);
  EXPECT_LT(std::abs(pa_same / pa_total - 0.5), 4.89 * 0.5 / std::sqrt(pa_total)) << pa_same / pa_total << " of " << pa_total;
  ASSERT_GT(key_total, 0);
  EXPECT_LT(std::abs(key_same / key_total - 0.5), 4.89 * 0.5 / std::sqrt(key_total)) << key_same / key_total;
}

}  // namespace
