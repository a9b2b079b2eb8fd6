// TDGCN blocks: shapes for several D, T, G; causality; the learnable sparse slot graphs; gradient to every
// parameter; sensitivity to the order of the input dimensions; temporal edges slot g-1 -> g; MAC counts against hand
// formulas; options JSON; training windows; save/load round trip; the time-major implementation against the
// convolution formulation. Expected sizes are worked out by hand in the
// comments, never read from the code.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <nlohmann/json.hpp>

#include <cmath>

#include "physec/auth/models/tdgcn_train.hpp"
#include "physec/nn/complexity.hpp"
#include "test_util.hpp"

namespace am = physec::auth::models;
using physec::testing::message_of;
using torch::indexing::Slice;

namespace {

std::vector<std::int64_t> sizes(const torch::Tensor& t) { return t.sizes().vec(); }

am::TdgcnOptions small(int D, int T, int G) {
  return am::TdgcnOptions(D, T, 3).nof_slots(G).tcn_channels({4, 6, 8}).embedding_dim(3);
}

}  // namespace

TEST(Tdgcn, ShapesThroughEveryBlock) {
  struct row {
    int D, T, G, Tp;
    std::vector<std::int64_t> nodes;  // N_0 .. N_3
  };
  // Tp: T padded to a multiple of G. Nodes after block l: round(D (1 - 0.2 l)): 24 -> 19.2, 14.4, 9.6 -> 19, 14, 10;
  // 6 -> 4.8, 3.6, 2.4 -> 5, 4, 2; 3 -> 2.4, 1.8, 1.2 -> 2, 2, 1.
  for (const row& r : {row{24, 50, 4, 52, {24, 19, 14, 10}}, row{6, 30, 4, 32, {6, 5, 4, 2}},
                       row{3, 7, 2, 8, {3, 2, 2, 1}}}) {
    torch::manual_seed(1);
    am::Tdgcn net(small(r.D, r.T, r.G));
    const auto nodes = net->options().pool_sizes();
    EXPECT_EQ(std::vector<std::int64_t>(nodes.begin(), nodes.end()), r.nodes);
    am::TdgcnImpl::trace t;
    const auto y = net->forward_traced(torch::randn({2, r.D, r.T}), &t);
    const std::int64_t B = 2, G = r.G, C[] = {4, 6, 8};
    ASSERT_EQ(t.blocks.size(), 3u);
    for (std::size_t l = 0; l < 3; ++l) {
      EXPECT_EQ(sizes(t.blocks[l]), (std::vector<std::int64_t>{B, C[l], r.nodes[l + 1], r.Tp}));
      EXPECT_EQ(sizes(t.graphs[l]), (std::vector<std::int64_t>{G, r.nodes[l], r.nodes[l]}));
    }
    EXPECT_EQ(sizes(y), (std::vector<std::int64_t>{B, 3}));
  }
}

TEST(Tdgcn, EveryBlockIsCausal) {
  torch::manual_seed(2);
  am::Tdgcn net(small(5, 40, 4));  // 4 slots of 10
  net->eval();
  const auto x = torch::randn({2, 5, 40});
  auto x2 = x.clone();
  x2.index_put_({Slice(), Slice(), 25}, 10.0);
  am::TdgcnImpl::trace t, t2;
  torch::NoGradGuard guard;
  net->forward_traced(x, &t);
  net->forward_traced(x2, &t2);
  for (std::size_t l = 0; l < t.blocks.size(); ++l) {
    const auto before = Slice(0, 25), after = Slice(25, 40);
    EXPECT_TRUE(torch::equal(t.blocks[l].index({"...", before}), t2.blocks[l].index({"...", before}))) << l;
    EXPECT_GT((t.blocks[l] - t2.blocks[l]).abs().index({"...", after}).sum().item<double>(), 0.0) << l;
  }
}

