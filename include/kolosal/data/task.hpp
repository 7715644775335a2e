// SPDX-License-Identifier: MIT
// Guessing the learning task (binary, multiclass, regression) from a target column.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "kolosal/core/config.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::data {

enum class TaskType { kBinary, kMulticlass, kRegression };

/// What guess_task() concluded and why.
struct TaskGuess {
  TaskType type = TaskType::kRegression;
  std::size_t n_classes = 0;  ///< distinct non-missing target values for classification, else 0
  std::string reason;         ///< one line for reports, e.g. "numeric with 412 distinct values"
};

/// Largest number of distinct integer values a numeric target may have to be read as class labels.
inline constexpr std::size_t kMaxIntegerClasses = 20;

/// Guesses the task from a target column: categorical, boolean and text targets are
/// classification; a numeric target whose values are all integers with at most
/// kMaxIntegerClasses distinct values is classification too, any other numeric target regression.
/// Two classes make a binary task, more a multiclass one.
/// @throws DataError when the target has no non-missing value, a single distinct value, or is a
/// datetime column.
[[nodiscard]] TaskGuess guess_task(const Column& target);

}  // namespace kolosal::data

namespace kolosal::config {
template <>
struct EnumNames<data::TaskType> {
  static constexpr std::array kValues{std::pair{data::TaskType::kBinary, "binary"},
                                      std::pair{data::TaskType::kMulticlass, "multiclass"},
                                      std::pair{data::TaskType::kRegression, "regression"}};
};
}  // namespace kolosal::config
