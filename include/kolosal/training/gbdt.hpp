// SPDX-License-Identifier: MIT
// Histogram gradient-boosted decision trees: the configuration, the fitted ensemble and the model
// registered as "gbdt" with its "xgboost" and "lightgbm" presets.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <limits>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

/// The loss a GBDT minimises; it also decides whether the model is a classifier.
enum class GbdtObjective {
  kSquaredError,   ///< regression, 0.5 (y - f)^2
  kBinaryLogloss,  ///< binary classification, log loss of sigmoid(f)
  kSoftmax,        ///< multiclass classification, one tree per class per round
  kAbsoluteError,  ///< regression, |y - f|; leaves re-estimated as residual medians
  kHuber,          ///< regression, Huber loss with threshold huber_delta
  kPseudoHuber,    ///< regression, delta^2 (sqrt(1 + ((y - f) / delta)^2) - 1) (XGBoost's)
  kQuantile,       ///< regression, pinball loss of quantile_alpha; leaves re-estimated
  kPoisson,        ///< counts, exp(f) - y f with a log link
  kCustom,         ///< gradients and hessians from a callback (Gbdt::set_custom_objective)
};

/// How a tree grows.
enum class GbdtGrowth {
  kDepthwise,  ///< level by level up to max_depth (XGBoost's default)
  kLeafwise,   ///< always the leaf of largest gain, up to num_leaves (LightGBM's default)
  kOblivious,  ///< one split shared by every node of a level, up to max_depth (CatBoost's)
};

/// How rows are drawn for each tree.
enum class GbdtSampling {
  kUniform,  ///< `subsample` of the rows, uniformly
  kGoss,     ///< gradient-based one-side sampling (LightGBM's GOSS)
};

