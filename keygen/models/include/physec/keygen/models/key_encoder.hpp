#pragma once
/// @file An encoder trained for keys (issue #16), its loss terms and the adversarial Eve. Includes LibTorch.
///
/// Alice and Bob apply the same public encoder to their own whole-probe features (`[B, D]`, the secret chain's
/// features of one probe) and quantize its m outputs. What makes outputs good for keys, one loss term each, on a
/// batch of (Alice, Bob) pairs `za`, `zb` `[B, m]`:
/// - agreement: each output equal for both parties (A-B correlation toward 1);
/// - decorrelation: outputs carry different information (off-diagonal correlations toward 0, Barlow Twins-like);
/// - uniformity: each output's marginal standard normal, so equiprobable quantile bins stay equiprobable;
/// - secrecy: an adversary that predicts Alice's outputs from Eve's observations must fail.
/// Correlations are over the batch, so every term is invariant to the scale and offset of each output.

#include <torch/torch.h>

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "physec/keygen/secret_chain.hpp"

namespace physec::keygen::models {

/// Each column of `z` `[B, m]` standardised over the batch (mean 0, unit variance; eps keeps constants finite).
torch::Tensor standardise_columns(const torch::Tensor& z, double eps = 1e-8);

/// 1 − corr(za_j, zb_j), averaged over the m outputs: 0 when Alice's and Bob's outputs agree up to a positive
/// scale and offset, 1 when uncorrelated, 2 when opposite.
torch::Tensor agreement_loss(const torch::Tensor& za, const torch::Tensor& zb);

/// −mean_j ½·log2(1 − ρ_j²), ρ_j = corr(za_j, zb_j) clamped to [0, 0.999]: minus the Gaussian information per
/// output [bits]. Unlike agreement_loss it rewards raising a strong output more than a weak one, as the chain's bit
/// allocation does (it gives a coefficient bits by its correlation); 0 for uncorrelated outputs.
torch::Tensor information_loss(const torch::Tensor& za, const torch::Tensor& zb);

/// Mean squared off-diagonal entry of the m x m correlation matrix of `z` over the batch: 0 for uncorrelated
/// outputs in the limit; for independent Gaussian outputs its expectation is 1 / (B − 1) (the variance of a sample
/// correlation of B independent pairs), 1 when all outputs are copies of one.
torch::Tensor decorrelation_loss(const torch::Tensor& z);

/// Mean over outputs of the squared distance between the sorted Φ(standardised z_j) and the uniform grid
/// (i + ½) / B: a Cramér-von Mises-type distance of each marginal from the standard normal. Its expectation for
/// Gaussian outputs is about 1 / (6B); for a two-point (±1) marginal it is 0.029.
torch::Tensor uniformity_loss(const torch::Tensor& z);

/// Fraction of the variance of `target` `[B, m]` that `prediction` explains, per output (clamped to ≥ 0 as the
/// adversary's gain cannot be negative), averaged: the secrecy term the encoder minimises.
torch::Tensor explained_variance(const torch::Tensor& prediction, const torch::Tensor& target);

/// Options of KeyEncoder.
struct KeyEncoderOptions {
  KeyEncoderOptions(std::int64_t in_features, std::int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(std::int64_t, in_features);       ///< D, the secret chain's features of one probe
  TORCH_ARG(std::int64_t, out_features);      ///< m, about the channel's degrees of freedom
  TORCH_ARG(std::int64_t, hidden) = 64;       ///< width of the hidden layer
};

/// `[B, D]` -> `[B, m]`: Linear(D, hidden) -> LayerNorm -> GELU -> Linear(hidden, m), plus a linear skip
/// Linear(D, m) so that the linear optimum (CCA's projection) is inside the model family from the start.
class KeyEncoderImpl : public torch::nn::Module {
 public:
  explicit KeyEncoderImpl(const KeyEncoderOptions& o);
  torch::Tensor forward(const torch::Tensor& x);

  KeyEncoderOptions options;
  torch::nn::Linear in{nullptr}, out{nullptr}, skip{nullptr};
  torch::nn::LayerNorm norm{nullptr};
};
TORCH_MODULE(KeyEncoder);

/// The adversarial Eve: an MLP from Eve's observations `[B, E]` to a prediction of Alice's outputs `[B, m]`,
/// trained to minimise the MSE to them; the encoder is trained against its explained variance.
class EveAdversaryImpl : public torch::nn::Module {
 public:
  EveAdversaryImpl(std::int64_t in_features, std::int64_t out_features, std::int64_t hidden = 64);
  torch::Tensor forward(const torch::Tensor& eve);
  torch::nn::Sequential net{nullptr};
};
TORCH_MODULE(EveAdversary);

/// Weights of the encoder's loss: agreement + decorrelation·λ_d + uniformity·λ_u + secrecy·λ_e; the agreement term
/// is agreement_loss, or information_loss when `information` is set.
struct KeyLossWeights {
  double decorrelation = 1.0, uniformity = 1.0, secrecy = 1.0;
  bool information = false;
};

/// The encoder's loss on one batch: `za`, `zb` Alice's and Bob's outputs, `eve_prediction` the adversary's guess
/// of `za` (pass an undefined tensor to leave secrecy out).
torch::Tensor key_encoder_loss(const torch::Tensor& za, const torch::Tensor& zb, const torch::Tensor& eve_prediction,
                               const KeyLossWeights& w = {});

/// What training one key encoder did (`keygen run` reports it per pool).
struct key_encoder_fit_report {
  double snr_dB = 0;                 ///< the pool's SNR (NaN: every SNR)
  std::size_t nof_links = 0, nof_train = 0, nof_val = 0;  ///< links, calibration and validation pairs
  int epochs_run = 0;
  int best_epoch = 0;                ///< 0: the initialisation (the standardised KLT) was never beaten on validation
  double initial_val_loss = 0, best_val_loss = 0;
  bool stopped_early = false;
  double seconds = 0;
  std::vector<std::array<double, 3>> history;  ///< per epoch (0 = initialisation): epoch, training loss, validation loss
  std::int64_t parameters = 0;       ///< the encoder's (the adversary is not part of the key chain)
  std::int64_t macs = 0;             ///< per inference (batch 1): the three linear layers (LayerNorm, GELU not counted)
  double latency_p50_ms = 0, latency_p90_ms = 0;  ///< batch 1, CPU, 200 timed runs after 20 warm-up runs
};

/// Trains a KeyEncoder (m = cfg.outputs, hidden = cfg.hidden) on every link's calibration pairs, concatenated, with
/// key_encoder_loss and, when Eve's regressors are given and cfg.weight_secrecy > 0, an EveAdversary trained in
/// alternation (one Adam step each per batch; the encoder minimises her explained variance of its standardised
/// outputs). Initialisation: the skip is the identity on the first m inputs and the MLP's last layer zero, so epoch 0
/// is the standardised KLT itself. Selection: the epoch with the lowest validation loss, where the secrecy term is a
/// ridge-regularised linear Eve refitted on the calibration pairs each epoch (a fixed yardstick, unlike the adversary,
/// which grows stronger during training); patience cfg.patience. Everything runs in float64 on the CPU, seeded by
/// `seed` alone (torch's global generator): same data and seed, same weights, with one torch thread.
std::shared_ptr<const keygen::learned_map> train_key_encoder(const std::vector<keygen::learned_map_link>& links,
                                                             const keygen::key_encoder_config& cfg, std::uint64_t seed,
                                                             key_encoder_fit_report* report = nullptr);

}  // namespace physec::keygen::models
