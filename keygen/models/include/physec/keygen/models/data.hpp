#pragma once
/// @file Wiretap CSI <-> model tensors, training examples (in memory or streamed from HDF5) and applying a model.
/// Includes LibTorch.
///
/// An example is one party's measurement of one antenna pair of one probe, `[2, F, T]`: row
/// `(2 · probe + party) · P + pair` of a source (party 0 = Alice, 1 = Bob; P = nof_alice_ant · nof_bob_ant). Its input
/// is that party's CSI, its target the clean channel ("clean") or the other party's measurement ("cross"), both
/// divided by the RMS of the input party's whole probe (all P pairs). With `align_phase` (`input_phase = "aligned"`,
/// the default of `physec keygen train`), every symbol of input and target is first turned to a common phase of 0
/// (times conj(s)/|s|, s the sum of the symbol's subcarriers): the LO phase, CFO and phase noise of a reception turn
/// whole symbols, which the classical path removes the same way (keygen/features.hpp); the model then sees, and
/// outputs, CSI in that frame.

#include <torch/torch.h>

#include <complex>
#include <filesystem>
#include <memory>
#include <string>

#include "physec/core/ndarray.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/trainer.hpp"

namespace physec::keygen::models {

/// CSI as the model sees it.
struct model_input {
  torch::Tensor x;    ///< [G · P, 2, F, T] float32: real, imaginary part / rms of its probe
  torch::Tensor rms;  ///< [G] RMS of each probe's CSI (1 where it is 0)
  std::size_t pairs_per_probe = 1;  ///< P: product of the two antenna extents
};

/// CSI `[..., A, B, F, T]` (rank >= 5; all leading extents are probes: `[n, A, B, F, T]` or Eve's
/// `[n, nof_eve, A, B, F, T]`) -> model input, normalised per probe (G = product of the leading extents).
model_input to_model_input(const ndarray<std::complex<float>>& csi, bool align_phase = false);

/// Model output `[G · P, 2, F, T]` -> CSI of shape `shape` (as given to to_model_input), times each probe's rms.
ndarray<std::complex<float>> from_model_output(const torch::Tensor& y, const torch::Tensor& rms, const shape_t& shape);

/// Runs `model` on CSI `[..., A, B, F, T]` (normalise, predict in batches, scale back): same shape.
ndarray<std::complex<float>> apply_model(const nn::model_handle& model, const ndarray<std::complex<float>>& csi,
                                         torch::Device device, bool align_phase = false);

/// A copy of `d` with /alice, /bob, /eve and /eve_uplink replaced by the model's outputs.
dataset::wiretap_data apply_model(const nn::model_handle& model, const dataset::wiretap_data& d, torch::Device device,
                                  bool align_phase = false);

/// Examples of the probes `probes` (sorted ascending) whose CSI is given: alice, bob, clean `[m, A, B, F, T]` hold
/// those probes in that order (`clean` may be empty for target "cross"); `rows` are example rows of those probes.
/// Inputs and targets `[rows.size(), 2, F, T]`.
nn::example_batch make_examples(const ndarray<std::complex<float>>& alice, const ndarray<std::complex<float>>& bob,
                                const ndarray<std::complex<float>>& clean, const std::vector<std::size_t>& probes,
                                const std::vector<std::size_t>& rows, const std::string& target,
                                bool align_phase = false);

/// The probes whose rows of /alice, /bob and /clean the examples `rows` use (each sorted, no repeats): an example
/// reads its input party's probe and its target's (the other party's for "cross", /clean for "clean"), not all three.
struct probes_used {
  std::vector<std::size_t> alice, bob, clean;
};
probes_used probes_used_by(const std::vector<std::size_t>& rows, std::size_t pairs_per_probe, const std::string& target);

/// make_examples where each array holds its own probes (`used`, in that order): what a streamed batch reads.
nn::example_batch make_examples(const ndarray<std::complex<float>>& alice, const ndarray<std::complex<float>>& bob,
                                const ndarray<std::complex<float>>& clean, const probes_used& used,
                                const std::vector<std::size_t>& rows, const std::string& target,
                                bool align_phase = false);

/// The example rows of every probe with split label `label`, P = `pairs_per_probe` antenna pairs each.
std::vector<std::size_t> example_rows(const std::vector<std::uint8_t>& split, dataset::split_label label,
                                      std::size_t pairs_per_probe);

/// All examples of one split of a dataset in memory (tests, small data).
nn::tensor_source wiretap_tensor_source(const dataset::wiretap_data& d, dataset::split_label split,
                                        const std::string& target, bool align_phase = false);

/// The examples of one split streamed from a wiretap HDF5 file: each batch reads only its probes' rows of /alice,
/// /bob (and /clean). Throws physec::error naming the file when /clean is absent for target "clean" or the split
/// has no probes.
std::unique_ptr<nn::h5_source> wiretap_h5_source(const std::filesystem::path& file, dataset::split_label split,
                                                 const std::string& target, bool align_phase = false);

/// Every example of `source` read once into memory (e.g. a streamed split that fits).
std::unique_ptr<nn::tensor_source> read_all(const nn::example_source& source);

/// What `checkpoint_meta::extra_json` of a keygen model holds: its input size, training target and input phase.
std::string model_extra_json(const std::string& target, std::size_t nof_subcarriers, std::size_t nof_symbols,
                             bool align_phase = false);

/// A keygen model loaded from a checkpoint (architecture from its metadata, best weights), in eval mode.
struct loaded_model {
  nn::model_handle model;
  nn::checkpoint_meta meta;
  std::string target;                 ///< from extra_json
  bool align_phase = false;           ///< input_phase = "aligned" in extra_json (apply_model's align_phase)
  std::size_t nof_subcarriers = 0, nof_symbols = 0;  ///< F, T it was trained on
};
loaded_model load_keygen_model(const std::filesystem::path& ckpt, torch::Device device);

}  // namespace physec::keygen::models
