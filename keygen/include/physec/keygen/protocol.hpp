#pragma once
/// @file The key-agreement protocol (PSKG III): Alice's and Bob's quantized bits -> Cascade reconciliation ->
/// Toeplitz privacy amplification -> HKDF-SHA256 -> HMAC key confirmation, every public message through a
/// transport and into a transcript; and Eve, who replays the public protocol with her own bits.
///
/// Messages, in order (messages.hpp has the frame layout; docs/key-agreement.md the fields):
///   A->B hello(session id, n, passes, permutation seed, Alice's sample bits)   none by default (the error rate is
///                                                                                calibrated); any are then discarded
///   B->A hello_ack(error rate: calibrated, or estimated from the sample; k1; Bob's fresh 16-byte nonce)
///   (B->A parity_query, A->B parity_reply)*                                     Cascade, or
///   A->B syndrome(m, H·x_A)                                                     LDPC (Bob decodes), then
///   (B->A syndrome_more, A->B syndrome(more checks))*                           while Bob's decoding fails
///   B->A reconciled
///   A->B amplify(PA length ℓ and every input of its finite-key formula, Toeplitz seed); Bob recomputes ℓ from his
///        own calibration and leakage count and aborts on any difference
///   A->B confirm(HMAC(k_conf, "alice" || H)),  B->A confirm(HMAC(k_conf, "bob" || H))
///   A->B accepted                                                               Bob keeps the key only now
/// H = SHA-256 of the transcript up to and including `amplify`; k_conf and the key come from HKDF-SHA256 of the PA
/// output (followed by the pre-shared key, when there is one) with salt = session id || Bob's nonce and different
/// info strings. Either side may send `abort(reason)` instead of its next message; both then discard everything.
///
/// Active attackers (docs/key-agreement.md, docs/security.md): every frame is in both transcripts, so a frame
/// altered, dropped, reordered or injected on the way makes the two H differ and confirmation fail on both sides;
/// Bob's nonce makes a replayed Alice fail confirmation; every loop is bounded by the string length and the session
/// deadline. Without a pre-shared key the parties authenticate each other only by their correlated CSI: a
/// man in the middle holding neither party's bits learns no key (both abort), but one with CSI of her own close to
/// a party could run the protocol with the other as that party. With `psk` (agree.psk_file) the confirmation
/// tags and the key also depend on the pre-shared key: a relay without it cannot complete a session.
/// Other assumptions: the public calibration
/// (KLT, bit allocation, thresholds, H(X|E) and V per realisation, the A-B error rate; secret_chain.hpp) is
/// estimated in a calibration campaign on the same link and is public; both parties hold it.

#include <cstdint>
#include <string>
#include <vector>

#include "physec/core/config.hpp"
#include "physec/keygen/cascade.hpp"
#include "physec/keygen/crypto.hpp"
#include "physec/keygen/messages.hpp"
#include "physec/keygen/metrics.hpp"
#include "physec/keygen/privacy_amplification.hpp"

