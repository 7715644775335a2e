// SPDX-License-Identifier: MIT
// k-nearest-neighbour classifier and regressor: brute force on the simd:: distance kernels or a
// KD-tree, uniform or distance weights, Euclidean, Manhattan, Minkowski and cosine metrics.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

enum class KnnWeights {
  kUniform,   ///< every neighbour votes equally
  kDistance,  ///< votes weighted by 1 / distance (exact matches take every vote)
};

enum class KnnMetric {
  kEuclidean,  ///< sqrt Σ (a − b)²
  kManhattan,  ///< Σ |a − b|
  kMinkowski,  ///< (Σ |a − b|^p)^(1/p)
  kCosine,  ///< 1 − a·b / (‖a‖ ‖b‖); rows of zero norm are at distance 1 from everything
};

enum class KnnAlgorithm {
  kAuto,    ///< a KD-tree for the Lp metrics with at most 20 features, brute force otherwise
  kBrute,   ///< every training row per query
  kKdTree,  ///< KD-tree (Lp metrics only)
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::KnnWeights> {
  static constexpr std::array kValues{std::pair{training::KnnWeights::kUniform, "uniform"},
                                      std::pair{training::KnnWeights::kDistance, "distance"}};
};
template <>
struct EnumNames<training::KnnMetric> {
  using M = training::KnnMetric;
  static constexpr std::array kValues{
      std::pair{M::kEuclidean, "euclidean"}, std::pair{M::kManhattan, "manhattan"},
      std::pair{M::kMinkowski, "minkowski"}, std::pair{M::kCosine, "cosine"}};
};
template <>
struct EnumNames<training::KnnAlgorithm> {
  using A = training::KnnAlgorithm;
  static constexpr std::array kValues{std::pair{A::kAuto, "auto"}, std::pair{A::kBrute, "brute"},
                                      std::pair{A::kKdTree, "kd_tree"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

struct KnnConfig {
  static constexpr std::string_view kName = "KnnConfig";
  int n_neighbors = 5;
  KnnWeights weights = KnnWeights::kUniform;
  KnnMetric metric = KnnMetric::kEuclidean;
  double p = 2.0;  ///< Minkowski exponent, >= 1
  KnnAlgorithm algorithm = KnnAlgorithm::kAuto;
  int leaf_size = 30;  ///< most rows in a KD-tree leaf

  static constexpr auto fields() {
    return std::tuple{
        config::field("n_neighbors", &KnnConfig::n_neighbors).at_least(1).doc("neighbours k"),
        config::field("weights", &KnnConfig::weights).doc("uniform or distance"),
        config::field("metric", &KnnConfig::metric)
            .doc("euclidean, manhattan, minkowski or cosine"),
        config::field("p", &KnnConfig::p).at_least(1.0).doc("Minkowski exponent"),
        config::field("algorithm", &KnnConfig::algorithm).doc("auto, brute or kd_tree"),
        config::field("leaf_size", &KnnConfig::leaf_size).at_least(1).doc("KD-tree leaf size")};
  }
  /// kd_tree needs an Lp metric.
  void check() const;
  friend bool operator==(const KnnConfig&, const KnnConfig&) = default;
};

/// The k nearest training rows of each query: indices and distances, nearest first (ties by
/// training index).
struct Neighbors {
  Matrix<std::size_t> indices;  ///< queries x k
  Matrix<double> distances;     ///< queries x k
};

/// Shared training data, search and persistence of the k-NN models. Training sample weights,
/// when given, multiply each neighbour's vote.
class KnnBase : public Model {
 public:
  /// The k nearest training rows of every row of x (k = n_neighbors unless given).
  /// @throws NotFitted, ShapeMismatch, InvalidArgument (k larger than the training set)
  [[nodiscard]] Neighbors kneighbors(MatrixView<const double> x, std::size_t k = 0) const;

 protected:
  explicit KnnBase(KnnConfig config) : config_(config) {}
  /// Validates the config, stores the training set and builds the KD-tree when used.
  void store(MatrixView<const double> x, std::span<const double> y,
             std::span<const double> sample_weight, std::string_view who);
  /// Per-query weights of its neighbours: uniform, or inverse distance.
  [[nodiscard]] std::vector<double> neighbor_weights(std::span<const double> distances,
                                                     std::span<const std::size_t> indices) const;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;
  [[nodiscard]] bool uses_tree() const noexcept;

  KnnConfig config_;
  std::vector<double> x_;  ///< training rows, row-major
  std::vector<double> y_;
  std::vector<double> w_;      ///< empty: unweighted
  std::vector<double> norms_;  ///< cosine: row norms
  /// KD-tree: a permutation of the rows and nodes {begin, end, split dim, split value, children}.
  struct Node {
    std::size_t begin = 0;
    std::size_t end = 0;
    std::size_t left = 0;  ///< 0: leaf
    std::size_t right = 0;
    std::vector<double> lower{};  ///< bounding box
    std::vector<double> upper{};
  };
  std::vector<std::size_t> order_;
  std::vector<Node> nodes_;

 private:
  void build_tree();
};

/// k-NN classifier (Cover & Hart, "Nearest Neighbor Pattern Classification", IEEE Trans. Inf.
/// Theory 1967); KD-tree search after Friedman, Bentley & Finkel (ACM TOMS 1977).
class KnnClassifier final : public KnnBase {
 public:
  using Config = KnnConfig;
  static constexpr std::string_view kName = "knn_classifier";
  explicit KnnClassifier(Config config = {}) : KnnBase(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<KnnClassifier>(*this);
  }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
};

/// k-NN regressor: the (weighted) mean of the neighbours' targets.
class KnnRegressor final : public KnnBase {
 public:
  using Config = KnnConfig;
  static constexpr std::string_view kName = "knn_regressor";
  explicit KnnRegressor(Config config = {}) : KnnBase(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<KnnRegressor>(*this);
  }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
};

}  // namespace kolosal::training
