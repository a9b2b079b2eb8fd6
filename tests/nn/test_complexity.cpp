// Complexity report: MAC counts of common layers against hand-computed values; parameters; latency fields.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "physec/nn/complexity.hpp"

using namespace physec;

namespace {

// conv 2->4 (3x3, no padding) on 8x8, ReLU, 1x1 conv transpose 4->2, flatten, linear 72->5.
struct SmallImpl : torch::nn::Module {
  SmallImpl() {
    conv = register_module("conv", torch::nn::Conv2d(torch::nn::Conv2dOptions(2, 4, 3)));
    up = register_module("up", torch::nn::ConvTranspose2d(torch::nn::ConvTranspose2dOptions(4, 2, 1)));
    fc = register_module("fc", torch::nn::Linear(72, 5));
  }
  torch::Tensor forward(torch::Tensor x) {
    auto h = torch::relu(conv(x));
    nn::count_conv("conv", conv->weight, h);
    auto u = up(h);
    nn::count_conv_transpose("up", up->weight, h, u);
    auto y = fc(u.flatten(1));
    nn::count_linear("fc", fc->weight, y);
    return y;
  }
  torch::nn::Conv2d conv{nullptr};
  torch::nn::ConvTranspose2d up{nullptr};
  torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(Small);

}  // namespace

TEST(Complexity, CountsMacsPerLayerByHand) {
  auto m = nn::make_handle(Small(), "small", "{}");
  const auto r = nn::measure_complexity(m, {1, 2, 8, 8}, torch::kCPU, 5);
  ASSERT_EQ(r.layers.size(), 3u);
  // conv: 4 x 6 x 6 outputs, each 2 x 3 x 3 = 18 MACs -> 2592.
  EXPECT_EQ(r.layers[0].layer, "conv");
  EXPECT_EQ(r.layers[0].macs, 2592);
  EXPECT_EQ(r.layers[0].output_shape, (std::vector<std::int64_t>{1, 4, 6, 6}));
  // 1x1 transpose 4->2 on 6x6: 144 inputs, each feeding 2 outputs -> 288.
  EXPECT_EQ(r.layers[1].macs, 288);
  // linear 72 -> 5: 360.
  EXPECT_EQ(r.layers[2].macs, 360);
  EXPECT_EQ(r.macs, 2592 + 288 + 360);
  // parameters: conv 4*2*9 + 4 = 76, transpose 4*2 + 2 = 10, linear 72*5 + 5 = 365.
  EXPECT_EQ(r.parameters, 76 + 10 + 365);
  EXPECT_EQ(r.runs, 5);
  EXPECT_GT(r.latency_p50_ms, 0);
  EXPECT_LE(r.latency_p50_ms, r.latency_p99_ms);
  EXPECT_EQ(r.layer_table().rows().size(), 3u);
}

TEST(Complexity, CountingIsOffWithoutACounter) {
  EXPECT_FALSE(nn::counting_macs());
  {
    nn::mac_counter outer;
    EXPECT_TRUE(nn::counting_macs());
    nn::count_macs("a", 10, torch::zeros({1}));
    {
      nn::mac_counter inner;
      nn::count_macs("b", 5, torch::zeros({1}));
      EXPECT_EQ(inner.total(), 5);
    }
    EXPECT_EQ(outer.total(), 10);
  }
  EXPECT_FALSE(nn::counting_macs());
}

TEST(Complexity, RejectsBatchesOtherThanOne) {
  auto m = nn::make_handle(Small(), "small", "{}");
  EXPECT_THROW(nn::measure_complexity(m, {2, 2, 8, 8}, torch::kCPU, 1), physec::error);
}
