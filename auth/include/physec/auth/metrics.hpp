#pragma once
/// @file Authentication metrics: accuracy, confusion matrix, false-alarm and miss-detection rates.
///
/// Spoofer detection treats spoofers as the positive class. Labels 0 .. nof_legal-1 are legal users, labels
/// >= nof_legal are spoofers (TDGCN paper: 4 legal, 2 spoofers).
///   FAR (false-alarm rate)     = #(legal sample predicted as any spoofer label) / #(legal samples)
///   MDR (miss-detection rate)  = #(spoofer sample predicted as any legal label) / #(spoofer samples)
/// A legal user taken for another legal user, or a spoofer for another spoofer, is neither: it only lowers
/// the accuracy.

#include <cstdint>
#include <vector>

#include "physec/core/table.hpp"

namespace physec::auth {

/// Fraction of equal entries (the paper's accuracy: correctly identified samples / all samples).
/// `truth`, `predicted` `[n]`, n > 0.
double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted);

/// Counts `[nof_classes][nof_classes]`: row = true label, column = predicted label.
std::vector<std::vector<std::int64_t>> confusion_matrix(const std::vector<int>& truth,
                                                        const std::vector<int>& predicted, std::size_t nof_classes);

/// Spoofer-detection rates (see the file comment); a rate with no samples behind it is NaN.
struct spoofer_rates {
  double far = 0.0;               ///< false-alarm rate
  double mdr = 0.0;               ///< miss-detection rate
  std::int64_t nof_legal = 0;     ///< legal samples
  std::int64_t nof_spoofer = 0;   ///< spoofer samples
};
spoofer_rates spoofer_detection(const std::vector<int>& truth, const std::vector<int>& predicted,
                                int nof_legal_users = 4);

/// The confusion matrix as a table: column `true` then one column per predicted label.
table confusion_table(const std::vector<std::vector<std::int64_t>>& confusion);

}  // namespace physec::auth
