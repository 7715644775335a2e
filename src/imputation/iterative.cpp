// SPDX-License-Identifier: MIT
// Round-robin Bayesian ridge imputation following scikit-learn 1.2's IterativeImputer and
// BayesianRidge (SVD-based evidence maximisation, MacKay's fixed-point updates).
#include "kolosal/imputation/iterative.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::imputation {
namespace {

using Columns = std::span<const data::Column* const>;
using Eigen::MatrixXd;
using Eigen::VectorXd;

// Bayesian ridge regression with intercept (scikit-learn defaults: 300 iterations, tol 1e-3,
// Gamma(1e-6, 1e-6) priors on both precisions).
IterativeImputer::Step bayesian_ridge(const MatrixXd& x_in, const VectorXd& y_in, bool with_sigma) {
  constexpr double kPrior = 1e-6;
  const auto n = static_cast<double>(x_in.rows());
  const Eigen::RowVectorXd x_offset = x_in.colwise().mean();
  const double y_offset = y_in.mean();
  const MatrixXd x = x_in.rowwise() - x_offset;
  const VectorXd y = y_in.array() - y_offset;
  const double y_mean = y.mean();
  const double y_var = (y.array() - y_mean).square().sum() / n;
  double alpha = 1.0 / (y_var + std::numeric_limits<double>::epsilon());
  double lambda = 1.0;
  const VectorXd xt_y = x.transpose() * y;
  const Eigen::JacobiSVD<MatrixXd> svd(x, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const VectorXd eigen_vals = svd.singularValues().array().square();
  const MatrixXd& u = svd.matrixU();
  const MatrixXd& v = svd.matrixV();
  const bool tall = x.rows() > x.cols();
  auto update = [&](double a, double l, double& rmse) {
    const VectorXd d = (eigen_vals.array() + l / a).inverse();
    VectorXd coef;
    if (tall) {
      coef = v * (d.asDiagonal() * (v.transpose() * xt_y));
    } else {
      coef = x.transpose() * (u * (d.asDiagonal() * (u.transpose() * y)));
    }
    rmse = (y - x * coef).squaredNorm();
    return coef;
  };
  VectorXd coef_old;
  double rmse = 0.0;
  for (int iter = 0; iter < 300; ++iter) {
    const VectorXd coef = update(alpha, lambda, rmse);
    const double gamma = (alpha * eigen_vals.array() / (lambda + alpha * eigen_vals.array())).sum();
    lambda = (gamma + 2.0 * kPrior) / (coef.squaredNorm() + 2.0 * kPrior);
    alpha = (n - gamma + 2.0 * kPrior) / (rmse + 2.0 * kPrior);
    if (iter != 0 && (coef_old - coef).cwiseAbs().sum() < 1e-3) break;
    coef_old = coef;
  }
  const VectorXd coef = update(alpha, lambda, rmse);
  IterativeImputer::Step step;
  step.coef.assign(coef.data(), coef.data() + coef.size());
  step.intercept = y_offset - x_offset.dot(coef);
  step.alpha = alpha;
  if (with_sigma) {
    const VectorXd d = (eigen_vals.array() + lambda / alpha).inverse();
    const MatrixXd sigma = (v * d.asDiagonal() * v.transpose()) / alpha;
    step.sigma.resize(static_cast<std::size_t>(sigma.size()));
    for (Eigen::Index r = 0; r < sigma.rows(); ++r) {
      for (Eigen::Index c = 0; c < sigma.cols(); ++c) {
        step.sigma[static_cast<std::size_t>(r * sigma.cols() + c)] = sigma(r, c);
      }
    }
  }
  return step;
}

double initial_fill(std::vector<double> values, ImputeStrategy strategy) {
  switch (strategy) {
    case ImputeStrategy::kMedian:
      std::sort(values.begin(), values.end());
      return preprocessing::detail::percentile_sorted(values, 50.0);
    case ImputeStrategy::kMostFrequent: {
      std::sort(values.begin(), values.end());
      double best = values[0];
      std::size_t best_count = 0;
      for (std::size_t i = 0; i < values.size();) {
        std::size_t j = i;
        while (j < values.size() && values[j] == values[i]) ++j;
        if (j - i > best_count) {
          best_count = j - i;
          best = values[i];
        }
        i = j;
      }
      return best;
    }
    default: {
      double sum = 0.0;
      for (const double v : values) sum += v;
      return sum / static_cast<double>(values.size());
    }
  }
}

// Imputes the missing rows of `step.target` in `xt` from the other columns.
void apply_step(const IterativeImputer::Step& step, MatrixXd& xt,
                const std::vector<std::uint8_t>& missing, bool sample, Rng& rng) {
  const auto k = static_cast<std::size_t>(xt.cols());
  const auto n = static_cast<std::size_t>(xt.rows());
  std::vector<double> row(k - 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (missing[i * k + step.target] == 0) continue;
    std::size_t p = 0;
    for (std::size_t j = 0; j < k; ++j) {
      if (j != step.target)
        row[p++] = xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    }
    double mean = step.intercept;
    for (std::size_t j = 0; j + 1 < k; ++j) mean += row[j] * step.coef[j];
    double value = mean;
    if (sample) {
      double variance = 1.0 / step.alpha;
      for (std::size_t a = 0; a + 1 < k; ++a) {
        for (std::size_t b = 0; b + 1 < k; ++b)
          variance += row[a] * step.sigma[a * (k - 1) + b] * row[b];
      }
      if (variance > 0.0) value = rng.normal(mean, std::sqrt(variance));
    }
    xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(step.target)) = value;
  }
}

}  // namespace

