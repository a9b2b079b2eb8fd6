#include "physec/auth/models/tdgcn_options.hpp"

#include <nlohmann/json.hpp>

#include <cmath>

#include "physec/core/error.hpp"

namespace physec::auth::models {

void TdgcnOptions::describe(config::schema& s) {
  s.add("tcn_kernels", tcn_kernels_, "causal TCN kernel sizes, one per layer [samples]")
      .range(1, 64)
      .size(1, 8)
      .source("TDGCN paper §III-C (9, 5, 3)");
  s.add("tcn_channels", tcn_channels_, "TCN output channels per layer")
      .range(1, 1024)
      .size(1, 8)
      .source("ours (16, 32, 64; CPU budget)");
  s.add("nof_slots", nof_slots_, "G: time slots (one graph each); T is zero-padded to a multiple of G")
      .range(1, 1000)
      .source("ours");
  s.add("hidden", hidden_, "H: node feature width in the graph layers").range(1, 1024).source("ours");
  s.add("keep_ratio", keep_ratio_, "fraction of edges each node keeps after thresholding (sparsity)")
      .range(0.01, 1)
      .source("ours");
  s.add("gin_layers", gin_layers_, "dynamic GIN layers").range(1, 8).source("TDGCN paper §III-E (3)");
  s.add("pool_layers", pool_layers_, "cascade node-clustering pooling layers").range(0, 8).source("ours");
  s.add("pool_ratio", pool_ratio_, "node reduction per pooling layer: N' = round(N (1 - ratio))")
      .range(0, 0.9)
      .source("TDGCN paper §III-F (0.2)");
  s.add("dropout", dropout_, "dropout before the output layer").range(0, 0.9).source("ours");
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
  if (hidden_ < 1 || gin_layers_ < 1) bad("gin_layers", ">= 1 with hidden >= 1", std::to_string(gin_layers_));
}

std::vector<int> TdgcnOptions::pool_sizes() const {
  std::vector<int> n{nof_dims_};
  for (int l = 0; l < pool_layers_; ++l)
    n.push_back(std::max(1, static_cast<int>(std::lround(n.back() * (1.0 - pool_ratio_)))));
  return n;
}

std::string to_json(const TdgcnOptions& o) {
  nlohmann::json j = {{"nof_dims", o.nof_dims()},     {"nof_steps", o.nof_steps()},
                      {"nof_classes", o.nof_classes()}, {"tcn_kernels", o.tcn_kernels()},
                      {"tcn_channels", o.tcn_channels()}, {"nof_slots", o.nof_slots()},
                      {"hidden", o.hidden()},           {"keep_ratio", o.keep_ratio()},
                      {"gin_layers", o.gin_layers()},   {"pool_layers", o.pool_layers()},
                      {"pool_ratio", o.pool_ratio()},   {"dropout", o.dropout()}};
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
  get("keep_ratio", o.keep_ratio());
  get("gin_layers", o.gin_layers());
  get("pool_layers", o.pool_layers());
  get("pool_ratio", o.pool_ratio());
  get("dropout", o.dropout());
  o.validate(origin);
  return o;
}

}  // namespace physec::auth::models
