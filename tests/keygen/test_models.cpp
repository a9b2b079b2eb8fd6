// The PSKG feature models (keygen/models): shapes, the attention block's identity at gamma = 0, gradient flow, MAC
// counts typed by hand, save/load, seeded determinism, the CSI <-> tensor seam and the training examples.
#include <gtest/gtest.h>

#include <cmath>

#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/models/apply.hpp"
#include "physec/keygen/models/config.hpp"
#include "physec/keygen/models/data.hpp"
#include "physec/keygen/models/modules.hpp"
#include "physec/nn/checkpoint.hpp"
#include "physec/nn/complexity.hpp"
#include "test_util.hpp"
#include "wiretap_fixture.hpp"

namespace km = physec::keygen::models;
namespace nn = physec::nn;
using physec::ndarray;

namespace {

nn::model_handle model_named(const std::string& name, int f, int t, physec::keygen::models::model_config cfg = {}) {
  cfg.name = name;
  return km::make_keygen_model(name, km::options_json(cfg, f, t));
}

/// A small CNN config: widths {4, 8}, code 2, attention reduction 2 (query/key width 4).
km::model_config small_cnn() {
  km::model_config c;
  c.cnn.channels = {4, 8};
  c.cnn.bottleneck_channels = 2;
  c.cnn.attention_reduction = 2;
  return c;
}

}  // namespace

TEST(keygen_models, output_shape_equals_input_shape_for_several_sizes) {
  torch::manual_seed(1);
  for (const std::string name : {"cnn_ae_ssa", "cnn_ae"}) {
    auto m = model_named(name, 72, 14);
    m.module->eval();
    for (const std::vector<std::int64_t>& s :
         {std::vector<std::int64_t>{2, 2, 72, 14}, {3, 2, 16, 4}, {1, 2, 5, 3}, {2, 2, 1, 1}, {1, 2, 13, 7}}) {
      const auto y = m.forward(torch::randn(s));
      EXPECT_EQ(y.sizes().vec(), s) << name;
    }
  }
  auto d = model_named("dense_ae", 8, 2);
  EXPECT_EQ(d.forward(torch::randn({4, 2, 8, 2})).sizes().vec(), (std::vector<std::int64_t>{4, 2, 8, 2}));
  EXPECT_NE(physec::testing::message_of([&] { d.forward(torch::randn({4, 2, 8, 3})); }).find("[B, 2, 8, 2]"),
            std::string::npos);
}

TEST(keygen_models, attention_with_zero_residual_scale_is_the_identity) {
  torch::manual_seed(2);
  km::SpatialSelfAttention a(km::SpatialSelfAttentionOptions(16).reduction(8));
  EXPECT_EQ(a->gamma.item<float>(), 0.0f);  // initialised at 0
  const auto x = torch::randn({3, 16, 5, 4});
  EXPECT_TRUE(torch::equal(a->forward(x), x));  // 0 · mixed + x == x exactly
  // Softmax over the key positions: each row of the map is a distribution.
  const auto rows = a->last_attention().sum(-1);
  EXPECT_EQ(a->last_attention().sizes().vec(), (std::vector<std::int64_t>{3, 20, 20}));
  EXPECT_TRUE(torch::allclose(rows, torch::ones_like(rows), 1e-5, 1e-6));
  // With gamma != 0 the block mixes: not the identity any more.
  torch::NoGradGuard g;
  a->gamma.fill_(0.5);
  EXPECT_FALSE(torch::allclose(a->forward(x), x));
}

TEST(keygen_models, gradient_reaches_every_parameter) {
  torch::manual_seed(3);
  for (const std::string name : {"cnn_ae_ssa", "cnn_ae", "dense_ae"}) {
    auto m = model_named(name, 12, 4, small_cnn());
    m.module->train();
    // gamma = 0 blocks the gradient into query/key/value by construction (d out / d attention = gamma); move it off 0.
    for (auto& p : m.module->named_parameters())
      if (p.key().find("gamma") != std::string::npos) {
        torch::NoGradGuard g;
        p.value().fill_(0.3);
      }
    const auto x = torch::randn({4, 2, 12, 4});
    m.forward(x).pow(2).mean().backward();
    for (const auto& p : m.module->named_parameters()) {
      ASSERT_TRUE(p.value().grad().defined()) << name << " " << p.key();
      EXPECT_GT(p.value().grad().abs().sum().item<double>(), 0.0) << name << " " << p.key();
    }
  }
}

