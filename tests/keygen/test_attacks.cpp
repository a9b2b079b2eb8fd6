// An active attacker on the public channel (issue #20): a relay between Alice and Bob that alters, drops, reorders,
// injects or replays frames, a peer with no CSI, inconsistent parities, and a man in the middle against a
// pre-shared key. Each attack must end with no key on either side, or identical keys the relay cannot know — and
// never with a party spinning past its deadline.
#include <gtest/gtest.h>

#include <chrono>
#include <deque>
#include <functional>
#include <thread>

#include "agreement_fixture.hpp"
#include "physec/core/rng.hpp"
#include "physec/keygen/messages.hpp"
#include "physec/keygen/protocol.hpp"

namespace kg = physec::keygen;
using physec::testing::generous;
using physec::testing::random_bits;

namespace {

std::vector<std::uint8_t> with_errors(std::vector<std::uint8_t> a, std::size_t every) {
  for (std::size_t i = 0; i < a.size(); i += every) a[i] ^= 1u;
  return a;
}

/// What the relay does to the frames one party receives: gets each frame and the count of frames seen so far, and
/// returns the frames to deliver instead (none: dropped; two: injected or reordered).
using tamper_fn = std::function<std::vector<kg::message>(kg::message, std::size_t)>;

/// A man in the middle on one direction: wraps a party's end of the link.
class relay : public kg::transport {
 public:
  relay(kg::transport& inner, tamper_fn f) : inner_(inner), f_(std::move(f)) {}
  void send(const kg::message& m) override { inner_.send(m); }
  kg::message receive() override {
    while (queue_.empty()) {
      for (auto& m : f_(inner_.receive(), seen_++)) queue_.push_back(std::move(m));
    }
    kg::message m = std::move(queue_.front());
    queue_.pop_front();
    return m;
  }
  std::string peer() const override { return "relay"; }

