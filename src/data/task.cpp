// SPDX-License-Identifier: MIT
// Task inference from the target column.
#include "kolosal/data/task.hpp"

#include <cmath>
#include <set>
#include <unordered_set>

#include "kolosal/core/error.hpp"

namespace kolosal::data {
namespace {

TaskGuess classification(std::size_t n_classes, std::string reason) {
  return {n_classes == 2 ? TaskType::kBinary : TaskType::kMulticlass, n_classes, std::move(reason)};
}

}  // namespace

TaskGuess guess_task(const Column& target) {
  const std::string& name = target.name();
  KOLOSAL_CHECK(target.type() != ColumnType::kDatetime, DataError, "target '", name,
                "' is a datetime column: no learning task is defined for it");
  KOLOSAL_CHECK(target.missing_count() < target.size(), DataError, "target '", name,
                "' has no non-missing value");

  std::size_t distinct = 0;
  if (target.type() == ColumnType::kNumeric) {
    std::set<double> values;
    bool all_integers = true;
    for (std::size_t i = 0; i < target.size(); ++i) {
      if (target.is_missing(i)) continue;
      const double v = target.as_double(i);
      all_integers = all_integers && v == std::floor(v) && std::abs(v) < 9.0e15;
      // Past the class limit only "more than one value" matters.
      if (values.size() <= kMaxIntegerClasses) values.insert(v);
    }
    distinct = values.size();
    KOLOSAL_CHECK(distinct > 1, DataError, "target '", name,
                  "' has a single distinct value: nothing to learn");
    if (all_integers && distinct <= kMaxIntegerClasses) {
      return classification(distinct,
                            detail::concat("numeric with ", distinct, " distinct integer values"));
    }
    return {TaskType::kRegression, 0,
            all_integers ? detail::concat("numeric with more than ", kMaxIntegerClasses,
                                          " distinct integer values")
                         : std::string("numeric with non-integer values")};
  }

  std::unordered_set<std::string> labels;
  for (std::size_t i = 0; i < target.size(); ++i) {
    if (!target.is_missing(i)) labels.insert(target.label(i));
  }
  distinct = labels.size();
  KOLOSAL_CHECK(distinct > 1, DataError, "target '", name,
                "' has a single distinct value: nothing to learn");
  return classification(distinct,
                        detail::concat(to_string(target.type()), " with ", distinct, " classes"));
}

}  // namespace kolosal::data
