#include "physec/nn/checkpoint.hpp"

#include <torch/version.h>

#include <openssl/evp.h>

#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "checkpoint_io.hpp"
#include "physec/core/atomic_file.hpp"
#include "physec/core/error.hpp"
#include "physec/core/version.hpp"

namespace physec::nn {

namespace detail {

namespace {

// Archive keys cannot hold dots (they become attribute names of a TorchScript module): escape them.
std::string escape(const std::string& name) {
  std::string out;
  for (char c : name) out += c == '.' ? std::string("__") : std::string(1, c);
  return out;
}

std::string shape_text(const torch::Tensor& t) {
  std::string s = "[";
  for (int64_t k = 0; k < t.dim(); ++k) s += (k ? ", " : "") + std::to_string(t.size(k));
  return s + "]";
}

nlohmann::json meta_json(const checkpoint_meta& m) {
  return {{"format", m.format},
          {"model_name", m.model_name},
          {"model_options", nlohmann::json::parse(m.model_options_json.empty() ? "{}" : m.model_options_json)},
          {"config_toml", m.config_toml},
          {"physec_version", m.physec_version},
          {"git_describe", m.git_describe},
          {"torch_version", m.torch_version},
          {"seed", m.seed},
          {"epoch", m.epoch},
          {"best_epoch", m.best_epoch},
          {"best_metric", m.best_metric},
          {"finished", m.finished},
          {"extra", nlohmann::json::parse(m.extra_json.empty() ? "{}" : m.extra_json)}};
}

checkpoint_meta meta_from(const nlohmann::json& j) {
  checkpoint_meta m;
  m.format = j.at("format").get<std::string>();
  m.model_name = j.at("model_name").get<std::string>();
  m.model_options_json = j.at("model_options").dump();
  m.config_toml = j.at("config_toml").get<std::string>();
  m.physec_version = j.at("physec_version").get<std::string>();
  m.git_describe = j.at("git_describe").get<std::string>();
  m.torch_version = j.at("torch_version").get<std::string>();
  m.seed = j.at("seed").get<std::uint64_t>();
  m.epoch = j.at("epoch").get<int>();
  m.best_epoch = j.at("best_epoch").get<int>();
  m.best_metric = j.at("best_metric").get<double>();
  m.finished = j.at("finished").get<bool>();
  m.extra_json = j.at("extra").dump();
  return m;
}

/// SHA-256 over every tensor's name, dtype, shape and bytes, in the model's order: LibTorch's reader checks no
/// checksum, so damaged weights would load silently (a flipped exponent bit turns a weight into 1e38).
class state_digest {
 public:
  state_digest() : ctx_(EVP_MD_CTX_new(), &EVP_MD_CTX_free) {
    if (!ctx_ || EVP_DigestInit_ex(ctx_.get(), EVP_sha256(), nullptr) != 1)
      throw error("SHA-256 unavailable", {"", "openssl", {}});
  }
  void add(const std::string& name, const torch::Tensor& t) {
    const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
    const std::string head = name + "|" + std::string(c10::toString(c.scalar_type())) + "|" + shape_text(c) + "|";
    EVP_DigestUpdate(ctx_.get(), head.data(), head.size());
    EVP_DigestUpdate(ctx_.get(), c.data_ptr(), c.numel() * c.element_size());
  }
  std::string hex() {
    unsigned char d[EVP_MAX_MD_SIZE];
    unsigned n = 0;
    EVP_DigestFinal_ex(ctx_.get(), d, &n);
    static const char* k = "0123456789abcdef";
    std::string out;
    for (unsigned i = 0; i < n; ++i) out += {k[d[i] >> 4], k[d[i] & 15]};
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx_;
};

void write_state(torch::serialize::OutputArchive& a, const named_tensors& s) {
  state_digest digest;
  for (const auto& [name, t] : s) {
    const torch::Tensor c = t.detach().to(torch::kCPU);
    a.write(escape(name), c);
    digest.add(name, c);
  }
  a.write("sha256", c10::IValue(digest.hex()));
}

void read_state(const std::filesystem::path& path, const std::string& which, torch::serialize::InputArchive& a,
                named_tensors& s, torch::Device device) {
  const auto keys = a.keys();
  std::set<std::string> stored(keys.begin(), keys.end()), expected{"sha256"};
  state_digest digest;
  std::vector<torch::Tensor> loaded_all;
  for (auto& [name, t] : s) {
    const std::string key = escape(name);
    expected.insert(key);
    torch::Tensor loaded;
    if (!a.try_read(key, loaded))
      throw error("checkpoint does not fit the model", {path.string(), name, {}},
                  "this layer's weights in the file (the model has " + shape_text(t) + ")", "no such layer");
    if (loaded.sizes() != t.sizes())
      throw error("checkpoint does not fit the model", {path.string(), name, {}}, "shape " + shape_text(t) + " as in the model",
                  shape_text(loaded) + " in the file");
    digest.add(name, loaded);
    loaded_all.push_back(loaded);
  }
  c10::IValue stored_digest;
  if (!a.try_read("sha256", stored_digest) || !stored_digest.isString())
    throw error("checkpoint has no checksum", {path.string(), which, {}}, "a SHA-256 of the weights (physec >= 0.1)",
                "none");
  if (stored_digest.toStringRef() != digest.hex())
    throw error("checkpoint is damaged: weights do not match their checksum", {path.string(), which, {}},
                "SHA-256 " + stored_digest.toStringRef().substr(0, 16) + "...", "other bytes");
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < s.size(); ++i) s[i].second.copy_(loaded_all[i].to(device));
  for (const auto& key : stored)
    if (!expected.count(key))
      throw error("checkpoint does not fit the model", {path.string(), which, {}}, "only the model's layers",
                  "an extra layer " + key);
}

}  // namespace

named_tensors state_of(const torch::nn::Module& module) {
  named_tensors s;
  for (const auto& p : module.named_parameters(true)) s.emplace_back(p.key(), p.value());
  for (const auto& b : module.named_buffers(true)) s.emplace_back(b.key(), b.value());
  return s;
}

named_tensors clone_state(const named_tensors& s) {
  named_tensors out;
  out.reserve(s.size());
  for (const auto& [name, t] : s) out.emplace_back(name, t.detach().clone());
  return out;
}

void copy_state(const named_tensors& from, named_tensors& to) {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < to.size(); ++i) to[i].second.copy_(from.at(i).second);
}

void write_checkpoint(const std::filesystem::path& path, const checkpoint_meta& meta, const std::string& trainer_json,
                      const named_tensors& current, const named_tensors& best, torch::optim::Optimizer* optimizer) {
  torch::serialize::OutputArchive root, cur, bst;
  root.write("meta", c10::IValue(meta_json(meta).dump()));
  root.write("trainer", c10::IValue(trainer_json));
  write_state(cur, current);
  write_state(bst, best);
  root.write("model", cur);
  root.write("best", bst);
  if (optimizer) {
    torch::serialize::OutputArchive opt;
    optimizer->save(opt);
    root.write("optimizer", opt);
  }
  // Serialised in memory, then written by write_file_atomic: LibTorch's file writer throws from its destructor
  // when the disk is full (std::terminate), and a checkpoint is a few MB.
  std::ostringstream bytes;
  root.save_to(bytes);
  write_file_atomic(path, bytes.str());
}

checkpoint_contents read_checkpoint(const std::filesystem::path& path, named_tensors* current, named_tensors* best,
                                    torch::optim::Optimizer* optimizer, torch::Device device) {
  require_regular_file(path, "a physec checkpoint file");
  torch::serialize::InputArchive root;
  try {
    root.load_from(path.string(), torch::Device(torch::kCPU));
  } catch (const c10::Error&) {
    throw error("not a checkpoint", {path.string(), "", {}}, "a physec checkpoint (LibTorch archive)",
                "a file LibTorch cannot read");
  }
  checkpoint_contents c;
  try {
    c10::IValue meta, trainer;
    if (!root.try_read("meta", meta) || !meta.isString())
      throw error("not a physec checkpoint", {path.string(), "meta", {}}, "physec.checkpoint/1 metadata", "none");
    c.meta = meta_from(nlohmann::json::parse(meta.toStringRef()));
    if (root.try_read("trainer", trainer) && trainer.isString()) c.trainer_json = trainer.toStringRef();
  } catch (const nlohmann::json::exception& e) {
    throw error("corrupt checkpoint metadata", {path.string(), "meta", {}}, "physec.checkpoint/1 metadata", e.what());
  }
  if (c.meta.format != "physec.checkpoint/1")
    throw error("unsupported checkpoint format", {path.string(), "meta.format", {}}, "physec.checkpoint/1",
                c.meta.format);
  const auto load = [&](const char* which, named_tensors* s) {
    if (!s) return;
    torch::serialize::InputArchive a;
    if (!root.try_read(which, a))
      throw error("incomplete checkpoint", {path.string(), which, {}}, "stored weights", "none");
    read_state(path, which, a, *s, device);
  };
  load("model", current);
  load("best", best);
  if (optimizer) {
    torch::serialize::InputArchive a;
    if (!root.try_read("optimizer", a))
      throw error("checkpoint has no optimizer state (a bare model cannot resume training)",
                  {path.string(), "optimizer", {}}, "an optimizer state", "none");
    optimizer->load(a);
  }
  return c;
}

}  // namespace detail

checkpoint_meta read_checkpoint_meta(const std::filesystem::path& path) {
  return detail::read_checkpoint(path, nullptr, nullptr, nullptr, torch::Device(torch::kCPU)).meta;
}

void save_model(const std::filesystem::path& path, const model_handle& model, const checkpoint_meta& meta) {
  checkpoint_meta m = meta;
  m.model_name = model.name;
  m.model_options_json = model.options_json;
  if (m.physec_version.empty()) m.physec_version = version();
  if (m.git_describe.empty()) m.git_describe = git_describe();
  if (m.torch_version.empty()) m.torch_version = TORCH_VERSION;
  const auto s = detail::state_of(*model.module);
  detail::write_checkpoint(path, m, "{}", s, s, nullptr);
}

checkpoint_meta load_model(const std::filesystem::path& path, model_handle& model, torch::Device device) {
  const checkpoint_meta probe = read_checkpoint_meta(path);
  if (probe.model_name != model.name)
    throw error("checkpoint holds another architecture", {path.string(), "meta.model_name", {}}, model.name,
                probe.model_name);
  model.module->to(device);
  auto s = detail::state_of(*model.module);
  return detail::read_checkpoint(path, nullptr, &s, nullptr, device).meta;
}

}  // namespace physec::nn
