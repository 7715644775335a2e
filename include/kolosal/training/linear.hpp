// SPDX-License-Identifier: MIT
// Linear models: least squares, ridge, lasso and elastic net (with a regularisation path),
// logistic regression, SGD classifier and regressor, and Bayesian ridge, as scikit-learn's
// sklearn.linear_model with the same objectives and parameter names.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/training/tree.hpp"

namespace kolosal::training {

/// Order in which coordinate descent visits the features.
enum class CdSelection {
  kCyclic,  ///< features in order, every sweep
  kRandom,  ///< a random feature per step (seeded by the context)
};

/// Penalty of logistic regression.
enum class LogisticPenalty { kL2, kL1, kNone };

/// How logistic regression handles more than two classes.
enum class LogisticMultiClass {
  kAuto,         ///< multinomial for more than two classes
  kOvr,          ///< one binary problem per class, probabilities normalised
  kMultinomial,  ///< one softmax model over every class
};

/// Losses of the SGD models (margin losses for classification, residual losses for regression).
enum class SgdLoss {
  kHinge,                      ///< linear SVM
  kLogLoss,                    ///< logistic regression, gives probabilities
  kModifiedHuber,              ///< smoothed hinge, gives probabilities
  kSquaredHinge,               ///< quadratically penalised hinge
  kPerceptron,                 ///< hinge with threshold 0
  kSquaredError,               ///< ordinary least squares
  kHuber,                      ///< squared within `epsilon`, linear beyond
  kEpsilonInsensitive,         ///< linear SVR
  kSquaredEpsilonInsensitive,  ///< squared beyond `epsilon`
};

/// Penalty of the SGD models.
enum class SgdPenalty { kL2, kL1, kElasticNet, kNone };

/// Step-size schedules of the SGD models (t counts updates from 1).
enum class SgdLearningRate {
  kConstant,    ///< eta0
  kOptimal,     ///< 1 / (alpha (t0 + t)), t0 by Bottou's heuristic
  kInvscaling,  ///< eta0 / t^power_t
  kAdaptive,    ///< eta0, divided by 5 each time n_iter_no_change epochs fail to improve
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::CdSelection> {
  static constexpr std::array kValues{std::pair{training::CdSelection::kCyclic, "cyclic"},
                                      std::pair{training::CdSelection::kRandom, "random"}};
};
template <>
struct EnumNames<training::LogisticPenalty> {
  using P = training::LogisticPenalty;
  static constexpr std::array kValues{std::pair{P::kL2, "l2"}, std::pair{P::kL1, "l1"},
                                      std::pair{P::kNone, "none"}};
};
template <>
struct EnumNames<training::LogisticMultiClass> {
  using M = training::LogisticMultiClass;
  static constexpr std::array kValues{std::pair{M::kAuto, "auto"}, std::pair{M::kOvr, "ovr"},
                                      std::pair{M::kMultinomial, "multinomial"}};
};
template <>
struct EnumNames<training::SgdLoss> {
  using L = training::SgdLoss;
  static constexpr std::array kValues{
      std::pair{L::kHinge, "hinge"},
      std::pair{L::kLogLoss, "log_loss"},
      std::pair{L::kModifiedHuber, "modified_huber"},
      std::pair{L::kSquaredHinge, "squared_hinge"},
      std::pair{L::kPerceptron, "perceptron"},
      std::pair{L::kSquaredError, "squared_error"},
      std::pair{L::kHuber, "huber"},
      std::pair{L::kEpsilonInsensitive, "epsilon_insensitive"},
      std::pair{L::kSquaredEpsilonInsensitive, "squared_epsilon_insensitive"}};
};
template <>
struct EnumNames<training::SgdPenalty> {
  using P = training::SgdPenalty;
  static constexpr std::array kValues{std::pair{P::kL2, "l2"}, std::pair{P::kL1, "l1"},
                                      std::pair{P::kElasticNet, "elasticnet"},
                                      std::pair{P::kNone, "none"}};
};
template <>
struct EnumNames<training::SgdLearningRate> {
  using R = training::SgdLearningRate;
  static constexpr std::array kValues{
      std::pair{R::kConstant, "constant"}, std::pair{R::kOptimal, "optimal"},
      std::pair{R::kInvscaling, "invscaling"}, std::pair{R::kAdaptive, "adaptive"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

// ---------------------------------------------------------------------------- configs

struct LinearRegressionConfig {
  static constexpr std::string_view kName = "LinearRegressionConfig";
  bool fit_intercept = true;  ///< centre x and y (weighted) and fit an unpenalised intercept

  static constexpr auto fields() {
    return std::tuple{config::field("fit_intercept", &LinearRegressionConfig::fit_intercept)
                          .doc("fit an intercept")};
  }
  friend bool operator==(const LinearRegressionConfig&, const LinearRegressionConfig&) = default;
};

struct RidgeConfig {
  static constexpr std::string_view kName = "RidgeConfig";
  double alpha = 1.0;  ///< L2 penalty: minimises Σ w_i (y_i − x_i·β)² + alpha ‖β‖²
  bool fit_intercept = true;

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &RidgeConfig::alpha).at_least(0.0).doc("L2 penalty strength"),
        config::field("fit_intercept", &RidgeConfig::fit_intercept).doc("fit an intercept")};
  }
  friend bool operator==(const RidgeConfig&, const RidgeConfig&) = default;
};

/// Elastic net: minimises 1/(2n) Σ w_i (y_i − x_i·β)² + alpha l1_ratio ‖β‖₁
/// + alpha (1 − l1_ratio)/2 ‖β‖² (weights rescaled to sum to n).
struct ElasticNetConfig {
  static constexpr std::string_view kName = "ElasticNetConfig";
  double alpha = 1.0;
  double l1_ratio = 0.5;  ///< 1 is the lasso, 0 ridge
  bool fit_intercept = true;
  int max_iter = 1000;  ///< coordinate-descent sweeps
  double tol = 1e-4;    ///< duality gap tolerance, relative to ‖y‖²
  CdSelection selection = CdSelection::kCyclic;

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &ElasticNetConfig::alpha).at_least(0.0).doc("penalty strength"),
        config::field("l1_ratio", &ElasticNetConfig::l1_ratio)
            .at_least(0.0)
            .at_most(1.0)
            .doc("share of the L1 penalty"),
        config::field("fit_intercept", &ElasticNetConfig::fit_intercept).doc("fit an intercept"),
        config::field("max_iter", &ElasticNetConfig::max_iter).at_least(1).doc("maximum sweeps"),
        config::field("tol", &ElasticNetConfig::tol).greater_than(0.0).doc("duality gap tolerance"),
        config::field("selection", &ElasticNetConfig::selection).doc("cyclic or random")};
  }
  friend bool operator==(const ElasticNetConfig&, const ElasticNetConfig&) = default;
};

