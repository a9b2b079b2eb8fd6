// SP 800-22 rev1a §2.14 random excursions and §2.15 random excursions variant tests.

#include <array>
#include <cmath>
#include <string>
#include <utility>

#include "common.hpp"

namespace physec::randomness {
namespace {

std::string state_label(int x) {
  return std::string("x=") + (x > 0 ? "+" : "") + std::to_string(x);
}

/// The random walk S_k = Σ (2ε_i − 1) seen as cycles between zeros (§2.14.4 steps 1-3): J and the visits.
struct excursions {
  std::size_t nof_cycles = 0;                 ///< J
  std::array<std::array<double, 6>, 9> nu{};  ///< [x + 4][k]: cycles with k (5: ≥ 5) visits to x, |x| <= 4
  std::array<double, 19> total_visits{};      ///< [x + 9]: ξ(x), visits to x over the walk, |x| <= 9
};

excursions walk(bit_view bits) {
  excursions e;
  std::array<std::size_t, 9> in_cycle{};  // visits to x in the current cycle
  long long s = 0;
  const auto close_cycle = [&] {
    ++e.nof_cycles;
    for (std::size_t i = 0; i < in_cycle.size(); ++i) {
      e.nu[i][std::min<std::size_t>(in_cycle[i], 5)] += 1;
      in_cycle[i] = 0;
    }
  };
  for (std::size_t i = 0; i < bits.size; ++i) {
    s += 2 * static_cast<long long>(bits.data[i]) - 1;  // branch-free: the bits are unpredictable
    if (s == 0) {
      close_cycle();
    } else if (s >= -9 && s <= 9) {
      e.total_visits[static_cast<std::size_t>(s + 9)] += 1;
      if (s >= -4 && s <= 4) ++in_cycle[static_cast<std::size_t>(s + 4)];
    }
  }
  if (s != 0) close_cycle();  // S' ends with an appended 0 (§2.14.4 step 3)
  return e;
}

/// §2.14.4 step 5 / §3.14: π_k(x) = probability that state x is visited exactly k times in a cycle (k = 5: ≥ 5).
std::array<double, 6> visit_probabilities(int x) {
  const double a = 1.0 / (2.0 * std::abs(x));
  std::array<double, 6> pi{};
  pi[0] = 1 - a;
  for (int k = 1; k <= 4; ++k) pi[k] = a * a * std::pow(1 - a, k - 1);
  pi[5] = a * std::pow(1 - a, 4);
  return pi;
}

/// The common start of both excursion tests: the walk, J, the §2.14.7 recommendation, and the skip when J is below
/// cfg.excursions_min_cycles.
std::pair<test_result, excursions> start_excursions(bit_view bits, const nist_config& cfg, const char* name,
                                                    const char* section) {
  auto r =
      detail::start(bits, name, "n >= 10^6 and J >= 500 cycles (SP 800-22 §2.14.7, §2.15.7)", bits.size >= 1000000);
  excursions e = walk(bits);
  detail::add_stat(r, "J", static_cast<double>(e.nof_cycles));
  r.recommendation_met = r.recommendation_met && e.nof_cycles >= 500;
  if (e.nof_cycles < cfg.excursions_min_cycles)
    r = detail::skipped(std::move(r), "J = " + std::to_string(e.nof_cycles) + " cycles < " +
                                          std::to_string(cfg.excursions_min_cycles) + " (SP 800-22 " + section + ")");
  return {std::move(r), e};
}

}  // namespace

test_result random_excursions_test(bit_view bits, const nist_config& cfg) {
  auto [r, e] = start_excursions(bits, cfg, "RandomExcursions", "§2.14.7");
  if (r.skipped) return std::move(r);
  const double j = static_cast<double>(e.nof_cycles);
  for (int x : {-4, -3, -2, -1, 1, 2, 3, 4}) {
    const auto pi = visit_probabilities(x);
    const auto& nu = e.nu[static_cast<std::size_t>(x + 4)];
    const double chi2 = detail::chi_squared({nu.begin(), nu.end()}, {pi.begin(), pi.end()}, j);  // §2.14.4 (6)
    detail::add_stat(r, "chi2_" + state_label(x), chi2);
    detail::add_p(r, detail::igamc(2.5, chi2 / 2), state_label(x));  // §2.14.4 (7)
  }
  return r;
}

test_result random_excursions_variant_test(bit_view bits, const nist_config& cfg) {
  auto [r, e] = start_excursions(bits, cfg, "RandomExcursionsVariant", "§2.15.7");
  if (r.skipped) return std::move(r);
  const double j = static_cast<double>(e.nof_cycles);
  for (int x = -9; x <= 9; ++x) {
    if (x == 0) continue;
    const double xi = e.total_visits[static_cast<std::size_t>(x + 9)];
    detail::add_stat(r, "xi_" + state_label(x), xi);
    // §2.15.4 (5): P = erfc(|ξ(x) − J| / √(2J(4|x| − 2)))
    detail::add_p(r, detail::erfc(std::abs(xi - j) / std::sqrt(2 * j * (4.0 * std::abs(x) - 2))), state_label(x));
  }
  return r;
}

}  // namespace physec::randomness
