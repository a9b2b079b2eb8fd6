// nn trainer and checkpoints: learning an analytic target, determinism, exact resume after an interruption,
// early stopping, the learning-rate schedule, streamed HDF5 batches, checkpoint round trip and mismatch errors.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/hdf5.hpp"
#include "physec/core/log.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/trainer.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using namespace physec;

namespace {

struct TinyImpl : torch::nn::Module {
  explicit TinyImpl(int hidden = 8) {
    fc1 = register_module("fc1", torch::nn::Linear(3, hidden));
    fc2 = register_module("fc2", torch::nn::Linear(hidden, 1));
  }
  torch::Tensor forward(torch::Tensor x) { return fc2(torch::tanh(fc1(x))); }
  torch::nn::Linear fc1{nullptr}, fc2{nullptr};
};
TORCH_MODULE(Tiny);

nn::model_handle tiny(std::uint64_t seed, int hidden = 8) {
  nn::seed_torch(seed);
  return nn::make_handle(Tiny(hidden), "tiny", "{\"hidden\":" + std::to_string(hidden) + "}");
}

// y = x · (1, -2, 0.5) + 0.3, noise-free: the minimum loss is 0.
nn::tensor_source linear_data(int n, std::uint64_t seed) {
  torch::manual_seed(seed);
  auto x = torch::randn({n, 3});
  auto y = torch::matmul(x, torch::tensor({1.0f, -2.0f, 0.5f})).unsqueeze(1) + 0.3f;
  return {x, y};
}

nn::train_task mse_task() {
  nn::train_task t;
  t.loss = [](const torch::Tensor& out, const torch::Tensor& y) { return torch::mse_loss(out, y); };
  return t;
}

nn::train_config quick(int epochs) {
  nn::train_config c;
  c.epochs = epochs;
  c.batch_size = 16;
  c.learning_rate = 1e-2;
  c.schedule = "none";
  c.patience = 0;
  return c;
}

bool same_weights(const torch::nn::Module& a, const torch::nn::Module& b) {
  const auto pa = a.parameters(), pb = b.parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (!torch::equal(pa[i], pb[i])) return false;
  return true;
}

struct quiet_logs {
  quiet_logs() { log::set_quiet(true); }
  ~quiet_logs() { log::set_quiet(false); }
};

}  // namespace

TEST(Trainer, LearnsANoiseFreeLinearMapAndKeepsTheBestEpoch) {
  quiet_logs q;
  auto train = linear_data(256, 1), val = linear_data(64, 2);
  auto m = tiny(7);
  nn::trainer t(m, quick(60), torch::kCPU, 42);
  const auto r = t.fit(train, val, mse_task());
  ASSERT_EQ(r.history.size(), 60u);
  // The target has unit-variance inputs and weights of norm ~2.3: the variance of y is 5.25 (typed by hand).
  EXPECT_LT(r.history.back().val_loss, 0.05 * 5.25);
  EXPECT_LT(r.history.back().train_loss, r.history.front().train_loss);
  // The model is left at the best epoch's weights.
  EXPECT_NEAR(nn::mean_loss(m, val, mse_task(), torch::kCPU), r.best_metric, 1e-6);
  EXPECT_GT(r.nof_parameters, 0);
}

TEST(Trainer, SameSeedSameWeights) {
  quiet_logs q;
  auto train = linear_data(100, 1), val = linear_data(20, 2);
  auto a = tiny(3), b = tiny(3);
  nn::trainer(a, quick(5), torch::kCPU, 9).fit(train, val, mse_task());
  nn::trainer(b, quick(5), torch::kCPU, 9).fit(train, val, mse_task());
  EXPECT_TRUE(same_weights(*a.module, *b.module));
  auto c = tiny(3);
  nn::trainer(c, quick(5), torch::kCPU, 10).fit(train, val, mse_task());  // another shuffle order
  EXPECT_FALSE(same_weights(*a.module, *c.module));
}

