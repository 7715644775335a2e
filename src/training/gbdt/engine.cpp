// SPDX-License-Identifier: MIT
// Quantile binning and histogram tree growth for the GBDT engine; every parallel loop runs over
// blocks fixed by the data size alone, so results never depend on the thread count.
#include "training/gbdt/engine.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

namespace kolosal::training::gbdt_detail {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr std::size_t kMaxHistBlocks = 16;      // partial histograms per node at most
constexpr std::size_t kMinRowsPerBlock = 8192;  // rows below which one block builds alone
constexpr std::size_t kPartitionGrain = 32768;  // rows per partition block
constexpr std::size_t kEncodeGrain = 4096;      // rows per encoding block
constexpr std::size_t kNoHistogram = SIZE_MAX;  // a leaf-to-be that needs no histogram

// Boundaries of one feature from its sorted non-missing sample values.
std::vector<double> feature_bounds(std::vector<double>& values, std::size_t max_value_bins) {
  std::sort(values.begin(), values.end());
  std::vector<double> distinct;
  for (double v : values) {
    if (distinct.empty() || v != distinct.back()) distinct.push_back(v);
  }
  std::vector<double> upper;
  if (distinct.size() <= max_value_bins) {
    // One bin per distinct value; the boundary halfway to the next value.
    for (std::size_t i = 0; i + 1 < distinct.size(); ++i) {
      upper.push_back(distinct[i] + (distinct[i + 1] - distinct[i]) / 2.0);
    }
  } else {
    // Equal-frequency cuts at sample quantiles; a cut is a value seen in the sample.
    const std::size_t m = values.size();
    for (std::size_t j = 1; j < max_value_bins; ++j) {
      const double cut = values[(j * m) / max_value_bins];
      if (cut == values.back()) break;
      if (upper.empty() || cut > upper.back()) upper.push_back(cut);
    }
  }
  upper.push_back(kInf);
  return upper;
}

// Index of the first bound >= v, without data-dependent branches (a conditional move per halving
// step); the last bound is +inf, so the index is always valid.
std::size_t lower_bound_index(const std::vector<double>& bounds, double v) noexcept {
  const double* base = bounds.data();
  std::size_t len = bounds.size();
  while (len > 1) {
    const std::size_t half = len / 2;
    base = base[half - 1] < v ? base + half : base;
    len -= half;
  }
  const auto index = static_cast<std::size_t>(base - bounds.data()) + (*base < v ? 1 : 0);
  return std::min(index, bounds.size() - 1);
}

}  // namespace