namespace physec::keygen {

/// Everything the protocol is configured by (both parties must use the same values of `cascade.nof_passes`,
/// which travels in `hello`; the others are local).
struct agree_config {
  std::string reconciliation = "cascade";  ///< cascade (interactive) | ldpc (one syndrome message)
  cascade_config cascade;
  double ldpc_efficiency = 1.5;   ///< LDPC syndrome bits = ⌈f·n·h(p̂)⌉
  int ldpc_max_iterations = 100;  ///< belief-propagation iterations
  double ldpc_increment = 0.02;   ///< rate adaptation: checks added per syndrome_more, share of the first syndrome
  int ldpc_verify_bits = 64;      ///< LDPC: Toeplitz-hash tag of Alice's string sent with the syndrome (leaked);
                                  ///< Bob asks for more checks when his decoded string does not match it; 0: none
  int nof_sample_bits = 0;      ///< bits Alice reveals (then discards) for Bob to estimate the error rate; 0: the
                                ///< calibrated error rate is used instead
  int eps_pa_log2 = 64;         ///< ε_PA = 2^−eps_pa_log2: the key's distance from uniform given Eve (and smoothing ε)
  int eps_cor_log2 = 64;        ///< ε_cor = 2^−eps_cor_log2: probability that different keys pass confirmation
  std::string finite_size = "second_order";  ///< finite-key term: second_order (Tomamichel–Hayashi) | tcr (rigorous)
  int key_bits = 128;           ///< final key length; no key if the PA length ℓ is shorter
  double timeout_s = 10;        ///< per message [s]
  double connect_timeout_s = 120;  ///< TCP: how long a listener waits for its peer, or a connector retries [s]
  int max_message_kib = 1024;   ///< larger frames are rejected [KiB]
  double session_timeout_s = 600;  ///< the whole session, however the peer paces its messages [s]
  /// A pre-shared key mixed into the confirmation and final keys (empty: none). Not part of the TOML config: the
  /// CLI reads it from the file `agree.psk_file` names (mode 0600).
  secure_bytes psk;
  std::string psk_file;           ///< where `keygen agree` reads `psk` from (empty: no pre-shared key)
  /// keygen agree: Alice's public randomness (error-rate sample, Cascade permutations, Toeplitz seed). 0: fresh from
  /// the OS CSPRNG every session (deployments); any other value fixes it (reproducible experiments and tests).
  std::uint64_t public_seed = 0;
  void describe(config::schema& s);
  /// The defaults of the chain commands (`keygen run`, `keygen agree`, quickstart), where Bob has his LLRs:
  /// soft-decision LDPC at f = 1.1 with rate adaptation (docs/key-agreement.md: 1.7x Cascade's secret bits at 20 dB).
  /// The struct's own defaults stay Cascade, which needs nothing but the two bit strings (Python's keygen.agree).
  static agree_config for_chain();
};

/// The public calibration of a session's bits (secret_chain.hpp), the same at Alice and Bob.
struct pa_calibration {
  double nof_realisations = 0;   ///< independent channel realisations the bits came from
  double h_total = 0;            ///< Σ H(X|E) over them [bits] (Eve's best estimator, worst position)
  double v_total = 0;            ///< Σ V(X|E) [bits²]
  double max_bits_per_realisation = 0;  ///< most bits one realisation gave
  double error_rate = 0.05;      ///< calibrated A-B bit error rate (Cascade's first block when no sample is revealed)
  double soft_entropy_total = 0; ///< ldpc_soft: Σ over the session's probes of the calibrated cross-entropy of
                                 ///< Alice's bits given Bob's LLRs [bits] (sizes the syndrome)
};

/// What one party ends with.
struct party_outcome {
  bool ok = false;               ///< confirmation succeeded: `key` holds the key
  std::string failure;           ///< one line, when !ok
  secure_bytes key;              ///< key_bits / 8 bytes, only when ok
  secure_bytes pa_bits;          ///< the ℓ PA output bits (for analysis in simulation; wiped with the outcome)
  secure_bytes reconciled;       ///< the party's string after dropping sample bits (and, for Bob, correcting)
  std::size_t nof_bits_in = 0;   ///< bits the party started with
  std::size_t leaked_bits = 0;   ///< sample bits + parity (or syndrome) bits
  std::size_t sample_bits = 0;
  double kdr_estimate = 0;       ///< from the sample
  cascade_stats cascade;
  finite_key_inputs pa_inputs;
  finite_key_result pa;
  transcript tr;
};

/// Alice's side. `public_seed` seeds the session id, permutations, sample positions and Toeplitz seed (public
/// values; in `keygen agree` it comes from RAND_bytes). Bob's nonce: from `cfg.public_seed` when it is fixed (tests,
/// reproducible runs), else from RAND_bytes.
party_outcome run_alice(transport& t, const std::vector<std::uint8_t>& bits, const agree_config& cfg,
                        const pa_calibration& cal, std::uint64_t public_seed);
/// Bob's side, with the same public calibration as Alice's.
/// `llr`: Bob's LLR of each of Alice's bits (reconciliation = ldpc_soft; same length as `bits`), else empty.
party_outcome run_bob(transport& t, const std::vector<std::uint8_t>& bits, const agree_config& cfg,
                      const pa_calibration& cal, const std::vector<double>& llr = {});

/// Eve's replay: she reads the transcript, drops the sample positions, and corrects her bits towards Alice's with
/// every parity Alice announced — each is a linear equation on Alice's bits, and peeling (an equation with one
/// unknown fixes that bit) determines every bit the transcript pins down, including the last step of each of
/// Bob's binary searches; her other bits stay as she measured them. Then she hashes with the public Toeplitz
/// seed and derives the key as Bob would. (She cannot run Cascade herself: Alice answers Bob's questions only.)
struct eve_outcome {
  kdr_result before, after;          ///< against Alice's string after the sample is dropped
  std::size_t determined_bits = 0;   ///< Alice's bits the transcript pinned down
  bool has_pa = false;               ///< the transcript reached `amplify`
  secure_bytes pa_bits;              ///< her ℓ PA output bits
  secure_bytes key;                  ///< her HKDF key (key_bits / 8 bytes), when the transcript had a confirmation
                                     ///< (she does not hold a pre-shared key)
};
eve_outcome run_eve(const transcript& tr, const std::vector<std::uint8_t>& eve_bits,
                    const std::vector<std::uint8_t>& alice_bits_after_sample, const agree_config& cfg);

/// One simulated session over the in-process transport (Alice and Bob in two threads), Eve replaying the transcript
/// with each of `eve_bits`.
struct session_result {
  party_outcome alice, bob;
  std::vector<eve_outcome> eve;
};
session_result simulate_session(const std::vector<std::uint8_t>& alice_bits, const std::vector<std::uint8_t>& bob_bits,
                                const std::vector<std::vector<std::uint8_t>>& eve_bits, const agree_config& cfg,
                                const pa_calibration& cal, std::uint64_t public_seed,
                                const std::vector<double>& bob_llr = {});

/// Fraction of equal bits of two equal-length 0/1 strings (NaN when empty).
double bit_agreement(const secure_bytes& a, const secure_bytes& b);

}  // namespace physec::keygen