/// The lasso: elastic net with l1_ratio = 1.
struct LassoConfig {
  static constexpr std::string_view kName = "LassoConfig";
  double alpha = 1.0;
  bool fit_intercept = true;
  int max_iter = 1000;
  double tol = 1e-4;
  CdSelection selection = CdSelection::kCyclic;

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &LassoConfig::alpha).at_least(0.0).doc("L1 penalty strength"),
        config::field("fit_intercept", &LassoConfig::fit_intercept).doc("fit an intercept"),
        config::field("max_iter", &LassoConfig::max_iter).at_least(1).doc("maximum sweeps"),
        config::field("tol", &LassoConfig::tol).greater_than(0.0).doc("duality gap tolerance"),
        config::field("selection", &LassoConfig::selection).doc("cyclic or random")};
  }
  friend bool operator==(const LassoConfig&, const LassoConfig&) = default;
};

/// Logistic regression: minimises Σ w_i logloss_i + penalty / C (intercepts unpenalised).
struct LogisticRegressionConfig {
  static constexpr std::string_view kName = "LogisticRegressionConfig";
  LogisticPenalty penalty = LogisticPenalty::kL2;
  double C = 1.0;  ///< inverse regularisation strength
  bool fit_intercept = true;
  int max_iter = 100;  ///< L-BFGS iterations (L2, none) or proximal Newton steps (L1)
  double tol = 1e-4;   ///< largest gradient entry (L2) or optimality violation relative to
                       ///< the initial one (L1)
  LogisticMultiClass multi_class = LogisticMultiClass::kAuto;
  /// Multiplies each row's weight by its class's, as scikit-learn's class_weight.
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weight_values{};  ///< for class_weight = explicit, one per class

