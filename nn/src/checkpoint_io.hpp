#pragma once
// Internal to the nn library: the checkpoint file format, shared by the trainer (full state) and the public
// save_model/load_model (weights + metadata).
//
// Layout of a checkpoint (a LibTorch archive):
//   "meta"           string: checkpoint_meta as JSON
//   "trainer"        string: trainer state as JSON (history, counters, learning rate); "{}" for a bare model
//   "model"          archive: the current weights, one entry per parameter/buffer (dots in names escaped)
//   "best"           archive: the weights of the best epoch (what inference loads)
//   "optimizer"      archive: the optimizer state (absent for a bare model)

#include <torch/torch.h>

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "physec/nn/trainer.hpp"

namespace physec::nn::detail {

using named_tensors = std::vector<std::pair<std::string, torch::Tensor>>;

/// Parameters then buffers of a module, with their dotted paths.
named_tensors state_of(const torch::nn::Module& module);
/// Deep copies (detached) of a state.
named_tensors clone_state(const named_tensors& s);
/// Copies `from` into the tensors of `to` (same names and shapes).
void copy_state(const named_tensors& from, named_tensors& to);

struct checkpoint_contents {
  checkpoint_meta meta;
  std::string trainer_json = "{}";
};

/// Writes atomically. `optimizer` may be null (bare model).
void write_checkpoint(const std::filesystem::path& path, const checkpoint_meta& meta, const std::string& trainer_json,
                      const named_tensors& current, const named_tensors& best, torch::optim::Optimizer* optimizer);

/// Reads the metadata and copies the stored weights into `current` / `best` (either may be null), checking every
/// name and shape; loads the optimizer state when `optimizer` is not null.
checkpoint_contents read_checkpoint(const std::filesystem::path& path, named_tensors* current, named_tensors* best,
                                    torch::optim::Optimizer* optimizer, torch::Device device);

}  // namespace physec::nn::detail
