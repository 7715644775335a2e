// SPDX-License-Identifier: MIT
// The AutoML detector: what a table is (task, column roles, imbalance, size, missingness), so the
// composer can give each model family the preprocessing it needs.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/data/task.hpp"

namespace kolosal::autopipeline {

/// What a feature column is for.
enum class ColumnRole {
  kNumeric,      ///< a number to use as is (after imputation / scaling where a model needs it)
  kCategorical,  ///< a category with few enough levels to encode
  kBoolean,      ///< true / false
  kDatetime,     ///< a timestamp to expand into parts
  kText,         ///< free text to vectorise
  kIdentifier,   ///< a row key (unique per row): dropped, it cannot generalise
  kConstant,     ///< one value (or none): dropped, it carries no information
};

/// Rough size class, for choosing cross-validation versus holdout and search effort.
enum class SizeClass { kTiny, kSmall, kMedium, kLarge };

}  // namespace kolosal::autopipeline

namespace kolosal::config {
template <>
struct EnumNames<autopipeline::ColumnRole> {
  using R = autopipeline::ColumnRole;
  static constexpr std::array kValues{
      std::pair{R::kNumeric, "numeric"},  std::pair{R::kCategorical, "categorical"},
      std::pair{R::kBoolean, "boolean"},  std::pair{R::kDatetime, "datetime"},
      std::pair{R::kText, "text"},        std::pair{R::kIdentifier, "identifier"},
      std::pair{R::kConstant, "constant"}};
};
template <>
struct EnumNames<autopipeline::SizeClass> {
  using S = autopipeline::SizeClass;
  static constexpr std::array kValues{std::pair{S::kTiny, "tiny"}, std::pair{S::kSmall, "small"},
                                      std::pair{S::kMedium, "medium"},
                                      std::pair{S::kLarge, "large"}};
};
}  // namespace kolosal::config

namespace kolosal::autopipeline {

struct DetectorConfig {
  static constexpr std::string_view kName = "DetectorConfig";
  /// A categorical column with more distinct values is flagged high-cardinality (target or
  /// frequency encoding rather than one-hot).
  std::size_t high_cardinality = 32;
  /// A string column whose distinct values cover at least this fraction of its non-missing rows
  /// is an identifier unless it reads as free text.
  double identifier_unique_fraction = 0.98;
  /// String values averaging at least this many words are free text.
  double text_min_mean_words = 3.0;
  /// Majority / minority class count at or above which a classification target is imbalanced.
  double imbalance_ratio = 5.0;
  /// Rows beyond which a table is small, medium and large.
  std::size_t tiny_rows = 1'000;
  std::size_t small_rows = 20'000;
  std::size_t medium_rows = 200'000;

  static constexpr auto fields() {
    return std::tuple{
        config::field("high_cardinality", &DetectorConfig::high_cardinality).at_least(2),
        config::field("identifier_unique_fraction", &DetectorConfig::identifier_unique_fraction)
            .greater_than(0.5)
            .at_most(1.0),
        config::field("text_min_mean_words", &DetectorConfig::text_min_mean_words)
            .greater_than(1.0),
        config::field("imbalance_ratio", &DetectorConfig::imbalance_ratio).greater_than(1.0),
        config::field("tiny_rows", &DetectorConfig::tiny_rows),
        config::field("small_rows", &DetectorConfig::small_rows),
        config::field("medium_rows", &DetectorConfig::medium_rows)};
  }
  void check() const;
  friend bool operator==(const DetectorConfig&, const DetectorConfig&) = default;
};

struct ColumnProfile {
  std::string name;
  data::ColumnType type = data::ColumnType::kNumeric;
  ColumnRole role = ColumnRole::kNumeric;
  std::size_t n_unique = 0;   ///< distinct non-missing values
  std::size_t n_missing = 0;  ///< missing entries
  bool high_cardinality = false;
  std::string reason;  ///< why this role, one line for reports
};

struct DatasetProfile {
  std::string target;
  data::TaskGuess task;
  std::size_t rows = 0;
  std::size_t target_missing = 0;                     ///< rows without a target (AutoML drops them)
  std::vector<ColumnProfile> columns{};               ///< the feature columns, in frame order
  std::map<std::string, std::size_t> class_counts{};  ///< classification: label -> rows
  double imbalance_ratio = 1.0;  ///< majority / minority count (classification)
  bool imbalanced = false;
  double missing_fraction = 0.0;  ///< missing cells over all feature cells
  SizeClass size = SizeClass::kTiny;

  /// Names of the feature columns with `role`, in frame order.
  [[nodiscard]] std::vector<std::string> columns_with(ColumnRole role) const;
  /// Names of the columns a model may use (every role but identifier and constant).
  [[nodiscard]] std::vector<std::string> usable_columns() const;
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Profiles `frame` for predicting `target`.
/// @throws InvalidArgument when the target column is absent; DataError when it cannot be a
///   target (see data::guess_task); ConfigError for a bad config
[[nodiscard]] DatasetProfile profile_dataset(const data::Frame& frame, std::string_view target,
                                             const DetectorConfig& config = {});

}  // namespace kolosal::autopipeline