TEST(keygen_models, gamma_gets_a_gradient_at_initialisation) {
  torch::manual_seed(4);
  auto m = model_named("cnn_ae_ssa", 12, 4, small_cnn());
  m.forward(torch::randn({4, 2, 12, 4})).pow(2).mean().backward();
  for (const auto& p : m.module->named_parameters())
    if (p.key() == "attention.gamma") {
      EXPECT_GT(p.value().grad().abs().item<double>(), 0.0);
    }
}

TEST(keygen_models, mac_counts_match_a_hand_count) {
  // Input [1, 2, 8, 4]; widths {4, 8}, code 2, kernel 3, query/key width 4. By hand (MACs = outputs x weights per
  // output; transposed conv: inputs x weights per input):
  //   encoder.0 conv   [1,4,8,4]=128 out x 2·9      = 2304
  //   encoder.1 conv   [1,8,4,2]=64 out x 4·9       = 2304
  //   attention query  32 out x 8 = 256; key 256; value 64 x 8 = 512
  //   attention energy [1,8,8]=64 x 4 = 256; mix [1,8,8]=64 x 8 = 512
  //   bottleneck       [1,2,4,2]=16 x 8 = 128; expand 64 x 2 = 128
  //   decoder.0 deconv 64 in x 4·9                  = 2304
  //   output conv      [1,2,8,4]=64 x 4·9           = 2304
  // total 11264 with attention, 11264 - 1792 = 9472 without.
  for (const auto& [name, expected] : {std::pair<std::string, std::int64_t>{"cnn_ae_ssa", 11264}, {"cnn_ae", 9472}}) {
    auto m = model_named(name, 8, 4, small_cnn());
    m.module->eval();
    torch::NoGradGuard g;
    nn::mac_counter counter;
    m.forward(torch::zeros({1, 2, 8, 4}));
    EXPECT_EQ(counter.total(), expected) << name;
  }
  // Dense AE, F x T = 4 x 2 (d = 16), hidden 8, code 3: 16·8 + 8·3 + 3·8 + 8·16 = 304 MACs;
  // parameters 16·8+8 + 8·3+3 + 3·8+8 + 8·16+16 = 339.
  km::model_config c;
  c.dense.hidden = 8;
  c.dense.bottleneck = 3;
  auto d = model_named("dense_ae", 4, 2, c);
  nn::mac_counter counter;
  d.forward(torch::zeros({1, 2, 4, 2}));
  EXPECT_EQ(counter.total(), 304);
  EXPECT_EQ(nn::count_parameters(*d.module), 339);
}

TEST(keygen_models, same_seed_same_weights_and_outputs) {
  const auto build = [] {
    nn::seed_torch(42);
    auto m = model_named("cnn_ae_ssa", 12, 4, small_cnn());
    m.module->eval();
    torch::NoGradGuard g;
    return m.forward(torch::linspace(-1, 1, 2 * 2 * 12 * 4).view({2, 2, 12, 4}));
  };
  EXPECT_TRUE(torch::equal(build(), build()));
}

TEST(keygen_models, save_load_gives_identical_outputs) {
  const auto dir = physec::testing::temp_dir("models_ckpt");
  torch::manual_seed(5);
  auto m = model_named("cnn_ae_ssa", 12, 4, small_cnn());
  {
    torch::NoGradGuard g;
    for (auto& p : m.module->named_parameters())
      if (p.key() == "attention.gamma") p.value().fill_(0.7);  // not the initial value
  }
  nn::checkpoint_meta meta;
  meta.model_name = m.name;
  meta.model_options_json = m.options_json;
  meta.extra_json = km::model_extra_json("clean", 12, 4);
  nn::save_model(dir / "m.pt", m, meta);
  const auto loaded = km::load_keygen_model(dir / "m.pt", torch::kCPU);
  EXPECT_EQ(loaded.target, "clean");
  EXPECT_EQ(loaded.nof_subcarriers, 12u);
  m.module->eval();
  const auto x = torch::randn({3, 2, 12, 4});
  torch::NoGradGuard g;
  EXPECT_TRUE(torch::equal(m.forward(x), loaded.model.forward(x)));
  // Not a keygen model: a one-line error naming the file.
  meta.extra_json = "{}";
  nn::save_model(dir / "other.pt", m, meta);
  const std::string msg = physec::testing::message_of([&] { km::load_keygen_model(dir / "other.pt", torch::kCPU); });
  EXPECT_NE(msg.find("other.pt"), std::string::npos) << msg;
  EXPECT_NE(msg.find("not a keygen model"), std::string::npos) << msg;
}

