#pragma once
/// @file Parameters of the NIST SP 800-22 rev1a tests (A. Rukhin et al., "A Statistical Test Suite for Random and
/// Pseudorandom Number Generators for Cryptographic Applications", NIST SP 800-22 Revision 1a, April 2010).
/// Defaults are those of the document's recommendations (§2.x.7) and of its Appendix B runs.

#include <cstddef>

#include "physec/core/config.hpp"

namespace physec::randomness {

/// Parameters of all 15 tests. Zero for a block length means "chosen from n by the document's table".
struct nist_config {
  double alpha = 0.01;  ///< significance level α of each test [probability]

  std::size_t block_frequency_M = 128;      ///< block length M of the block frequency test [bits]
  std::size_t longest_run_M = 0;            ///< block length M of the longest-run test, 8, 128 or 10000 [bits]
  std::size_t rank_rows = 32;               ///< rows M of the rank-test matrices
  std::size_t rank_columns = 32;            ///< columns Q of the rank-test matrices
  std::size_t non_overlapping_m = 9;        ///< template length m of the non-overlapping template test [bits]
  std::size_t non_overlapping_N = 8;        ///< number N of blocks of the non-overlapping template test
  std::size_t overlapping_m = 9;            ///< template length m (template 1…1) of the overlapping test [bits]
  std::size_t overlapping_M = 1032;         ///< block length M of the overlapping template test [bits]
  std::size_t universal_L = 0;              ///< block length L of Maurer's universal test [bits]
  std::size_t universal_Q = 0;              ///< initialisation blocks Q of Maurer's test (0: 10·2^L)
  std::size_t linear_complexity_M = 500;    ///< block length M of the linear complexity test [bits]
  std::size_t serial_m = 16;                ///< pattern length m of the serial test [bits]
  std::size_t approximate_entropy_m = 10;   ///< pattern length m of the approximate entropy test [bits]
  std::size_t excursions_min_cycles = 500;  ///< random excursions (variant) run only with J ≥ this [cycles]
  /// Class probabilities as the reference implementation (NIST sts 2.1.2) uses them where they differ from the
  /// text: overlapping-template π from the compound-Poisson approximation of §2.8.4 step 4 rather than the
  /// corrected values of §3.8, and linear-complexity π_0 = 0.01047 rather than 0.010417 (§2.10.4 step 6). The
  /// document's own worked examples (§2.8.8, §2.10.8) and Appendix B were computed this way.
  bool reference_probabilities = true;

  void describe(config::schema& s) {
    s.add("alpha", alpha, "significance level of each test [probability]")
        .range(1e-6, 0.5)
        .source("SP 800-22 rev1a §1.1.5, §4.2.1");
    s.add("block_frequency_M", block_frequency_M, "block frequency test block length M [bits]")
        .range(2, 1u << 30)
        .source("SP 800-22 rev1a §2.2.7 and Appendix B (M = 128)");
    s.add("longest_run_M", longest_run_M, "longest-run block length M: 8, 128, 10000, or 0 for the table by n [bits]")
        .range(0, 10000)
        .source("SP 800-22 rev1a §2.4.2 table");
    s.add("rank_rows", rank_rows, "rank test matrix rows M").range(2, 64).source("SP 800-22 rev1a §2.5.2 (M = 32)");
    s.add("rank_columns", rank_columns, "rank test matrix columns Q")
        .range(2, 64)
        .source("SP 800-22 rev1a §2.5.2 (Q = 32)");
    s.add("non_overlapping_m", non_overlapping_m, "non-overlapping template length m [bits]")
        .range(2, 21)
        .source("SP 800-22 rev1a §2.7.7 (m = 9: 148 aperiodic templates)");
    s.add("non_overlapping_N", non_overlapping_N, "non-overlapping template test number of blocks N")
        .range(1, 100)
        .source("SP 800-22 rev1a §2.7.7 (N = 8)");
    s.add("overlapping_m", overlapping_m, "overlapping template length m [bits]")
        .range(2, 21)
        .source("SP 800-22 rev1a §2.8.7 (m = 9)");
    s.add("overlapping_M", overlapping_M, "overlapping template block length M [bits]")
        .range(8, 1u << 30)
        .source("SP 800-22 rev1a §2.8.7 (M = 1032)");
    s.add("universal_L", universal_L, "Maurer universal block length L, 0 for the table by n [bits]")
        .range(0, 16)
        .source("SP 800-22 rev1a §2.9.7 table");
    s.add("universal_Q", universal_Q, "Maurer universal initialisation blocks Q, 0 for 10*2^L")
        .range(0, 1u << 30)
        .source("SP 800-22 rev1a §2.9.7 (Q = 10*2^L)");
    s.add("linear_complexity_M", linear_complexity_M, "linear complexity block length M [bits]")
        .range(2, 10000)
        .source("SP 800-22 rev1a §2.10.7 and Appendix B (M = 500)");
    s.add("serial_m", serial_m, "serial test pattern length m [bits]")
        .range(2, 20)
        .source("SP 800-22 rev1a §2.11.7 and Appendix B (m = 16)");
    s.add("approximate_entropy_m", approximate_entropy_m, "approximate entropy pattern length m [bits]")
        .range(1, 19)
        .source("SP 800-22 rev1a §2.12.7 and Appendix B (m = 10)");
    s.add("excursions_min_cycles", excursions_min_cycles, "random excursions tests skipped below J cycles [cycles]")
        .range(0, 1e9)
        .source("SP 800-22 rev1a §2.14.7 (J >= 500)");
    s.add("reference_probabilities", reference_probabilities,
          "class probabilities of the reference code (true) or of the text, §3.8 and §2.10.4 (false)")
        .source("SP 800-22 rev1a Appendix B and §2.8.8, §2.10.8 were computed with the reference code's values");
  }
};

}  // namespace physec::randomness
