// SPDX-License-Identifier: MIT
// Internal CART machinery shared by decision trees, forests and AdaBoost: feature binning, the
// depth-first builder, cost-complexity pruning and (de)serialisation of Tree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/training/tree.hpp"

namespace kolosal::training::tree {

enum class Criterion { kGini, kEntropy, kSquaredError, kAbsoluteError };

/// Features as small integer codes, column-major. Code c of feature f covers the training values
/// in [bin_min[f][c], bin_max[f][c]]; with exact binning every distinct value is its own bin.
struct BinnedFeatures {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::uint32_t> codes;          ///< cols x rows
  std::vector<std::vector<double>> bin_min;  ///< per feature, per bin
  std::vector<std::vector<double>> bin_max;  ///< per feature, per bin
  [[nodiscard]] std::span<const std::uint32_t> column(std::size_t f) const noexcept {
    return {codes.data() + f * rows, rows};
  }
  [[nodiscard]] std::size_t bins(std::size_t f) const noexcept { return bin_min[f].size(); }
};

/// Bins every column of `x` (in parallel over columns): exactly (one bin per distinct value)
/// when `max_bins` is 0 or at least the number of distinct values, else into at most `max_bins`
/// bins of about equal row counts.
[[nodiscard]] BinnedFeatures bin_features(MatrixView<const double> x, std::size_t max_bins,
                                          const Context& ctx);

struct BuildParams {
  Criterion criterion = Criterion::kGini;
  std::size_t n_classes = 0;  ///< 0 for regression
  std::optional<int> max_depth{};
  std::size_t min_samples_split = 2;
  std::size_t min_samples_leaf = 1;
  double min_weight_leaf = 0.0;  ///< absolute weight
  double min_impurity_decrease = 0.0;
  std::size_t max_features = 0;  ///< features tried per split (0: all)
  bool random_splits = false;    ///< extremely randomised trees: one random threshold per feature
};

/// Grows a tree on the rows listed in `samples` (each with weight `weight[row]`, which must be
/// positive) with targets `y` (class indices or values). `rng` draws feature orders and, for
/// random splits, thresholds.
[[nodiscard]] Tree build_tree(const BinnedFeatures& x, std::span<const double> y,
                              std::span<const double> weight,
                              std::span<const std::uint32_t> samples, const BuildParams& params,
                              Rng& rng);

/// Minimal cost-complexity pruning (Breiman et al. 1984, ch. 3): repeatedly collapses the weakest
/// link while its effective alpha is <= `ccp_alpha`; unreachable nodes are then dropped.
void prune(Tree& tree, double ccp_alpha);

/// The number of features each split tries.
[[nodiscard]] std::size_t resolve_max_features(MaxFeatures mode, double fraction,
                                               std::size_t n_features);

/// Per-row weights of a classifier: sample weight x class weight.
[[nodiscard]] std::vector<double> class_weighted(std::span<const double> y,
                                                 std::span<const double> sample_weight,
                                                 std::size_t n_classes, ClassWeight mode,
                                                 std::span<const double> explicit_weights,
                                                 std::string_view who);

[[nodiscard]] nlohmann::json tree_to_json(const Tree& tree);
[[nodiscard]] Tree tree_from_json(const nlohmann::json& json, std::string_view who,
                                  std::size_t n_features, std::size_t n_values);

/// Normalised feature importances of several trees (each tree's importances normalised, then
/// averaged and normalised again, as scikit-learn's forests).
[[nodiscard]] std::vector<double> mean_importances(std::span<const Tree> trees,
                                                   std::size_t n_features);

}  // namespace kolosal::training::tree
