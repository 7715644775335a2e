// SPDX-License-Identifier: MIT
// A small random-forest regressor with predictive variance, the second surrogate of ASHT and
// HyperOptX; private to src/optimizer.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <numeric>
#include <vector>

#include "kolosal/core/rng.hpp"

namespace kolosal::optimizer::detail {

/// Bagged regression trees with random feature subsets at each split (Breiman, "Random
/// forests", 2001). Leaves keep the mean and variance of their targets so the forest's
/// predictive variance follows the law of total variance over trees, as in SMAC's random-forest
/// surrogate (Hutter, Hoos & Leyton-Brown, "Sequential model-based optimization for general
/// algorithm configuration", 2011).
class Forest {
 public:
  struct Options {
    std::size_t n_trees = 24;
    std::size_t min_samples_leaf = 2;
    double max_features = 0.8;  ///< fraction of features tried at each split
  };

  /// Fits on row-major x (n x d) and y. Deterministic for a given rng state.
  void fit(const std::vector<double>& x, std::size_t d, const std::vector<double>& y, Rng& rng,
           Options options) {
    d_ = d;
    options_ = options;
    trees_.assign(options.n_trees, {});
    const std::size_t n = y.size();
    for (std::size_t t = 0; t < options.n_trees; ++t) {
      Rng tree_rng = rng.split(t);
      std::vector<std::size_t> rows(n);
      for (auto& r : rows) r = tree_rng.uniform_index(n);  // bootstrap
      grow(trees_[t], x, y, rows, tree_rng);
    }
  }

  /// Mean and variance at point p (d values).
  void predict(const double* p, double& mean, double& var) const {
    double m = 0.0;
    double second = 0.0;
    for (const auto& tree : trees_) {
      std::size_t node = 0;
      while (tree[node].feature >= 0) {
        const auto& nd = tree[node];
        node = p[nd.feature] <= nd.threshold ? nd.left : nd.right;
      }
      m += tree[node].value;
      second += tree[node].variance + tree[node].value * tree[node].value;
    }
    const auto k = static_cast<double>(trees_.size());
    mean = m / k;
    var = std::max(second / k - mean * mean, 1e-12);
  }

  /// One tree's prediction (for Thompson-style draws over the ensemble).
  [[nodiscard]] double predict_tree(std::size_t t, const double* p) const {
    const auto& tree = trees_[t];
    std::size_t node = 0;
    while (tree[node].feature >= 0) {
      node = p[tree[node].feature] <= tree[node].threshold ? tree[node].left : tree[node].right;
    }
    return tree[node].value;
  }
  [[nodiscard]] std::size_t n_trees() const noexcept { return trees_.size(); }

 private:
  struct Node {
    int feature = -1;  // -1 for a leaf
    double threshold = 0.0;
    std::size_t left = 0;
    std::size_t right = 0;
    double value = 0.0;
    double variance = 0.0;
  };
  using Tree = std::vector<Node>;

  void grow(Tree& tree, const std::vector<double>& x, const std::vector<double>& y,
            std::vector<std::size_t>& rows, Rng& rng) {
    struct Task {
      std::size_t node, begin, end;
    };
    tree.clear();
    tree.emplace_back();
    std::vector<Task> stack{{0, 0, rows.size()}};
    std::vector<std::size_t> features(d_);
    std::iota(features.begin(), features.end(), std::size_t{0});
    const std::size_t tries = std::max<std::size_t>(
        1, static_cast<std::size_t>(std::ceil(options_.max_features * static_cast<double>(d_))));
    std::vector<std::pair<double, double>> sorted;
    while (!stack.empty()) {
      const Task task = stack.back();
      stack.pop_back();
      const std::size_t n = task.end - task.begin;
      double sum = 0.0;
      double sq = 0.0;
      for (std::size_t i = task.begin; i < task.end; ++i) {
        sum += y[rows[i]];
        sq += y[rows[i]] * y[rows[i]];
      }
      const double mean = sum / static_cast<double>(n);
      tree[task.node].value = mean;
      tree[task.node].variance = std::max(sq / static_cast<double>(n) - mean * mean, 0.0);
      if (n < 2 * options_.min_samples_leaf || tree[task.node].variance <= 1e-14) continue;
      rng.shuffle(std::span<std::size_t>(features));
      double best_gain = 1e-12;
      int best_feature = -1;
      double best_threshold = 0.0;
      for (std::size_t f = 0; f < tries; ++f) {
        const std::size_t feature = features[f];
        sorted.clear();
        for (std::size_t i = task.begin; i < task.end; ++i) {
          sorted.emplace_back(x[rows[i] * d_ + feature], y[rows[i]]);
        }
        std::sort(sorted.begin(), sorted.end());
        double left_sum = 0.0;
        for (std::size_t i = 0; i + 1 < n; ++i) {
          left_sum += sorted[i].second;
          const std::size_t nl = i + 1;
          if (nl < options_.min_samples_leaf || n - nl < options_.min_samples_leaf) continue;
          if (sorted[i].first == sorted[i + 1].first) continue;
          const double right_sum = sum - left_sum;
          // SSE reduction = nl*ml^2 + nr*mr^2 - n*m^2
          const double gain = left_sum * left_sum / static_cast<double>(nl) +
                              right_sum * right_sum / static_cast<double>(n - nl) -
                              sum * sum / static_cast<double>(n);
          if (gain > best_gain) {
            best_gain = gain;
            best_feature = static_cast<int>(feature);
            best_threshold = 0.5 * (sorted[i].first + sorted[i + 1].first);
          }
        }
      }
      if (best_feature < 0) continue;
      const auto mid = std::partition(
          rows.begin() + static_cast<std::ptrdiff_t>(task.begin),
          rows.begin() + static_cast<std::ptrdiff_t>(task.end), [&](std::size_t r) {
            return x[r * d_ + static_cast<std::size_t>(best_feature)] <= best_threshold;
          });
      const auto split = static_cast<std::size_t>(mid - rows.begin());
      const std::size_t left = tree.size();
      tree.emplace_back();
      tree.emplace_back();
      tree[task.node].feature = best_feature;
      tree[task.node].threshold = best_threshold;
      tree[task.node].left = left;
      tree[task.node].right = left + 1;
      stack.push_back({left, task.begin, split});
      stack.push_back({left + 1, split, task.end});
    }
  }

  std::size_t d_ = 0;
  Options options_;
  std::vector<Tree> trees_;
};

}  // namespace kolosal::optimizer::detail
