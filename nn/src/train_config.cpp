#include "physec/nn/train_config.hpp"

namespace physec::nn {

void train_config::describe(config::schema& s) {
  const auto src = [this](const char* field) {
    const auto it = default_sources.find(field);
    return it == default_sources.end() ? std::string("ours") : it->second;
  };
  s.add("epochs", epochs, "maximum number of epochs").range(1, 100000).source(src("epochs"));
  s.add("max_steps", max_steps,
        "budget in optimiser steps: training ends after `epochs` or `max_steps`, whichever comes first; 0 = none")
      .range(0, 100000000)
      .source(src("max_steps"));
  s.add("batch_size", batch_size, "examples per mini-batch").range(1, 65536).source(src("batch_size"));
  s.add("optimizer", optimizer, "optimizer: Adam (L2 weight decay) or AdamW (decoupled weight decay)")
      .choices({"adam", "adamw"})
      .source(src("optimizer"));
  s.add("learning_rate", learning_rate, "initial learning rate").range(1e-9, 10).source(src("learning_rate"));
  s.add("weight_decay", weight_decay, "weight decay").range(0, 10).source(src("weight_decay"));
  s.add("schedule", schedule,
        "learning-rate schedule: none; plateau (multiply by schedule_factor after schedule_patience epochs without "
        "improvement of the selection value); cosine (to min_learning_rate over `epochs`, or step by step over "
        "`max_steps` when it is set)")
      .choices({"none", "plateau", "cosine"})
      .source(src("schedule"));
  s.add("schedule_factor", schedule_factor, "plateau: learning-rate multiplier").range(0.01, 0.99).source(src("schedule_factor"));
  s.add("schedule_patience", schedule_patience, "plateau: epochs without improvement before the learning rate decays")
      .range(1, 10000)
      .source(src("schedule_patience"));
  s.add("min_learning_rate", min_learning_rate, "floor of the learning-rate schedule").range(0, 10).source(src("min_learning_rate"));
  s.add("grad_clip_norm", grad_clip_norm, "clip the global gradient L2 norm to this value; 0 = off")
      .range(0, 1e9)
      .source(src("grad_clip_norm"));
  s.add("patience", patience, "early stopping: epochs without improvement of the selection value; 0 = off")
      .range(0, 100000)
      .source(src("patience"));
  s.add("min_delta", min_delta, "an epoch improves when it beats the best selection value by more than this")
      .range(0, 1e9)
      .source(src("min_delta"));
  s.add("select_on", select_on,
        "what selects the best epoch (the weights kept) and drives early stopping and the plateau schedule: the "
        "task's validation metric, or val_loss (mean validation loss)")
      .choices({"metric", "val_loss"})
      .source(src("select_on"));
}

}  // namespace physec::nn
