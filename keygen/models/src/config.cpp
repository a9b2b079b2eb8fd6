#include "physec/keygen/models/config.hpp"

#include <nlohmann/json.hpp>

namespace physec::keygen::models {

void cnn_config::describe(config::schema& s) {
  s.add("channels", channels, "encoder widths; the first block keeps F x T, each further one halves both (stride 2)")
      .range(1, 1024)
      .size(1, 6)
      .source("ours (sized for 2 CPU cores; the paper does not give widths)");
  s.add("bottleneck_channels", bottleneck_channels, "code width: 1x1 conv after the attention block")
      .range(1, 1024)
      .source("ours (code = b x ceil(F/4) x ceil(T/4) = 576 values for 72 x 14 inputs of 2016)");
  s.add("kernel_size", kernel_size, "square kernel of the k x k convs (odd)").range(1, 9).source("ours");
  s.add("attention_reduction", attention_reduction, "query/key width = last encoder width / this")
      .range(1, 1024)
      .source("SAGAN (Zhang et al. 2019): 8");
  s.check([this, key = s.key("kernel_size")](const std::string& file) {
    if (kernel_size % 2 == 0) config::fail(file, key, "kernel size must be odd", "an odd integer", std::to_string(kernel_size));
  });
}

void dense_config::describe(config::schema& s) {
  s.add("hidden", hidden, "hidden layer width").range(1, 65536).source("ours");
  s.add("bottleneck", bottleneck, "code width").range(1, 65536).source("ours");
}

void model_config::describe(config::schema& s) {
  s.add("name", name, "architecture: CNN-AE with spatial self-attention (the paper's), CNN-AE without it, dense AE")
      .choices(model_names())
      .source("Alashqar et al. 2025");
  s.section("cnn", cnn, "cnn_ae_ssa and cnn_ae");
  s.section("dense", dense, "dense_ae");
}

std::string options_json(const model_config& cfg, int nof_subcarriers, int nof_symbols) {
  nlohmann::json j;
  j["nof_subcarriers"] = nof_subcarriers;
  j["nof_symbols"] = nof_symbols;
  if (cfg.name == "dense_ae") {
    j["hidden"] = cfg.dense.hidden;
    j["bottleneck"] = cfg.dense.bottleneck;
  } else {
    j["channels"] = cfg.cnn.channels;
    j["bottleneck_channels"] = cfg.cnn.bottleneck_channels;
    j["kernel_size"] = cfg.cnn.kernel_size;
    j["attention_reduction"] = cfg.cnn.attention_reduction;
  }
  return j.dump();
}

}  // namespace physec::keygen::models
