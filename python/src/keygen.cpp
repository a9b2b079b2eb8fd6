// physec.keygen: CSI features, quantizers, KDR and the secrecy bound, and one key-agreement session in process.
#include <complex>
#include <memory>
#include <string>
#include <vector>

#include "common.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/features.hpp"
#include "physec/keygen/metrics.hpp"
#include "physec/keygen/protocol.hpp"
#include "physec/keygen/quantizer.hpp"

namespace physec::python {

namespace pk = physec::keygen;
using cfloat = std::complex<float>;

namespace {

py::dict kdr_dict(const pk::kdr_result& r) {
  py::dict d;
  d["nof_bits"] = r.nof_bits;
  d["nof_mismatches"] = r.nof_mismatches;
  d["kdr"] = r.kdr;
  d["ci_low"] = r.ci_low;
  d["ci_high"] = r.ci_high;
  return d;
}

py::bytes to_bytes(const pk::secure_bytes& b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}
py::array_t<std::uint8_t> bits_array(const pk::secure_bytes& b) {
  return to_numpy(std::vector<std::uint8_t>(b.vec()));
}

py::dict party_dict(const pk::party_outcome& o) {
  py::dict d;
  d["ok"] = o.ok;
  d["failure"] = o.failure;
  d["key"] = to_bytes(o.key);
  d["pa_bits"] = bits_array(o.pa_bits);
  d["reconciled"] = bits_array(o.reconciled);
  d["nof_bits_in"] = o.nof_bits_in;
  d["leaked_bits"] = o.leaked_bits;
  d["sample_bits"] = o.sample_bits;
  d["kdr_estimate"] = o.kdr_estimate;
  d["cascade_rounds"] = o.cascade.nof_rounds;
  d["cascade_corrections"] = o.cascade.nof_corrections;
  d["first_block_bits"] = o.cascade.first_block_bits;
  d["pa_length"] = o.pa.length;
  d["smooth_min_entropy"] = o.pa.smooth_min_entropy;
  d["finite_size_term"] = o.pa.finite_size_term;
  d["pa_formula"] = o.pa.formula;
  return d;
}

py::dict eve_dict(const pk::eve_outcome& e) {
  py::dict d;
  d["kdr_before"] = kdr_dict(e.before);
  d["kdr_after"] = kdr_dict(e.after);
  d["determined_bits"] = e.determined_bits;
  d["has_pa"] = e.has_pa;
  d["pa_bits"] = bits_array(e.pa_bits);
  d["key"] = to_bytes(e.key);
  return d;
}

constexpr const char* k_features_doc = "features: float [n, d] (samples x features), real";

}  // namespace

void bind_keygen(py::module_& m) {
  // ---- features ----
  m.def(
      "csi_features",
      [](const py::handle& csi, const std::string& mode) {
        auto c = from_numpy<cfloat>(csi, "csi");
        return to_numpy(without_gil([&] { return pk::csi_features(c, mode); }));
      },
      py::arg("csi"), py::arg("mode") = "amplitude",
      "CSI complex [n, ...] (any trailing shape) -> float64 [n, d]: 'amplitude' |h| (d = product of the trailing "
      "extents) or 'real_imag' (Re, Im interleaved: 2d).");
  m.def(
      "denoise_probes",
      [](const py::handle& csi, std::size_t nof_taps, std::size_t nof_guard_taps, double extrapolate_symbols,
         bool shrink_slope, bool normalise_power, const std::vector<double>& tap_gains) {
        auto c = from_numpy<cfloat>(csi, "csi", 5, "[n, alice_ant, bob_ant, sc, sym]");
        return to_numpy(without_gil([&] {
          return pk::denoise_probes(c, nof_taps, nof_guard_taps, extrapolate_symbols, shrink_slope, normalise_power,
                                    tap_gains);
        }));
      },
      py::arg("csi"), py::arg("nof_taps") = 6, py::arg("nof_guard_taps") = 2, py::arg("extrapolate_symbols") = 0.0,
      py::arg("shrink_slope") = true, py::arg("normalise_power") = true, py::arg("tap_gains") = std::vector<double>{},
      "Whole-probe denoising: CSI complex64 [n, alice_ant, bob_ant, sc, sym] -> complex64 [n, alice_ant, bob_ant, "
      "sc, 1]: symbols derotated to symbol 0 and averaged (extrapolate_symbols != 0: their straight line evaluated that "
      "many symbols past the centre, its slope shrunk by its Wiener gain unless shrink_slope is false), delay taps "
      "0..nof_taps-1 and the last nof_guard_taps kept, normalised per probe to unit RMS unless normalise_power is false "
      "(the key chain's default: the fading power is reciprocal); tap_gains (slope_tap_gains) shrinks each delay "
      "tap's slope by its own gain instead of one per probe.");
  m.def(
      "slope_tap_gains",
      [](const py::handle& csi, std::size_t nof_taps, std::size_t nof_guard_taps) {
        auto c = from_numpy<cfloat>(csi, "csi", 5, "[n, alice_ant, bob_ant, sc, sym]");
        py::gil_scoped_release release;
        return pk::slope_tap_gains(c, nof_taps, nof_guard_taps);
      },
      py::arg("csi"), py::arg("nof_taps") = 6, py::arg("nof_guard_taps") = 2,
      "Per antenna pair and delay tap (DFT order), the Wiener gain q/(q + N) of the slope of denoise_probes, fitted on "
      "one party's probes of one channel (its calibration probes): list of pairs * sc floats, 0 for cut taps.");

  py::class_<pk::feature_pipeline>(m, "FeaturePipeline",
                                   "One party's CSI complex [n, alice_ant, bob_ant, sc, sym] -> features float64 "
                                   "[n, d], as `physec keygen eval` makes them (config: its [features] section)")
      .def(py::init([](const py::object& config) {
             return pk::feature_pipeline(
                 config_from_dict<pk::feature_config>(config, {}, "features", "features config"));
           }),
           py::arg("config") = py::none())
      .def(
          "fit",
          [](pk::feature_pipeline& p, const py::handle& csi) {
            auto c = from_numpy<cfloat>(csi, "csi", 5, "[n, alice_ant, bob_ant, sc, sym]");
            py::gil_scoped_release release;
            p.fit(c);
          },
          py::arg("train_csi"), "Fits on Bob's training CSI: the per-tap slope gains (features.slope_gains = tap) and slope-feature scales, "
          "and the PCA directions.")
      .def(
          "transform",
          [](const pk::feature_pipeline& p, const py::handle& csi, int when) {
            auto c = from_numpy<cfloat>(csi, "csi", 5, "[n, alice_ant, bob_ant, sc, sym]");
            return to_numpy(without_gil([&] { return p.transform(c, when); }));
          },
          py::arg("csi"), py::arg("when") = 0,
          "CSI [n, alice_ant, bob_ant, sc, sym] -> float64 [n, d]; when: +1 the earlier (downlink, Bob's) probe of "
          "the TDD pair, -1 the later (uplink, Alice's), 0 neither (signs extrapolate_symbols; 0 averages).");

  py::class_<pk::pca>(m, "PCA", "Principal component analysis (Karhunen-Loeve transform) on features [n, d]")
      .def(py::init<>())
      .def(
          "fit",
          [](pk::pca& p, const py::handle& x, std::size_t k) {
            auto a = from_numpy<double>(x, "train", 2, "[n, d]");
            py::gil_scoped_release release;
            p.fit(a, k);
          },
          py::arg("train"), py::arg("nof_components"), "Keeps the nof_components directions of largest variance.")
      .def(
          "transform",
          [](const pk::pca& p, const py::handle& x) {
            auto a = from_numpy<double>(x, "x", 2, "[n, d]");
            return to_numpy(without_gil([&] { return p.transform(a); }));
          },
          py::arg("x"), "[n, d] -> float64 [n, nof_components] (mean removed, projected).")
      .def_property_readonly("explained_variance", &pk::pca::explained_variance,
                             "fraction of the training variance the kept components explain");
  m.def(
      "dct_features",
      [](const py::handle& x, std::size_t k) {
        auto a = from_numpy<double>(x, "x", 2, "[n, d]");
        return to_numpy(without_gil([&] { return pk::dct_features(a, k); }));
      },
      py::arg("x"), py::arg("nof_coefficients"),
      "Orthonormal DCT-II along the features: [n, d] -> float64 [n, nof_coefficients] (lowest frequencies).");

  // ---- quantizers ----
  py::class_<pk::quantizer, std::unique_ptr<pk::quantizer>>(
      m, "Quantizer",
      "Quantizer(config): 'quantile' (equiprobable, Gray-coded; the paper's), 'mean', 'guard' (Mathur 2008) or "
      "'multibit' (Jana 2009). config: dict with method, bits, per_feature, guard_alpha, block_size (the TOML "
      "[quantizer] section). fit(train [n, d]) -> levels(x [n, d]) int32 [n, d] (-1: dropped) -> bits(levels).")
      .def(py::init([](const py::object& config) {
             return pk::make_quantizer(
                 config_from_dict<pk::quantizer_config>(config, {}, "quantizer", "quantizer config"));
           }),
           py::arg("config") = py::none())
      .def_property_readonly("name", &pk::quantizer::name)
      .def_property_readonly("bits_per_value", &pk::quantizer::bits_per_value, "bits emitted per kept value")
      .def(
          "fit",
          [](pk::quantizer& q, const py::handle& x) -> pk::quantizer& {
            auto a = from_numpy<double>(x, "train", 2, "[n, d]");
            py::gil_scoped_release release;
            q.fit(a);
            return q;
          },
          py::arg("train"), py::return_value_policy::reference_internal,
          "Learns thresholds from training features [n, d] (block-adaptive quantizers record d); returns self.")
      .def(
          "levels",
          [](const pk::quantizer& q, const py::handle& x) {
            auto a = from_numpy<double>(x, "x", 2, "[n, d]");
            return to_numpy(without_gil([&] { return q.levels(a); }));
          },
          py::arg("x"), "Levels int32 [n, d] in 0 .. 2^bits-1, -1 where a value falls in a guard band.")
      .def(
          "bits",
          [](const pk::quantizer& q, const py::handle& levels, const py::object& mask) {
            auto l = from_numpy<int>(levels, "levels", 2, "[n, d]");
            std::vector<std::uint8_t> keep =
                mask.is_none() ? pk::common_mask({&l}) : vector_from_numpy<std::uint8_t>(mask, "mask");
            if (keep.size() != l.size())
              throw error("mask size differs from levels", {"", "mask", {}}, std::to_string(l.size()),
                          std::to_string(keep.size()));
            return to_numpy(pk::to_bits(l, q.bits_per_value(), keep));
          },
          py::arg("levels"), py::arg("mask") = py::none(),
          "Gray-coded bits uint8 [kept * bits_per_value] of levels [n, d] at kept positions, row-major, MSB first. "
          "mask: uint8 [n*d] (1: keep), e.g. common_mask([alice_levels, bob_levels]); default: this array's own "
          "non-dropped positions.")
      .def_property_readonly(
          "thresholds",
          [](const pk::quantizer& q) -> py::object {
            const auto* qq = dynamic_cast<const pk::quantile_quantizer*>(&q);
            if (!qq) return py::none();
            return py::cast(qq->thresholds());
          },
          "quantile: thresholds [nof_features or 1][2^bits - 1], ascending; None for the others");

  m.def(
      "common_mask",
      [](const std::vector<py::object>& levels) {
        std::vector<ndarray<int>> owned;
        for (std::size_t i = 0; i < levels.size(); ++i)
          owned.push_back(from_numpy<int>(levels[i], "levels[" + std::to_string(i) + "]", 2, "[n, d]"));
        std::vector<const ndarray<int>*> ptrs;
        for (const auto& l : owned) ptrs.push_back(&l);
        return to_numpy(pk::common_mask(ptrs));
      },
      py::arg("levels"), "uint8 [n*d]: 1 where no party's levels (a list of int [n, d]) are dropped (-1).");
  m.def(
      "gray_encode", [](std::uint32_t k) { return pk::gray_encode(k); }, py::arg("k"), "Binary-reflected Gray code.");

  // ---- metrics ----
  m.def(
      "kdr",
      [](const py::handle& a, const py::handle& b, double confidence) {
        auto x = vector_from_numpy<std::uint8_t>(a, "a");
        auto y = vector_from_numpy<std::uint8_t>(b, "b");
        return kdr_dict(pk::key_disagreement(x, y, confidence));
      },
      py::arg("a"), py::arg("b"), py::arg("confidence") = 0.95,
      "Key disagreement ratio of two 0/1 bit arrays [n]: dict nof_bits, nof_mismatches, kdr (NaN for n = 0), "
      "ci_low, ci_high (two-sided Clopper-Pearson interval at `confidence`).");
  m.def(
      "symbol_entropy_bits",
      [](const py::handle& levels, int nof_levels) {
        return pk::symbol_entropy_bits(from_numpy<int>(levels, "levels"), nof_levels);
      },
      py::arg("levels"), py::arg("nof_levels"),
      "Empirical Shannon entropy [bits/symbol] of levels in [0, nof_levels), dropped (-1) entries ignored.");
  m.def(
      "gaussian_mi_bits",
      [](const py::handle& a, const py::handle& b, double ridge, bool corrected) {
        auto x = from_numpy<double>(a, "a", 2, "[n, d]");
        auto y = from_numpy<double>(b, "b", 2, "[n, d']");
        return corrected ? pk::gaussian_mi_bits_corrected(x, y, ridge) : pk::gaussian_mi_bits(x, y, ridge);
      },
      py::arg("a"), py::arg("b"), py::arg("ridge") = 1e-9, py::arg("corrected") = false,
      "Gaussian mutual-information estimate [bits per sample] between features a [n, d] and b [n, d'] from sample "
      "covariances; corrected=True subtracts the small-sample bias d*d'/(2 n ln 2). Needs n > d + d'.");
  m.def("gaussian_mi_from_correlation", &pk::gaussian_mi_from_correlation, py::arg("rho"),
        "-1/2 log2(1 - rho^2) [bits]: MI of two jointly Gaussian scalars with correlation rho.");
  m.def(
      "channel_mi_bits",
      [](const py::handle& h_a, const py::handle& h_b, double noise_var, bool separable) {
        const auto a = from_numpy<cfloat>(h_a, "h_a"), b = from_numpy<cfloat>(h_b, "h_b");
        return separable ? pk::separable_channel_mi_bits(a, b, noise_var)
                         : pk::complex_gaussian_channel_mi_bits(a, b, noise_var);
      },
      py::arg("h_a"), py::arg("h_b"), py::arg("noise_var"), py::arg("separable") = false,
      "I(A;B) [bits per realisation] of A = h_a + noise, B = h_b + noise (complex Gaussian, noise_var per entry) with "
      "the second moments of the realisations in the rows of h_a [n, ...] and h_b [n, ...]; separable=True: the last "
      "axis is time (symbols), the covariance R x C (space-frequency x instants), as keygen run's TDD bound.");
  m.def("secrecy_bound_bits", &pk::secrecy_bound_bits, py::arg("i_ab"), py::arg("i_ae"), py::arg("i_be"),
        "max(0, I(A;B) - min(I(A;E), I(B;E))) [bits per sample] (Maurer 1993; Ahlswede & Csiszar 1993).");

  // ---- key agreement ----
  m.def(
      "agree",
      [](const py::handle& alice, const py::handle& bob, const std::vector<py::object>& eve, const py::object& config,
         double nof_realisations, double h_total, double v_total, double max_bits_per_realisation, double error_rate,
         std::uint64_t public_seed) {
        const auto cfg = config_from_dict<pk::agree_config>(config, {}, "agree", "agree config");
        const auto a = vector_from_numpy<std::uint8_t>(alice, "alice_bits");
        const auto b = vector_from_numpy<std::uint8_t>(bob, "bob_bits");
        std::vector<std::vector<std::uint8_t>> e;
        for (std::size_t i = 0; i < eve.size(); ++i)
          e.push_back(vector_from_numpy<std::uint8_t>(eve[i], "eve_bits[" + std::to_string(i) + "]"));
        pk::pa_calibration cal;
        cal.nof_realisations = nof_realisations;
        cal.h_total = h_total;
        cal.v_total = v_total;
        cal.max_bits_per_realisation = max_bits_per_realisation;
        cal.error_rate = error_rate;
        pk::session_result r;
        {
          py::gil_scoped_release release;
          r = pk::simulate_session(a, b, e, cfg, cal, public_seed);
        }
        py::dict d;
        d["alice"] = party_dict(r.alice);
        d["bob"] = party_dict(r.bob);
        py::list eves;
        for (const auto& x : r.eve) eves.append(eve_dict(x));
        d["eve"] = eves;
        d["transcript_frames"] = r.alice.tr.frames.size();
        d["transcript_bytes"] = r.alice.tr.nof_bytes();
        return d;
      },
      py::arg("alice_bits"), py::arg("bob_bits"), py::arg("eve_bits") = std::vector<py::object>{},
      py::arg("config") = py::none(), py::kw_only(), py::arg("nof_realisations"), py::arg("h_total"),
      py::arg("v_total") = 0.0, py::arg("max_bits_per_realisation") = 0.0, py::arg("error_rate") = 0.05,
      py::arg("public_seed") = 1,
      "One key-agreement session in process (docs/key-agreement.md): Alice and Bob, each with only their own bits "
      "(uint8 0/1 [n], equal n), run Cascade (or LDPC) -> finite-key Toeplitz privacy amplification -> HKDF -> HMAC "
      "confirmation over the in-process transport; each Eve (list of bit arrays [n]) replays the public transcript.\n"
      "config: the [agree] section as a dict (reconciliation, cascade, key_bits, eps_pa_log2, ...).\n"
      "Public calibration (keyword-only): nof_realisations (independent channel realisations behind the bits), "
      "h_total = sum H(X|E) [bits], v_total = sum V(X|E) [bits^2], max_bits_per_realisation, error_rate (calibrated "
      "A-B bit error rate). public_seed: the session's public randomness.\n"
      "Returns dict: alice, bob (ok, failure, key bytes, leaked_bits, pa_length, reconciled bits, ...), eve (list: "
      "kdr_before, kdr_after, determined_bits, key), transcript_frames, transcript_bytes.");
}

}  // namespace physec::python
