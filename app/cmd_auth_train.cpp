// physec auth train: the command's options and registration (torch-free). The TDGCN settings are in
// experiments/tdgcn_settings.hpp; the training run, and `tdgcn_eval_stage` which `physec auth eval` uses, are in
// neural_auth.cpp (physec-neural only).
#include "cli.hpp"
#include "neural.hpp"
#include "stages.hpp"
#include "train_commands.hpp"

namespace physec::app {

void register_auth_train(CLI::App& auth) {
  register_config<auth_train_config>("auth train", k_auth_train_title);
  auto* tr = auth.add_subcommand("train",
                                 "train the TDGCN authenticator on a mobility dataset (-d) or a UEA .ts pair (--ts, "
                                 "--ts-test): checkpoint, history, plots, complexity, test accuracy");
  auto o = std::make_shared<auth_train_options>();
  tr->add_option("-d,--dataset", o->dataset, "mobility dataset (HDF5, from `physec dataset mobility`)");
  tr->add_option("--split", o->split,
                 "mobility train/test protocol: time, position or random (paper-like, overlapping; see auth eval)")
      ->check(CLI::IsMember(dataset::split_protocols()))
      ->capture_default_str();
  tr->add_option("--model", o->model, "model to train")->check(CLI::IsMember({"tdgcn"}))->capture_default_str();
  tr->add_option("--ts", o->ts_train,
                 "UEA/UCR training file (.ts); validation folds are carved from it (data.folds; unequal lengths "
                 "are padded)");
  tr->add_option("--ts-test", o->ts_test, "UEA/UCR test file (.ts), used once after training");
  tr->add_flag("--resume", o->resume, "continue from <out>/checkpoint.pt or checkpoint_fold*.pt (same config)");
  add_common_options(*tr, o->common, "physec-out/auth-train");
  tr->callback([o] {
    require_neural("auth train");
    run_auth_train(*o);
  });
}

}  // namespace physec::app