BinnedData bin_data(const Context& ctx, MatrixView<const double> x, int max_bin, int sample_rows,
                    Rng rng, std::span<const int> categorical) {
  BinnedData out;
  out.rows = x.rows();
  out.cols = x.cols();
  const auto n = x.rows();
  // Selection sampling (Knuth, TAOCP vol. 2, algorithm S): rows in ascending order.
  std::vector<std::size_t> sample;
  const auto wanted = std::min<std::size_t>(n, static_cast<std::size_t>(sample_rows));
  sample.reserve(wanted);
  for (std::size_t i = 0; i < n && sample.size() < wanted; ++i) {
    if (wanted == n ||
        static_cast<double>(n - i) * rng.uniform() < static_cast<double>(wanted - sample.size())) {
      sample.push_back(i);
    }
  }
  const auto max_value_bins = static_cast<std::size_t>(max_bin) - 1;
  out.upper.resize(out.cols);
  parallel::for_each_index(ctx, out.cols, [&](std::size_t f) {
    std::vector<double> values;
    values.reserve(sample.size());
    for (std::size_t r : sample) {
      const double v = x(r, f);
      if (!std::isnan(v)) values.push_back(v);
    }
    out.upper[f] = feature_bounds(values, max_value_bins);
  });
  out.categorical.assign(out.cols, 0);
  for (int feature : categorical) {
    KOLOSAL_CHECK(feature >= 0 && static_cast<std::size_t>(feature) < out.cols, InvalidArgument,
                  "gbdt: categorical feature ", feature, " out of ", out.cols, " features");
    const auto f = static_cast<std::size_t>(feature);
    out.categorical[f] = 1;
    // Every row, not the sample: a category seen once still gets its code.
    double top = 0.0;
    for (std::size_t r = 0; r < n; ++r) {
      const double v = x(r, f);
      if (std::isnan(v)) continue;
      KOLOSAL_CHECK(v >= 0.0 && v <= kMaxCategory && v == std::floor(v), InvalidArgument,
                    "gbdt: categorical feature ", f, " has value ", v, " in row ", r,
                    "; expected an integer code in [0, ", kMaxCategory, "]");
      top = std::max(top, v);
    }
    out.upper[f].clear();
    for (int c = 0; c <= static_cast<int>(top); ++c) out.upper[f].push_back(c);
  }
  std::size_t codes = 0;
  for (const auto& u : out.upper) codes = std::max(codes, u.size() + 1);
  out.stride = codes;
  // Row blocks in parallel; within a block one feature at a time, so its bounds stay in L1.
  const auto encode = [&](auto* dest, auto* by_column) {
    using Code = std::remove_pointer_t<decltype(dest)>;
    parallel::for_blocks(ctx, n, kEncodeGrain, [&](std::size_t begin, std::size_t end) {
      for (std::size_t f = 0; f < out.cols; ++f) {
        const auto& u = out.upper[f];
        Code* column = by_column + f * n;
        for (std::size_t r = begin; r < end; ++r) {
          const double v = x(r, f);
          const auto code = static_cast<Code>(std::isnan(v) ? 0 : 1 + lower_bound_index(u, v));
          dest[r * out.cols + f] = code;
          column[r] = code;
        }
      }
    });
  };
  if (codes <= 256) {
    out.codes8.resize(n * out.cols);
    out.columns8.resize(n * out.cols);
    encode(out.codes8.data(), out.columns8.data());
  } else {
    out.codes16.resize(n * out.cols);
    out.columns16.resize(n * out.cols);
    encode(out.codes16.data(), out.columns16.data());
  }
  return out;
}

// ---------------------------------------------------------------------------- tree builder

namespace {

// XGBoost 1.7 caps Poisson leaves with the objective's max_delta_step (0.7) unless the tree's own
// is set.
GbdtConfig effective(GbdtConfig config) {
  if (config.objective == GbdtObjective::kPoisson && config.max_delta_step == 0.0) {
    config.max_delta_step = config.poisson_max_delta_step;
  }
  return config;
}

}  // namespace

TreeBuilder::TreeBuilder(const Context& ctx, const GbdtConfig& config, const BinnedData& data)
    : ctx_(ctx),
      config_(effective(config)),
      data_(data),
      hist_size_(data.cols * data.stride),
      idx_(data.rows),
      tmp_(data.rows),
      scratch_(kMaxHistBlocks * data.cols * data.stride),
      feature_best_(data.cols),
      block_left_(parallel::block_count(data.rows, kPartitionGrain) + 1),
      node_mask_(data.cols) {
  feature_buf_.reserve(data.cols);
  if (config.growth == GbdtGrowth::kOblivious) level_gain_.resize(data.cols * data.stride * 2);
}

namespace {

// Draws max(1, round(fraction * m)) of the m features marked in `from` into `out` (partial
// Fisher-Yates over `buf`, whose capacity is reserved, so nothing is allocated).
void sample_features(std::span<const std::uint8_t> from, double fraction, Rng rng,
                     std::vector<std::uint32_t>& buf, std::span<std::uint8_t> out) {
  buf.clear();
  for (std::size_t f = 0; f < from.size(); ++f) {
    if (from[f] != 0) buf.push_back(static_cast<std::uint32_t>(f));
  }
  const auto keep = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::lround(fraction * static_cast<double>(buf.size()))), 1,
      std::max<std::size_t>(buf.size(), 1));
  std::fill(out.begin(), out.end(), std::uint8_t{0});
  for (std::size_t j = 0; j < keep && j < buf.size(); ++j) {
    std::swap(buf[j], buf[j + rng.uniform_index(buf.size() - j)]);
    out[buf[j]] = 1;
  }
}

}  // namespace

