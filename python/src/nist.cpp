// physec.nist: the 15 tests of NIST SP 800-22 rev1a on a bit array, and the suite analysis of §4.2.
#include <string>
#include <vector>

#include "common.hpp"
#include "physec/randomness/bits.hpp"
#include "physec/randomness/nist_config.hpp"
#include "physec/randomness/nist_tests.hpp"
#include "physec/randomness/suite.hpp"

namespace physec::python {

namespace pr = physec::randomness;

namespace {

using bit_array = py::array_t<std::uint8_t, py::array::c_style | py::array::forcecast>;

/// The caller's bits as uint8 (a copy only when the dtype or layout differs), 1-D; a str is read as '0'/'1'
/// characters (bits_from_string). Checked to be 0 or 1 by the caller, without the GIL.
bit_array bits_argument(const py::handle& obj) {
  if (py::isinstance<py::str>(obj)) return to_numpy(pr::bits_from_string(obj.cast<std::string>()));
  auto a = bit_array::ensure(obj);
  if (!a) throw error("not convertible to a bit array", {"", "bits", {}}, "a 1-D array of 0/1", "other");
  check_rank("bits", static_cast<std::size_t>(a.ndim()), 1, "[n]");
  return a;
}

pr::bit_view view_of(const bit_array& a) {
  return {a.data(), static_cast<std::size_t>(a.size())};
}

/// `fn(bits, cfg)` on the caller's bits (checked) and config dict, with the GIL released.
template <class F>
auto on_bits(const py::handle& bits, const py::object& config, F&& fn) {
  const auto cfg = config_from_dict<pr::nist_config>(config, {}, "nist", "nist config");
  const auto a = bits_argument(bits);
  py::gil_scoped_release release;
  pr::check_bits(view_of(a), "bits");
  return fn(view_of(a), cfg);
}

using test_fn = pr::test_result (*)(pr::bit_view, const pr::nist_config&);

constexpr const char* k_bits_doc =
    "bits: 1-D array of 0/1 [n] (any integer or bool dtype; other values raise physec.Error), or a str of '0'/'1'";
constexpr const char* k_config_doc =
    "config: dict of nist parameters (physec.nist.default_config() lists them), validated as in TOML";

void bind_test(py::module_& m, const char* name, test_fn fn, const std::string& what) {
  const std::string doc = what + "\n\n" + k_bits_doc + "\n" + k_config_doc + "\nReturns a TestResult.";
  m.def(
      name, [fn](const py::handle& bits, const py::object& config) { return on_bits(bits, config, fn); },
      py::arg("bits"), py::arg("config") = py::none(), doc.c_str());
}

}  // namespace

void bind_nist(py::module_& m) {
  py::class_<pr::test_result>(m, "TestResult", "What one SP 800-22 test found on one sequence")
      .def_readonly("name", &pr::test_result::name, "reference-suite name, e.g. 'BlockFrequency'")
      .def_property_readonly(
          "p_values", [](const pr::test_result& r) { return to_numpy(std::vector<double>(r.p_values)); },
          "P-values, float64 [nof_subtests]; empty when skipped")
      .def_readonly("labels", &pr::test_result::labels, "per P-value: '', 'forward', 'x=+1', '000000001', ...")
      .def_property_readonly(
          "statistics",
          [](const pr::test_result& r) {
            py::dict d;
            for (const auto& [k, v] : r.statistics) d[py::str(k)] = v;
            return d;
          },
          "intermediate values of the worked examples, e.g. {'chi2': 7.2}")
      .def_readonly("recommendation_met", &pr::test_result::recommendation_met,
                    "the input-size recommendation of §2.x.7 held")
      .def_readonly("recommendation", &pr::test_result::recommendation)
      .def_readonly("skipped", &pr::test_result::skipped, "the test could not be computed on this sequence")
      .def_readonly("skip_reason", &pr::test_result::skip_reason)
      .def("p_value", &pr::test_result::p_value, py::arg("label") = "", "the P-value with this label")
      .def("statistic", &pr::test_result::statistic, py::arg("key"), "the named intermediate statistic")
      .def("__repr__", [](const pr::test_result& r) {
        std::string s = "TestResult(" + r.name + ", p_values=[";
        for (std::size_t i = 0; i < r.p_values.size() && i < 4; ++i)
          s += (i ? ", " : "") + std::to_string(r.p_values[i]);
        if (r.p_values.size() > 4) s += ", ... (" + std::to_string(r.p_values.size()) + ")";
        return s + "]" + (r.skipped ? ", skipped: " + r.skip_reason : std::string()) + ")";
      });

  bind_test(m, "frequency", pr::frequency_test, "§2.1 Frequency (monobit) test.");
  bind_test(m, "block_frequency", pr::block_frequency_test, "§2.2 Frequency test within a block.");
  bind_test(m, "runs", pr::runs_test, "§2.3 Runs test.");
  bind_test(m, "longest_run", pr::longest_run_test, "§2.4 Longest run of ones in a block.");
  bind_test(m, "rank", pr::rank_test, "§2.5 Binary matrix rank test.");
  bind_test(m, "dft", pr::dft_test, "§2.6 Discrete Fourier transform (spectral) test.");
  bind_test(m, "non_overlapping_template", pr::non_overlapping_template_test,
            "§2.7 Non-overlapping template matching, one P-value per aperiodic template (148 for m = 9).");
  bind_test(m, "overlapping_template", pr::overlapping_template_test, "§2.8 Overlapping template matching.");
  bind_test(m, "universal", pr::universal_test, "§2.9 Maurer's universal statistical test.");
  bind_test(m, "linear_complexity", pr::linear_complexity_test, "§2.10 Linear complexity test.");
  bind_test(m, "serial", pr::serial_test, "§2.11 Serial test; P-values labelled '1' and '2'.");
  bind_test(m, "approximate_entropy", pr::approximate_entropy_test, "§2.12 Approximate entropy test.");
  bind_test(m, "cumulative_sums", pr::cumulative_sums_test, "§2.13 Cumulative sums; 'forward' and 'reverse'.");
  bind_test(m, "random_excursions", pr::random_excursions_test, "§2.14 Random excursions; 'x=-4' .. 'x=+4'.");
  bind_test(m, "random_excursions_variant", pr::random_excursions_variant_test,
            "§2.15 Random excursions variant; 'x=-9' .. 'x=+9'.");

  m.def(
      "run_all",
      [](const py::handle& bits, const py::object& config) {
        return on_bits(bits, config,
                       [](pr::bit_view b, const pr::nist_config& cfg) { return pr::run_all_tests(b, cfg); });
      },
      py::arg("bits"), py::arg("config") = py::none(),
      (std::string("All 15 tests on one sequence, in the order of the reference suite's report.\n\n") + k_bits_doc +
       "\n" + k_config_doc + "\nReturns a list of 15 TestResult.")
          .c_str());

  m.def(
      "test_names",
      [] {
        std::vector<std::string> names;
        for (const auto& t : pr::all_tests()) names.push_back(t.name);
        return names;
      },
      "Reference names of the 15 tests, in run_all's order.");

  m.def(
      "bits_from_string", [](const std::string& text) { return to_numpy(pr::bits_from_string(text)); }, py::arg("text"),
      "'0'/'1' characters (whitespace ignored) -> uint8 [n]; any other character raises physec.Error.");

  m.def(
      "default_config", [] { return config_toml(pr::nist_config{}, "physec nist configuration"); },
      "The nist parameters with their defaults, documented, as TOML text (the keys a config dict accepts).");

  py::class_<pr::suite_row>(m, "SuiteRow", "One row of the final analysis report (one test or sub-test)")
      .def_readonly("test", &pr::suite_row::test)
      .def_readonly("label", &pr::suite_row::label)
      .def_property_readonly(
          "histogram",
          [](const pr::suite_row& r) {
            return to_numpy(std::vector<std::size_t>(r.histogram.begin(), r.histogram.end()));
          },
          "C1..C10: P-values per tenth of [0, 1], int [10]")
      .def_readonly("nof_sequences", &pr::suite_row::nof_sequences)
      .def_readonly("nof_passed", &pr::suite_row::nof_passed)
      .def_readonly("proportion", &pr::suite_row::proportion)
      .def_readonly("proportion_low", &pr::suite_row::proportion_low, "§4.2.1 interval, lower end")
      .def_readonly("proportion_high", &pr::suite_row::proportion_high, "§4.2.1 interval, upper end")
      .def_readonly("p_value_uniformity", &pr::suite_row::p_value_uniformity, "§4.2.2 P-value_T")
      .def_readonly("uniformity_applicable", &pr::suite_row::uniformity_applicable, "at least 55 sequences")
      .def_property_readonly("passed", &pr::suite_row::passed, "proportion and uniformity both hold");

  py::class_<pr::suite_report>(m, "SuiteReport", "§4.2 analysis over many sequences")
      .def_readonly("alpha", &pr::suite_report::alpha)
      .def_readonly("nof_sequences", &pr::suite_report::nof_sequences)
      .def_readonly("sequence_length", &pr::suite_report::sequence_length, "[bits]")
      .def_readonly("rows", &pr::suite_report::rows, "list of SuiteRow")
      .def_readonly("skipped", &pr::suite_report::skipped, "per test: sequences on which it was skipped")
      .def_property_readonly("all_passed", &pr::suite_report::all_passed)
      .def("row", &pr::suite_report::row, py::arg("test"), py::arg("label") = "", py::return_value_policy::copy)
      .def("final_analysis_report", &pr::suite_report::final_analysis_report,
           "text in the layout of the reference suite's finalAnalysisReport")
      .def(
          "to_json", [](const pr::suite_report& r) { return r.to_json().dump(); }, "the report as JSON text");

  m.def(
      "suite",
      [](const py::handle& bits, std::size_t sequence_length, std::size_t nof_sequences, const py::object& config) {
        return on_bits(bits, config, [&](pr::bit_view b, const pr::nist_config& cfg) {
          return pr::run_suite(b, sequence_length, nof_sequences, cfg);
        });
      },
      py::arg("bits"), py::arg("sequence_length"), py::arg("nof_sequences"), py::arg("config") = py::none(),
      (std::string("SP 800-22 §4.2: splits bits into nof_sequences consecutive sequences of sequence_length bits, "
                   "runs all 15 tests on each and analyses proportion and uniformity of the P-values.\n\n") +
       k_bits_doc + " (at least sequence_length * nof_sequences)\n" + k_config_doc + "\nReturns a SuiteReport.")
          .c_str());
}

}  // namespace physec::python