namespace {

namespace F = torch::nn::functional;

// The network written directly in the layout [B, C, N, T] with LibTorch's convolutions and an einsum for the graph
// product (the formulation before the time-major one, and that of bench/auth/tdgcn_torch.py), from `net`'s
// parameters and with its dropout draws (the same rand_like calls, in the same order).
torch::Tensor reference_forward(am::Tdgcn& net, const torch::Tensor& x_in) {
  const auto& o = net->options();
  const auto buffers = net->named_buffers();
  auto x = (x_in - buffers["input_mean"]) / buffers["input_std"];
  x = F::pad(x, F::PadFuncOptions({0, o.padded_steps() - o.nof_steps()})).unsqueeze(1);  // [B, 1, D, Tp]
  const auto causal = [](const torch::Tensor& v, const torch::nn::Conv2d& c) {
    return F::conv2d(F::pad(v, F::PadFuncOptions({c->weight.size(-1) - 1, 0})), c->weight,
                     F::Conv2dFuncOptions().bias(c->bias));
  };
  auto a = net->graph->forward();
  for (std::size_t l = 0; l < net->tconvs.size(); ++l) {
    x = causal(x, net->tconvs[l]);
    auto gin = net->gins[l];
    const auto B = x.size(0), C = x.size(1), N = x.size(2), T = x.size(3), G = a.size(0), L = T / G;
    const auto spatial =
        torch::einsum("gnm,bcmgl->bcngl", {am::normalize_adjacency(a), x.view({B, C, N, G, L})}).reshape(x.sizes());
    const auto u = (1 + gin->eps) * x + spatial + gin->temporal * F::pad(x, F::PadFuncOptions({L, 0})).narrow(3, 0, T);
    const auto h = gin->mlp1->forward(torch::relu(gin->mlp0->forward(u)));
    auto pool = net->pools[l];
    x = causal(h.transpose(1, 2), pool->conv).transpose(1, 2);
    const auto s = pool->assignment();
    a = torch::matmul(torch::matmul(s, a), s.t());
    x = am::inverted_dropout(torch::relu(net->norms[l]->forward(x)), o.dropout(), net->is_training());
  }
  return net->fc->forward(x.mean(std::vector<std::int64_t>{2, 3}));
}

}  // namespace

TEST(Tdgcn, TimeMajorLayoutComputesTheConvolutionModel) {
  // In double precision, training mode (batch statistics, dropout on): the logits and every parameter's gradient
  // against the [B, C, N, T] convolution formulation; the batch-norm running statistics after both.
  torch::manual_seed(21);
  am::Tdgcn net(small(7, 30, 3).dropout(0.3));
  net->to(torch::kDouble);
  const auto x = torch::randn({5, 7, 30}, torch::kDouble) * 2 + 1;
  net->fit_scaling(x);
  const auto y = torch::tensor({0, 1, 2, 0, 1}, torch::kLong);
  const auto params = net->parameters();
  std::vector<torch::Tensor> initial;
  for (const auto& b : net->buffers()) initial.push_back(b.clone());
  const auto run = [&](const std::function<torch::Tensor(const torch::Tensor&)>& f) {
    torch::NoGradGuard no_grad;
    for (std::size_t i = 0; i < initial.size(); ++i) net->buffers()[i].copy_(initial[i]);  // same running stats
    torch::manual_seed(5);                                                                 // same dropout draws
    torch::AutoGradMode grad_mode(true);
    const auto logits = f(x);
    auto grads = torch::autograd::grad({F::cross_entropy(logits, y)}, params);
    std::vector<torch::Tensor> running;
    for (const auto& n : net->norms) running.push_back(n->running_mean.clone());
    return std::make_tuple(logits.detach(), grads, running);
  };
  const auto [want, want_grads, want_running] = run([&](const torch::Tensor& v) { return reference_forward(net, v); });
  const auto [got, got_grads, got_running] = run([&](const torch::Tensor& v) { return net->forward(v); });
  EXPECT_TRUE(torch::allclose(got, want, 1e-10, 1e-12)) << (got - want).abs().max();
  const auto names = net->named_parameters().keys();
  ASSERT_EQ(got_grads.size(), want_grads.size());
  for (std::size_t i = 0; i < got_grads.size(); ++i)
    EXPECT_TRUE(torch::allclose(got_grads[i], want_grads[i], 1e-9, 1e-12))
        << names[i] << ": " << (got_grads[i] - want_grads[i]).abs().max();
  for (std::size_t l = 0; l < got_running.size(); ++l)
    EXPECT_TRUE(torch::allclose(got_running[l], want_running[l], 1e-10, 1e-12)) << l;
}

