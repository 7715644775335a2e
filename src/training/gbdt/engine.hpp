// SPDX-License-Identifier: MIT
// Internal pieces of the histogram GBDT: quantile binning and the tree builder (src/ only).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/training/gbdt.hpp"

namespace kolosal::training::gbdt_detail {

/// A gradient and a hessian kept side by side, so one histogram update touches one cache line.
struct GradPair {
  double g = 0.0;
  double h = 0.0;
};

/// The training matrix as bin codes, row-major. Code 0 is the missing value; a non-missing value
/// v gets 1 + the index of the first upper bound >= v, so v <= upper[b - 1] <=> code <= b.
struct BinnedData {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::size_t stride = 0;                  ///< histogram slots per feature (max codes)
  std::vector<std::vector<double>> upper;  ///< per feature, ascending; the last is +inf
  std::vector<std::uint8_t> codes8;        ///< used when every code fits a byte
  std::vector<std::uint16_t> codes16;      ///< otherwise
  std::vector<std::uint8_t> columns8;      ///< the same codes column-major, for partitioning
  std::vector<std::uint16_t> columns16;
  /// Per feature, 1 for category codes: value c has code c + 1 (upper holds 0, 1, ..., max).
  std::vector<std::uint8_t> categorical;
  [[nodiscard]] bool wide() const noexcept { return codes8.empty(); }
};

/// Categories 0..254 as a bitset (bit c: category c).
using CategorySet = std::array<std::uint64_t, 4>;
constexpr int kMaxCategory = 254;
inline bool has_category(const CategorySet& set, std::size_t c) noexcept {
  return ((set[c >> 6] >> (c & 63)) & 1) != 0;
}

/// Quantile bin boundaries from at most `sample_rows` rows (drawn with `rng`), then every row
/// encoded in parallel. Up to `max_bin` codes per feature, the missing-value code included.
/// Features listed in `categorical` keep their integer codes 0..254 instead (@throws
/// InvalidArgument naming the feature and row of any other value).
[[nodiscard]] BinnedData bin_data(const Context& ctx, MatrixView<const double> x, int max_bin,
                                  int sample_rows, Rng rng, std::span<const int> categorical = {});

/// The quantile `alpha` of (value, weight) pairs, sorted in place: with `interpolate` (unit
/// weights), linear between the order statistics around alpha (n - 1) as numpy.percentile,
/// scikit-learn and LightGBM compute it (the median of an even count is the mean of the middle
/// two, as XGBoost's); otherwise the first value whose cumulative weight reaches alpha of the
/// total (scikit-learn's and XGBoost's weighted rule). 0 for no values.
[[nodiscard]] double residual_quantile(std::span<std::pair<double, double>> values, double alpha,
                                       bool interpolate);

/// Starting raw scores (one per output): the constant minimising the objective's weighted loss,
/// i.e. the mean, the log-odds or log-priors, the median, the alpha quantile, the log of the mean
/// (poisson) or the root of the gradient sum (huber, pseudo_huber); 0 for a custom objective.
/// `weight` is empty for unit weights. @throws InvalidArgument on weights summing to 0, or
/// poisson targets that are negative or all 0
[[nodiscard]] std::vector<double> base_score(const GbdtConfig& config, std::size_t n_classes,
                                             std::span<const double> y,
                                             std::span<const double> weight);

/// A node of a tree under construction; children of node i are stored as a pair.
struct TrainNode {
  std::int32_t feature = -1;  ///< -1 for a leaf
  std::uint32_t bin = 0;      ///< rows with 1 <= code <= bin go left
  bool default_left = false;  ///< where code 0 (missing) goes
  std::int32_t left = -1;     ///< index of the left child; the right child is left + 1
  double value = 0.0;         ///< leaf value, shrinkage included
  std::size_t begin = 0;      ///< the node's rows in the builder's row order
  std::size_t end = 0;
  bool categorical = false;  ///< codes c + 1 with c in left_set go left, right_set right
  CategorySet left_set{};
  CategorySet right_set{};
};

/// Best split of one node.
struct SplitInfo {
  double gain = 0.0;
  std::int32_t feature = -1;
  std::uint32_t bin = 0;
  bool default_left = false;
  GradPair left{};
  GradPair right{};
  bool categorical = false;
  CategorySet left_set{};
  CategorySet right_set{};
};

/// Grows one regression tree on gradient pairs over histograms. Buffers persist across trees, so
/// growing allocates nothing once warm.
class TreeBuilder {
 public:
  TreeBuilder(const Context& ctx, const GbdtConfig& config, const BinnedData& data);