 private:
  kg::transport& inner_;
  tamper_fn f_;
  std::size_t seen_ = 0;
  std::deque<kg::message> queue_;
};

struct outcome {
  kg::party_outcome alice, bob;
  double seconds = 0;
};

/// One session with the relay on Bob's incoming frames (`to_bob`) and/or Alice's (`to_alice`).
outcome session(const std::vector<std::uint8_t>& a_bits, const std::vector<std::uint8_t>& b_bits, tamper_fn to_bob,
                tamper_fn to_alice, kg::agree_config cfg_a = {}, kg::agree_config cfg_b = {}) {
  for (auto* c : {&cfg_a, &cfg_b}) {
    c->timeout_s = std::min(c->timeout_s, 2.0);
    c->session_timeout_s = 20;
  }
  const auto pass = [](kg::message m, std::size_t) { return std::vector<kg::message>{std::move(m)}; };
  auto [ta, tb] = kg::make_in_process_pair(2.0, 1 << 20);
  relay ra(*ta, to_alice ? to_alice : pass), rb(*tb, to_bob ? to_bob : pass);
  outcome o;
  const auto t0 = std::chrono::steady_clock::now();
  std::thread bob([&] { o.bob = kg::run_bob(rb, b_bits, cfg_b, generous(50)); });
  o.alice = kg::run_alice(ra, a_bits, cfg_a, generous(50), 7);
  ta.reset();
  bob.join();
  o.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

/// Alters the `nth` frame of type `type`: flips bit `bit` of payload byte `byte` (from the end when negative).
tamper_fn flip_in(kg::msg_type type, long byte, int bit = 0) {
  return [=](kg::message m, std::size_t) {
    if (m.type == type && !m.payload.empty()) {
      const std::size_t at = byte >= 0 ? static_cast<std::size_t>(byte) : m.payload.size() - static_cast<std::size_t>(-byte);
      m.payload.at(at) ^= static_cast<std::uint8_t>(1u << bit);
    }
    return std::vector<kg::message>{std::move(m)};
  };
}

tamper_fn drop(kg::msg_type type) {
  return [=](kg::message m, std::size_t) {
    return m.type == type ? std::vector<kg::message>{} : std::vector<kg::message>{std::move(m)};
  };
}

void expect_no_key(const outcome& o, const std::string& what) {
  EXPECT_FALSE(o.alice.ok) << what;
  EXPECT_FALSE(o.bob.ok) << what;
  EXPECT_TRUE(o.alice.key.empty()) << what;
  EXPECT_TRUE(o.bob.key.empty()) << what;
  EXPECT_FALSE(o.bob.failure.empty()) << what;
  EXPECT_LT(o.seconds, 15.0) << what;  // ended by the protocol, not by a hang
}

const auto k_alice = random_bits(3000, 1);
const auto k_bob = with_errors(k_alice, 25);  // KDR 0.04

}  // namespace

TEST(attacks, honest_relay_agrees) {
  const auto o = session(k_alice, k_bob, nullptr, nullptr);
  ASSERT_TRUE(o.alice.ok) << o.alice.failure;
  ASSERT_TRUE(o.bob.ok) << o.bob.failure;
  EXPECT_EQ(o.alice.key.vec(), o.bob.key.vec());
}

TEST(attacks, altered_frames_leave_no_key) {
  expect_no_key(session(k_alice, k_bob, flip_in(kg::msg_type::parity_reply, -1, 7), nullptr), "parity reply altered");
  expect_no_key(session(k_alice, k_bob, flip_in(kg::msg_type::amplify, -1, 3), nullptr), "Toeplitz seed altered");
  expect_no_key(session(k_alice, k_bob, nullptr, flip_in(kg::msg_type::parity_query, -1, 0)), "query altered");
  // hello's permutation seed (after the 4 + 16-byte session id, n, passes, method): Bob and Alice then permute
  // differently, Bob's searches never close. Audit item 2: this spun at 100 % CPU forever.
  expect_no_key(session(k_alice, k_bob, flip_in(kg::msg_type::hello, 4 + 16 + 4 + 1 + 1 + 7, 0), nullptr),
                "permutation seed altered");
}

// Audit item 5: Bob's tag flipped or dropped. Alice refuses; Bob, who used to write his key right after sending
// his tag, now waits for Alice's `accepted` and discards his.
TEST(attacks, bob_keeps_no_key_alice_rejected) {
  expect_no_key(session(k_alice, k_bob, nullptr, flip_in(kg::msg_type::confirm, 5, 1)), "Bob's tag flipped");
  expect_no_key(session(k_alice, k_bob, nullptr, drop(kg::msg_type::confirm)), "Bob's tag dropped");
  // The last message of any protocol can be lost (the two generals' problem): a dropped `accepted` leaves Alice with
  // the confirmed key and Bob with none — never two different keys. docs/security.md says so.
  const auto last = session(k_alice, k_bob, drop(kg::msg_type::accepted), nullptr);
  EXPECT_TRUE(last.alice.ok) << last.alice.failure;
  EXPECT_FALSE(last.bob.ok);
  EXPECT_TRUE(last.bob.key.empty());
  EXPECT_FALSE(last.bob.failure.empty());
}

TEST(attacks, reordered_and_injected_frames_leave_no_key) {
  // Alice's confirm delivered before her amplify.
  std::optional<kg::message> held;
  const tamper_fn swap = [&](kg::message m, std::size_t) {
    if (m.type == kg::msg_type::amplify) {
      held = std::move(m);
      return std::vector<kg::message>{};
    }
    if (m.type == kg::msg_type::confirm && held) return std::vector<kg::message>{std::move(m), *held};
    return std::vector<kg::message>{std::move(m)};
  };
  expect_no_key(session(k_alice, k_bob, swap, nullptr), "amplify and confirm swapped");
  // A parity reply delivered twice: the second answers the next query with stale parities.
  const tamper_fn twice = [](kg::message m, std::size_t) {
    if (m.type == kg::msg_type::parity_reply) return std::vector<kg::message>{m, m};
    return std::vector<kg::message>{std::move(m)};
  };
  expect_no_key(session(k_alice, k_bob, twice, nullptr), "parity reply duplicated");
}

// Audit item 2: a peer answering every parity query at random made Bob spin forever.
TEST(attacks, random_parities_end_quickly) {
  auto r = physec::rng_stream(5).derive("junk");
  const tamper_fn junk = [&](kg::message m, std::size_t) {
    if (m.type == kg::msg_type::parity_reply)
      for (std::size_t i = 4; i < m.payload.size(); ++i) m.payload[i] = static_cast<std::uint8_t>(r() >> 56);
    return std::vector<kg::message>{std::move(m)};
  };
  expect_no_key(session(k_alice, k_bob, junk, nullptr), "random parities");
}

// Audit item 1: a peer with no CSI of the link (here: independent bits) must not get Bob to confirm a key.
TEST(attacks, peer_without_csi_gets_no_key) {
  expect_no_key(session(random_bits(3000, 99), k_bob, nullptr, nullptr), "impostor Alice");
}

// Audit item 6: a recorded session replayed to a new Bob. Bob's fresh nonce changes the keys, so the recorded
// confirmation tag no longer matches.
TEST(attacks, replayed_session_is_refused) {
  kg::agree_config cfg;
  cfg.public_seed = 0;  // Bob's nonce from the OS CSPRNG, as deployed
  const auto first = session(k_alice, k_bob, nullptr, nullptr, cfg, cfg);
  ASSERT_TRUE(first.bob.ok) << first.bob.failure;
  // The recording: every frame Alice sent. The replayer sends them in order, whatever Bob says.
  std::vector<kg::message> recorded;
  for (const auto& [dir, m] : first.alice.tr.frames)
    if (dir == kg::direction::alice_to_bob) recorded.push_back(m);
  auto [ta, tb] = kg::make_in_process_pair(2.0, 1 << 20);
  cfg.timeout_s = 2;
  cfg.session_timeout_s = 20;
  kg::party_outcome bob;
  std::thread t([&] { bob = kg::run_bob(*tb, k_bob, cfg, generous(50)); });
  for (const auto& m : recorded) {
    try {
      ta->send(m);
      if (m.type != kg::msg_type::confirm && m.type != kg::msg_type::accepted) (void)ta->receive();
    } catch (const physec::error&) {
      break;
    }
  }
  ta.reset();
  t.join();
  EXPECT_FALSE(bob.ok);
  EXPECT_TRUE(bob.key.empty());
  EXPECT_NE(bob.failure.find("confirmation failed"), std::string::npos) << bob.failure;
}

// With a pre-shared key the parties agree; a man in the middle holding Alice's very bits (the strongest Eve) but not
// the pre-shared key cannot make Bob confirm, and the transcript alone does not give her the key.
TEST(attacks, pre_shared_key_stops_a_man_in_the_middle_with_csi) {
  kg::agree_config with_psk;
  with_psk.psk = kg::secure_bytes(std::vector<std::uint8_t>(32, 0x5a));
  const auto both = session(k_alice, k_bob, nullptr, nullptr, with_psk, with_psk);
  ASSERT_TRUE(both.alice.ok) << both.alice.failure;
  ASSERT_TRUE(both.bob.ok) << both.bob.failure;
  EXPECT_EQ(both.alice.key.vec(), both.bob.key.vec());
  // Without the pre-shared key the same bits give another key: the relay's replay of the transcript misses it.
  const auto plain = session(k_alice, k_bob, nullptr, nullptr);
  ASSERT_TRUE(plain.alice.ok);
  EXPECT_NE(plain.alice.key.vec(), both.alice.key.vec());
  const auto eve = kg::run_eve(both.alice.tr, k_alice, both.alice.reconciled.vec(), with_psk);
  EXPECT_NE(eve.key.vec(), both.alice.key.vec());
  // The impostor: Alice's bits, no pre-shared key.
  expect_no_key(session(k_alice, k_bob, nullptr, nullptr, kg::agree_config{}, with_psk), "impostor without the PSK");
}
