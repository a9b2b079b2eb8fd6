#pragma once
/// @file PLA experiments: the classical baselines on one train/test protocol of a mobility dataset, and sweeps that
/// regenerate the dataset per point (SNR, distance, speed) and evaluate every scheme under each protocol and seed.
/// `physec auth eval`, `physec reproduce` and `physec quickstart` call these alike. The TDGCN needs LibTorch: the
/// caller hands it in as a function (`tdgcn_runner`), so this layer stays torch-free.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "physec/auth/classifier.hpp"
#include "physec/auth/evaluate.hpp"
#include "physec/core/report.hpp"
#include "physec/dataset/mobility.hpp"
#include "physec/dataset/mobility_generator.hpp"

namespace physec::experiments {

/// One evaluated scheme: the feature kind it saw ("sample", "sequence", or "raw" for the TDGCN) and its result.
struct scheme_result {
  std::string features;
  auth::evaluation eval;
};

/// What the baselines are run with.
struct baseline_options {
  std::vector<std::string> models;                               ///< classifier names (auth::classifier_names())
  std::vector<std::string> features = {"sample", "sequence"};    ///< feature kinds
  bool select = true;                                            ///< validation grid search
  std::size_t train_accuracy_rows = 0;  ///< > 0: also the training accuracy, on at most this many rows
  std::string origin = "generated dataset";  ///< the data's file, for errors
};

/// Every baseline of `o` on every feature kind, under protocol `protocol` (dataset::split_labels) of `d`: selected on
/// validation, fitted on training, tested once. Stages are timed into `report` when given.
std::vector<scheme_result> evaluate_baselines(const dataset::mobility_data& d, const std::string& protocol,
                                              const auth::classifier_config& cfg, const baseline_options& o,
                                              run_report* report = nullptr);

/// Trains and tests the TDGCN on protocol `protocol` of `d` with `seed` (supplied by a caller that links LibTorch).
using tdgcn_runner =
    std::function<auth::evaluation(const dataset::mobility_data& d, const std::string& protocol, std::uint64_t seed)>;

/// The sweeps: "snr" (mobility.snr_dB), "distance" (min_distance_m), "speed" (speed_mps).
const std::vector<std::string>& sweep_names();
/// Axis label of a sweep ("SNR [dB]", ...).
std::string sweep_axis_label(const std::string& sweep);
/// `m` with the sweep's parameter set to `value`.
dataset::mobility_config at_sweep_point(dataset::mobility_config m, const std::string& sweep, double value);

/// A sweep: for each value and seed one dataset (generated from `base` at that point, seeded with the seed), then
/// for each protocol the baselines and (when a runner is given) the TDGCN, all on that same dataset.
struct sweep_spec {
  std::string sweep;                                ///< one of sweep_names()
  std::vector<double> values;
  std::vector<std::string> protocols = {"time"};    ///< dataset::split_protocols()
  std::vector<std::uint64_t> seeds = {42};          ///< dataset and model seeds
  baseline_options baselines;
  unsigned threads = 1;                             ///< dataset generation threads
};

/// One scheme at one sweep point, protocol and seed.
struct sweep_row {
  std::string sweep;
  double value = 0.0;
  std::string protocol;
  std::uint64_t seed = 0;
  std::string features;
  auth::evaluation eval;
};

/// Runs the sweep with a progress line (count and ETA over value x seed x protocol). `tdgcn` may be empty.
std::vector<sweep_row> run_sweep(const sweep_spec& spec, const dataset::mobility_config& base,
                                 const auth::classifier_config& cfg, const tdgcn_runner& tdgcn,
                                 run_report* report = nullptr);

}  // namespace physec::experiments
