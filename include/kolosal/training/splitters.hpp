// SPDX-License-Identifier: MIT
// Validation splitters: K-fold, stratified, group, repeated, shuffle split, time series with a
// gap and holdout, as row-index folds (data/split.hpp's SplitIndices).
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
#include "kolosal/core/context.hpp"
#include "kolosal/data/split.hpp"

namespace kolosal::training {

enum class SplitterKind {
  kKFold,            ///< data::k_fold
  kStratifiedKFold,  ///< data::stratified_k_fold on the class labels
  kGroupKFold,       ///< group_k_fold: no group on both sides
  kRepeatedKFold,    ///< repeated_k_fold (stratified when `stratify`)
  kShuffleSplit,     ///< shuffle_split
  kTimeSeries,       ///< time_series_split
  kHoldout,          ///< one train/test split (stratified when `stratify`)
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::SplitterKind> {
  using K = training::SplitterKind;
  static constexpr std::array kValues{std::pair{K::kKFold, "k_fold"},
                                      std::pair{K::kStratifiedKFold, "stratified_k_fold"},
                                      std::pair{K::kGroupKFold, "group_k_fold"},
                                      std::pair{K::kRepeatedKFold, "repeated_k_fold"},
                                      std::pair{K::kShuffleSplit, "shuffle_split"},
                                      std::pair{K::kTimeSeries, "time_series"},
                                      std::pair{K::kHoldout, "holdout"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// Group K-fold as scikit-learn's GroupKFold: groups, largest first (ties by larger id), go to
/// the fold with the fewest rows so far (ties to the lower fold). Deterministic.
/// @throws InvalidArgument unless 2 <= k <= number of distinct groups
[[nodiscard]] std::vector<data::SplitIndices> group_k_fold(std::span<const std::int64_t> groups,
                                                           std::size_t k);

/// K-fold repeated `n_repeats` times, repeat r shuffled with Rng(seed).split(r); stratified on
/// `classes` when it is not empty. Folds come repeat by repeat.
/// @throws InvalidArgument as k_fold, or n_repeats == 0
[[nodiscard]] std::vector<data::SplitIndices> repeated_k_fold(
    std::size_t n, std::size_t k, std::size_t n_repeats, std::uint64_t seed = kDefaultSeed,
    std::span<const std::int32_t> classes = {});

/// Independent random splits (scikit-learn's ShuffleSplit): ceil(test_fraction * n) test rows
/// and the rest for training, split s permuted by Rng(seed).split(s).
/// @throws InvalidArgument unless 0 < test_fraction < 1 and both sides get a row
[[nodiscard]] std::vector<data::SplitIndices> shuffle_split(std::size_t n, std::size_t n_splits,
                                                            double test_fraction,
                                                            std::uint64_t seed = kDefaultSeed);

/// Forward-chaining splits for ordered rows, as scikit-learn's TimeSeriesSplit: test blocks of
/// `test_size` rows (default n / (n_splits + 1)) at the end, each trained on the rows before it
/// minus a `gap`, keeping at most `max_train_size` of the latest ones.
/// @throws InvalidArgument when the blocks do not fit in n rows
[[nodiscard]] std::vector<data::SplitIndices> time_series_split(
    std::size_t n, std::size_t n_splits, std::size_t gap = 0,
    std::optional<std::size_t> max_train_size = std::nullopt,
    std::optional<std::size_t> test_size = std::nullopt);

/// How to validate, declared once for JSON, the CLI and the engine.
struct SplitterConfig {
  static constexpr std::string_view kName = "SplitterConfig";
  SplitterKind kind = SplitterKind::kKFold;
  std::size_t n_splits = 5;        ///< folds (k) or random splits
  std::size_t n_repeats = 1;       ///< repeated_k_fold
  bool shuffle = true;             ///< k_fold / stratified_k_fold / holdout
  bool stratify = false;           ///< repeated_k_fold / holdout: keep class proportions
  double test_fraction = 0.2;      ///< shuffle_split / holdout
  std::size_t gap = 0;             ///< time_series: rows dropped between train and test
  std::size_t max_train_size = 0;  ///< time_series: 0 means unlimited
  std::uint64_t seed = kDefaultSeed;

  static constexpr auto fields() {
    return std::tuple{
        config::field("kind", &SplitterConfig::kind)
            .doc("k_fold, stratified_k_fold, group_k_fold, repeated_k_fold, shuffle_split, "
                 "time_series or holdout"),
        config::field("n_splits", &SplitterConfig::n_splits).at_least(1),
        config::field("n_repeats", &SplitterConfig::n_repeats).at_least(1),
        config::field("shuffle", &SplitterConfig::shuffle),
        config::field("stratify", &SplitterConfig::stratify),
        config::field("test_fraction", &SplitterConfig::test_fraction)
            .greater_than(0.0)
            .less_than(1.0),
        config::field("gap", &SplitterConfig::gap),
        config::field("max_train_size", &SplitterConfig::max_train_size),
        config::field("seed", &SplitterConfig::seed)};
  }
  friend bool operator==(const SplitterConfig&, const SplitterConfig&) = default;
};

/// The folds `config` describes for n rows. `y` holds class indices for the stratified kinds;
/// `groups` one id per row for group_k_fold.
/// @throws InvalidArgument for a missing y / groups or sizes that do not fit; ConfigError
[[nodiscard]] std::vector<data::SplitIndices> make_splits(
    const SplitterConfig& config, std::size_t n, std::span<const double> y = {},
    std::span<const std::int64_t> groups = {});

}  // namespace kolosal::training
