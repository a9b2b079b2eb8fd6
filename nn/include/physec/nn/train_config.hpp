#pragma once
/// @file Training hyper-parameters, the `[train]` table of every train command's config. Torch-free, so configs
/// can be described and shown without LibTorch. Each model's command sets its own defaults (e.g. the TDGCN
/// paper's Table I) before the user's file and `--set` apply.

#include <map>
#include <string>

#include "physec/core/config.hpp"

namespace physec::nn {

struct train_config {
  int epochs = 100;                   ///< maximum epochs
  int max_steps = 0;                  ///< budget in optimiser steps (training ends at `epochs` or here); 0 = none
  int batch_size = 16;                ///< examples per mini-batch
  std::string optimizer = "adam";     ///< adam | adamw
  double learning_rate = 1e-3;        ///< initial learning rate
  double weight_decay = 0.0;          ///< L2 (adam) or decoupled (adamw) weight decay
  std::string schedule = "plateau";   ///< none | plateau (x factor after `schedule_patience` epochs without
                                      ///< improvement of the selection value) | cosine (to min_learning_rate over
                                      ///< `epochs`, or per step over `max_steps` when that is set)
  double schedule_factor = 0.5;       ///< plateau: multiplier
  int schedule_patience = 5;          ///< plateau: epochs without improvement before decaying
  double min_learning_rate = 1e-6;    ///< floor of the schedule
  double grad_clip_norm = 0.0;        ///< clip the global gradient L2 norm to this; 0 = off
  int patience = 15;                  ///< early stopping: epochs without improvement; 0 = off
  double min_delta = 0.0;             ///< an improvement must beat the best selection value by more than this
  std::string select_on = "metric";   ///< what picks the best epoch, early stopping and plateau follow: the task's
                                      ///< validation metric, or val_loss (the mean validation loss, lower is better)
  /// Where this command's defaults come from, per field name (e.g. "TDGCN paper Table I"); fields not listed are
  /// "ours". Shown by `physec config show`; not a config key.
  std::map<std::string, std::string> default_sources;
  void describe(config::schema& s);
};

}  // namespace physec::nn
