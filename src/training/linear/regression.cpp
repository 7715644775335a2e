// SPDX-License-Identifier: MIT
// Closed-form linear regressors: ordinary least squares, ridge and Bayesian ridge, plus the
// prediction and state shared by every linear regressor.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/training/linear.hpp"

#include "training/linear/common.hpp"

namespace kolosal::training {

using linear_detail::as_eigen;
using linear_detail::center_and_scale;
using linear_detail::weights_or_ones;

// ---------------------------------------------------------------------------- shared base

std::vector<double> LinearRegressorBase::do_predict(MatrixView<const double> x) const {
  const Eigen::Map<const Eigen::VectorXd> beta(coef_.data(),
                                               static_cast<Eigen::Index>(coef_.size()));
  const Eigen::VectorXd out = (as_eigen(x) * beta).array() + intercept_;
  return {out.data(), out.data() + out.size()};
}

Matrix<double> LinearRegressorBase::do_decision_function(MatrixView<const double> x) const {
  const std::vector<double> values = do_predict(x);
  Matrix<double> out(values.size(), 1);
  std::copy(values.begin(), values.end(), out.data());
  return out;
}

std::optional<std::vector<double>> LinearRegressorBase::do_feature_importances() const {
  std::vector<double> out(coef_.size());
  double total = 0.0;
  for (std::size_t j = 0; j < coef_.size(); ++j) total += out[j] = std::abs(coef_[j]);
  for (auto& v : out) v = total > 0.0 ? v / total : 1.0 / static_cast<double>(out.size());
  return out;
}

nlohmann::json LinearRegressorBase::do_state() const {
  return {{"coef", coef_}, {"intercept", intercept_}};
}

void LinearRegressorBase::do_load_state(const nlohmann::json& state) {
  coef_ = linear_detail::read_vector(state, "coef", n_features(), name());
  intercept_ = state.at("intercept").get<double>();
}

namespace {

// Stores β and the intercept y_offset − x_offset·β of a centred fit.
void store_solution(const Eigen::VectorXd& beta, const linear_detail::Centered& c,
                    bool fit_intercept, std::vector<double>& coef, double& intercept) {
  coef.assign(beta.data(), beta.data() + beta.size());
  intercept = fit_intercept ? c.y_offset - c.x_offset.dot(beta) : 0.0;
}

}  // namespace

// ---------------------------------------------------------------------------- OLS

nlohmann::json LinearRegression::config() const { return config::to_json(config_); }

void LinearRegression::do_fit(MatrixView<const double> x, std::span<const double> y,
                              const FitOptions& options) {
  config::validate(config_, "LinearRegression");
  const auto c = center_and_scale(x, y, weights_or_ones(options.sample_weight, x.rows()),
                                  config_.fit_intercept);
  // The minimum-norm least-squares solution, as gelsd, also for rank-deficient x.
  const Eigen::VectorXd beta = c.x.completeOrthogonalDecomposition().solve(c.y);
  store_solution(beta, c, config_.fit_intercept, coef_, intercept_);
}

// ---------------------------------------------------------------------------- ridge

nlohmann::json Ridge::config() const { return config::to_json(config_); }

void Ridge::do_fit(MatrixView<const double> x, std::span<const double> y,
                   const FitOptions& options) {
  config::validate(config_, "Ridge");
  const auto c = center_and_scale(x, y, weights_or_ones(options.sample_weight, x.rows()),
                                  config_.fit_intercept);
  Eigen::VectorXd beta;
  if (config_.alpha == 0.0) {
    beta = c.x.completeOrthogonalDecomposition().solve(c.y);
  } else if (c.x.cols() <= c.x.rows()) {
    Eigen::MatrixXd gram = c.x.transpose() * c.x;
    gram.diagonal().array() += config_.alpha;
    beta = gram.llt().solve(c.x.transpose() * c.y);
  } else {
    // More features than rows: the dual (kernel) form XᵀWX + αI = ..., solved in n x n.
    Eigen::MatrixXd kernel = c.x * c.x.transpose();
    kernel.diagonal().array() += config_.alpha;
    beta = c.x.transpose() * kernel.llt().solve(c.y);
  }
  store_solution(beta, c, config_.fit_intercept, coef_, intercept_);
}

// ---------------------------------------------------------------------------- Bayesian ridge

nlohmann::json BayesianRidge::config() const { return config::to_json(config_); }

void BayesianRidge::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  config::validate(config_, "BayesianRidge");
  const auto c = center_and_scale(x, y, weights_or_ones(options.sample_weight, x.rows()),
                                  config_.fit_intercept);
  const auto n = static_cast<double>(c.x.rows());
  const Eigen::Index p = c.x.cols();
  const double eps = std::numeric_limits<double>::epsilon();
  const double mean_y = c.y.mean();
  const double var_y = (c.y.array() - mean_y).square().mean();
  double alpha = 1.0 / (var_y + eps);
  double lambda = 1.0;