std::span<const std::uint8_t> TreeBuilder::allowed_for(int depth, std::int32_t node) {
  std::span<const std::uint8_t> level = tree_allowed_;
  if (config_.colsample_bylevel < 1.0) {
    const auto d = static_cast<std::size_t>(depth);
    if (d >= level_masks_.size()) {
      level_masks_.resize(d + 1, std::vector<std::uint8_t>(data_.cols));
      level_ready_.resize(d + 1, 0);
    }
    if (level_ready_[d] == 0) {
      sample_features(tree_allowed_, config_.colsample_bylevel, rng_.split(0).split(d),
                      feature_buf_, level_masks_[d]);
      level_ready_[d] = 1;
    }
    level = level_masks_[d];
  }
  if (config_.colsample_bynode < 1.0) {
    sample_features(level, config_.colsample_bynode,
                    rng_.split(1).split(static_cast<std::uint64_t>(node)), feature_buf_,
                    node_mask_);
    return node_mask_;
  }
  return level;
}

bool TreeBuilder::valid_children(const GradPair& left, const GradPair& right, const GradPair& total,
                                 std::size_t rows) const noexcept {
  const double eps = 1e-10 * std::max(total.h, 1e-300);
  const double min_h = config_.min_child_weight;
  if (left.h < min_h || right.h < min_h || left.h <= eps || right.h <= eps) return false;
  if (config_.min_data_in_leaf > 0) {
    // Row counts from hessian sums as LightGBM estimates them: exact for constant hessians.
    const double factor = static_cast<double>(rows) / total.h;
    const auto left_rows = static_cast<double>(std::llround(left.h * factor));
    const double right_rows = static_cast<double>(rows) - left_rows;
    const auto least = static_cast<double>(config_.min_data_in_leaf);
    if (left_rows < least || right_rows < least) return false;
  }
  return true;
}

std::size_t TreeBuilder::acquire_histogram() {
  if (!free_.empty()) {
    const std::size_t slot = free_.back();
    free_.pop_back();
    return slot;
  }
  pool_.emplace_back(hist_size_);
  return pool_.size() - 1;
}

template <class Code>
void TreeBuilder::build_histogram(const Code* codes, std::size_t begin, std::size_t end,
                                  GradPair* out) {
  const std::size_t n = end - begin;
  const std::size_t cols = data_.cols;
  const std::size_t stride = data_.stride;
  const std::uint32_t* idx = idx_.data() + begin;
  const GradPair* gh = gh_.data();
  const auto accumulate = [&](std::size_t lo, std::size_t hi, GradPair* hist) {
    std::memset(static_cast<void*>(hist), 0, hist_size_ * sizeof(GradPair));
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint32_t r = idx[i];
      const Code* row = codes + static_cast<std::size_t>(r) * cols;
      const GradPair p = gh[r];
      GradPair* slot = hist;
      for (std::size_t f = 0; f < cols; ++f, slot += stride) {
        GradPair& e = slot[row[f]];
        e.g += p.g;
        e.h += p.h;
      }
    }
  };
  const std::size_t blocks =
      std::min(kMaxHistBlocks, (n + kMinRowsPerBlock - 1) / kMinRowsPerBlock);
  if (blocks <= 1) {
    accumulate(0, n, out);
    return;
  }
  const std::size_t grain = (n + blocks - 1) / blocks;
  const std::size_t used = parallel::block_count(n, grain);
  GradPair* scratch = scratch_.data();
  parallel::for_blocks(ctx_, n, grain, [&](std::size_t lo, std::size_t hi) {
    accumulate(lo, hi, scratch + (lo / grain) * hist_size_);
  });
  // Fold the partial histograms in block order.
  parallel::for_blocks(ctx_, hist_size_, 1024, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t e = lo; e < hi; ++e) {
      GradPair sum = scratch[e];
      for (std::size_t b = 1; b < used; ++b) {
        sum.g += scratch[b * hist_size_ + e].g;
        sum.h += scratch[b * hist_size_ + e].h;
      }
      out[e] = sum;
    }
  });
}

void TreeBuilder::histogram(std::size_t begin, std::size_t end, GradPair* out) {
  if (data_.wide()) {
    build_histogram(data_.codes16.data(), begin, end, out);
  } else {
    build_histogram(data_.codes8.data(), begin, end, out);
  }
}

