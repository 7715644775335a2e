// SPDX-License-Identifier: MIT
// k-NN search (brute force on simd:: kernels, or a KD-tree with bounding-box pruning), queries
// parallel over fixed blocks, and the voting / averaging of the classifier and regressor.
#include "kolosal/training/knn.hpp"

#include <algorithm>
#include <cmath>
#include <queue>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/simd.hpp"

namespace kolosal::training {

void KnnConfig::check() const {
  KOLOSAL_CHECK(!(algorithm == KnnAlgorithm::kKdTree && metric == KnnMetric::kCosine), ConfigError,
                kName, ": algorithm kd_tree needs an Lp metric, not cosine");
}

namespace {

constexpr std::size_t kQueryBlock = 32;
constexpr std::size_t kAutoTreeMaxFeatures = 20;

using Candidate = std::pair<double, std::size_t>;  // (distance, training index)

// Distances in one metric; `finish` turns an accumulated sum into the distance.
struct Metric {
  KnnMetric kind = KnnMetric::kEuclidean;
  double p = 2.0;

  [[nodiscard]] KnnMetric effective() const noexcept {
    if (kind != KnnMetric::kMinkowski) return kind;
    if (p == 1.0) return KnnMetric::kManhattan;
    if (p == 2.0) return KnnMetric::kEuclidean;
    return kind;
  }

  [[nodiscard]] double distance(std::span<const double> a, std::span<const double> b, double norm_a,
                                double norm_b) const {
    switch (effective()) {
      case KnnMetric::kEuclidean:
        return std::sqrt(simd::squared_distance(a, b));
      case KnnMetric::kManhattan: {
        double s = 0.0;
        for (std::size_t j = 0; j < a.size(); ++j) s += std::abs(a[j] - b[j]);
        return s;
      }
      case KnnMetric::kMinkowski: {
        double s = 0.0;
        for (std::size_t j = 0; j < a.size(); ++j) s += std::pow(std::abs(a[j] - b[j]), p);
        return std::pow(s, 1.0 / p);
      }
      case KnnMetric::kCosine:
        if (norm_a == 0.0 || norm_b == 0.0) return 1.0;
        return 1.0 - simd::dot(a, b) / (norm_a * norm_b);
    }
    return 0.0;
  }

  /// A lower bound of the distance from q to any point of the box [lower, upper].
  [[nodiscard]] double box_distance(std::span<const double> q, const std::vector<double>& lower,
                                    const std::vector<double>& upper) const {
    double s = 0.0;
    const KnnMetric m = effective();
    for (std::size_t j = 0; j < q.size(); ++j) {
      const double gap = std::max({lower[j] - q[j], 0.0, q[j] - upper[j]});
      if (m == KnnMetric::kEuclidean) {
        s += gap * gap;
      } else if (m == KnnMetric::kManhattan) {
        s += gap;
      } else {
        s += std::pow(gap, p);
      }
    }
    if (m == KnnMetric::kEuclidean) return std::sqrt(s);
    if (m == KnnMetric::kManhattan) return s;
    return std::pow(s, 1.0 / p);
  }
};

double norm_of(std::span<const double> a) { return std::sqrt(simd::dot(a, a)); }

}  // namespace

// ---------------------------------------------------------------------------- base

bool KnnBase::uses_tree() const noexcept {
  if (config_.algorithm == KnnAlgorithm::kKdTree) return true;
  return config_.algorithm == KnnAlgorithm::kAuto && config_.metric != KnnMetric::kCosine &&
         n_features() <= kAutoTreeMaxFeatures;
}

void KnnBase::store(MatrixView<const double> x, std::span<const double> y,
                    std::span<const double> sample_weight, std::string_view who) {
  config::validate(config_, who);
  KOLOSAL_CHECK(static_cast<std::size_t>(config_.n_neighbors) <= x.rows(), ConfigError, who,
                ": n_neighbors is ", config_.n_neighbors, " but x has only ", x.rows(), " rows");
  const std::size_t p = x.cols();
  x_.resize(x.rows() * p);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    std::copy(x.row(r).begin(), x.row(r).end(), x_.begin() + static_cast<std::ptrdiff_t>(r * p));
  }
  y_.assign(y.begin(), y.end());
  w_.assign(sample_weight.begin(), sample_weight.end());
  norms_.clear();
  if (config_.metric == KnnMetric::kCosine) {
    for (std::size_t r = 0; r < x.rows(); ++r) {
      norms_.push_back(norm_of({x_.data() + r * p, p}));
    }
  }
  build_tree();
}