TEST(Tdgcn, SlotGraphsAreSparseAndLearnable) {
  torch::manual_seed(3);
  const int D = 12;
  am::SlotGraph g(D, 3, 4, 0.3);
  EXPECT_EQ(g->keep(), 3);  // round(0.3 * 11) = 3 edges per node
  const auto a = g->forward();
  ASSERT_EQ(sizes(a), (std::vector<std::int64_t>{3, D, D}));
  EXPECT_TRUE(torch::all((a > 0).sum(-1) == 3).item<bool>());  // 9 of 12 entries per row are 0 (no ties)
  EXPECT_TRUE(torch::all(a.diagonal(0, -2, -1) == 0).item<bool>());
  (a * torch::randn_like(a)).sum().backward();
  // Gradient reaches every node's embeddings: each node sends on its kept edges (U) and, kept by some row, receives
  // (V; with 3 kept per row of 12 a node nobody keeps is possible, so V is checked as a whole).
  EXPECT_TRUE(torch::all(g->source.grad().abs().sum(-1) > 0).item<bool>());
  EXPECT_GT(g->target.grad().abs().sum().item<double>(), 0.0);
  // D^{-1/2} A D^{-1/2} with row sums clamped to >= 1: [[0, 2], [1, 0]] -> sums 2, 1 -> [[0, 2/√2], [1/√2, 0]];
  // [[0, 0.5], [0.5, 0]] keeps its values (sums clamped to 1).
  const auto n = am::normalize_adjacency(torch::tensor({0.0, 2.0, 1.0, 0.0}).view({2, 2}));
  EXPECT_TRUE(torch::allclose(n, torch::tensor({0.0, std::sqrt(2.0), 1 / std::sqrt(2.0), 0.0}).view({2, 2})));
  const auto half = torch::tensor({0.0, 0.5, 0.5, 0.0}).view({2, 2});
  EXPECT_TRUE(torch::allclose(am::normalize_adjacency(half), half));
}

TEST(Tdgcn, EveryParameterGetsGradientAndTheGraphLearns) {
  for (const int level_width : {0, 5}) {
    SCOPED_TRACE("level_width " + std::to_string(level_width));
    torch::manual_seed(4);
    am::Tdgcn net(small(6, 20, 4).dropout(0.1).level_width(level_width));
    const auto before = net->graph->forward().detach().clone();
    torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(1e-2));
    const auto x = torch::randn({8, 6, 20});
    const auto y = torch::tensor({0, 1, 2, 0, 1, 2, 0, 1}, torch::kLong);
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    std::size_t checked = 0;
    for (const auto& p : net->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << p.key() << " gets no gradient";
      ++checked;
    }
    // graph U, V; per block: tconv w, b; gin eps, β, mlp0 w, b, mlp1 w, b; pool w, b; norm w, b (12 x 3); fc w, b;
    // with the level branch its Linear w, b and BatchNorm1d w, b
    EXPECT_EQ(checked, 2u + 3u * 12u + 2u + (level_width > 0 ? 4u : 0u));
    if (level_width > 0) {
      EXPECT_EQ(sizes(net->fc->weight), (std::vector<std::int64_t>{3, 8 + 5}));  // C_K + W inputs
    }
    opt.step();
    EXPECT_GT((net->graph->forward() - before).abs().max().item<double>(), 1e-4);  // the slot graphs moved
  }
}

TEST(Tdgcn, LevelBranchSeesOnlyEachDimensionsMeanOverTime) {
  // With the readout's half of the classifier zeroed, the logits depend on the input only through the level branch,
  // i.e. through each dimension's mean over time: reversing time (same means) leaves them unchanged, raising one
  // dimension's level changes them. Without the zeroing, reversing time changes them (the blocks are causal).
  torch::manual_seed(11);
  am::Tdgcn net(small(5, 12, 2).level_width(4));
  net->eval();
  torch::NoGradGuard guard;
  const auto x = torch::randn({3, 5, 12});
  const auto reversed = x.flip(2);
  EXPECT_FALSE(torch::allclose(net->forward(x), net->forward(reversed), 1e-5, 1e-6));
  net->fc->weight.narrow(1, 0, 8).zero_();  // C_K = 8 readout inputs, then the W = 4 level inputs
  EXPECT_TRUE(torch::allclose(net->forward(x), net->forward(reversed), 1e-5, 1e-6));
  auto raised = x.clone();
  raised.select(1, 2).add_(1.0);
  EXPECT_FALSE(torch::allclose(net->forward(x), net->forward(raised), 1e-3, 1e-4));
}

