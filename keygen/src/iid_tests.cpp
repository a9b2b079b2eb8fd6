#include "physec/keygen/iid_tests.hpp"

#include <bzlib.h>

#include <algorithm>
#include <boost/math/special_functions/gamma.hpp>
#include <cmath>
#include <string>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::keygen {

namespace {

const char* const k_names[] = {"excursion",       "numDirectionalRuns", "lenDirectionalRuns", "numIncreasesDecreases",
                               "numRunsMedian",   "lenRunsMedian",      "avgCollision",       "maxCollision",
                               "periodicity(1)",  "periodicity(2)",     "periodicity(8)",     "periodicity(16)",
                               "periodicity(32)", "covariance(1)",      "covariance(2)",      "covariance(8)",
                               "covariance(16)",  "covariance(32)",     "compression"};
constexpr int k_lags[] = {1, 2, 8, 16, 32};

/// Number of runs and longest run of a ±1 sequence (equal consecutive signs form a run).
void runs_of(const std::vector<int>& s, double& nof_runs, double& longest) {
  nof_runs = s.empty() ? 0 : 1;
  longest = s.empty() ? 0 : 1;
  double run = 1;
  for (std::size_t i = 1; i < s.size(); ++i) {
    if (s[i] == s[i - 1]) {
      longest = std::max(longest, ++run);
    } else {
      ++nof_runs;
      run = 1;
    }
  }
}

/// bzip2 size [bytes] of the samples written as decimal text separated by spaces (§5.1.11; block size 5 as in the
/// NIST reference implementation). A text that fits one 100k block compresses to the same length with block size 1,
/// which allocates a fifth of the memory per call (the permutation loop's cost).
double compressed_size(const std::vector<std::uint8_t>& bits) {
  std::string text;
  text.reserve(2 * bits.size());
  for (std::size_t i = 0; i < bits.size(); ++i) {
    if (i) text.push_back(' ');
    text.push_back(bits[i] ? '1' : '0');
  }
  std::string out(text.size() + text.size() / 100 + 600, '\0');
  auto len = static_cast<unsigned>(out.size());
  const int block_100k = text.size() + 19 <= 100000 ? 1 : 5;
  if (BZ2_bzBuffToBuffCompress(out.data(), &len, text.data(), static_cast<unsigned>(text.size()), block_100k, 0, 0) != BZ_OK)
    throw error("bzip2 compression failed", {"", "sp800_90b compression", {}});
  return len;
}

double chi_square_p(double x, int df) { return df > 0 ? boost::math::gamma_q(df / 2.0, x / 2.0) : 1.0; }

}  // namespace

std::vector<double> iid_permutation_statistics(const std::vector<std::uint8_t>& bits) {
  const std::size_t n = bits.size();
  std::vector<double> t(19, 0.0);
  // 5.1.1 excursion on the raw samples.
  double mean = 0;
  for (auto b : bits) mean += b;
  mean /= static_cast<double>(std::max<std::size_t>(n, 1));
  double sum = 0;
  for (std::size_t i = 0; i < n; ++i) {
    sum += bits[i];
    t[0] = std::max(t[0], std::abs(sum - static_cast<double>(i + 1) * mean));
  }
  // Conversion I (Hamming weight) and II (value) of non-overlapping 8-bit blocks; a last partial block counts too.
  const std::size_t nb = (n + 7) / 8;
  std::vector<int> w(nb, 0), v(nb, 0);
  for (std::size_t i = 0; i < n; ++i) {
    w[i / 8] += bits[i];
    v[i / 8] += bits[i] << (7 - i % 8);
  }
  // 5.1.2-5.1.4 on Conversion I: s'_i = -1 if s_i > s_{i+1}, else +1.
  std::vector<int> dir(nb > 0 ? nb - 1 : 0);
  for (std::size_t i = 0; i + 1 < nb; ++i) dir[i] = w[i] > w[i + 1] ? -1 : 1;
  runs_of(dir, t[1], t[2]);
  const auto ups = static_cast<double>(std::count(dir.begin(), dir.end(), 1));
  t[3] = std::max(ups, static_cast<double>(dir.size()) - ups);
  // 5.1.5-5.1.6 on the raw samples, median 0.5 for binary data.
  std::vector<int> med(n);
  for (std::size_t i = 0; i < n; ++i) med[i] = bits[i] ? 1 : -1;
  runs_of(med, t[4], t[5]);
  // 5.1.7-5.1.8 on Conversion II: lengths of the successive windows that end at their first repeated value.
  std::vector<double> coll;
  for (std::size_t i = 0; i < nb;) {
    std::vector<bool> seen(256, false);
    std::size_t j = i;
    while (j < nb && !seen[static_cast<std::size_t>(v[j])]) seen[static_cast<std::size_t>(v[j++])] = true;
    if (j == nb) break;
    coll.push_back(static_cast<double>(j - i + 1));
    i = j + 1;
  }
  for (double c : coll) t[6] += c;
  t[6] = coll.empty() ? 0 : t[6] / static_cast<double>(coll.size());
  t[7] = coll.empty() ? 0 : *std::max_element(coll.begin(), coll.end());
  // 5.1.9-5.1.10 on Conversion I, lags 1, 2, 8, 16, 32.
  for (int k = 0; k < 5; ++k) {
    const auto p = static_cast<std::size_t>(k_lags[k]);
    double same = 0, cov = 0;
    for (std::size_t i = 0; i + p < nb; ++i) {
      same += w[i] == w[i + p];
      cov += static_cast<double>(w[i] * w[i + p]);
    }
    t[8 + static_cast<std::size_t>(k)] = same;
    t[13 + static_cast<std::size_t>(k)] = cov;
  }
  t[18] = compressed_size(bits);  // 5.1.11 on the raw samples
  return t;
}

