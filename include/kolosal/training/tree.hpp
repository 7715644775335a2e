// SPDX-License-Identifier: MIT
// CART decision trees (classifier and regressor) and the fitted tree structure they share with
// the forests and AdaBoost.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

/// Impurity measure of a classification tree.
enum class ClassificationCriterion {
  kGini,     ///< Gini impurity 1 - sum p_k^2
  kEntropy,  ///< Shannon entropy in bits
  kLogLoss,  ///< the same as kEntropy (scikit-learn's alias)
};

/// Impurity measure of a regression tree.
enum class RegressionCriterion {
  kSquaredError,   ///< weighted variance; leaves predict the weighted mean
  kAbsoluteError,  ///< weighted mean absolute deviation; leaves predict the weighted median
};

/// How many features each split considers.
enum class MaxFeatures {
  kAll,       ///< every feature
  kSqrt,      ///< max(1, floor(sqrt(n_features)))
  kLog2,      ///< max(1, floor(log2(n_features)))
  kFraction,  ///< max(1, floor(max_features_fraction * n_features))
};

/// Reweighting of classes.
enum class ClassWeight {
  kNone,      ///< sample weights only
  kBalanced,  ///< n_samples / (n_classes * count of the class), as scikit-learn's "balanced"
  kExplicit,  ///< `class_weight_values[k]` multiplies the weight of class k
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::ClassificationCriterion> {
  using C = training::ClassificationCriterion;
  static constexpr std::array kValues{std::pair{C::kGini, "gini"},
                                      std::pair{C::kEntropy, "entropy"},
                                      std::pair{C::kLogLoss, "log_loss"}};
};
template <>
struct EnumNames<training::RegressionCriterion> {
  using C = training::RegressionCriterion;
  static constexpr std::array kValues{std::pair{C::kSquaredError, "squared_error"},
                                      std::pair{C::kAbsoluteError, "absolute_error"}};
};
template <>
struct EnumNames<training::MaxFeatures> {
  using M = training::MaxFeatures;
  static constexpr std::array kValues{std::pair{M::kAll, "all"}, std::pair{M::kSqrt, "sqrt"},
                                      std::pair{M::kLog2, "log2"},
                                      std::pair{M::kFraction, "fraction"}};
};
template <>
struct EnumNames<training::ClassWeight> {
  using W = training::ClassWeight;
  static constexpr std::array kValues{std::pair{W::kNone, "none"},
                                      std::pair{W::kBalanced, "balanced"},
                                      std::pair{W::kExplicit, "explicit"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// One node as prediction walks it: the split and both children in 24 bytes.
struct PackedNode {
  double threshold = 0.0;
  std::int32_t feature = -1;  ///< -1 for a leaf
  std::int32_t left = -1;
  std::int32_t right = -1;
};

/// A fitted binary tree in flat arrays (as scikit-learn's `tree_`). Node 0 is the root; nodes are
/// numbered in depth-first preorder. A row goes left when x[feature] <= threshold.
struct Tree {
  std::vector<int> feature;        ///< split feature, -1 for a leaf
  std::vector<double> threshold;   ///< split threshold (unused for leaves)
  std::vector<int> left;           ///< left child, -1 for a leaf
  std::vector<int> right;          ///< right child, -1 for a leaf
  std::vector<double> impurity;    ///< impurity of the training rows reaching the node
  std::vector<double> n_samples;   ///< training rows reaching the node
  std::vector<double> weighted_n;  ///< their total weight
  std::vector<double> value;       ///< n_nodes x n_values: class probabilities or the prediction
  std::size_t n_values = 0;        ///< classes for a classifier, 1 for a regressor
  /// The split arrays packed for prediction, derived from the arrays above by pack(); apply()
  /// walks them when present (one cache line per node instead of four).
  std::vector<PackedNode> packed{};

  /// Rebuilds `packed` from the arrays; call after changing them.
  void pack();

  [[nodiscard]] std::size_t node_count() const noexcept { return feature.size(); }
  [[nodiscard]] std::size_t leaf_count() const noexcept;
  /// Longest root-to-leaf path in edges.
  [[nodiscard]] std::size_t depth() const;
  /// The leaf reached by `row`.
  [[nodiscard]] std::size_t apply(std::span<const double> row) const noexcept;
  /// The value of the leaf reached by `row` (n_values entries).
  [[nodiscard]] std::span<const double> leaf_value(std::span<const double> row) const noexcept {
    return {value.data() + apply(row) * n_values, n_values};
  }
  /// Mean decrease in impurity per feature (unnormalised, weighted by the node weights).
  [[nodiscard]] std::vector<double> impurity_decrease(std::size_t n_features) const;
  /// Checks that the arrays describe a valid tree. @throws SerializationError
  void check(std::string_view who, std::size_t n_features) const;
};

struct DecisionTreeClassifierConfig {
  static constexpr std::string_view kName = "DecisionTreeClassifierConfig";
  ClassificationCriterion criterion = ClassificationCriterion::kGini;
  std::optional<int> max_depth{};         ///< unlimited when unset
  int min_samples_split = 2;              ///< rows a node needs to be split
  int min_samples_leaf = 1;               ///< rows each child needs
  double min_weight_fraction_leaf = 0.0;  ///< fraction of the total weight each child needs
  double min_impurity_decrease = 0.0;     ///< weighted impurity decrease a split must reach
  MaxFeatures max_features = MaxFeatures::kAll;
  double max_features_fraction = 1.0;  ///< for max_features = fraction
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weight_values{};  ///< for class_weight = explicit
  double ccp_alpha = 0.0;                     ///< minimal cost-complexity pruning strength
  int max_bins = 0;  ///< 0: exact splits; else features binned to <= max_bins

  static constexpr auto fields() {
    using C = DecisionTreeClassifierConfig;
    return std::tuple{
        config::field("criterion", &C::criterion).doc("gini, entropy or log_loss"),
        config::field("max_depth", &C::max_depth).at_least(1).doc("maximum depth; null: none"),
        config::field("min_samples_split", &C::min_samples_split).at_least(2),
        config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
        config::field("min_weight_fraction_leaf", &C::min_weight_fraction_leaf)
            .at_least(0.0)
            .at_most(0.5),
        config::field("min_impurity_decrease", &C::min_impurity_decrease).at_least(0.0),
        config::field("max_features", &C::max_features).doc("all, sqrt, log2 or fraction"),
        config::field("max_features_fraction", &C::max_features_fraction)
            .greater_than(0.0)
            .at_most(1.0),
        config::field("class_weight", &C::class_weight).doc("none, balanced or explicit"),
        config::field("class_weight_values", &C::class_weight_values).at_least(0.0),
        config::field("ccp_alpha", &C::ccp_alpha).at_least(0.0),
        config::field("max_bins", &C::max_bins).at_least(0).doc("0: exact splits")};
  }
  void check() const;
  friend bool operator==(const DecisionTreeClassifierConfig&,
                         const DecisionTreeClassifierConfig&) = default;
};

struct DecisionTreeRegressorConfig {
  static constexpr std::string_view kName = "DecisionTreeRegressorConfig";
  RegressionCriterion criterion = RegressionCriterion::kSquaredError;
  std::optional<int> max_depth{};
  int min_samples_split = 2;
  int min_samples_leaf = 1;
  double min_weight_fraction_leaf = 0.0;
  double min_impurity_decrease = 0.0;
  MaxFeatures max_features = MaxFeatures::kAll;
  double max_features_fraction = 1.0;
  double ccp_alpha = 0.0;
  int max_bins = 0;

  static constexpr auto fields() {
    using C = DecisionTreeRegressorConfig;
    return std::tuple{
        config::field("criterion", &C::criterion).doc("squared_error or absolute_error"),
        config::field("max_depth", &C::max_depth).at_least(1).doc("maximum depth; null: none"),
        config::field("min_samples_split", &C::min_samples_split).at_least(2),
        config::field("min_samples_leaf", &C::min_samples_leaf).at_least(1),
        config::field("min_weight_fraction_leaf", &C::min_weight_fraction_leaf)
            .at_least(0.0)
            .at_most(0.5),
        config::field("min_impurity_decrease", &C::min_impurity_decrease).at_least(0.0),
        config::field("max_features", &C::max_features).doc("all, sqrt, log2 or fraction"),
        config::field("max_features_fraction", &C::max_features_fraction)
            .greater_than(0.0)
            .at_most(1.0),
        config::field("ccp_alpha", &C::ccp_alpha).at_least(0.0),
        config::field("max_bins", &C::max_bins).at_least(0).doc("0: exact splits")};
  }
  friend bool operator==(const DecisionTreeRegressorConfig&,
                         const DecisionTreeRegressorConfig&) = default;
};

/// CART classification tree (Breiman, Friedman, Olshen & Stone, "Classification and Regression
/// Trees", 1984): greedy depth-first binary splits maximising the impurity decrease, then minimal
/// cost-complexity pruning by `ccp_alpha`. With every feature and exact splits the tree is the one
/// scikit-learn's DecisionTreeClassifier grows (up to ties between equally good splits).
class DecisionTreeClassifier final : public Model {
 public:
  using Config = DecisionTreeClassifierConfig;
  static constexpr std::string_view kName = "decision_tree_classifier";

  explicit DecisionTreeClassifier(Config config = {}) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<DecisionTreeClassifier>(*this);
  }
  /// The fitted tree (empty before fit).
  [[nodiscard]] const Tree& tree() const noexcept { return tree_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  Tree tree_;
};

/// CART regression tree (Breiman et al., 1984), squared or absolute error, with minimal
/// cost-complexity pruning; scikit-learn's DecisionTreeRegressor.
class DecisionTreeRegressor final : public Model {
 public:
  using Config = DecisionTreeRegressorConfig;
  static constexpr std::string_view kName = "decision_tree_regressor";

  explicit DecisionTreeRegressor(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<DecisionTreeRegressor>(*this);
  }
  [[nodiscard]] const Tree& tree() const noexcept { return tree_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  Tree tree_;
};

}  // namespace kolosal::training
