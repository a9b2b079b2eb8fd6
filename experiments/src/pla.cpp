#include "physec/experiments/pla.hpp"

#include <optional>

#include "physec/auth/features.hpp"
#include "physec/core/error.hpp"
#include "physec/core/log.hpp"
#include "physec/core/progress.hpp"
#include "physec/core/rng.hpp"

namespace physec::experiments {

namespace {

/// Train/validation/test of one feature kind; test rows grouped per sequence (IGBO's fusion).
struct splits {
  auth::labelled_data train, validation, test;
  std::vector<std::size_t> test_groups;
};

splits make_splits(const dataset::mobility_data& d, const std::vector<std::uint8_t>& split, const std::string& kind,
                   const std::string& origin) {
  splits out;
  const std::size_t T = d.nof_steps();
  auto part = [&](std::uint8_t code, auth::labelled_data& ld, std::vector<std::size_t>* groups) {
    const auto idx = dataset::split_indices(split, code);
    if (idx.empty())
      throw error("a split is empty", {origin, "/labels/split_*", {}},
                  "sequences with split code " + std::to_string(code), "none");
    const auto seqs = dataset::select_sequences(d.sequences, idx);
    std::vector<int> y;
    for (auto i : idx) y.push_back(d.transmitter[i]);
    if (code == dataset::m_train) auth::require_two_classes(y, {origin, "/labels/transmitter", {}}, "transmitter");
    if (kind == "sample") {
      ld.x = auth::per_sample_vectors(seqs);
      ld.y = auth::per_sample_labels(y, T);
      if (groups)
        for (std::size_t r = 0; r < ld.y.size(); ++r) groups->push_back(r / T);  // one group per sequence
    } else {
      ld.x = auth::sequence_features(seqs);
      ld.y = y;
    }
  };
  part(dataset::m_train, out.train, nullptr);
  part(dataset::m_validation, out.validation, nullptr);
  part(dataset::m_test, out.test, &out.test_groups);
  return out;
}

}  // namespace

std::vector<scheme_result> evaluate_baselines(const dataset::mobility_data& d, const std::string& protocol,
                                              const auth::classifier_config& cfg, const baseline_options& o,
                                              run_report* report) {
  const auto& split = dataset::split_labels(d, protocol, "--split");
  std::vector<scheme_result> out;
  for (const auto& kind : o.models.empty() ? std::vector<std::string>{} : o.features) {
    std::optional<run_report::stage> timer;
    if (report) timer.emplace(*report, "auth eval (" + kind + " features)");
    const auto s = make_splits(d, split, kind, o.origin);
    for (const auto& name : o.models) {
      auth::evaluation_options eo;
      eo.select = o.select;
      eo.nof_legal_users = d.nof_legal;
      eo.train_accuracy_rows = o.train_accuracy_rows;
      if (kind == "sample") eo.test_groups = s.test_groups;
      out.push_back({kind, auth::evaluate_model(name, cfg, s.train, s.validation, s.test, eo)});
      log::info("{} features, {}: accuracy {:.4f}", kind, name, out.back().eval.accuracy);
    }
  }
  return out;
}

const std::vector<std::string>& sweep_names() {
  static const std::vector<std::string> names = {"snr", "distance", "speed"};
  return names;
}

std::string sweep_axis_label(const std::string& sweep) {
  if (sweep == "snr") return "SNR [dB]";
  if (sweep == "distance") return "minimum distance between transmitters [m]";
  if (sweep == "speed") return "speed [m/s]";
  throw error("unknown sweep", {"", "sweep", {}}, "snr, distance or speed", sweep);
}

dataset::mobility_config at_sweep_point(dataset::mobility_config m, const std::string& sweep, double value) {
  if (sweep == "snr")
    m.snr_dB = value;
  else if (sweep == "distance")
    m.min_distance_m = value;
  else if (sweep == "speed")
    m.speed_mps = value;
  else
    throw error("unknown sweep", {"", "sweep", {}}, "snr, distance or speed", sweep);
  return m;
}

std::vector<sweep_row> run_sweep(const sweep_spec& spec, const dataset::mobility_config& base,
                                 const auth::classifier_config& cfg, const tdgcn_runner& tdgcn, run_report* report) {
  sweep_axis_label(spec.sweep);  // checks the name before any work
  std::vector<sweep_row> rows;
  progress bar("sweep " + spec.sweep, spec.values.size() * spec.seeds.size() * spec.protocols.size(),
               "evaluations");
  for (double v : spec.values) {
    const auto m = at_sweep_point(base, spec.sweep, v);
    for (auto seed : spec.seeds) {
      log::info("sweep {} = {}, seed {}: generating the dataset", spec.sweep, v, seed);
      dataset::mobility_data d;
      {
        std::optional<run_report::stage> timer;
        if (report) timer.emplace(*report, "generate mobility dataset");
        d = dataset::generate_mobility(m, rng_stream(seed).derive("dataset/mobility"), spec.threads, nullptr);
        d.seed = seed;
      }
      for (const auto& protocol : spec.protocols) {
        auth::classifier_config c = cfg;
        c.seed = seed;
        for (auto& r : evaluate_baselines(d, protocol, c, spec.baselines, report))
          rows.push_back({spec.sweep, v, protocol, seed, r.features, std::move(r.eval)});
        if (tdgcn) {
          rows.push_back({spec.sweep, v, protocol, seed, "raw", tdgcn(d, protocol, seed)});
          log::info("raw sequences, tdgcn: accuracy {:.4f}", rows.back().eval.accuracy);
        }
        bar.advance();
      }
    }
  }
  bar.finish();
  return rows;
}

}  // namespace physec::experiments
