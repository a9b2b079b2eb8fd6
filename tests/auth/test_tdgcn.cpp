// TDGCN blocks: shapes for several D, T, G; causality of the TCN; sparse, learnable graph initialisation; pooling
// sizes; temporal edges slot g-1 -> g; MAC counts against hand formulas; training windows; save/load round trip.
// Expected sizes are worked out by hand in the comments, never read from the code.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "physec/auth/models/tdgcn_train.hpp"
#include "physec/nn/complexity.hpp"
#include "test_util.hpp"

namespace am = physec::auth::models;
using physec::testing::message_of;

namespace {

std::vector<std::int64_t> sizes(const torch::Tensor& t) { return t.sizes().vec(); }

am::TdgcnOptions small(int D, int T, int G) {
  return am::TdgcnOptions(D, T, 3).nof_slots(G).tcn_channels({4, 6, 8}).hidden(5).pool_layers(2);
}

}  // namespace

TEST(Tdgcn, ShapesThroughEveryBlock) {
  struct row {
    int D, T, G, Tp, nodes_after_pool;
  };
  // Tp: T padded to a multiple of G. Pooling 0.2 twice: 24 -> round(19.2) = 19 -> round(15.2) = 15;
  // 6 -> round(4.8) = 5 -> round(4.0) = 4; 3 -> round(2.4) = 2 -> round(1.6) = 2.
  for (const row r : {row{24, 50, 5, 50, 15}, row{6, 30, 4, 32, 4}, row{3, 7, 2, 8, 2}}) {
    torch::manual_seed(1);
    am::Tdgcn net(small(r.D, r.T, r.G));
    am::TdgcnImpl::trace t;
    const auto y = net->forward_traced(torch::randn({2, r.D, r.T}), &t);
    const std::int64_t B = 2, D = r.D, G = r.G;
    EXPECT_EQ(sizes(t.tcn), (std::vector<std::int64_t>{B, D, 8, r.Tp}));
    EXPECT_EQ(sizes(t.slots), (std::vector<std::int64_t>{B, G, D, 5}));
    EXPECT_EQ(sizes(t.adjacency), (std::vector<std::int64_t>{B, G, D, D}));
    EXPECT_EQ(sizes(t.gin), (std::vector<std::int64_t>{B, G, D, 15}));  // 3 GIN layers x 5 concatenated
    EXPECT_EQ(sizes(t.pooled), (std::vector<std::int64_t>{B, G, r.nodes_after_pool, 15}));
    EXPECT_EQ(sizes(y), (std::vector<std::int64_t>{B, 3}));
  }
}

TEST(Tdgcn, TcnIsCausal) {
  torch::manual_seed(2);
  am::Tcn tcn(std::vector<int>{9, 5, 3}, std::vector<int>{4, 4, 4});
  const auto x = torch::randn({2, 1, 40});
  auto x2 = x.clone();
  x2.index_put_({torch::indexing::Slice(), 0, 25}, 10.0);
  const auto y = tcn->forward(x), y2 = tcn->forward(x2);
  EXPECT_EQ(sizes(y), (std::vector<std::int64_t>{2, 4, 40}));  // padded back to T
  const auto before = torch::indexing::Slice(0, 25);
  EXPECT_TRUE(torch::equal(y.index({torch::indexing::Slice(), torch::indexing::Slice(), before}),
                           y2.index({torch::indexing::Slice(), torch::indexing::Slice(), before})));
  // receptive field 9 + 4 + 2 = 15 samples: t = 25 .. 39 may change, and do at t = 25 (ReLU permitting, at some channel)
  EXPECT_GT((y - y2).abs().index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(25, 40)})
                .sum()
                .item<double>(),
            0.0);
}

TEST(Tdgcn, AdjacencyIsSparseAndLearnable) {
  torch::manual_seed(3);
  const int D = 12;
  am::GraphInit g(D, 3, 0.3);
  EXPECT_EQ(g->keep(), 3);  // round(0.3 * 11) = 3 edges per node
  auto h = torch::randn({2, 3, D, 7}, torch::requires_grad());
  const auto a = g->forward(h);
  const auto nonzero = (a > 0).sum(-1);  // [2, 3, D]
  EXPECT_TRUE(torch::all(nonzero == 3).item<bool>());  // 9 of 12 entries per row are 0 (continuous inputs: no ties)
  EXPECT_TRUE(torch::all(a.diagonal(0, -2, -1) == 0).item<bool>());
  (a * torch::randn_like(a)).sum().backward();
  const auto gw = g->weight.grad();
  ASSERT_TRUE(gw.defined());
  EXPECT_GT(gw.abs().sum().item<double>(), 0.0);
  EXPECT_GT(h.grad().abs().sum().item<double>(), 0.0);  // gradient reaches the node features through the kept edges
  // Only kept edges carry gradient to W (masked ones are constant 0), and every kept one does in some batch entry.
  const auto kept_somewhere = (a > 0).any(0);
  EXPECT_TRUE(torch::all((gw != 0) == kept_somewhere).item<bool>());
}

TEST(Tdgcn, WholeModelGradientReachesTheGraph) {
  torch::manual_seed(4);
  am::Tdgcn net(small(6, 20, 4));
  const auto y = net->forward(torch::randn({3, 6, 20}));
  torch::nn::functional::cross_entropy(y, torch::tensor({0, 1, 2}, torch::kLong)).backward();
  EXPECT_GT(net->graph->weight.grad().abs().sum().item<double>(), 0.0);
  EXPECT_GT(net->gin->temporal.grad().abs().sum().item<double>(), 0.0);
  EXPECT_TRUE(net->gin->eps.grad().defined());
}

