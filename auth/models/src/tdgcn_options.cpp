#include "physec/auth/models/tdgcn_options.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "physec/core/error.hpp"

namespace physec::auth::models {

void TdgcnOptions::describe(config::schema& s) {
  s.add("tcn_kernels", tcn_kernels_, "temporal convolution kernel sizes, one per block (their count = blocks) [samples]")
      .range(1, 64)
      .size(1, 8)
      .source("TDGCN paper §III-C, TodyNet (9, 5, 3)");
  s.add("tcn_channels", tcn_channels_, "channels of each block")
      .range(1, 1024)
      .size(1, 8)
      .source("TodyNet train.py (64, 128, 256)");
  s.add("nof_slots", nof_slots_, "G: time slots (one graph each); T is zero-padded to a multiple of G")
      .range(1, 1000)
      .source("TodyNet train.py groups (4)");
  s.add("hidden", hidden_, "inner width of each GIN MLP; 0 = the block's channels").range(0, 4096).source("ours");
  s.add("embedding_dim", embedding_dim_, "width of the node embeddings that make the slot graphs")
      .range(1, 256)
      .source("ours");
  s.add("keep_ratio", keep_ratio_, "fraction of edges each node keeps after thresholding (sparsity)")
      .range(0.01, 1)
      .source("ours");
  s.add("pool_ratio", pool_ratio_, "node reduction per block: N_l = max(1, round(D (1 - ratio l)))")
      .range(0, 0.9)
      .source("TDGCN paper §III-F, TodyNet (0.2)");
  s.add("dropout", dropout_, "dropout after every block").range(0, 0.9).source("TodyNet (0.5)");
  s.add("level_width", level_width_,
        "width of the level branch (per-dimension mean over time -> Linear -> BatchNorm -> ReLU, beside the readout); "
        "0 = none")
      .range(0, 4096)
      .source("ours (issue #14 cue ablation)");
}

void TdgcnOptions::validate(const std::string& origin) const {
  auto bad = [&](const std::string& field, const std::string& expected, const std::string& found) {
    throw error("inconsistent TDGCN options", {origin, field, {}}, expected, found);
  };
  if (tcn_kernels_.size() != tcn_channels_.size() || tcn_kernels_.empty())
    bad("tcn_channels", std::to_string(tcn_kernels_.size()) + " entries (one per kernel)",
        std::to_string(tcn_channels_.size()));
  if (nof_dims_ < 2) bad("nof_dims", ">= 2 graph nodes", std::to_string(nof_dims_));
  if (nof_classes_ < 2) bad("nof_classes", ">= 2", std::to_string(nof_classes_));
  if (nof_slots_ < 1 || nof_slots_ > nof_steps_)
    bad("nof_slots", "1 .. T = " + std::to_string(nof_steps_), std::to_string(nof_slots_));
  if (hidden_ < 0) bad("hidden", ">= 0", std::to_string(hidden_));
  if (embedding_dim_ < 1) bad("embedding_dim", ">= 1", std::to_string(embedding_dim_));
  if (level_width_ < 0) bad("level_width", ">= 0", std::to_string(level_width_));
}

std::vector<int> TdgcnOptions::pool_sizes() const {
  std::vector<int> n{nof_dims_};
  for (std::size_t l = 1; l <= tcn_kernels_.size(); ++l)
    n.push_back(std::max(1, static_cast<int>(std::lround(nof_dims_ * (1.0 - pool_ratio_ * static_cast<double>(l))))));
  return n;
}

std::string to_json(const TdgcnOptions& o) {
  nlohmann::json j = {{"nof_dims", o.nof_dims()},     {"nof_steps", o.nof_steps()},
                      {"nof_classes", o.nof_classes()}, {"tcn_kernels", o.tcn_kernels()},
                      {"tcn_channels", o.tcn_channels()}, {"nof_slots", o.nof_slots()},
                      {"hidden", o.hidden()},           {"embedding_dim", o.embedding_dim()},
                      {"keep_ratio", o.keep_ratio()},   {"pool_ratio", o.pool_ratio()},
                      {"dropout", o.dropout()},         {"level_width", o.level_width()}};
  return j.dump();
}

TdgcnOptions tdgcn_options_from_json(const std::string& json, const std::string& origin) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(json);
  } catch (const std::exception&) {
    throw error("TDGCN options are not JSON", {origin, "model_options", {}}, "a JSON object", json.substr(0, 40));
  }
  TdgcnOptions o;
  auto get = [&](const char* key, auto& out) {
    if (!j.contains(key)) throw error("missing TDGCN option", {origin, key, {}}, "present", "absent");
    try {
      j.at(key).get_to(out);
    } catch (const std::exception&) {
      throw error("mistyped TDGCN option", {origin, key, {}}, "a number or a list of numbers", j.at(key).dump());
    }
  };
  get("nof_dims", o.nof_dims());
  get("nof_steps", o.nof_steps());
  get("nof_classes", o.nof_classes());
  get("tcn_kernels", o.tcn_kernels());
  get("tcn_channels", o.tcn_channels());
  get("nof_slots", o.nof_slots());
  get("hidden", o.hidden());
  get("embedding_dim", o.embedding_dim());
  get("keep_ratio", o.keep_ratio());
  get("pool_ratio", o.pool_ratio());
  get("dropout", o.dropout());
  if (j.contains("level_width")) get("level_width", o.level_width());  // absent in checkpoints before it existed
  o.validate(origin);
  return o;
}

}  // namespace physec::auth::models
