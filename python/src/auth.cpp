// physec.auth: the seven classical baselines of the PLA half (fit / predict on CSI sequences or feature rows),
// sequence features and the authentication metrics.
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "physec/auth/classifier.hpp"
#include "physec/auth/features.hpp"
#include "physec/auth/metrics.hpp"

namespace physec::python {

namespace pa = physec::auth;

namespace {

/// Baseline input: sequences `[n, D, T]` become their sequence-level features `[n, 6 D]` (what `physec auth eval`
/// feeds the baselines); feature rows `[n, F]` are taken as they are.
ndarray<float> baseline_input(const py::handle& obj, const std::string& name) {
  auto x = from_numpy<float>(obj, name);
  if (x.rank() == 3) return pa::sequence_features(x);
  check_rank(name, x.rank(), 2, "[n, D, T] sequences or [n, F] features");
  return x;
}

std::vector<int> labels(const py::handle& obj, const std::string& name) {
  return vector_from_numpy<int>(obj, name);
}

constexpr const char* k_x_doc =
    "x: float CSI sequences [n, D, T] (converted to the 6 D sequence features of physec.auth.sequence_features, as "
    "`physec auth eval` does) or feature rows [n, F]";

}  // namespace

void bind_auth(py::module_& m) {
  m.def("classifier_names", &pa::classifier_names, "The seven baselines: dt, knn, nb, wv, gbdt, rgbo, igbo.");
  m.def(
      "default_config", [] { return config_toml(pa::classifier_config{}, "physec.auth.Classifier configuration"); },
      "The baselines' config keys (seed, and one section per model) with defaults, as TOML text.");

  py::class_<pa::classifier, std::unique_ptr<pa::classifier>>(
      m, "Classifier",
      (std::string("Classifier(name, config=None): one of the seven baselines (decision tree, KNN, naive Bayes, "
                   "weighted voting, GBDT, RGBO, IGBO); config: dict of the baselines' config (seed, dt = {...}, "
                   "knn = {...}, ...), validated as TOML.\n") +
       k_x_doc + "; y: int labels [n], 0 .. nof_legal-1 legal, then spoofers.")
          .c_str())
      .def(py::init([](const std::string& name, const py::object& config) {
             return pa::make_classifier(
                 name, config_from_dict<pa::classifier_config>(config, {}, "classifiers", "auth config"));
           }),
           py::arg("name"), py::arg("config") = py::none())
      .def_property_readonly("name", &pa::classifier::name)
      .def_property_readonly("nof_classes", &pa::classifier::nof_classes, "largest training label + 1; 0 before fit")
      .def_property_readonly("nof_features", &pa::classifier::nof_features, "features per row seen at fit")
      .def(
          "fit",
          [](pa::classifier& c, const py::handle& x, const py::handle& y,
             const py::object& validation) -> pa::classifier& {
            auto xs = baseline_input(x, "x");
            auto ys = labels(y, "y");
            pa::labelled_data val;
            const bool has_val = !validation.is_none();
            if (has_val) {
              const auto pair = validation.cast<py::tuple>();
              if (pair.size() != 2)
                throw error("validation must be a pair", {"", "validation", {}}, "(x, y)",
                            std::to_string(pair.size()) + " items");
              val.x = baseline_input(pair[0], "validation.x");
              val.y = labels(pair[1], "validation.y");
            }
            py::gil_scoped_release release;
            c.fit(xs, ys, has_val ? &val : nullptr);
            return c;
          },
          py::arg("x"), py::arg("y"), py::arg("validation") = py::none(), py::return_value_policy::reference_internal,
          "Trains on x with labels y; validation = (x_val, y_val) is used only for voting weights and early stopping. "
          "Returns self.")
      .def(
          "predict_proba",
          [](const pa::classifier& c, const py::handle& x) {
            auto xs = baseline_input(x, "x");
            return to_numpy(without_gil([&] { return c.predict_proba(xs); }));
          },
          py::arg("x"), "Class probabilities float64 [n, nof_classes].")
      .def(
          "predict",
          [](const pa::classifier& c, const py::handle& x) {
            auto xs = baseline_input(x, "x");
            return to_numpy(without_gil([&] { return c.predict(xs); }));
          },
          py::arg("x"), "Labels int32 [n]: the most probable class (ties to the lowest label).");

  m.def(
      "sequence_features",
      [](const py::handle& x) {
        auto s = from_numpy<float>(x, "sequences", 3, "[n, D, T]");
        return to_numpy(without_gil([&] { return pa::sequence_features(s); }));
      },
      py::arg("sequences"),
      "Sequences float [n, D, T] (T >= 2) -> float32 [n, 6 D]: per dimension mean, std, min, max, lag-1 "
      "autocorrelation, mean |first difference| (dimension d at columns 6d .. 6d+5).");
  m.def(
      "accuracy",
      [](const py::handle& truth, const py::handle& predicted) {
        return pa::accuracy(labels(truth, "truth"), labels(predicted, "predicted"));
      },
      py::arg("truth"), py::arg("predicted"), "Fraction of equal labels (the paper's accuracy); [n] each, n > 0.");
  m.def(
      "confusion_matrix",
      [](const py::handle& truth, const py::handle& predicted, std::size_t nof_classes) {
        const auto c = pa::confusion_matrix(labels(truth, "truth"), labels(predicted, "predicted"), nof_classes);
        ndarray<std::int64_t> out({nof_classes, nof_classes});
        for (std::size_t i = 0; i < nof_classes; ++i)
          for (std::size_t j = 0; j < nof_classes; ++j) out(i, j) = c[i][j];
        return to_numpy(std::move(out));
      },
      py::arg("truth"), py::arg("predicted"), py::arg("nof_classes"),
      "Counts int64 [nof_classes, nof_classes]: row = true label, column = predicted.");
  m.def(
      "spoofer_rates",
      [](const py::handle& truth, const py::handle& predicted, int nof_legal) {
        const auto r = pa::spoofer_detection(labels(truth, "truth"), labels(predicted, "predicted"), nof_legal);
        py::dict d;
        d["far"] = r.far;
        d["mdr"] = r.mdr;
        d["nof_legal"] = r.nof_legal;
        d["nof_spoofer"] = r.nof_spoofer;
        return d;
      },
      py::arg("truth"), py::arg("predicted"), py::arg("nof_legal") = 4,
      "Spoofer detection (spoofers positive): far = legal taken for a spoofer / legal, mdr = spoofer taken for a "
      "legal user / spoofers (NaN without samples); dict far, mdr, nof_legal, nof_spoofer.");
}

}  // namespace physec::python