TEST(Tdgcn, PoolingReducesNodesByTheRatio) {
  torch::manual_seed(5);
  am::CascadePool pool(20, 8, 3, 0.2);
  EXPECT_EQ(pool->sizes(), (std::vector<int>{20, 16, 13, 10}));  // 16, round(12.8), round(10.4)
  const auto a = torch::rand({4, 20, 20});
  const auto x = pool->forward(torch::randn({4, 20, 8}), (a + a.transpose(1, 2)) / 2);
  EXPECT_EQ(sizes(x), (std::vector<std::int64_t>{4, 10, 8}));
}

TEST(Tdgcn, TemporalEdgesCarrySlotGMinus1IntoSlotG) {
  torch::manual_seed(6);
  const int G = 4, D = 5;
  am::DynamicGin gin(3, 3, 1, G);
  const auto h = torch::randn({1, G, D, 3});
  const auto a = am::normalize_adjacency(torch::rand({1, G, D, D}));
  auto h2 = h.clone();
  h2.select(1, 1).add_(1.0);  // change slot 1 only
  const auto y = gin->forward(h, a), y2 = gin->forward(h2, a);
  EXPECT_TRUE(torch::equal(y.select(1, 0), y2.select(1, 0)));  // no edge back in time
  EXPECT_FALSE(torch::equal(y.select(1, 2), y2.select(1, 2)));  // slot 1 -> slot 2
  EXPECT_TRUE(torch::equal(y.select(1, 3), y2.select(1, 3)));  // one layer: one hop only
  {
    torch::NoGradGuard guard;
    gin->temporal.zero_();
  }
  EXPECT_TRUE(torch::equal(gin->forward(h, a).select(1, 2), gin->forward(h2, a).select(1, 2)));  // edges off
}

TEST(Tdgcn, CountsTcnMacsByHand) {
  am::Tcn tcn(std::vector<int>{9, 5, 3}, std::vector<int>{4, 6, 8});
  physec::nn::mac_counter c;
  tcn->forward(torch::zeros({2, 1, 10}));
  // per output sample: 1*4*9 + 4*6*5 + 6*8*3 = 36 + 120 + 144 = 300; x 2 sequences x 10 samples
  EXPECT_EQ(c.total(), 6000);
  ASSERT_EQ(c.layers().size(), 3u);
  EXPECT_EQ(c.layers()[1].layer, "tcn.conv1");
}

TEST(Tdgcn, OptionsJsonRoundTripAndErrors) {
  auto o = small(7, 33, 3).keep_ratio(0.5).dropout(0.1);
  const auto back = am::tdgcn_options_from_json(am::to_json(o), "x");
  EXPECT_EQ(am::to_json(back), am::to_json(o));
  EXPECT_EQ(message_of([] { am::tdgcn_options_from_json("{\"nof_dims\": 3}", "ckpt.pt"); }),
            "ckpt.pt: nof_steps: missing TDGCN option (expected present, got absent)");
  EXPECT_NE(message_of([] { am::TdgcnOptions(4, 10, 2).tcn_channels({4}).validate(); }).find("model: tcn_channels"),
            std::string::npos);
}

TEST(Tdgcn, TrainingWindowsStayInsideTheirRun) {
  // One transmitter, 4 sequences of T = 4 (D = 1) along its trajectory, value = trajectory index; splits
  // train, train, validation, train. Stride 2: run {0, 1} (8 samples) gives windows at 0, 2, 4; run {3} one window.
  physec::dataset::mobility_data d;
  d.sequences = physec::ndarray<float>({4, 1, 4});
  for (std::size_t s = 0; s < 4; ++s)
    for (std::size_t t = 0; t < 4; ++t) d.sequences(s, 0, t) = static_cast<float>(4 * s + t);
  d.transmitter = {0, 0, 0, 0};
  d.start_index = {0, 4, 8, 12};
  const std::vector<std::uint8_t> split{0, 0, 1, 0};
  const auto w = am::split_windows(d, split, 0, 2);
  ASSERT_EQ(w.x.shape, (physec::shape_t{4, 1, 4}));
  EXPECT_EQ(w.x.data, (std::vector<float>{0, 1, 2, 3, 2, 3, 4, 5, 4, 5, 6, 7, 12, 13, 14, 15}));
  EXPECT_EQ(am::split_windows(d, split, 1, 2).x.data, (std::vector<float>{8, 9, 10, 11}));
  EXPECT_EQ(am::split_windows(d, split, 0, 0).y.size(), 3u);  // no augmentation
}

TEST(Tdgcn, SaveLoadRoundTrip) {
  const auto dir = physec::testing::temp_dir("tdgcn_ckpt");
  torch::manual_seed(7);
  am::Tdgcn net(small(6, 20, 4));
  net->fit_scaling(torch::randn({10, 6, 20}) * 3 + 1);
  const auto handle = am::make_tdgcn_handle(net);
  physec::nn::checkpoint_meta meta;
  physec::nn::save_model(dir / "m.pt", handle, meta);
  const auto x = torch::randn({5, 6, 20});
  auto loaded = am::load_tdgcn(dir / "m.pt", torch::kCPU);
  net->eval();
  loaded.net->eval();
  torch::NoGradGuard guard;
  EXPECT_TRUE(torch::equal(net->forward(x), loaded.net->forward(x)));
  auto other = handle;
  other.name = "cnn_ae_ssa";  // save_model stores the handle's name
  physec::nn::save_model(dir / "other.pt", other, meta);
  EXPECT_NE(message_of([&] { am::load_tdgcn(dir / "other.pt", torch::kCPU); }).find("not a TDGCN checkpoint"),
            std::string::npos);
}