TEST(keygen_models, factory_rejects_unknown_names_and_missing_options) {
  EXPECT_NE(physec::testing::message_of([] { km::make_keygen_model("lstm", "{}"); }).find("cnn_ae_ssa, cnn_ae or dense_ae"),
            std::string::npos);
  EXPECT_NE(physec::testing::message_of([] { km::make_keygen_model("cnn_ae", R"({"channels":[4]})"); })
                .find("bottleneck_channels"),
            std::string::npos);
  EXPECT_NE(physec::testing::message_of([] { km::make_keygen_model("cnn_ae", "{nope"); }).find("not JSON"),
            std::string::npos);
}

TEST(keygen_models, model_input_is_unit_rms_per_probe_and_round_trips) {
  // Two probes of [2 Alice ant, 1 Bob ant, 3 subcarriers, 2 symbols]; probe 1 is probe 0 times 10.
  ndarray<std::complex<float>> csi({2, 2, 1, 3, 2});
  for (std::size_t k = 0; k < 12; ++k) {
    csi.data[k] = {static_cast<float>(k) - 5.0f, 0.5f * static_cast<float>(k)};
    csi.data[12 + k] = 10.0f * csi.data[k];
  }
  const auto in = km::to_model_input(csi);
  EXPECT_EQ(in.x.sizes().vec(), (std::vector<std::int64_t>{4, 2, 3, 2}));  // antenna pairs are samples
  // Per probe, mean of re² + im² over its samples is 1.
  const auto power = in.x.view({2, -1}).pow(2).sum(1) / 12.0;
  EXPECT_NEAR(power[0].item<double>(), 1.0, 1e-5);
  EXPECT_NEAR(power[1].item<double>(), 1.0, 1e-5);
  EXPECT_TRUE(torch::allclose(in.x.slice(0, 0, 2), in.x.slice(0, 2, 4)));  // scale removed
  EXPECT_NEAR(in.rms[1].item<double>() / in.rms[0].item<double>(), 10.0, 1e-5);
  // Sample 1 = antenna pair (1, 0) of probe 0: channel 0 holds the real parts of csi[0, 1, 0, :, :].
  EXPECT_NEAR(in.x[1][0][2][1].item<double>() * in.rms[0].item<double>(), csi.data[6 + 5].real(), 1e-5);
  EXPECT_NEAR(in.x[1][1][2][1].item<double>() * in.rms[0].item<double>(), csi.data[6 + 5].imag(), 1e-5);
  const auto back = km::from_model_output(in.x, in.rms, csi.shape);
  for (std::size_t k = 0; k < csi.size(); ++k) EXPECT_NEAR(std::abs(back.data[k] - csi.data[k]), 0.0, 1e-4);
}

TEST(keygen_models, identity_model_leaves_every_party_unchanged) {
  const auto d = physec::testing::synthetic_wiretap(10, 0.1, {0.5, 0.0}, 7, {1, 1, 8, 2});
  nn::model_handle id;
  id.module = std::make_shared<torch::nn::Module>();
  id.forward = [](const torch::Tensor& x) { return x.clone(); };
  const auto out = km::apply_model(id, d, torch::kCPU);
  ASSERT_EQ(out.eve.shape, d.eve.shape);
  for (std::size_t k = 0; k < d.eve.size(); ++k) EXPECT_NEAR(std::abs(out.eve.data[k] - d.eve.data[k]), 0.0, 1e-5);
  for (std::size_t k = 0; k < d.bob.size(); ++k) EXPECT_NEAR(std::abs(out.bob.data[k] - d.bob.data[k]), 0.0, 1e-5);
  // A model that zeroes the imaginary channel: the outputs are real, so apply really used the model.
  id.forward = [](const torch::Tensor& x) { auto y = x.clone(); y.select(1, 1).zero_(); return y; };
  const auto real = km::apply_model(id, d, torch::kCPU);
  for (std::size_t k = 0; k < d.alice.size(); ++k) {
    EXPECT_EQ(real.alice.data[k].imag(), 0.0f);
    EXPECT_NEAR(real.alice.data[k].real(), d.alice.data[k].real(), 1e-5);
  }
}

