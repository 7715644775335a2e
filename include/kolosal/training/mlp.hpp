// SPDX-License-Identifier: MIT
// Multi-layer perceptrons (classifier and regressor) trained by Adam or SGD with momentum.
#pragma once

#include <array>
#include <optional>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

enum class MlpActivation { kIdentity, kLogistic, kTanh, kRelu };
enum class MlpSolver { kAdam, kSgd };
/// Learning-rate schedule of the SGD solver.
enum class MlpLearningRate {
  kConstant,    ///< learning_rate_init throughout
  kInvScaling,  ///< learning_rate_init / (t + 1)^power_t, t the rows seen
  kAdaptive,    ///< divided by 5 whenever n_iter_no_change epochs fail to improve by tol
};

}  // namespace kolosal::training

namespace kolosal::config {
template <>
struct EnumNames<training::MlpActivation> {
  using A = training::MlpActivation;
  static constexpr std::array kValues{std::pair{A::kIdentity, "identity"},
                                      std::pair{A::kLogistic, "logistic"},
                                      std::pair{A::kTanh, "tanh"}, std::pair{A::kRelu, "relu"}};
};
template <>
struct EnumNames<training::MlpSolver> {
  using S = training::MlpSolver;
  static constexpr std::array kValues{std::pair{S::kAdam, "adam"}, std::pair{S::kSgd, "sgd"}};
};
template <>
struct EnumNames<training::MlpLearningRate> {
  using L = training::MlpLearningRate;
  static constexpr std::array kValues{std::pair{L::kConstant, "constant"},
                                      std::pair{L::kInvScaling, "invscaling"},
                                      std::pair{L::kAdaptive, "adaptive"}};
};
}  // namespace kolosal::config

namespace kolosal::training {

/// Hyperparameters shared by MlpClassifier and MlpRegressor (scikit-learn's names and defaults).
struct MlpConfig {
  static constexpr std::string_view kName = "MlpConfig";
  std::vector<int> hidden_layer_sizes{100};
  MlpActivation activation = MlpActivation::kRelu;
  MlpSolver solver = MlpSolver::kAdam;
  double alpha = 1e-4;              ///< L2 penalty
  std::optional<int> batch_size{};  ///< unset: min(200, rows)
  MlpLearningRate learning_rate = MlpLearningRate::kConstant;
  double learning_rate_init = 1e-3;
  double power_t = 0.5;
  int max_iter = 200;  ///< epochs
  bool shuffle = true;
  double tol = 1e-4;
  double momentum = 0.9;
  bool nesterovs_momentum = true;
  bool early_stopping = false;  ///< stop on a held-out validation score
  double validation_fraction = 0.1;
  double beta_1 = 0.9;
  double beta_2 = 0.999;
  double epsilon = 1e-8;
  int n_iter_no_change = 10;

  static constexpr auto fields() {
    using C = MlpConfig;
    return std::tuple{
        config::field("hidden_layer_sizes", &C::hidden_layer_sizes).at_least(1),
        config::field("activation", &C::activation).doc("identity, logistic, tanh or relu"),
        config::field("solver", &C::solver).doc("adam or sgd"),
        config::field("alpha", &C::alpha).at_least(0.0),
        config::field("batch_size", &C::batch_size).at_least(1),
        config::field("learning_rate", &C::learning_rate).doc("constant, invscaling or adaptive"),
        config::field("learning_rate_init", &C::learning_rate_init).greater_than(0.0),
        config::field("power_t", &C::power_t).at_least(0.0),
        config::field("max_iter", &C::max_iter).at_least(1),
        config::field("shuffle", &C::shuffle),
        config::field("tol", &C::tol).at_least(0.0),
        config::field("momentum", &C::momentum).at_least(0.0).at_most(1.0),
        config::field("nesterovs_momentum", &C::nesterovs_momentum),
        config::field("early_stopping", &C::early_stopping),
        config::field("validation_fraction", &C::validation_fraction)
            .greater_than(0.0)
            .less_than(1.0),
        config::field("beta_1", &C::beta_1).at_least(0.0).less_than(1.0),
        config::field("beta_2", &C::beta_2).at_least(0.0).less_than(1.0),
        config::field("epsilon", &C::epsilon).greater_than(0.0),
        config::field("n_iter_no_change", &C::n_iter_no_change).at_least(1)};
  }
  friend bool operator==(const MlpConfig&, const MlpConfig&) = default;
};

/// Learned weights of a perceptron: layer l maps fan_in -> fan_out with a row-major
/// fan_in x fan_out matrix and a bias.
struct MlpWeights {
  std::vector<std::size_t> sizes;  ///< units per layer, input first, output last
  std::vector<std::vector<double>> coefs;
  std::vector<std::vector<double>> intercepts;
};

/// Multi-layer perceptron classifier (Rumelhart, Hinton & Williams, "Learning representations by
/// back-propagating errors", Nature 323, 1986) with Glorot initialisation (Glorot & Bengio, 2010)
/// and Adam (Kingma & Ba, "Adam: a method for stochastic optimization", ICLR 2015) or SGD with
/// (Nesterov) momentum; logistic output for two classes, softmax otherwise; as scikit-learn's
/// MLPClassifier. Epoch shuffles and initial weights come from the context seed.
class MlpClassifier final : public Model {
 public:
  using Config = MlpConfig;
  static constexpr std::string_view kName = "mlp_classifier";

  explicit MlpClassifier(Config config = {}) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<MlpClassifier>(*this);
  }
  [[nodiscard]] const MlpWeights& weights() const noexcept { return weights_; }
  /// Training loss per epoch.
  [[nodiscard]] const std::vector<double>& loss_curve() const noexcept { return loss_curve_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  MlpWeights weights_;
  std::vector<double> loss_curve_;
};

/// Multi-layer perceptron regressor with an identity output and squared loss; scikit-learn's
/// MLPRegressor.
class MlpRegressor final : public Model {
 public:
  using Config = MlpConfig;
  static constexpr std::string_view kName = "mlp_regressor";

  explicit MlpRegressor(Config config = {}) : config_(std::move(config)) {}

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kRegressor; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<MlpRegressor>(*this);
  }
  [[nodiscard]] const MlpWeights& weights() const noexcept { return weights_; }
  [[nodiscard]] const std::vector<double>& loss_curve() const noexcept { return loss_curve_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  MlpWeights weights_;
  std::vector<double> loss_curve_;
};

}  // namespace kolosal::training
