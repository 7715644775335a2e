// SPDX-License-Identifier: MIT
// Gaussian process regression: kernels and their log-space gradients, the log marginal
// likelihood, a projected L-BFGS maximiser and the Cholesky posterior.
#include "kolosal/training/gaussian_process.hpp"

#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <numbers>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::training {
namespace {

using Mat = Eigen::MatrixXd;
using Vec = Eigen::VectorXd;

struct KernelSpec {
  GpKernel kernel;
  double nu;
  bool anisotropic;
  bool white;
  std::size_t d;
  [[nodiscard]] std::size_t n_scales() const noexcept { return anisotropic ? d : 1; }
  [[nodiscard]] std::size_t n_params() const noexcept { return 1 + n_scales() + (white ? 1 : 0); }
};

// base(r) and, for the gradient, g(r) with d base / d log l_j = g(r) * D_j, where D_j is the
// squared scaled difference along j.
std::pair<double, double> base_and_gradient(const KernelSpec& s, double r2) {
  if (s.kernel == GpKernel::kRbf) {
    const double k = std::exp(-0.5 * r2);
    return {k, k};
  }
  const double r = std::sqrt(r2);
  if (s.nu == 0.5) {
    const double k = std::exp(-r);
    return {k, r > 0.0 ? k / r : 0.0};
  }
  if (s.nu == 1.5) {
    const double e = std::exp(-std::sqrt(3.0) * r);
    return {(1.0 + std::sqrt(3.0) * r) * e, 3.0 * e};
  }
  const double e = std::exp(-std::sqrt(5.0) * r);
  return {(1.0 + std::sqrt(5.0) * r + 5.0 / 3.0 * r2) * e,
          5.0 / 3.0 * (1.0 + std::sqrt(5.0) * r) * e};
}

// Cross kernel without the white-noise term (scikit-learn's WhiteKernel is zero between
// different point sets).
Mat cross_kernel(const KernelSpec& s, const std::vector<double>& theta, MatrixView<const double> a,
                 MatrixView<const double> b) {
  Mat k(static_cast<Eigen::Index>(a.rows()), static_cast<Eigen::Index>(b.rows()));
  for (std::size_t i = 0; i < a.rows(); ++i) {
    for (std::size_t j = 0; j < b.rows(); ++j) {
      double r2 = 0.0;
      for (std::size_t f = 0; f < s.d; ++f) {
        const double diff = (a(i, f) - b(j, f)) / theta[1 + (s.anisotropic ? f : 0)];
        r2 += diff * diff;
      }
      k(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) =
          theta[0] * base_and_gradient(s, r2).first;
    }
  }
  return k;
}

struct Objective {
  double lml = -std::numeric_limits<double>::infinity();
  Vec gradient;  // d lml / d log theta
};

// Log marginal likelihood and its gradient in log space (Rasmussen & Williams, eq. 5.9).
Objective evaluate(const KernelSpec& s, const std::vector<double>& theta,
                   MatrixView<const double> x, const Vec& y, double alpha, bool with_gradient) {
  const auto n = static_cast<Eigen::Index>(x.rows());
  const std::size_t p = s.n_params();
  Mat k(n, n);
  std::vector<Mat> dk(with_gradient ? p : 0, Mat::Zero(n, n));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j <= i; ++j) {
      double r2 = 0.0;
      std::vector<double> sq(s.n_scales(), 0.0);
      for (std::size_t f = 0; f < s.d; ++f) {
        const std::size_t l = s.anisotropic ? f : 0;
        const double diff =
            (x(static_cast<std::size_t>(i), f) - x(static_cast<std::size_t>(j), f)) / theta[1 + l];
        r2 += diff * diff;
        sq[l] += diff * diff;
      }
      const auto [base, g] = base_and_gradient(s, r2);
      double v = theta[0] * base;
      if (i == j) v += alpha + (s.white ? theta[p - 1] : 0.0);
      k(i, j) = k(j, i) = v;
      if (with_gradient) {
        dk[0](i, j) = dk[0](j, i) = theta[0] * base;
        for (std::size_t l = 0; l < s.n_scales(); ++l) {
          dk[1 + l](i, j) = dk[1 + l](j, i) = theta[0] * g * sq[l];
        }
        if (s.white && i == j) dk[p - 1](i, i) = theta[p - 1];
      }
    }
  }
  Eigen::LLT<Mat> llt(k);
  Objective out;
  if (llt.info() != Eigen::Success) return out;
  const Vec a = llt.solve(y);
  const Mat l = llt.matrixL();
  out.lml = -0.5 * y.dot(a) - l.diagonal().array().log().sum() -
            0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
  if (with_gradient) {
    const Mat inner = a * a.transpose() - llt.solve(Mat::Identity(n, n));
    out.gradient.resize(static_cast<Eigen::Index>(p));
    for (std::size_t q = 0; q < p; ++q) {
      out.gradient(static_cast<Eigen::Index>(q)) = 0.5 * inner.cwiseProduct(dk[q]).sum();
    }
  }
  return out;
}

