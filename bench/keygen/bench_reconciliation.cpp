// Reconciliation and privacy amplification: time per n = 4096-bit string, and the counters that decide between
// Cascade and the LDPC syndrome — leaked bits per bit, their ratio f to the Shannon limit h(p), and the share of
// strings left with residual errors — at error rates p = 1, 5, 10, 15 % (true p given to both; i.i.d. errors).
// Run: build/bench/keygen/bench_reconciliation [--benchmark_format=json]

#include <benchmark/benchmark.h>

#include <cmath>
#include <vector>

#include "physec/core/rng.hpp"
#include "physec/keygen/cascade.hpp"
#include "physec/keygen/ldpc.hpp"
#include "physec/keygen/privacy_amplification.hpp"

namespace kg = physec::keygen;

namespace {

constexpr std::size_t k_n = 4096;

double h2(double p) { return -p * std::log2(p) - (1 - p) * std::log2(1 - p); }

/// Alice's string and Bob's with i.i.d. errors at rate p, for run `i`.
void strings(double p, std::uint64_t i, std::vector<std::uint8_t>& a, std::vector<std::uint8_t>& b) {
  auto r = physec::rng_stream(77).derive("bench/reconciliation").at(i);
  a.resize(k_n);
  b.resize(k_n);
  for (std::size_t j = 0; j < k_n; ++j) {
    a[j] = r.bit() ? 1 : 0;
    b[j] = a[j] ^ (r.uniform() < p ? 1 : 0);
  }
}

void set_counters(benchmark::State& state, double p, double leaked, double failed, double runs) {
  state.counters["leak_per_bit"] = leaked / runs / k_n;
  state.counters["f"] = leaked / runs / k_n / h2(p);
  state.counters["residual_share"] = failed / runs;
}

void bm_cascade(benchmark::State& state) {
  const double p = static_cast<double>(state.range(0)) / 100;
  const kg::cascade_config cfg;
  double leaked = 0, failed = 0, runs = 0;
  std::vector<std::uint8_t> a, b;
  for (auto _ : state) {
    state.PauseTiming();
    strings(p, static_cast<std::uint64_t>(runs), a, b);
    const kg::cascade_permutations perm(k_n, cfg.nof_passes, 1000 + static_cast<std::uint64_t>(runs));
    state.ResumeTiming();
    const auto st = kg::cascade_correct(b, kg::cascade_first_block(p, cfg), perm, [&](const std::vector<kg::parity_query>& qs) {
      std::vector<std::uint8_t> x;
      for (const auto& q : qs) x.push_back(perm.parity(a, q));
      return x;
    });
    leaked += static_cast<double>(st.leaked_bits);
    failed += a != b;
    runs += 1;
  }
  set_counters(state, p, leaked, failed, runs);
}

void bm_ldpc(benchmark::State& state) {
  const double p = static_cast<double>(state.range(0)) / 100, f = static_cast<double>(state.range(1)) / 100;
  const std::size_t m = kg::ldpc_syndrome_bits(k_n, p, f);
  double failed = 0, runs = 0;
  std::vector<std::uint8_t> a, b;
  for (auto _ : state) {
    state.PauseTiming();
    strings(p, static_cast<std::uint64_t>(runs), a, b);
    const kg::ldpc_code code(k_n, m, 100 + static_cast<std::uint64_t>(runs));
    state.ResumeTiming();
    code.decode(b, code.syndrome(a), p);
    failed += a != b;
    runs += 1;
  }
  set_counters(state, p, static_cast<double>(m) * runs, failed, runs);
}

void bm_toeplitz(benchmark::State& state) {
  const std::size_t n = static_cast<std::size_t>(state.range(0)), m = n / 4;
  std::vector<std::uint8_t> x, seed;
  strings(0.5, 1, x, seed);
  x.resize(n);
  auto r = physec::rng_stream(3);
  seed.resize(n + m - 1);
  for (auto& s : seed) s = r.bit() ? 1 : 0;
  for (auto _ : state) benchmark::DoNotOptimize(kg::toeplitz_hash(x, seed, m));
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * n));
}

}  // namespace

BENCHMARK(bm_cascade)->Arg(1)->Arg(5)->Arg(10)->Arg(15)->Iterations(100)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_ldpc)->ArgsProduct({{1, 5, 10, 15}, {120, 135, 150}})->Iterations(20)->Unit(benchmark::kMillisecond);
BENCHMARK(bm_toeplitz)->Arg(4096)->Arg(65536)->Unit(benchmark::kMillisecond);
BENCHMARK_MAIN();