TEST(Tdgcn, LearnsWhichDimensionIsWhich) {
  // Two classes that differ only in the order of dimensions 0 and 1: class 0 has dimension 0 raised and 1 lowered,
  // class 1 the reverse. A model blind to which dimension is which (every weight shared across nodes, a symmetric
  // graph) cannot separate them; TDGCN must, and swapping the two dimensions of an input must flip its decision.
  torch::manual_seed(8);
  const int D = 4, T = 16;
  auto make = [&](std::int64_t n) {
    const auto y = torch::randint(0, 2, {n}, torch::kLong);
    auto x = torch::randn({n, D, T});
    const auto sign = (1 - 2 * y).to(torch::kFloat).view({n, 1});  // +1 for class 0
    x.select(1, 0).add_(0.8 * sign);
    x.select(1, 1).sub_(0.8 * sign);
    return std::make_pair(x, y);
  };
  am::Tdgcn net(am::TdgcnOptions(D, T, 2).nof_slots(2).tcn_channels({8, 8, 8}).embedding_dim(3).dropout(0.1));
  torch::optim::Adam opt(net->parameters(), torch::optim::AdamOptions(3e-3));
  for (int step = 0; step < 60; ++step) {
    const auto [x, y] = make(32);
    opt.zero_grad();
    torch::nn::functional::cross_entropy(net->forward(x), y).backward();
    opt.step();
  }
  net->eval();
  torch::NoGradGuard guard;
  const auto [x, y] = make(200);
  const auto pred = net->forward(x).argmax(1);
  const auto swapped = x.index_select(1, torch::tensor({1, 0, 2, 3}, torch::kLong));
  const auto pred_swapped = net->forward(swapped).argmax(1);
  EXPECT_GE(pred.eq(y).to(torch::kDouble).mean().item<double>(), 0.9);
  EXPECT_GE(pred_swapped.ne(pred).to(torch::kDouble).mean().item<double>(), 0.9);
}

TEST(Tdgcn, TemporalEdgesCarrySlotGMinus1IntoSlotG) {
  torch::manual_seed(6);
  const int G = 4, D = 5, L = 3;
  am::DynamicGin gin(3, 4, G);
  const auto x = torch::randn({1, 3, D, G * L});
  const auto a = am::normalize_adjacency(torch::rand({G, D, D}));
  auto x2 = x.clone();
  x2.index({"...", Slice(L, 2 * L)}).add_(1.0);  // change slot 1 only
  torch::NoGradGuard guard;
  const auto y = gin->forward(x, a), y2 = gin->forward(x2, a);
  const auto slot = [&](const torch::Tensor& t, int g) { return t.index({"...", Slice(g * L, (g + 1) * L)}); };
  EXPECT_TRUE(torch::equal(slot(y, 0), slot(y2, 0)));   // no edge back in time
  EXPECT_FALSE(torch::equal(slot(y, 2), slot(y2, 2)));  // slot 1 -> slot 2
  EXPECT_TRUE(torch::equal(slot(y, 3), slot(y2, 3)));   // one layer: one hop only
  gin->temporal.zero_();
  EXPECT_TRUE(torch::equal(slot(gin->forward(x, a), 2), slot(gin->forward(x2, a), 2)));  // edges off
  EXPECT_FALSE(am::DynamicGin(3, 4, 1)->temporal.defined());  // one slot: no temporal edge, no parameter
}

TEST(Tdgcn, NodePoolMixesNodesAndPoolsTheGraph) {
  torch::manual_seed(7);
  am::NodePool pool(6, 4, 3);
  const auto s = pool->assignment();
  ASSERT_EQ(sizes(s), (std::vector<std::int64_t>{4, 6}));
  EXPECT_TRUE(torch::allclose(s.sum(1), torch::ones({4})));
  EXPECT_TRUE(torch::all(s >= 0).item<bool>());
  const auto a = torch::rand({2, 6, 6});
  const auto [y, a2] = pool->forward(torch::randn({3, 5, 6, 10}), a);
  EXPECT_EQ(sizes(y), (std::vector<std::int64_t>{3, 5, 4, 10}));
  EXPECT_TRUE(torch::allclose(a2, torch::matmul(torch::matmul(s, a), s.t())));
}

