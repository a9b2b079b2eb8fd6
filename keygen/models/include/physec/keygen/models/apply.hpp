#pragma once
/// @file The seam between a trained model and the PSKG evaluator, torch-free so the app's eval path and other
/// stages include no LibTorch header: every party runs the same public model on its own CSI, and the evaluator
/// (features -> quantile quantizer -> bits) then works on the model's outputs as it does on raw CSI.
///
/// Input normalisation (each party on its own data, a public operation): the CSI of one probe, all antenna pairs x
/// subcarriers x symbols, is divided by its RMS before the model and multiplied by it after. CSI power varies by tens
/// of dB across SNRs and profiles; the scale carries no reciprocity the model must learn, and multiplying it back
/// keeps the per-probe power, which the amplitude quantizer uses, exactly as in the raw CSI.

#include <filesystem>
#include <string>

#include "physec/dataset/wiretap.hpp"

namespace physec::keygen::models {

/// Loads the checkpoint `ckpt` (architecture rebuilt from its metadata) and returns a copy of `d` whose /alice, /bob,
/// every /eve position and /eve_uplink are replaced by the model's outputs (same shapes; /clean and the labels
/// untouched). `device`: "cpu", "cuda", "cuda:N". Throws physec::error naming the checkpoint when it is not a
/// physec keygen model or does not fit the data (e.g. a dense AE trained on another F x T).
dataset::wiretap_data apply_checkpoint(const std::filesystem::path& ckpt, const dataset::wiretap_data& d,
                                       const std::string& device);

/// The model name stored in a checkpoint (reads the metadata only).
std::string checkpoint_model_name(const std::filesystem::path& ckpt);

}  // namespace physec::keygen::models