  static constexpr auto fields() {
    return std::tuple{
        config::field("penalty", &LogisticRegressionConfig::penalty).doc("l2, l1 or none"),
        config::field("C", &LogisticRegressionConfig::C)
            .greater_than(0.0)
            .doc("inverse regularisation strength"),
        config::field("fit_intercept", &LogisticRegressionConfig::fit_intercept)
            .doc("fit intercepts"),
        config::field("max_iter", &LogisticRegressionConfig::max_iter)
            .at_least(1)
            .doc("maximum solver iterations"),
        config::field("tol", &LogisticRegressionConfig::tol)
            .greater_than(0.0)
            .doc("stopping tolerance"),
        config::field("multi_class", &LogisticRegressionConfig::multi_class)
            .doc("auto, ovr or multinomial"),
        config::field("class_weight", &LogisticRegressionConfig::class_weight)
            .doc("none, balanced or explicit"),
        config::field("class_weight_values", &LogisticRegressionConfig::class_weight_values)
            .at_least(0.0)};
  }
  friend bool operator==(const LogisticRegressionConfig&,
                         const LogisticRegressionConfig&) = default;
};

/// Shared hyperparameters of SGDClassifier and SGDRegressor (scikit-learn's names and meanings).
struct SgdConfig {
  static constexpr std::string_view kName = "SgdConfig";
  SgdLoss loss = SgdLoss::kHinge;
  SgdPenalty penalty = SgdPenalty::kL2;
  double alpha = 1e-4;     ///< penalty strength (also scales the optimal schedule)
  double l1_ratio = 0.15;  ///< L1 share of the elastic-net penalty
  bool fit_intercept = true;
  int max_iter = 1000;   ///< epochs
  double tol = 1e-3;     ///< stop when the epoch loss fails to improve by tol·n; 0 disables
  bool shuffle = true;   ///< shuffle rows every epoch (seeded by the context)
  double epsilon = 0.1;  ///< for huber and the epsilon-insensitive losses
  SgdLearningRate learning_rate = SgdLearningRate::kOptimal;
  double eta0 = 0.0;         ///< initial step of constant, invscaling and adaptive
  double power_t = 0.5;      ///< exponent of invscaling
  int n_iter_no_change = 5;  ///< epochs without improvement before stopping (or shrinking eta)
  /// Classifier only: scales each update by its class's weight, as scikit-learn (binary: the
  /// weights of classes 1 and 0; one-vs-rest problem k: class k's weight, 1 for the rest).
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weight_values{};  ///< for class_weight = explicit, one per class

  static constexpr auto fields() {
    return std::tuple{
        config::field("loss", &SgdConfig::loss).doc("loss function"),
        config::field("penalty", &SgdConfig::penalty).doc("l2, l1, elasticnet or none"),
        config::field("alpha", &SgdConfig::alpha).at_least(0.0).doc("penalty strength"),
        config::field("l1_ratio", &SgdConfig::l1_ratio)
            .at_least(0.0)
            .at_most(1.0)
            .doc("elastic-net L1 share"),
        config::field("fit_intercept", &SgdConfig::fit_intercept).doc("fit an intercept"),
        config::field("max_iter", &SgdConfig::max_iter).at_least(1).doc("maximum epochs"),
        config::field("tol", &SgdConfig::tol).at_least(0.0).doc("stopping tolerance, 0 = off"),
        config::field("shuffle", &SgdConfig::shuffle).doc("shuffle rows each epoch"),
        config::field("epsilon", &SgdConfig::epsilon).at_least(0.0).doc("insensitivity margin"),
        config::field("learning_rate", &SgdConfig::learning_rate)
            .doc("constant, optimal, invscaling or adaptive"),
        config::field("eta0", &SgdConfig::eta0).at_least(0.0).doc("initial step size"),
        config::field("power_t", &SgdConfig::power_t).doc("invscaling exponent"),
        config::field("n_iter_no_change", &SgdConfig::n_iter_no_change)
            .at_least(1)
            .doc("patience in epochs"),
        config::field("class_weight", &SgdConfig::class_weight)
            .doc("classifier: none, balanced or explicit"),
        config::field("class_weight_values", &SgdConfig::class_weight_values).at_least(0.0)};
  }
  /// Cross-field rules: a positive alpha for the optimal schedule, a positive eta0 otherwise.
  void check() const;
  friend bool operator==(const SgdConfig&, const SgdConfig&) = default;
};

/// SGDRegressor defaults differ from the classifier's (scikit-learn's).
struct SgdRegressorConfig : SgdConfig {
  static constexpr std::string_view kName = "SgdRegressorConfig";
  SgdRegressorConfig() {
    loss = SgdLoss::kSquaredError;
    learning_rate = SgdLearningRate::kInvscaling;
    eta0 = 0.01;
    power_t = 0.25;
  }
  static constexpr auto fields() { return SgdConfig::fields(); }
  friend bool operator==(const SgdRegressorConfig&, const SgdRegressorConfig&) = default;
};

