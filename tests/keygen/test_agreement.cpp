// Key agreement, unit level: Cascade (hand examples and fixed-seed error patterns), Toeplitz hashing against the
// definition, HKDF and HMAC against RFC test vectors typed in by hand, the constant-time compare, frames and
// transports (in-process and TCP loopback), and whole sessions in process.
#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <future>
#include <map>
#include <thread>

#include "agreement_fixture.hpp"
#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"
#include "physec/keygen/cascade.hpp"
#include "physec/keygen/crypto.hpp"
#include "physec/keygen/ldpc.hpp"
#include "physec/keygen/messages.hpp"
#include "physec/keygen/privacy_amplification.hpp"
#include "physec/keygen/protocol.hpp"

namespace kg = physec::keygen;
using physec::testing::generous;
using physec::testing::random_bits;

namespace {

std::vector<std::uint8_t> from_hex(const std::string& h) {
  std::vector<std::uint8_t> v;
  for (std::size_t i = 0; i + 1 < h.size(); i += 2)
    v.push_back(static_cast<std::uint8_t>(std::stoi(h.substr(i, 2), nullptr, 16)));
  return v;
}

std::string to_hex(const std::uint8_t* p, std::size_t n) {
  static const char* d = "0123456789abcdef";
  std::string s;
  for (std::size_t i = 0; i < n; ++i) {
    s += d[p[i] >> 4];
    s += d[p[i] & 15];
  }
  return s;
}

std::vector<std::uint8_t> byte_range(int lo, int hi) {  // lo..hi inclusive
  std::vector<std::uint8_t> v;
  for (int i = lo; i <= hi; ++i) v.push_back(static_cast<std::uint8_t>(i));
  return v;
}

/// Exactly `k` distinct positions of `a` flipped.
std::vector<std::uint8_t> flip_k(const std::vector<std::uint8_t>& a, std::size_t k, std::uint64_t seed) {
  auto r = physec::rng_stream(seed).derive("flip");
  std::vector<std::size_t> idx(a.size());
  for (std::size_t i = 0; i < idx.size(); ++i) idx[i] = i;
  auto b = a;
  for (std::size_t i = 0; i < k; ++i) {
    std::swap(idx[i], idx[i + r.uniform_int(a.size() - i)]);
    b[idx[i]] ^= 1u;
  }
  return b;
}

std::size_t differences(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  std::size_t d = 0;
  for (std::size_t i = 0; i < a.size(); ++i) d += a[i] != b[i];
  return d;
}

// ---- Cascade ----

TEST(cascade, one_error_in_one_block_costs_one_plus_log2_parities) {
  // Hand derivation: n = 8, k1 = 8, one pass, the error at position 5. Alice announces the block parity (1 bit);
  // the block is odd, BINARY asks [0,4) (even: the error is in [4,8)), then [4,6) (odd: in [4,6)), then [4,5)
  // (even: position 5): 1 + 3 = 4 leaked bits, 1 + 3 = 4 round trips, 1 correction.
  const std::vector<std::uint8_t> alice = {1, 0, 1, 1, 0, 0, 1, 0};
  auto bob = alice;
  bob[5] ^= 1u;
  const kg::cascade_permutations perm(8, 1, 7);
  std::vector<kg::parity_query> asked;
  const auto st = kg::cascade_correct(bob, 8, perm, [&](const std::vector<kg::parity_query>& qs) {
    asked.insert(asked.end(), qs.begin(), qs.end());
    std::vector<std::uint8_t> a;
    for (const auto& q : qs) a.push_back(perm.parity(alice, q));
    return a;
  });
  EXPECT_EQ(bob, alice);
  EXPECT_EQ(st.leaked_bits, 4u);
  EXPECT_EQ(st.nof_rounds, 4u);
  EXPECT_EQ(st.nof_corrections, 1u);
  ASSERT_EQ(asked.size(), 4u);
  EXPECT_EQ(asked[1].start, 0u);
  EXPECT_EQ(asked[1].end, 4u);
  EXPECT_EQ(asked[2].start, 4u);
  EXPECT_EQ(asked[2].end, 6u);
  EXPECT_EQ(asked[3].start, 4u);
  EXPECT_EQ(asked[3].end, 5u);
}

TEST(cascade, no_errors_leaks_only_the_block_parities) {
  // n = 100, k1 = 10, 3 passes of blocks 10, 20, 40: 10 + 5 + 3 = 18 parities, no searches.
  const auto alice = random_bits(100, 1);
  auto bob = alice;
  const kg::cascade_permutations perm(100, 3, 2);
  const auto st = kg::cascade_correct(bob, 10, perm, [&](const std::vector<kg::parity_query>& qs) {
    std::vector<std::uint8_t> a;
    for (const auto& q : qs) a.push_back(perm.parity(alice, q));
    return a;
  });
  EXPECT_EQ(st.leaked_bits, 18u);
  EXPECT_EQ(st.nof_corrections, 0u);
}

TEST(cascade, corrects_every_pattern_up_to_the_design_rate_and_counts_leakage_exactly) {
  // Fixed seeds: n = 4096 bits, exactly k = p·n errors for p in {0.01, 0.05, 0.1, 0.15}, k1 from the true p,
  // 4 passes; 10 patterns each. Every one is corrected; the leakage reported equals the parities the oracle
  // answered (counted here independently), and lies between the Shannon limit n·h(p) and n.
  kg::cascade_config cfg;
  for (const double p : {0.01, 0.05, 0.1, 0.15}) {
    for (std::uint64_t seed = 0; seed < 10; ++seed) {
      const std::size_t n = 4096, k = static_cast<std::size_t>(p * n);
      const auto alice = random_bits(n, 100 + seed);
      auto bob = flip_k(alice, k, 200 + seed);
      const kg::cascade_permutations perm(n, cfg.nof_passes, 300 + seed);
      std::size_t answered = 0;
      const auto st = kg::cascade_correct(bob, kg::cascade_first_block(p, cfg), perm,
                                          [&](const std::vector<kg::parity_query>& qs) {
                                            answered += qs.size();
                                            std::vector<std::uint8_t> a;
                                            for (const auto& q : qs) a.push_back(perm.parity(alice, q));
                                            return a;
                                          });
      EXPECT_EQ(differences(alice, bob), 0u) << "p " << p << " seed " << seed;
      EXPECT_EQ(st.leaked_bits, answered);
      EXPECT_EQ(st.nof_corrections, k);
      const double h = -p * std::log2(p) - (1 - p) * std::log2(1 - p);
      EXPECT_GT(static_cast<double>(st.leaked_bits), h * n);
      EXPECT_LT(st.leaked_bits, n);
    }
  }
}

TEST(cascade, rejects_queries_out_of_range) {
  const kg::cascade_permutations perm(10, 2, 1);
  const std::vector<std::uint8_t> bits(10, 0);
  EXPECT_THROW(perm.parity(bits, {0, 5, 11}), physec::error);
  EXPECT_THROW(perm.parity(bits, {2, 0, 4}), physec::error);
  EXPECT_THROW(perm.parity(bits, {0, 4, 4}), physec::error);
}

// ---- LDPC syndrome decoding ----

TEST(ldpc, decodes_codewords_with_k_flipped_bits) {
  // n = 1000, m = 500 checks (rate 1/2). Up to k = 40 flips (p = 0.04: n·h(p) = 242 syndrome bits would suffice,
  // so the code has a factor 2 of slack) the decoder returns exactly Alice's string, on 5 fixed seeds per k.
  // At k = 200 (n·h(0.2) = 722 > 500) no decoder can: it must say so.
  for (const std::size_t k : {0, 1, 5, 10, 20, 40}) {
    for (std::uint64_t seed = 0; seed < 5; ++seed) {
      const kg::ldpc_code code(1000, 500, 50 + seed);
      const auto alice = random_bits(1000, 60 + seed);
      auto bob = flip_k(alice, k, 70 + seed);
      const auto syn = code.syndrome(alice);
      ASSERT_EQ(syn.size(), 500u);
      EXPECT_TRUE(code.decode(bob, syn, std::max(0.005, k / 1000.0))) << "k " << k << " seed " << seed;
      EXPECT_EQ(bob, alice) << "k " << k << " seed " << seed;
    }
  }
  const kg::ldpc_code code(1000, 500, 1);
  const auto alice = random_bits(1000, 2);
  auto bob = flip_k(alice, 200, 3);
  EXPECT_FALSE(code.decode(bob, code.syndrome(alice), 0.2));
}

TEST(ldpc, soft_llrs_decode_where_hard_decisions_need_more) {
  // Bob sees Alice's bit a as y = (1 − 2a) + N(0, 0.6²): his hard decisions are wrong with p = Q(1/0.6) = 0.0478,
  // n·h(p) = 554 for n = 2000, and his posterior LLR is 2y/0.6² (BPSK over AWGN, by hand). With his LLRs less is
  // left: the BI-AWGN Shannon limit of rate 3/4 is σ = 0.68 > 0.6, so H(A|Y) < 0.25 bits per bit (< 500 bits).
  // m = 700 checks: f > 1.4 for the soft decoder, which must return Alice's string on every seed; f = 1.26 for the
  // hard one, where the weight-3 code mostly fails (docs/key-agreement.md: 48–92 % of strings at f = 1.2).
  const std::size_t n = 2000, m = 700;
  int soft_ok = 0, hard_ok = 0;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    const kg::ldpc_code code(n, m, 80 + seed);
    const auto alice = random_bits(n, 90 + seed);
    auto noise = physec::rng_stream(100 + seed);
    std::vector<double> llr(n);
    std::vector<std::uint8_t> hard(n);
    for (std::size_t i = 0; i < n; ++i) {
      const double y = (alice[i] ? -1.0 : 1.0) + 0.6 * noise.normal();
      llr[i] = 2 * y / 0.36;
      hard[i] = y < 0;
    }
    const auto syn = code.syndrome(alice);
    std::vector<std::uint8_t> soft_out;
    soft_ok += code.decode_llr(soft_out, syn, llr) && soft_out == alice;
    hard_ok += code.decode(hard, syn, 0.0478) && hard == alice;
  }
  EXPECT_EQ(soft_ok, 3);
  EXPECT_LE(hard_ok, soft_ok);
}