TEST(keygen_models, examples_pair_each_party_with_its_target) {
  const auto d = physec::testing::synthetic_wiretap(10, 0.1, {0.0}, 8, {1, 1, 4, 2});
  // Train split of the fixture: probes i with i % 5 in {1, 2}: 1, 2, 6, 7 -> 8 examples (Alice and Bob each; SISO).
  const auto clean = km::wiretap_tensor_source(d, physec::dataset::split_label::train, "clean");
  const auto cross = km::wiretap_tensor_source(d, physec::dataset::split_label::train, "cross");
  ASSERT_EQ(clean.size(), 8u);
  // Example 3 = probe 2, Bob: input Bob's CSI / rms(Bob's probe); cross target Alice's CSI / the same rms.
  const auto& b = d.bob;
  double power = 0;
  for (std::size_t k = 0; k < 8; ++k) power += std::norm(b.data[2 * 8 + k]);
  const double rms = std::sqrt(power / 8);
  EXPECT_NEAR(cross.inputs()[3][0][1][1].item<double>(), b.data[2 * 8 + 3].real() / rms, 1e-5);
  EXPECT_NEAR(cross.targets()[3][1][1][1].item<double>(), d.alice.data[2 * 8 + 3].imag() / rms, 1e-5);
  EXPECT_NEAR(clean.targets()[3][0][1][1].item<double>(), d.clean.data[2 * 8 + 3].real() / rms, 1e-5);
  // No /clean: target "clean" is refused with a one-line reason.
  auto no_clean = d;
  no_clean.clean = {};
  EXPECT_NE(physec::testing::message_of([&] {
              km::wiretap_tensor_source(no_clean, physec::dataset::split_label::train, "clean");
            }).find("/clean"),
            std::string::npos);
}

TEST(keygen_models, a_streamed_batch_reads_only_the_probes_its_examples_use) {
  // One pair per probe: row 2·probe + party. Row 0 = probe 0, Alice; row 3 = probe 1, Bob.
  const auto cross = km::probes_used_by({3, 0}, 1, "cross");
  EXPECT_EQ(cross.alice, (std::vector<std::size_t>{0, 1}));  // Alice's input of probe 0, Bob's target of probe 1
  EXPECT_EQ(cross.bob, (std::vector<std::size_t>{0, 1}));
  EXPECT_TRUE(cross.clean.empty());
  const auto clean = km::probes_used_by({3, 0}, 1, "clean");
  EXPECT_EQ(clean.alice, (std::vector<std::size_t>{0}));
  EXPECT_EQ(clean.bob, (std::vector<std::size_t>{1}));
  EXPECT_EQ(clean.clean, (std::vector<std::size_t>{0, 1}));
  // Examples from arrays that hold only those probes equal the ones from arrays holding every probe.
  const auto d = physec::testing::synthetic_wiretap(5, 0.1, {0.0}, 9, {1, 1, 3, 2});
  auto rows_of = [](const physec::ndarray<std::complex<float>>& a, const std::vector<std::size_t>& probes) {
    const std::size_t per = a.size() / a.shape[0];
    physec::shape_t shape = a.shape;
    shape[0] = probes.size();
    physec::ndarray<std::complex<float>> out(shape);
    for (std::size_t i = 0; i < probes.size(); ++i)
      std::copy_n(a.data.begin() + static_cast<std::ptrdiff_t>(probes[i] * per), per,
                  out.data.begin() + static_cast<std::ptrdiff_t>(i * per));
    return out;
  };
  const auto all = km::make_examples(d.alice, d.bob, d.clean, {0, 1, 2, 3, 4}, {3, 0}, "clean");
  const auto part = km::make_examples(rows_of(d.alice, clean.alice), rows_of(d.bob, clean.bob),
                                      rows_of(d.clean, clean.clean), clean, {3, 0}, "clean");
  EXPECT_TRUE(torch::equal(all.inputs, part.inputs));
  EXPECT_TRUE(torch::equal(all.targets, part.targets));
}

