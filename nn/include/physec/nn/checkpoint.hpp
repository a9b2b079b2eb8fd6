#pragma once
/// @file Checkpoints: one file holding the model's weights (current and best), the optimizer state and the metadata
/// (architecture name and options, effective config, seed, physec and LibTorch versions, epoch, history). Written
/// atomically (temporary name, then rename). Includes LibTorch.

#include <torch/torch.h>

#include <filesystem>

#include "physec/nn/trainer.hpp"

namespace physec::nn {

/// Reads only the metadata (to rebuild the architecture before loading weights). Throws physec::error naming the
/// file when it is not a physec checkpoint.
checkpoint_meta read_checkpoint_meta(const std::filesystem::path& path);

/// Saves `model`'s weights as the best (and current) weights with `meta`; no optimizer state. Atomic.
void save_model(const std::filesystem::path& path, const model_handle& model, const checkpoint_meta& meta);

/// Loads the best weights of a checkpoint into `model` (on `device`). The model must have exactly the checkpoint's
/// parameters and buffers with the same shapes; otherwise throws physec::error naming the file, the layer and
/// both shapes, e.g. `ckpt.pt: encoder.0.weight: shape [32, 2, 3, 3] in the file, the model has [16, 2, 3, 3]`.
checkpoint_meta load_model(const std::filesystem::path& path, model_handle& model, torch::Device device);

}  // namespace physec::nn
