#pragma once
/// @file `physec reproduce`: one id per paper figure, its settings at three scales, the sweep behind it, and the
/// aggregation over seeds into the figure's table and plot. The CLI (app/cmd_reproduce.cpp) parses, runs and writes.

#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/core/plot.hpp"
#include "physec/core/stats.hpp"
#include "physec/core/table.hpp"
#include "physec/experiments/pla.hpp"
#include "physec/experiments/tdgcn_settings.hpp"

namespace physec::experiments {

/// A figure of a paper that `physec reproduce <id>` regenerates.
struct figure {
  std::string id;      ///< "pla-fig5"
  std::string source;  ///< "TDGCN PLA paper, Fig. 5"
  std::string title;   ///< what is plotted against what
  std::string sweep;   ///< sweep_names()
  std::string metric;  ///< "accuracy" (test) or "train_accuracy"
  std::string claim;   ///< what the paper reports, in words
};

/// Every id, in the order `--list` prints them.
const std::vector<figure>& figures();
/// The figure `id`; throws physec::error listing the ids otherwise.
const figure& find_figure(const std::string& id);

/// The scales: "small" (minutes on 2 cores; what the tests run), "default" (the default mobility dataset and TDGCN
/// budget), "paper" (the PLA paper's 50,000 samples per transmitter, three seeds).
const std::vector<std::string>& scale_names();

/// Everything a PLA figure is made with; `describe` gives the `[reproduce]` config of `physec reproduce`.
struct pla_settings {
  dataset::mobility_config mobility;        ///< the dataset regenerated at each sweep point
  auth::classifier_config classifiers;      ///< the seven baselines (seed set per run)
  tdgcn_settings tdgcn;                     ///< TDGCN architecture and training
  bool with_tdgcn = true;                   ///< train the TDGCN at every point
  std::vector<std::string> models = {"dt", "knn", "nb", "wv", "gbdt", "rgbo", "igbo"};
  std::vector<std::string> features = {"sequence"};
  bool select = true;                       ///< baselines: grid search on validation
  int train_accuracy_rows = 5000;           ///< training rows behind each baseline's training accuracy
  std::vector<std::string> protocols = {"random", "time", "position"};
  std::vector<int> seeds = {42};
  std::vector<double> snr_dB = {0.0, 15.0, 30.0};
  std::vector<double> distance_m = {1.0, 4.0, 8.0};
  std::vector<double> speed_mps = {0.5, 2.0, 3.5};
  void describe(config::schema& s);
  /// The values of one sweep.
  const std::vector<double>& values(const std::string& sweep) const;
};

/// Sets `s` to a scale's values (the starting point; a config file and --set go on top).
void apply_scale(pla_settings& s, const std::string& scale);

/// The sweep spec behind a figure at settings `s`.
sweep_spec figure_sweep(const figure& f, const pla_settings& s, unsigned threads);

/// One scheme at one sweep point and protocol, over the seeds.
struct summary_row {
  std::string sweep, protocol, features, model;
  double value = 0.0;
  std::size_t nof_seeds = 0;
  double accuracy_mean = 0.0, accuracy_sd = 0.0;  ///< over seeds (sd 0 for one seed)
  proportion_interval accuracy_ci;               ///< Clopper-Pearson 95 % over the pooled test decisions
  double train_accuracy_mean = -1.0, train_accuracy_sd = 0.0;  ///< -1: not measured
  proportion_interval train_accuracy_ci;
  double far_mean = 0.0, mdr_mean = 0.0;
  std::size_t nof_decisions = 0;  ///< pooled over seeds
};

/// Groups rows by (sweep, value, protocol, features, model), in first-seen order.
std::vector<summary_row> summarise(const std::vector<sweep_row>& rows);

/// Per-run rows without timings (byte-stable for fixed seeds).
table rows_table(const std::vector<sweep_row>& rows);
/// Training and inference seconds per run.
table timing_table(const std::vector<sweep_row>& rows);
/// The summary with means, sds and intervals.
table summary_table(const std::vector<summary_row>& rows);

/// The figure's plot for one protocol: one curve per scheme (features, model) of `f.metric` against the sweep value,
/// with 95 % intervals.
plot_spec figure_plot(const figure& f, const std::vector<summary_row>& rows, const std::string& protocol);

}  // namespace physec::experiments