TEST(ldpc, every_column_has_weight_3) {
  // Hand check on a tiny code: the syndrome of a single 1 at position v has exactly 3 ones.
  const kg::ldpc_code code(20, 6, 9);
  for (std::size_t v = 0; v < 20; ++v) {
    std::vector<std::uint8_t> x(20, 0);
    x[v] = 1;
    const auto s = code.syndrome(x);
    EXPECT_EQ(std::count(s.begin(), s.end(), 1), 3) << v;
  }
  EXPECT_EQ(kg::ldpc_syndrome_bits(1000, 0.1, 1.0), 469u);  // ceil(1000·h(0.1)) = ceil(468.996)
}

TEST(ldpc, irregular_profile_sets_the_column_weights) {
  // ldpc_soft's profile on n = 1000: the syndrome of a single 1 at v has as many ones as v's column weight. With 600
  // checks: 500 columns of weight 2, 300 of weight 3, 200 of weight 8 (the shares times n). With 400 checks a
  // staircase holds only 399 weight-2 columns; the other 101 get weight 3.
  for (const auto& [m, expected] : std::vector<std::pair<std::size_t, std::map<long, int>>>{
           {600, {{2, 500}, {3, 300}, {8, 200}}}, {400, {{2, 399}, {3, 401}, {8, 200}}}}) {
    const kg::ldpc_code code(1000, m, 5, kg::k_ldpc_soft_degrees);
    std::map<long, int> weights;
    // The weight-2 columns as edges between their two checks must form a forest: a cycle would be a codeword (a
    // set of columns summing to zero) of that many bits. Union-find over the checks.
    std::vector<std::size_t> root(m);
    for (std::size_t c = 0; c < m; ++c) root[c] = c;
    const auto find = [&](std::size_t c) {
      while (root[c] != c) c = root[c] = root[root[c]];
      return c;
    };
    int cycles = 0;
    for (std::size_t v = 0; v < 1000; ++v) {
      std::vector<std::uint8_t> x(1000, 0);
      x[v] = 1;
      const auto s = code.syndrome(x);
      const long w = std::count(s.begin(), s.end(), 1);
      ++weights[w];
      if (w != 2) continue;
      const auto a = find(static_cast<std::size_t>(std::find(s.begin(), s.end(), 1) - s.begin()));
      const auto b = find(static_cast<std::size_t>(std::find(s.rbegin(), s.rend(), 1).base() - 1 - s.begin()));
      if (a == b) ++cycles;
      else root[a] = b;
    }
    EXPECT_EQ(weights, expected) << m;
    EXPECT_EQ(cycles, 0) << m;
  }
}