void IterativeImputerConfig::check() const {
  KOLOSAL_CHECK(initial_strategy != ImputeStrategy::kConstant, ConfigError,
                "IterativeImputer: initial_strategy must be mean, median or most_frequent");
}

nlohmann::json IterativeImputer::config() const { return config::to_json(config_); }
bool IterativeImputer::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kNumeric;
}

void IterativeImputer::fit_columns(Columns columns, std::span<const double> y) {
  (void)fit_transform_columns(columns, y);
}

std::vector<data::Column> IterativeImputer::fit_transform_columns(Columns columns,
                                                                  std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t k = columns.size();
  const std::size_t n = columns[0]->size();
  MatrixXd xt(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  std::vector<std::uint8_t> missing(n * k, 0);
  std::vector<double> fraction(k, 0.0);
  initial_.assign(k, 0.0);
  double max_abs = 0.0;
  for (std::size_t j = 0; j < k; ++j) {
    const preprocessing::detail::NumericValues in(*columns[j]);
    std::vector<double> observed;
    for (std::size_t i = 0; i < n; ++i) {
      if (std::isnan(in[i])) {
        missing[i * k + j] = 1;
        fraction[j] += 1.0;
      } else {
        observed.push_back(in[i]);
        max_abs = std::max(max_abs, std::abs(in[i]));
      }
    }
    KOLOSAL_CHECK(!observed.empty(), DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no observed values");
    initial_[j] = initial_fill(std::move(observed), config_.initial_strategy);
    for (std::size_t i = 0; i < n; ++i) {
      xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          missing[i * k + j] != 0 ? initial_[j] : in[i];
    }
  }
  // Columns by increasing missing fraction (stable), as imputation_order="ascending".
  std::vector<std::size_t> order(k);
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](std::size_t a, std::size_t b) { return fraction[a] < fraction[b]; });
  steps_.clear();
  n_iter_ = 0;
  if (k > 1) {
    const double normalized_tol = config_.tol * max_abs;
    MatrixXd previous = xt;
    Rng rng(context().seed);
    for (int iter = 1; iter <= config_.max_iter; ++iter) {
      for (const std::size_t target : order) {
        std::vector<Eigen::Index> rows;
        for (std::size_t i = 0; i < n; ++i) {
          if (missing[i * k + target] == 0) rows.push_back(static_cast<Eigen::Index>(i));
        }
        MatrixXd x_train(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(k - 1));
        VectorXd y_train(static_cast<Eigen::Index>(rows.size()));
        for (std::size_t r = 0; r < rows.size(); ++r) {
          Eigen::Index p = 0;
          for (std::size_t j = 0; j < k; ++j) {
            if (j != target)
              x_train(static_cast<Eigen::Index>(r), p++) =
                  xt(rows[r], static_cast<Eigen::Index>(j));
          }
          y_train(static_cast<Eigen::Index>(r)) = xt(rows[r], static_cast<Eigen::Index>(target));
        }
        Step step = bayesian_ridge(x_train, y_train, config_.sample_posterior);
        step.target = target;
        Rng step_rng = rng.split(steps_.size());
        apply_step(step, xt, missing, config_.sample_posterior, step_rng);
        steps_.push_back(std::move(step));
      }
      n_iter_ = iter;
      if (!config_.sample_posterior) {
        // The matrix infinity norm (largest absolute row sum) of the change, as numpy.
        const double change = (xt - previous).cwiseAbs().rowwise().sum().maxCoeff();
        if (change < normalized_tol) break;
        previous = xt;
      }
    }
  }
  std::vector<data::Column> out(k);
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) {
      values[i] = xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  }
  return out;
}