void KnnBase::build_tree() {
  order_.clear();
  nodes_.clear();
  if (!uses_tree()) return;
  const std::size_t n = y_.size();
  const std::size_t p = x_.size() / std::max<std::size_t>(n, 1);
  order_.resize(n);
  for (std::size_t i = 0; i < n; ++i) order_[i] = i;
  const auto leaf = static_cast<std::size_t>(config_.leaf_size);
  // Iterative construction: split the widest dimension at the median.
  nodes_.push_back({.begin = 0, .end = n});
  for (std::size_t id = 0; id < nodes_.size(); ++id) {
    const std::size_t begin = nodes_[id].begin;
    const std::size_t end = nodes_[id].end;
    std::vector<double> lower(p, std::numeric_limits<double>::infinity());
    std::vector<double> upper(p, -std::numeric_limits<double>::infinity());
    for (std::size_t i = begin; i < end; ++i) {
      for (std::size_t j = 0; j < p; ++j) {
        lower[j] = std::min(lower[j], x_[order_[i] * p + j]);
        upper[j] = std::max(upper[j], x_[order_[i] * p + j]);
      }
    }
    std::size_t dim = 0;
    for (std::size_t j = 1; j < p; ++j) {
      if (upper[j] - lower[j] > upper[dim] - lower[dim]) dim = j;
    }
    const bool split = end - begin > leaf && upper[dim] > lower[dim];
    nodes_[id].lower = std::move(lower);
    nodes_[id].upper = std::move(upper);
    if (!split) continue;
    const std::size_t mid = begin + (end - begin) / 2;
    const auto first = order_.begin();
    std::nth_element(first + static_cast<std::ptrdiff_t>(begin),
                     first + static_cast<std::ptrdiff_t>(mid),
                     first + static_cast<std::ptrdiff_t>(end), [&](std::size_t a, std::size_t b) {
                       const double va = x_[a * p + dim];
                       const double vb = x_[b * p + dim];
                       return va < vb || (va == vb && a < b);
                     });
    nodes_[id].left = nodes_.size();
    nodes_[id].right = nodes_.size() + 1;
    nodes_.push_back({.begin = begin, .end = mid});
    nodes_.push_back({.begin = mid, .end = end});
  }
}

Neighbors KnnBase::kneighbors(MatrixView<const double> x, std::size_t k) const {
  KOLOSAL_CHECK(fitted(), NotFitted, name(), "::kneighbors: the model is not fitted");
  KOLOSAL_CHECK(x.cols() == n_features(), ShapeMismatch, name(), "::kneighbors: x has ", x.cols(),
                " features but the model was fitted on ", n_features());
  if (k == 0) k = static_cast<std::size_t>(config_.n_neighbors);
  const std::size_t n = y_.size();
  KOLOSAL_CHECK(k <= n, InvalidArgument, name(), "::kneighbors: k is ", k,
                " but the training set has ", n, " rows");
  const std::size_t p = n_features();
  const Metric metric{.kind = config_.metric, .p = config_.p};
  Neighbors out{.indices = Matrix<std::size_t>(x.rows(), k),
                .distances = Matrix<double>(x.rows(), k)};
  const bool tree = uses_tree();
  parallel::for_blocks(context(), x.rows(), kQueryBlock, [&](std::size_t begin, std::size_t end) {
    std::vector<Candidate> all;
    std::priority_queue<Candidate> heap;  // largest (distance, index) on top
    std::vector<std::size_t> stack;
    for (std::size_t q = begin; q < end; ++q) {
      const auto query = x.row(q);
      const double query_norm = metric.kind == KnnMetric::kCosine ? norm_of(query) : 0.0;
      const auto dist = [&](std::size_t i) {
        return metric.distance(query, {x_.data() + i * p, p}, query_norm,
                               norms_.empty() ? 0.0 : norms_[i]);
      };
      if (!tree) {
        all.resize(n);
        for (std::size_t i = 0; i < n; ++i) all[i] = {dist(i), i};
        std::partial_sort(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(k), all.end());
      } else {
        heap = {};
        stack.assign(1, 0);
        while (!stack.empty()) {
          const Node& node = nodes_[stack.back()];
          stack.pop_back();
          if (heap.size() == k &&
              metric.box_distance(query, node.lower, node.upper) > heap.top().first) {
            continue;
          }
          if (node.left == 0) {
            for (std::size_t t = node.begin; t < node.end; ++t) {
              const Candidate c{dist(order_[t]), order_[t]};
              if (heap.size() < k) {
                heap.push(c);
              } else if (c < heap.top()) {
                heap.pop();
                heap.push(c);
              }
            }
            continue;
          }
          // Visit the nearer child first (pushed last).
          const double dl =
              metric.box_distance(query, nodes_[node.left].lower, nodes_[node.left].upper);
          const double dr =
              metric.box_distance(query, nodes_[node.right].lower, nodes_[node.right].upper);
          if (dl <= dr) {
            stack.push_back(node.right);
            stack.push_back(node.left);
          } else {
            stack.push_back(node.left);
            stack.push_back(node.right);
          }
        }
        all.resize(k);
        for (std::size_t t = k; t-- > 0;) {
          all[t] = heap.top();
          heap.pop();
        }
      }
      for (std::size_t t = 0; t < k; ++t) {
        out.distances(q, t) = all[t].first;
        out.indices(q, t) = all[t].second;
      }
    }
  });
  return out;
}

