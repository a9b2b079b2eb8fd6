#pragma once
/// @file The TDGCN's settings as `physec auth train`, `auth eval --model tdgcn` and `reproduce` configure it:
/// architecture (`[model]`), training (`[train]`) and data preparation (`[data]`). Torch-free.

#include "physec/auth/models/tdgcn_options.hpp"
#include "physec/core/config.hpp"
#include "physec/nn/train_config.hpp"

namespace physec::experiments {

/// How TDGCN training data is prepared.
struct tdgcn_data_config {
  int window_stride = 10;            ///< mobility: training windows every this many samples [samples]; 0 = none
  int folds = 3;                     ///< UEA: k-fold ensemble on the training file; 1 = one validation split
  double validation_fraction = 0.2;  ///< UEA, folds = 1: share of each class's training cases used for validation
  void describe(config::schema& s);
};

/// The TDGCN paper's Table I training defaults (Adam, batch 16, weight decay 1e-4) with our step budget, cosine
/// schedule and selection on validation loss (docs/tdgcn.md).
nn::train_config tdgcn_train_defaults();

/// TDGCN architecture + training + data preparation.
struct tdgcn_settings {
  auth::models::TdgcnOptions model;
  nn::train_config train = tdgcn_train_defaults();
  tdgcn_data_config data;
  void describe(config::schema& s);
};

}  // namespace physec::experiments
