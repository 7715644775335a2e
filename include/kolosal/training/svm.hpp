// SPDX-License-Identifier: MIT
// Support vector machines: C-SVC (one-vs-one multiclass, Platt probabilities) and epsilon-SVR,
// trained by SMO with second-order working-set selection, shrinking and an LRU kernel cache.
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

enum class SvmKernel {
  kLinear,   ///< ⟨x, z⟩
  kPoly,     ///< (γ ⟨x, z⟩ + coef0)^degree
  kRbf,      ///< exp(−γ ‖x − z‖²)
  kSigmoid,  ///< tanh(γ ⟨x, z⟩ + coef0)
};

/// How γ is chosen (scikit-learn's gamma="scale" / "auto" / a number).
enum class SvmGamma {
  kScale,  ///< 1 / (n_features · Var(x)) over every entry of x (1 when that variance is 0)
  kAuto,   ///< 1 / n_features
  kValue,  ///< `gamma_value`
};

/// Shape of SVC::decision_function for more than two classes.
enum class DecisionShape {
  kOvr,  ///< n x n_classes: votes plus scaled confidences, as scikit-learn's default "ovr"
  kOvo,  ///< n x n_classes·(n_classes−1)/2: the raw pairwise values (pair (i, j) > 0 favours i)
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::SvmKernel> {
  using K = training::SvmKernel;
  static constexpr std::array kValues{std::pair{K::kLinear, "linear"}, std::pair{K::kPoly, "poly"},
                                      std::pair{K::kRbf, "rbf"}, std::pair{K::kSigmoid, "sigmoid"}};
};
template <>
struct EnumNames<training::SvmGamma> {
  using G = training::SvmGamma;
  static constexpr std::array kValues{std::pair{G::kScale, "scale"}, std::pair{G::kAuto, "auto"},
                                      std::pair{G::kValue, "value"}};
};
template <>
struct EnumNames<training::DecisionShape> {
  using D = training::DecisionShape;
  static constexpr std::array kValues{std::pair{D::kOvr, "ovr"}, std::pair{D::kOvo, "ovo"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// Hyperparameters of the C-SVC, with scikit-learn's names and defaults.
struct SvcConfig {
  static constexpr std::string_view kName = "SvcConfig";
  double C = 1.0;  ///< box constraint; per row C · class weight · sample weight
  SvmKernel kernel = SvmKernel::kRbf;
  int degree = 3;  ///< poly kernel degree
  SvmGamma gamma = SvmGamma::kScale;
  double gamma_value = 1.0;  ///< γ when gamma = value
  double coef0 = 0.0;        ///< poly and sigmoid offset
  double tol = 1e-3;         ///< stop when the maximal KKT violation m(α) − M(α) < tol
  bool shrinking = true;
  double cache_size_mb = 200.0;  ///< kernel-row cache budget per solver
  int max_iter = -1;             ///< SMO iterations per binary problem; −1: no limit
  ClassWeight class_weight = ClassWeight::kNone;
  std::vector<double> class_weight_values{};  ///< for class_weight = explicit
  bool probability = false;  ///< fit Platt sigmoids by internal 5-fold CV for predict_proba
  DecisionShape decision_function_shape = DecisionShape::kOvr;

  static constexpr auto fields() {
    using S = SvcConfig;
    return std::tuple{
        config::field("C", &S::C).greater_than(0.0).doc("box constraint"),
        config::field("kernel", &S::kernel).doc("linear, poly, rbf or sigmoid"),
        config::field("degree", &S::degree).at_least(0).doc("poly degree"),
        config::field("gamma", &S::gamma).doc("scale, auto or value"),
        config::field("gamma_value", &S::gamma_value).greater_than(0.0).doc("gamma = value"),
        config::field("coef0", &S::coef0).doc("poly / sigmoid offset"),
        config::field("tol", &S::tol).greater_than(0.0).doc("KKT stopping tolerance"),
        config::field("shrinking", &S::shrinking),
        config::field("cache_size_mb", &S::cache_size_mb).greater_than(0.0),
        config::field("max_iter", &S::max_iter).at_least(-1).doc("-1: no limit"),
        config::field("class_weight", &S::class_weight).doc("none, balanced or explicit"),
        config::field("class_weight_values", &S::class_weight_values).at_least(0.0),
        config::field("probability", &S::probability).doc("Platt scaling by 5-fold CV"),
        config::field("decision_function_shape", &S::decision_function_shape).doc("ovr or ovo")};
  }
  /// max_iter is −1 or positive; class_weight = explicit needs values.
  void check() const;
  friend bool operator==(const SvcConfig&, const SvcConfig&) = default;
};

/// Hyperparameters of the epsilon-SVR, with scikit-learn's names and defaults.
struct SvrConfig {
  static constexpr std::string_view kName = "SvrConfig";
  double C = 1.0;
  SvmKernel kernel = SvmKernel::kRbf;
  int degree = 3;
  SvmGamma gamma = SvmGamma::kScale;
  double gamma_value = 1.0;
  double coef0 = 0.0;
  double tol = 1e-3;
  double epsilon = 0.1;  ///< half-width of the insensitive tube
  bool shrinking = true;
  double cache_size_mb = 200.0;
  int max_iter = -1;

  static constexpr auto fields() {
    using S = SvrConfig;
    return std::tuple{
        config::field("C", &S::C).greater_than(0.0).doc("box constraint"),
        config::field("kernel", &S::kernel).doc("linear, poly, rbf or sigmoid"),
        config::field("degree", &S::degree).at_least(0).doc("poly degree"),
        config::field("gamma", &S::gamma).doc("scale, auto or value"),
        config::field("gamma_value", &S::gamma_value).greater_than(0.0).doc("gamma = value"),
        config::field("coef0", &S::coef0).doc("poly / sigmoid offset"),
        config::field("tol", &S::tol).greater_than(0.0).doc("KKT stopping tolerance"),
        config::field("epsilon", &S::epsilon).at_least(0.0).doc("insensitive tube half-width"),
        config::field("shrinking", &S::shrinking),
        config::field("cache_size_mb", &S::cache_size_mb).greater_than(0.0),
        config::field("max_iter", &S::max_iter).at_least(-1).doc("-1: no limit")};
  }
  void check() const;
  friend bool operator==(const SvrConfig&, const SvrConfig&) = default;
};

/// Kernel parameters resolved at fit time (γ computed from the data when scale / auto).
struct SvmKernelParams {
  SvmKernel kernel = SvmKernel::kRbf;
  int degree = 3;
  double gamma = 1.0;
  double coef0 = 0.0;
};

/// C-support vector classification (Cortes & Vapnik 1995) solved by SMO with the second-order
/// working-set selection of Fan, Chen & Lin (JMLR 2005), as LIBSVM (Chang & Lin 2011): shrinking,
/// an LRU cache of kernel rows, one-vs-one multiclass with voting. Probabilities: a Platt (2000)
/// sigmoid per pair fitted on 5-fold cross-validated decision values with the Newton method of
/// Lin, Lin & Weng (2007), coupled across pairs by Wu, Lin & Weng (JMLR 2004, method 2).
/// Sample weights scale C per row, as scikit-learn. The fitted state follows scikit-learn:
/// support vectors grouped by class, dual_coef n_classes−1 x n_SV, intercept per pair.
class Svc final : public Model {
 public:
  using Config = SvcConfig;
  static constexpr std::string_view kName = "svc";
  explicit Svc(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return config_.probability; }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<Svc>(*this);
  }

  /// Classes that had rows of positive weight at fit, ascending (the one-vs-one classes).
  [[nodiscard]] const std::vector<std::size_t>& classes() const noexcept { return classes_; }
  /// Training-row indices of the support vectors, grouped by class (scikit-learn's support_).
  [[nodiscard]] const std::vector<std::size_t>& support() const noexcept { return support_; }
  /// Support vectors per class of classes() (n_support_).
  [[nodiscard]] const std::vector<std::size_t>& n_support() const noexcept { return n_support_; }
  [[nodiscard]] const Matrix<double>& support_vectors() const noexcept { return sv_; }
  /// scikit-learn's dual_coef_: (n_classes − 1) x n_SV, y_i α_i laid out as LIBSVM's one-vs-one
  /// coefficients (sign flipped for two classes, so that positive favours class 1).
  [[nodiscard]] Matrix<double> dual_coef() const;
  /// scikit-learn's intercept_: one per pair (i, j), i < j, in lexicographic order.
  [[nodiscard]] std::vector<double> intercept() const;
  /// Platt sigmoid parameters per pair (empty without probability).
  [[nodiscard]] const std::vector<double>& prob_a() const noexcept { return prob_a_; }
  [[nodiscard]] const std::vector<double>& prob_b() const noexcept { return prob_b_; }
  [[nodiscard]] const SvmKernelParams& kernel_params() const noexcept { return kernel_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  /// LIBSVM's pairwise decision values, n x pairs (pair (i, j) > 0 favours class i).
  [[nodiscard]] Matrix<double> pairwise(MatrixView<const double> x) const;

  Config config_;
  SvmKernelParams kernel_;
  std::vector<std::size_t> classes_;
  std::vector<std::size_t> support_;
  std::vector<std::size_t> n_support_;
  Matrix<double> sv_;
  /// LIBSVM's sv_coef: (n_classes − 1) x n_SV.
  Matrix<double> sv_coef_;
  std::vector<double> rho_;  ///< per pair; decision = Σ coef K − rho
  std::vector<double> prob_a_;
  std::vector<double> prob_b_;
};

/// Epsilon-support vector regression (Vapnik 1995; Smola & Schölkopf 2004) solved by the same
/// SMO as Svc on the 2n-variable dual. Sample weights scale C per row.
class Svr final : public Model {
 public:
  using Config = SvrConfig;
  static constexpr std::string_view kName = "svr";
  explicit Svr(Config config = {}) : config_(config) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] bool has_decision_function() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<Svr>(*this);
  }

  [[nodiscard]] const std::vector<std::size_t>& support() const noexcept { return support_; }
  [[nodiscard]] const Matrix<double>& support_vectors() const noexcept { return sv_; }
  /// α_i − α_i* per support vector (scikit-learn's dual_coef_ row).
  [[nodiscard]] const std::vector<double>& dual_coef() const noexcept { return coef_; }
  [[nodiscard]] double intercept() const noexcept { return -rho_; }
  [[nodiscard]] const SvmKernelParams& kernel_params() const noexcept { return kernel_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_decision_function(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  SvmKernelParams kernel_;
  std::vector<std::size_t> support_;
  Matrix<double> sv_;
  std::vector<double> coef_;
  double rho_ = 0.0;
};

}  // namespace kolosal::training
