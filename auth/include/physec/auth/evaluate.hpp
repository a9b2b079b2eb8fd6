#pragma once
/// @file One baseline, measured end to end the way `physec auth eval` reports it: hyperparameters chosen on the
/// validation split (selection.hpp), a final fit on the training split, then accuracy, confusion matrix,
/// FAR / MDR (metrics.hpp) and wall-clock training and inference time on the test split. The test split is
/// touched once, after every choice has been made.

#include <cstdint>
#include <string>
#include <vector>

#include "physec/auth/classifier.hpp"
#include "physec/auth/metrics.hpp"
#include "physec/core/table.hpp"

namespace physec::auth {

/// What to evaluate and how.
struct evaluation_options {
  bool select = true;            ///< grid search on the validation split first (else the config as given)
  int nof_legal_users = 4;       ///< labels below are legal, the rest spoofers (TDGCN paper Table I: 4 + 2)
  /// Test-row groups `[nof_test]` (one id per transmitter sequence, rows of a group contiguous) for IGBO's
  /// multi-observation fusion; empty: every model decides per row. Fusion uses `igbo.fuse_window` and is applied
  /// to IGBO only, as in the paper.
  std::vector<std::size_t> test_groups;
  /// Also measure the accuracy on the training split (the PLA paper's Fig. 5) on at most this many training rows,
  /// taken at an even stride (deterministic; per-row decisions); 0: not measured.
  std::size_t train_accuracy_rows = 0;
};

/// Result of one model.
struct evaluation {
  std::string model;                   ///< factory name
  std::string parameters;              ///< the chosen grid point ("defaults" without selection)
  double validation_accuracy = 0.0;    ///< of the chosen point (per row, never fused)
  double accuracy = 0.0;               ///< on the test split (fused decisions for IGBO with groups)
  double train_accuracy = -1.0;        ///< on the training split (per row); -1: not measured
  std::size_t nof_train_decisions = 0; ///< training rows behind train_accuracy
  spoofer_rates rates;                 ///< FAR / MDR on the test decisions
  std::vector<std::vector<std::int64_t>> confusion;  ///< `[nof_classes][nof_classes]`, rows = truth
  double fit_s = 0.0;                  ///< final training time [s]
  double predict_s = 0.0;              ///< inference time for the whole test split [s]
  std::size_t nof_decisions = 0;       ///< test decisions behind the accuracy
};

/// Selects (optionally), trains and tests model `name`. `train`, `validation`, `test`: `[n, nof_features]` each.
evaluation evaluate_model(const std::string& name, const classifier_config& cfg, const labelled_data& train,
                          const labelled_data& validation, const labelled_data& test,
                          const evaluation_options& options = {});

/// One row per evaluation: model, parameters, validation_accuracy, accuracy, far, mdr, fit_s, predict_s,
/// predict_us_per_decision, nof_decisions.
table evaluation_table(const std::vector<evaluation>& results);

}  // namespace physec::auth