iid_test_result sp800_90b_iid_tests(const std::vector<std::uint8_t>& bits, std::uint64_t seed, int nof_permutations) {
  if (bits.size() < 64)
    throw error("too few samples for the SP 800-90B IID tests", {"", "sp800_90b", {}}, ">= 64", std::to_string(bits.size()));
  if (nof_permutations < 1)
    throw error("permutations out of range", {"", "nof_permutations", {}}, ">= 1", std::to_string(nof_permutations));
  iid_test_result r;
  r.nof_bits = bits.size();
  r.nof_permutations = nof_permutations;
  const auto t = iid_permutation_statistics(bits);
  std::vector<int> c0(t.size(), 0), c1(t.size(), 0), c2(t.size(), 0);
  std::vector<std::uint8_t> x = bits;
  rng_stream rng(seed);
  for (int k = 0; k < nof_permutations; ++k) {
    for (std::size_t i = x.size() - 1; i > 0; --i) std::swap(x[i], x[rng.uniform_int(i + 1)]);  // Fisher–Yates
    const auto tp = iid_permutation_statistics(x);
    for (std::size_t s = 0; s < t.size(); ++s) (tp[s] > t[s] ? c0 : tp[s] == t[s] ? c1 : c2)[s]++;
  }
  std::string rejected;
  for (std::size_t s = 0; s < t.size(); ++s) {
    iid_permutation_statistic p{k_names[s], t[s], c0[s], c1[s], c2[s], c0[s] + c1[s] <= 5 || c1[s] + c2[s] <= 5};
    if (p.reject) rejected += (rejected.empty() ? "" : ", ") + p.name;
    r.permutation.push_back(p);
  }
  // 5.2.1 independence of non-overlapping m-bit tuples, m the largest in 2..11 with min(p0, p1)^m · ⌊L/m⌋ >= 5.
  const std::size_t n = bits.size();
  double ones = 0;
  for (auto b : bits) ones += b;
  const double p1 = ones / static_cast<double>(n), p0 = 1 - p1;
  iid_chi_square_statistic ind{"independence", false, 0, 0, 1, false};
  int m = 11;
  while (m >= 2 && std::pow(std::min(p0, p1), m) * static_cast<double>(n / static_cast<std::size_t>(m)) < 5) --m;
  if (m >= 2) {
    const std::size_t blocks = n / static_cast<std::size_t>(m);
    std::vector<double> occ(std::size_t{1} << m, 0.0);
    for (std::size_t i = 0; i < blocks; ++i) {
      std::size_t sym = 0;
      for (int j = 0; j < m; ++j) sym = (sym << 1) | bits[i * static_cast<std::size_t>(m) + static_cast<std::size_t>(j)];
      occ[sym] += 1;
    }
    for (std::size_t s = 0; s < occ.size(); ++s) {
      const int wgt = __builtin_popcount(static_cast<unsigned>(s));
      const double e = std::pow(p1, wgt) * std::pow(p0, m - wgt) * static_cast<double>(blocks);
      ind.value += (occ[s] - e) * (occ[s] - e) / e;
    }
    ind.run = true;
    ind.df = (1 << m) - 2;
  }
  // 5.2.2 goodness of fit: the share of ones in 10 consecutive sub-sequences against the whole.
  iid_chi_square_statistic gof{"goodness_of_fit", false, 0, 9, 1, false};
  const std::size_t sub = n / 10;
  if (p0 * static_cast<double>(sub) >= 5 && p1 * static_cast<double>(sub) >= 5) {
    const double e1 = p1 * static_cast<double>(sub), e0 = p0 * static_cast<double>(sub);
    for (std::size_t d = 0; d < 10; ++d) {
      double o1 = 0;
      for (std::size_t j = 0; j < sub; ++j) o1 += bits[d * sub + j];
      const double o0 = static_cast<double>(sub) - o1;
      gof.value += (o0 - e0) * (o0 - e0) / e0 + (o1 - e1) * (o1 - e1) / e1;
    }
    gof.run = true;
  }
  for (auto* c : {&ind, &gof}) {
    if (c->run) {
      c->p_value = chi_square_p(c->value, c->df);
      c->reject = c->p_value < 0.001;
      if (c->reject) rejected += (rejected.empty() ? "" : ", ") + c->name;
    }
    r.chi_square.push_back(*c);
  }
  r.iid = rejected.empty();
  r.verdict = r.iid ? "IID assumption not rejected" : "IID assumption rejected by " + rejected;
  return r;
}

}  // namespace physec::keygen
