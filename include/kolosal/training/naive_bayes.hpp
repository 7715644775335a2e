// SPDX-License-Identifier: MIT
// Naive Bayes classifiers: Gaussian, multinomial, Bernoulli and categorical likelihoods with
// additive smoothing, as scikit-learn's sklearn.naive_bayes.
#pragma once

#include <optional>
#include <string_view>
#include <tuple>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

struct GaussianNbConfig {
  static constexpr std::string_view kName = "GaussianNbConfig";
  /// Share of the largest feature variance added to every variance, for numerical stability.
  double var_smoothing = 1e-9;
  /// Prior probability of each class; empty means the (weighted) class frequencies.
  std::vector<double> priors{};

  static constexpr auto fields() {
    return std::tuple{config::field("var_smoothing", &GaussianNbConfig::var_smoothing)
                          .at_least(0.0)
                          .doc("variance added, relative to the largest feature variance"),
                      config::field("priors", &GaussianNbConfig::priors)
                          .at_least(0.0)
                          .doc("class priors (empty: from the data)")};
  }
  friend bool operator==(const GaussianNbConfig&, const GaussianNbConfig&) = default;
};

/// Shared by the discrete naive Bayes models.
struct DiscreteNbConfig {
  static constexpr std::string_view kName = "DiscreteNbConfig";
  double alpha = 1.0;  ///< additive (Laplace/Lidstone) smoothing; values below 1e-10 become 1e-10
  bool fit_prior = true;              ///< learn class priors; false gives uniform priors
  std::vector<double> class_prior{};  ///< fixed class priors, overriding fit_prior when set

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &DiscreteNbConfig::alpha).at_least(0.0).doc("additive smoothing"),
        config::field("fit_prior", &DiscreteNbConfig::fit_prior).doc("learn class priors"),
        config::field("class_prior", &DiscreteNbConfig::class_prior)
            .at_least(0.0)
            .doc("fixed class priors (empty: fit_prior decides)")};
  }
  friend bool operator==(const DiscreteNbConfig&, const DiscreteNbConfig&) = default;
};

struct MultinomialNbConfig : DiscreteNbConfig {
  static constexpr std::string_view kName = "MultinomialNbConfig";
  static constexpr auto fields() { return DiscreteNbConfig::fields(); }
  friend bool operator==(const MultinomialNbConfig&, const MultinomialNbConfig&) = default;
};

struct BernoulliNbConfig {
  static constexpr std::string_view kName = "BernoulliNbConfig";
  double alpha = 1.0;
  bool fit_prior = true;
  std::vector<double> class_prior{};
  /// Features above this threshold count as 1; unset means x is already 0/1.
  std::optional<double> binarize = 0.0;

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &BernoulliNbConfig::alpha).at_least(0.0).doc("additive smoothing"),
        config::field("fit_prior", &BernoulliNbConfig::fit_prior).doc("learn class priors"),
        config::field("class_prior", &BernoulliNbConfig::class_prior)
            .at_least(0.0)
            .doc("fixed class priors (empty: fit_prior decides)"),
        config::field("binarize", &BernoulliNbConfig::binarize)
            .doc("threshold for mapping features to 0/1 (null: already binary)")};
  }
  friend bool operator==(const BernoulliNbConfig&, const BernoulliNbConfig&) = default;
};

struct CategoricalNbConfig {
  static constexpr std::string_view kName = "CategoricalNbConfig";
  double alpha = 1.0;
  bool fit_prior = true;
  std::vector<double> class_prior{};
  /// Categories per feature at least this many (0: one more than the largest index seen).
  int min_categories = 0;

  static constexpr auto fields() {
    return std::tuple{
        config::field("alpha", &CategoricalNbConfig::alpha).at_least(0.0).doc("additive smoothing"),
        config::field("fit_prior", &CategoricalNbConfig::fit_prior).doc("learn class priors"),
        config::field("class_prior", &CategoricalNbConfig::class_prior)
            .at_least(0.0)
            .doc("fixed class priors (empty: fit_prior decides)"),
        config::field("min_categories", &CategoricalNbConfig::min_categories)
            .at_least(0)
            .doc("minimum number of categories per feature")};
  }
  friend bool operator==(const CategoricalNbConfig&, const CategoricalNbConfig&) = default;
};

