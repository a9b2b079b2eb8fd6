// The compiled core of `import physec` (torch-free). python/physec/__init__.py re-exports what is defined here.
#include "common.hpp"
#include "physec/core/version.hpp"

namespace py = pybind11;

PYBIND11_MODULE(_physec, m) {
  m.doc() = "physec: physical-layer security toolkit (torch-free core of the `physec` package)";
  // physec::error (bad input, bad config, bad file) becomes physec.Error, a ValueError, with the same one-line message.
  py::register_exception<physec::error>(m, "Error", PyExc_ValueError);
  m.attr("__version__") = physec::version();
  m.attr("git_describe") = physec::git_describe();

  auto nist = m.def_submodule("nist", "NIST SP 800-22 rev1a: the 15 tests and the §4.2 suite analysis");
  physec::python::bind_nist(nist);
  auto keygen = m.def_submodule("keygen", "secret key generation: CSI features, quantizers, KDR, bounds, agreement");
  physec::python::bind_keygen(keygen);
  auto channel = m.def_submodule("channel", "TR 38.901 CDL/TDL link generation on an OFDM grid");
  physec::python::bind_channel(channel);
  auto dataset = m.def_submodule("dataset", "wiretap (PSKG) and mobility (PLA) datasets as dicts of arrays");
  physec::python::bind_dataset(dataset);
  auto auth = m.def_submodule("auth", "physical-layer authentication: the seven classical baselines and metrics");
  physec::python::bind_auth(auth);
}
