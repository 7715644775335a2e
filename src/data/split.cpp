// SPDX-License-Identifier: MIT
// Train/test and k-fold index generation, plain and stratified.
#include "kolosal/data/split.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "kolosal/core/error.hpp"
#include "kolosal/core/log.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::data {
namespace {

std::size_t test_count(std::size_t n, double test_fraction, std::string_view who) {
  KOLOSAL_CHECK(test_fraction > 0.0 && test_fraction < 1.0, InvalidArgument, who,
                ": test_fraction must be in (0, 1), got ", test_fraction);
  const auto n_test = static_cast<std::size_t>(std::ceil(test_fraction * static_cast<double>(n)));
  KOLOSAL_CHECK(n_test >= 1 && n_test < n, InvalidArgument, who, ": test_fraction ", test_fraction,
                " of ", n, " rows leaves ", n_test, " test and ", n - std::min(n, n_test),
                " training rows; both need at least one");
  return n_test;
}

/// Rows of each class, classes in ascending id order.
std::vector<std::vector<std::size_t>> group_by_class(std::span<const std::int32_t> classes) {
  std::vector<std::int32_t> ids(classes.begin(), classes.end());
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<std::vector<std::size_t>> groups(ids.size());
  for (std::size_t i = 0; i < classes.size(); ++i) {
    const auto pos = std::lower_bound(ids.begin(), ids.end(), classes[i]) - ids.begin();
    groups[static_cast<std::size_t>(pos)].push_back(i);
  }
  return groups;
}

void check_folds(std::size_t n, std::size_t k, std::string_view who) {
  KOLOSAL_CHECK(k >= 2, InvalidArgument, who, ": k must be at least 2, got ", k);
  KOLOSAL_CHECK(k <= n, InvalidArgument, who, ": k = ", k, " folds need at least ", k,
                " rows, got ", n);
}

/// Builds the folds from a fold number per row.
std::vector<SplitIndices> folds_from_assignment(const std::vector<std::size_t>& fold_of,
                                                std::size_t k) {
  std::vector<SplitIndices> folds(k);
  for (std::size_t i = 0; i < fold_of.size(); ++i) {
    for (std::size_t f = 0; f < k; ++f) {
      (f == fold_of[i] ? folds[f].test : folds[f].train).push_back(i);
    }
  }
  return folds;
}

}  // namespace

SplitIndices train_test_split(std::size_t n, double test_fraction, bool shuffle,
                              std::uint64_t seed) {
  const std::size_t n_test = test_count(n, test_fraction, "train_test_split");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) {
    Rng rng(seed);
    rng.shuffle(std::span<std::size_t>(order));
  }
  SplitIndices out;
  const auto n_train = static_cast<std::ptrdiff_t>(n - n_test);
  out.train.assign(order.begin(), order.begin() + n_train);
  out.test.assign(order.begin() + n_train, order.end());
  return out;
}