// Maximises the log marginal likelihood over log theta within [lo, hi] by L-BFGS with projection
// onto the box and a backtracking line search.
std::pair<Vec, double> maximise(const KernelSpec& s, Vec start, double lo, double hi,
                                MatrixView<const double> x, const Vec& y, double alpha) {
  constexpr int kMaxIterations = 200;
  constexpr std::size_t kMemory = 10;
  auto to_theta = [](const Vec& log_theta) {
    std::vector<double> t(static_cast<std::size_t>(log_theta.size()));
    for (Eigen::Index i = 0; i < log_theta.size(); ++i) {
      t[static_cast<std::size_t>(i)] = std::exp(log_theta(i));
    }
    return t;
  };
  auto project = [&](Vec v) { return v.cwiseMax(lo).cwiseMin(hi).eval(); };
  // Minimise f = -lml.
  Vec z = project(std::move(start));
  Objective obj = evaluate(s, to_theta(z), x, y, alpha, true);
  KOLOSAL_CHECK(std::isfinite(obj.lml), InvalidArgument,
                "GaussianProcessRegressor::fit: the kernel matrix is not positive definite at the "
                "initial hyperparameters; increase alpha or noise_level");
  double f = -obj.lml;
  Vec g = -obj.gradient;
  std::deque<std::pair<Vec, Vec>> memory;
  for (int it = 0; it < kMaxIterations; ++it) {
    // Projected gradient norm: the stopping rule of L-BFGS-B (pgtol 1e-5).
    const Vec pg = project(z - g) - z;
    if (pg.cwiseAbs().maxCoeff() < 1e-5) break;
    Vec q = g;
    std::vector<double> rho_alpha(memory.size());
    for (std::size_t m = memory.size(); m-- > 0;) {
      const auto& [sv, yv] = memory[m];
      rho_alpha[m] = sv.dot(q) / yv.dot(sv);
      q -= rho_alpha[m] * yv;
    }
    if (!memory.empty()) {
      const auto& [sv, yv] = memory.back();
      q *= sv.dot(yv) / yv.dot(yv);
    }
    for (std::size_t m = 0; m < memory.size(); ++m) {
      const auto& [sv, yv] = memory[m];
      const double beta = yv.dot(q) / yv.dot(sv);
      q += sv * (rho_alpha[m] - beta);
    }
    Vec direction = -q;
    // Variables at a bound with the gradient pushing outwards stay fixed.
    for (Eigen::Index i = 0; i < z.size(); ++i) {
      if ((z(i) <= lo && g(i) > 0.0) || (z(i) >= hi && g(i) < 0.0)) direction(i) = 0.0;
    }
    if (direction.dot(g) >= 0.0) {  // not a descent direction: restart from steepest descent
      memory.clear();
      direction = -g;
      for (Eigen::Index i = 0; i < z.size(); ++i) {
        if ((z(i) <= lo && g(i) > 0.0) || (z(i) >= hi && g(i) < 0.0)) direction(i) = 0.0;
      }
    }
    double step = memory.empty() ? std::min(1.0, 1.0 / std::max(1e-12, direction.norm())) : 1.0;
    bool accepted = false;
    Vec z_new;
    Objective obj_new;
    for (int ls = 0; ls < 40; ++ls) {
      z_new = project(z + step * direction);
      obj_new = evaluate(s, to_theta(z_new), x, y, alpha, true);
      if (std::isfinite(obj_new.lml) && -obj_new.lml <= f + 1e-4 * g.dot(z_new - z)) {
        accepted = true;
        break;
      }
      step *= 0.5;
    }
    if (!accepted) break;
    const double f_new = -obj_new.lml;
    const Vec g_new = -obj_new.gradient;
    const Vec sv = z_new - z;
    const Vec yv = g_new - g;
    if (sv.dot(yv) > 1e-10) {
      memory.emplace_back(sv, yv);
      if (memory.size() > kMemory) memory.pop_front();
    }
    const double change = f - f_new;
    z = z_new;
    g = g_new;
    f = f_new;
    // factr 1e7 of L-BFGS-B: relative reduction below 1e7 * machine epsilon.
    if (change <= 1e7 * std::numeric_limits<double>::epsilon() *
                      std::max({std::abs(f), std::abs(f_new), 1.0})) {
      break;
    }
  }
  return {z, -f};
}

