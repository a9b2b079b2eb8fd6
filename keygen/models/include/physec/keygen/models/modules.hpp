#pragma once
/// @file The PSKG feature models as LibTorch modules. Includes LibTorch.
///
/// Shapes: every model maps `[B, 2, F, T]` -> `[B, 2, F, T]`: channel 0/1 = real/imaginary part of one antenna
/// pair's CSI over F subcarriers x T OFDM symbols, divided by the probe's RMS (see keygen/models/apply.hpp). Antenna
/// pairs are extra samples, not channels: every pair sees the same reciprocity structure, so one model serves any
/// array size and a SISO-trained model runs on MIMO data.
///
/// Each forward() reports its multiply-accumulates with nn::count_* (layer names = module paths), for
/// nn::measure_complexity.

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "physec/nn/trainer.hpp"

namespace physec::keygen::models {

/// Options of SpatialSelfAttention.
struct SpatialSelfAttentionOptions {
  explicit SpatialSelfAttentionOptions(std::int64_t channels) : channels_(channels) {}
  TORCH_ARG(std::int64_t, channels);      ///< C of the `[B, C, H, W]` input
  TORCH_ARG(std::int64_t, reduction) = 8;  ///< query/key width C / reduction (SAGAN, Zhang et al. 2019: 8)
};

/// Spatial self-attention (SAGAN, Zhang et al., ICML 2019; the SSA block of Alashqar et al. 2025):
/// q = Wq x, k = Wk x, v = Wv x (1x1 convs), A = softmax_j(q_i · k_j) over the N = H·W spatial positions,
/// y_i = gamma · Σ_j A_ij v_j + x_i. gamma is a learned scalar initialised at 0, so the block starts as the identity
/// and the network learns how much non-local context to mix in. `[B, C, H, W]` -> `[B, C, H, W]`.
class SpatialSelfAttentionImpl : public torch::nn::Module {
 public:
  explicit SpatialSelfAttentionImpl(const SpatialSelfAttentionOptions& o);
  torch::Tensor forward(const torch::Tensor& x);
  /// The attention map of the last forward(): `[B, N, N]` (rows: query positions; each row sums to 1).
  const torch::Tensor& last_attention() const { return attention_; }
  /// Names MAC counts "<prefix>.query" etc.
  void set_name(std::string prefix) { prefix_ = std::move(prefix); }

  SpatialSelfAttentionOptions options;
  torch::nn::Conv2d query{nullptr}, key{nullptr}, value{nullptr};
  torch::Tensor gamma;  ///< residual scale, shape [1]

 private:
  torch::Tensor attention_;
  std::string prefix_ = "attention";
};
TORCH_MODULE(SpatialSelfAttention);

/// conv k x k (stride s, "same" padding) -> BatchNorm -> LeakyReLU(0.1). `[B, in, H, W]` -> `[B, out, ceil(H/s), ceil(W/s)]`.
class ConvBlockImpl : public torch::nn::Module {
 public:
  ConvBlockImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::int64_t stride, std::string name);
  torch::Tensor forward(const torch::Tensor& x);
  torch::nn::Conv2d conv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};

 private:
  std::string name_;  ///< module path, for MAC counts
};
TORCH_MODULE(ConvBlock);

/// transposed conv k x k, stride 2 -> BatchNorm -> LeakyReLU(0.1), to an explicit output size `[H, W]`.
class DeconvBlockImpl : public torch::nn::Module {
 public:
  DeconvBlockImpl(std::int64_t in, std::int64_t out, std::int64_t kernel, std::string name);
  torch::Tensor forward(const torch::Tensor& x, const std::vector<std::int64_t>& output_hw);
  torch::nn::ConvTranspose2d deconv{nullptr};
  torch::nn::BatchNorm2d bn{nullptr};

 private:
  std::string name_;
};
TORCH_MODULE(DeconvBlock);

/// Options of CnnAe.
struct CnnAeOptions {
  TORCH_ARG(std::vector<std::int64_t>, channels) = std::vector<std::int64_t>{8, 16, 16};  ///< encoder widths
  TORCH_ARG(std::int64_t, bottleneck_channels) = 8;  ///< code width (1x1 conv after attention)
  TORCH_ARG(std::int64_t, kernel_size) = 3;          ///< odd
  TORCH_ARG(bool, attention) = true;                 ///< the SSA block on/off (cnn_ae_ssa vs cnn_ae)
  TORCH_ARG(std::int64_t, attention_reduction) = 8;  ///< query/key width = channels.back() / this
  TORCH_ARG(std::int64_t, in_channels) = 2;          ///< real, imaginary
};

