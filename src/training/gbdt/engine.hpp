// SPDX-License-Identifier: MIT
// Internal pieces of the histogram GBDT: quantile binning and the tree builder (src/ only).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
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
  [[nodiscard]] bool wide() const noexcept { return codes8.empty(); }
};

/// Quantile bin boundaries from at most `sample_rows` rows (drawn with `rng`), then every row
/// encoded in parallel. Up to `max_bin` codes per feature, the missing-value code included.
[[nodiscard]] BinnedData bin_data(const Context& ctx, MatrixView<const double> x, int max_bin,
                                  int sample_rows, Rng rng);

/// A node of a tree under construction; children of node i are stored as a pair.
struct TrainNode {
  std::int32_t feature = -1;  ///< -1 for a leaf
  std::uint32_t bin = 0;      ///< rows with 1 <= code <= bin go left
  bool default_left = false;  ///< where code 0 (missing) goes
  std::int32_t left = -1;     ///< index of the left child; the right child is left + 1
  double value = 0.0;         ///< leaf value, shrinkage included
  std::size_t begin = 0;      ///< the node's rows in the builder's row order
  std::size_t end = 0;
};

/// Best split of one node.
struct SplitInfo {
  double gain = 0.0;
  std::int32_t feature = -1;
  std::uint32_t bin = 0;
  bool default_left = false;
  GradPair left{};
  GradPair right{};
};

/// Grows one regression tree on gradient pairs over histograms. Buffers persist across trees, so
/// growing allocates nothing once warm.
class TreeBuilder {
 public:
  TreeBuilder(const Context& ctx, const GbdtConfig& config, const BinnedData& data);

  /// Grows a tree on rows `rows` (ascending) with per-row gradient pairs `gh` (indexed by row),
  /// splitting only on features with `feature_allowed[f]`. Adds each split's gain and count to
  /// `gain` and `splits`.
  [[nodiscard]] const std::vector<TrainNode>& grow(std::span<const std::uint32_t> rows,
                                                   std::span<const GradPair> gh,
                                                   std::span<const std::uint8_t> feature_allowed,
                                                   std::span<double> gain,
                                                   std::span<double> splits);
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
  template <class Code>
  std::size_t partition(const Code* codes, const TrainNode& node, const SplitInfo& split);
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
};

}  // namespace kolosal::training::gbdt_detail