  /// Grows a tree on rows `rows` (ascending) with per-row gradient pairs `gh` (indexed by row),
  /// splitting only on features with `feature_allowed[f]`, of which colsample_bylevel and
  /// colsample_bynode draw subsets with streams of `rng` keyed by depth and node id. Adds each
  /// split's gain and count to `gain` and `splits`. An oblivious tree's nodes are in level order,
  /// so node i's children are 2i + 1 and 2i + 2 and the leaves are the last 2^depth nodes.
  [[nodiscard]] std::vector<TrainNode>& grow(std::span<const std::uint32_t> rows,
                                             std::span<const GradPair> gh,
                                             std::span<const std::uint8_t> feature_allowed, Rng rng,
                                             std::span<double> gain, std::span<double> splits);
  /// The rows of the last tree in node order; a leaf's rows are [begin, end) of it.
  [[nodiscard]] std::span<const std::uint32_t> row_order() const noexcept { return idx_; }

 private:
  struct Candidate {
    std::int32_t node = 0;
    int depth = 0;
    GradPair sum{};
    std::size_t hist = 0;  ///< slot in the histogram pool
    SplitInfo split{};
  };

  template <class Code>
  void build_histogram(const Code* codes, std::size_t begin, std::size_t end, GradPair* out);
  void histogram(std::size_t begin, std::size_t end, GradPair* out);
  void find_split(Candidate& c, std::span<const std::uint8_t> feature_allowed);
  // The features a node may split on: the tree's, then the level's and node's draws.
  std::span<const std::uint8_t> allowed_for(int depth, std::int32_t node);
  void grow_oblivious(std::size_t root_hist, const GradPair& root_sum, std::span<double> gain,
                      std::span<double> splits);
  // The split shared by all nodes of `level` maximising their summed gain.
  [[nodiscard]] SplitInfo find_level_split(std::span<const std::uint8_t> feature_allowed);
  void categorical_split(std::size_t f, const GradPair* h, const GradPair& total, double parent,
                         std::size_t rows, SplitInfo& best) const;
  [[nodiscard]] bool valid_children(const GradPair& left, const GradPair& right,
                                    const GradPair& total, std::size_t rows) const noexcept;
  template <class Code>
  std::size_t partition(const Code* codes, const TrainNode& node, const SplitInfo& split);
  template <class GoesLeft>
  std::size_t partition_rows(const TrainNode& node, GoesLeft goes_left);
  [[nodiscard]] double leaf_value(const GradPair& sum) const noexcept;
  [[nodiscard]] double score(const GradPair& sum) const noexcept;
  std::size_t acquire_histogram();

  Context ctx_;
  GbdtConfig config_;
  const BinnedData& data_;
  std::size_t hist_size_;
  std::span<const GradPair> gh_;
  std::vector<std::uint32_t> idx_;
  std::vector<std::uint32_t> tmp_;
  std::vector<std::vector<GradPair>> pool_;
  std::vector<std::size_t> free_;
  std::vector<GradPair> scratch_;
  std::vector<SplitInfo> feature_best_;
  std::vector<std::size_t> block_left_;
  std::vector<TrainNode> nodes_;
  std::vector<Candidate> open_;
  // Column sampling by level and node.
  Rng rng_{};
  std::span<const std::uint8_t> tree_allowed_;
  std::vector<std::vector<std::uint8_t>> level_masks_;
  std::vector<std::uint8_t> level_ready_;
  std::vector<std::uint8_t> node_mask_;
  std::vector<std::uint32_t> feature_buf_;
  // Oblivious growth: the current level's nodes, their histogram slots and summed gains per
  // (feature, bin, direction).
  std::vector<std::int32_t> level_;
  std::vector<std::int32_t> next_level_;
  std::vector<std::size_t> level_hist_;
  std::vector<std::size_t> next_hist_;
  std::vector<GradPair> level_sum_;
  std::vector<GradPair> next_sum_;
  std::vector<double> level_gain_;
};

}  // namespace kolosal::training::gbdt_detail
