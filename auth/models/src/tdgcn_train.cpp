#include "physec/auth/models/tdgcn_train.hpp"

#include "physec/core/error.hpp"

namespace physec::auth::models {

nn::model_handle make_tdgcn_handle(const Tdgcn& net) {
  return nn::make_handle(net, k_tdgcn_name, to_json(net->options()));
}

nn::train_task classification_task() {
  nn::train_task task;
  task.loss = [](const torch::Tensor& out, const torch::Tensor& target) {
    return torch::nn::functional::cross_entropy(out, target);
  };
  task.metric = [](const nn::model_handle& model, const nn::example_source& validation, torch::Device device) {
    std::vector<std::size_t> all(validation.size());
    for (std::size_t i = 0; i < all.size(); ++i) all[i] = i;
    const auto b = validation.batch(all);
    const auto pred = nn::predict(model, b.inputs, device).argmax(1);
    return pred.eq(b.targets.to(torch::kLong)).to(torch::kDouble).mean().item<double>();
  };
  task.metric_name = "val_accuracy";
  task.higher_is_better = true;
  return task;
}

namespace {
torch::Tensor as_tensor(const ndarray<float>& x) {
  std::vector<std::int64_t> shape(x.shape.begin(), x.shape.end());
  return torch::from_blob(const_cast<float*>(x.ptr()), shape, torch::kFloat).clone();
}
}  // namespace

nn::tensor_source to_source(const sequence_set& s) {
  std::vector<std::int64_t> y(s.y.begin(), s.y.end());
  return nn::tensor_source(as_tensor(s.x), torch::tensor(y, torch::kLong));
}

std::vector<int> predict_classes(const nn::model_handle& model, const ndarray<float>& x, torch::Device device) {
  const auto pred = nn::predict(model, as_tensor(x), device).argmax(1).to(torch::kInt).contiguous();
  return std::vector<int>(pred.data_ptr<int>(), pred.data_ptr<int>() + pred.numel());
}

namespace {
torch::Tensor mean_probabilities(const std::vector<nn::model_handle>& models, const ndarray<float>& x,
                                 torch::Device device) {
  if (models.empty()) throw error("an ensemble of no models", {"", "models", {}}, "at least one", "0");
  const auto input = as_tensor(x);
  torch::Tensor sum;
  for (const auto& m : models) {
    const auto p = nn::predict(m, input, device).softmax(1);
    sum = sum.defined() ? sum + p : p;
  }
  return sum / static_cast<double>(models.size());
}
}  // namespace

std::vector<int> predict_ensemble(const std::vector<nn::model_handle>& models, const ndarray<float>& x,
                                  torch::Device device) {
  const auto pred = mean_probabilities(models, x, device).argmax(1).to(torch::kInt).contiguous();
  return std::vector<int>(pred.data_ptr<int>(), pred.data_ptr<int>() + pred.numel());
}

ndarray<double> predict_proba_ensemble(const std::vector<nn::model_handle>& models, const ndarray<float>& x,
                                       torch::Device device) {
  const auto p = mean_probabilities(models, x, device).to(torch::kCPU, torch::kDouble).contiguous();
  const auto n = static_cast<std::size_t>(p.size(0)), c = static_cast<std::size_t>(p.size(1));
  return ndarray<double>({n, c}, std::vector<double>(p.data_ptr<double>(), p.data_ptr<double>() + n * c));
}

loaded_tdgcn load_tdgcn(const std::filesystem::path& path, torch::Device device) {
  loaded_tdgcn out;
  out.meta = nn::read_checkpoint_meta(path);
  if (out.meta.model_name != k_tdgcn_name)
    throw error("not a TDGCN checkpoint", {path.string(), "model_name", {}}, k_tdgcn_name, out.meta.model_name);
  out.net = Tdgcn(tdgcn_options_from_json(out.meta.model_options_json, path.string()));
  out.net->to(device);
  out.handle = make_tdgcn_handle(out.net);
  nn::load_model(path, out.handle, device);
  return out;
}

tdgcn_fit fit_tdgcn(TdgcnOptions options, int nof_classes, const sequence_set& train, const sequence_set& validation,
                    const nn::train_config& cfg, torch::Device device, std::uint64_t seed, const nn::fit_options& fo) {
  if (train.x.rank() != 3 || train.y.empty())
    throw error("empty or malformed training set", {"", "train", {}}, "[n > 0, D, T]", shape_string(train.x.shape));
  options.nof_dims(static_cast<int>(train.x.shape[1]))
      .nof_steps(static_cast<int>(train.x.shape[2]))
      .nof_classes(nof_classes);
  nn::seed_torch(seed);
  tdgcn_fit out;
  out.net = Tdgcn(options);
  const auto tr = to_source(train), va = to_source(validation);
  out.net->fit_scaling(tr.inputs());  // training split statistics only
  out.net->to(device);
  out.handle = make_tdgcn_handle(out.net);
  nn::trainer t(out.handle, cfg, device, seed);
  out.result = t.fit(tr, va, classification_task(), fo);
  return out;
}

}  // namespace physec::auth::models
