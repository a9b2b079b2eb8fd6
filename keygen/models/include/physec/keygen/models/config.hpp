#pragma once
/// @file The neural feature models of PSKG as configured (torch-free, so `physec config show keygen train` and the
/// app's eval path need no LibTorch headers): which architecture, its widths, and what it is trained to output.
///
/// Every model maps one party's measured CSI of one antenna pair, `[2, F, T]` (real/imag over F subcarriers x T OFDM
/// symbols, divided by the probe's RMS), to an estimate of the reciprocal channel of the same shape
/// (keygen/models/modules.hpp; docs/keygen-models.md).

#include <string>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::keygen::models {

/// Architecture names accepted by make_keygen_model() and `--model`.
inline const std::vector<std::string>& model_names() {
  static const std::vector<std::string> names{"cnn_ae_ssa", "cnn_ae", "dense_ae"};
  return names;
}

/// 2-D convolutional autoencoder, with or without the spatial self-attention block (Alashqar et al., IEEE Access
/// 2025: CNN-AE-SSA; without attention: the paper's CNN-AE baseline).
struct cnn_config {
  std::vector<int> channels{8, 16, 16};   ///< encoder widths; block 0 keeps the size, each further block halves F and T
  int bottleneck_channels = 8;            ///< 1x1 conv to this width after the attention block
  int kernel_size = 3;                    ///< odd square kernel of every 3x3-type conv
  int attention_reduction = 8;            ///< query/key width = channels.back() / this (SAGAN's 8)
  void describe(config::schema& s);
};

/// Fully connected autoencoder baseline: flatten -> hidden -> bottleneck -> hidden -> output.
struct dense_config {
  int hidden = 256;      ///< hidden layer width
  int bottleneck = 64;   ///< code width
  void describe(config::schema& s);
};

/// `[model]` of `physec keygen train`.
struct model_config {
  std::string name = "cnn_ae_ssa";  ///< cnn_ae_ssa | cnn_ae | dense_ae
  cnn_config cnn;
  dense_config dense;
  void describe(config::schema& s);
};

/// The architecture's options as the JSON stored in checkpoints (`model_handle::options_json`). `nof_subcarriers`
/// and `nof_symbols` (F, T) fix the dense AE's input; the CNNs record them for the complexity report only.
std::string options_json(const model_config& cfg, int nof_subcarriers, int nof_symbols);

/// Training targets.
/// - "clean": the noiseless reciprocal channel (simulation only; /clean in the dataset);
/// - "cross": the other party's measurement (Alice's in -> Bob's out and vice versa), for measured data.
inline const std::vector<std::string>& target_names() {
  static const std::vector<std::string> names{"clean", "cross"};
  return names;
}

/// Training losses (keygen::models::feature_model_loss in modules.hpp): "phase_invariant" (MSE up to one common phase
/// per example and OFDM symbol) or "mse".
inline const std::vector<std::string>& feature_model_loss_names() {
  static const std::vector<std::string> names{"phase_invariant", "mse"};
  return names;
}

/// What the model sees (keygen::models::make_examples' align_phase): "aligned" (every OFDM symbol turned to a common
/// phase of 0, as the classical chain does) or "measured" (the CSI as is).
inline const std::vector<std::string>& input_phase_names() {
  static const std::vector<std::string> names{"aligned", "measured"};
  return names;
}

}  // namespace physec::keygen::models