TEST(Trainer, ResumeAfterAnInterruptionEqualsAnUninterruptedRun) {
  quiet_logs q;
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto train = linear_data(100, 1), val = linear_data(20, 2);
  nn::train_config cfg = quick(6);
  cfg.schedule = "plateau";
  cfg.schedule_patience = 1;
  auto whole = tiny(5);
  nn::fit_options o;
  o.config_toml = "same";
  o.checkpoint = dir / "whole.pt";
  nn::trainer(whole, cfg, torch::kCPU, 11).fit(train, val, mse_task(), o);

  // The run dies during epoch 4's validation: its checkpoint holds epoch 3.
  auto broken = tiny(5);
  nn::train_task dying = mse_task();
  int calls = 0;
  dying.metric = [&](const nn::model_handle& m, const nn::example_source& v, torch::Device d) {
    if (++calls == 4) throw std::runtime_error("killed");
    return nn::mean_loss(m, v, mse_task(), d);
  };
  o.checkpoint = dir / "resumed.pt";
  EXPECT_THROW(nn::trainer(broken, cfg, torch::kCPU, 11).fit(train, val, dying, o), std::runtime_error);
  EXPECT_EQ(nn::read_checkpoint_meta(o.checkpoint).epoch, 3);

  auto resumed = tiny(99);  // other initial weights: everything must come from the checkpoint
  o.resume = true;
  const auto r = nn::trainer(resumed, cfg, torch::kCPU, 11).fit(train, val, mse_task(), o);
  EXPECT_EQ(r.history.size(), 6u);
  EXPECT_TRUE(same_weights(*whole.module, *resumed.module));
  const auto meta = nn::read_checkpoint_meta(o.checkpoint);
  EXPECT_TRUE(meta.finished);
  EXPECT_EQ(meta.epoch, 6);
}

TEST(Trainer, ResumeRefusesAnotherConfigOrArchitecture) {
  quiet_logs q;
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto train = linear_data(40, 1), val = linear_data(10, 2);
  nn::fit_options o;
  o.config_toml = "a";
  o.checkpoint = dir / "c.pt";
  auto m = tiny(1);
  nn::trainer(m, quick(2), torch::kCPU, 1).fit(train, val, mse_task(), o);
  o.resume = true;
  o.config_toml = "b";
  auto m2 = tiny(1);
  EXPECT_THROW(nn::trainer(m2, quick(2), torch::kCPU, 1).fit(train, val, mse_task(), o), physec::error);
  o.config_toml = "a";
  auto wider = tiny(1, 16);
  EXPECT_THROW(nn::trainer(wider, quick(2), torch::kCPU, 1).fit(train, val, mse_task(), o), physec::error);
}

TEST(Trainer, EarlyStoppingAndPlateauScheduleFollowTheMetric) {
  quiet_logs q;
  auto train = linear_data(40, 1), val = linear_data(10, 2);
  nn::train_config cfg = quick(50);
  cfg.patience = 4;
  cfg.schedule = "plateau";
  cfg.schedule_patience = 2;
  cfg.schedule_factor = 0.5;
  nn::train_task flat = mse_task();
  flat.metric = [](const nn::model_handle&, const nn::example_source&, torch::Device) { return 1.0; };
  auto m = tiny(2);
  const auto r = nn::trainer(m, cfg, torch::kCPU, 1).fit(train, val, flat);
  // Epoch 1 sets the best; epochs 2..5 do not improve: stop after epoch 5.
  EXPECT_TRUE(r.stopped_early);
  ASSERT_EQ(r.history.size(), 5u);
  EXPECT_EQ(r.best_epoch, 1);
  // Halved after epochs 3 and 5 (2 non-improving epochs each): lr of epochs 1..5 = 1e-2 x (1, 1, 1, 0.5, 0.5).
  EXPECT_DOUBLE_EQ(r.history[2].learning_rate, 1e-2);
  EXPECT_DOUBLE_EQ(r.history[3].learning_rate, 5e-3);
  EXPECT_DOUBLE_EQ(r.history[4].learning_rate, 5e-3);
}

TEST(Trainer, HigherIsBetterMetric) {
  quiet_logs q;
  auto train = linear_data(40, 1), val = linear_data(10, 2);
  nn::train_config cfg = quick(6);
  cfg.patience = 2;
  nn::train_task t = mse_task();
  int calls = 0;
  const double acc[] = {0.5, 0.7, 0.6, 0.65, 0.9, 0.1};
  t.metric = [&](const nn::model_handle&, const nn::example_source&, torch::Device) { return acc[calls++]; };
  t.higher_is_better = true;
  auto m = tiny(2);
  const auto r = nn::trainer(m, cfg, torch::kCPU, 1).fit(train, val, t);
  EXPECT_EQ(r.best_epoch, 2);  // 0.6 and 0.65 do not beat 0.7: stopped after epoch 4
  EXPECT_DOUBLE_EQ(r.best_metric, 0.7);
  EXPECT_EQ(r.history.size(), 4u);
}

