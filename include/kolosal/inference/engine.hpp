// SPDX-License-Identifier: MIT
// InferenceEngine: a fitted pipeline (or model) loaded once and served to many concurrent
// callers, with input schema checks, parallel batch prediction, warm-up, an optional result
// cache and per-call latency metrics.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::inference {

/// Settings of an InferenceEngine.
struct InferenceConfig {
  /// Rows per parallel block of a batch (results never depend on the thread count).
  std::size_t block_rows = 1024;
  /// Entries of the result cache for numeric rows (predict_row, predict on a matrix); 0 disables.
  std::size_t cache_capacity = 0;
  /// Seconds a cached result stays valid; 0 keeps it until evicted.
  double cache_ttl_seconds = 0.0;

  static constexpr std::string_view kName = "InferenceConfig";
  static constexpr auto fields() {
    return std::tuple{config::field("block_rows", &InferenceConfig::block_rows)
                          .at_least(1)
                          .doc("rows per parallel block of a batch"),
                      config::field("cache_capacity", &InferenceConfig::cache_capacity)
                          .doc("result cache entries for numeric rows; 0 disables the cache"),
                      config::field("cache_ttl_seconds", &InferenceConfig::cache_ttl_seconds)
                          .at_least(0.0)
                          .doc("seconds a cached result stays valid; 0: until evicted")};
  }

  friend bool operator==(const InferenceConfig&, const InferenceConfig&) = default;
};

/// Predictions for a batch of rows.
struct Prediction {
  /// Class indices (as doubles) for classifiers, values for regressors; one per row.
  std::vector<double> values;
  /// Class probabilities, rows x n_classes, for classifiers that have them; else 0 x 0.
  Matrix<double> proba;
};

/// Counters and latency of an engine since it was built or reset.
struct InferenceStats {
  std::uint64_t calls = 0;         ///< prediction calls (warm-up excluded)
  std::uint64_t rows = 0;          ///< rows predicted
  std::uint64_t errors = 0;        ///< calls that threw
  std::uint64_t cache_hits = 0;    ///< rows answered from the result cache
  std::uint64_t cache_misses = 0;  ///< rows looked up and not found
  double latency_p50_ms = 0.0;     ///< per-call latency quantiles over the whole run
  double latency_p90_ms = 0.0;
  double latency_p99_ms = 0.0;
  double latency_max_ms = 0.0;
  double latency_mean_ms = 0.0;
  [[nodiscard]] nlohmann::json to_json() const;
};

/// Serves a fitted preprocessing::Pipeline (or a bare model). It is loaded once and immutable
/// afterwards: every prediction method is const and safe to call from many threads at once.
///
/// Input schema: a pipeline records the columns (names and types) it was fitted on. A Frame
/// must hold each of them, in any order, with the same type (DataError naming the column
/// otherwise); other columns, a target column included, are ignored. A matrix or a single row
/// gives the values of those columns in schema order and needs an all-numeric schema. A bare
/// model takes the numeric columns of a Frame in order, as many as it has features.
///
/// Batch prediction splits the rows into fixed blocks of block_rows predicted in parallel on the
/// context's threads, so results are bit-identical for any thread count. (Tree models predict
/// each row on its own and give the same bits for any block size too; linear kernels that
/// vectorise across rows may differ in the last bit between block sizes.) Every call's latency
/// is recorded (see stats()).
class InferenceEngine {
 public:
  /// Serves a fitted pipeline. @throws NotFitted; InvalidArgument when it has no model;
  ///   ConfigError for an invalid config
  explicit InferenceEngine(preprocessing::Pipeline pipeline, InferenceConfig config = {},
                           Context ctx = {});
  /// Serves a fitted model. @throws NotFitted; InvalidArgument for a null model; ConfigError
  explicit InferenceEngine(std::unique_ptr<Model> model, InferenceConfig config = {},
                           Context ctx = {});
  /// Loads an artifact of kind "pipeline" or "model".
  /// @throws IoError; SerializationError when the file holds neither; as the constructors
  [[nodiscard]] static InferenceEngine load(const std::filesystem::path& path,
                                            InferenceConfig config = {}, Context ctx = {});

  InferenceEngine(InferenceEngine&&) noexcept;
  InferenceEngine& operator=(InferenceEngine&&) noexcept;
  InferenceEngine(const InferenceEngine&) = delete;
  InferenceEngine& operator=(const InferenceEngine&) = delete;
  ~InferenceEngine();

  /// The input columns a Frame must hold (empty for a bare model).
  [[nodiscard]] const std::vector<preprocessing::ColumnSpec>& schema() const noexcept;
  /// Number of values a matrix row or single row holds.
  [[nodiscard]] std::size_t n_features() const noexcept;
  [[nodiscard]] bool is_classifier() const noexcept;
  /// Whether predictions come with class probabilities.
  [[nodiscard]] bool has_proba() const noexcept;
  /// Class labels in index order: the pipeline's (set_classes) or "0", "1", ...; empty for
  /// regressors.
  [[nodiscard]] const std::vector<std::string>& classes() const noexcept;
  /// The served pipeline, or nullptr for a bare model.
  [[nodiscard]] const preprocessing::Pipeline* pipeline() const noexcept;
  [[nodiscard]] const Model& model() const noexcept;
  [[nodiscard]] const InferenceConfig& config() const noexcept;

  /// Checks `x` against the schema. @throws DataError naming a missing or mistyped column
  void validate(const data::Frame& x) const;
  /// CSV options that read a file with the schema's column types (so a categorical column of
  /// digits stays categorical).
  [[nodiscard]] data::CsvOptions csv_options() const;

  /// Predicts every row of a frame. @throws DataError (schema); as the pipeline's predict
  [[nodiscard]] Prediction predict(const data::Frame& x) const;
  /// Predicts rows given as values of the schema's columns, in schema order (cached when the
  /// cache is on). @throws ShapeMismatch for another column count; InvalidArgument when the
  ///   schema has non-numeric columns
  [[nodiscard]] Prediction predict(MatrixView<const double> x) const;
  /// Predicts one row (cached when the cache is on). @throws as predict(MatrixView)
  [[nodiscard]] Prediction predict_row(std::span<const double> row) const;
  /// The command-line tool's output: a column "prediction" (the class label for classifiers,
  /// else the value) and, for classifiers with probabilities, one column "proba_<label>" per
  /// class; one row per input row, in order. @throws as predict(const Frame&)
  [[nodiscard]] data::Frame predict_table(const data::Frame& x) const;
  /// The labels of class indices. @throws InvalidArgument for an index that is not a class
  [[nodiscard]] std::vector<std::string> labels(std::span<const double> indices) const;

  /// Runs `repeats` predictions on `sample` so caches, allocators and lazy state are warm before
  /// the first request; not counted in stats(). @throws as predict
  void warm_up(const data::Frame& sample, std::size_t repeats = 3) const;
  /// Warm-up on a synthetic row (0 for numbers, false, missing for categories and text).
  void warm_up(std::size_t repeats = 3) const;

  [[nodiscard]] InferenceStats stats() const;
  /// The latency metrics as JSON (whole run and sliding window).
  [[nodiscard]] nlohmann::json metrics_json() const;
  /// Zeroes the counters and latency metrics, and empties the result cache.
  void reset_stats();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kolosal::inference

namespace kolosal::config {
extern template nlohmann::json to_json<inference::InferenceConfig>(
    const inference::InferenceConfig&);
extern template inference::InferenceConfig from_json<inference::InferenceConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
