// SPDX-License-Identifier: MIT
// Frame to Eigen conversion, kept apart so frame.hpp stays free of Eigen.
#pragma once

#include <span>
#include <string>

#include <Eigen/Core>

#include "kolosal/data/frame.hpp"

namespace kolosal::data {

/// Row-major dynamic double matrix, the layout of tabular data.
using EigenRowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// The named numeric columns (all numeric columns when `names` is empty) as an Eigen row-major
/// matrix; missing values become NaN. Same checks and errors as Frame::to_matrix().
[[nodiscard]] inline EigenRowMatrix to_eigen(const Frame& frame,
                                             std::span<const std::string> names = {}) {
  const std::vector<std::size_t> columns = frame.matrix_columns(names);
  EigenRowMatrix out(static_cast<Eigen::Index>(frame.rows()),
                     static_cast<Eigen::Index>(columns.size()));
  frame.copy_to(columns, MatrixView<double>(out.data(), frame.rows(), columns.size()));
  return out;
}

}  // namespace kolosal::data
