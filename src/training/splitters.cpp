// SPDX-License-Identifier: MIT
// Group, repeated, shuffle and time-series splitters, and make_splits (k-fold, stratified k-fold
// and train/test splits come from data/split.hpp).
#include "kolosal/training/splitters.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <numeric>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::training {
namespace {

std::vector<std::int32_t> class_ids(std::span<const double> y, std::string_view who) {
  std::vector<std::int32_t> out(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    KOLOSAL_CHECK(
        std::isfinite(y[i]) && y[i] >= 0.0 && y[i] == std::floor(y[i]) && y[i] < 2147483647.0,
        InvalidArgument, who, ": y[", i, "] = ", y[i], " is not a class index");
    out[i] = static_cast<std::int32_t>(y[i]);
  }
  return out;
}

}  // namespace

std::vector<data::SplitIndices> group_k_fold(std::span<const std::int64_t> groups, std::size_t k) {
  std::map<std::int64_t, std::size_t> sizes;
  for (auto g : groups) ++sizes[g];
  KOLOSAL_CHECK(k >= 2 && k <= sizes.size(), InvalidArgument, "group_k_fold: k = ", k,
                " needs 2 <= k <= the number of groups (", sizes.size(), ")");
  std::vector<std::pair<std::size_t, std::int64_t>> order;
  for (const auto& [g, s] : sizes) order.emplace_back(s, g);
  // Ascending by size (ties by id), then reversed: scikit-learn's argsort(...)[::-1].
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::reverse(order.begin(), order.end());
  std::vector<std::size_t> load(k, 0);
  std::map<std::int64_t, std::size_t> fold_of;
  for (const auto& [s, g] : order) {
    const auto f =
        static_cast<std::size_t>(std::min_element(load.begin(), load.end()) - load.begin());
    load[f] += s;
    fold_of[g] = f;
  }
  std::vector<data::SplitIndices> folds(k);
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const std::size_t f = fold_of[groups[i]];
    for (std::size_t j = 0; j < k; ++j) (j == f ? folds[j].test : folds[j].train).push_back(i);
  }
  return folds;
}

std::vector<data::SplitIndices> repeated_k_fold(std::size_t n, std::size_t k, std::size_t n_repeats,
                                                std::uint64_t seed,
                                                std::span<const std::int32_t> classes) {
  KOLOSAL_CHECK(n_repeats >= 1, InvalidArgument, "repeated_k_fold: n_repeats must be >= 1");
  KOLOSAL_CHECK(classes.empty() || classes.size() == n, ShapeMismatch,
                "repeated_k_fold: ", classes.size(), " class labels for ", n, " rows");
  std::vector<data::SplitIndices> out;
  const Rng root(seed);
  for (std::size_t r = 0; r < n_repeats; ++r) {
    Rng rr = root.split(r);
    const std::uint64_t s = rr();
    auto folds = classes.empty() ? data::k_fold(n, k, true, s)
                                 : data::stratified_k_fold(classes, k, true, s);
    for (auto& f : folds) out.push_back(std::move(f));
  }
  return out;
}

std::vector<data::SplitIndices> shuffle_split(std::size_t n, std::size_t n_splits,
                                              double test_fraction, std::uint64_t seed) {
  KOLOSAL_CHECK(test_fraction > 0.0 && test_fraction < 1.0, InvalidArgument,
                "shuffle_split: test_fraction must be in (0, 1), got ", test_fraction);
  const auto n_test = static_cast<std::size_t>(std::ceil(test_fraction * static_cast<double>(n)));
  KOLOSAL_CHECK(n_test >= 1 && n_test < n, InvalidArgument, "shuffle_split: ", n,
                " rows leave no row on one side with test_fraction ", test_fraction);
  KOLOSAL_CHECK(n_splits >= 1, InvalidArgument, "shuffle_split: n_splits must be >= 1");
  std::vector<data::SplitIndices> out(n_splits);
  const Rng root(seed);
  for (std::size_t s = 0; s < n_splits; ++s) {
    Rng rng = root.split(s);
    const auto p = rng.permutation(n);
    out[s].test.assign(p.begin(), p.begin() + static_cast<std::ptrdiff_t>(n_test));
    out[s].train.assign(p.begin() + static_cast<std::ptrdiff_t>(n_test), p.end());
  }
  return out;
}

