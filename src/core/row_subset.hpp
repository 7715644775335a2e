// SPDX-License-Identifier: MIT
// Copies of selected rows (training folds, held-out parts) of a matrix or a vector.
#pragma once

#include <algorithm>
#include <cstddef>
#include <span>
#include <vector>

#include "kolosal/core/matrix_view.hpp"

namespace kolosal::detail {

/// The rows of `x` at `rows`, in that order.
[[nodiscard]] inline Matrix<double> take_rows(MatrixView<const double> x,
                                              std::span<const std::size_t> rows) {
  Matrix<double> out(rows.size(), x.cols());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const auto src = x.row(rows[i]);
    std::copy(src.begin(), src.end(), out.row(i).begin());
  }
  return out;
}

/// The values of `v` at `rows`; empty when `v` is (an absent weight vector stays absent).
[[nodiscard]] inline std::vector<double> take_values(std::span<const double> v,
                                                     std::span<const std::size_t> rows) {
  std::vector<double> out;
  if (v.empty()) return out;
  out.reserve(rows.size());
  for (const std::size_t r : rows) out.push_back(v[r]);
  return out;
}

}  // namespace kolosal::detail