double TreeBuilder::leaf_value(const GradPair& sum) const noexcept {
  if (sum.h + config_.lambda <= 0.0) return 0.0;  // an empty node of an oblivious tree
  // Soft-thresholded gradient for L1, then the Newton step, capped by max_delta_step.
  double g = sum.g;
  if (g > config_.alpha) {
    g -= config_.alpha;
  } else if (g < -config_.alpha) {
    g += config_.alpha;
  } else {
    g = 0.0;
  }
  double w = -g / (sum.h + config_.lambda);
  if (config_.max_delta_step > 0.0) {
    w = std::clamp(w, -config_.max_delta_step, config_.max_delta_step);
  }
  return w;
}

double TreeBuilder::score(const GradPair& sum) const noexcept {
  // Twice the loss reduction of a leaf at its optimal value (XGBoost's CalcGain).
  if (config_.alpha == 0.0 && config_.max_delta_step == 0.0) {
    return sum.g * sum.g / (sum.h + config_.lambda);
  }
  const double w = leaf_value(sum);
  return -(2.0 * sum.g * w + (sum.h + config_.lambda) * w * w + 2.0 * config_.alpha * std::abs(w));
}

void TreeBuilder::find_split(Candidate& c, std::span<const std::uint8_t> feature_allowed) {
  const GradPair* hist = pool_[c.hist].data();
  const GradPair total = c.sum;
  const double parent = score(total);
  const double min_h = config_.min_child_weight;
  const double eps = 1e-10 * std::max(total.h, 1e-300);
  const std::size_t stride = data_.stride;
  const TrainNode& node = nodes_[static_cast<std::size_t>(c.node)];
  const std::size_t rows = node.end - node.begin;
  const bool count_rows = config_.min_data_in_leaf > 0;
  parallel::for_blocks(ctx_, data_.cols, 4, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t f = lo; f < hi; ++f) {
      SplitInfo best;
      if (feature_allowed[f] == 0) {
        feature_best_[f] = best;
        continue;
      }
      const GradPair* h = hist + f * stride;
      if (data_.categorical[f] != 0) {
        categorical_split(f, h, total, parent, rows, best);
        feature_best_[f] = best;
        continue;
      }
      const std::size_t nb = data_.upper[f].size();
      const GradPair missing = h[0];
      const bool has_missing = missing.h > 0.0 || missing.g != 0.0;
      const auto consider = [&](const GradPair& left, std::size_t bin, bool default_left) {
        const GradPair right{total.g - left.g, total.h - left.h};
        if (left.h < min_h || right.h < min_h || left.h <= eps || right.h <= eps) return;
        if (count_rows && !valid_children(left, right, total, rows)) return;
        const double gain = score(left) + score(right) - parent;
        if (gain > best.gain) {
          best = {gain,
                  static_cast<std::int32_t>(f),
                  static_cast<std::uint32_t>(bin),
                  default_left,
                  left,
                  right};
        }
      };
      // Missing values right: left holds codes 1..b (b = nb sends only missing rows right).
      GradPair left{};
      for (std::size_t b = 1; b <= nb; ++b) {
        // An empty bin moves no row: its split equals the previous one.
        if (h[b].h == 0.0 && h[b].g == 0.0 && b < nb) continue;
        left.g += h[b].g;
        left.h += h[b].h;
        if (b < nb || has_missing) consider(left, b, false);
      }
      if (has_missing) {
        // Missing values left: left holds code 0 and codes 1..b.
        left = missing;
        for (std::size_t b = 1; b < nb; ++b) {
          if (h[b].h == 0.0 && h[b].g == 0.0) continue;
          left.g += h[b].g;
          left.h += h[b].h;
          consider(left, b, true);
        }
      }
      feature_best_[f] = best;
    }
  });
  SplitInfo best;
  for (const auto& s : feature_best_) {
    if (s.feature >= 0 && s.gain > best.gain) best = s;
  }
  c.split = best;
}

template <class Code>
std::size_t TreeBuilder::partition(const Code* codes, const TrainNode& node,
                                   const SplitInfo& split) {
  const auto feature = static_cast<std::size_t>(split.feature);
  const std::uint32_t bin = split.bin;
  const bool default_left = split.default_left;
  const Code* column = codes + feature * data_.rows;
  if (split.categorical) {
    const CategorySet& set = split.left_set;
    return partition_rows(node, [&](std::uint32_t r) {
      const std::uint32_t code = column[r];
      return code == 0 ? default_left : has_category(set, code - 1);
    });
  }
  return partition_rows(node, [&](std::uint32_t r) {
    const std::uint32_t code = column[r];
    return code == 0 ? default_left : code <= bin;
  });
}