/// What feature_importances() measures.
enum class GbdtImportance {
  kGain,   ///< total loss reduction of the feature's splits
  kSplit,  ///< number of splits on the feature
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::GbdtObjective> {
  using O = training::GbdtObjective;
  static constexpr std::array kValues{std::pair{O::kSquaredError, "squared_error"},
                                      std::pair{O::kBinaryLogloss, "binary_logloss"},
                                      std::pair{O::kSoftmax, "softmax"},
                                      std::pair{O::kAbsoluteError, "absolute_error"},
                                      std::pair{O::kHuber, "huber"},
                                      std::pair{O::kPseudoHuber, "pseudo_huber"},
                                      std::pair{O::kQuantile, "quantile"},
                                      std::pair{O::kPoisson, "poisson"},
                                      std::pair{O::kCustom, "custom"}};
};
template <>
struct EnumNames<training::GbdtGrowth> {
  using G = training::GbdtGrowth;
  static constexpr std::array kValues{std::pair{G::kDepthwise, "depthwise"},
                                      std::pair{G::kLeafwise, "leafwise"},
                                      std::pair{G::kOblivious, "oblivious"}};
};
template <>
struct EnumNames<training::GbdtSampling> {
  using S = training::GbdtSampling;
  static constexpr std::array kValues{std::pair{S::kUniform, "uniform"},
                                      std::pair{S::kGoss, "goss"}};
};
template <>
struct EnumNames<training::GbdtImportance> {
  using I = training::GbdtImportance;
  static constexpr std::array kValues{std::pair{I::kGain, "gain"}, std::pair{I::kSplit, "split"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// Hyperparameters of the histogram GBDT. Names follow XGBoost where it has the parameter.
struct GbdtConfig {
  static constexpr std::string_view kName = "GbdtConfig";
  GbdtObjective objective = GbdtObjective::kSquaredError;
  GbdtGrowth growth = GbdtGrowth::kDepthwise;
  int n_estimators = 100;         ///< boosting rounds
  double learning_rate = 0.3;     ///< shrinkage of every leaf value
  int max_depth = 6;              ///< deepest split level; 0 = unlimited (leaf-wise only)
  int num_leaves = 0;             ///< most leaves per tree; 0 = unlimited (depth-wise only)
  int max_bin = 256;              ///< codes per feature, the missing-value code included
  double lambda = 1.0;            ///< L2 penalty on leaf values
  double alpha = 0.0;             ///< L1 penalty on leaf values
  double min_child_weight = 1.0;  ///< least hessian sum in a child
  double min_split_gain = 0.0;    ///< least loss reduction of a split (XGBoost's gamma)
  double max_delta_step = 0.0;    ///< cap on |leaf value| before shrinkage; 0 = none
  double subsample = 1.0;         ///< fraction of rows drawn (without replacement) per tree
  double colsample_bytree = 1.0;  ///< fraction of features drawn per tree
  int bin_sample_rows = 200000;   ///< rows sampled to compute the bin boundaries
  int early_stopping_rounds = 0;  ///< stop after this many rounds without improvement; 0 = off
  /// kolosal::metrics name scored on FitOptions::eval_x/eval_y; "" = the objective's loss
  /// (root_mean_squared_error or log_loss).
  std::string eval_metric{};
  GbdtImportance importance_type = GbdtImportance::kGain;
  double huber_delta = 1.0;             ///< threshold of huber and pseudo_huber
  double quantile_alpha = 0.5;          ///< the quantile the quantile objective estimates
  double poisson_max_delta_step = 0.7;  ///< poisson hessian exp(f + this), as XGBoost's
  int min_data_in_leaf = 0;             ///< least rows in a child (LightGBM's estimate)
  double colsample_bylevel = 1.0;       ///< fraction of the tree's features drawn per level
  double colsample_bynode = 1.0;        ///< fraction of the level's features drawn per node
  GbdtSampling sampling = GbdtSampling::kUniform;
  double goss_top_rate = 0.2;    ///< GOSS: fraction kept with the largest |gradient|
  double goss_other_rate = 0.1;  ///< GOSS: fraction of all rows drawn from the rest
  /// Features holding category codes (integers 0 to 254; NaN missing) split on sets of
  /// categories, as LightGBM does.
  std::vector<int> categorical_features{};
  int max_cat_to_onehot = 4;  ///< up to this many categories a split isolates one of them
  double cat_smooth = 10.0;   ///< added to hessian sums when ordering categories

  static constexpr auto fields() {
    using C = GbdtConfig;
    return std::tuple{
        config::field("objective", &C::objective).doc("squared_error, binary_logloss or softmax"),
        config::field("growth", &C::growth).doc("depthwise or leafwise"),
        config::field("n_estimators", &C::n_estimators).at_least(1).doc("boosting rounds"),
        config::field("learning_rate", &C::learning_rate)
            .greater_than(0.0)
            .doc("shrinkage of leaf values"),
        config::field("max_depth", &C::max_depth).at_least(0).at_most(30).doc("0 = unlimited"),
        config::field("num_leaves", &C::num_leaves).at_least(0).doc("0 = unlimited"),
        config::field("max_bin", &C::max_bin)
            .at_least(3)
            .at_most(65536)
            .doc("codes per feature, missing code included; <= 256 stores one byte per value"),
        config::field("lambda", &C::lambda).at_least(0.0).doc("L2 penalty on leaf values"),
        config::field("alpha", &C::alpha).at_least(0.0).doc("L1 penalty on leaf values"),
        config::field("min_child_weight", &C::min_child_weight)
            .at_least(0.0)
            .doc("least hessian sum in a child"),
        config::field("min_split_gain", &C::min_split_gain)
            .at_least(0.0)
            .doc("least loss reduction of a split"),
        config::field("max_delta_step", &C::max_delta_step)
            .at_least(0.0)
            .doc("cap on |leaf value|; 0 = none"),
        config::field("subsample", &C::subsample)
            .greater_than(0.0)
            .at_most(1.0)
            .doc("fraction of rows per tree"),
        config::field("colsample_bytree", &C::colsample_bytree)
            .greater_than(0.0)
            .at_most(1.0)
            .doc("fraction of features per tree"),
        config::field("bin_sample_rows", &C::bin_sample_rows)
            .at_least(1)
            .doc("rows sampled for bin boundaries"),
        config::field("early_stopping_rounds", &C::early_stopping_rounds)
            .at_least(0)
            .doc("rounds without improvement on the eval set before stopping; 0 = off"),
        config::field("eval_metric", &C::eval_metric)
            .doc("kolosal::metrics name for the eval set; empty = the objective's loss"),
        config::field("importance_type", &C::importance_type).doc("gain or split"),
        config::field("huber_delta", &C::huber_delta)
            .greater_than(0.0)
            .doc("threshold of the huber and pseudo_huber objectives"),
        config::field("quantile_alpha", &C::quantile_alpha)
            .greater_than(0.0)
            .less_than(1.0)
            .doc("quantile estimated by the quantile objective"),
        config::field("poisson_max_delta_step", &C::poisson_max_delta_step)
            .at_least(0.0)
            .doc("poisson hessian is exp(f + this), XGBoost's safeguard"),
        config::field("min_data_in_leaf", &C::min_data_in_leaf)
            .at_least(0)
            .doc("least rows in a child, counted from hessians as LightGBM does"),
        config::field("colsample_bylevel", &C::colsample_bylevel)
            .greater_than(0.0)
            .at_most(1.0)
            .doc("fraction of the tree's features per depth level"),
        config::field("colsample_bynode", &C::colsample_bynode)
            .greater_than(0.0)
            .at_most(1.0)
            .doc("fraction of the level's features per node"),
        config::field("sampling", &C::sampling).doc("uniform (subsample) or goss"),
        config::field("goss_top_rate", &C::goss_top_rate)
            .greater_than(0.0)
            .less_than(1.0)
            .doc("GOSS: fraction of rows kept by largest |gradient|"),
        config::field("goss_other_rate", &C::goss_other_rate)
            .greater_than(0.0)
            .less_than(1.0)
            .doc("GOSS: fraction of rows drawn from the rest, amplified"),
        config::field("categorical_features", &C::categorical_features)
            .at_least(0)
            .doc("indices of features holding category codes 0..254"),
        config::field("max_cat_to_onehot", &C::max_cat_to_onehot)
            .at_least(1)
            .doc("most categories for one-vs-rest splits; more are ordered by gradient"),
        config::field("cat_smooth", &C::cat_smooth)
            .at_least(0.0)
            .doc("added to each category's hessian sum when ordering categories")};
  }
  /// Cross-field rules: a depth or leaf limit for the growth policy, a depth of 1 to 16 for
  /// oblivious trees, GOSS rates summing to at most 1, GOSS without `subsample`, and no
  /// categorical features with oblivious trees.
  /// @throws ConfigError
  void check() const;
  friend bool operator==(const GbdtConfig&, const GbdtConfig&) = default;
};

/// XGBoost's defaults: depth-wise trees of depth 6, learning rate 0.3, 256 bins.
struct XGBoostPresetConfig : GbdtConfig {
  XGBoostPresetConfig() = default;
};

/// LightGBM's defaults: leaf-wise trees of 31 leaves, learning rate 0.1, min_child_weight 1e-3.
struct LightGBMPresetConfig : GbdtConfig {
  LightGBMPresetConfig() {
    growth = GbdtGrowth::kLeafwise;
    max_depth = 0;
    num_leaves = 31;
    learning_rate = 0.1;
    min_child_weight = 1e-3;
    lambda = 0.0;
  }
};

/// CatBoost's defaults where this engine has them: oblivious trees of depth 6, L2 penalty 3,
/// 254 borders (255 codes with the missing one). CatBoost picks its learning rate from the data;
/// 0.1 suits the 100 rounds kept here.
struct CatBoostPresetConfig : GbdtConfig {
  CatBoostPresetConfig() {
    growth = GbdtGrowth::kOblivious;
    max_depth = 6;
    learning_rate = 0.1;
    lambda = 3.0;
    max_bin = 255;
  }
};

/// A fitted ensemble flattened for inference: every node of every tree in one array of 24-byte
/// nodes, children stored as adjacent pairs after their parent. An internal node sends a row to
/// node `left` when its value is <= `threshold` (or, for NaN, when `default_left`), else to
/// `left + 1`; a leaf has feature -1 and holds its value in `threshold`. A categorical node sends
/// the categories of its left set left, those of its right set right, and missing, non-integer
/// and unseen codes the default way.
struct GbdtForest {
  struct Node {
    double threshold = 0.0;  ///< split value, or the leaf value
    std::int32_t feature = -1;
    std::int32_t left = -1;  ///< index in `nodes` of the left child; the right is left + 1
    std::uint8_t default_left = 0;
    std::uint8_t categorical = 0;
    std::uint32_t set = 0;  ///< categorical: words [8 set, 8 set + 8) of `category_sets`
  };
  /// Per categorical node, 4 words of left categories then 4 of right ones (bit c: code c).
  std::vector<std::uint64_t> category_sets;
  /// Whether a categorical node sends category value `v` left.
  [[nodiscard]] bool categorical_left(const Node& node, double v) const noexcept {
    if (!(v >= 0.0 && v < 256.0)) return node.default_left != 0;
    const auto c = static_cast<std::size_t>(v);
    if (static_cast<double>(c) != v) return node.default_left != 0;
    const std::uint64_t* words = category_sets.data() + 8 * std::size_t{node.set};
    const std::uint64_t bit = std::uint64_t{1} << (c & 63);
    if ((words[c >> 6] & bit) != 0) return true;
    if ((words[4 + (c >> 6)] & bit) != 0) return false;
    return node.default_left != 0;
  }
  /// One level of an oblivious tree: the split every node of the level shares.
  struct Level {
    double threshold = 0.0;
    std::int32_t feature = 0;
    std::uint8_t default_left = 0;
  };
  std::vector<Node> nodes;
  /// First node of each tree (first level for oblivious trees); tree t adds to output t % k.
  std::vector<std::uint32_t> roots;
  std::size_t n_outputs = 1;       ///< raw scores per row (classes for softmax, else 1)
  std::vector<double> base_score;  ///< starting raw score per output
  /// Oblivious trees (CatBoost's symmetric trees) replace `nodes`: tree t has depth[t] levels
  /// from levels[roots[t]] and 2^depth[t] leaf values from leaf_values[leaf_begin[t]]. A row's
  /// leaf index has one bit per level, the first level most significant, 1 meaning right, so it
  /// is computed from comparisons alone, without branches.
  bool oblivious = false;
  std::vector<Level> levels;
  std::vector<std::uint8_t> depth;
  std::vector<std::uint32_t> leaf_begin;
  std::vector<double> leaf_values;

  [[nodiscard]] std::size_t n_trees() const noexcept { return roots.size(); }
  /// Adds the raw scores of trees [0, n_trees) for one row to `out` (n_outputs values).
  void accumulate(const double* row, std::size_t n_trees, double* out) const noexcept;
  /// Keeps trees [0, n_trees).
  void truncate(std::size_t n_trees);
};

/// A custom objective: fills grad and hess (one value per row) with the first and second
/// derivatives of the loss in the raw score at raw scores `raw` for targets `y`. The model is a
/// regressor whose predictions are the raw scores; its starting score is 0.
using GbdtCustomObjective =
    std::function<void(std::span<const double> raw, std::span<const double> y,
                       std::span<double> grad, std::span<double> hess)>;

/// Histogram gradient boosting (Friedman, "Greedy function approximation: a gradient boosting
/// machine", 2001) with second-order leaf values and split gains (Chen & Guestrin, "XGBoost: a
/// scalable tree boosting system", KDD 2016), quantile bins, a learned default direction for
/// missing values, the histogram subtraction trick and leaf-wise growth (Ke et al., "LightGBM: a
/// highly efficient gradient boosting decision tree", NeurIPS 2017).
///
/// Training is deterministic: every parallel sum runs over fixed row blocks combined in order, so
/// the same seed gives a bit-identical model for any thread count.
class Gbdt : public Model {
 public:
  using Config = GbdtConfig;
  static constexpr std::string_view kName = "gbdt";

  explicit Gbdt(Config config = {}) : config_(std::move(config)) {}
  /// A model with objective "custom" minimising the loss whose derivatives `objective` gives.
  Gbdt(Config config, GbdtCustomObjective objective)
      : config_(std::move(config)), custom_(std::move(objective)) {
    config_.objective = GbdtObjective::kCustom;
  }

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override {
    return config_.objective == GbdtObjective::kBinaryLogloss ||
                   config_.objective == GbdtObjective::kSoftmax
               ? ModelKind::kClassifier
               : ModelKind::kRegressor;
  }
  /// Sets the callback of objective "custom" (the config's objective becomes "custom"); it is
  /// not saved with the model, so a loaded custom model predicts but needs it again to refit.
  void set_custom_objective(GbdtCustomObjective objective) {
    custom_ = std::move(objective);
    config_.objective = GbdtObjective::kCustom;
  }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return is_classifier(); }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  [[nodiscard]] bool handles_missing() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<Gbdt>(*this);
  }
  [[nodiscard]] const Config& gbdt_config() const noexcept { return config_; }

  /// The fitted ensemble (empty before fit).
  [[nodiscard]] const GbdtForest& forest() const noexcept { return forest_; }
  /// Rounds kept: the best round + 1 after early stopping, else every round.
  [[nodiscard]] std::size_t n_rounds() const noexcept;
  /// The eval-set metric after each round (empty without an eval set).
  [[nodiscard]] const std::vector<double>& eval_history() const noexcept { return history_; }
  /// Raw (unnormalised) importance of each feature: total gain or split count.
  /// @throws NotFitted
  [[nodiscard]] std::vector<double> feature_importance(GbdtImportance type) const;
  /// Raw scores of one row (n_outputs values) without allocation: the single-row fast path.
  /// `row` holds n_features() values; NaN is missing. @throws NotFitted, ShapeMismatch
  void predict_raw_row(std::span<const double> row, std::span<double> out) const;

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  [[nodiscard]] Matrix<double> raw_scores(MatrixView<const double> x) const;
  void load_nodes(const nlohmann::json& state, GbdtForest& forest, const std::string& who) const;
  void load_oblivious(const nlohmann::json& state, GbdtForest& forest,
                      const std::string& who) const;

  Config config_;
  GbdtCustomObjective custom_;
  GbdtForest forest_;
  std::vector<double> gain_importance_;
  std::vector<double> split_importance_;
  std::vector<double> history_;
};

/// "xgboost": the GBDT engine with XGBoost's defaults.
class XGBoostGbdt final : public Gbdt {
 public:
  using Config = XGBoostPresetConfig;
  static constexpr std::string_view kName = "xgboost";
  explicit XGBoostGbdt(const GbdtConfig& config = Config{}) : Gbdt(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<XGBoostGbdt>(*this);
  }
};

/// "lightgbm": the GBDT engine with LightGBM's defaults (leaf-wise growth).
class LightGBMGbdt final : public Gbdt {
 public:
  using Config = LightGBMPresetConfig;
  static constexpr std::string_view kName = "lightgbm";
  explicit LightGBMGbdt(const GbdtConfig& config = Config{}) : Gbdt(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<LightGBMGbdt>(*this);
  }
};

/// "catboost": the GBDT engine growing oblivious trees with CatBoost's defaults.
class CatBoostGbdt final : public Gbdt {
 public:
  using Config = CatBoostPresetConfig;
  static constexpr std::string_view kName = "catboost";
  explicit CatBoostGbdt(const GbdtConfig& config = Config{}) : Gbdt(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<CatBoostGbdt>(*this);
  }
};

/// Per-row gradients and hessians of `config.objective` (with its huber_delta, quantile_alpha,
/// poisson_max_delta_step) at raw scores `raw` (n x k, row-major, k = 1 except for softmax), for
/// targets `y` (class indices for classifiers). Writes n x k values to `grad` and `hess`.
/// absolute_error, huber and quantile use a unit hessian (XGBoost's and LightGBM's choice: the
/// true second derivative is 0 or undefined where the loss is piecewise linear); poisson's is
/// exp(f + poisson_max_delta_step) and softmax's 2 p (1 - p), both as XGBoost's. @throws
/// InvalidArgument on mismatched sizes or the custom objective (whose derivatives come from its
/// callback)
void gbdt_gradients(const GbdtConfig& config, std::size_t n_classes, std::span<const double> raw,
                    std::span<const double> y, std::span<double> grad, std::span<double> hess);

/// The objective's loss of one row at raw scores `raw` (k values), whose derivatives
/// gbdt_gradients returns. @throws InvalidArgument for the custom objective
[[nodiscard]] double gbdt_loss(const GbdtConfig& config, std::span<const double> raw, double y);

}  // namespace kolosal::training