/// Bayesian ridge: Gamma hyperpriors on the noise precision alpha and weight precision lambda.
struct BayesianRidgeConfig {
  static constexpr std::string_view kName = "BayesianRidgeConfig";
  int max_iter = 300;
  double tol = 1e-3;  ///< stop when Σ|Δβ| < tol
  double alpha_1 = 1e-6;
  double alpha_2 = 1e-6;
  double lambda_1 = 1e-6;
  double lambda_2 = 1e-6;
  bool fit_intercept = true;

  static constexpr auto fields() {
    return std::tuple{
        config::field("max_iter", &BayesianRidgeConfig::max_iter).at_least(1).doc("iterations"),
        config::field("tol", &BayesianRidgeConfig::tol).greater_than(0.0).doc("convergence"),
        config::field("alpha_1", &BayesianRidgeConfig::alpha_1)
            .at_least(0.0)
            .doc("Gamma shape of the noise precision"),
        config::field("alpha_2", &BayesianRidgeConfig::alpha_2)
            .at_least(0.0)
            .doc("Gamma rate of the noise precision"),
        config::field("lambda_1", &BayesianRidgeConfig::lambda_1)
            .at_least(0.0)
            .doc("Gamma shape of the weight precision"),
        config::field("lambda_2", &BayesianRidgeConfig::lambda_2)
            .at_least(0.0)
            .doc("Gamma rate of the weight precision"),
        config::field("fit_intercept", &BayesianRidgeConfig::fit_intercept)
            .doc("fit an intercept")};
  }
  friend bool operator==(const BayesianRidgeConfig&, const BayesianRidgeConfig&) = default;
};

// ---------------------------------------------------------------------------- regressors

/// Shared state of the linear regressors: coefficients and an intercept; prediction x·β + b.
class LinearRegressorBase : public Model {
 public:
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  /// Fitted coefficients, one per feature. Empty before fit.
  [[nodiscard]] const std::vector<double>& coef() const noexcept { return coef_; }
  [[nodiscard]] double intercept() const noexcept { return intercept_; }

 protected:
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  /// |coef| normalised to sum to 1 (uniform when every coefficient is zero).
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

  std::vector<double> coef_;
  double intercept_ = 0.0;
};

/// Ordinary least squares; the minimum-norm solution when x is rank deficient (complete
/// orthogonal decomposition), as LAPACK's gelsd used by scikit-learn.
class LinearRegression final : public LinearRegressorBase {
 public:
  using Config = LinearRegressionConfig;
  static constexpr std::string_view kName = "linear_regression";
  explicit LinearRegression(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<LinearRegression>(*this);
  }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;

 private:
  Config config_;
};

/// Ridge regression in closed form (Hoerl & Kennard, 1970): (XᵀWX + αI)β = XᵀWy on centred data.
class Ridge final : public LinearRegressorBase {
 public:
  using Config = RidgeConfig;
  static constexpr std::string_view kName = "ridge";
  explicit Ridge(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<Ridge>(*this);
  }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;

 private:
  Config config_;
};

/// Elastic net by cyclic or random coordinate descent with a duality-gap stopping rule
/// (Friedman, Hastie & Tibshirani, "Regularization Paths for Generalized Linear Models via
/// Coordinate Descent", J. Stat. Softw. 2010; Zou & Hastie, 2005).
class ElasticNet final : public LinearRegressorBase {
 public:
  using Config = ElasticNetConfig;
  static constexpr std::string_view kName = "elastic_net";
  explicit ElasticNet(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<ElasticNet>(*this);
  }
  /// Coordinate-descent sweeps of the last fit.
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  int n_iter_ = 0;
};

/// The lasso (Tibshirani, 1996) by coordinate descent: ElasticNet with l1_ratio = 1.
class Lasso final : public LinearRegressorBase {
 public:
  using Config = LassoConfig;
  static constexpr std::string_view kName = "lasso";
  explicit Lasso(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<Lasso>(*this);
  }
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  int n_iter_ = 0;
};

/// Options of elastic_net_path().
struct ElasticNetPathOptions {
  double l1_ratio = 1.0;
  /// Penalties to visit (sorted into decreasing order); empty: n_alphas values log-spaced from
  /// the smallest alpha giving all-zero coefficients down to eps times it.
  std::vector<double> alphas{};
  int n_alphas = 100;
  double eps = 1e-3;
  bool fit_intercept = true;
  int max_iter = 1000;
  double tol = 1e-4;
  std::span<const double> sample_weight{};
};

