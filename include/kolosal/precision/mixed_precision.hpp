// SPDX-License-Identifier: MIT
// Mixed precision: weights and activations stored in FP16 or BF16, products accumulated in FP32,
// and a manager that picks the storage precision of a model from its validation error.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include <Eigen/Core>

#include "kolosal/core/config.hpp"
#include "kolosal/core/function_ref.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/precision/half.hpp"

namespace kolosal::precision {

/// A matrix held at a storage precision: FP32 as is, FP16 / BF16 as 16-bit patterns (column-
/// major, as Eigen). Converting back to float is exact.
class StoredMatrix {
 public:
  StoredMatrix() = default;
  /// Rounds `m` to `p` (round to nearest even).
  StoredMatrix(const Eigen::MatrixXf& m, Precision p);

  [[nodiscard]] Precision precision() const noexcept { return precision_; }
  [[nodiscard]] Eigen::Index rows() const noexcept { return rows_; }
  [[nodiscard]] Eigen::Index cols() const noexcept { return cols_; }
  /// Bytes of storage: 4 per value in FP32, 2 in FP16 / BF16.
  [[nodiscard]] std::size_t bytes() const noexcept;
  /// The stored values widened to float (exact).
  [[nodiscard]] Eigen::MatrixXf to_float() const;
  /// Columns [begin, begin + count) widened to float.
  [[nodiscard]] Eigen::MatrixXf columns(Eigen::Index begin, Eigen::Index count) const;

 private:
  Precision precision_ = Precision::kFp32;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
  Eigen::MatrixXf full_;
  std::vector<std::uint16_t> bits_;
};

/// A·b with both operands stored at their precisions, every product and sum in FP32.
/// @throws ShapeMismatch
[[nodiscard]] Eigen::VectorXf matvec(const StoredMatrix& a, const StoredMatrix& b);
/// A·B, B widened a panel of columns at a time, accumulated in FP32. @throws ShapeMismatch
[[nodiscard]] Eigen::MatrixXf matmul(const StoredMatrix& a, const StoredMatrix& b);

/// A fitted dense model (linear model or perceptron) evaluated with its weights, biases and
/// activations stored at one precision and every product accumulated in FP32.
class MixedPrecisionNetwork {
 public:
  /// From a fitted MlpClassifier, MlpRegressor, LogisticRegression or linear regressor.
  /// @throws NotFitted, UnsupportedError for other models
  explicit MixedPrecisionNetwork(const Model& model);

  [[nodiscard]] bool is_classifier() const noexcept { return classifier_; }
  /// Predictions with storage precision `p`: class indices or values.
  [[nodiscard]] std::vector<double> predict(MatrixView<const double> x, Precision p) const;
  /// Class probabilities with storage precision `p`. @throws UnsupportedError for a regressor
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x, Precision p) const;
  /// Bytes of the weights and biases stored at `p`.
  [[nodiscard]] std::size_t weight_bytes(Precision p) const;

 private:
  /// Network outputs before the output function (n x outputs, float accumulation).
  [[nodiscard]] Eigen::MatrixXf raw(MatrixView<const double> x, Precision p) const;

  std::vector<Eigen::MatrixXf> weights_;  // out x in per layer
  std::vector<Eigen::VectorXf> biases_;
  int activation_ = 0;  // training::MlpActivation between layers
  bool classifier_ = false;
  bool softmax_ = false;  // multiclass output
  bool ovr_ = false;      // one-vs-rest logistic regression
  std::size_t n_features_ = 0;
  std::size_t n_classes_ = 0;
};

struct MixedPrecisionConfig {
  static constexpr std::string_view kName = "MixedPrecisionConfig";
  /// Largest accepted loss of the validation metric (accuracy for classifiers, R² for
  /// regressors) against FP32, in the metric's units.
  double tolerance = 1e-3;
  /// Precisions to try; the accepted one with the smallest loss wins, ties going to the
  /// earlier one.
  std::vector<Precision> candidates{Precision::kBf16, Precision::kFp16};

  static constexpr auto fields() {
    using C = MixedPrecisionConfig;
    return std::tuple{
        config::field("tolerance", &C::tolerance).at_least(0.0).doc("largest metric loss"),
        config::field("candidates", &C::candidates).doc("precisions to try")};
  }
  friend bool operator==(const MixedPrecisionConfig&, const MixedPrecisionConfig&) = default;
};

/// What the manager measured and chose.
struct PrecisionReport {
  struct Trial {
    Precision precision = Precision::kFp32;
    double metric = 0.0;
    double degradation = 0.0;  ///< FP32 metric minus this one (positive is worse)
    bool accepted = false;
  };
  Precision chosen = Precision::kFp32;
  std::string metric_name;  ///< "accuracy" or "r2"
  double fp32_metric = 0.0;
  std::vector<Trial> trials;
  std::string reason;  ///< one sentence: why this precision
};

/// Picks the storage precision of a model: each candidate is scored on validation data and
/// kept when its metric falls at most `tolerance` below FP32's; FP32 when none qualifies.
class MixedPrecisionManager {
 public:
  explicit MixedPrecisionManager(MixedPrecisionConfig config = {});

  /// Scores `network` on (x, y) at FP32 and at each candidate. @throws ShapeMismatch
  [[nodiscard]] PrecisionReport select(const MixedPrecisionNetwork& network,
                                       MatrixView<const double> x, std::span<const double> y) const;
  /// The same rule over any model: `metric(p)` scores it at precision p (greater is better).
  [[nodiscard]] PrecisionReport select(FunctionRef<double(Precision)> metric,
                                       std::string metric_name) const;

 private:
  MixedPrecisionConfig config_;
};

}  // namespace kolosal::precision
