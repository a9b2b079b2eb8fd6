#pragma once
/// @file Model complexity: trainable parameters, multiply-accumulates per inference counted layer by layer, and
/// measured batch-1 latency percentiles on a device. Includes LibTorch.
///
/// MACs are counted by the models themselves: in forward(), after each costly operation, a model calls one of the
/// count_* functions below with the layer's name. They cost nothing unless a `mac_counter` is alive on the calling
/// thread (measure_complexity creates one around a batch-1 forward pass).

#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

#include "physec/core/table.hpp"
#include "physec/nn/trainer.hpp"

namespace physec::nn {

/// One counted operation.
struct layer_cost {
  std::string layer;                  ///< e.g. "encoder.0.conv"
  std::vector<std::int64_t> output_shape;
  std::int64_t macs = 0;              ///< multiply-accumulates of this call
};

/// Collects the count_* calls made on this thread while it lives (nesting: the innermost collects).
class mac_counter {
 public:
  mac_counter();
  ~mac_counter();
  mac_counter(const mac_counter&) = delete;
  mac_counter& operator=(const mac_counter&) = delete;
  const std::vector<layer_cost>& layers() const { return layers_; }
  std::int64_t total() const;
  void add(layer_cost c) { layers_.push_back(std::move(c)); }

 private:
  std::vector<layer_cost> layers_;
  mac_counter* previous_ = nullptr;
};

/// True when a counter is alive on this thread (models may skip shape bookkeeping otherwise).
bool counting_macs();
/// Any operation: `macs` multiply-accumulates producing `output`.
void count_macs(const std::string& layer, std::int64_t macs, const torch::Tensor& output);
/// Convolution (1-D/2-D/3-D, any groups): weight `[out, in/groups, k...]`; MACs = output.numel() · weight[0].numel().
void count_conv(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& output);
/// Transposed convolution: weight `[in, out/groups, k...]`; MACs = input.numel() · weight[0].numel().
void count_conv_transpose(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& input,
                          const torch::Tensor& output);
/// Linear: weight `[out, in]`; MACs = output.numel() · in.
void count_linear(const std::string& layer, const torch::Tensor& weight, const torch::Tensor& output);
/// Matrix product with inner dimension `inner`: MACs = output.numel() · inner.
void count_matmul(const std::string& layer, std::int64_t inner, const torch::Tensor& output);

struct complexity_report {
  std::string model;
  std::vector<std::int64_t> input_shape;  ///< batch 1
  std::int64_t parameters = 0;            ///< trainable
  std::int64_t macs = 0;                  ///< per inference (batch 1)
  std::vector<layer_cost> layers;
  std::string device;
  int runs = 0;
  double latency_p50_ms = 0, latency_p90_ms = 0, latency_p99_ms = 0, latency_mean_ms = 0;
  /// layer, output shape, MACs, share of the total.
  table layer_table() const;
  /// One row: model, parameters, MACs, latency percentiles.
  table summary_table() const;
};

/// Counts trainable parameters.
std::int64_t count_parameters(const torch::nn::Module& module);

/// Parameters, MACs (one counted batch-1 forward pass on zeros of `input_shape`) and latency percentiles over `runs`
/// timed batch-1 forward passes on `device` (after warm-up), in eval mode without gradients.
complexity_report measure_complexity(const model_handle& model, const std::vector<std::int64_t>& input_shape,
                                     torch::Device device, int runs = 200);

}  // namespace physec::nn
