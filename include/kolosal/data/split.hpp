// SPDX-License-Identifier: MIT
// Train/test splits and k-fold cross-validation as row index vectors (apply with Frame::take).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "kolosal/core/context.hpp"

namespace kolosal::data {

/// Row indices of one split: training rows and held-out rows.
struct SplitIndices {
  std::vector<std::size_t> train;
  std::vector<std::size_t> test;
};

/// Splits rows 0..n-1 into train and test. The test side has ceil(test_fraction * n) rows, as
/// scikit-learn's train_test_split. With `shuffle`, rows are permuted by Rng(seed) first (both
/// sides come out in permuted order); without, the last rows are the test rows.
/// @throws InvalidArgument unless 0 < test_fraction < 1 and both sides get at least one row.
[[nodiscard]] SplitIndices train_test_split(std::size_t n, double test_fraction,
                                            bool shuffle = true, std::uint64_t seed = kDefaultSeed);

/// Stratified split on class ids (any int32, e.g. categorical codes; negative ids are a class
/// too). The test side has ceil(test_fraction * n) rows; each class contributes as close to
/// test_fraction of its rows as the total allows (largest remainders, ties to the smaller class
/// id), and every class with at least two rows lands on both sides. A class with a single row
/// goes to whichever side proportional allocation gives it. Rows within each class are drawn
/// with Rng(seed); both sides are returned shuffled.
/// @throws InvalidArgument when the fraction is outside (0, 1) or the sizes cannot hold every
///         class with two or more rows on both sides.
[[nodiscard]] SplitIndices stratified_train_test_split(std::span<const std::int32_t> classes,
                                                       double test_fraction,
                                                       std::uint64_t seed = kDefaultSeed);

/// Stratified split on arbitrary labels (strings, doubles, ...): labels are mapped to class ids
/// in sorted order, then split as above.
template <class Label>
[[nodiscard]] SplitIndices stratified_train_test_split(std::span<const Label> labels,
                                                       double test_fraction,
                                                       std::uint64_t seed = kDefaultSeed);

/// K-fold cross-validation: rows (permuted by Rng(seed) when `shuffle`) are cut into k
/// consecutive folds; the first n % k folds hold one row more, as scikit-learn's KFold. Fold i
/// tests its rows and trains on the rest; both lists are sorted ascending.
/// @throws InvalidArgument unless 2 <= k <= n.
[[nodiscard]] std::vector<SplitIndices> k_fold(std::size_t n, std::size_t k, bool shuffle = false,
                                               std::uint64_t seed = kDefaultSeed);

/// Stratified k-fold: rows are grouped by class (ascending class id; within a class in row order,
/// or permuted by Rng(seed) when `shuffle`) and dealt to folds round robin, so each fold's count
/// of every class differs from the others' by at most one, and fold sizes by at most one. Logs a
/// warning when a class has fewer than k rows.
/// @throws InvalidArgument unless 2 <= k <= n.
[[nodiscard]] std::vector<SplitIndices> stratified_k_fold(std::span<const std::int32_t> classes,
                                                          std::size_t k, bool shuffle = false,
                                                          std::uint64_t seed = kDefaultSeed);

/// Stratified k-fold on arbitrary labels, mapped to class ids in sorted order.
template <class Label>
[[nodiscard]] std::vector<SplitIndices> stratified_k_fold(std::span<const Label> labels,
                                                          std::size_t k, bool shuffle = false,
                                                          std::uint64_t seed = kDefaultSeed);

/// Convenience overloads taking a vector of labels.
template <class Label>
[[nodiscard]] SplitIndices stratified_train_test_split(const std::vector<Label>& labels,
                                                       double test_fraction,
                                                       std::uint64_t seed = kDefaultSeed) {
  return stratified_train_test_split(std::span<const Label>(labels), test_fraction, seed);
}
template <class Label>
[[nodiscard]] std::vector<SplitIndices> stratified_k_fold(const std::vector<Label>& labels,
                                                          std::size_t k, bool shuffle = false,
                                                          std::uint64_t seed = kDefaultSeed) {
  return stratified_k_fold(std::span<const Label>(labels), k, shuffle, seed);
}

/// Dense class ids for labels: the i-th smallest distinct label becomes id i.
template <class Label>
[[nodiscard]] std::vector<std::int32_t> encode_classes(std::span<const Label> labels) {
  std::map<Label, std::int32_t> ids;
  for (const auto& label : labels) ids.emplace(label, 0);
  std::int32_t next = 0;
  for (auto& [label, id] : ids) id = next++;
  std::vector<std::int32_t> out;
  out.reserve(labels.size());
  for (const auto& label : labels) out.push_back(ids.find(label)->second);
  return out;
}

template <class Label>
SplitIndices stratified_train_test_split(std::span<const Label> labels, double test_fraction,
                                         std::uint64_t seed) {
  const std::vector<std::int32_t> classes = encode_classes(labels);
  return stratified_train_test_split(std::span<const std::int32_t>(classes), test_fraction, seed);
}

template <class Label>
std::vector<SplitIndices> stratified_k_fold(std::span<const Label> labels, std::size_t k,
                                            bool shuffle, std::uint64_t seed) {
  const std::vector<std::int32_t> classes = encode_classes(labels);
  return stratified_k_fold(std::span<const std::int32_t>(classes), k, shuffle, seed);
}

}  // namespace kolosal::data