template <class GoesLeft>
std::size_t TreeBuilder::partition_rows(const TrainNode& node, GoesLeft goes_left) {
  const std::size_t begin = node.begin;
  const std::size_t n = node.end - node.begin;
  std::uint32_t* idx = idx_.data() + begin;
  std::uint32_t* tmp = tmp_.data() + begin;
  const std::size_t blocks = parallel::block_count(n, kPartitionGrain);
  // One pass per block routes its rows within the block's own span of `tmp`: left rows from the
  // front, right rows from the back (reversed). A second pass copies them to their stable places.
  parallel::for_blocks(ctx_, n, kPartitionGrain, [&](std::size_t lo, std::size_t hi) {
    std::size_t front = lo;
    std::size_t back = hi;
    // Branch-free: write the row at both ends and advance only the end it belongs to. The
    // write at `back - 1` may land on the slot the next left row overwrites, which is harmless.
    for (std::size_t i = lo; i < hi; ++i) {
      const std::uint32_t r = idx[i];
      const std::size_t left = goes_left(r) ? 1 : 0;
      tmp[front] = r;
      tmp[back - 1] = r;
      front += left;
      back -= 1 - left;
    }
    block_left_[lo / kPartitionGrain] = front - lo;
  });
  std::size_t n_left = 0;
  for (std::size_t b = 0; b < blocks; ++b) n_left += block_left_[b];
  parallel::for_blocks(ctx_, n, kPartitionGrain, [&](std::size_t lo, std::size_t hi) {
    const std::size_t b = lo / kPartitionGrain;
    std::size_t left_at = 0;
    for (std::size_t k = 0; k < b; ++k) left_at += block_left_[k];
    const std::size_t lefts = block_left_[b];
    std::memcpy(idx + left_at, tmp + lo, lefts * sizeof(std::uint32_t));
    std::size_t right_at = n_left + (lo - left_at);
    for (std::size_t i = hi; i > lo + lefts; --i) idx[right_at++] = tmp[i - 1];
  });
  return n_left;
}

void TreeBuilder::categorical_split(std::size_t f, const GradPair* h, const GradPair& total,
                                    double parent, std::size_t rows, SplitInfo& best) const {
  // LightGBM's categorical splits (after Fisher, "On grouping for maximum homogeneity", 1958):
  // with few categories, one category against the rest; otherwise the categories sorted by
  // sum_grad / (sum_hess + cat_smooth) and the best prefix against the rest. Missing values (code
  // 0) try both sides; categories absent from the node are in neither set and follow them.
  const std::size_t nb = data_.upper[f].size();
  std::array<std::uint16_t, kMaxCategory + 1> order{};
  std::size_t m = 0;
  for (std::size_t b = 1; b <= nb; ++b) {
    if (h[b].h != 0.0 || h[b].g != 0.0) order[m++] = static_cast<std::uint16_t>(b);
  }
  const GradPair missing = h[0];
  const bool has_missing = missing.h > 0.0 || missing.g != 0.0;
  if (m == 0 || (m == 1 && !has_missing)) return;
  CategorySet seen{};
  for (std::size_t i = 0; i < m; ++i) {
    const std::size_t c = order[i] - 1u;
    seen[c >> 6] |= std::uint64_t{1} << (c & 63);
  }
  // Consider sending categories order[first, first + count) (and missing when default_left)
  // left; `left` holds their sums.
  const auto consider = [&](GradPair left, std::size_t first, std::size_t count,
                            bool default_left) {
    if (default_left) {
      left.g += missing.g;
      left.h += missing.h;
    }
    const GradPair right{total.g - left.g, total.h - left.h};
    if (!valid_children(left, right, total, rows)) return;
    const double gain = score(left) + score(right) - parent;
    if (!(gain > best.gain)) return;
    best = {gain, static_cast<std::int32_t>(f), 0, default_left, left, right, true, {}, {}};
    for (std::size_t i = first; i < first + count; ++i) {
      const std::size_t c = order[i] - 1u;
      best.left_set[c >> 6] |= std::uint64_t{1} << (c & 63);
    }
    for (std::size_t w = 0; w < 4; ++w) best.right_set[w] = seen[w] & ~best.left_set[w];
  };
  const int directions = has_missing ? 2 : 1;
  if (m <= static_cast<std::size_t>(config_.max_cat_to_onehot)) {
    for (std::size_t i = 0; i < m; ++i) {
      for (int d = 0; d < directions; ++d) consider(h[order[i]], i, 1, d == 1);
    }
    return;
  }
  const double smooth = config_.cat_smooth;
  std::sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(m),
            [&](std::uint16_t a, std::uint16_t b) {
              const double ka = h[a].g / (h[a].h + smooth);
              const double kb = h[b].g / (h[b].h + smooth);
              return ka < kb || (ka == kb && a < b);
            });
  GradPair left{};
  for (std::size_t k = 1; k <= m; ++k) {
    left.g += h[order[k - 1]].g;
    left.h += h[order[k - 1]].h;
    // All categories left and missing right is a split only when there are missing values.
    if (k < m || has_missing) consider(left, 0, k, false);
    if (k < m && has_missing) consider(left, 0, k, true);
  }
}