TEST(Trainer, StepBudgetEndsMidEpochWithTheCosineAtItsFloor) {
  quiet_logs q;
  auto train = linear_data(40, 1), val = linear_data(10, 2);  // 40 / 16: 3 steps per epoch
  nn::train_config cfg = quick(1000);
  cfg.max_steps = 10;  // epochs 1..3 take 9 steps, epoch 4 one
  cfg.schedule = "cosine";
  cfg.min_learning_rate = 1e-4;
  auto m = tiny(2);
  const auto r = nn::trainer(m, cfg, torch::kCPU, 1).fit(train, val, mse_task());
  EXPECT_EQ(r.steps, 10);
  ASSERT_EQ(r.history.size(), 4u);
  // Per-step cosine over the budget; the history holds each epoch's learning rate at its first step: epoch 1 at
  // 1e-2, epoch 2 after 3 steps: 1e-4 + 0.5 (1e-2 - 1e-4)(1 + cos(3π/10)), epoch 4 after 9.
  const double pi = 3.14159265358979323846;
  EXPECT_DOUBLE_EQ(r.history[0].learning_rate, 1e-2);
  EXPECT_NEAR(r.history[1].learning_rate, 1e-4 + 0.5 * (1e-2 - 1e-4) * (1 + std::cos(3 * pi / 10)), 1e-12);
  EXPECT_NEAR(r.history[3].learning_rate, 1e-4 + 0.5 * (1e-2 - 1e-4) * (1 + std::cos(9 * pi / 10)), 1e-12);
}

TEST(Trainer, SelectionOnValidationLossKeepsItsMinimum) {
  quiet_logs q;
  auto train = linear_data(40, 1), val = linear_data(10, 2);
  nn::train_config cfg = quick(6);
  cfg.select_on = "val_loss";
  nn::train_task t = mse_task();
  int calls = 0;
  // A metric that would pick epoch 6 (higher is better) if it were followed.
  t.metric = [&](const nn::model_handle&, const nn::example_source&, torch::Device) { return 0.1 * ++calls; };
  t.higher_is_better = true;
  auto m = tiny(2);
  const auto r = nn::trainer(m, cfg, torch::kCPU, 1).fit(train, val, t);
  ASSERT_EQ(r.history.size(), 6u);
  std::size_t best = 0;
  for (std::size_t i = 1; i < r.history.size(); ++i)
    if (r.history[i].val_loss < r.history[best].val_loss) best = i;
  EXPECT_EQ(r.best_epoch, static_cast<int>(best) + 1);
  EXPECT_DOUBLE_EQ(r.best_val_loss, r.history[best].val_loss);
  EXPECT_DOUBLE_EQ(r.best_metric, r.history[best].metric);
  // The model holds the selected epoch's weights: its validation loss is the recorded one.
  EXPECT_NEAR(nn::mean_loss(m, val, mse_task(), torch::kCPU), r.best_val_loss, 1e-6);
}

TEST(Trainer, StreamedHdf5BatchesEqualInMemoryOnes) {
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto src = linear_data(30, 4);
  const auto x = src.inputs().contiguous(), y = src.targets().contiguous();
  {
    h5::writer w(dir / "d.h5");
    w.write("/x", shape_t{30, 3}, x.data_ptr<float>());
    w.write("/y", shape_t{30, 1}, y.data_ptr<float>());
    w.commit();
  }
  std::vector<std::size_t> rows{3, 7, 11, 12, 20, 29};
  nn::h5_source h5(dir / "d.h5", rows, [](const fs::path& f, const std::vector<std::size_t>& r) {
    h5::reader rd(f);
    EXPECT_TRUE(std::is_sorted(r.begin(), r.end()));
    auto xs = rd.read_rows<float>("/x", r);
    auto ys = rd.read_rows<float>("/y", r);
    const auto n = static_cast<std::int64_t>(r.size());
    return nn::example_batch{torch::from_blob(xs.ptr(), {n, 3}).clone(), torch::from_blob(ys.ptr(), {n, 1}).clone()};
  });
  ASSERT_EQ(h5.size(), 6u);
  const auto b = h5.batch({5, 0, 2});  // file rows 29, 3, 11, in that order
  EXPECT_TRUE(torch::equal(b.inputs, x.index_select(0, torch::tensor({29, 3, 11}))));
  EXPECT_TRUE(torch::equal(b.targets, y.index_select(0, torch::tensor({29, 3, 11}))));
}

