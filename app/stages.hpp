#pragma once
/// @file The pipeline stages behind the commands, shared with `physec quickstart` so that it runs exactly the code
/// the individual commands run. Each stage times itself into the run report, records its outputs and results, and
/// prints its summary.

#include <cstdint>
#include <filesystem>
#include <vector>

#include "cli.hpp"
#include "physec/auth/evaluate.hpp"
#include "physec/dataset/mobility_generator.hpp"
#include "physec/dataset/wiretap_generator.hpp"
#include "physec/experiments/keygen_run.hpp"
#include "physec/experiments/pla.hpp"
#include "physec/experiments/tdgcn_settings.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/models/config.hpp"
#include "physec/nn/train_config.hpp"
#include "physec/keygen/protocol.hpp"
#include "physec/keygen/secret_chain.hpp"
#include "physec/randomness/nist_config.hpp"

namespace physec::app {

/// `--method`, `--quantizer`, `--bits` of the keygen commands, as `--set` overrides of features.method,
/// quantizer.method and quantizer.bits (empty / 0: not given).
void add_quantizer_shortcuts(common_options& o, const std::string& method, const std::string& quantizer, int bits);

/// Reads a wiretap dataset (timed into the report, named in its results, summarised on the console).
dataset::wiretap_data read_wiretap_stage(run_context& ctx, const std::string& path);

/// Generates the wiretap dataset into `file` (HDF5) and returns it.
dataset::wiretap_data wiretap_stage(run_context& ctx, const dataset::wiretap_config& cfg, std::uint64_t seed,
                                    int threads, const std::string& config_toml, const std::filesystem::path& file);

/// Generates the wiretap dataset into `file` setting by setting (bounded memory, the same file as wiretap_stage).
void wiretap_file_stage(run_context& ctx, const dataset::wiretap_config& cfg, std::uint64_t seed, int threads,
                        const std::string& config_toml, const std::filesystem::path& file);

/// Generates the mobility dataset and writes it into `file` (HDF5; nothing written for an empty path).
dataset::mobility_data mobility_stage(run_context& ctx, const dataset::mobility_config& cfg, std::uint64_t seed,
                                      int threads, const std::string& config_toml, const std::filesystem::path& file);

using experiments::tdgcn_data_config;
using experiments::tdgcn_settings;
using experiments::tdgcn_train_defaults;

/// What `physec auth eval` runs on one dataset.
struct auth_eval_options {
  std::vector<std::string> models;    ///< classifier names
  std::string split = "time";         ///< "time", "position" or "random" (dataset::split_labels)
  std::vector<std::string> features;  ///< "sample" and/or "sequence"
  bool select = true;                 ///< validation grid search
  const tdgcn_settings* tdgcn = nullptr;  ///< non-null: also train TDGCN on the split and test it ("raw" features)
  std::filesystem::path checkpoint;       ///< non-empty: also test this trained TDGCN checkpoint (no training)
  std::uint64_t seed = 42;                ///< TDGCN's seed (run.seed)
  std::string device = "cpu";             ///< TDGCN's device
  std::string origin = "generated dataset";  ///< the file the data came from, for errors
};

/// TDGCN on one mobility split, tested like the baselines: trained with `cfg` (early stopping on the validation
/// split) or, with a `checkpoint`, loaded from it. Decisions per test sequence.
/// With `train_accuracy`, also the accuracy on the training split's sequences (whole sequences, as tested).
auth::evaluation tdgcn_eval_stage(run_context& ctx, const dataset::mobility_data& d, const std::string& split,
                                  const tdgcn_settings& cfg, const std::filesystem::path& checkpoint,
                                  std::uint64_t seed, const std::string& device, bool train_accuracy = false);

/// Open-set scores of the TDGCN (max-softmax, Hendrycks & Gimpel 2017: 1 - max class probability): trained on the
/// legal transmitters alone (classes 0 .. nof_legal - 1; early stopping on the legal validation sequences of `split`),
/// then scored on the legal training and validation sequences and on the test sequences, legal and spoofers apart.
struct openset_scores {
  std::vector<double> train, validation, legal, spoofer;
};
openset_scores tdgcn_openset_stage(run_context& ctx, const dataset::mobility_data& d, const std::string& split,
                                   const tdgcn_settings& cfg, std::uint64_t seed, const std::string& device);

/// Loads a TDGCN checkpoint and checks that it fits `d` (D, T, classes); throws physec::error naming the file.
void check_tdgcn_checkpoint(const std::filesystem::path& checkpoint, const dataset::mobility_data& d,
                            const std::string& device);

/// One evaluated (features, model) pair.
using auth_result = experiments::scheme_result;

/// Evaluates the baselines on a mobility dataset: accuracy.csv (no timings: byte-stable), timing.csv, results.json,
/// confusion.csv of the best, accuracy.png; a printed table. `write_outputs` false: results only (sweeps).
std::vector<auth_result> auth_eval_stage(run_context& ctx, const dataset::mobility_data& d,
                                         const auth::classifier_config& cfg, const auth_eval_options& o,
                                         bool write_outputs = true);

/// Evaluates a transform + quantizer on a wiretap dataset: kdr.csv, alice_bits.h5, PNG plots, a printed table.
keygen::eval_result keygen_eval_stage(run_context& ctx, const dataset::wiretap_data& d, const keygen::eval_config& cfg,
                                      std::uint64_t seed);

/// What `physec keygen train` is configured by, besides `[run]` (also quickstart's `[keygen_model]`).
struct keygen_train_settings {
  keygen::models::model_config model;
  std::string target = "clean";  ///< clean | cross
  std::string loss = "phase_invariant";  ///< phase_invariant | mse (keygen::models::feature_model_loss)
  std::string input_phase = "aligned";   ///< aligned | measured (keygen::models::make_examples' align_phase)
  nn::train_config train;        ///< this command's defaults (constructor)
  int latency_runs = 200;        ///< timed batch-1 forward passes of the complexity report
  bool stream = false;           ///< read each batch's rows from the HDF5 file (datasets larger than memory)
  keygen_train_settings();
  void describe(config::schema& s);
};

/// Trains a keygen model on the wiretap HDF5 file `dataset` (train split; early stopping on the validation split),
/// streamed batch by batch: checkpoint.pt (every epoch; `resume` continues it), history.csv, loss.png,
/// complexity.csv and complexity_layers.csv; results into the report; a printed summary. Returns the checkpoint.
std::filesystem::path keygen_train_stage(run_context& ctx, const keygen_train_settings& cfg,
                                         const std::filesystem::path& dataset, const run_config& run, bool resume,
                                         const std::string& config_toml);

/// Loads the keygen model checkpoint `ckpt` (`physec keygen train`) and returns `d` with /alice, /bob, every /eve and
/// /eve_uplink replaced by the model's outputs (same shapes), so the unchanged evaluator quantizes model features.
/// Times itself into the report ("apply model"). Throws physec::error naming the checkpoint when it does not fit.
dataset::wiretap_data apply_keygen_model(run_context& ctx, const std::string& ckpt, const dataset::wiretap_data& d,
                                         const std::string& device);
/// chain.transform = key_encoder: the trainer that build_secret_chain calls per pool of links (physec-neural;
/// `physec` hands over). Each pool's encoder is seeded from `seed` and its SNR; its training summary (epochs, best
/// epoch, validation losses, parameters, MACs, batch-1 latency) goes into the report under "key_encoder" and, per
/// epoch, into key_encoder_history.csv.
keygen::learned_map_trainer key_encoder_trainer(run_context& ctx, const keygen::key_encoder_config& cfg,
                                                std::uint64_t seed);

using experiments::keygen_run_options;
using experiments::keygen_run_summary;

/// experiments::run_key_agreement (the secret chain per link, then the key-agreement protocol per SNR in simulation
/// with Eve replaying the transcript: agreement.csv, links.csv, report results) into the run's folder and report, with
/// the key encoder of chain.transform = key_encoder; then its printed table.
keygen_run_summary keygen_run_stage(run_context& ctx, const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                    const keygen_run_options& o, std::uint64_t seed);

/// Runs SP 800-22 on `bits` cut into `count` sequences of `length` bits: nist.csv (+ finalAnalysisReport.txt for
/// several sequences) and, with `print`, a printed table. Returns the number of (test, label) rows that failed.
std::size_t nist_stage(run_context& ctx, const std::vector<std::uint8_t>& bits, std::size_t length, std::size_t count,
                       const randomness::nist_config& cfg, bool print = true);

}  // namespace physec::app
