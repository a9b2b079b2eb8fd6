#pragma once
/// @file PSKG key agreement in simulation, per SNR: the secret chain per link (keygen/secret_chain.hpp), then the
/// key-agreement protocol in sessions of test probes with Eve replaying the transcript, and what the figures are made
/// of (KDR, leakage, secret bits per realisation, seconds per key, Eve's agreement, SP 800-90B IID verdicts).
/// `physec keygen run` and `physec quickstart` call it alike; the CLI parses, prints and names the report. Torch-free:
/// a learned chain transform (key_encoder, LibTorch) is handed in by the caller as a `keygen::learned_map_trainer`.

#include <cstdint>
#include <filesystem>
#include <vector>

#include <nlohmann/json.hpp>

#include "physec/core/config.hpp"
#include "physec/core/report.hpp"
#include "physec/core/table.hpp"
#include "physec/dataset/wiretap.hpp"
#include "physec/keygen/evaluate.hpp"
#include "physec/keygen/protocol.hpp"
#include "physec/keygen/secret_chain.hpp"

namespace physec::experiments {

/// What `keygen run` adds to `keygen eval`'s config.
struct keygen_run_options {
  keygen::chain_config chain;       ///< per-link KLT, allocation, H(X|E) calibration (features from the eval config)
  keygen::agree_config agree = keygen::agree_config::for_chain();
  int probes_per_session = 0;       ///< test probes per session; 0 = all test probes of an SNR
  double probe_interval_s = 0.5e-3; ///< i.i.d. datasets only (no probe times): time per probe [s]
  int iid_permutations = 10000;     ///< SP 800-90B §5.1 shuffles on each SNR's calibration bits; 0: tests not run
  void describe(config::schema& s);
  /// The two session fields alone (`keygen run` puts `agree` at its root, like `keygen agree`).
  void describe_sessions(config::schema& s);
};

/// What run_key_agreement returns besides the files and the report's results.
struct keygen_run_summary {
  table agreement{std::vector<std::string>{}};  ///< agreement.csv: one row per SNR
  std::vector<std::uint8_t> alice_pa_bits;       ///< Alice's PA outputs of the confirmed sessions, concatenated
};

/// The secret chain of every link, grouped by SNR (keygen::build_secret_chain with the features of `eval`;
/// chain.allocation = auto resolved by `reconciliation`), timed into `report`. `trainer`: the learned map of chain.transform = key_encoder (empty otherwise).
std::vector<keygen::chain_group> secret_chain_by_snr(const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                                     keygen::chain_config chain, const std::string& reconciliation,
                                                     const keygen::learned_map_trainer& trainer, run_report& report);

/// The secret chain per link, then the key-agreement protocol per SNR in simulation (sessions of
/// `o.probes_per_session` test probes, public randomness derived from `seed`) with Eve replaying the transcript with
/// her LMMSE bits. Writes links.csv (per link) and agreement.csv (per SNR) into `out_dir` (an existing folder) and
/// records them in the report's outputs; fills `report.results()["keygen_run"]` (rows, links, per_snr,
/// eve_key_agreement_test, pa_length_formula) and times its stages into the report. Prints nothing but a progress bar
/// (stderr). `trainer`: as secret_chain_by_snr.
keygen_run_summary run_key_agreement(const dataset::wiretap_data& d, const keygen::eval_config& eval,
                                     const keygen_run_options& o, std::uint64_t seed,
                                     const std::filesystem::path& out_dir, run_report& report,
                                     const keygen::learned_map_trainer& trainer = {});

}  // namespace physec::experiments
