// Fit and predict time of the seven baselines on the benchmark size of issue 9: 5,000 training samples of
// 24 features (one CSI vector of a 4x3 MIMO link, real and imaginary parts), 6 classes (4 legal, 2 spoofers);
// prediction of 5,000 samples. Data: one Gaussian cluster per class, means N(0, 1) per feature, unit noise.
// Defaults of classifier_config (XGBoost with nthread = 1), so the numbers are single-core.
//
//   build/bench/auth/bench_auth --benchmark_min_time=1 [--benchmark_format=json]
#include <benchmark/benchmark.h>

#include "physec/auth/classifier.hpp"
#include "physec/auth/metrics.hpp"
#include "physec/core/rng.hpp"

namespace pa = physec::auth;

namespace {

constexpr std::size_t nof_samples = 5000, nof_features = 24, nof_classes = 6;

pa::labelled_data clusters(physec::rng_stream rng, const std::vector<double>& means) {
  pa::labelled_data d;
  d.x = physec::ndarray<float>({nof_samples, nof_features});
  for (std::size_t i = 0; i < nof_samples; ++i) {
    const std::size_t c = i % nof_classes;
    d.y.push_back(static_cast<int>(c));
    for (std::size_t j = 0; j < nof_features; ++j)
      d.x(i, j) = static_cast<float>(means[c * nof_features + j] + rng.normal());
  }
  return d;
}

struct bench_data {
  pa::labelled_data train, test;
  bench_data() {
    physec::rng_stream root(9);
    std::vector<double> means(nof_classes * nof_features);
    physec::rng_stream m = root.derive("means");
    for (auto& v : means) v = m.normal();
    train = clusters(root.derive("train"), means);
    test = clusters(root.derive("test"), means);
  }
};

const bench_data& data() {
  static const bench_data d;
  return d;
}

void bm_fit(benchmark::State& state, const std::string& name) {
  const auto& d = data();
  for (auto _ : state) {
    auto model = pa::make_classifier(name, {});
    model->fit(d.train.x, d.train.y);
    benchmark::DoNotOptimize(model.get());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * nof_samples));
}

void bm_predict(benchmark::State& state, const std::string& name) {
  const auto& d = data();
  auto model = pa::make_classifier(name, {});
  model->fit(d.train.x, d.train.y);
  std::vector<int> predicted;
  for (auto _ : state) {
    predicted = model->predict(d.test.x);
    benchmark::DoNotOptimize(predicted.data());
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * nof_samples));
  state.counters["us_per_sample"] = benchmark::Counter(
      static_cast<double>(nof_samples) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate | benchmark::Counter::kInvert, benchmark::Counter::kIs1000);
  state.counters["test_accuracy"] = pa::accuracy(d.test.y, predicted);
}

}  // namespace

#define PHYSEC_AUTH_BENCH(name)                                                        \
  BENCHMARK_CAPTURE(bm_fit, name, #name)->Unit(benchmark::kMillisecond)->UseRealTime(); \
  BENCHMARK_CAPTURE(bm_predict, name, #name)->Unit(benchmark::kMillisecond)->UseRealTime()

PHYSEC_AUTH_BENCH(dt);
PHYSEC_AUTH_BENCH(knn);
PHYSEC_AUTH_BENCH(nb);
PHYSEC_AUTH_BENCH(wv);
PHYSEC_AUTH_BENCH(gbdt);
PHYSEC_AUTH_BENCH(rgbo);
PHYSEC_AUTH_BENCH(igbo);

BENCHMARK_MAIN();
