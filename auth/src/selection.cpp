#include "physec/auth/selection.hpp"

#include <functional>

#include "physec/auth/metrics.hpp"
#include "physec/core/error.hpp"

namespace physec::auth {

namespace {

/// One axis of a grid: a parameter name, its values, and how to write a value into a config.
struct axis {
  std::string name;
  std::vector<double> values;
  std::function<void(classifier_config&, double)> apply;
  bool integral = false;  ///< print values as integers
};

/// The Cartesian product of the axes around `base`, first axis slowest.
std::vector<grid_point> product(const classifier_config& base, const std::vector<axis>& axes) {
  std::vector<grid_point> points = {{"", base}};
  for (const auto& a : axes) {
    std::vector<grid_point> next;
    for (const auto& p : points)
      for (double v : a.values) {
        grid_point q = p;
        a.apply(q.cfg, v);
        q.parameters += (q.parameters.empty() ? "" : " ") + a.name + "=" +
                        (a.integral ? std::to_string(static_cast<long long>(v)) : config::format_real(v));
        next.push_back(std::move(q));
      }
    points = std::move(next);
  }
  return points;
}

template <class C>
axis int_axis(std::string name, std::vector<double> values, int C::*field, C classifier_config::*section) {
  return {std::move(name), std::move(values),
          [field, section](classifier_config& c, double v) { (c.*section).*field = static_cast<int>(v); }, true};
}

template <class C>
axis real_axis(std::string name, std::vector<double> values, double C::*field, C classifier_config::*section) {
  return {std::move(name), std::move(values), [field, section](classifier_config& c, double v) { (c.*section).*field = v; }};
}

}  // namespace

std::vector<grid_point> hyperparameter_grid(const std::string& name, const classifier_config& base) {
  using cc = classifier_config;
  if (name == "dt")
    return product(base, {int_axis<dt_config>("max_depth", {4, 8, 16, 32}, &dt_config::max_depth, &cc::dt),
                          int_axis<dt_config>("min_samples_leaf", {1, 5, 20}, &dt_config::min_samples_leaf, &cc::dt)});
  if (name == "knn") return product(base, {int_axis<knn_config>("k", {1, 3, 5, 9, 15}, &knn_config::k, &cc::knn)});
  if (name == "nb")
    return product(base, {real_axis<nb_config>("var_smoothing", {1e-9, 1e-6, 1e-3, 1e-1}, &nb_config::var_smoothing,
                                               &cc::nb)});
  if (name == "wv") return {{"defaults", base}};
  if (name == "gbdt")
    return product(base, {int_axis<boost_config>("max_depth", {3, 6}, &boost_config::max_depth, &cc::gbdt),
                          real_axis<boost_config>("eta", {0.1, 0.3}, &boost_config::eta, &cc::gbdt)});
  if (name == "rgbo")
    return product(base, {int_axis<rgbo_config>("max_depth", {3, 6}, &rgbo_config::max_depth, &cc::rgbo),
                          real_axis<rgbo_config>("lambda", {1, 10}, &rgbo_config::lambda, &cc::rgbo),
                          real_axis<rgbo_config>("gamma", {0, 0.5}, &rgbo_config::gamma, &cc::rgbo)});
  if (name == "igbo")
    return product(base, {int_axis<igbo_config>("max_depth", {3, 6}, &igbo_config::max_depth, &cc::igbo),
                          real_axis<igbo_config>("top_rate", {0.2, 0.4}, &igbo_config::top_rate, &cc::igbo),
                          real_axis<igbo_config>("other_rate", {0.1, 0.2}, &igbo_config::other_rate, &cc::igbo)});
  throw error("no hyperparameter grid for this model", {"", "model", std::nullopt}, "dt, knn, nb, wv, gbdt, rgbo or igbo",
              name);
}

selection_result select_hyperparameters(const std::string& name, const classifier_config& base,
                                        const labelled_data& train, const labelled_data& validation) {
  selection_result out;
  out.best_validation_accuracy = -1.0;
  const auto grid = hyperparameter_grid(name, base);
  for (std::size_t i = 0; i < grid.size(); ++i) {
    auto model = make_classifier(name, grid[i].cfg);
    model->fit(train.x, train.y, &validation);
    const double acc = accuracy(validation.y, model->predict(validation.x));
    out.trials.add_row({static_cast<std::int64_t>(i), grid[i].parameters, acc});
    if (acc > out.best_validation_accuracy) {
      out.best_validation_accuracy = acc;
      out.best = grid[i].cfg;
      out.best_parameters = grid[i].parameters;
    }
  }
  return out;
}

}  // namespace physec::auth
