// SPDX-License-Identifier: MIT
// Ensembles of registered models behind the Model boundary: weighted voting, and stacking or
// blending with a meta-model (Wolpert, "Stacked Generalization", 1992), as scikit-learn's
// VotingClassifier / StackingClassifier. Registered as "voting" and "stacking".
#pragma once

#include <array>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::ensemble {

enum class VotingMode {
  kSoft,  ///< classifiers: weighted mean of probabilities; regressors: weighted mean
  kHard,  ///< classifiers: weighted majority of predicted classes (ties to the smaller class)
};

}  // namespace kolosal::ensemble

namespace kolosal::config {
template <>
struct EnumNames<ensemble::VotingMode> {
  static constexpr std::array kValues{std::pair{ensemble::VotingMode::kSoft, "soft"},
                                      std::pair{ensemble::VotingMode::kHard, "hard"}};
};
}  // namespace kolosal::config

namespace kolosal::ensemble {

/// One member: a registered model name, its config, and its weight in a vote.
struct EnsembleMember {
  static constexpr std::string_view kName = "EnsembleMember";
  std::string model{};
  nlohmann::json params = nlohmann::json::object();
  double weight = 1.0;

  static constexpr auto fields() {
    return std::tuple{
        config::field("model", &EnsembleMember::model).doc("registered model name"),
        config::field("params", &EnsembleMember::params).doc("the member's config object"),
        config::field("weight", &EnsembleMember::weight).at_least(0.0).doc("vote weight")};
  }
  friend bool operator==(const EnsembleMember&, const EnsembleMember&) = default;
};

struct VotingConfig {
  static constexpr std::string_view kName = "VotingConfig";
  std::vector<EnsembleMember> members{};
  VotingMode voting = VotingMode::kSoft;

  static constexpr auto fields() {
    return std::tuple{config::field("members", &VotingConfig::members)
                          .doc("[{model, params, weight}], all classifiers or all regressors"),
                      config::field("voting", &VotingConfig::voting).doc("soft or hard")};
  }
  void check() const;
  friend bool operator==(const VotingConfig&, const VotingConfig&) = default;
};

struct StackingConfig {
  static constexpr std::string_view kName = "StackingConfig";
  std::vector<EnsembleMember> members{};
  /// The meta-model; an empty model name means logistic_regression for classifiers and ridge
  /// for regressors, as scikit-learn's defaults.
  EnsembleMember final_estimator{};
  /// Stacking: members' out-of-fold predictions over this many folds (k-fold for regressors,
  /// stratified for classifiers, unshuffled as scikit-learn's default cv) train the meta-model.
  std::size_t n_folds = 5;
  /// Blending instead of stacking when > 0: members train on the other rows and the meta-model
  /// on their predictions for this (stratified, seeded) held-out fraction.
  double blend_fraction = 0.0;
  /// Also give the meta-model the original features.
  bool passthrough = false;

  static constexpr auto fields() {
    return std::tuple{
        config::field("members", &StackingConfig::members).doc("[{model, params}]"),
        config::field("final_estimator", &StackingConfig::final_estimator)
            .doc("{model, params} of the meta-model; empty model: logistic_regression / ridge"),
        config::field("n_folds", &StackingConfig::n_folds).at_least(2),
        config::field("blend_fraction", &StackingConfig::blend_fraction)
            .at_least(0.0)
            .less_than(1.0)
            .doc("0: stacking by cross-validation; else blending on a held-out fraction"),
        config::field("passthrough", &StackingConfig::passthrough)};
  }
  void check() const;
  friend bool operator==(const StackingConfig&, const StackingConfig&) = default;
};

/// Shared plumbing of the ensembles: member prototypes built from the config (so names and
/// configs are checked at construction), deep copies, and the members' kind.
class MemberSet {
 public:
  MemberSet() = default;
  MemberSet(const std::vector<EnsembleMember>& specs, std::string_view who);
  MemberSet(const MemberSet& other);
  MemberSet& operator=(const MemberSet& other);
  MemberSet(MemberSet&&) noexcept = default;
  MemberSet& operator=(MemberSet&&) noexcept = default;
  ~MemberSet() = default;

  [[nodiscard]] std::size_t size() const noexcept { return models_.size(); }
  [[nodiscard]] Model& operator[](std::size_t i) { return *models_[i]; }
  [[nodiscard]] const Model& operator[](std::size_t i) const { return *models_[i]; }
  [[nodiscard]] ModelKind kind() const noexcept { return kind_; }
  [[nodiscard]] bool all_handle_missing() const noexcept;
  [[nodiscard]] nlohmann::json state() const;
  void load_state(const nlohmann::json& state, std::string_view who);

 private:
  std::vector<std::unique_ptr<Model>> models_;
  ModelKind kind_ = ModelKind::kClassifier;
};

/// Weighted voting over member models, each fitted on all the data.
class VotingEnsemble final : public Model {
 public:
  using Config = VotingConfig;
  static constexpr std::string_view kName = "voting";

  explicit VotingEnsemble(Config config);

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return members_.kind(); }
  [[nodiscard]] bool has_predict_proba() const noexcept override;
  [[nodiscard]] bool handles_missing() const noexcept override {
    return members_.all_handle_missing();
  }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<VotingEnsemble>(*this);
  }
  [[nodiscard]] const Config& settings() const noexcept { return config_; }
  /// The fitted member i (prototype before fit).
  [[nodiscard]] const Model& member(std::size_t i) const { return members_[i]; }

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  MemberSet members_;
};

/// Stacking (or blending): a meta-model trained on the members' held-out predictions.
class StackingEnsemble final : public Model {
 public:
  using Config = StackingConfig;
  static constexpr std::string_view kName = "stacking";

  explicit StackingEnsemble(Config config);
  StackingEnsemble(const StackingEnsemble& other);
  StackingEnsemble& operator=(const StackingEnsemble& other);
  StackingEnsemble(StackingEnsemble&&) noexcept = default;
  StackingEnsemble& operator=(StackingEnsemble&&) noexcept = default;
  ~StackingEnsemble() override = default;

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] ModelKind kind() const noexcept override { return members_.kind(); }
  [[nodiscard]] bool has_predict_proba() const noexcept override;
  [[nodiscard]] bool handles_missing() const noexcept override {
    return members_.all_handle_missing() && (!config_.passthrough || final_->handles_missing());
  }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<StackingEnsemble>(*this);
  }
  [[nodiscard]] const Config& settings() const noexcept { return config_; }
  [[nodiscard]] const Model& member(std::size_t i) const { return members_[i]; }
  [[nodiscard]] const Model& final_estimator() const { return *final_; }
  /// The meta-model's input for rows of x: each member's probabilities (the positive class only
  /// for binary problems, as scikit-learn) or predictions, then x itself with passthrough.
  [[nodiscard]] Matrix<double> meta_features(MatrixView<const double> x) const;

 protected:
  void do_fit(MatrixView<const double> x, std::span<const double> y,
              const FitOptions& options) override;
  [[nodiscard]] std::vector<double> do_predict(MatrixView<const double> x) const override;
  [[nodiscard]] Matrix<double> do_predict_proba(MatrixView<const double> x) const override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  Config config_;
  MemberSet members_;
  std::unique_ptr<Model> final_;
};

}  // namespace kolosal::ensemble
