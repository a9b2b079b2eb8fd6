// Time of each of the 15 NIST SP 800-22 rev1a tests on one sequence of 10^6 bits (the document's recommended
// length), default parameters. Run: build/bench/randomness/bench_randomness [--benchmark_format=json]

#include <benchmark/benchmark.h>

#include <vector>

#include "physec/core/rng.hpp"
#include "physec/randomness/nist_tests.hpp"

namespace pr = physec::randomness;

namespace {

const std::vector<std::uint8_t>& sequence_1mbit() {
  static const std::vector<std::uint8_t> bits = [] {
    physec::rng_stream rng = physec::rng_stream(1).derive("bench/nist");
    std::vector<std::uint8_t> b(1000000);
    for (std::size_t i = 0; i < b.size(); i += 64) {
      const std::uint64_t w = rng();
      for (std::size_t j = 0; j < 64 && i + j < b.size(); ++j) b[i + j] = static_cast<std::uint8_t>((w >> j) & 1u);
    }
    return b;
  }();
  return bits;
}

void bm_test(benchmark::State& state, pr::test_result (*test)(pr::bit_view, const pr::nist_config&)) {
  const pr::bit_view bits = sequence_1mbit();
  const pr::nist_config cfg;
  for (auto _ : state) {
    auto r = test(bits, cfg);
    benchmark::DoNotOptimize(r.p_values.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bits.size));  // bits per second
}

void bm_all(benchmark::State& state) {
  const pr::bit_view bits = sequence_1mbit();
  for (auto _ : state) {
    auto r = pr::run_all_tests(bits);
    benchmark::DoNotOptimize(r.data());
  }
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(bits.size));
}

}  // namespace

BENCHMARK_CAPTURE(bm_test, frequency, pr::frequency_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, block_frequency, pr::block_frequency_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, cumulative_sums, pr::cumulative_sums_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, runs, pr::runs_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, longest_run, pr::longest_run_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, rank, pr::rank_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, dft, pr::dft_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, non_overlapping_template, pr::non_overlapping_template_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, overlapping_template, pr::overlapping_template_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, universal, pr::universal_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, approximate_entropy, pr::approximate_entropy_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, random_excursions, pr::random_excursions_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, random_excursions_variant, pr::random_excursions_variant_test)
    ->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, serial, pr::serial_test)->Unit(benchmark::kMicrosecond);
BENCHMARK_CAPTURE(bm_test, linear_complexity, pr::linear_complexity_test)->Unit(benchmark::kMicrosecond);
BENCHMARK(bm_all)->Unit(benchmark::kMillisecond);

BENCHMARK_MAIN();
