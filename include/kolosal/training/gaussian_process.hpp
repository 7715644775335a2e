// SPDX-License-Identifier: MIT
// Gaussian process regression with RBF or Matern kernels plus white noise, hyperparameters fitted
// by maximising the log marginal likelihood.
#pragma once

#include <array>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

enum class GpKernel {
  kRbf,     ///< exp(-r^2 / 2)
  kMatern,  ///< Matern with smoothness nu in {0.5, 1.5, 2.5}
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::GpKernel> {
  using K = training::GpKernel;
  static constexpr std::array kValues{std::pair{K::kRbf, "rbf"}, std::pair{K::kMatern, "matern"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// The kernel is constant_value * base(r) + noise_level * [x == x'], with r the distance scaled
/// by the length scale(s); every hyperparameter is fitted in log space within its bounds unless
/// `optimize` is false.
struct GaussianProcessRegressorConfig {
  static constexpr std::string_view kName = "GaussianProcessRegressorConfig";
  GpKernel kernel = GpKernel::kRbf;
  double nu = 1.5;               ///< Matern smoothness: 0.5, 1.5 or 2.5
  double length_scale = 1.0;     ///< initial length scale
  bool anisotropic = false;      ///< one length scale per feature
  double constant_value = 1.0;   ///< initial signal variance
  bool white_noise = true;       ///< add a fitted white-noise kernel
  double noise_level = 1.0;      ///< initial noise variance
  double lower_bound = 1e-5;     ///< lower bound of every hyperparameter
  double upper_bound = 1e5;      ///< upper bound of every hyperparameter
  double alpha = 1e-10;          ///< jitter added to the kernel diagonal
  bool normalize_y = false;      ///< standardise y before fitting
  bool optimize = true;          ///< fit the hyperparameters
  int n_restarts_optimizer = 0;  ///< extra starts drawn log-uniformly within the bounds

  static constexpr auto fields() {
    using C = GaussianProcessRegressorConfig;
    return std::tuple{
        config::field("kernel", &C::kernel).doc("rbf or matern"),
        config::field("nu", &C::nu).greater_than(0.0).doc("Matern smoothness: 0.5, 1.5 or 2.5"),
        config::field("length_scale", &C::length_scale).greater_than(0.0),
        config::field("anisotropic", &C::anisotropic),
        config::field("constant_value", &C::constant_value).greater_than(0.0),
        config::field("white_noise", &C::white_noise),
        config::field("noise_level", &C::noise_level).greater_than(0.0),
        config::field("lower_bound", &C::lower_bound).greater_than(0.0),
        config::field("upper_bound", &C::upper_bound).greater_than(0.0),
        config::field("alpha", &C::alpha).at_least(0.0),
        config::field("normalize_y", &C::normalize_y),
        config::field("optimize", &C::optimize),
        config::field("n_restarts_optimizer", &C::n_restarts_optimizer).at_least(0)};
  }
  void check() const;
  friend bool operator==(const GaussianProcessRegressorConfig&,
                         const GaussianProcessRegressorConfig&) = default;
};

/// Gaussian process regression (Rasmussen & Williams, "Gaussian Processes for Machine Learning",
/// MIT Press 2006, algorithms 2.1 and 5.1): Cholesky-based posterior, hyperparameters maximising
/// the log marginal likelihood with analytic gradients (projected L-BFGS in log space); as
/// scikit-learn's GaussianProcessRegressor with kernel C * RBF/Matern + WhiteKernel.
/// Sample weights are not supported (they are rejected).
class GaussianProcessRegressor final : public Model {
 public:
  using Config = GaussianProcessRegressorConfig;
  static constexpr std::string_view kName = "gaussian_process_regressor";

  explicit GaussianProcessRegressor(Config config = {}) : config_(config) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<GaussianProcessRegressor>(*this);
  }

  /// Predictive standard deviation of y at each row (noise included when white_noise is set).
  /// @throws NotFitted, ShapeMismatch
  [[nodiscard]] std::vector<double> predict_std(MatrixView<const double> x) const;
  /// Fitted hyperparameters: constant_value, length scale(s), then noise_level (if any).
  [[nodiscard]] const std::vector<double>& hyperparameters() const noexcept { return theta_; }
  /// Log marginal likelihood of the training data at the fitted hyperparameters.
  [[nodiscard]] double log_marginal_likelihood() const noexcept { return lml_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  void refresh();  // Cholesky factor and weights from x_train_, y and theta_

  Config config_;
  std::vector<double> theta_;  ///< natural (not log) hyperparameters
  Matrix<double> x_train_;
  std::vector<double> y_train_;  ///< normalised targets
  double y_mean_ = 0.0;
  double y_std_ = 1.0;
  std::vector<double> chol_;     ///< n x n lower Cholesky factor of K + alpha I, row-major
  std::vector<double> weights_;  ///< (K + alpha I)^-1 y
  double lml_ = 0.0;
};

}  // namespace kolosal::training
