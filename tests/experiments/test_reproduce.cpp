// The experiments layer without running a sweep: the figure registry, scales, sweep points, the aggregation over
// seeds (means, sds, pooled Clopper-Pearson intervals checked against published values) and the figure's plot data.
#include <gtest/gtest.h>

#include <cmath>

#include "physec/core/error.hpp"
#include "physec/experiments/reproduce.hpp"
#include "test_util.hpp"

namespace ex = physec::experiments;
using physec::testing::message_of;

namespace {

/// A row of `model` at `value`, protocol "time": `hits` of `n` test decisions right, `train` training accuracy on
/// `train_n` rows (-1: not measured).
ex::sweep_row row(const std::string& model, double value, std::uint64_t seed, std::size_t hits, std::size_t n,
                  double train = -1.0, std::size_t train_n = 0) {
  ex::sweep_row r;
  r.sweep = "snr";
  r.value = value;
  r.protocol = "time";
  r.seed = seed;
  r.features = model == "tdgcn" ? "raw" : "sequence";
  r.eval.model = model;
  r.eval.accuracy = static_cast<double>(hits) / static_cast<double>(n);
  r.eval.nof_decisions = n;
  r.eval.train_accuracy = train;
  r.eval.nof_train_decisions = train_n;
  r.eval.rates.far = 0.1 * static_cast<double>(seed);
  return r;
}

}  // namespace

TEST(reproduce, registry_lists_the_four_pla_figures_and_refuses_unknown_ids) {
  std::vector<std::string> ids;
  for (const auto& f : ex::figures()) ids.push_back(f.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"pla-fig5", "pla-fig6", "pla-fig7", "pla-fig8"}));
  EXPECT_EQ(ex::find_figure("pla-fig5").metric, "train_accuracy");
  EXPECT_EQ(ex::find_figure("pla-fig6").sweep, "snr");
  EXPECT_EQ(ex::find_figure("pla-fig7").sweep, "distance");
  EXPECT_EQ(ex::find_figure("pla-fig8").sweep, "speed");
  const auto m = message_of([] { ex::find_figure("pla-fig9"); });
  EXPECT_NE(m.find("pla-fig9"), std::string::npos) << m;
  EXPECT_NE(m.find("pla-fig5, pla-fig6, pla-fig7, pla-fig8"), std::string::npos) << m;
}

TEST(reproduce, scales_and_sweep_points_set_what_they_name) {
  ex::pla_settings s;
  EXPECT_EQ(s.mobility.samples_per_transmitter, 2000);  // default scale = the default dataset
  ex::apply_scale(s, "paper");
  EXPECT_EQ(s.mobility.samples_per_transmitter, 50000);  // the PLA paper's 50,000 samples per transmitter
  EXPECT_EQ(s.seeds, (std::vector<int>{1, 2, 3}));
  EXPECT_EQ(s.tdgcn.train.max_steps, 3600);  // a budget for 50,000 samples, not the default dataset's 400 steps
  EXPECT_EQ(s.tdgcn.data.window_stride, 50);
  ex::apply_scale(s, "small");
  EXPECT_LT(s.mobility.samples_per_transmitter, 2000);
  EXPECT_NE(message_of([&] { ex::apply_scale(s, "huge"); }).find("small, default or paper"), std::string::npos);

  const auto m = ex::at_sweep_point({}, "snr", 7.0);
  EXPECT_EQ(m.snr_dB, 7.0);
  EXPECT_EQ(ex::at_sweep_point({}, "distance", 3.0).min_distance_m, 3.0);
  EXPECT_EQ(ex::at_sweep_point({}, "speed", 1.5).speed_mps, 1.5);
  EXPECT_NE(message_of([] { ex::at_sweep_point({}, "height", 1.0); }).find("snr, distance or speed"),
            std::string::npos);

  s = ex::pla_settings{};
  s.protocols = {"time", "position"};
  s.seeds = {4, 5};
  const auto spec = ex::figure_sweep(ex::find_figure("pla-fig8"), s, 1);
  EXPECT_EQ(spec.sweep, "speed");
  EXPECT_EQ(spec.values, s.speed_mps);
  EXPECT_EQ(spec.protocols, s.protocols);
  EXPECT_EQ(spec.seeds, (std::vector<std::uint64_t>{4, 5}));  // exactly the configured seeds
  EXPECT_EQ(spec.baselines.models.size(), 7u);
}

TEST(reproduce, summary_pools_seeds_with_published_clopper_pearson_bounds) {
  // Two seeds of wv at 15 dB: 5/10 and 7/10 right; one of tdgcn: 20/20 right, with training accuracies.
  const std::vector<ex::sweep_row> rows = {row("wv", 15, 1, 5, 10, 0.9, 100), row("tdgcn", 15, 1, 20, 20, 1.0, 50),
                                           row("wv", 15, 2, 7, 10, 0.8, 100)};
  const auto s = ex::summarise(rows);
  ASSERT_EQ(s.size(), 2u);  // grouped by scheme, in first-seen order
  EXPECT_EQ(s[0].model, "wv");
  EXPECT_EQ(s[0].nof_seeds, 2u);
  EXPECT_DOUBLE_EQ(s[0].accuracy_mean, 0.6);
  EXPECT_NEAR(s[0].accuracy_sd, std::sqrt(0.02), 1e-12);  // sample sd of {0.5, 0.7}
  EXPECT_NEAR(s[0].far_mean, 0.15, 1e-12);
  EXPECT_EQ(s[0].nof_decisions, 20u);
  // 12 of 20 pooled: exact 95 % interval [0.3605426, 0.8088099] (R binom.test(12, 20)).
  EXPECT_NEAR(s[0].accuracy_ci.low, 0.3605426, 1e-6);
  EXPECT_NEAR(s[0].accuracy_ci.high, 0.8088099, 1e-6);
  EXPECT_NEAR(s[0].train_accuracy_mean, 0.85, 1e-12);
  // 170 of 200 training rows: [0.7928413, 0.8964505] (the exact binomial tails solved by bisection, outside physec).
  EXPECT_NEAR(s[0].train_accuracy_ci.low, 0.7928413, 1e-6);
  EXPECT_NEAR(s[0].train_accuracy_ci.high, 0.8964505, 1e-6);
  // 20 of 20: the upper bound is 1 and the lower (alpha/2)^(1/20) = 0.8315665.
  EXPECT_EQ(s[1].model, "tdgcn");
  EXPECT_EQ(s[1].accuracy_sd, 0.0);
  EXPECT_NEAR(s[1].accuracy_ci.low, std::pow(0.025, 1.0 / 20), 1e-9);
  EXPECT_DOUBLE_EQ(s[1].accuracy_ci.high, 1.0);

  // The figure's curves: one per scheme, Fig. 5 plots training accuracy and skips schemes without it.
  auto with_missing = rows;
  with_missing.push_back(row("nb", 15, 1, 3, 10));
  const auto sm = ex::summarise(with_missing);
  const auto fig5 = ex::figure_plot(ex::find_figure("pla-fig5"), sm, "time");
  ASSERT_EQ(fig5.series.size(), 2u);
  EXPECT_EQ(fig5.series[0].title, "wv (sequence)");
  EXPECT_DOUBLE_EQ(fig5.series[0].y[0], 0.85);
  EXPECT_EQ(fig5.series[1].title, "tdgcn");
  const auto fig6 = ex::figure_plot(ex::find_figure("pla-fig6"), sm, "time");
  EXPECT_EQ(fig6.series.size(), 3u);
  EXPECT_TRUE(ex::figure_plot(ex::find_figure("pla-fig6"), sm, "position").series.empty());
}