std::vector<TrainNode>& TreeBuilder::grow(std::span<const std::uint32_t> rows,
                                          std::span<const GradPair> gh,
                                          std::span<const std::uint8_t> feature_allowed, Rng rng,
                                          std::span<double> gain, std::span<double> splits) {
  gh_ = gh;
  rng_ = rng;
  tree_allowed_ = feature_allowed;
  std::fill(level_ready_.begin(), level_ready_.end(), std::uint8_t{0});
  nodes_.clear();
  std::copy(rows.begin(), rows.end(), idx_.begin());
  const std::size_t n = rows.size();

  const bool leafwise = config_.growth == GbdtGrowth::kLeafwise;
  const auto max_leaves =
      config_.num_leaves > 0 ? static_cast<std::size_t>(config_.num_leaves) : SIZE_MAX;
  const int max_depth = config_.max_depth > 0 ? config_.max_depth : INT32_MAX;

  Candidate root;
  root.hist = acquire_histogram();
  histogram(0, n, pool_[root.hist].data());
  // The node total from the histogram of any one feature: the same rows in every feature.
  for (std::size_t code = 0; code < data_.stride; ++code) {
    root.sum.g += pool_[root.hist][code].g;
    root.sum.h += pool_[root.hist][code].h;
  }
  nodes_.push_back({-1, 0, false, -1, 0.0, 0, n});
  if (config_.growth == GbdtGrowth::kOblivious) {
    grow_oblivious(root.hist, root.sum, gain, splits);
    return nodes_;
  }
  std::vector<Candidate>& open = open_;
  open.clear();
  const auto push_candidate = [&](Candidate c) {
    if (c.depth < max_depth) find_split(c, allowed_for(c.depth, c.node));
    if (c.split.feature >= 0 && c.split.gain > config_.min_split_gain && c.split.gain > 0.0) {
      open.push_back(c);
    } else {
      nodes_[static_cast<std::size_t>(c.node)].value = leaf_value(c.sum) * config_.learning_rate;
      if (c.hist != kNoHistogram) free_.push_back(c.hist);
    }
  };
  push_candidate(root);
  std::size_t leaves = 1;
  while (!open.empty()) {
    // Depth-wise: first in, first out (level order). Leaf-wise: the largest gain, ties to the
    // lowest node id.
    std::size_t pick = 0;
    if (leafwise) {
      for (std::size_t i = 1; i < open.size(); ++i) {
        if (open[i].split.gain > open[pick].split.gain) pick = i;
      }
    }
    Candidate c = open[pick];
    open.erase(open.begin() + static_cast<std::ptrdiff_t>(pick));
    const auto id = static_cast<std::size_t>(c.node);
    if (leaves >= max_leaves) {
      nodes_[id].value = leaf_value(c.sum) * config_.learning_rate;
      free_.push_back(c.hist);
      continue;
    }
    const SplitInfo s = c.split;
    const std::size_t n_left = data_.wide() ? partition(data_.columns16.data(), nodes_[id], s)
                                            : partition(data_.columns8.data(), nodes_[id], s);
    const std::size_t begin = nodes_[id].begin;
    const std::size_t end = nodes_[id].end;
    const auto left_id = static_cast<std::int32_t>(nodes_.size());
    nodes_[id].feature = s.feature;
    nodes_[id].bin = s.bin;
    nodes_[id].default_left = s.default_left;
    nodes_[id].left = left_id;
    nodes_[id].categorical = s.categorical;
    nodes_[id].left_set = s.left_set;
    nodes_[id].right_set = s.right_set;
    nodes_.push_back({-1, 0, false, -1, 0.0, begin, begin + n_left});
    nodes_.push_back({-1, 0, false, -1, 0.0, begin + n_left, end});
    gain[static_cast<std::size_t>(s.feature)] += s.gain;
    splits[static_cast<std::size_t>(s.feature)] += 1.0;
    ++leaves;

    // Build the smaller child's histogram; the larger one is the parent's minus it.
    Candidate left{left_id, c.depth + 1, s.left, 0, {}};
    Candidate right{left_id + 1, c.depth + 1, s.right, 0, {}};
    const bool left_smaller = n_left <= (end - begin) - n_left;
    Candidate& small = left_smaller ? left : right;
    Candidate& large = left_smaller ? right : left;
    const bool need_children = c.depth + 1 < max_depth;
    if (need_children) {
      small.hist = acquire_histogram();
      const auto& small_node = nodes_[static_cast<std::size_t>(small.node)];
      histogram(small_node.begin, small_node.end, pool_[small.hist].data());
      large.hist = c.hist;  // reuse the parent's buffer in place
      GradPair* big = pool_[large.hist].data();
      const GradPair* sub = pool_[small.hist].data();
      parallel::for_blocks(ctx_, hist_size_, 4096, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t e = lo; e < hi; ++e) {
          big[e].g -= sub[e].g;
          big[e].h -= sub[e].h;
        }
      });
    } else {
      free_.push_back(c.hist);
      small.hist = kNoHistogram;
      large.hist = kNoHistogram;
    }
    push_candidate(left);
    push_candidate(right);
  }
  return nodes_;
}