/// Shared prediction of the naive Bayes models: argmax and softmax of the joint log-likelihood
/// log P(c) + log P(x | c).
class NaiveBayesBase : public Model {
 public:
  [[nodiscard]] ModelKind kind() const noexcept override { return ModelKind::kClassifier; }
  [[nodiscard]] bool has_predict_proba() const noexcept override { return true; }
  /// log P(c) of every class.
  [[nodiscard]] const std::vector<double>& class_log_prior() const noexcept {
    return class_log_prior_;
  }
  /// The joint log-likelihood, n x n_classes. @throws NotFitted, ShapeMismatch, InvalidArgument
  [[nodiscard]] Matrix<double> joint_log_likelihood(MatrixView<const double> x) const;

 protected:
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  /// Adds log P(x | c) to `out` (already holding the log priors).
  virtual void add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const = 0;
  /// Sets class_log_prior_ from the weighted class counts, fixed priors or uniform priors.
  void set_priors(const std::vector<double>& class_count, const std::vector<double>& fixed,
                  bool fit_prior, std::string_view who);

  std::vector<double> class_log_prior_;
};

/// Gaussian naive Bayes: per-class feature means and variances (Chan, Golub & LeVeque's
/// weighted moments; the classifier as in Hastie, Tibshirani & Friedman, ESL §6.6.3).
class GaussianNb final : public NaiveBayesBase {
 public:
  using Config = GaussianNbConfig;
  static constexpr std::string_view kName = "gaussian_nb";
  explicit GaussianNb(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<GaussianNb>(*this);
  }
  /// n_classes x n_features means and (smoothed) variances.
  [[nodiscard]] const Matrix<double>& theta() const noexcept { return theta_; }
  [[nodiscard]] const Matrix<double>& var() const noexcept { return var_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  void add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  Matrix<double> theta_;
  Matrix<double> var_;
};

/// Multinomial naive Bayes for counts (McCallum & Nigam, "A Comparison of Event Models for
/// Naive Bayes Text Classification", AAAI 1998 workshop).
class MultinomialNb final : public NaiveBayesBase {
 public:
  using Config = MultinomialNbConfig;
  static constexpr std::string_view kName = "multinomial_nb";
  explicit MultinomialNb(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<MultinomialNb>(*this);
  }
  /// n_classes x n_features log P(feature | class).
  [[nodiscard]] const Matrix<double>& feature_log_prob() const noexcept { return log_prob_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  void add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  Matrix<double> log_prob_;
};

/// Bernoulli naive Bayes for binary features (McCallum & Nigam, 1998), penalising absent
/// features explicitly.
class BernoulliNb final : public NaiveBayesBase {
 public:
  using Config = BernoulliNbConfig;
  static constexpr std::string_view kName = "bernoulli_nb";
  explicit BernoulliNb(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<BernoulliNb>(*this);
  }
  [[nodiscard]] const Matrix<double>& feature_log_prob() const noexcept { return log_prob_; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  void add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  [[nodiscard]] double binary(double v, std::size_t r, std::size_t j, std::string_view who) const;

  Config config_;
  Matrix<double> log_prob_;
};

/// Categorical naive Bayes: every feature holds category indices 0, 1, 2, ... with a smoothed
/// categorical distribution per class.
class CategoricalNb final : public NaiveBayesBase {
 public:
  using Config = CategoricalNbConfig;
  static constexpr std::string_view kName = "categorical_nb";
  explicit CategoricalNb(Config config = {}) : config_(std::move(config)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<CategoricalNb>(*this);
  }
  /// Categories of each feature.
  [[nodiscard]] const std::vector<std::size_t>& n_categories() const noexcept {
    return n_categories_;
  }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  void add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  std::vector<std::size_t> n_categories_;
  /// Per feature, n_classes x n_categories log-probabilities, flattened row-major.
  std::vector<std::vector<double>> log_prob_;
};

}  // namespace kolosal::training