  const Eigen::BDCSVD<Eigen::MatrixXd> svd(c.x, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd eigen_vals = svd.singularValues().array().square();
  const Eigen::MatrixXd& u = svd.matrixU();
  const Eigen::MatrixXd& v = svd.matrixV();  // p x r, columns are Vhᵀ's
  const Eigen::VectorXd xt_y = c.x.transpose() * c.y;
  const bool tall = c.x.rows() > p;

  // β = V diag(1 / (s² + λ/α)) Vᵀ Xᵀy (tall) or Xᵀ U diag(1 / (s² + λ/α)) Uᵀ y (wide).
  const auto update_coef = [&](double a, double l, double& rmse) {
    const Eigen::VectorXd scale = (eigen_vals.array() + l / a).inverse();
    Eigen::VectorXd beta =
        tall
            ? Eigen::VectorXd(v * (scale.asDiagonal() * (v.transpose() * xt_y)))
            : Eigen::VectorXd(c.x.transpose() * (u * (scale.asDiagonal() * (u.transpose() * c.y))));
    rmse = (c.y - c.x * beta).squaredNorm();
    return beta;
  };

  Eigen::VectorXd beta = Eigen::VectorXd::Zero(p);
  Eigen::VectorXd beta_old;
  double rmse = 0.0;
  for (int iter = 0; iter < config_.max_iter; ++iter) {
    beta = update_coef(alpha, lambda, rmse);
    const double gamma = (alpha * eigen_vals.array() / (lambda + alpha * eigen_vals.array())).sum();
    lambda = (gamma + 2.0 * config_.lambda_1) / (beta.squaredNorm() + 2.0 * config_.lambda_2);
    alpha = (n - gamma + 2.0 * config_.alpha_1) / (rmse + 2.0 * config_.alpha_2);
    if (iter != 0 && (beta_old - beta).cwiseAbs().sum() < config_.tol) break;
    beta_old = beta;
  }
  alpha_ = alpha;
  lambda_ = lambda;
  beta = update_coef(alpha, lambda, rmse);
  store_solution(beta, c, config_.fit_intercept, coef_, intercept_);

  const Eigen::VectorXd scale = (eigen_vals.array() + lambda / alpha).inverse();
  const Eigen::MatrixXd sigma = (1.0 / alpha) * (v * scale.asDiagonal() * v.transpose());
  sigma_ = Matrix<double>(static_cast<std::size_t>(p), static_cast<std::size_t>(p));
  for (Eigen::Index i = 0; i < p; ++i) {
    for (Eigen::Index j = 0; j < p; ++j) {
      sigma_(static_cast<std::size_t>(i), static_cast<std::size_t>(j)) = sigma(i, j);
    }
  }
}

std::vector<double> BayesianRidge::predict_std(MatrixView<const double> x) const {
  KOLOSAL_CHECK(fitted(), NotFitted, "bayesian_ridge::predict_std: the model is not fitted");
  KOLOSAL_CHECK(x.cols() == n_features(), ShapeMismatch, "bayesian_ridge::predict_std: x has ",
                x.cols(), " features but the model was fitted on ", n_features());
  const std::size_t p = n_features();
  const linear_detail::ConstRowMap sigma(
      sigma_.data(), static_cast<Eigen::Index>(p), static_cast<Eigen::Index>(p),
      Eigen::OuterStride<Eigen::Dynamic>(static_cast<Eigen::Index>(p)));
  std::vector<double> out(x.rows());
  Eigen::RowVectorXd row(static_cast<Eigen::Index>(p));
  for (std::size_t r = 0; r < x.rows(); ++r) {
    // As scikit-learn's BayesianRidge, the quadratic form is taken at the raw features.
    for (std::size_t j = 0; j < p; ++j) row(static_cast<Eigen::Index>(j)) = x(r, j);
    out[r] = std::sqrt((row * sigma * row.transpose())(0, 0) + 1.0 / alpha_);
  }
  return out;
}

nlohmann::json BayesianRidge::do_state() const {
  auto state = LinearRegressorBase::do_state();
  state["alpha"] = alpha_;
  state["lambda"] = lambda_;
  state["sigma"] = sigma_.values();
  return state;
}

void BayesianRidge::do_load_state(const nlohmann::json& state) {
  LinearRegressorBase::do_load_state(state);
  const std::size_t p = n_features();
  alpha_ = state.at("alpha").get<double>();
  lambda_ = state.at("lambda").get<double>();
  const auto sigma = linear_detail::read_vector(state, "sigma", p * p, name());
  sigma_ = Matrix<double>(p, p);
  std::copy(sigma.begin(), sigma.end(), sigma_.data());
}

}  // namespace kolosal::training
