#pragma once
/// @file Cascade information reconciliation (Brassard & Salvail, "Secret-key reconciliation by public discussion",
/// EUROCRYPT 1993): Bob corrects his bits towards Alice's by asking for parities of blocks over a public channel.
///
/// Pass 1 cuts the string into blocks of k1 = ⌈factor / p⌉ bits (p: the estimated bit error rate; the paper's factor
/// 0.73, ours 2.0), pass i into blocks of k1·2^(i−1) bits, capped at half the string, of the string shuffled by a
/// public permutation. Alice announces
/// every block parity of a pass; each block whose parity differs holds an odd number of errors, and a binary search
/// (BINARY: parities of left halves) finds one. Every corrected bit changes the parity of the block holding it in
/// every earlier pass, which then gets searched in turn (the cascade). Leakage is exactly the number of parity bits
/// Alice announced. A search that meets a range whose parity Alice already announced (a left half asked in an
/// earlier search) narrows it without asking again. The searches of a round are batched into one message, so the number of round trips is about
/// passes · log2(block size), not the number of errors.

#include <cstdint>
#include <functional>
#include <vector>

#include "physec/core/config.hpp"

namespace physec::keygen {

struct cascade_config {
  int nof_passes = 10;               ///< passes (Brassard–Salvail: 4; the passes at the cap cost little)
  double first_block_factor = 2.0;   ///< k1 = ⌈factor / p⌉ (Brassard–Salvail: 0.73; docs/key-agreement.md)
  int min_block_bits = 4;            ///< lower limit of k1 [bits]
  double max_error_rate = 0.25;      ///< the estimate used for k1 is clamped to [1e-3, this]
  void describe(config::schema& s);
};

/// A parity question: the parity of positions [start, end) of the string as permuted for `pass`.
struct parity_query {
  std::uint8_t pass = 0;
  std::uint32_t start = 0, end = 0;
};

/// The public permutations of the passes: pass 0 is the identity, pass i a shuffle drawn from `seed`.
class cascade_permutations {
 public:
  cascade_permutations(std::size_t nof_bits, int nof_passes, std::uint64_t seed);
  /// Original index of position `pos` in pass `pass`.
  std::uint32_t at(int pass, std::size_t pos) const { return perm_[static_cast<std::size_t>(pass)][pos]; }
  /// Position of original index `index` in pass `pass`.
  std::uint32_t position(int pass, std::size_t index) const { return inv_[static_cast<std::size_t>(pass)][index]; }
  int nof_passes() const { return static_cast<int>(perm_.size()); }
  std::size_t nof_bits() const { return perm_.empty() ? 0 : perm_[0].size(); }
  /// Parity of `bits` over a query (throws physec::error for a query out of range).
  std::uint8_t parity(const std::vector<std::uint8_t>& bits, const parity_query& q) const;

 private:
  std::vector<std::vector<std::uint32_t>> perm_, inv_;
};

/// Answers a batch of parity queries (Alice's side, or the network in between): one 0/1 per query, in order.
using parity_oracle = std::function<std::vector<std::uint8_t>(const std::vector<parity_query>&)>;

struct cascade_stats {
  std::size_t leaked_bits = 0;       ///< parity bits answered by Alice
  std::size_t nof_rounds = 0;        ///< query batches (round trips)
  std::size_t nof_corrections = 0;   ///< bits Bob flipped
  std::size_t first_block_bits = 0;  ///< k1
  std::size_t nof_wrong_codewords = 0;  ///< LDPC: decodings that satisfied every check but not the verification tag
};

/// First-pass block size for an estimated error rate `p`.
std::size_t cascade_first_block(double p, const cascade_config& cfg);

/// Bob's side: corrects `bits` in place towards the string behind `oracle`, with first block size `k1` and the
/// permutations `perm`. Returns the leakage and round counts.
cascade_stats cascade_correct(std::vector<std::uint8_t>& bits, std::size_t k1, const cascade_permutations& perm,
                              const parity_oracle& oracle);

}  // namespace physec::keygen
