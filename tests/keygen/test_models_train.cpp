// Training the keygen models with the shared nn trainer: seeded determinism of whole runs on the CPU, and that a
// short run learns (its validation loss falls below the untrained model's).
#include <gtest/gtest.h>

#include "physec/keygen/models/config.hpp"
#include "physec/keygen/models/data.hpp"
#include "physec/keygen/models/modules.hpp"
#include "test_util.hpp"
#include "wiretap_fixture.hpp"

namespace km = physec::keygen::models;
namespace nn = physec::nn;

namespace {

struct run_out {
  nn::train_result result;
  torch::Tensor weights;  // every parameter, flattened and concatenated
  double untrained_val_loss = 0;
};

run_out train_once(const std::string& name, int epochs, std::uint64_t seed) {
  const auto d = physec::testing::synthetic_wiretap(60, 0.3, {0.0}, 11, {1, 1, 8, 4});
  const auto train = km::wiretap_tensor_source(d, physec::dataset::split_label::train, "clean");
  const auto val = km::wiretap_tensor_source(d, physec::dataset::split_label::validation, "clean");
  km::model_config c;
  c.name = name;
  c.cnn.channels = {4, 8};
  c.cnn.bottleneck_channels = 4;
  c.cnn.attention_reduction = 2;
  c.dense.hidden = 16;
  c.dense.bottleneck = 8;
  nn::seed_torch(seed);
  auto m = km::make_keygen_model(name, km::options_json(c, 8, 4));
  nn::train_config cfg;
  cfg.epochs = epochs;
  cfg.batch_size = 8;
  cfg.learning_rate = 3e-3;
  cfg.patience = 0;
  nn::train_task task;
  task.loss = [](const torch::Tensor& y, const torch::Tensor& t) { return torch::mse_loss(y, t); };
  run_out out;
  out.untrained_val_loss = nn::mean_loss(m, val, task, torch::kCPU);
  nn::fit_options fo;
  fo.show_progress = false;
  out.result = nn::trainer(m, cfg, torch::kCPU, seed).fit(train, val, task, fo);
  std::vector<torch::Tensor> flat;
  for (const auto& p : m.module->parameters()) flat.push_back(p.detach().flatten());
  out.weights = torch::cat(flat);
  return out;
}

}  // namespace

TEST(keygen_models_train, two_runs_with_the_same_seed_are_identical_on_cpu) {
  const auto a = train_once("cnn_ae_ssa", 2, 42), b = train_once("cnn_ae_ssa", 2, 42);
  EXPECT_TRUE(torch::equal(a.weights, b.weights));
  ASSERT_EQ(a.result.history.size(), b.result.history.size());
  for (std::size_t e = 0; e < a.result.history.size(); ++e)
    EXPECT_EQ(a.result.history[e].train_loss, b.result.history[e].train_loss);
  const auto c = train_once("cnn_ae_ssa", 2, 43);
  EXPECT_FALSE(torch::equal(a.weights, c.weights));
}

TEST(keygen_models_train, short_training_lowers_the_validation_loss) {
  for (const std::string name : {"cnn_ae_ssa", "cnn_ae", "dense_ae"}) {
    const auto r = train_once(name, 6, 1);
    EXPECT_LT(r.result.best_metric, r.untrained_val_loss) << name;
  }
}