TEST(ldpc, added_checks_keep_the_first_syndrome_and_have_the_row_weight) {
  const auto x = random_bits(600, 4);
  kg::ldpc_code code(600, 100, 7, kg::k_ldpc_soft_degrees);
  const auto first = code.syndrome(x);
  code.add_checks(30, 5, 8);
  ASSERT_EQ(code.nof_checks(), 130u);
  const auto all = code.syndrome(x);
  EXPECT_TRUE(std::equal(first.begin(), first.end(), all.begin()));
  // Row weight: the sum of the new checks' syndromes of all-ones is 5 mod 2 = 1 each.
  const auto ones = code.syndrome(std::vector<std::uint8_t>(600, 1));
  for (std::size_t c = 100; c < 130; ++c) EXPECT_EQ(ones[c], 1) << c;
  // The same seed gives the same checks (both parties and Eve rebuild them).
  kg::ldpc_code again(600, 100, 7, kg::k_ldpc_soft_degrees);
  again.add_checks(30, 5, 8);
  EXPECT_EQ(again.syndrome(x), all);
}

// ---- Toeplitz hashing ----

TEST(toeplitz, hand_example) {
  // n = 3, m = 2, seed s = (s0..s3) = 1,0,1,1; T[i][j] = s[i - j + 2]: rows (s2 s1 s0) = (1 0 1), (s3 s2 s1) = (1 1 0).
  // x = (1, 1, 0): y0 = 1·1 + 0·1 + 1·0 = 1, y1 = 1 + 1 + 0 = 0 (mod 2).
  const std::vector<std::uint8_t> seed = {1, 0, 1, 1}, x = {1, 1, 0};
  EXPECT_EQ(kg::toeplitz_hash_naive(x, seed, 2), (std::vector<std::uint8_t>{1, 0}));
  EXPECT_EQ(kg::toeplitz_hash(x, seed, 2), (std::vector<std::uint8_t>{1, 0}));
}

