#include "physec/keygen/ldpc.hpp"

#include <algorithm>
#include <cmath>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::keygen {

ldpc_code::ldpc_code(std::size_t n, std::size_t m, std::uint64_t seed, const ldpc_degrees& degrees)
    : check_vars_(m), var_checks_(n) {
  if (m < 3 || n < 1)
    throw error("LDPC code too small", {"", "ldpc", {}}, "n >= 1 and m >= 3", "n " + std::to_string(n) + ", m " + std::to_string(m));
  auto r = rng_stream(seed).derive("keygen/ldpc");
  // Column weights: the profile's shares of n (the last degree takes the rounding rest), each at most m; the regular
  // code keeps the previous construction's random stream (no shuffle of a constant).
  std::vector<std::size_t> weight(n, 3);
  if (degrees != k_ldpc_regular_degrees) {
    std::size_t v = 0;
    for (std::size_t k = 0; k < degrees.size(); ++k) {
      const auto& [d, share] = degrees[k];
      if (d < 1 || share < 0)
        throw error("LDPC degree profile", {"", "ldpc", {}}, "degrees >= 1, shares >= 0", std::to_string(d));
      const std::size_t count = k + 1 == degrees.size() ? n - v
                                                          : std::min(n - v, static_cast<std::size_t>(std::llround(share * static_cast<double>(n))));
      for (std::size_t i = 0; i < count; ++i) weight[v++] = static_cast<std::size_t>(d);
    }
    for (std::size_t i = n; i > 1; --i) std::swap(weight[i - 1], weight[r.uniform_int(i)]);
  }
  for (auto& w : weight) w = std::min(w, m);
  // Irregular profiles: the weight-2 columns form a staircase over a random order of the checks (column k joins checks
  // π(k) and π(k+1)), so no set of them sums to zero: weight-2 columns on random checks close short cycles, i.e.
  // low-weight codewords, to which belief propagation converged in 2 of 7 sessions of 15,792 bits at 20 dB (issue
  // #15). A staircase holds at most m - 1 of them; the rest get weight 3.
  std::vector<std::uint32_t> stair;
  if (degrees != k_ldpc_regular_degrees) {
    for (std::size_t c = 0; c < m; ++c) stair.push_back(static_cast<std::uint32_t>(c));
    for (std::size_t i = stair.size(); i > 1; --i) std::swap(stair[i - 1], stair[r.uniform_int(i)]);
    std::size_t k = 0;
    for (std::size_t v = 0; v < n; ++v) {
      if (weight[v] != 2) continue;
      if (k + 1 < m) {
        var_checks_[v] = {stair[k], stair[k + 1]};
        ++k;
      } else {
        weight[v] = std::min<std::size_t>(3, m);
      }
    }
  }
  // A deck holding each check once, shuffled and dealt again when empty; every variable takes its next distinct checks.
  std::vector<std::uint32_t> deck;
  std::size_t pos = 0;
  const auto refill = [&] {
    deck.clear();
    for (std::size_t c = 0; c < m; ++c) deck.push_back(static_cast<std::uint32_t>(c));
    for (std::size_t i = deck.size(); i > 1; --i) std::swap(deck[i - 1], deck[r.uniform_int(i)]);
    pos = 0;
  };
  refill();
  for (std::size_t v = 0; v < n; ++v) {
    auto& cs = var_checks_[v];
    while (cs.size() < weight[v]) {
      if (pos == deck.size()) refill();
      const std::uint32_t c = deck[pos++];
      if (std::find(cs.begin(), cs.end(), c) == cs.end()) cs.push_back(c);
    }
    for (auto c : cs) check_vars_[c].push_back(static_cast<std::uint32_t>(v));
  }
}

void ldpc_code::add_checks(std::size_t count, std::size_t row_weight, std::uint64_t seed) {
  const std::size_t n = nof_bits();
  row_weight = std::clamp<std::size_t>(row_weight, 1, n);
  auto r = rng_stream(seed).derive("keygen/ldpc/add_checks");
  for (std::size_t k = 0; k < count; ++k) {
    const auto c = static_cast<std::uint32_t>(check_vars_.size());
    std::vector<std::uint32_t> vs;
    while (vs.size() < row_weight) {
      const auto v = static_cast<std::uint32_t>(r.uniform_int(n));
      if (std::find(vs.begin(), vs.end(), v) == vs.end()) vs.push_back(v);
    }
    for (auto v : vs) var_checks_[v].push_back(c);
    check_vars_.push_back(std::move(vs));
  }
}

