#include "physec/keygen/cascade.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <tuple>

#include "physec/core/error.hpp"
#include "physec/core/rng.hpp"

namespace physec::keygen {

void cascade_config::describe(config::schema& s) {
  s.add("nof_passes", nof_passes, "Cascade passes (block sizes double from k1 up to half the string)")
      .range(1, 16)
      .source("ours: measured, docs/key-agreement.md (Brassard & Salvail 1993: 4)");
  s.add("first_block_factor", first_block_factor, "first block size k1 = ceil(factor / estimated error rate)")
      .range(0.1, 10)
      .source("ours: measured, docs/key-agreement.md (Brassard & Salvail 1993: 0.73; larger first blocks: "
              "Martinez-Mateo et al. 2015)");
  s.add("min_block_bits", min_block_bits, "lower limit of k1 [bits]").range(2, 1 << 20).source("ours");
  s.add("max_error_rate", max_error_rate, "the error-rate estimate used for k1 is clamped to at most this")
      .range(0.01, 0.5)
      .source("ours");
}

cascade_permutations::cascade_permutations(std::size_t nof_bits, int nof_passes, std::uint64_t seed) {
  const rng_stream root = rng_stream(seed).derive("keygen/cascade/permutation");
  for (int p = 0; p < nof_passes; ++p) {
    std::vector<std::uint32_t> perm(nof_bits);
    for (std::size_t i = 0; i < nof_bits; ++i) perm[i] = static_cast<std::uint32_t>(i);
    if (p > 0) {  // Fisher–Yates with our own unbiased draws (std::shuffle's algorithm is implementation-defined)
      auto r = root.at(static_cast<std::uint64_t>(p));
      for (std::size_t i = nof_bits; i > 1; --i) std::swap(perm[i - 1], perm[r.uniform_int(i)]);
    }
    std::vector<std::uint32_t> inv(nof_bits);
    for (std::size_t i = 0; i < nof_bits; ++i) inv[perm[i]] = static_cast<std::uint32_t>(i);
    perm_.push_back(std::move(perm));
    inv_.push_back(std::move(inv));
  }
}

std::uint8_t cascade_permutations::parity(const std::vector<std::uint8_t>& bits, const parity_query& q) const {
  if (q.pass >= perm_.size() || q.start >= q.end || q.end > bits.size() || bits.size() != nof_bits())
    throw error("parity query out of range", {"", "cascade", {}},
                "pass < " + std::to_string(perm_.size()) + ", 0 <= start < end <= " + std::to_string(nof_bits()),
                "pass " + std::to_string(q.pass) + ", [" + std::to_string(q.start) + ", " + std::to_string(q.end) + ")");
  std::uint8_t p = 0;
  const auto& perm = perm_[q.pass];
  for (std::uint32_t i = q.start; i < q.end; ++i) p ^= bits[perm[i]];
  return p & 1u;
}

std::size_t cascade_first_block(double p, const cascade_config& cfg) {
  const double q = std::clamp(p, 1e-3, cfg.max_error_rate);
  return std::max<std::size_t>(static_cast<std::size_t>(cfg.min_block_bits),
                               static_cast<std::size_t>(std::ceil(cfg.first_block_factor / q)));
}

namespace {

/// A binary search in progress: the range [start, end) of `pass` holds an odd number of errors; Alice's parity of
/// it is `alice`.
struct search {
  std::uint8_t pass;
  std::uint32_t start, end;
  std::uint8_t alice;
  bool operator<(const search& o) const { return std::tie(pass, start, end) < std::tie(o.pass, o.start, o.end); }
};

}  // namespace

cascade_stats cascade_correct(std::vector<std::uint8_t>& bits, std::size_t k1, const cascade_permutations& perm,
                              const parity_oracle& oracle) {
  const std::size_t n = bits.size();
  if (n != perm.nof_bits())
    throw error("Cascade: permutation size differs from the string", {"", "cascade", {}}, std::to_string(n),
                std::to_string(perm.nof_bits()));
  cascade_stats st;
  st.first_block_bits = k1;
  if (n == 0) return st;
  const auto ask = [&](const std::vector<parity_query>& qs) {
    auto a = oracle(qs);
    if (a.size() != qs.size())
      throw error("Cascade: wrong number of parities in the reply", {"", "parity_reply", {}}, std::to_string(qs.size()),
                  std::to_string(a.size()));
    st.leaked_bits += qs.size();
    ++st.nof_rounds;
    // Honest answers leak fewer parities than there are bits; inconsistent ones (a peer answering at random, or
    // holding other permutations) would keep a search going forever.
    if (st.leaked_bits > n)
      throw error("Cascade: the peer's parities are inconsistent (more parities asked than bits)",
                  {"", "parity_reply", {}}, "at most " + std::to_string(n), std::to_string(st.leaked_bits));
    return a;
  };
  std::vector<std::size_t> block_bits;                 // per pass
  std::vector<std::vector<std::uint8_t>> alice_top;  // Alice's parity of every top-level block, per pass
  std::map<std::tuple<std::uint8_t, std::uint32_t, std::uint32_t>, std::uint8_t> known;  // every left half asked
  for (int pass = 0; pass < perm.nof_passes(); ++pass) {
    // Doubling blocks, capped at half the string: a pass of blocks as long as the string would only repeat its
    // parity, while every pass of two half-string blocks of a fresh permutation can still expose a hidden pair.
    const std::size_t k = std::min(n, std::min(k1 << std::min(pass, 30), std::max(k1, (n + 1) / 2)));
    block_bits.push_back(k);
    std::vector<parity_query> qs;
    for (std::size_t s = 0; s < n; s += k)
      qs.push_back({static_cast<std::uint8_t>(pass), static_cast<std::uint32_t>(s),
                    static_cast<std::uint32_t>(std::min(n, s + k))});
    alice_top.push_back(ask(qs));
    std::set<search> active;
    for (std::size_t b = 0; b < qs.size(); ++b)
      if (perm.parity(bits, qs[b]) != alice_top.back()[b]) active.insert({qs[b].pass, qs[b].start, qs[b].end, alice_top.back()[b]});
    while (!active.empty()) {
      // Drop searches whose range became even through a correction elsewhere; correct the single-bit ranges.
      std::vector<search> open;
      std::set<search> next;
      for (const auto& sr : active) {
        const parity_query q{sr.pass, sr.start, sr.end};
        if (perm.parity(bits, q) == sr.alice) continue;
        if (sr.end - sr.start > 1) {
          open.push_back(sr);
          continue;
        }
        const std::uint32_t x = perm.at(sr.pass, sr.start);
        bits[x] ^= 1u;
        // Each honest correction removes one error: never more corrections than bits. Inconsistent parities can flip
        // the same bits back and forth without asking anything new: stop them here.
        if (++st.nof_corrections > n)
          throw error("Cascade: the peer's parities are inconsistent (more corrections than bits)",
                      {"", "parity_reply", {}}, "at most " + std::to_string(n), std::to_string(st.nof_corrections));
        // The cascade: the block holding x in every pass so far changed parity.
        for (int q2 = 0; q2 <= pass; ++q2) {
          const std::size_t kk = block_bits[static_cast<std::size_t>(q2)];
          const std::size_t b = perm.position(q2, x) / kk;
          const parity_query top{static_cast<std::uint8_t>(q2), static_cast<std::uint32_t>(b * kk),
                                 static_cast<std::uint32_t>(std::min(n, (b + 1) * kk))};
          const std::uint8_t a = alice_top[static_cast<std::size_t>(q2)][b];
          if (perm.parity(bits, top) != a) next.insert({top.pass, top.start, top.end, a});
        }
      }
      // Corrections may have made other open ranges even: check again before asking.
      std::vector<search> still;
      for (const auto& sr : open)
        if (perm.parity(bits, {sr.pass, sr.start, sr.end}) != sr.alice) still.push_back(sr);
      // Alice's parities already known (asked in an earlier search) narrow a range without asking again.
      std::vector<parity_query> halves;
      std::vector<search> asking;
      for (auto sr : still) {
        while (sr.end - sr.start > 1) {
          const parity_query h{sr.pass, sr.start, sr.start + (sr.end - sr.start) / 2};
          const auto it = known.find(std::make_tuple(h.pass, h.start, h.end));
          if (it == known.end()) break;
          if (perm.parity(bits, h) != it->second)
            sr = {sr.pass, h.start, h.end, it->second};
          else
            sr = {sr.pass, h.end, sr.end, static_cast<std::uint8_t>(sr.alice ^ it->second)};
        }
        if (sr.end - sr.start == 1) {
          next.insert(sr);
        } else {
          asking.push_back(sr);
          halves.push_back({sr.pass, sr.start, sr.start + (sr.end - sr.start) / 2});
        }
      }
      if (!halves.empty()) {
        const auto a = ask(halves);
        for (std::size_t i = 0; i < asking.size(); ++i) {
          const auto& sr = asking[i];
          const auto& h = halves[i];
          known[std::make_tuple(h.pass, h.start, h.end)] = a[i];
          if (perm.parity(bits, h) != a[i])
            next.insert({sr.pass, h.start, h.end, a[i]});
          else
            next.insert({sr.pass, h.end, sr.end, static_cast<std::uint8_t>(sr.alice ^ a[i])});
        }
      }
      active = std::move(next);
    }
  }
  return st;
}

}  // namespace physec::keygen