TEST(Checkpoint, SaveLoadGivesIdenticalOutputs) {
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto a = tiny(1);
  nn::checkpoint_meta meta;
  meta.config_toml = "x = 1";
  meta.extra_json = "{\"scale\":2.5}";
  nn::save_model(dir / "m.pt", a, meta);
  auto b = tiny(2);
  const auto in = torch::randn({5, 3});
  EXPECT_FALSE(torch::equal(nn::predict(a, in, torch::kCPU), nn::predict(b, in, torch::kCPU)));
  const auto loaded = nn::load_model(dir / "m.pt", b, torch::kCPU);
  EXPECT_TRUE(torch::equal(nn::predict(a, in, torch::kCPU), nn::predict(b, in, torch::kCPU)));
  EXPECT_EQ(loaded.model_name, "tiny");
  EXPECT_EQ(loaded.config_toml, "x = 1");
  EXPECT_EQ(loaded.extra_json, "{\"scale\":2.5}");
  EXPECT_FALSE(loaded.torch_version.empty());
}

TEST(Checkpoint, MismatchedArchitectureNamesTheLayerAndBothShapes) {
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto a = tiny(1, 8);
  nn::save_model(dir / "m.pt", a, {});
  auto wider = tiny(1, 16);
  try {
    nn::load_model(dir / "m.pt", wider, torch::kCPU);
    FAIL() << "expected an error";
  } catch (const physec::error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("m.pt"), std::string::npos) << what;
    EXPECT_NE(what.find("fc1.weight"), std::string::npos) << what;
    EXPECT_NE(what.find("[16, 3]"), std::string::npos) << what;
    EXPECT_NE(what.find("[8, 3]"), std::string::npos) << what;
  }
  auto other = nn::make_handle(Tiny(8), "other", "{}");
  EXPECT_THROW(nn::load_model(dir / "m.pt", other, torch::kCPU), physec::error);
}

TEST(Checkpoint, NonCheckpointFilesAreOneLineErrors) {
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto m = tiny(1);
  EXPECT_THROW(nn::load_model(dir / "missing.pt", m, torch::kCPU), physec::error);
  std::ofstream(dir / "garbage.pt") << "not a zip archive";
  try {
    nn::load_model(dir / "garbage.pt", m, torch::kCPU);
    FAIL() << "expected an error";
  } catch (const physec::error& e) {
    const std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    EXPECT_NE(what.find("garbage.pt"), std::string::npos) << what;
  }
}

// LibTorch's archive reader checks no CRC: a damaged weight must be caught by physec's own SHA-256 of the weights.
TEST(Checkpoint, DamagedWeightsAreRefused) {
  const auto dir = physec::testing::temp_dir(::testing::UnitTest::GetInstance()->current_test_info()->name());
  auto a = tiny(1);
  {
    torch::NoGradGuard no_grad;
    a.module->named_parameters()["fc1.weight"].fill_(1.2345f);  // a byte pattern to find in the file
  }
  nn::save_model(dir / "m.pt", a, {});
  std::string bytes = physec::read_file(dir / "m.pt");
  const float v = 1.2345f;
  const std::string pattern(reinterpret_cast<const char*>(&v), sizeof v);
  const auto at = bytes.find(pattern + pattern);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 3] = static_cast<char>(bytes[at + 3] ^ 0x40);  // the exponent byte: 1.2345 becomes ~4e19
  std::ofstream(dir / "bad.pt", std::ios::binary) << bytes;
  auto b = tiny(2);
  const std::string what = physec::testing::message_of([&] { nn::load_model(dir / "bad.pt", b, torch::kCPU); });
  EXPECT_NE(what.find("bad.pt"), std::string::npos) << what;
  EXPECT_NE(what.find("damaged"), std::string::npos) << what;
  EXPECT_NO_THROW(nn::load_model(dir / "m.pt", b, torch::kCPU));
}