std::vector<data::SplitIndices> time_series_split(std::size_t n, std::size_t n_splits,
                                                  std::size_t gap,
                                                  std::optional<std::size_t> max_train_size,
                                                  std::optional<std::size_t> test_size) {
  KOLOSAL_CHECK(n_splits >= 1, InvalidArgument, "time_series_split: n_splits must be >= 1");
  const std::size_t block = test_size.value_or(n / (n_splits + 1));
  KOLOSAL_CHECK(block >= 1 && n_splits * block + gap < n, InvalidArgument,
                "time_series_split: ", n_splits, " test blocks of ", block, " rows and a gap of ",
                gap, " leave no training row among ", n, " rows");
  std::vector<data::SplitIndices> out;
  for (std::size_t start = n - n_splits * block; start < n; start += block) {
    data::SplitIndices s;
    const std::size_t train_end = start - gap;
    std::size_t train_begin = 0;
    if (max_train_size && *max_train_size > 0 && train_end > *max_train_size) {
      train_begin = train_end - *max_train_size;
    }
    for (std::size_t i = train_begin; i < train_end; ++i) s.train.push_back(i);
    for (std::size_t i = start; i < start + block; ++i) s.test.push_back(i);
    out.push_back(std::move(s));
  }
  return out;
}

std::vector<data::SplitIndices> make_splits(const SplitterConfig& config, std::size_t n,
                                            std::span<const double> y,
                                            std::span<const std::int64_t> groups) {
  config::validate(config, "make_splits");
  const bool needs_y =
      config.kind == SplitterKind::kStratifiedKFold ||
      ((config.kind == SplitterKind::kRepeatedKFold || config.kind == SplitterKind::kHoldout) &&
       config.stratify);
  KOLOSAL_CHECK(!needs_y || y.size() == n, InvalidArgument,
                "make_splits: ", config::enum_name(config.kind), " needs class labels for the ", n,
                " rows, got ", y.size());
  std::vector<std::int32_t> classes;
  if (needs_y) classes = class_ids(y, "make_splits");
  switch (config.kind) {
    case SplitterKind::kKFold:
      return data::k_fold(n, config.n_splits, config.shuffle, config.seed);
    case SplitterKind::kStratifiedKFold:
      return data::stratified_k_fold(std::span<const std::int32_t>(classes), config.n_splits,
                                     config.shuffle, config.seed);
    case SplitterKind::kGroupKFold:
      KOLOSAL_CHECK(groups.size() == n, InvalidArgument, "make_splits: group_k_fold needs ", n,
                    " group ids, got ", groups.size());
      return group_k_fold(groups, config.n_splits);
    case SplitterKind::kRepeatedKFold:
      return repeated_k_fold(n, config.n_splits, config.n_repeats, config.seed, classes);
    case SplitterKind::kShuffleSplit:
      return shuffle_split(n, config.n_splits, config.test_fraction, config.seed);
    case SplitterKind::kTimeSeries:
      return time_series_split(n, config.n_splits, config.gap,
                               config.max_train_size == 0
                                   ? std::nullopt
                                   : std::optional<std::size_t>(config.max_train_size));
    case SplitterKind::kHoldout:
      if (config.stratify) {
        return {data::stratified_train_test_split(std::span<const std::int32_t>(classes),
                                                  config.test_fraction, config.seed)};
      }
      return {data::train_test_split(n, config.test_fraction, config.shuffle, config.seed)};
  }
  KOLOSAL_THROW(InternalError, "make_splits: unhandled splitter kind");
}

}  // namespace kolosal::training