SplitInfo TreeBuilder::find_level_split(std::span<const std::uint8_t> feature_allowed) {
  const std::size_t stride = data_.stride;
  parallel::for_blocks(ctx_, data_.cols, 1, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t f = lo; f < hi; ++f) {
      SplitInfo best;
      if (feature_allowed[f] == 0) {
        feature_best_[f] = best;
        continue;
      }
      const std::size_t nb = data_.upper[f].size();
      // total[2 b + d]: the summed gain of threshold b with missing values right (d = 0) or
      // left (d = 1) over the level's nodes; a node whose children break a constraint adds 0.
      double* total = level_gain_.data() + f * stride * 2;
      std::fill(total, total + 2 * (nb + 1), 0.0);
      for (std::size_t i = 0; i < level_.size(); ++i) {
        const GradPair* h = pool_[level_hist_[i]].data() + f * stride;
        const GradPair sum = level_sum_[i];
        const TrainNode& node = nodes_[static_cast<std::size_t>(level_[i])];
        const std::size_t rows = node.end - node.begin;
        if (rows < 2) continue;
        const double parent = score(sum);
        const auto add = [&](const GradPair& left, std::size_t slot) {
          const GradPair right{sum.g - left.g, sum.h - left.h};
          if (valid_children(left, right, sum, rows)) {
            total[slot] += score(left) + score(right) - parent;
          }
        };
        GradPair left{};
        for (std::size_t b = 1; b <= nb; ++b) {
          left.g += h[b].g;
          left.h += h[b].h;
          add(left, 2 * b);
        }
        left = h[0];
        for (std::size_t b = 1; b < nb; ++b) {
          left.g += h[b].g;
          left.h += h[b].h;
          add(left, 2 * b + 1);
        }
      }
      // Lowest threshold first, missing right before left: ties resolve the same way always.
      for (std::size_t b = 1; b <= nb; ++b) {
        for (std::size_t d = 0; d < 2; ++d) {
          if (total[2 * b + d] > best.gain) {
            best.gain = total[2 * b + d];
            best.feature = static_cast<std::int32_t>(f);
            best.bin = static_cast<std::uint32_t>(b);
            best.default_left = d == 1;
          }
        }
      }
      feature_best_[f] = best;
    }
  });
  SplitInfo best;
  for (const auto& s : feature_best_) {
    if (s.feature >= 0 && s.gain > best.gain) best = s;
  }
  return best;
}

