// SPDX-License-Identifier: MIT
// Classification metrics (label, ranking and probabilistic) matching scikit-learn 1.2's values.
#pragma once

#include <limits>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "kolosal/core/matrix_view.hpp"

/// Conventions shared by every metric in this namespace:
///
/// - Class labels are `int`s. They may be arbitrary values (e.g. {-1, 1} or {3, 7}) wherever
///   scikit-learn accepts arbitrary labels; metrics that read a probability matrix take class
///   *indices*: column j of `y_proba` is class j, and `y_true` must lie in [0, cols). String
///   labels go through encode_labels() first, which numbers classes in sorted order exactly as
///   scikit-learn's np.unique does, so results are identical.
/// - Arguments come in the order (y_true, y_pred or y_score, sample_weight, options...).
///   `sample_weight` is optional everywhere: an empty span means every sample weighs 1. Weights
///   must be finite and non-negative, one per sample.
/// - Inputs are validated and a kolosal error names the metric and the problem:
///   ShapeMismatch when lengths differ ("roc_auc: y_true has 10 values but y_score has 9"),
///   InvalidArgument for empty input, a NaN or infinite value (naming its index), a negative
///   weight, a weight sum of zero where the metric divides by it, and the cases where
///   scikit-learn raises (a single class for ROC AUC, probability rows not summing to 1 for
///   multiclass ROC AUC, ...).
/// - Where scikit-learn warns and returns a fallback value (ill-defined precision, R² of one
///   sample), kolosal returns the same value silently; each function documents its cases.
namespace kolosal::metrics {

// ---------------------------------------------------------------------------- string labels

/// String labels turned into class indices.
struct EncodedLabels {
  std::vector<std::string> classes;  ///< distinct labels, sorted; index i stands for classes[i]
  std::vector<int> y_true;           ///< indices of the y_true labels
  std::vector<int> y_pred;           ///< indices of the y_pred labels (empty when none given)
};

/// Numbers the distinct labels of `y_true` and `y_pred` together in byte-wise sorted order (the
/// order of scikit-learn's np.unique on str), so every metric gives scikit-learn's result for
/// string labels; a string `pos_label` becomes its index in `classes`. `y_pred` may be empty.
/// @throws InvalidArgument when there are more distinct labels than an int can index.
[[nodiscard]] EncodedLabels encode_labels(std::span<const std::string> y_true,
                                          std::span<const std::string> y_pred = {});

// ---------------------------------------------------------------------------- label metrics

/// How per-class scores are combined.
enum class Average {
  kBinary,    ///< the score of the positive class only (two-class problems)
  kMicro,     ///< from the totals of true positives, false positives and false negatives
  kMacro,     ///< unweighted mean over classes
  kWeighted,  ///< mean over classes weighted by their (weighted) support in y_true
};

/// Options of precision, recall, fbeta and f1, as scikit-learn's keyword arguments.
struct PrfOptions {
  Average average = Average::kBinary;
  int pos_label = 1;  ///< the positive class when `average` is kBinary, else ignored
  /// Classes to score and their order; empty means every class present in y_true or y_pred.
  /// Ignored when `average` is kBinary (as in scikit-learn). A listed class absent from both
  /// inputs scores `zero_division`; for kMicro only listed classes are counted.
  std::span<const int> labels = {};
  /// Value of a ratio whose denominator is zero (precision with no predicted sample of a class,
  /// recall with no true sample): 0, scikit-learn's default ("warn", without the warning), or 1.
  double zero_division = 0.0;
};

/// Fraction (or weighted fraction) of samples whose prediction equals the truth.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights, weights summing to zero)
[[nodiscard]] double accuracy(std::span<const int> y_true, std::span<const int> y_pred,
                              std::span<const double> sample_weight = {});

/// Mean recall over the classes present in y_true (classes only predicted are skipped, as
/// scikit-learn does). With `adjusted`, rescaled so that chance scores 0 and perfect scores 1.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights, weights summing to zero)
[[nodiscard]] double balanced_accuracy(std::span<const int> y_true, std::span<const int> y_pred,
                                       std::span<const double> sample_weight = {},
                                       bool adjusted = false);

/// tp / (tp + fp), averaged as `options.average` says.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights, more than two classes with
///   Average::kBinary, a pos_label absent from two present classes, zero_division not 0 or 1)
[[nodiscard]] double precision(std::span<const int> y_true, std::span<const int> y_pred,
                               std::span<const double> sample_weight = {},
                               const PrfOptions& options = {});

/// tp / (tp + fn), averaged as `options.average` says. @throws as precision().
[[nodiscard]] double recall(std::span<const int> y_true, std::span<const int> y_pred,
                            std::span<const double> sample_weight = {},
                            const PrfOptions& options = {});

/// F-beta score (1 + β²)·P·R / (β²·P + R) per class, 0 where P and R are both 0, then averaged;
/// β = +infinity gives recall. @throws as precision(), and InvalidArgument for β < 0 or NaN.
[[nodiscard]] double fbeta(std::span<const int> y_true, std::span<const int> y_pred, double beta,
                           std::span<const double> sample_weight = {},
                           const PrfOptions& options = {});

/// F1 score, fbeta() with β = 1. @throws as precision().
[[nodiscard]] double f1(std::span<const int> y_true, std::span<const int> y_pred,
                        std::span<const double> sample_weight = {}, const PrfOptions& options = {});

/// Matthews correlation coefficient, binary or multiclass (Gorodkin's R_K statistic); 0 when
/// either y_true or y_pred has a single class.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights)
[[nodiscard]] double matthews_corrcoef(std::span<const int> y_true, std::span<const int> y_pred,
                                       std::span<const double> sample_weight = {});

/// Disagreement weights of Cohen's kappa, by distance between class positions in `labels`.
enum class KappaWeights { kNone, kLinear, kQuadratic };

/// Cohen's kappa between two raters, 1 − Σ w·observed / Σ w·expected. NaN when that ratio is
/// 0/0 (both raters always give the same single class), as scikit-learn returns.
/// @param labels classes and their order (which matters for linear/quadratic weights); empty
///   means the sorted classes present in either input.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights, bad labels as in
///   confusion_matrix())
[[nodiscard]] double cohen_kappa(std::span<const int> y1, std::span<const int> y2,
                                 std::span<const double> sample_weight = {},
                                 KappaWeights weights = KappaWeights::kNone,
                                 std::span<const int> labels = {});

/// Normalisation of a confusion matrix; a 0/0 cell becomes 0 (as scikit-learn).
enum class Normalize {
  kNone,  ///< counts (weighted sums)
  kTrue,  ///< each row sums to 1
  kPred,  ///< each column sums to 1
  kAll,   ///< the whole matrix sums to 1
};

/// Confusion matrix C with C(i, j) the (weighted) number of samples of true class labels[i]
/// predicted as labels[j]. Samples whose true or predicted label is not in `labels` are ignored.
/// @param labels classes and their order; empty means the sorted classes present in either input.
/// @throws ShapeMismatch, InvalidArgument (empty input, bad weights, duplicate labels, no listed
///   label present in y_true)
[[nodiscard]] Matrix<double> confusion_matrix(std::span<const int> y_true,
                                              std::span<const int> y_pred,
                                              std::span<const double> sample_weight = {},
                                              std::span<const int> labels = {},
                                              Normalize normalize = Normalize::kNone);

// ---------------------------------------------------------------------------- ranking metrics

/// Area under the ROC curve of a binary problem: the trapezoid rule over the curve's points at
/// each distinct score (tied scores form one point, as scikit-learn). `y_true` must hold exactly
/// two distinct labels; the larger one is the positive class. Zero-weight samples are ignored.
/// @throws ShapeMismatch, InvalidArgument (empty input, NaN or infinite scores, bad weights, a
///   single class or more than two in y_true, a class whose samples all weigh zero)
[[nodiscard]] double roc_auc(std::span<const int> y_true, std::span<const double> y_score,
                             std::span<const double> sample_weight = {});

/// Multiclass ROC AUC, one-vs-rest: the binary AUC of each class against the others, from
/// column j of `y_proba` (n × k, k ≥ 2) for class j, combined by `average`: kMacro (mean),
/// kWeighted (mean weighted by class prevalence) or kMicro (the AUC of all n·k pairs pooled).
/// Every class 0..k-1 must occur in y_true and each row must sum to 1 (within numpy.allclose's
/// tolerance, 1e-8 + 1e-5·sum), as scikit-learn requires.
/// @throws ShapeMismatch, InvalidArgument (the above, kBinary as average, empty input, NaN,
///   bad weights)
[[nodiscard]] double roc_auc_ovr(std::span<const int> y_true, MatrixView<const double> y_proba,
                                 std::span<const double> sample_weight = {},
                                 Average average = Average::kMacro);

/// Average precision of a binary problem, Σ (R_i − R_{i−1})·P_i over the distinct score
/// thresholds in decreasing order: the step-wise (not interpolated) area under the
/// precision-recall curve. 0 when y_true has no positive sample (scikit-learn sets recall to 1
/// and warns). Zero-weight samples are ignored.
/// @throws ShapeMismatch, InvalidArgument (empty input, NaN or infinite scores, bad weights,
///   more than two classes, a pos_label absent from two present classes)
[[nodiscard]] double average_precision(std::span<const int> y_true, std::span<const double> y_score,
                                       std::span<const double> sample_weight = {},
                                       int pos_label = 1);

// ---------------------------------------------------------------------------- probabilistic

/// scikit-learn 1.2's default clipping of log_loss: the machine epsilon of double.
inline constexpr double kLogLossEps = std::numeric_limits<double>::epsilon();

/// Cross-entropy −log p(y_true) with probabilities clipped to [eps, 1 − eps] and each row then
/// renormalised to sum to 1 (scikit-learn 1.2 renormalises silently rather than checking sums).
/// Classes are the columns of `y_proba` (n × k, k ≥ 2), as scikit-learn with labels=[0..k-1].
/// @param normalize mean loss when true, else the (weighted) sum.
/// @throws ShapeMismatch, InvalidArgument (empty input, fewer than two columns, a y_true outside
///   [0, k), NaN or infinite probabilities, bad weights, eps outside [0, 0.5))
[[nodiscard]] double log_loss(std::span<const int> y_true, MatrixView<const double> y_proba,
                              std::span<const double> sample_weight = {}, double eps = kLogLossEps,
                              bool normalize = true);

/// Binary log loss from the probability of class 1; y_true holds 0 or 1.
/// @throws as the matrix overload.
[[nodiscard]] double log_loss(std::span<const int> y_true, std::span<const double> y_proba_positive,
                              std::span<const double> sample_weight = {}, double eps = kLogLossEps,
                              bool normalize = true);

/// Mean squared difference between the probability of the positive class and the 0/1 outcome.
/// @param pos_label positive class; by default 1 when y_true's labels are within {0, 1} or
///   {-1, 1}, else the larger label (scikit-learn's rule for numeric labels).
/// @throws ShapeMismatch, InvalidArgument (empty input, more than two classes, probabilities
///   outside [0, 1] or NaN, bad weights, weights summing to zero)
[[nodiscard]] double brier_score_loss(std::span<const int> y_true, std::span<const double> y_prob,
                                      std::span<const double> sample_weight = {},
                                      std::optional<int> pos_label = std::nullopt);

}  // namespace kolosal::metrics
