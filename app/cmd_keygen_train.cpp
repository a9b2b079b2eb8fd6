// physec keygen train: its config, options and registration (torch-free). The training run, and the seam
// `apply_keygen_model` used by `keygen eval --model`, are in neural_keygen.cpp (physec-neural only).
#include "cli.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "train_commands.hpp"

namespace physec::app {

keygen_train_settings::keygen_train_settings() {
  // Ours, for 2 CPU cores: ~2,000 examples per epoch on the default dataset, 2.5-4.5 s per epoch for the CNNs on
  // one thread; with the phase-invariant loss the validation loss stops falling after 30-40 epochs (CNN-AE-SSA:
  // 0.0089 at epoch 17, 0.0074 at 29, 0.0073 at 37; docs/keygen-models.md).
  train.epochs = 40;
  train.batch_size = 32;
  train.learning_rate = 2e-3;
  train.schedule = "plateau";
  train.schedule_patience = 3;
  train.patience = 8;
  train.grad_clip_norm = 1.0;
}

void keygen_train_settings::describe(config::schema& s) {
  s.add("target", target, "training target: the clean reciprocal channel (simulation) or the other party's "
                          "measurement (cross: Alice's in -> Bob's out and vice versa)")
      .choices(keygen::models::target_names())
      .source("Alashqar et al. 2025 (clean); ours (cross)");
  s.add("loss", loss, "training loss: MSE up to one common phase per example and OFDM symbol (the phase that each "
                      "reception's LO, CFO and phase noise put on a symbol, which no per-party map can know), or plain MSE")
      .choices(keygen::models::feature_model_loss_names())
      .source("ours (phase_invariant: with the default impairments MSE stays at 0.42, docs/keygen-models.md); "
              "Alashqar et al. 2025 (mse)");
  s.add("input_phase", input_phase, "the CSI the model sees and outputs: every OFDM symbol turned to a common phase of "
                                    "0 (aligned: as the classical path removes it, keygen/features.hpp), or as measured")
      .choices(keygen::models::input_phase_names())
      .source("ours (equal inputs: the classical chain aligns the phase); measured: Alashqar et al. 2025");
  s.add("latency_runs", latency_runs, "timed batch-1 forward passes of the complexity report").range(1, 100000).source("ours");
  s.add("stream", stream, "stream the examples from the HDF5 file batch by batch (for datasets larger than memory); "
                          "false: read the train and validation splits once, through the same loader")
      .source("ours (one-probe HDF5 chunks: a streamed epoch takes ~1.4x the in-memory one)");
  s.section("model", model, "architecture and widths");
  s.section("train", train, "optimizer, schedule, early stopping (validation split)");
}

void register_keygen_train(CLI::App& keygen) {
  register_config<keygen_train_config>("keygen train", k_keygen_train_title);
  auto* cmd = keygen.add_subcommand("train", "train a feature model (CNN-AE-SSA, CNN-AE, dense AE) that maps each "
                                             "party's CSI to the reciprocal channel; checkpoint, history, complexity");
  auto o = std::make_shared<keygen_train_options>();
  cmd->add_option("-d,--dataset", o->dataset, "wiretap dataset (HDF5), streamed batch by batch")->required();
  cmd->add_option("--model", o->model, "cnn_ae_ssa, cnn_ae or dense_ae (sets model.name)");
  cmd->add_flag("--resume", o->resume, "continue from <out>/checkpoint.pt (same config)");
  add_common_options(*cmd, o->common, "physec-out/keygen-train");
  cmd->callback([o] {
    require_neural("keygen train");
    run_keygen_train(*o);
  });
}

}  // namespace physec::app