KernelSpec spec_of(const GaussianProcessRegressorConfig& c, std::size_t d) {
  return {c.kernel, c.nu, c.anisotropic, c.white_noise, d};
}

}  // namespace

void GaussianProcessRegressorConfig::check() const {
  KOLOSAL_CHECK(kernel != GpKernel::kMatern || nu == 0.5 || nu == 1.5 || nu == 2.5, ConfigError,
                kName, ": nu must be 0.5, 1.5 or 2.5, got ", nu);
  KOLOSAL_CHECK(lower_bound < upper_bound, ConfigError, kName, ": lower_bound ", lower_bound,
                " must be below upper_bound ", upper_bound);
}

nlohmann::json GaussianProcessRegressor::config() const { return config::to_json(config_); }

void GaussianProcessRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                                      const FitOptions& options) {
  config::validate(config_, "GaussianProcessRegressor");
  KOLOSAL_CHECK(options.sample_weight.empty(), InvalidArgument,
                "GaussianProcessRegressor::fit: sample weights are not supported");
  const std::size_t n = x.rows();
  const std::size_t d = x.cols();
  x_train_ = Matrix<double>(n, d);
  for (std::size_t i = 0; i < n; ++i)
    std::copy(x.row(i).begin(), x.row(i).end(), x_train_.row(i).begin());
  y_mean_ = 0.0;
  y_std_ = 1.0;
  if (config_.normalize_y) {
    for (double v : y) y_mean_ += v;
    y_mean_ /= static_cast<double>(n);
    double var = 0.0;
    for (double v : y) var += (v - y_mean_) * (v - y_mean_);
    y_std_ = std::sqrt(var / static_cast<double>(n));
    if (y_std_ == 0.0) y_std_ = 1.0;
  }
  y_train_.resize(n);
  for (std::size_t i = 0; i < n; ++i) y_train_[i] = (y[i] - y_mean_) / y_std_;

  const KernelSpec s = spec_of(config_, d);
  theta_.assign(s.n_params(), config_.length_scale);
  theta_[0] = config_.constant_value;
  if (s.white) theta_.back() = config_.noise_level;
  if (config_.optimize) {
    const Eigen::Map<const Vec> yv(y_train_.data(), static_cast<Eigen::Index>(n));
    const double lo = std::log(config_.lower_bound);
    const double hi = std::log(config_.upper_bound);
    Vec start(static_cast<Eigen::Index>(theta_.size()));
    for (std::size_t i = 0; i < theta_.size(); ++i) {
      start(static_cast<Eigen::Index>(i)) = std::log(theta_[i]);
    }
    auto [best_z, best_lml] = maximise(s, start, lo, hi, x_train_.view(), yv, config_.alpha);
    Rng rng(context().seed);
    for (int r = 0; r < config_.n_restarts_optimizer; ++r) {
      Rng stream = rng.split(static_cast<std::uint64_t>(r));
      for (Eigen::Index i = 0; i < start.size(); ++i) start(i) = stream.uniform(lo, hi);
      try {
        auto [z, lml] = maximise(s, start, lo, hi, x_train_.view(), yv, config_.alpha);
        if (lml > best_lml) {
          best_lml = lml;
          best_z = z;
        }
      } catch (const InvalidArgument&) {
        // A random start where the kernel matrix is singular: skip it, as scikit-learn would
        // record an infinite loss for it.
      }
    }
    for (std::size_t i = 0; i < theta_.size(); ++i) {
      theta_[i] = std::exp(best_z(static_cast<Eigen::Index>(i)));
    }
  }
  refresh();
}

