#pragma once
/// @file Training, loading and running a TDGCN through the shared nn layer (trainer, checkpoints, complexity).
/// Includes LibTorch.

#include <filesystem>
#include <string>
#include <vector>

#include "physec/auth/models/tdgcn.hpp"
#include "physec/auth/models/tdgcn_data.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/trainer.hpp"

namespace physec::auth::models {

/// Architecture name stored in checkpoints.
constexpr const char* k_tdgcn_name = "tdgcn";

/// A handle (forward, name "tdgcn", options JSON) around a Tdgcn.
nn::model_handle make_tdgcn_handle(const Tdgcn& net);

/// Cross-entropy on logits `[B, classes]` vs labels `[B]` (int64); validation metric: accuracy (higher is better).
nn::train_task classification_task();

/// `[n, D, T]` float + labels -> an in-memory example source.
nn::tensor_source to_source(const sequence_set& s);

/// Predicted classes (argmax of the logits) of `x` `[n, D, T]`.
std::vector<int> predict_classes(const nn::model_handle& model, const ndarray<float>& x, torch::Device device);

/// Predicted classes of an ensemble: the argmax of the mean over `models` of the class probabilities (softmax of the
/// logits) of `x` `[n, D, T]`. One model: the same as predict_classes.
std::vector<int> predict_ensemble(const std::vector<nn::model_handle>& models, const ndarray<float>& x,
                                  torch::Device device);

/// The mean over `models` of the class probabilities of `x` `[n, D, T]`: `[n, nof_classes]` (each row sums to 1).
ndarray<double> predict_proba_ensemble(const std::vector<nn::model_handle>& models, const ndarray<float>& x,
                                       torch::Device device);

/// A TDGCN rebuilt from a checkpoint's metadata and loaded with its best weights. Throws physec::error naming the
/// file when it is not a TDGCN checkpoint (or a layer's shape differs).
struct loaded_tdgcn {
  Tdgcn net{nullptr};
  nn::model_handle handle;
  nn::checkpoint_meta meta;
};
loaded_tdgcn load_tdgcn(const std::filesystem::path& path, torch::Device device);

/// Everything one training run produces.
struct tdgcn_fit {
  Tdgcn net{nullptr};
  nn::model_handle handle;
  nn::train_result result;
};

/// Seeds torch, builds a TDGCN for the data (D, T, classes from `train` / `nof_classes`), sets its input scaling
/// from `train` only, and fits it with early stopping on `validation` accuracy. `fo.checkpoint` empty: no file.
tdgcn_fit fit_tdgcn(TdgcnOptions options, int nof_classes, const sequence_set& train, const sequence_set& validation,
                    const nn::train_config& cfg, torch::Device device, std::uint64_t seed,
                    const nn::fit_options& fo = {});

}  // namespace physec::auth::models