TEST(keygen_models, mimo_examples_are_one_antenna_pair_each) {
  // 2 x 2 antennas: P = 4 pairs; row (2·probe + party)·4 + pair. Probe 1 (train), Alice, pair 3 = row 11.
  const auto d = physec::testing::synthetic_wiretap(5, 0.1, {0.0}, 9, {2, 2, 3, 2});
  const auto rows = km::example_rows(d.split, physec::dataset::split_label::train, 4);
  ASSERT_EQ(rows.size(), 16u);  // probes 1 and 2, two parties, four pairs
  EXPECT_EQ(rows[3], 11u);
  const auto b = km::make_examples(d.alice, d.bob, d.clean, {0, 1, 2, 3, 4}, {11}, "cross");  // arrays hold all 5
  EXPECT_EQ(b.inputs.sizes().vec(), (std::vector<std::int64_t>{1, 2, 3, 2}));
  double power = 0;
  for (std::size_t k = 0; k < 24; ++k) power += std::norm(d.alice.data[24 + k]);
  const double rms = std::sqrt(power / 24);  // over the whole probe, all four pairs
  // Pair 3 starts at element 3·6 of the probe; subcarrier 2, symbol 1 is +5.
  EXPECT_NEAR(b.inputs[0][0][2][1].item<double>(), d.alice.data[24 + 18 + 5].real() / rms, 1e-5);
  EXPECT_NEAR(b.targets[0][1][2][1].item<double>(), d.bob.data[24 + 18 + 5].imag() / rms, 1e-5);
}

namespace {

/// How many OFDM symbols of probe 0 change `input(csi)` when perturbed (each symbol in turn).
template <class F>
std::size_t symbols_seen(const ndarray<std::complex<float>>& csi, F input) {
  const auto base = input(csi);
  const std::size_t T = csi.shape[4], per = csi.size() / csi.shape[0];
  std::size_t seen = 0;
  for (std::size_t t = 0; t < T; ++t) {
    auto moved = csi;
    for (std::size_t j = t; j < per; j += T) moved.data[j] += std::complex<float>(0.3f, -0.2f);
    seen += input(moved) != base;
  }
  return seen;
}

}  // namespace

// Issue #15: every method gets the same input. The classical path (raw, PCA, DCT on the whole-probe features, the
// default) and the models' input tensor must depend on the same number of a probe's OFDM symbols: all of them. This
// fails if a model sees more symbols than the classical path (as when the classical path used symbol 0 only).
TEST(keygen_models, every_method_sees_the_same_symbols_of_a_probe) {
  const auto d = physec::testing::synthetic_wiretap(6, 0.1, {0.5}, 3, {1, 1, 8, 5});
  const auto model_symbols = symbols_seen(d.alice, [](const ndarray<std::complex<float>>& c) {
    const auto x = km::to_model_input(c).x.contiguous();
    return std::vector<float>(x.data_ptr<float>(), x.data_ptr<float>() + x.numel());
  });
  EXPECT_EQ(model_symbols, 5u);
  for (const std::string method : {"raw", "pca", "dct"}) {
    physec::keygen::feature_config fc;
    fc.method = method;
    fc.nof_components = 4;
    fc.delay_taps = 3;
    fc.delay_guard_taps = 1;
    physec::keygen::feature_pipeline pipe(fc);
    pipe.fit(d.alice);
    const auto classical = symbols_seen(d.alice, [&](const ndarray<std::complex<float>>& c) { return pipe.transform(c).data; });
    EXPECT_EQ(classical, model_symbols) << method;
  }
}