std::vector<double> KnnBase::neighbor_weights(std::span<const double> distances,
                                              std::span<const std::size_t> indices) const {
  std::vector<double> out(distances.size(), 1.0);
  if (config_.weights == KnnWeights::kDistance) {
    // Exact matches take every vote, as scikit-learn.
    const bool exact =
        std::any_of(distances.begin(), distances.end(), [](double d) { return d == 0.0; });
    for (std::size_t t = 0; t < distances.size(); ++t) {
      out[t] = exact ? (distances[t] == 0.0 ? 1.0 : 0.0) : 1.0 / distances[t];
    }
  }
  if (!w_.empty()) {
    for (std::size_t t = 0; t < indices.size(); ++t) out[t] *= w_[indices[t]];
  }
  return out;
}

nlohmann::json KnnBase::do_state() const { return {{"x", x_}, {"y", y_}, {"weights", w_}}; }

void KnnBase::do_load_state(const nlohmann::json& state) {
  auto x = state.at("x").get<std::vector<double>>();
  auto y = state.at("y").get<std::vector<double>>();
  auto w = state.at("weights").get<std::vector<double>>();
  KOLOSAL_CHECK(x.size() == y.size() * n_features() && (w.empty() || w.size() == y.size()) &&
                    y.size() >= static_cast<std::size_t>(config_.n_neighbors),
                SerializationError, name(), "::load_state: inconsistent training data");
  x_ = std::move(x);
  y_ = std::move(y);
  w_ = std::move(w);
  norms_.clear();
  const std::size_t p = n_features();
  if (config_.metric == KnnMetric::kCosine) {
    for (std::size_t r = 0; r < y_.size(); ++r) norms_.push_back(norm_of({x_.data() + r * p, p}));
  }
  build_tree();
}

// ---------------------------------------------------------------------------- classifier

nlohmann::json KnnClassifier::config() const { return config::to_json(config_); }

void KnnClassifier::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  store(x, y, options.sample_weight, "KnnClassifier");
}

Matrix<double> KnnClassifier::do_predict_proba(MatrixView<const double> x) const {
  const Neighbors nb = kneighbors(x);
  const std::size_t k = nb.indices.cols();
  Matrix<double> proba(x.rows(), n_classes(), 0.0);
  for (std::size_t q = 0; q < x.rows(); ++q) {
    const auto weights = neighbor_weights(nb.distances.row(q), nb.indices.row(q));
    double total = 0.0;
    for (std::size_t t = 0; t < k; ++t) {
      proba(q, static_cast<std::size_t>(y_[nb.indices(q, t)])) += weights[t];
      total += weights[t];
    }
    for (auto& v : proba.row(q)) {
      v = total > 0.0 ? v / total : 1.0 / static_cast<double>(n_classes());
    }
  }
  return proba;
}

std::vector<double> KnnClassifier::do_predict(MatrixView<const double> x) const {
  const Matrix<double> proba = do_predict_proba(x);
  std::vector<double> out(x.rows());
  for (std::size_t q = 0; q < x.rows(); ++q) {
    const auto row = proba.row(q);
    out[q] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

// ---------------------------------------------------------------------------- regressor

nlohmann::json KnnRegressor::config() const { return config::to_json(config_); }

void KnnRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                          const FitOptions& options) {
  store(x, y, options.sample_weight, "KnnRegressor");
}

std::vector<double> KnnRegressor::do_predict(MatrixView<const double> x) const {
  const Neighbors nb = kneighbors(x);
  std::vector<double> out(x.rows());
  for (std::size_t q = 0; q < x.rows(); ++q) {
    const auto weights = neighbor_weights(nb.distances.row(q), nb.indices.row(q));
    double sum = 0.0;
    double total = 0.0;
    for (std::size_t t = 0; t < weights.size(); ++t) {
      sum += weights[t] * y_[nb.indices(q, t)];
      total += weights[t];
    }
    out[q] = total > 0.0 ? sum / total : 0.0;
  }
  return out;
}

}  // namespace kolosal::training