TEST(Tdgcn, NodePoolIsACausalNodeMixingConvolution) {
  // Against a direct loop of the definition y[b,c,o,t] = bias[o] + sum_{n,j} W[o,n,j] x[b,c,n,t-k+1+j] (x = 0 before
  // t = 0), for the short kernels computed by shifted contractions (k = 2, 3) and the long ones by the convolution
  // (k = 5); the input gradient matches the loop's too.
  for (const int k : {2, 3, 5}) {
    torch::manual_seed(11 + k);
    am::NodePool pool(5, 3, k);
    const auto x = torch::randn({2, 4, 5, 9}).requires_grad_(true);
    const auto w = pool->conv->weight.detach();
    const auto b = pool->conv->bias.detach();
    auto want = torch::zeros({2, 4, 3, 9});
    const auto xd = x.detach();
    for (int o = 0; o < 3; ++o)
      for (int t = 0; t < 9; ++t) {
        auto acc = torch::full({2, 4}, b[o].item<float>());
        for (int n = 0; n < 5; ++n)
          for (int j = 0; j < k; ++j)
            if (t - k + 1 + j >= 0) acc = acc + w[o][n][0][j] * xd.index({Slice(), Slice(), n, t - k + 1 + j});
        want.index_put_({Slice(), Slice(), o, t}, acc);
      }
    const auto y = pool->forward(x, torch::rand({1, 5, 5})).first;
    EXPECT_TRUE(torch::allclose(y, want, 1e-5, 1e-5)) << "k = " << k;
    // d(sum y * r)/dx[b,c,n,s] = sum_{o,j: t = s + k - 1 - j in [0, T)} W[o,n,j] r[b,c,o,t].
    const auto r = torch::randn({2, 4, 3, 9});
    (y * r).sum().backward();
    auto gx = torch::zeros({2, 4, 5, 9});
    for (int n = 0; n < 5; ++n)
      for (int s2 = 0; s2 < 9; ++s2) {
        auto acc = torch::zeros({2, 4});
        for (int o = 0; o < 3; ++o)
          for (int j = 0; j < k; ++j)
            if (s2 + k - 1 - j < 9) acc = acc + w[o][n][0][j] * r.index({Slice(), Slice(), o, s2 + k - 1 - j});
        gx.index_put_({Slice(), Slice(), n, s2}, acc);
      }
    EXPECT_TRUE(torch::allclose(x.grad(), gx, 1e-5, 1e-5)) << "k = " << k;
  }
}

TEST(Tdgcn, DropoutKeepsOneMinusPAndScales) {
  // Statistical: n = 200,000 Bernoulli(0.7) keeps; the kept fraction's sd is sqrt(0.7 * 0.3 / n) = 0.001, the
  // tolerance 0.006 is 6 sd (two-sided alpha ~ 2e-9). Kept elements are x / 0.7; evaluation returns x unchanged.
  torch::manual_seed(3);
  const auto x = torch::rand({200000}) + 1;  // in [1, 2): never 0, so a zero is a dropped element
  const auto y = am::inverted_dropout(x, 0.3, true);
  const auto kept = y.ne(0);
  EXPECT_NEAR(kept.to(torch::kDouble).mean().item<double>(), 0.7, 0.006);
  EXPECT_TRUE(torch::allclose(y.masked_select(kept), x.masked_select(kept) / 0.7));
  EXPECT_TRUE(am::inverted_dropout(x, 0.3, false).equal(x));
  EXPECT_TRUE(am::inverted_dropout(x, 0.0, true).equal(x));
}

TEST(Tdgcn, CountsMacsByHand) {
  am::DynamicGin gin(4, 6, 2, "g");
  physec::nn::mac_counter c;
  gin->forward(torch::zeros({1, 4, 5, 10}), torch::zeros({2, 5, 5}));
  // aggregate: 4 channels x 5 nodes x 10 steps, 5 sources each = 1000; mlp0: 6 x 5 x 10 outputs x 4 inputs = 1200;
  // mlp1: 4 x 5 x 10 x 6 = 1200
  EXPECT_EQ(c.total(), 3400);
  ASSERT_EQ(c.layers().size(), 3u);
  EXPECT_EQ(c.layers()[1].layer, "g.mlp0");
}

TEST(Tdgcn, OptionsJsonRoundTripAndErrors) {
  auto o = small(7, 33, 3).keep_ratio(0.4).dropout(0.1).hidden(9).level_width(12);
  const auto back = am::tdgcn_options_from_json(am::to_json(o), "x");
  EXPECT_EQ(am::to_json(back), am::to_json(o));
  // A checkpoint written before the level branch existed has no level_width: it loads as 0 (no branch).
  auto old = nlohmann::json::parse(am::to_json(o));
  old.erase("level_width");
  EXPECT_EQ(am::tdgcn_options_from_json(old.dump(), "x").level_width(), 0);
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
  net->forward(torch::randn({10, 6, 20}));  // moves the batch-norm running statistics (buffers) off their defaults
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
