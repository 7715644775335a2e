// SPDX-License-Identifier: MIT
// Private helpers of the linear models: Eigen views of MatrixView, weighted centring and the
// state (de)serialisation they share.
#pragma once

#include <cmath>
#include <span>
#include <string_view>
#include <vector>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/matrix_view.hpp"

namespace kolosal::training::linear_detail {

using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using ConstRowMap =
    Eigen::Map<const RowMatrix, Eigen::Unaligned, Eigen::OuterStride<Eigen::Dynamic>>;

/// An Eigen row-major view of `x` (no copy, stride respected).
inline ConstRowMap as_eigen(MatrixView<const double> x) {
  return {x.data(), static_cast<Eigen::Index>(x.rows()), static_cast<Eigen::Index>(x.cols()),
          Eigen::OuterStride<Eigen::Dynamic>(static_cast<Eigen::Index>(x.stride()))};
}

/// The sample weights, or ones when none were given.
inline Eigen::VectorXd weights_or_ones(std::span<const double> w, std::size_t n) {
  if (w.empty()) return Eigen::VectorXd::Ones(static_cast<Eigen::Index>(n));
  return Eigen::Map<const Eigen::VectorXd>(w.data(), static_cast<Eigen::Index>(w.size()));
}

/// Centred (when fit_intercept) and sqrt(weight)-scaled copies of x and y, as scikit-learn's
/// _preprocess_data followed by _rescale_data: weighted least squares on the result equals the
/// weighted problem, and the intercept is y_offset − x_offset·β.
struct Centered {
  Eigen::MatrixXd x;  ///< column-major: coordinate descent walks features
  Eigen::VectorXd y;
  Eigen::RowVectorXd x_offset;
  double y_offset = 0.0;
};

inline Centered center_and_scale(MatrixView<const double> x, std::span<const double> y,
                                 const Eigen::VectorXd& w, bool fit_intercept) {
  Centered c;
  c.x = as_eigen(x);
  c.y = Eigen::Map<const Eigen::VectorXd>(y.data(), static_cast<Eigen::Index>(y.size()));
  c.x_offset = Eigen::RowVectorXd::Zero(c.x.cols());
  if (fit_intercept) {
    const double total = w.sum();
    c.x_offset = (w.transpose() * c.x) / total;
    c.y_offset = w.dot(c.y) / total;
    c.x.rowwise() -= c.x_offset;
    c.y.array() -= c.y_offset;
  }
  const Eigen::VectorXd root = w.array().sqrt();
  c.x = root.asDiagonal() * c.x;
  c.y = root.asDiagonal() * c.y;
  return c;
}

/// Reads a vector of `expected` doubles from state[key]. @throws SerializationError
inline std::vector<double> read_vector(const nlohmann::json& state, const char* key,
                                       std::size_t expected, std::string_view who) {
  auto v = state.at(key).get<std::vector<double>>();
  KOLOSAL_CHECK(v.size() == expected, SerializationError, who, "::load_state: ", key, " has ",
                v.size(), " values, expected ", expected);
  return v;
}

}  // namespace kolosal::training::linear_detail
