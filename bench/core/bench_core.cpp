// Core throughput: random streams (the simulator's inner loop draws millions of normals) and HDF5 writes.
#include <benchmark/benchmark.h>

#include <filesystem>

#include "physec/core/hdf5.hpp"
#include "physec/core/rng.hpp"

namespace {

void bm_rng_u64(benchmark::State& state) {
  physec::rng_stream s(1);
  for (auto _ : state) benchmark::DoNotOptimize(s());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_u64);

void bm_rng_normal(benchmark::State& state) {
  physec::rng_stream s(1);
  for (auto _ : state) benchmark::DoNotOptimize(s.normal());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_normal);

void bm_rng_derive(benchmark::State& state) {
  const physec::rng_stream root(1);
  std::uint64_t i = 0;
  for (auto _ : state) benchmark::DoNotOptimize(root.at(i++).key());
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(bm_rng_derive);

// Writing a CSI-shaped complex64 array [n, 3, 4, 72] (compressed above 1 MiB).
void bm_hdf5_write_csi(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  physec::ndarray<std::complex<float>> a({n, 3, 4, 72});
  physec::rng_stream s(2);
  for (auto& x : a.data) x = std::complex<float>(s.complex_normal());
  const auto path = std::filesystem::temp_directory_path() / "physec_bench_core.h5";
  for (auto _ : state) {
    physec::h5::writer w(path);
    w.write("/csi", a);
    w.commit();
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * a.size() * sizeof(a.data[0])));
  std::filesystem::remove(path);
}
BENCHMARK(bm_hdf5_write_csi)->Arg(64)->Arg(4096)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
