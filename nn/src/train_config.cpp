#include "physec/nn/train_config.hpp"

namespace physec::nn {

void train_config::describe(config::schema& s) {
  s.add("epochs", epochs, "maximum number of epochs").range(1, 100000).source("ours");
  s.add("batch_size", batch_size, "examples per mini-batch").range(1, 65536).source("ours");
  s.add("optimizer", optimizer, "optimizer: Adam (L2 weight decay) or AdamW (decoupled weight decay)")
      .choices({"adam", "adamw"})
      .source("ours");
  s.add("learning_rate", learning_rate, "initial learning rate").range(1e-9, 10).source("ours");
  s.add("weight_decay", weight_decay, "weight decay").range(0, 10).source("ours");
  s.add("schedule", schedule,
        "learning-rate schedule: none; plateau (multiply by schedule_factor after schedule_patience epochs without "
        "improvement of the validation metric); cosine (to min_learning_rate over `epochs`)")
      .choices({"none", "plateau", "cosine"})
      .source("ours");
  s.add("schedule_factor", schedule_factor, "plateau: learning-rate multiplier").range(0.01, 0.99).source("ours");
  s.add("schedule_patience", schedule_patience, "plateau: epochs without improvement before the learning rate decays")
      .range(1, 10000)
      .source("ours");
  s.add("min_learning_rate", min_learning_rate, "floor of the learning-rate schedule").range(0, 10).source("ours");
  s.add("grad_clip_norm", grad_clip_norm, "clip the global gradient L2 norm to this value; 0 = off")
      .range(0, 1e9)
      .source("ours");
  s.add("patience", patience, "early stopping: epochs without improvement of the validation metric; 0 = off")
      .range(0, 100000)
      .source("ours");
  s.add("min_delta", min_delta, "an epoch improves when it beats the best validation metric by more than this")
      .range(0, 1e9)
      .source("ours");
}

}  // namespace physec::nn