std::vector<std::uint8_t> ldpc_code::syndrome(const std::vector<std::uint8_t>& x) const {
  if (x.size() != nof_bits())
    throw error("LDPC: string length differs from the code", {"", "ldpc", {}}, std::to_string(nof_bits()), std::to_string(x.size()));
  std::vector<std::uint8_t> s(nof_checks(), 0);
  for (std::size_t c = 0; c < s.size(); ++c)
    for (auto v : check_vars_[c]) s[c] ^= x[v] & 1u;
  return s;
}

bool ldpc_code::decode(std::vector<std::uint8_t>& y, const std::vector<std::uint8_t>& s, double p, int max_iterations) const {
  if (y.size() != nof_bits())
    throw error("LDPC: wrong string length", {"", "ldpc", {}}, std::to_string(nof_bits()), std::to_string(y.size()));
  p = std::clamp(p, 1e-6, 0.5 - 1e-6);
  const double l0 = std::log((1 - p) / p);
  std::vector<double> prior(y.size());
  for (std::size_t v = 0; v < y.size(); ++v) prior[v] = (y[v] & 1u) ? -l0 : l0;  // LLR of x_v = 0
  return decode_llr(y, s, prior, max_iterations);
}

bool ldpc_code::decode_llr(std::vector<std::uint8_t>& y, const std::vector<std::uint8_t>& s, const std::vector<double>& prior,
                           int max_iterations) const {
  const std::size_t n = nof_bits(), m = nof_checks();
  if (prior.size() != n || s.size() != m)
    throw error("LDPC: wrong LLR or syndrome length", {"", "ldpc", {}}, std::to_string(n) + " and " + std::to_string(m),
                std::to_string(prior.size()) + " and " + std::to_string(s.size()));
  y.resize(n);
  // Messages per edge, stored per check in the order of check_vars_; var -> (check, slot) lookup.
  std::vector<std::vector<double>> c2v(m), v2c(m);
  for (std::size_t c = 0; c < m; ++c) {
    c2v[c].assign(check_vars_[c].size(), 0.0);
    v2c[c].resize(check_vars_[c].size());
    for (std::size_t k = 0; k < check_vars_[c].size(); ++k) v2c[c][k] = prior[check_vars_[c][k]];
  }
  std::vector<std::vector<std::pair<std::uint32_t, std::uint32_t>>> edges(n);
  for (std::size_t c = 0; c < m; ++c)
    for (std::size_t k = 0; k < check_vars_[c].size(); ++k)
      edges[check_vars_[c][k]].push_back({static_cast<std::uint32_t>(c), static_cast<std::uint32_t>(k)});
  std::vector<double> total(n);
  std::vector<std::uint8_t> x(n);
  for (int it = 0; it < max_iterations; ++it) {
    // Check update (tanh rule); the syndrome bit flips the sign.
    for (std::size_t c = 0; c < m; ++c) {
      const auto& in = v2c[c];
      double prod = s[c] ? -1.0 : 1.0;
      std::size_t zeros = 0;
      std::vector<double> t(in.size());
      for (std::size_t k = 0; k < in.size(); ++k) {
        t[k] = std::tanh(std::clamp(in[k], -30.0, 30.0) / 2);
        if (t[k] == 0) ++zeros;
        else prod *= t[k];
      }
      for (std::size_t k = 0; k < in.size(); ++k) {
        double q = 0;
        if (zeros == 0) q = prod / t[k];
        else if (zeros == 1 && t[k] == 0) q = prod;
        q = std::clamp(q, -0.999999999999, 0.999999999999);
        c2v[c][k] = 2 * std::atanh(q);
      }
    }
    // Variable update and tentative decision.
    for (std::size_t v = 0; v < n; ++v) {
      double sum = prior[v];
      for (const auto& [c, k] : edges[v]) sum += c2v[c][k];
      total[v] = sum;
      x[v] = sum < 0 ? 1 : 0;
      for (const auto& [c, k] : edges[v]) v2c[c][k] = sum - c2v[c][k];
    }
    bool ok = true;
    for (std::size_t c = 0; c < m && ok; ++c) {
      std::uint8_t par = 0;
      for (auto v : check_vars_[c]) par ^= x[v];
      ok = par == s[c];
    }
    if (ok) {
      y = x;
      return true;
    }
  }
  y = x;
  return false;
}

std::size_t ldpc_syndrome_bits(std::size_t n, double p, double f) {
  p = std::clamp(p, 1e-4, 0.5);
  const double h = -p * std::log2(p) - (1 - p) * std::log2(1 - p);
  return std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(f * static_cast<double>(n) * h)), 3, n);
}

}  // namespace physec::keygen
