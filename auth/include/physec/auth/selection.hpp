#pragma once
/// @file Hyperparameter selection on a validation split (never on the test split): a small documented grid
/// per model, each point trained on the training split and scored by validation accuracy; the first best
/// point in grid order wins.
///
/// Grids (other fields keep the values in the config passed in):
///   dt:   max_depth ∈ {4, 8, 16, 32} × min_samples_leaf ∈ {1, 5, 20}
///   knn:  k ∈ {1, 3, 5, 9, 15}
///   nb:   var_smoothing ∈ {1e-9, 1e-6, 1e-3, 1e-1}
///   wv:   none (its weights already come from the validation split; its bases use their own sections)
///   gbdt: max_depth ∈ {3, 6} × eta ∈ {0.1, 0.3}
///   rgbo: max_depth ∈ {3, 6} × lambda ∈ {1, 10} × gamma ∈ {0, 0.5}
///   igbo: max_depth ∈ {3, 6} × top_rate ∈ {0.2, 0.4} × other_rate ∈ {0.1, 0.2}
/// Boosting models also stop early on the validation log loss (boost_config::early_stopping_rounds).

#include <string>
#include <vector>

#include "physec/auth/classifier.hpp"
#include "physec/core/table.hpp"

namespace physec::auth {

/// One grid point: the varied parameters as text ("max_depth=4 min_samples_leaf=1") and the full config.
struct grid_point {
  std::string parameters;
  classifier_config cfg;
};

/// The grid of `name` around `base`, in grid order (one point, "defaults", for wv).
std::vector<grid_point> hyperparameter_grid(const std::string& name, const classifier_config& base);

/// Result of a grid search: the chosen config and one row per grid point (the varied parameters and the
/// validation accuracy).
struct selection_result {
  classifier_config best;
  std::string best_parameters;  ///< the varied parameters of `best`, as in grid_point::parameters
  double best_validation_accuracy = 0.0;
  table trials{{"point", "parameters", "validation_accuracy"}};
};

/// Fits `name` at every grid point on `train` and scores it on `validation`.
selection_result select_hyperparameters(const std::string& name, const classifier_config& base,
                                        const labelled_data& train, const labelled_data& validation);

}  // namespace physec::auth
