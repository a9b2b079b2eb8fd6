// physec._physec_torch: inference with trained checkpoints (TDGCN for authentication, the PSKG autoencoders), the
// only part of the Python module that links LibTorch. physec.auth.load_checkpoint and physec.keygen.load_checkpoint
// import it on first use, so `import physec` never loads LibTorch.
#include <complex>
#include <filesystem>
#include <string>

#include "common.hpp"
#include "physec/auth/models/tdgcn_train.hpp"
#include "physec/keygen/models/data.hpp"
#include "physec/nn/device.hpp"
#include "physec/nn/runtime.hpp"
#include "physec/nn/trainer.hpp"

namespace py = pybind11;
namespace pp = physec::python;

namespace {

py::dict meta_dict(const physec::nn::checkpoint_meta& m) {
  py::dict d;
  d["model"] = m.model_name;
  d["model_options"] = m.model_options_json;
  d["config"] = m.config_toml;
  d["physec_version"] = m.physec_version;
  d["torch_version"] = m.torch_version;
  d["seed"] = m.seed;
  d["epoch"] = m.epoch;
  d["best_epoch"] = m.best_epoch;
  d["best_metric"] = m.best_metric;
  d["finished"] = m.finished;
  return d;
}

/// A TDGCN checkpoint ready for inference on one device.
struct tdgcn_model {
  physec::auth::models::loaded_tdgcn loaded;
  torch::Device device;
};

/// A PSKG model (CNN-AE-SSA, CNN-AE, dense AE) ready for inference on one device.
struct keygen_model {
  physec::keygen::models::loaded_model loaded;
  torch::Device device;
};

}  // namespace

PYBIND11_MODULE(_physec_torch, m) {
  m.doc() = "physec: checkpoint inference (LibTorch); imported lazily by physec.auth / physec.keygen.load_checkpoint";
  // The torch-free module registered physec.Error; errors thrown here are mapped to the same class.
  py::object error_type = py::module_::import("physec._physec").attr("Error");
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const physec::error& e) {
      PyErr_SetString(py::module_::import("physec._physec").attr("Error").ptr(), e.what());
    }
  });
  m.attr("Error") = error_type;
  m.attr("torch_version") = physec::nn::query_runtime().torch_version;

  py::class_<tdgcn_model>(m, "TdgcnModel", "A trained TDGCN (physec auth train) for inference")
      .def_property_readonly(
          "meta", [](const tdgcn_model& t) { return meta_dict(t.loaded.meta); },
          "checkpoint metadata: model, config, seed, epochs, best validation metric, versions")
      .def(
          "predict",
          [](const tdgcn_model& t, const py::handle& x) {
            auto seq = pp::from_numpy<float>(x, "x", 3, "[n, D, T]");
            return pp::to_numpy(
                pp::without_gil([&] { return physec::auth::models::predict_classes(t.loaded.handle, seq, t.device); }));
          },
          py::arg("x"),
          "CSI sequences float [n, D, T] (the mobility dataset's /sequences layout, the D and T it was trained on) "
          "-> predicted transmitter labels int32 [n] (0 .. nof_legal-1 legal, then spoofers).");
  m.def(
      "load_tdgcn",
      [](const std::string& path, const std::string& device, int threads) {
        const torch::Device dev = physec::nn::parse_device(device, "device");
        physec::nn::configure_threads(threads);
        return pp::without_gil([&] { return tdgcn_model{physec::auth::models::load_tdgcn(path, dev), dev}; });
      },
      py::arg("path"), py::arg("device") = "cpu", py::arg("threads") = 0);

  py::class_<keygen_model>(m, "KeygenModel", "A trained PSKG model (physec keygen train) for inference")
      .def_property_readonly("meta", [](const keygen_model& k) { return meta_dict(k.loaded.meta); })
      .def_property_readonly(
          "target", [](const keygen_model& k) { return k.loaded.target; },
          "what it was trained to output: 'clean' channel or the other party's CSI")
      .def(
          "apply",
          [](const keygen_model& k, const py::handle& csi) {
            auto c = pp::from_numpy<std::complex<float>>(csi, "csi", 5, "[n, alice_ant, bob_ant, sc, sym]");
            const auto& l = k.loaded;
            if (l.meta.model_name == "dense_ae" && (c.shape[3] != l.nof_subcarriers || c.shape[4] != l.nof_symbols))
              throw physec::error("the dense AE was trained on another CSI size", {"", "csi", {}},
                                  std::to_string(l.nof_subcarriers) + " x " + std::to_string(l.nof_symbols),
                                  std::to_string(c.shape[3]) + " x " + std::to_string(c.shape[4]));
            return pp::to_numpy(
                pp::without_gil([&] { return physec::keygen::models::apply_model(k.loaded.model, c, k.device, l.align_phase); }));
          },
          py::arg("csi"),
          "One party's CSI complex [n, alice_ant, bob_ant, sc, sym] -> the model's output complex64, same shape "
          "(each probe divided by its RMS before the model and multiplied back after, as `physec keygen eval "
          "--model` does).");
  m.def(
      "load_keygen_model",
      [](const std::string& path, const std::string& device, int threads) {
        const torch::Device dev = physec::nn::parse_device(device, "device");
        physec::nn::configure_threads(threads);
        return pp::without_gil([&] { return keygen_model{physec::keygen::models::load_keygen_model(path, dev), dev}; });
      },
      py::arg("path"), py::arg("device") = "cpu", py::arg("threads") = 0);
}
