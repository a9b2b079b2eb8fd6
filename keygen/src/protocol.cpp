#include "physec/keygen/protocol.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <boost/math/distributions/binomial.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <thread>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"
#include "physec/keygen/ldpc.hpp"

namespace physec::keygen {

agree_config agree_config::for_chain() {
  agree_config c;
  c.reconciliation = "ldpc_soft";
  c.ldpc_efficiency = 1.1;
  return c;
}

void agree_config::describe(config::schema& s) {
  s.add("public_seed", public_seed,
        "keygen agree: Alice's public randomness (sample, permutations, Toeplitz seed); 0 = fresh from the OS CSPRNG "
        "each session, any other value fixes it for reproducible runs")
      .source("ours");
  s.add("reconciliation", reconciliation, "information reconciliation: Cascade (interactive parities), an LDPC syndrome "
        "decoded with Bob's bits (ldpc) or with Bob's soft LLRs of Alice's bits (ldpc_soft; syndrome = f * calibrated "
        "cross-entropy)")
      .choices({"cascade", "ldpc", "ldpc_soft"})
      .source("ours (keygen run/agree and quickstart: ldpc_soft, 1.7x Cascade's secret bits at 20 dB on the default "
              "dataset; elsewhere cascade, which needs no LLRs)");
  s.section("cascade", cascade, "Cascade reconciliation (Brassard & Salvail 1993)");
  s.add("ldpc_efficiency", ldpc_efficiency, "LDPC: syndrome bits = ceil(f * n * h(estimated error rate))")
      .range(1, 10)
      .source("ours (ldpc: 1.5, no failures at p >= 0.05, n = 4096; ldpc_soft: 1.1 with rate adaptation)");
  s.add("ldpc_max_iterations", ldpc_max_iterations, "LDPC: belief-propagation iterations").range(1, 10000).source("ours");
  s.add("ldpc_increment", ldpc_increment, "LDPC rate adaptation: when Bob's decoding fails he asks for more checks, "
        "this share of the first syndrome each time (each request counted as one more leaked bit), until the "
        "syndrome is n bits; 0: no second try (abort)")
      .range(0.0, 1.0)
      .source("ours (blind reconciliation: Martinez-Mateo, Elkouss & Martin, Quantum Inf. Comput. 12, 2012)");
  s.add("ldpc_verify_bits", ldpc_verify_bits, "LDPC: a Toeplitz-hash tag of Alice's string of this many bits travels "
        "with the syndrome (counted as leaked); when Bob's decoding satisfies every check but not the tag (a wrong "
        "codeword) he asks for more checks instead of failing confirmation; 0: no tag")
      .range(0, 256)
      .source("ours (two of seven 20 dB sessions over loopback failed confirmation without it)");
  s.add("nof_sample_bits", nof_sample_bits,
        "bits Alice reveals and discards so Bob can estimate the error rate; 0: use the calibrated error rate")
      .range(0, 1 << 20)
      .source("issue #15 (calibrated error rate instead of revealed bits)");
  s.add("eps_pa_log2", eps_pa_log2, "eps_PA = 2^-N: the key's distance from uniform given Eve; also the smoothing eps")
      .range(1, 256)
      .source("issue #15 (eps_PA <= 2^-64)");
  s.add("eps_cor_log2", eps_cor_log2, "eps_cor = 2^-N: probability that different keys pass confirmation")
      .range(1, 256)
      .source("ours");
  s.add("finite_size", finite_size,
        "finite-key term of the smooth min-entropy: second_order (sqrt(V) PhiInv(1 - eps^2), Tomamichel-Hayashi 2013) "
        "or tcr (rigorous, Tomamichel-Colbeck-Renner 2009)")
      .choices({"second_order", "tcr"})
      .source("issue #15");
  s.add("key_bits", key_bits, "final key length [bits], a multiple of 8; no key when the PA length is shorter")
      .range(8, 8192)
      .source("ours");
  s.add("timeout_s", timeout_s, "wait for each message at most this long [s]").range(0.01, 3600).source("ours");
  s.add("connect_timeout_s", connect_timeout_s, "TCP: a listener waits this long for its peer, a connector retries this long [s]")
      .range(0.01, 86400)
      .source("ours");
  s.add("max_message_kib", max_message_kib, "larger messages are rejected [KiB]").range(1, 1 << 20).source("ours");
  s.add("session_timeout_s", session_timeout_s, "the whole session at most this long, however the peer paces it [s]")
      .range(0.01, 86400)
      .source("ours (issue #20: a peer must not hold a party forever)");
  s.add("psk_file", psk_file,
        "pre-shared key file (mode 0600, >= 16 bytes) mixed into the confirmation and final keys: a man in the middle "
        "without it cannot complete a session; empty: none (the parties authenticate only by their CSI)")
      .source("issue #20 (active attacker)");
  s.check([this, k = s.key("key_bits")](const std::string& file) {
    if (key_bits % 8 != 0) config::fail(file, k, "not a whole number of bytes", "a multiple of 8", std::to_string(key_bits));
  });
}

namespace {

const char* k_info_confirm = "physec pskg v3 key confirmation";
const char* k_info_key = "physec pskg v3 final key";
constexpr std::size_t k_session_id_bytes = 16;
constexpr std::size_t k_nonce_bytes = 16;
constexpr std::uint32_t k_max_bits = 1u << 24;
constexpr std::size_t k_max_ldpc_tag_bits = 256;  ///< agree.ldpc_verify_bits' range

std::vector<std::uint8_t> to_vec(const char* s) { return std::vector<std::uint8_t>(s, s + std::strlen(s)); }

/// Sends and receives through a transport, recording every frame.
struct endpoint {
  transport& t;
  transcript& tr;
  direction mine;
  std::chrono::steady_clock::time_point deadline;
  void send(msg_type type, std::vector<std::uint8_t> payload) {
    message m{type, std::move(payload)};
    t.send(m);
    tr.frames.emplace_back(mine, std::move(m));
  }
  message expect(msg_type want, msg_type also = msg_type::abort) {
    if (std::chrono::steady_clock::now() > deadline)
      throw error("session took longer than agree.session_timeout_s", {t.peer(), "session", {}});
    message m = t.receive();
    tr.frames.emplace_back(mine == direction::alice_to_bob ? direction::bob_to_alice : direction::alice_to_bob, m);
    if (m.type == msg_type::abort) {
      payload_reader r(m, t.peer());
      const auto reason = r.bytes("reason", 4096);
      throw error("the peer aborted: " + std::string(reason.begin(), reason.end()), {t.peer(), "abort", {}});
    }
    if (m.type != want && m.type != also)
      throw error("unexpected message", {t.peer(), "frame.type", {}}, to_string(want), to_string(m.type));
    return m;
  }
  /// Best effort: tells the peer why we stop (the connection may already be gone).
  void abort(const std::string& reason) noexcept {
    try {
      const std::string r = reason.substr(0, 4000);
      send(msg_type::abort, payload_writer().bytes(reinterpret_cast<const std::uint8_t*>(r.data()), r.size()).take());
    } catch (...) {
    }
  }
};

/// Sample positions drawn from the public seed (distinct, in draw order).
std::vector<std::size_t> sample_positions(std::size_t n, std::size_t ns, std::uint64_t perm_seed) {
  auto r = rng_stream(perm_seed).derive("keygen/agree/sample");
  std::vector<std::size_t> idx(n);
  for (std::size_t i = 0; i < n; ++i) idx[i] = i;
  for (std::size_t i = 0; i < ns; ++i) std::swap(idx[i], idx[i + r.uniform_int(n - i)]);
  idx.resize(ns);
  return idx;
}

/// The public seed of the LDPC code, derived from the session's permutation seed.
std::uint64_t ldpc_seed(std::uint64_t perm_seed) { return rng_stream(perm_seed).derive("keygen/agree/ldpc").key(); }

/// The session's code: the hello's reconciliation byte (1: ldpc, regular; 2: ldpc_soft, irregular).
ldpc_code session_code(std::size_t n, std::size_t m, std::uint64_t perm_seed, int method) {
  return {n, m, ldpc_seed(perm_seed), method == 2 ? k_ldpc_soft_degrees : k_ldpc_regular_degrees};
}

/// Rate adaptation: the checks of the k-th syndrome_more (k >= 1), `count` of them, appended to `code`, each on 4
/// variables. Light checks: simulated with Bob's LLRs at the default dataset's correlations (docs/key-agreement.md),
/// a first syndrome of 0.9 times the soft conditional entropy grown by 2 % steps decoded at 1.14 times it with checks
/// of weight 4 (3: 1.14-1.17, 2: 1.17), at 1.21 with weight 6 and at 1.42-1.53 with the first code's mean (9).
void add_session_checks(ldpc_code& code, std::size_t count, std::uint64_t perm_seed, std::size_t k) {
  code.add_checks(count, 4, rng_stream(perm_seed).derive("keygen/agree/ldpc/more/" + std::to_string(k)).key());
}

/// Checks per syndrome_more: the share `increment` of the first syndrome, at least 1, at most what is left to n.
std::size_t more_checks(std::size_t first, double increment, std::size_t so_far, std::size_t n) {
  if (so_far >= n) return 0;
  return std::min(n - so_far, std::max<std::size_t>(1, static_cast<std::size_t>(std::ceil(increment * static_cast<double>(first)))));
}

/// LDPC verification tag: a Toeplitz hash of `bits_` to `tag_bits` bits, its seed drawn from the session's public
/// seed. Belief propagation can converge to a wrong string that satisfies every check (a low-weight codeword of the
/// code added to Alice's); Bob then asks for more checks instead of failing confirmation (issue #15).
std::vector<std::uint8_t> ldpc_tag(const std::vector<std::uint8_t>& bits_, std::size_t tag_bits, std::uint64_t perm_seed) {
  if (tag_bits == 0) return {};
  auto r = rng_stream(perm_seed).derive("keygen/agree/ldpc/verify");
  std::vector<std::uint8_t> seed(bits_.size() + tag_bits - 1);
  for (auto& b : seed) b = static_cast<std::uint8_t>(r.uniform_int(2));
  return toeplitz_hash(bits_, seed, tag_bits);
}

std::size_t nof_samples(std::size_t n, int cfg_samples) {
  return std::min<std::size_t>(static_cast<std::size_t>(cfg_samples), n / 4);
}

secure_bytes drop_positions(const std::vector<std::uint8_t>& bits, const std::vector<std::size_t>& drop) {
  std::vector<std::uint8_t> keep(bits.size(), 1);
  for (auto i : drop) keep[i] = 0;
  secure_bytes out;
  out.vec().reserve(bits.size() - drop.size());
  for (std::size_t i = 0; i < bits.size(); ++i)
    if (keep[i]) out.vec().push_back(bits[i]);
  return out;
}

std::vector<std::uint8_t> encode_queries(const std::vector<parity_query>& qs) {
  payload_writer w;
  w.u32(static_cast<std::uint32_t>(qs.size()));
  for (const auto& q : qs) w.u8(q.pass).u32(q.start).u32(q.end);
  return w.take();
}

std::vector<parity_query> decode_queries(const message& m, const std::string& origin) {
  payload_reader r(m, origin);
  const std::uint32_t n = r.u32("count", static_cast<std::uint32_t>(m.payload.size() / 9));
  std::vector<parity_query> qs(n);
  for (auto& q : qs) {
    q.pass = r.u8("pass");
    q.start = r.u32("start");
    q.end = r.u32("end");
  }
  r.finish();
  return qs;
}

struct amplify_msg {
  std::uint32_t length = 0, key_bits = 0;
  finite_key_inputs in;
  std::vector<std::uint8_t> seed;
};

std::vector<std::uint8_t> encode_amplify(const amplify_msg& a) {
  payload_writer w;
  w.u32(a.length).u32(a.key_bits).u32(static_cast<std::uint32_t>(a.in.eps_pa_log2));
  w.u32(static_cast<std::uint32_t>(a.in.eps_cor_log2)).u8(a.in.finite_size == "tcr" ? 1 : 0);
  w.f64(a.in.nof_realisations).f64(a.in.h_total).f64(a.in.v_total).f64(a.in.max_bits_per_realisation);
  w.u64(a.in.leaked_bits).bits(a.seed);
  return w.take();
}

amplify_msg decode_amplify(const message& m, const std::string& origin, std::size_t n) {
  payload_reader r(m, origin);
  amplify_msg a;
  a.length = r.u32("length", static_cast<std::uint32_t>(n));
  a.key_bits = r.u32("key_bits", 8192);
  a.in.eps_pa_log2 = static_cast<int>(r.u32("eps_pa_log2", 256));
  a.in.eps_cor_log2 = static_cast<int>(r.u32("eps_cor_log2", 256));
  const int finite = r.u8("finite_size");
  a.in.nof_realisations = r.f64("nof_realisations");
  a.in.h_total = r.f64("h_total");
  a.in.v_total = r.f64("v_total");
  a.in.max_bits_per_realisation = r.f64("max_bits_per_realisation");
  a.in.leaked_bits = r.u64("leaked_bits");
  a.seed = r.bits("toeplitz_seed", n + a.length);
  r.finish();
  if (finite > 1)
    throw error("malformed message: finite-size method", {origin, "amplify.finite_size", {}}, "0 or 1", std::to_string(finite));
  a.in.finite_size = finite == 1 ? "tcr" : "second_order";
  if (a.length == 0 || a.seed.size() != n + a.length - 1)
    throw error("malformed message: Toeplitz seed length", {origin, "amplify.toeplitz_seed", {}},
                std::to_string(n + a.length - 1) + " bits", std::to_string(a.seed.size()));
  return a;
}

std::vector<std::uint8_t> tag_message(const char* who, const digest& h) {
  std::vector<std::uint8_t> m = to_vec(who);
  m.insert(m.end(), h.begin(), h.end());
  return m;
}

/// PA output (|| pre-shared key) -> (confirmation key, final key); salt = session id || Bob's nonce.
std::pair<secure_bytes, secure_bytes> derive_keys(const secure_bytes& pa_bits, const std::vector<std::uint8_t>& session,
                                                  const std::vector<std::uint8_t>& bob_nonce, const secure_bytes& psk,
                                                  std::size_t key_bits) {
  secure_bytes ikm(pack_bits(pa_bits.data(), pa_bits.size()));
  ikm.vec().insert(ikm.vec().end(), psk.vec().begin(), psk.vec().end());
  std::vector<std::uint8_t> salt = session;
  salt.insert(salt.end(), bob_nonce.begin(), bob_nonce.end());
  return {hkdf_sha256(ikm.data(), ikm.size(), salt, to_vec(k_info_confirm), 32),
          hkdf_sha256(ikm.data(), ikm.size(), salt, to_vec(k_info_key), key_bits / 8)};
}

/// Bob's fresh nonce: reproducible when the session's public randomness is fixed, else from the OS CSPRNG.
std::vector<std::uint8_t> bob_nonce(const agree_config& cfg) {
  if (cfg.public_seed == 0) return secure_random_bytes(k_nonce_bytes);
  auto r = rng_stream(cfg.public_seed).derive("keygen/agree/bob_nonce");
  std::vector<std::uint8_t> n(k_nonce_bytes);
  for (auto& b : n) b = static_cast<std::uint8_t>(r() >> 56);
  return n;
}

std::chrono::steady_clock::time_point session_deadline(const agree_config& cfg) {
  return std::chrono::steady_clock::now() +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(std::chrono::duration<double>(cfg.session_timeout_s));
}

digest tag(const secure_bytes& k_conf, const char* who, const digest& h) {
  const auto m = tag_message(who, h);
  return hmac_sha256(k_conf.data(), k_conf.size(), m.data(), m.size());
}

std::vector<std::uint8_t> encode_tag(const digest& d) { return payload_writer().bytes(d.data(), d.size()).take(); }

digest decode_tag(const message& m, const std::string& origin) {
  payload_reader r(m, origin);
  const auto b = r.bytes("tag", 32);
  r.finish();
  if (b.size() != 32) throw error("malformed message: tag length", {origin, "confirm.tag", {}}, "32 bytes", std::to_string(b.size()));
  digest d{};
  std::copy(b.begin(), b.end(), d.begin());
  return d;
}

/// The PA inputs from the public calibration, the string length n and a party's own leakage count. H(X|E) ≤ n.
finite_key_inputs finite_inputs(const pa_calibration& cal, std::size_t n, std::size_t leaked, const agree_config& cfg) {
  finite_key_inputs in;
  in.nof_realisations = cal.nof_realisations;
  in.h_total = std::min(cal.h_total, static_cast<double>(n));
  in.v_total = cal.v_total;
  in.max_bits_per_realisation = cal.max_bits_per_realisation;
  in.leaked_bits = leaked;
  in.eps_pa_log2 = cfg.eps_pa_log2;
  in.eps_cor_log2 = cfg.eps_cor_log2;
  in.finite_size = cfg.finite_size;
  return in;
}

std::size_t max_bytes(const agree_config& cfg) { return static_cast<std::size_t>(cfg.max_message_kib) * 1024; }

}  // namespace

party_outcome run_alice(transport& t, const std::vector<std::uint8_t>& bits, const agree_config& cfg,
                        const pa_calibration& cal, std::uint64_t public_seed) {
  party_outcome o;
  o.nof_bits_in = bits.size();
  endpoint ep{t, o.tr, direction::alice_to_bob, session_deadline(cfg)};
  try {
    if (bits.size() < 16 || bits.size() > k_max_bits)
      throw error("too few or too many bits for a session", {"", "alice.bits", {}}, "16.." + std::to_string(k_max_bits),
                  std::to_string(bits.size()));
    auto pub = rng_stream(public_seed).derive("keygen/agree/public");
    std::vector<std::uint8_t> session(k_session_id_bytes);
    for (auto& b : session) b = static_cast<std::uint8_t>(pub() >> 56);
    const std::uint64_t perm_seed = pub();
    const std::size_t ns = nof_samples(bits.size(), cfg.nof_sample_bits);
    const auto pos = sample_positions(bits.size(), ns, perm_seed);
    std::vector<std::uint8_t> sample(ns);
    for (std::size_t i = 0; i < ns; ++i) sample[i] = bits[pos[i]];
    payload_writer hello;
    hello.bytes(session.data(), session.size()).u32(static_cast<std::uint32_t>(bits.size()));
    const bool ldpc = cfg.reconciliation != "cascade";
    hello.u8(static_cast<std::uint8_t>(cfg.cascade.nof_passes))
        .u8(cfg.reconciliation == "ldpc_soft" ? 2 : ldpc ? 1 : 0);
    hello.u64(perm_seed).bits(sample);
    ep.send(msg_type::hello, hello.take());
    o.sample_bits = ns;
    o.reconciled = drop_positions(bits, pos);
    const std::size_t n = o.reconciled.size();
    std::vector<std::uint8_t> nonce;
    {
      const message ack = ep.expect(msg_type::hello_ack);
      payload_reader r(ack, t.peer());
      o.kdr_estimate = r.f64("kdr_estimate");
      o.cascade.first_block_bits = r.u32("first_block_bits", k_max_bits);
      nonce = r.bytes("bob_nonce", k_nonce_bytes);
      r.finish();
      if (nonce.size() != k_nonce_bytes)
        throw error("malformed message: nonce length", {t.peer(), "hello_ack.bob_nonce", {}}, "16 bytes",
                    std::to_string(nonce.size()));
    }
    if (ldpc) {
      // A one-way code cannot ask again: size it for the 97.5 % Clopper–Pearson upper bound of the error rate from
      // the ns sample bits (their error count is recovered from Bob's estimate (k + 1/2)/(ns + 1)).
      const double k = std::max(0.0, std::round(o.kdr_estimate * (static_cast<double>(ns) + 1) - 0.5));
      using binom = boost::math::binomial_distribution<double>;
      const double p_hi = ns == 0 ? std::min(0.5, cal.error_rate)
                                  : binom::find_upper_bound_on_p(static_cast<double>(ns), k, 0.025,
                                                                 binom::clopper_pearson_exact_interval);
      // Soft: Bob's LLRs leave H(X|LLR) per bit, calibrated as a cross-entropy (soft_entropy_total).
      const std::size_t m =
          cfg.reconciliation == "ldpc_soft"
              ? std::clamp<std::size_t>(static_cast<std::size_t>(std::ceil(cfg.ldpc_efficiency * cal.soft_entropy_total)), 3, n)
              : ldpc_syndrome_bits(n, std::min(0.5, p_hi), cfg.ldpc_efficiency);
      ldpc_code code = session_code(n, m, perm_seed, cfg.reconciliation == "ldpc_soft" ? 2 : 1);
      const auto tag = ldpc_tag(o.reconciled.vec(), static_cast<std::size_t>(cfg.ldpc_verify_bits), perm_seed);
      ep.send(msg_type::syndrome, payload_writer().bits(code.syndrome(o.reconciled.vec())).bits(tag).take());
      o.cascade.leaked_bits = m + tag.size();
      o.cascade.nof_rounds = 1;
      // Rate adaptation: each syndrome_more (one more leaked bit: Bob's failure is a function of his data) gets the
      // syndrome of the next checks only.
      while (true) {
        const message more = ep.expect(msg_type::syndrome_more, msg_type::reconciled);
        payload_reader(more, t.peer()).finish();
        if (more.type == msg_type::reconciled) break;
        const std::size_t add = more_checks(m, cfg.ldpc_increment, code.nof_checks(), n);
        if (add == 0 || cfg.ldpc_increment <= 0)
          throw error("LDPC: Bob asked for more syndrome bits than the string has, or rate adaptation is off",
                      {t.peer(), "syndrome_more", {}}, "at most " + std::to_string(n) + " syndrome bits",
                      std::to_string(code.nof_checks()) + " sent");
        const std::size_t before = code.nof_checks();
        add_session_checks(code, add, perm_seed, o.cascade.nof_rounds);
        const auto syn = code.syndrome(o.reconciled.vec());
        ep.send(msg_type::syndrome,
                payload_writer().bits(std::vector<std::uint8_t>(syn.begin() + static_cast<std::ptrdiff_t>(before), syn.end())).take());
        o.cascade.leaked_bits += add + 1;
        ++o.cascade.nof_rounds;
      }
    }
    const cascade_permutations perm(ldpc ? 0 : n, cfg.cascade.nof_passes, perm_seed);
    while (!ldpc) {
      const message m = ep.expect(msg_type::parity_query, msg_type::reconciled);
      if (m.type == msg_type::reconciled) {
        payload_reader(m, t.peer()).finish();
        break;
      }
      const auto qs = decode_queries(m, t.peer());
      std::vector<std::uint8_t> answers(qs.size());
      for (std::size_t i = 0; i < qs.size(); ++i) {
        try {
          answers[i] = perm.parity(o.reconciled.vec(), qs[i]);
        } catch (const error& e) {
          throw error("malformed message: " + e.description(), {t.peer(), "parity_query", i}, e.expected(), e.found());
        }
      }
      o.cascade.leaked_bits += qs.size();
      ++o.cascade.nof_rounds;
      // Honest Cascade asks fewer parities than there are bits; more would reveal the whole string.
      if (o.cascade.leaked_bits > n)
        throw error("Bob asked for more parities than there are bits", {t.peer(), "parity_query", {}},
                    "at most " + std::to_string(n), std::to_string(o.cascade.leaked_bits));
      ep.send(msg_type::parity_reply, payload_writer().bits(answers).take());
    }
    o.leaked_bits = ns + o.cascade.leaked_bits;
    o.pa_inputs = finite_inputs(cal, n, o.leaked_bits, cfg);
    o.pa = finite_key_length(o.pa_inputs);
    if (o.pa.length < static_cast<std::size_t>(cfg.key_bits))
      throw error(fmt::format("not enough secret bits for a {}-bit key: PA length {} ({})", cfg.key_bits, o.pa.length,
                              o.pa.formula),
                  {"", "privacy amplification", {}});
    amplify_msg a;
    a.length = static_cast<std::uint32_t>(o.pa.length);
    a.key_bits = static_cast<std::uint32_t>(cfg.key_bits);
    a.in = o.pa_inputs;
    auto seed_rng = pub.derive("toeplitz");
    a.seed.resize(n + o.pa.length - 1);
    for (auto& b : a.seed) b = seed_rng.bit() ? 1 : 0;
    ep.send(msg_type::amplify, encode_amplify(a));
    o.pa_bits = secure_bytes(toeplitz_hash(o.reconciled.vec(), a.seed, o.pa.length));
    auto [k_conf, key] = derive_keys(o.pa_bits, session, nonce, cfg.psk, static_cast<std::size_t>(cfg.key_bits));
    const digest h = o.tr.hash();
    ep.send(msg_type::confirm, encode_tag(tag(k_conf, "alice", h)));
    const digest theirs = decode_tag(ep.expect(msg_type::confirm), t.peer());
    const digest want = tag(k_conf, "bob", h);
    if (!equal_constant_time(theirs.data(), want.data(), want.size()))
      throw error("key confirmation failed: Bob's tag does not match; the key is discarded", {t.peer(), "confirm", {}});
    ep.send(msg_type::accepted, {});
    o.key = std::move(key);
    o.ok = true;
  } catch (const std::exception& e) {
    o.failure = e.what();
    o.key.wipe();
    ep.abort(o.failure);
  }
  return o;
}

party_outcome run_bob(transport& t, const std::vector<std::uint8_t>& bits, const agree_config& cfg,
                      const pa_calibration& cal, const std::vector<double>& llr) {
  party_outcome o;
  o.nof_bits_in = bits.size();
  endpoint ep{t, o.tr, direction::bob_to_alice, session_deadline(cfg)};
  bool peer_aborted = false;
  try {
    const message hm = ep.expect(msg_type::hello);
    payload_reader r(hm, t.peer());
    const auto session = r.bytes("session_id", k_session_id_bytes);
    const std::uint32_t n_all = r.u32("nof_bits", k_max_bits);
    const int passes = r.u8("nof_passes");
    const int method = r.u8("reconciliation");
    const std::uint64_t perm_seed = r.u64("permutation_seed");
    const auto sample = r.bits("sample_bits", n_all / 4);
    r.finish();
    if (method > 2)
      throw error("malformed message: reconciliation method", {t.peer(), "hello.reconciliation", {}},
                  "0 (Cascade), 1 (LDPC) or 2 (soft LDPC)", std::to_string(method));
    if (method == 2 && llr.size() != bits.size())
      throw error("soft LDPC needs Bob's LLR of every bit", {"", "reconciliation", {}}, std::to_string(bits.size()) + " LLRs",
                  std::to_string(llr.size()));
    if (session.size() != k_session_id_bytes)
      throw error("malformed message: session id length", {t.peer(), "hello.session_id", {}}, "16 bytes", std::to_string(session.size()));
    if (passes < 1 || passes > 16)
      throw error("malformed message: Cascade passes", {t.peer(), "hello.nof_passes", {}}, "1..16", std::to_string(passes));
    if (n_all != bits.size())
      throw error("Alice and Bob hold different numbers of bits", {t.peer(), "hello.nof_bits", {}}, std::to_string(bits.size()),
                  std::to_string(n_all));
    const auto pos = sample_positions(bits.size(), sample.size(), perm_seed);
    std::size_t wrong = 0;
    for (std::size_t i = 0; i < pos.size(); ++i) wrong += (bits[pos[i]] != sample[i]);
    o.sample_bits = sample.size();
    o.kdr_estimate = sample.empty() ? cal.error_rate
                                    : (static_cast<double>(wrong) + 0.5) / (static_cast<double>(sample.size()) + 1.0);
    const std::size_t k1 = cascade_first_block(o.kdr_estimate, cfg.cascade);
    const std::vector<std::uint8_t> nonce = bob_nonce(cfg);
    ep.send(msg_type::hello_ack, payload_writer()
                                     .f64(o.kdr_estimate)
                                     .u32(static_cast<std::uint32_t>(k1))
                                     .bytes(nonce.data(), nonce.size())
                                     .take());
    o.reconciled = drop_positions(bits, pos);
    const std::size_t n = o.reconciled.size();
    if (method >= 1) {
      const message sm = ep.expect(msg_type::syndrome);
      payload_reader rs(sm, t.peer());
      const auto syn = rs.bits("syndrome", n);
      const auto tag = rs.bits("verify_tag", k_max_ldpc_tag_bits);
      rs.finish();
      if (syn.size() < 3)
        throw error("malformed message: syndrome length", {t.peer(), "syndrome", {}}, "3.." + std::to_string(n), std::to_string(syn.size()));
      ldpc_code code = session_code(n, syn.size(), perm_seed, method);
      const std::size_t first = syn.size();
      auto all_syn = syn;
      const auto own = o.reconciled;  // Bob's bits: every try starts from them
      o.cascade.leaked_bits = syn.size() + tag.size();
      o.cascade.nof_rounds = 1;
      std::vector<double> kept;  // soft: the LLRs of the bits left after the sample
      if (method == 2) {
        std::vector<std::uint8_t> dropped(bits.size(), 0);
        for (auto p : pos) dropped[p] = 1;
        for (std::size_t i = 0; i < bits.size(); ++i)
          if (!dropped[i]) kept.push_back(llr[i]);
      }
      while (true) {
        o.reconciled = own;
        const bool converged = method == 2 ? code.decode_llr(o.reconciled.vec(), all_syn, kept, cfg.ldpc_max_iterations)
                                           : code.decode(o.reconciled.vec(), all_syn, o.kdr_estimate, cfg.ldpc_max_iterations);
        if (converged && ldpc_tag(o.reconciled.vec(), tag.size(), perm_seed) == tag) break;
        if (converged) ++o.cascade.nof_wrong_codewords;  // caught by the tag: ask for more checks
        const std::size_t add = more_checks(first, cfg.ldpc_increment, code.nof_checks(), n);
        if (add == 0 || cfg.ldpc_increment <= 0)
          throw error("LDPC decoding did not converge (too many errors for the syndrome length)", {"", "reconciliation", {}},
                      "convergence", std::to_string(code.nof_checks()) + " syndrome bits for " + std::to_string(n) + " bits");
        ep.send(msg_type::syndrome_more, {});
        const message mm = ep.expect(msg_type::syndrome);
        payload_reader rm(mm, t.peer());
        const auto extra = rm.bits("syndrome", add);
        rm.finish();
        if (extra.size() != add)
          throw error("malformed message: syndrome length", {t.peer(), "syndrome", {}}, std::to_string(add), std::to_string(extra.size()));
        add_session_checks(code, add, perm_seed, o.cascade.nof_rounds);
        all_syn.insert(all_syn.end(), extra.begin(), extra.end());
        o.cascade.leaked_bits += add + 1;
        ++o.cascade.nof_rounds;
      }
    } else {
      const cascade_permutations perm(n, passes, perm_seed);
      o.cascade = cascade_correct(o.reconciled.vec(), k1, perm, [&](const std::vector<parity_query>& qs) {
        ep.send(msg_type::parity_query, encode_queries(qs));
        const message m = ep.expect(msg_type::parity_reply);
        payload_reader rr(m, t.peer());
        auto a = rr.bits("parities", qs.size());
        rr.finish();
        return a;
      });
    }
    ep.send(msg_type::reconciled, {});
    o.leaked_bits = o.sample_bits + o.cascade.leaked_bits;
    message am;
    try {
      am = ep.expect(msg_type::amplify);
    } catch (const error&) {
      peer_aborted = o.tr.frames.back().second.type == msg_type::abort;
      throw;
    }
    const amplify_msg a = decode_amplify(am, t.peer(), n);
    if (a.in.leaked_bits != o.leaked_bits)
      throw error("Alice counts a different leakage", {t.peer(), "amplify.leaked_bits", {}}, std::to_string(o.leaked_bits),
                  std::to_string(a.in.leaked_bits));
    if (a.key_bits != static_cast<std::uint32_t>(cfg.key_bits) || a.key_bits % 8 != 0)
      throw error("key length differs", {t.peer(), "amplify.key_bits", {}}, std::to_string(cfg.key_bits), std::to_string(a.key_bits));
    // Bob recomputes every PA input from his own calibration and leakage count: Alice's must be the same.
    o.pa_inputs = finite_inputs(cal, n, o.leaked_bits, cfg);
    const auto& mine = o.pa_inputs;
    const auto& theirs_in = a.in;
    const auto differs = [&](const char* field, double x, double y) {
      if (x != y)
        throw error("Alice's privacy-amplification input differs from Bob's calibration", {t.peer(), std::string("amplify.") + field, {}},
                    fmt::format("{}", x), fmt::format("{}", y));
    };
    differs("nof_realisations", mine.nof_realisations, theirs_in.nof_realisations);
    differs("h_total", mine.h_total, theirs_in.h_total);
    differs("v_total", mine.v_total, theirs_in.v_total);
    differs("max_bits_per_realisation", mine.max_bits_per_realisation, theirs_in.max_bits_per_realisation);
    differs("eps_pa_log2", mine.eps_pa_log2, theirs_in.eps_pa_log2);
    differs("eps_cor_log2", mine.eps_cor_log2, theirs_in.eps_cor_log2);
    differs("finite_size (1 = tcr)", mine.finite_size == "tcr", theirs_in.finite_size == "tcr");
    o.pa = finite_key_length(mine);
    if (o.pa.length != a.length)
      throw error("PA length does not follow from its inputs", {t.peer(), "amplify.length", {}}, std::to_string(o.pa.length),
                  std::to_string(a.length));
    if (a.length < a.key_bits)
      throw error("PA length shorter than the key", {t.peer(), "amplify.length", {}}, ">= " + std::to_string(a.key_bits),
                  std::to_string(a.length));
    o.pa_bits = secure_bytes(toeplitz_hash(o.reconciled.vec(), a.seed, a.length));
    auto [k_conf, key] = derive_keys(o.pa_bits, session, nonce, cfg.psk, a.key_bits);
    const digest h = o.tr.hash();
    const digest theirs = decode_tag(ep.expect(msg_type::confirm), t.peer());
    const digest want = tag(k_conf, "alice", h);
    if (!equal_constant_time(theirs.data(), want.data(), want.size()))
      throw error("key confirmation failed: Alice's tag does not match (residual errors after reconciliation, an "
                  "altered message, or a peer without the pre-shared key); the key is discarded",
                  {t.peer(), "confirm", {}});
    ep.send(msg_type::confirm, encode_tag(tag(k_conf, "bob", h)));
    // Keep the key only once Alice says she verified Bob's tag: never a key the other side discarded.
    payload_reader(ep.expect(msg_type::accepted), t.peer()).finish();
    o.key = std::move(key);
    o.ok = true;
  } catch (const std::exception& e) {
    o.failure = e.what();
    o.key.wipe();
    const bool aborted = peer_aborted || (!o.tr.frames.empty() && o.tr.frames.back().second.type == msg_type::abort);
    if (!aborted) ep.abort(o.failure);
  }
  return o;
}

eve_outcome run_eve(const transcript& tr, const std::vector<std::uint8_t>& eve_bits,
                    const std::vector<std::uint8_t>& alice_rem, const agree_config& cfg) {
  eve_outcome e;
  const std::string origin = "transcript";
  const message* hello = nullptr;
  const message* ack = nullptr;
  const message* amp = nullptr;
  const message* syn = nullptr;
  std::vector<const message*> syn_more;  // rate adaptation: the later syndrome messages, in order
  for (const auto& [dir, m] : tr.frames) {
    if (m.type == msg_type::syndrome && syn) syn_more.push_back(&m);
    if (m.type == msg_type::syndrome && !syn) syn = &m;
    if (m.type == msg_type::hello && !hello) hello = &m;
    if (m.type == msg_type::hello_ack && !ack) ack = &m;
    if (m.type == msg_type::amplify && !amp) amp = &m;
  }
  if (!hello || !ack) return e;
  payload_reader r(*hello, origin);
  const auto session = r.bytes("session_id", k_session_id_bytes);
  const std::uint32_t n_all = r.u32("nof_bits", k_max_bits);
  const int passes = r.u8("nof_passes");
  const int method = r.u8("reconciliation");
  const std::uint64_t perm_seed = r.u64("permutation_seed");
  const auto sample = r.bits("sample_bits", n_all / 4);
  if (n_all != eve_bits.size())
    throw error("Eve holds a different number of bits", {origin, "hello.nof_bits", {}}, std::to_string(eve_bits.size()),
                std::to_string(n_all));
  payload_reader ra(*ack, origin);
  ra.f64("kdr_estimate");
  const std::size_t k1 = ra.u32("first_block_bits", k_max_bits);
  const auto nonce = ra.bytes("bob_nonce", k_nonce_bytes);
  secure_bytes mine = drop_positions(eve_bits, sample_positions(n_all, sample.size(), perm_seed));
  const std::size_t n = mine.size();
  (void)k1;
  e.before = key_disagreement(alice_rem, mine.vec());
  const cascade_permutations perm(n, passes, perm_seed);
  // Every parity Alice announced is a linear equation on her bits. Peeling: an equation with one unknown bit fixes
  // it; fixing it may leave another equation with one unknown; and so on. Binary searches end in single-bit
  // parities, so this pins down every bit the transcript reveals outright or by elimination along the searches.
  std::vector<std::vector<std::uint32_t>> eq_bits;
  std::vector<std::uint8_t> eq_parity;
  const std::vector<parity_query>* pending = nullptr;
  std::vector<parity_query> last;
  for (const auto& [dir, m] : tr.frames) {
    if (m.type == msg_type::parity_query) {
      last = decode_queries(m, origin);
      pending = &last;
    } else if (m.type == msg_type::parity_reply && pending) {
      payload_reader rr(m, origin);
      const auto a = rr.bits("parities", pending->size());
      for (std::size_t i = 0; i < a.size() && i < pending->size(); ++i) {
        const auto& q = (*pending)[i];
        if (q.pass >= passes || q.start >= q.end || q.end > n) continue;
        std::vector<std::uint32_t> idx;
        for (std::uint32_t k = q.start; k < q.end; ++k) idx.push_back(perm.at(q.pass, k));
        eq_bits.push_back(std::move(idx));
        eq_parity.push_back(a[i]);
      }
      pending = nullptr;
    }
  }
  std::vector<std::vector<std::size_t>> eqs_of(n);
  std::vector<std::size_t> unknown(eq_bits.size());
  std::vector<std::uint8_t> acc(eq_parity);
  std::vector<std::uint8_t> known(n, 0);
  std::vector<std::size_t> ready;
  for (std::size_t c = 0; c < eq_bits.size(); ++c) {
    unknown[c] = eq_bits[c].size();
    for (auto x : eq_bits[c]) eqs_of[x].push_back(c);
    if (unknown[c] == 1) ready.push_back(c);
  }
  while (!ready.empty()) {
    const std::size_t c = ready.back();
    ready.pop_back();
    if (unknown[c] != 1) continue;
    std::uint32_t x = 0;
    for (auto b : eq_bits[c])
      if (!known[b]) x = b;
    known[x] = 1;
    mine[x] = acc[c];  // acc[c] = Alice's parity xor her known bits of the equation = her bit x
    ++e.determined_bits;
    for (auto c2 : eqs_of[x]) {
      acc[c2] ^= mine[x];
      if (--unknown[c2] == 1) ready.push_back(c2);
    }
  }
  if (syn) {
    // LDPC: Eve decodes the syndrome with her own bits, told her true error rate (a generous prior).
    payload_reader rs(*syn, origin);
    auto s_bits = rs.bits("syndrome", n);
    const double p_eve = std::max(1e-3, e.before.kdr);
    auto code = session_code(n, s_bits.size(), perm_seed, method);
    for (std::size_t k = 0; k < syn_more.size(); ++k) {
      payload_reader rm(*syn_more[k], origin);
      const auto extra = rm.bits("syndrome", n);
      add_session_checks(code, extra.size(), perm_seed, k + 1);
      s_bits.insert(s_bits.end(), extra.begin(), extra.end());
    }
    code.decode(mine.vec(), s_bits, p_eve, cfg.ldpc_max_iterations);
  }
  e.after = key_disagreement(alice_rem, mine.vec());
  if (!amp) return e;
  const amplify_msg a = decode_amplify(*amp, origin, n);
  e.has_pa = true;
  e.pa_bits = secure_bytes(toeplitz_hash(mine.vec(), a.seed, a.length));
  e.key = derive_keys(e.pa_bits, session, nonce, secure_bytes(), a.key_bits).second;  // Eve holds no pre-shared key
  return e;
}

session_result simulate_session(const std::vector<std::uint8_t>& alice_bits, const std::vector<std::uint8_t>& bob_bits,
                                const std::vector<std::vector<std::uint8_t>>& eve_bits, const agree_config& cfg,
                                const pa_calibration& cal, std::uint64_t public_seed, const std::vector<double>& bob_llr) {
  session_result s;
  {
    auto [ta, tb] = make_in_process_pair(cfg.timeout_s, max_bytes(cfg));
    std::thread bob([&, tbp = tb.get()] { s.bob = run_bob(*tbp, bob_bits, cfg, cal, bob_llr); });
    s.alice = run_alice(*ta, alice_bits, cfg, cal, public_seed);
    ta.reset();  // closes the link: Bob's pending receive fails at once instead of waiting for the timeout
    bob.join();
  }
  for (const auto& eb : eve_bits) s.eve.push_back(run_eve(s.alice.tr, eb, s.alice.reconciled.vec(), cfg));
  return s;
}

double bit_agreement(const secure_bytes& a, const secure_bytes& b) {
  if (a.size() != b.size() || a.empty()) return std::nan("");
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += (a[i] == b[i]);
  return static_cast<double>(same) / static_cast<double>(a.size());
}

}  // namespace physec::keygen
