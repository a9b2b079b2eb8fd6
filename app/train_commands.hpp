#pragma once
/// @file The configs and options of `physec keygen train` and `physec auth train`: torch-free, so that `physec`
/// parses, checks and shows them (`config show`); the runs themselves are in neural_keygen.cpp / neural_auth.cpp.

#include <string>

#include "cli.hpp"
#include "stages.hpp"

namespace physec::app {

/// The config of `physec keygen train`.
struct keygen_train_config {
  keygen_train_settings settings;
  run_config run;
  void describe(config::schema& s) {
    settings.describe(s);
    s.section("run", run, "how to run: seed, device, threads");
  }
};
inline constexpr const char* k_keygen_train_title = "physec keygen train configuration";

struct keygen_train_options {
  common_options common;
  std::string dataset, model;
  bool resume = false;
};

/// The config of `physec auth train`.
struct auth_train_config {
  run_config run;
  tdgcn_settings tdgcn;
  void describe(config::schema& s) {
    tdgcn.describe(s);  // [model], [train], [data]
    s.section("run", run, "how to run: seed, device, threads");
  }
};
inline constexpr const char* k_auth_train_title = "physec auth train configuration";

struct auth_train_options {
  common_options common;
  std::string dataset, split = "time", model = "tdgcn", ts_train, ts_test;
  bool resume = false;
};

}  // namespace physec::app