/// 2-D convolutional autoencoder (CNN-AE-SSA with `attention`, else CNN-AE). With channels {c0, c1, c2} and input
/// `[B, 2, F, T]`:
///   encoder.0   ConvBlock stride 1, 2 -> c0                        [B, c0, F, T]
///   encoder.1   ConvBlock stride 2, c0 -> c1                       [B, c1, ceil(F/2), ceil(T/2)]
///   encoder.2   ConvBlock stride 2, c1 -> c2                       [B, c2, ceil(F/4), ceil(T/4)]
///   attention   SpatialSelfAttention(c2) (absent without attention)
///   bottleneck  ConvBlock 1x1, c2 -> b: the code                   [B, b, ceil(F/4), ceil(T/4)]
///   expand      ConvBlock 1x1, b -> c2
///   decoder.1   DeconvBlock c2 -> c1, to encoder.1's size; decoder.0: c1 -> c0, to encoder.0's size
///   output      conv k x k, c0 -> 2, linear                        [B, 2, F, T]
/// The transposed convs take the encoder's sizes as their output size, so any F, T >= 1 comes back exactly.
class CnnAeImpl : public torch::nn::Module {
 public:
  explicit CnnAeImpl(const CnnAeOptions& o = {});
  torch::Tensor forward(const torch::Tensor& x);

  CnnAeOptions options;
  std::vector<ConvBlock> encoder;
  SpatialSelfAttention attention{nullptr};  ///< null without attention
  ConvBlock bottleneck{nullptr}, expand{nullptr};
  std::vector<DeconvBlock> decoder;  ///< decoder[i] undoes encoder[i + 1]
  torch::nn::Conv2d output{nullptr};
};
TORCH_MODULE(CnnAe);

/// The paper's model is CnnAe with `attention(true)` (the default); the names the issue uses:
using CnnAeSsaImpl = CnnAeImpl;
using CnnAeSsa = CnnAe;

/// Options of DenseAe.
struct DenseAeOptions {
  DenseAeOptions(std::int64_t nof_subcarriers, std::int64_t nof_symbols)
      : nof_subcarriers_(nof_subcarriers), nof_symbols_(nof_symbols) {}
  TORCH_ARG(std::int64_t, nof_subcarriers);  ///< F
  TORCH_ARG(std::int64_t, nof_symbols);      ///< T
  TORCH_ARG(std::int64_t, hidden) = 256;
  TORCH_ARG(std::int64_t, bottleneck) = 64;
  TORCH_ARG(std::int64_t, in_channels) = 2;
};

/// Dense autoencoder baseline: `[B, 2, F, T]` -> flatten (2FT) -> hidden -> bottleneck -> hidden -> 2FT -> reshape;
/// LeakyReLU(0.1) between layers, linear output. Fixed F, T.
class DenseAeImpl : public torch::nn::Module {
 public:
  explicit DenseAeImpl(const DenseAeOptions& o);
  torch::Tensor forward(const torch::Tensor& x);

  DenseAeOptions options;
  torch::nn::Linear enc1{nullptr}, enc2{nullptr}, dec1{nullptr}, dec2{nullptr};
};
TORCH_MODULE(DenseAe);

/// Training losses of the feature models (names: feature_model_loss_names(), config.hpp) (`[train] loss` of `physec keygen train`), on `[B, 2, F, T]` output and
/// target, both scaled so that they equal torch::mse_loss's per-element mean squared error when nothing is invariant:
/// - "mse": torch::mse_loss(y, target), the paper's loss;
/// - "phase_invariant": for each example and OFDM symbol the target is matched up to one common phase,
///   min_phi sum_f |target_f - e^{j phi} y_f|^2 = sum_f |y_f|^2 + sum_f |target_f|^2 - 2 |sum_f conj(y_f) target_f|,
///   averaged over examples and symbols and divided by 2F. A per-party map cannot know the phase that a reception's
///   LO, CFO and phase noise put on each symbol (they differ between Alice, Bob and the clean channel), so MSE toward
///   the clean channel cannot fall below the power of that rotation; this loss leaves it out. (The key chain removes
///   each symbol's common phase anyway: keygen/features.hpp.) Ours.
torch::Tensor feature_model_loss(const std::string& loss, const torch::Tensor& y, const torch::Tensor& target);

/// Builds an architecture by name ("cnn_ae_ssa", "cnn_ae", "dense_ae") from its options JSON (as written by
/// keygen::models::options_json and stored in checkpoints). Throws physec::error naming `origin` and the bad key.
nn::model_handle make_keygen_model(const std::string& name, const std::string& options_json,
                                   const std::string& origin = "model options");

}  // namespace physec::keygen::models
