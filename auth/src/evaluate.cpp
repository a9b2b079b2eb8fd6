#include "physec/auth/evaluate.hpp"

#include <algorithm>
#include <chrono>

#include "physec/auth/boosting.hpp"
#include "physec/auth/selection.hpp"
#include "physec/core/error.hpp"

namespace physec::auth {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}
}  // namespace

evaluation evaluate_model(const std::string& name, const classifier_config& cfg, const labelled_data& train,
                          const labelled_data& validation, const labelled_data& test,
                          const evaluation_options& options) {
  check_labelled(test.x, &test.y, "test.x");
  const bool fuse = name == "igbo" && !options.test_groups.empty();
  if (fuse && options.test_groups.size() != test.y.size())
    throw error("one group id per test row needed", {"", "test_groups", std::nullopt},
                std::to_string(test.y.size()) + " ids", std::to_string(options.test_groups.size()));
  evaluation out;
  out.model = name;
  classifier_config chosen = cfg;
  out.parameters = "defaults";
  if (options.select) {
    const auto sel = select_hyperparameters(name, cfg, train, validation);
    chosen = sel.best;
    out.validation_accuracy = sel.best_validation_accuracy;
    out.parameters = sel.best_parameters;
  }
  auto model = make_classifier(name, chosen);
  auto t0 = std::chrono::steady_clock::now();
  model->fit(train.x, train.y, &validation);
  out.fit_s = seconds_since(t0);
  if (!options.select) out.validation_accuracy = accuracy(validation.y, model->predict(validation.x));
  if (options.train_accuracy_rows > 0) {
    const std::size_t n = train.y.size(), stride = (n + options.train_accuracy_rows - 1) / options.train_accuracy_rows;
    const std::size_t f = train.x.shape[1];
    labelled_data rows;
    rows.x = ndarray<float>({(n + stride - 1) / stride, f});
    for (std::size_t r = 0, i = 0; r < n; r += stride, ++i) {
      std::copy_n(train.x.ptr() + r * f, f, rows.x.ptr() + i * f);
      rows.y.push_back(train.y[r]);
    }
    out.train_accuracy = accuracy(rows.y, model->predict(rows.x));
    out.nof_train_decisions = rows.y.size();
  }

  t0 = std::chrono::steady_clock::now();
  std::vector<int> predicted, truth;
  if (fuse) {
    const auto f = fuse_observations(model->predict_proba(test.x), options.test_groups,
                                     static_cast<std::size_t>(chosen.igbo.fuse_window));
    predicted = argmax_rows(f.proba);
    for (auto r : f.first_row) truth.push_back(test.y[r]);
  } else {
    predicted = model->predict(test.x);
    truth = test.y;
  }
  out.predict_s = seconds_since(t0);
  out.nof_decisions = truth.size();
  out.accuracy = accuracy(truth, predicted);
  out.rates = spoofer_detection(truth, predicted, options.nof_legal_users);
  const int top = std::max(*std::max_element(truth.begin(), truth.end()),
                           *std::max_element(predicted.begin(), predicted.end()));
  out.confusion = confusion_matrix(truth, predicted, static_cast<std::size_t>(top) + 1);
  return out;
}

table evaluation_table(const std::vector<evaluation>& results) {
  table t({"model", "parameters", "validation_accuracy", "accuracy", "far", "mdr", "fit_s", "predict_s",
           "predict_us_per_decision", "nof_decisions"});
  for (const auto& r : results)
    t.add_row({r.model, r.parameters, r.validation_accuracy, r.accuracy, r.rates.far, r.rates.mdr, r.fit_s,
               r.predict_s, 1e6 * r.predict_s / static_cast<double>(r.nof_decisions),
               static_cast<std::int64_t>(r.nof_decisions)});
  return t;
}

}  // namespace physec::auth