std::vector<data::Column> IterativeImputer::transform_columns(Columns columns) const {
  const std::size_t k = columns.size();
  const std::size_t n = columns[0]->size();
  MatrixXd xt(static_cast<Eigen::Index>(n), static_cast<Eigen::Index>(k));
  std::vector<std::uint8_t> missing(n * k, 0);
  for (std::size_t j = 0; j < k; ++j) {
    const preprocessing::detail::NumericValues in(*columns[j]);
    for (std::size_t i = 0; i < n; ++i) {
      missing[i * k + j] = std::isnan(in[i]) ? 1 : 0;
      xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          std::isnan(in[i]) ? initial_[j] : in[i];
    }
  }
  Rng rng(context().seed);
  for (std::size_t s = 0; s < steps_.size(); ++s) {
    Rng step_rng = rng.split(s);
    apply_step(steps_[s], xt, missing, config_.sample_posterior, step_rng);
  }
  std::vector<data::Column> out(k);
  for (std::size_t j = 0; j < k; ++j) {
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) {
      values[i] = xt(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j));
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  }
  return out;
}

nlohmann::json IterativeImputer::columns_state() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : steps_) {
    steps.push_back({{"target", s.target},
                     {"coef", s.coef},
                     {"intercept", s.intercept},
                     {"alpha", s.alpha},
                     {"sigma", s.sigma}});
  }
  return {{"initial", initial_}, {"steps", std::move(steps)}, {"n_iter", n_iter_}};
}

void IterativeImputer::load_columns_state(const nlohmann::json& state) {
  const std::size_t k = input_columns().size();
  initial_ = preprocessing::detail::read_doubles(state, "initial", k, kDisplayName);
  std::vector<Step> steps;
  for (const auto& s : state.at("steps")) {
    Step step;
    step.target = s.at("target").get<std::size_t>();
    step.coef = s.at("coef").get<std::vector<double>>();
    step.intercept = s.at("intercept").get<double>();
    step.alpha = s.at("alpha").get<double>();
    step.sigma = s.at("sigma").get<std::vector<double>>();
    KOLOSAL_CHECK(step.target < k && step.coef.size() + 1 == k &&
                      (step.sigma.empty() || step.sigma.size() == (k - 1) * (k - 1)),
                  SerializationError, kDisplayName, "::load_state: a step does not fit ", k,
                  " columns");
    KOLOSAL_CHECK(!config_.sample_posterior || !step.sigma.empty(), SerializationError,
                  kDisplayName, "::load_state: sample_posterior needs each step's sigma");
    steps.push_back(std::move(step));
  }
  steps_ = std::move(steps);
  n_iter_ = state.at("n_iter").get<int>();
}

std::vector<data::Frame> mice(const IterativeImputer& imputer, const data::Frame& x, int m) {
  KOLOSAL_CHECK(m >= 1, InvalidArgument, "mice: m must be >= 1, got ", m);
  auto config = imputer.settings();
  config.sample_posterior = true;
  std::vector<data::Frame> out;
  Rng root(imputer.context().seed);
  for (int i = 0; i < m; ++i) {
    IterativeImputer copy(config);
    Context ctx = imputer.context();
    ctx.seed = root.split(static_cast<std::uint64_t>(i))();
    copy.set_context(ctx);
    out.push_back(copy.fit_transform(x));
  }
  return out;
}

}  // namespace kolosal::imputation