void GaussianProcessRegressor::refresh() {
  const auto n = static_cast<Eigen::Index>(x_train_.rows());
  const KernelSpec s = spec_of(config_, x_train_.cols());
  Mat k = cross_kernel(s, theta_, x_train_.view(), x_train_.view());
  k.diagonal().array() += config_.alpha + (s.white ? theta_.back() : 0.0);
  Eigen::LLT<Mat> llt(k);
  KOLOSAL_CHECK(llt.info() == Eigen::Success, InvalidArgument,
                "GaussianProcessRegressor::fit: the kernel matrix is not positive definite; "
                "increase alpha or enable white_noise");
  const Eigen::Map<const Vec> y(y_train_.data(), n);
  const Vec a = llt.solve(y);
  const Mat l = llt.matrixL();
  lml_ = -0.5 * y.dot(a) - l.diagonal().array().log().sum() -
         0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
  weights_.assign(a.data(), a.data() + n);
  chol_.resize(static_cast<std::size_t>(n * n));
  for (Eigen::Index i = 0; i < n; ++i) {
    for (Eigen::Index j = 0; j < n; ++j) chol_[static_cast<std::size_t>(i * n + j)] = l(i, j);
  }
}

std::vector<double> GaussianProcessRegressor::do_predict(MatrixView<const double> x) const {
  const KernelSpec s = spec_of(config_, x_train_.cols());
  const Mat ks = cross_kernel(s, theta_, x, x_train_.view());
  const Vec mean =
      ks * Eigen::Map<const Vec>(weights_.data(), static_cast<Eigen::Index>(weights_.size()));
  std::vector<double> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    out[i] = mean(static_cast<Eigen::Index>(i)) * y_std_ + y_mean_;
  }
  return out;
}

std::vector<double> GaussianProcessRegressor::predict_std(MatrixView<const double> x) const {
  KOLOSAL_CHECK(fitted(), NotFitted,
                "gaussian_process_regressor::predict_std: the model is not fitted; call fit first");
  KOLOSAL_CHECK(x.cols() == n_features(), ShapeMismatch,
                "gaussian_process_regressor::predict_std: x has ", x.cols(),
                " features but the model was fitted on ", n_features());
  const KernelSpec s = spec_of(config_, x_train_.cols());
  const auto n = static_cast<Eigen::Index>(x_train_.rows());
  const Mat ks = cross_kernel(s, theta_, x, x_train_.view());
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> l(
      chol_.data(), n, n);
  const Mat v = l.triangularView<Eigen::Lower>().solve(ks.transpose());
  const double prior = theta_[0] + (s.white ? theta_.back() : 0.0);
  std::vector<double> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const double var = prior - v.col(static_cast<Eigen::Index>(i)).squaredNorm();
    out[i] = std::sqrt(std::max(var, 0.0)) * y_std_;
  }
  return out;
}

nlohmann::json GaussianProcessRegressor::do_state() const {
  return {{"theta", theta_},
          {"x_train", x_train_.values()},
          {"y_train", y_train_},
          {"y_mean", y_mean_},
          {"y_std", y_std_}};
}

void GaussianProcessRegressor::do_load_state(const nlohmann::json& state) {
  try {
    auto theta = state.at("theta").get<std::vector<double>>();
    const auto xs = state.at("x_train").get<std::vector<double>>();
    auto ys = state.at("y_train").get<std::vector<double>>();
    const std::size_t d = n_features();
    const KernelSpec s = spec_of(config_, d);
    KOLOSAL_CHECK(theta.size() == s.n_params() && !ys.empty() && xs.size() == ys.size() * d,
                  SerializationError,
                  "GaussianProcessRegressor::load_state: sizes of theta, x_train and y_train do "
                  "not match the config");
    for (double t : theta) {
      KOLOSAL_CHECK(std::isfinite(t) && t > 0.0, SerializationError,
                    "GaussianProcessRegressor::load_state: hyperparameters must be positive");
    }
    theta_ = std::move(theta);
    x_train_ = Matrix<double>(ys.size(), d);
    std::copy(xs.begin(), xs.end(), x_train_.data());
    y_train_ = std::move(ys);
    y_mean_ = state.at("y_mean").get<double>();
    y_std_ = state.at("y_std").get<double>();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, "GaussianProcessRegressor::load_state: malformed state (",
                  e.what(), ")");
  }
  refresh();
}

}  // namespace kolosal::training