TEST(toeplitz, bit_sliced_equals_the_matrix_product) {
  for (const auto& [n, m] : std::vector<std::pair<std::size_t, std::size_t>>{
           {1, 1}, {5, 3}, {63, 64}, {64, 64}, {65, 1}, {200, 77}, {513, 130}, {1000, 1}}) {
    const auto x = random_bits(n, n * 31 + m);
    const auto seed = random_bits(n + m - 1, n * 7 + m);
    EXPECT_EQ(kg::toeplitz_hash(x, seed, m), kg::toeplitz_hash_naive(x, seed, m)) << n << " x " << m;
  }
  EXPECT_THROW(kg::toeplitz_hash({1, 0}, {1, 0}, 2), physec::error);
}

// ---- min-entropy and the PA length ----

TEST(pa, min_entropy_estimates) {
  const std::vector<std::uint8_t> zeros(1000, 0);
  EXPECT_EQ(kg::min_entropy_per_bit(zeros), 0.0);
  std::vector<std::uint8_t> alternating(1000);
  for (std::size_t i = 0; i < alternating.size(); ++i) alternating[i] = i % 2;
  // MCV: p = 1/2, p_u = 1/2 + 2.576·sqrt(1/4 / 999).
  EXPECT_NEAR(kg::min_entropy_mcv_per_bit(alternating), -std::log2(0.5 + 2.576 * std::sqrt(0.25 / 999)), 1e-12);
  EXPECT_EQ(kg::min_entropy_markov_per_bit(alternating), 0.0);  // every 2nd bit is constant (lag 2)
  const auto fair = random_bits(100000, 5);
  EXPECT_GT(kg::min_entropy_per_bit(fair), 0.98);
  // Conditional Shannon: a fair coin has 1 bit; a string that repeats each bit twice keeps its bit at a step with
  // probability 1/2·1 + 1/2·1/2 = 3/4 (the estimate does not know the phase), so h(1/4) = 0.8113; the alternating
  // string has 0 (lag 1 determines it).
  EXPECT_GT(kg::conditional_entropy_per_bit(fair), 0.999);
  std::vector<std::uint8_t> doubled;
  for (std::size_t i = 0; i < 50000; ++i) doubled.insert(doubled.end(), 2, fair[i]);
  EXPECT_NEAR(kg::conditional_entropy_per_bit(doubled), 0.8113, 0.01);
  EXPECT_EQ(kg::conditional_entropy_per_bit(alternating), 0.0);
}

