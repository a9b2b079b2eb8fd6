#pragma once
/// @file NIST SP 800-90B (January 2018) §5 IID tests for binary samples: the permutation tests of §5.1 (19
/// statistics of 11 tests; binary data through Conversion I (Hamming weight of 8-bit blocks) for the directional-run,
/// periodicity and covariance statistics and Conversion II (8-bit block values) for the collision statistics, the
/// median 0.5 for the median runs, bzip2 for compression) and the chi-square tests of §5.2.1 (independence of m-bit
/// tuples) and §5.2.2 (goodness of fit over 10 sub-sequences) for binary data. The verdict is "IID" only if no test
/// rejects: a permutation statistic rejects when the original lies among the 5 most extreme of 10 000 shuffles
/// (C0 + C1 ≤ 5 or C1 + C2 ≤ 5, §5.1), a chi-square test when its p-value is below 0.001 (§5.2).
///
/// Used on the calibration bits of the key-generation chain (before reconciliation and privacy amplification).
/// SP 800-90B asks for 1 000 000 samples; fewer give the tests less power, never a different false-rejection rate.
/// The longest-repeated-substring test (§5.2.3 in the reference implementation) is not implemented.

#include <cstdint>
#include <string>
#include <vector>

namespace physec::keygen {

/// One permutation statistic of §5.1: its value on the original sequence and the counts of shuffles above (c0),
/// equal to (c1) and below (c2) it.
struct iid_permutation_statistic {
  std::string name;
  double value = 0;
  int c0 = 0, c1 = 0, c2 = 0;
  bool reject = false;  ///< c0 + c1 <= 5 or c1 + c2 <= 5
};

/// One chi-square test of §5.2.
struct iid_chi_square_statistic {
  std::string name;
  bool run = false;  ///< false when the sample is too short (the spec's conditions on expected counts)
  double value = 0;
  int df = 0;
  double p_value = 1;
  bool reject = false;  ///< p_value < 0.001
};

struct iid_test_result {
  std::size_t nof_bits = 0;
  int nof_permutations = 0;
  std::vector<iid_permutation_statistic> permutation;
  std::vector<iid_chi_square_statistic> chi_square;
  bool iid = false;        ///< no statistic rejects
  std::string verdict;     ///< "IID assumption not rejected" or the rejecting statistics
};

/// The 19 statistics of §5.1 on 0/1 samples (binary conversions as above), in the spec's order.
std::vector<double> iid_permutation_statistics(const std::vector<std::uint8_t>& bits);

/// Runs §5.1 (with `nof_permutations` Fisher–Yates shuffles driven by `seed`; the spec's is 10 000, and the
/// rejection rule's 5 assumes it) and §5.2.1/§5.2.2 on 0/1 samples (at least 64).
iid_test_result sp800_90b_iid_tests(const std::vector<std::uint8_t>& bits, std::uint64_t seed, int nof_permutations = 10000);

}  // namespace physec::keygen