// The phase-invariant loss on hand-made cases: a target rotated by any phase per example and symbol costs nothing;
// y = 0 and y = 2t cost what MSE charges (no phase can help: the mean of t^2); MSE charges a sign flip 4 t^2.
TEST(keygen_models, phase_invariant_loss_ignores_one_phase_per_symbol_and_equals_mse_where_no_phase_helps) {
  torch::manual_seed(3);
  const std::int64_t b = 5, f = 12, t = 7;
  const torch::Tensor target = torch::randn({b, 2, f, t}, torch::kFloat64);
  const torch::Tensor phi = torch::rand({b, 1, t}, torch::kFloat64) * 2 * M_PI;  // one phase per example and symbol
  const torch::Tensor c = torch::cos(phi), s = torch::sin(phi);
  const torch::Tensor tr = target.select(1, 0), ti = target.select(1, 1);
  const torch::Tensor rotated = torch::stack({c * tr - s * ti, s * tr + c * ti}, 1);
  const double mean_square = target.pow(2).mean().item<double>();

  EXPECT_NEAR(km::feature_model_loss("phase_invariant", rotated, target).item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(km::feature_model_loss("phase_invariant", -target, target).item<double>(), 0.0, 1e-9);
  EXPECT_NEAR(km::feature_model_loss("mse", -target, target).item<double>(), 4 * mean_square, 1e-12);
  // y = 0: the loss's guard sqrt(|.|^2 + 1e-12) takes exactly 2e-6 / (2F) off.
  EXPECT_NEAR(km::feature_model_loss("phase_invariant", torch::zeros_like(target), target).item<double>(),
              mean_square - 1e-6 / f, 1e-12);
  EXPECT_NEAR(km::feature_model_loss("phase_invariant", 2 * target, target).item<double>(), mean_square, 1e-9);
  EXPECT_NEAR(km::feature_model_loss("mse", 2 * target, target).item<double>(), mean_square, 1e-12);

  // A phase that differs between subcarriers is not forgiven: the loss stays positive.
  const torch::Tensor per_subcarrier = torch::stack({-ti, tr}, 1) * torch::linspace(-1, 1, f, torch::kFloat64).view({1, 1, f, 1});
  EXPECT_GT(km::feature_model_loss("phase_invariant", per_subcarrier, target).item<double>(), 0.1 * mean_square);

  // Finite gradient where output and target are orthogonal.
  torch::Tensor y = torch::zeros_like(target).requires_grad_(true);
  km::feature_model_loss("phase_invariant", y, target).backward();
  EXPECT_TRUE(torch::isfinite(y.grad()).all().item<bool>());
  EXPECT_THROW(km::feature_model_loss("l1", y, target), physec::error);
}

// input_phase = "aligned": a probe whose symbols are turned by arbitrary phases (per antenna pair and symbol) gives
// the same model input as the unturned probe, and each aligned symbol's subcarrier sum is real and positive.
TEST(keygen_models, aligned_input_removes_one_phase_per_pair_and_symbol) {
  const std::size_t f = 5, t = 3;
  ndarray<std::complex<float>> csi({1, 2, 1, f, t}), turned({1, 2, 1, f, t});
  for (std::size_t k = 0; k < csi.size(); ++k) {
    csi.data[k] = {std::cos(0.7f * static_cast<float>(k)) + 0.3f, std::sin(1.3f * static_cast<float>(k))};
    const std::size_t pair = k / (f * t), symbol = k % t;
    turned.data[k] = csi.data[k] * std::polar(1.0f, 0.9f + 2.1f * static_cast<float>(symbol) - 1.7f * static_cast<float>(pair));
  }
  const auto a = km::to_model_input(csi, true), b = km::to_model_input(turned, true);
  EXPECT_TRUE(torch::allclose(a.x, b.x, 1e-5, 1e-5));
  EXPECT_FALSE(torch::allclose(km::to_model_input(csi).x, km::to_model_input(turned).x, 1e-3, 1e-3));
  const auto sum_re = a.x.select(1, 0).sum(1), sum_im = a.x.select(1, 1).sum(1);  // [pairs, T]
  EXPECT_TRUE((sum_re > 0).all().item<bool>());
  EXPECT_LT(sum_im.abs().max().item<double>(), 1e-5);
  // Power is unchanged by the alignment.
  EXPECT_NEAR(a.x.pow(2).sum().item<double>(), km::to_model_input(csi).x.pow(2).sum().item<double>(), 1e-4);
}
