#include "physec/auth/metrics.hpp"

#include <cmath>
#include <string>

#include "physec/core/error.hpp"

namespace physec::auth {

namespace {
void check_pair(const std::vector<int>& truth, const std::vector<int>& predicted) {
  if (truth.empty() || truth.size() != predicted.size())
    throw error("truth and prediction lists differ in length or are empty", {"", "predicted", std::nullopt},
                std::to_string(truth.size()) + " labels (> 0)", std::to_string(predicted.size()));
}
}  // namespace

double accuracy(const std::vector<int>& truth, const std::vector<int>& predicted) {
  check_pair(truth, predicted);
  std::size_t hits = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) hits += truth[i] == predicted[i];
  return static_cast<double>(hits) / static_cast<double>(truth.size());
}

std::vector<std::vector<std::int64_t>> confusion_matrix(const std::vector<int>& truth,
                                                        const std::vector<int>& predicted, std::size_t nof_classes) {
  check_pair(truth, predicted);
  std::vector<std::vector<std::int64_t>> m(nof_classes, std::vector<std::int64_t>(nof_classes, 0));
  for (std::size_t i = 0; i < truth.size(); ++i) {
    for (const auto* list : {&truth, &predicted})
      if ((*list)[i] < 0 || static_cast<std::size_t>((*list)[i]) >= nof_classes)
        throw error("label outside the confusion matrix", {"", list == &truth ? "truth" : "predicted", i},
                    "0 .. " + std::to_string(nof_classes - 1), std::to_string((*list)[i]));
    ++m[static_cast<std::size_t>(truth[i])][static_cast<std::size_t>(predicted[i])];
  }
  return m;
}

spoofer_rates spoofer_detection(const std::vector<int>& truth, const std::vector<int>& predicted,
                                int nof_legal_users) {
  check_pair(truth, predicted);
  if (nof_legal_users < 1)
    throw error("need at least one legal user", {"", "nof_legal_users", std::nullopt}, ">= 1",
                std::to_string(nof_legal_users));
  spoofer_rates r;
  std::int64_t false_alarms = 0, misses = 0;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const bool spoofer = truth[i] >= nof_legal_users, flagged = predicted[i] >= nof_legal_users;
    if (spoofer) {
      ++r.nof_spoofer;
      misses += !flagged;
    } else {
      ++r.nof_legal;
      false_alarms += flagged;
    }
  }
  r.far = r.nof_legal ? static_cast<double>(false_alarms) / static_cast<double>(r.nof_legal) : NAN;
  r.mdr = r.nof_spoofer ? static_cast<double>(misses) / static_cast<double>(r.nof_spoofer) : NAN;
  return r;
}

table confusion_table(const std::vector<std::vector<std::int64_t>>& confusion) {
  std::vector<std::string> cols = {"true"};
  for (std::size_t c = 0; c < confusion.size(); ++c) cols.push_back("pred_" + std::to_string(c));
  table t(cols);
  for (std::size_t r = 0; r < confusion.size(); ++r) {
    std::vector<table::cell> row = {static_cast<std::int64_t>(r)};
    for (auto v : confusion[r]) row.emplace_back(v);
    t.add_row(row);
  }
  return t;
}

}  // namespace physec::auth