SplitIndices stratified_train_test_split(std::span<const std::int32_t> classes,
                                         double test_fraction, std::uint64_t seed) {
  constexpr std::string_view kWho = "stratified_train_test_split";
  const std::size_t n = classes.size();
  const std::size_t n_test = test_count(n, test_fraction, kWho);
  const auto groups = group_by_class(classes);
  const std::size_t k = groups.size();

  // Bounds per class: a class with two or more rows keeps at least one row on each side.
  std::vector<std::size_t> lo(k);
  std::vector<std::size_t> hi(k);
  std::vector<double> target(k);
  std::vector<std::size_t> alloc(k);
  std::size_t sum_lo = 0;
  std::size_t sum_hi = 0;
  std::size_t total = 0;
  for (std::size_t c = 0; c < k; ++c) {
    const std::size_t m = groups[c].size();
    lo[c] = m >= 2 ? 1 : 0;
    hi[c] = m >= 2 ? m - 1 : m;
    target[c] = static_cast<double>(m) * static_cast<double>(n_test) / static_cast<double>(n);
    alloc[c] = std::clamp(static_cast<std::size_t>(std::floor(target[c])), lo[c], hi[c]);
    sum_lo += lo[c];
    sum_hi += hi[c];
    total += alloc[c];
  }
  KOLOSAL_CHECK(sum_lo <= n_test && n_test <= sum_hi, InvalidArgument, kWho, ": ", n_test,
                " test rows cannot hold one row of each of the ", sum_lo,
                " classes with two or more rows while leaving one in training; use a test_fraction "
                "that gives between ",
                sum_lo, " and ", sum_hi, " test rows");
  // Largest remainder first; ties go to the smaller class id.
  while (total < n_test) {
    std::size_t best = k;
    for (std::size_t c = 0; c < k; ++c) {
      if (alloc[c] >= hi[c]) continue;
      if (best == k || target[c] - static_cast<double>(alloc[c]) >
                           target[best] - static_cast<double>(alloc[best])) {
        best = c;
      }
    }
    ++alloc[best];
    ++total;
  }
  while (total > n_test) {
    std::size_t best = k;
    for (std::size_t c = 0; c < k; ++c) {
      if (alloc[c] <= lo[c]) continue;
      if (best == k || static_cast<double>(alloc[c]) - target[c] >
                           static_cast<double>(alloc[best]) - target[best]) {
        best = c;
      }
    }
    --alloc[best];
    --total;
  }

  Rng rng(seed);
  SplitIndices out;
  out.train.reserve(n - n_test);
  out.test.reserve(n_test);
  for (std::size_t c = 0; c < k; ++c) {
    std::vector<std::size_t> rows = groups[c];
    Rng class_rng = rng.split(c);
    class_rng.shuffle(std::span<std::size_t>(rows));
    out.test.insert(out.test.end(), rows.begin(),
                    rows.begin() + static_cast<std::ptrdiff_t>(alloc[c]));
    out.train.insert(out.train.end(), rows.begin() + static_cast<std::ptrdiff_t>(alloc[c]),
                     rows.end());
  }
  Rng order_rng = rng.split(k);
  order_rng.shuffle(std::span<std::size_t>(out.train));
  order_rng.shuffle(std::span<std::size_t>(out.test));
  return out;
}

std::vector<SplitIndices> k_fold(std::size_t n, std::size_t k, bool shuffle, std::uint64_t seed) {
  check_folds(n, k, "k_fold");
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  if (shuffle) {
    Rng rng(seed);
    rng.shuffle(std::span<std::size_t>(order));
  }
  std::vector<std::size_t> fold_of(n);
  std::size_t pos = 0;
  for (std::size_t f = 0; f < k; ++f) {
    const std::size_t size = n / k + (f < n % k ? 1 : 0);
    for (std::size_t j = 0; j < size; ++j) fold_of[order[pos++]] = f;
  }
  return folds_from_assignment(fold_of, k);
}

std::vector<SplitIndices> stratified_k_fold(std::span<const std::int32_t> classes, std::size_t k,
                                            bool shuffle, std::uint64_t seed) {
  check_folds(classes.size(), k, "stratified_k_fold");
  auto groups = group_by_class(classes);
  Rng rng(seed);
  std::vector<std::size_t> fold_of(classes.size());
  std::size_t next = 0;
  for (std::size_t c = 0; c < groups.size(); ++c) {
    auto& rows = groups[c];
    if (rows.size() < k) {
      logging::warn(detail::concat("stratified_k_fold: class ", classes[rows.front()], " has only ",
                                   rows.size(), " rows, fewer than k = ", k));
    }
    if (shuffle) {
      Rng class_rng = rng.split(c);
      class_rng.shuffle(std::span<std::size_t>(rows));
    }
    for (const std::size_t r : rows) fold_of[r] = next++ % k;
  }
  return folds_from_assignment(fold_of, k);
}

}  // namespace kolosal::data
