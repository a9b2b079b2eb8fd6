// CSI snapshots per second: CDL-C, 4 transmit x 3 receive antennas (DESIGN.md 5), 72 subcarriers, one OFDM symbol
// per snapshot, a new channel realisation for every snapshot; 1 and 2 threads. The floating-point operations per
// snapshot are counted from the loops (physec::channel::frequency_response_flops) and reported as counters, with the
// fraction of one core's AVX2/FMA peak (issue #17's roofline).
//
//   ./build/bench/channel/bench_channel --benchmark_format=json

#include <benchmark/benchmark.h>

#include <chrono>
#include <fstream>
#include <string>

#include "physec/channel/link.hpp"

namespace pc = physec::channel;

namespace {

// CDL-C between a 4-port transmitter and a 3-port receiver (DESIGN.md 5), isotropic half-wavelength ULAs.
std::unique_ptr<pc::link_model> cdl_c_4x3() {
  pc::link_config c;
  c.profile = "CDL-C";
  c.tx.nof_cols = 4;
  c.rx.nof_cols = 3;
  return pc::make_link_model(c);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

/// One core's double-precision peak [FLOP/s]: 16 FLOP a cycle (two 4-wide AVX2 FMA units, 2 FLOP per lane; the
/// roofline of issue #17) at the clock /proc/cpuinfo reports for the first CPU; 0 when it reports none.
double core_peak_flops() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("cpu MHz", 0) == 0) {
      const auto colon = line.find(':');
      if (colon != std::string::npos) return 16.0 * std::stod(line.substr(colon + 1)) * 1e6;
    }
  return 0.0;
}

/// `seconds`: wall time of the timed loop, for the fraction of peak (the rates above use the library's clock).
void report(benchmark::State& state, double snapshots, double flops_per_snapshot, double seconds,
            unsigned nof_threads = 1) {
  state.counters["snapshots_per_s"] = benchmark::Counter(snapshots, benchmark::Counter::kIsRate);
  state.counters["flops_per_snapshot"] = flops_per_snapshot;
  state.counters["flops_per_s"] = benchmark::Counter(snapshots * flops_per_snapshot, benchmark::Counter::kIsRate);
  // Achieved FLOP/s over the peak of the cores used (AVX2/FMA at the reported clock).
  const double peak = core_peak_flops() * nof_threads;
  if (peak > 0 && seconds > 0) state.counters["fraction_of_peak"] = snapshots * flops_per_snapshot / seconds / peak;
}

void bm_cdl_c_snapshots(benchmark::State& state) {
  const auto nof_threads = static_cast<unsigned>(state.range(0));
  const auto model = cdl_c_4x3();
  pc::ofdm_grid grid;
  grid.nof_subcarriers = 72;
  grid.nof_symbols = 1;
  const physec::rng_stream stream(2024);
  constexpr std::size_t batch = 64;
  std::size_t first = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto h = pc::generate_csi(*model, grid, stream, first, batch, nof_threads);
    benchmark::DoNotOptimize(h.data.data());
    first += batch;
  }
  // CDL-C: 24 clusters x 20 rays. Drawing a ray set costs ~30 flops per ray (offsets, wrapping, 4 phases), and
  // the power normalisation ~16 flops per ray (mean_port_power, factorised over the ports).
  const double flops = pc::frequency_response_flops(24 * 20, 24, 3, 4, 1, 72) + 24 * 20 * (30.0 + 16.0);
  report(state, static_cast<double>(state.iterations() * batch), flops, seconds_since(t0), nof_threads);
}

// Time evolution only: one CDL-C realisation (4x3, 72 subcarriers) sampled at the 14 symbols of a slot; the
// counter is per symbol (snapshot) without redrawing the rays.
void bm_cdl_c_evolution(benchmark::State& state) {
  const auto model = cdl_c_4x3();
  pc::ofdm_grid grid;
  physec::rng_stream rng(7);
  const auto rays = model->draw(rng);
  const auto times = grid.symbol_times_s(0.0);
  const auto freqs = grid.subcarrier_offsets_Hz();
  const auto t0 = std::chrono::steady_clock::now();
  for (auto _ : state) {
    auto h = pc::frequency_response(rays, model->rx_array(), model->tx_array(), times, freqs);
    benchmark::DoNotOptimize(h.data.data());
  }
  report(state, static_cast<double>(state.iterations() * grid.nof_symbols),
         pc::frequency_response_flops(24 * 20, 24, 3, 4, 14, 72) / 14.0, seconds_since(t0));
}

}  // namespace

BENCHMARK(bm_cdl_c_snapshots)->Arg(1)->Arg(2)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(bm_cdl_c_evolution)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
