// SPDX-License-Identifier: MIT
// Elastic net and lasso by coordinate descent with the duality-gap stopping rule of
// scikit-learn's enet_coordinate_descent, and the warm-started regularisation path.
#include <algorithm>
#include <cmath>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/training/linear.hpp"

#include "training/linear/common.hpp"

namespace kolosal::training {
namespace {

using linear_detail::center_and_scale;

struct CdSettings {
  double l1 = 0.0;  ///< L1 penalty on the ½‖y − Xβ‖² scale
  double l2 = 0.0;  ///< L2 penalty on the same scale
  int max_iter = 1000;
  double tol = 1e-4;
  CdSelection selection = CdSelection::kCyclic;
};

double soft_threshold(double z, double gamma) {
  if (z > gamma) return z - gamma;
  if (z < -gamma) return z + gamma;
  return 0.0;
}

// Minimises ½‖y − Xβ‖² + l1‖β‖₁ + l2/2‖β‖² from the warm start in `beta`; returns the sweeps
// done. Stops once the duality gap falls below tol·‖y‖², checked whenever the largest
// coefficient change is small relative to the largest coefficient.
int coordinate_descent(const Eigen::MatrixXd& x, const Eigen::VectorXd& y, Eigen::VectorXd& beta,
                       const CdSettings& s, Rng& rng) {
  const Eigen::Index p = x.cols();
  const Eigen::VectorXd norm_cols = x.colwise().squaredNorm().transpose();
  Eigen::VectorXd residual = y - x * beta;
  const double gap_tol = s.tol * y.squaredNorm();
  int sweep = 0;
  for (; sweep < s.max_iter; ++sweep) {
    double w_max = 0.0;
    double d_w_max = 0.0;
    for (Eigen::Index step = 0; step < p; ++step) {
      const Eigen::Index j =
          s.selection == CdSelection::kRandom
              ? static_cast<Eigen::Index>(rng.uniform_index(static_cast<std::uint64_t>(p)))
              : step;
      if (norm_cols(j) == 0.0) continue;
      const double old = beta(j);
      if (old != 0.0) residual += old * x.col(j);
      const double rho = x.col(j).dot(residual);
      const double updated = soft_threshold(rho, s.l1) / (norm_cols(j) + s.l2);
      beta(j) = updated;
      if (updated != 0.0) residual -= updated * x.col(j);
      d_w_max = std::max(d_w_max, std::abs(updated - old));
      w_max = std::max(w_max, std::abs(updated));
    }
    if (w_max == 0.0 || d_w_max / w_max < s.tol || sweep == s.max_iter - 1) {
      // Duality gap of the elastic net (Friedman et al., 2010, via a scaled dual point).
      const Eigen::VectorXd xt_a = x.transpose() * residual - s.l2 * beta;
      const double dual_norm = xt_a.cwiseAbs().maxCoeff();
      const double r_norm2 = residual.squaredNorm();
      const double w_norm2 = beta.squaredNorm();
      double constant = 1.0;
      double gap = r_norm2;
      if (dual_norm > s.l1) {
        constant = s.l1 / dual_norm;
        gap = 0.5 * (r_norm2 + r_norm2 * constant * constant);
      }
      gap += s.l1 * beta.lpNorm<1>() - constant * residual.dot(y) +
             0.5 * s.l2 * (1.0 + constant * constant) * w_norm2;
      if (gap < gap_tol) return sweep + 1;
    }
  }
  return sweep;
}

// scikit-learn's convention: weights rescaled to sum to n, then centred and sqrt-scaled.
linear_detail::Centered prepare(MatrixView<const double> x, std::span<const double> y,
                                std::span<const double> sample_weight, bool fit_intercept) {
  Eigen::VectorXd w = linear_detail::weights_or_ones(sample_weight, x.rows());
  w *= static_cast<double>(x.rows()) / w.sum();
  return center_and_scale(x, y, w, fit_intercept);
}

struct EnetFit {
  std::vector<double> coef;
  double intercept = 0.0;
  int n_iter = 0;
};

EnetFit fit_enet(MatrixView<const double> x, std::span<const double> y, const FitOptions& options,
                 double alpha, double l1_ratio, bool fit_intercept, int max_iter, double tol,
                 CdSelection selection, const Context& context) {
  const auto c = prepare(x, y, options.sample_weight, fit_intercept);
  const double n = static_cast<double>(x.rows());
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(c.x.cols());
  Rng rng(context.seed);
  const CdSettings settings{.l1 = alpha * l1_ratio * n,
                            .l2 = alpha * (1.0 - l1_ratio) * n,
                            .max_iter = max_iter,
                            .tol = tol,
                            .selection = selection};
  EnetFit out;
  out.n_iter = coordinate_descent(c.x, c.y, beta, settings, rng);
  out.coef.assign(beta.data(), beta.data() + beta.size());
  out.intercept = fit_intercept ? c.y_offset - c.x_offset.dot(beta) : 0.0;
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------- models

nlohmann::json ElasticNet::config() const { return config::to_json(config_); }

void ElasticNet::do_fit(MatrixView<const double> x, std::span<const double> y,
                        const FitOptions& options) {
  config::validate(config_, "ElasticNet");
  auto fit = fit_enet(x, y, options, config_.alpha, config_.l1_ratio, config_.fit_intercept,
                      config_.max_iter, config_.tol, config_.selection, context());
  coef_ = std::move(fit.coef);
  intercept_ = fit.intercept;
  n_iter_ = fit.n_iter;
}

nlohmann::json ElasticNet::do_state() const {
  auto state = LinearRegressorBase::do_state();
  state["n_iter"] = n_iter_;
  return state;
}

void ElasticNet::do_load_state(const nlohmann::json& state) {
  LinearRegressorBase::do_load_state(state);
  n_iter_ = state.at("n_iter").get<int>();
}

nlohmann::json Lasso::config() const { return config::to_json(config_); }

void Lasso::do_fit(MatrixView<const double> x, std::span<const double> y,
                   const FitOptions& options) {
  config::validate(config_, "Lasso");
  auto fit = fit_enet(x, y, options, config_.alpha, 1.0, config_.fit_intercept, config_.max_iter,
                      config_.tol, config_.selection, context());
  coef_ = std::move(fit.coef);
  intercept_ = fit.intercept;
  n_iter_ = fit.n_iter;
}

nlohmann::json Lasso::do_state() const {
  auto state = LinearRegressorBase::do_state();
  state["n_iter"] = n_iter_;
  return state;
}

void Lasso::do_load_state(const nlohmann::json& state) {
  LinearRegressorBase::do_load_state(state);
  n_iter_ = state.at("n_iter").get<int>();
}

// ---------------------------------------------------------------------------- path

ElasticNetPath elastic_net_path(MatrixView<const double> x, std::span<const double> y,
                                const ElasticNetPathOptions& options) {
  constexpr const char* kWho = "elastic_net_path";
  KOLOSAL_CHECK(x.rows() == y.size(), ShapeMismatch, kWho, ": x has ", x.rows(), " rows but y has ",
                y.size(), " values");
  KOLOSAL_CHECK(x.rows() > 0 && x.cols() > 0, InvalidArgument, kWho, ": x is empty");
  KOLOSAL_CHECK(options.sample_weight.empty() || options.sample_weight.size() == y.size(),
                ShapeMismatch, kWho, ": sample_weight has ", options.sample_weight.size(),
                " values for ", y.size(), " rows");
  KOLOSAL_CHECK(options.l1_ratio >= 0.0 && options.l1_ratio <= 1.0, InvalidArgument, kWho,
                ": l1_ratio must be in [0, 1], got ", options.l1_ratio);
  KOLOSAL_CHECK(options.max_iter >= 1 && options.tol > 0.0, InvalidArgument, kWho,
                ": max_iter must be >= 1 and tol > 0");
  for (std::size_t r = 0; r < x.rows(); ++r) {
    KOLOSAL_CHECK(std::isfinite(y[r]), InvalidArgument, kWho, ": y[", r, "] is not finite");
    for (std::size_t j = 0; j < x.cols(); ++j) {
      KOLOSAL_CHECK(std::isfinite(x(r, j)), InvalidArgument, kWho, ": x[", r, ", ", j,
                    "] is not finite");
    }
  }
  const auto c = prepare(x, y, options.sample_weight, options.fit_intercept);
  const double n = static_cast<double>(x.rows());

  ElasticNetPath path;
  path.alphas = options.alphas;
  if (path.alphas.empty()) {
    KOLOSAL_CHECK(options.l1_ratio > 0.0, InvalidArgument, kWho,
                  ": an automatic alpha grid needs l1_ratio > 0 (pass alphas)");
    KOLOSAL_CHECK(options.n_alphas >= 1 && options.eps > 0.0, InvalidArgument, kWho,
                  ": n_alphas must be >= 1 and eps > 0");
    const double alpha_max = (c.x.transpose() * c.y).cwiseAbs().maxCoeff() / (n * options.l1_ratio);
    const int k = options.n_alphas;
    for (int i = 0; i < k; ++i) {
      // log-spaced from alpha_max down to eps·alpha_max, as numpy.logspace reversed.
      const double t = k == 1 ? 0.0 : static_cast<double>(i) / static_cast<double>(k - 1);
      path.alphas.push_back(
          alpha_max == 0.0 ? 0.0
                           : std::pow(10.0, std::log10(alpha_max) + t * std::log10(options.eps)));
    }
  }
  for (double a : path.alphas) {
    KOLOSAL_CHECK(a >= 0.0 && std::isfinite(a), InvalidArgument, kWho,
                  ": alphas must be finite and >= 0, got ", a);
  }
  std::sort(path.alphas.begin(), path.alphas.end(), std::greater<>());

  const std::size_t p = x.cols();
  path.coefs = Matrix<double>(path.alphas.size(), p);
  Eigen::VectorXd beta = Eigen::VectorXd::Zero(static_cast<Eigen::Index>(p));
  Rng rng(kDefaultSeed);
  for (std::size_t i = 0; i < path.alphas.size(); ++i) {
    const double a = path.alphas[i];
    const CdSettings settings{.l1 = a * options.l1_ratio * n,
                              .l2 = a * (1.0 - options.l1_ratio) * n,
                              .max_iter = options.max_iter,
                              .tol = options.tol,
                              .selection = CdSelection::kCyclic};
    // Warm start: beta still holds the solution of the previous, stronger penalty.
    path.n_iter.push_back(coordinate_descent(c.x, c.y, beta, settings, rng));
    std::copy(beta.data(), beta.data() + beta.size(), path.coefs.row(i).begin());
    path.intercepts.push_back(options.fit_intercept ? c.y_offset - c.x_offset.dot(beta) : 0.0);
  }
  return path;
}

}  // namespace kolosal::training