void TreeBuilder::grow_oblivious(std::size_t root_hist, const GradPair& root_sum,
                                 std::span<double> gain, std::span<double> splits) {
  // CatBoost's symmetric trees (Prokhorenkova et al., "CatBoost: unbiased boosting with
  // categorical features", NeurIPS 2018): every node of a level takes the same split, the one
  // of largest gain summed over the level. Nodes are created in level order, so the leaves end up
  // in the order of their bit-coded index.
  const int max_depth = config_.max_depth;
  level_.assign(1, 0);
  level_hist_.assign(1, root_hist);
  level_sum_.assign(1, root_sum);
  for (int depth = 0; depth < max_depth; ++depth) {
    const SplitInfo s = find_level_split(allowed_for(depth, depth));
    if (s.feature < 0 || !(s.gain > config_.min_split_gain) || !(s.gain > 0.0)) break;
    gain[static_cast<std::size_t>(s.feature)] += s.gain;
    splits[static_cast<std::size_t>(s.feature)] += 1.0;
    const bool need_children = depth + 1 < max_depth;
    next_level_.clear();
    next_hist_.clear();
    next_sum_.clear();
    const auto f = static_cast<std::size_t>(s.feature);
    for (std::size_t i = 0; i < level_.size(); ++i) {
      const auto id = static_cast<std::size_t>(level_[i]);
      const std::size_t n_left = data_.wide() ? partition(data_.columns16.data(), nodes_[id], s)
                                              : partition(data_.columns8.data(), nodes_[id], s);
      const std::size_t begin = nodes_[id].begin;
      const std::size_t end = nodes_[id].end;
      const auto left_id = static_cast<std::int32_t>(nodes_.size());
      nodes_[id].feature = s.feature;
      nodes_[id].bin = s.bin;
      nodes_[id].default_left = s.default_left;
      nodes_[id].left = left_id;
      nodes_.push_back({-1, 0, false, -1, 0.0, begin, begin + n_left});
      nodes_.push_back({-1, 0, false, -1, 0.0, begin + n_left, end});
      // The children's sums from the parent's histogram of the split feature.
      const GradPair* h = pool_[level_hist_[i]].data() + f * data_.stride;
      GradPair left = s.default_left ? h[0] : GradPair{};
      for (std::size_t b = 1; b <= s.bin; ++b) {
        left.g += h[b].g;
        left.h += h[b].h;
      }
      const GradPair sum = level_sum_[i];
      const GradPair right{sum.g - left.g, sum.h - left.h};
      next_level_.push_back(left_id);
      next_level_.push_back(left_id + 1);
      next_sum_.push_back(left);
      next_sum_.push_back(right);
      if (!need_children) {
        free_.push_back(level_hist_[i]);
        continue;
      }
      // The subtraction trick, as in depth-wise growth.
      const bool left_smaller = n_left <= (end - begin) - n_left;
      const std::size_t small = acquire_histogram();
      const std::size_t large = level_hist_[i];
      histogram(left_smaller ? begin : begin + n_left, left_smaller ? begin + n_left : end,
                pool_[small].data());
      GradPair* big = pool_[large].data();
      const GradPair* sub = pool_[small].data();
      parallel::for_blocks(ctx_, hist_size_, 4096, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t e = lo; e < hi; ++e) {
          big[e].g -= sub[e].g;
          big[e].h -= sub[e].h;
        }
      });
      next_hist_.push_back(left_smaller ? small : large);
      next_hist_.push_back(left_smaller ? large : small);
    }
    std::swap(level_, next_level_);
    std::swap(level_sum_, next_sum_);
    if (!need_children) {
      level_hist_.clear();
      break;
    }
    std::swap(level_hist_, next_hist_);
  }
  for (std::size_t i = 0; i < level_.size(); ++i) {
    nodes_[static_cast<std::size_t>(level_[i])].value =
        leaf_value(level_sum_[i]) * config_.learning_rate;
  }
  for (std::size_t slot : level_hist_) free_.push_back(slot);
}

}  // namespace kolosal::training::gbdt_detail