// Finite-key length, hand-computed (Python + mpmath, not this code): Φ^{-1}(1 − 2^−128) = 13.0559468400980 (mpmath
// findroot of erfc(z/√2)/2 = 2^−128); log2(2/ε_cor) = 65 and 2·log2(1/(2ε_PA)) = 126 at ε = 2^−64.
TEST(pa, finite_key_length_hand_computed) {
  kg::finite_key_inputs in;
  in.nof_realisations = 200;
  in.h_total = 4000;
  in.v_total = 900;
  in.leaked_bits = 1500;
  // 4000 − 30·13.0559468400980 − 1500 − 65 − 126 = 1917.32.
  auto r = kg::finite_key_length(in);
  EXPECT_EQ(r.length, 1917u) << r.formula;
  EXPECT_NEAR(r.finite_size_term, 391.678405203, 1e-6);
  in.v_total = 0;  // no dispersion: 4000 − 1500 − 191
  EXPECT_EQ(kg::finite_key_length(in).length, 2309u);
  in.leaked_bits = 3900;  // negative: 0
  EXPECT_EQ(kg::finite_key_length(in).length, 0u);
  // TCR 2009: n = 10^4 realisations of m = 8 bits: η = 2 + 2^4 = 18, δ√n = 100·4·log2(18)·sqrt(129) = 18944.50;
  // 60000 − 18944.50 − 20000 − 191 = 20864.50.
  kg::finite_key_inputs t;
  t.finite_size = "tcr";
  t.nof_realisations = 10000;
  t.max_bits_per_realisation = 8;
  t.h_total = 60000;
  t.leaked_bits = 20000;
  EXPECT_EQ(kg::finite_key_length(t).length, 20864u);
  // ε_PA = 2^−32, ε_cor = 2^−20: 60000 − 100·4·log2(18)·sqrt(65) − 20000 − 21 − 62.
  t.eps_pa_log2 = 32;
  t.eps_cor_log2 = 20;
  EXPECT_EQ(kg::finite_key_length(t).length, static_cast<std::size_t>(std::floor(60000 - 400 * std::log2(18.0) * std::sqrt(65.0) - 20000 - 21 - 62)));
}

// ---- HKDF-SHA256: RFC 5869 Appendix A.1-A.3, typed from the RFC ----