/// Solutions along a regularisation path, strongest penalty first.
struct ElasticNetPath {
  std::vector<double> alphas;
  Matrix<double> coefs;  ///< n_alphas x n_features
  std::vector<double> intercepts;
  std::vector<int> n_iter;
};

/// Elastic-net solutions for a decreasing sequence of penalties, each coordinate descent
/// warm-started from the previous solution (Friedman et al., 2010).
/// @throws ShapeMismatch, InvalidArgument (non-finite data, bad options)
[[nodiscard]] ElasticNetPath elastic_net_path(MatrixView<const double> x, std::span<const double> y,
                                              const ElasticNetPathOptions& options = {});

/// Bayesian ridge regression by evidence maximisation (MacKay, "Bayesian Interpolation", 1992;
/// Tipping, "Sparse Bayesian Learning and the Relevance Vector Machine", JMLR 2001), updating
/// the precisions through one SVD of x as scikit-learn's BayesianRidge.
class BayesianRidge final : public LinearRegressorBase {
 public:
  using Config = BayesianRidgeConfig;
  static constexpr std::string_view kName = "bayesian_ridge";
  explicit BayesianRidge(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<BayesianRidge>(*this);
  }
  /// Estimated noise precision and weight precision.
  [[nodiscard]] double alpha() const noexcept { return alpha_; }
  [[nodiscard]] double lambda() const noexcept { return lambda_; }
  /// Predictive standard deviation of each row: sqrt(xᵀΣx + 1/alpha).
  /// @throws NotFitted, ShapeMismatch
  [[nodiscard]] std::vector<double> predict_std(MatrixView<const double> x) const;

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  double alpha_ = 0.0;
  double lambda_ = 0.0;
  Matrix<double> sigma_;  ///< posterior covariance of the coefficients
};

/// Linear regression by stochastic gradient descent (Bottou, "Large-Scale Machine Learning with
/// Stochastic Gradient Descent", COMPSTAT 2010), with the cumulative L1 penalty of Tsuruoka,
/// Tsujii & Ananiadou (ACL 2009).
class SgdRegressor final : public LinearRegressorBase {
 public:
  using Config = SgdRegressorConfig;
  static constexpr std::string_view kName = "sgd_regressor";
  explicit SgdRegressor(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<SgdRegressor>(*this);
  }
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;

 private:
  Config config_;
  int n_iter_ = 0;
};

// ---------------------------------------------------------------------------- classifiers

/// Shared state of the linear classifiers: one row of coefficients per decision function (one
/// for two classes, else one per class) and one intercept per row.
class LinearClassifierBase : public Model {
 public:
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  /// rows x n_features coefficients.
  [[nodiscard]] const Matrix<double>& coef() const noexcept { return coef_; }
  [[nodiscard]] const std::vector<double>& intercept() const noexcept { return intercept_; }

 protected:
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  /// Mean |coef| over decision functions, normalised to sum to 1.
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

  Matrix<double> coef_;
  std::vector<double> intercept_;
};

/// Logistic regression: L2 or no penalty by L-BFGS (Liu & Nocedal, Math. Programming 1989), L1
/// by proximal Newton coordinate descent (Friedman et al., 2010; Yuan, Ho & Lin, "An Improved
/// GLMNET for L1-regularized Logistic Regression", JMLR 2012). Multinomial (softmax) or
/// one-vs-rest for more than two classes.
class LogisticRegression final : public LinearClassifierBase {
 public:
  using Config = LogisticRegressionConfig;
  static constexpr std::string_view kName = "logistic_regression";
  explicit LogisticRegression(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<LogisticRegression>(*this);
  }
  /// Solver iterations of the last fit (the largest over one-vs-rest problems).
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  [[nodiscard]] bool multinomial() const noexcept;

  Config config_;
  int n_iter_ = 0;
  bool multinomial_ = false;
};

/// Linear classifier by stochastic gradient descent (Bottou, 2010), one-vs-rest for more than
/// two classes (binary problems trained in parallel, each with its own random stream).
class SgdClassifier final : public LinearClassifierBase {
 public:
  using Config = SgdConfig;
  static constexpr std::string_view kName = "sgd_classifier";
  explicit SgdClassifier(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  /// Only log_loss and modified_huber give probabilities.
  [[nodiscard]] bool has_predict_proba() const noexcept override;
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<SgdClassifier>(*this);
  }
  [[nodiscard]] int n_iter() const noexcept { return n_iter_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;

 private:
  Config config_;
  int n_iter_ = 0;
};

}  // namespace kolosal::training
