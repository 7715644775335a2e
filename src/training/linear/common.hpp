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
#include "kolosal/training/tree.hpp"

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

/// Per-class weights of scikit-learn's class_weight: ones, n / (classes present · count) for
/// balanced (counting rows, ignoring sample weights), or the explicit values (one per class).
/// @throws ConfigError when explicit values do not match the class count
inline std::vector<double> class_weights(std::span<const double> y, std::size_t n_classes,
                                         ClassWeight mode, std::span<const double> values,
                                         std::string_view who) {
  std::vector<double> out(n_classes, 1.0);
  if (mode == ClassWeight::kBalanced) {
    std::vector<double> counts(n_classes, 0.0);
    for (double v : y) counts[static_cast<std::size_t>(v)] += 1.0;
    double present = 0.0;
    for (double c : counts) present += c > 0.0 ? 1.0 : 0.0;
    for (std::size_t k = 0; k < n_classes; ++k) {
      if (counts[k] > 0.0) out[k] = static_cast<double>(y.size()) / (present * counts[k]);
    }
  } else if (mode == ClassWeight::kExplicit) {
    KOLOSAL_CHECK(values.size() == n_classes, ConfigError, who, ": class_weight_values has ",
                  values.size(), " entries for ", n_classes, " classes");
    out.assign(values.begin(), values.end());
  }
  return out;
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