TEST(hkdf, rfc5869_test_case_1) {
  const auto ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto okm = kg::hkdf_sha256(ikm.data(), ikm.size(), from_hex("000102030405060708090a0b0c"),
                                   from_hex("f0f1f2f3f4f5f6f7f8f9"), 42);
  EXPECT_EQ(to_hex(okm.data(), okm.size()),
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

TEST(hkdf, rfc5869_test_case_2) {
  const auto ikm = byte_range(0x00, 0x4f);
  const auto okm = kg::hkdf_sha256(ikm.data(), ikm.size(), byte_range(0x60, 0xaf), byte_range(0xb0, 0xff), 82);
  EXPECT_EQ(to_hex(okm.data(), okm.size()),
            "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac7827271cb41c65e590e09"
            "da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f3434f1d87");
}

TEST(hkdf, rfc5869_test_case_3_empty_salt_and_info) {
  const auto ikm = from_hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
  const auto okm = kg::hkdf_sha256(ikm.data(), ikm.size(), {}, {}, 42);
  EXPECT_EQ(to_hex(okm.data(), okm.size()),
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
}

TEST(hmac, rfc4231_test_case_2) {
  const std::string key = "Jefe", msg = "what do ya want for nothing?";
  const auto d = kg::hmac_sha256(reinterpret_cast<const std::uint8_t*>(key.data()), key.size(),
                                 reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size());
  EXPECT_EQ(to_hex(d.data(), d.size()), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(hmac, compare_has_no_early_exit) {
  // Equality and inequality anywhere; and the time for a difference in the first byte equals the time for one in
  // the last (an early-exit compare would be ~10^6 times faster on the first): median of 15 runs over 4 MiB, the
  // ratio within [1/3, 3].
  std::vector<std::uint8_t> a(1 << 22, 0x5a), b = a;
  EXPECT_TRUE(kg::equal_constant_time(a.data(), b.data(), a.size()));
  b.back() ^= 1u;
  EXPECT_FALSE(kg::equal_constant_time(a.data(), b.data(), a.size()));
  auto c = a;
  c.front() ^= 0x80u;
  EXPECT_FALSE(kg::equal_constant_time(a.data(), c.data(), a.size()));
  const auto median_s = [&](const std::vector<std::uint8_t>& other) {
    std::vector<double> t;
    for (int i = 0; i < 15; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      volatile bool eq = kg::equal_constant_time(a.data(), other.data(), a.size());
      (void)eq;
      t.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    std::sort(t.begin(), t.end());
    return t[7];
  };
  const double first = median_s(c), last = median_s(b);
  EXPECT_GT(first / last, 1.0 / 3);
  EXPECT_LT(first / last, 3.0);
}

TEST(bits, pack_and_unpack) {
  const std::vector<std::uint8_t> bits = {1, 0, 1, 0, 0, 0, 0, 1, 1};
  const auto p = kg::pack_bits(bits.data(), bits.size());
  ASSERT_EQ(p.size(), 2u);
  EXPECT_EQ(p[0], 0xa1);
  EXPECT_EQ(p[1], 0x80);
  EXPECT_EQ(kg::unpack_bits(p.data(), bits.size()).vec(), bits);
}

// ---- frames and transports ----

TEST(frames, round_trip_and_rejections) {
  const kg::message m{kg::msg_type::parity_reply, {1, 2, 3}};
  const auto f = kg::encode_frame(m);
  ASSERT_EQ(f.size(), 13u);
  EXPECT_EQ(std::string(f.begin(), f.begin() + 4), "PSKG");
  const auto [type, n] = kg::decode_header(f.data(), 100, "peer");
  EXPECT_EQ(type, kg::msg_type::parity_reply);
  EXPECT_EQ(n, 3u);
  auto bad = f;
  bad[0] = 'X';
  EXPECT_THROW(kg::decode_header(bad.data(), 100, "peer"), physec::error);
  bad = f;
  bad[4] = 3;  // this build speaks version 6
  try {
    kg::decode_header(bad.data(), 100, "peer");
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("version"), std::string::npos) << e.what();
  }
  bad = f;
  bad[5] = 99;
  EXPECT_THROW(kg::decode_header(bad.data(), 100, "peer"), physec::error);
  EXPECT_THROW(kg::decode_header(f.data(), 2, "peer"), physec::error);  // over the size limit
  // A payload that does not parse exactly.
  kg::payload_reader r(m, "peer");
  EXPECT_EQ(r.u8("a"), 1);
  EXPECT_THROW(r.finish(), physec::error);
  EXPECT_THROW(r.u32("b"), physec::error);
}

TEST(transport, in_process_delivers_in_order_and_times_out) {
  auto [a, b] = kg::make_in_process_pair(0.05);
  a->send({kg::msg_type::hello, {7}});
  a->send({kg::msg_type::confirm, {}});
  EXPECT_EQ(b->receive().payload, std::vector<std::uint8_t>{7});
  EXPECT_EQ(b->receive().type, kg::msg_type::confirm);
  EXPECT_THROW(b->receive(), physec::error);  // nothing more: timeout
  a.reset();
  EXPECT_THROW(b->receive(), physec::error);  // closed
}

TEST(transport, tcp_loopback_and_oversized_and_garbled_frames) {
  kg::tcp_options o;
  o.timeout_s = 5;
  o.max_message_bytes = 64;
  std::promise<int> port;
  auto port_f = port.get_future();
  std::unique_ptr<kg::transport> server;
  std::thread t([&] { server = kg::tcp_listen("127.0.0.1:0", o, [&](int p) { port.set_value(p); }); });
  auto client = kg::tcp_connect("127.0.0.1:" + std::to_string(port_f.get()), o);
  t.join();
  client->send({kg::msg_type::hello, {1, 2, 3}});
  EXPECT_EQ(server->receive().payload, (std::vector<std::uint8_t>{1, 2, 3}));
  client->send({kg::msg_type::hello, std::vector<std::uint8_t>(65, 0)});  // over the 64-byte limit
  try {
    server->receive();
    FAIL();
  } catch (const physec::error& e) {
    EXPECT_NE(std::string(e.what()).find("too large"), std::string::npos) << e.what();
  }
  client.reset();  // peer gone
  EXPECT_THROW(server->receive(), physec::error);
}

// ---- whole sessions in process ----

TEST(session, agrees_and_eve_learns_nothing) {
  const auto alice = random_bits(4000, 1);
  const auto bob = flip_k(alice, 200, 2);  // KDR 0.05
  const auto eve = random_bits(4000, 3);   // independent
  kg::agree_config cfg;
  cfg.nof_sample_bits = 64;  // reveal a sample (the default uses the calibrated error rate instead)
  const auto s = kg::simulate_session(alice, bob, {eve, alice}, cfg, generous(50), 9);
  ASSERT_TRUE(s.alice.ok) << s.alice.failure;
  ASSERT_TRUE(s.bob.ok) << s.bob.failure;
  EXPECT_EQ(s.alice.key.vec(), s.bob.key.vec());
  EXPECT_EQ(s.alice.key.size(), 16u);
  EXPECT_EQ(s.alice.leaked_bits, s.bob.leaked_bits);
  EXPECT_EQ(s.alice.pa.length, s.bob.pa.length);
  // Exact leakage: the sample and every answered parity.
  EXPECT_EQ(s.alice.leaked_bits, 64 + s.bob.cascade.leaked_bits);
  ASSERT_EQ(s.eve.size(), 2u);
  ASSERT_TRUE(s.eve[0].has_pa);
  // Independent Eve: her PA bits agree with Alice's with probability 1/2: ℓ bits, alpha = 1e-6 (z = 4.89).
  const double l = static_cast<double>(s.alice.pa_bits.size());
  EXPECT_LT(std::abs(kg::bit_agreement(s.alice.pa_bits, s.eve[0].pa_bits) - 0.5), 4.89 * 0.5 / std::sqrt(l));
  // An "Eve" holding Alice's bits would get the key: the replay itself is right.
  EXPECT_EQ(s.eve[1].key.vec(), s.alice.key.vec());
}

TEST(session, ldpc_agrees_in_one_message_and_eve_decodes_nothing_useful) {
  const auto alice = random_bits(4000, 11);
  const auto bob = flip_k(alice, 200, 12);  // KDR 0.05
  auto eve = flip_k(alice, 1200, 13);       // KDR 0.3: far above what the syndrome can correct
  kg::agree_config cfg;
  cfg.reconciliation = "ldpc";
  cfg.nof_sample_bits = 64;
  const auto s = kg::simulate_session(alice, bob, {eve}, cfg, generous(50), 3);
  ASSERT_TRUE(s.alice.ok) << s.alice.failure << " p_hat " << s.bob.kdr_estimate << " m " << s.bob.cascade.leaked_bits;
  ASSERT_TRUE(s.bob.ok) << s.bob.failure;
  EXPECT_EQ(s.alice.key.vec(), s.bob.key.vec());
  std::size_t syndromes = 0, queries = 0;
  for (const auto& f : s.alice.tr.frames) {
    syndromes += f.second.type == kg::msg_type::syndrome;
    queries += f.second.type == kg::msg_type::parity_query;
  }
  EXPECT_EQ(syndromes, 1u);
  EXPECT_EQ(queries, 0u);
  // Leakage: the sample and the m syndrome bits.
  EXPECT_EQ(s.alice.leaked_bits, 64 + s.alice.cascade.leaked_bits);
  const double l = static_cast<double>(s.alice.pa_bits.size());
  EXPECT_LT(std::abs(kg::bit_agreement(s.alice.pa_bits, s.eve[0].pa_bits) - 0.5), 4.89 * 0.5 / std::sqrt(l));
}

TEST(session, ldpc_soft_asks_for_more_syndrome_until_bob_decodes) {
  // Bob's LLRs from y = (1 − 2a) + N(0, 0.6²) (BPSK over AWGN by hand: LLR = 2y/σ²); H(A|Y) < 0.25 bits per bit at
  // σ = 0.6 (the BI-AWGN limit of rate 3/4 is σ = 0.68), so a first syndrome sized for 0.16 bits per bit
  // (soft_entropy_total = 0.16·n, f = 1) is short: Bob asks for more (rate adaptation) until he decodes. Identical
  // keys; every syndrome_more counted as one leaked bit.
  const std::size_t n = 4000;
  const auto alice = random_bits(n, 31);
  auto noise = physec::rng_stream(32);
  std::vector<double> llr(n);
  std::vector<std::uint8_t> bob(n);
  for (std::size_t i = 0; i < n; ++i) {
    const double y = (alice[i] ? -1.0 : 1.0) + 0.6 * noise.normal();
    llr[i] = 2 * y / 0.36;
    bob[i] = y < 0;
  }
  kg::agree_config cfg;
  cfg.reconciliation = "ldpc_soft";
  cfg.ldpc_efficiency = 1.0;
  cfg.ldpc_increment = 0.05;
  auto cal = generous(50);
  cal.soft_entropy_total = 0.16 * n;
  const auto s = kg::simulate_session(alice, bob, {flip_k(alice, 1200, 33)}, cfg, cal, 5, llr);
  ASSERT_TRUE(s.alice.ok) << s.alice.failure;
  ASSERT_TRUE(s.bob.ok) << s.bob.failure;
  EXPECT_EQ(s.alice.key.vec(), s.bob.key.vec());
  std::size_t syndromes = 0, more = 0, syndrome_bits = 0;
  for (const auto& f : s.alice.tr.frames) {
    syndromes += f.second.type == kg::msg_type::syndrome;
    more += f.second.type == kg::msg_type::syndrome_more;
  }
  EXPECT_GE(more, 1u);
  EXPECT_EQ(syndromes, more + 1);
  // First syndrome 640 bits, then 32 per request; leakage = syndrome bits + the 64-bit verification tag + one bit per
  // request.
  syndrome_bits = 640 + 32 * more;
  EXPECT_EQ(s.alice.cascade.leaked_bits, syndrome_bits + 64 + more);
  EXPECT_EQ(s.bob.cascade.leaked_bits, s.alice.cascade.leaked_bits);
  EXPECT_EQ(s.alice.leaked_bits, s.alice.cascade.leaked_bits);
  // Not the whole string: the regular code of the same test above needed 700 checks for 2000 bits (0.35 per bit).
  EXPECT_LT(syndrome_bits, 0.35 * n);
  const double l = static_cast<double>(s.alice.pa_bits.size());
  EXPECT_LT(std::abs(kg::bit_agreement(s.alice.pa_bits, s.eve[0].pa_bits) - 0.5), 4.89 * 0.5 / std::sqrt(l));
  // Without rate adaptation the same session aborts on both sides.
  cfg.ldpc_increment = 0;
  const auto once = kg::simulate_session(alice, bob, {}, cfg, cal, 5, llr);
  EXPECT_FALSE(once.alice.ok);
  EXPECT_FALSE(once.bob.ok);
  EXPECT_NE(once.bob.failure.find("did not converge"), std::string::npos) << once.bob.failure;
}

TEST(session, different_lengths_and_short_pa_abort_without_a_key) {
  const auto alice = random_bits(1000, 1);
  kg::agree_config cfg;
  auto s = kg::simulate_session(alice, random_bits(999, 2), {}, cfg, generous(10), 1);
  EXPECT_FALSE(s.alice.ok);
  EXPECT_FALSE(s.bob.ok);
  EXPECT_TRUE(s.alice.key.empty());
  EXPECT_NE(s.bob.failure.find("different numbers of bits"), std::string::npos) << s.bob.failure;
  EXPECT_NE(s.alice.failure.find("aborted"), std::string::npos) << s.alice.failure;
  kg::pa_calibration poor = generous(10);
  poor.h_total = 300;  // 300 − Cascade's parities − 191 < 128
  s = kg::simulate_session(alice, alice, {}, cfg, poor, 1);
  EXPECT_FALSE(s.alice.ok);
  EXPECT_FALSE(s.bob.ok);
  EXPECT_NE(s.alice.failure.find("not enough secret bits"), std::string::npos) << s.alice.failure;
  EXPECT_TRUE(s.bob.key.empty());
}

// Bob recomputes the PA inputs from his own calibration: a different one makes him abort, with no key on either side.
TEST(session, bob_rejects_pa_inputs_that_differ_from_his_calibration) {
  const auto alice = random_bits(4000, 21);
  const auto bob = flip_k(alice, 100, 22);
  kg::agree_config cfg;
  auto [ta, tb] = kg::make_in_process_pair(cfg.timeout_s, 1 << 20);
  kg::party_outcome rb;
  kg::pa_calibration other = generous(50);
  other.h_total += 1;
  std::thread t([&, p = tb.get()] { rb = kg::run_bob(*p, bob, cfg, other); });
  const auto ra = kg::run_alice(*ta, alice, cfg, generous(50), 5);
  ta.reset();
  t.join();
  EXPECT_FALSE(ra.ok);
  EXPECT_FALSE(rb.ok);
  EXPECT_NE(rb.failure.find("amplify.h_total"), std::string::npos) << rb.failure;
  EXPECT_TRUE(ra.key.empty());
  EXPECT_TRUE(rb.key.empty());
}

TEST(session, residual_errors_fail_confirmation) {
  // One pass with a huge first block cannot fix an even number of errors: confirmation must catch it.
  const auto alice = random_bits(2000, 1);
  const auto bob = flip_k(alice, 2, 5);
  kg::agree_config cfg;
  cfg.cascade.nof_passes = 1;
  cfg.cascade.first_block_factor = 10;  // k1 = 10 / 0.001 >= n: one block
  cfg.cascade.max_error_rate = 0.01;    // the calibrated 0.05 is clamped to 0.01
  cfg.cascade.min_block_bits = 4000;
  const auto s = kg::simulate_session(alice, bob, {}, cfg, generous(40), 1);
  EXPECT_FALSE(s.alice.ok);
  EXPECT_FALSE(s.bob.ok);
  EXPECT_NE(s.bob.failure.find("key confirmation failed"), std::string::npos) << s.bob.failure;
  EXPECT_TRUE(s.alice.key.empty());
  EXPECT_TRUE(s.bob.key.empty());
}

}  // namespace

// Issue #20, key hygiene: a process about to hold keys can write no core dump and is not dumpable. Checked in a
// child, so that the test process itself stays debuggable.
TEST(session, process_holding_keys_writes_no_core_dump) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const std::string what = physec::keygen::protect_process_secrets();
    rlimit core{};
    ::getrlimit(RLIMIT_CORE, &core);
    const bool ok = core.rlim_cur == 0 && core.rlim_max == 0 && ::prctl(PR_GET_DUMPABLE) == 0 &&
                    what == "core dumps off, not dumpable";
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}
