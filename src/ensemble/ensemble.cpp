// SPDX-License-Identifier: MIT
// Voting and stacking ensembles over registered models.
#include "kolosal/ensemble/ensemble.hpp"

#include <algorithm>
#include <cmath>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/data/split.hpp"
#include "kolosal/training/registry.hpp"

#include "core/row_subset.hpp"

namespace kolosal::ensemble {
namespace {

using nlohmann::json;

void check_members(const std::vector<EnsembleMember>& members, std::string_view who) {
  KOLOSAL_CHECK(!members.empty(), ConfigError, who, ": members must name at least one model");
  bool any_weight = false;
  for (std::size_t i = 0; i < members.size(); ++i) {
    KOLOSAL_CHECK(!members[i].model.empty(), ConfigError, who, ": members[", i, "].model is empty");
    KOLOSAL_CHECK(members[i].weight >= 0.0 && std::isfinite(members[i].weight), ConfigError, who,
                  ": members[", i, "].weight must be a finite number >= 0, got ",
                  members[i].weight);
    any_weight = any_weight || members[i].weight > 0.0;
  }
  KOLOSAL_CHECK(any_weight, ConfigError, who, ": at least one member needs a positive weight");
}

using detail::take_rows;
using detail::take_values;

// The columns one member contributes to the meta-model's input.
Matrix<double> member_outputs(const Model& model, MatrixView<const double> x) {
  if (model.is_classifier()) {
    Matrix<double> scores =
        model.has_predict_proba() ? model.predict_proba(x) : model.decision_function(x);
    if (model.has_predict_proba() && scores.cols() == 2) {
      // Binary: the two columns are collinear; keep the positive class, as scikit-learn does.
      Matrix<double> positive(scores.rows(), 1);
      for (std::size_t i = 0; i < scores.rows(); ++i) positive(i, 0) = scores(i, 1);
      return positive;
    }
    return scores;
  }
  const std::vector<double> p = model.predict(x);
  Matrix<double> out(p.size(), 1);
  std::copy(p.begin(), p.end(), out.data());
  return out;
}

// Writes the rows of `block` into rows `rows` of `out` (same width).
void scatter(const Matrix<double>& block, std::span<const std::size_t> rows, Matrix<double>& out) {
  for (std::size_t r = 0; r < rows.size(); ++r) {
    std::copy(block.row(r).begin(), block.row(r).end(), out.row(rows[r]).begin());
  }
}

// The meta-model's input: the member blocks side by side, then x itself with passthrough.
Matrix<double> side_by_side(const std::vector<Matrix<double>>& blocks, MatrixView<const double> x,
                            bool passthrough) {
  std::size_t width = passthrough ? x.cols() : 0;
  for (const auto& block : blocks) width += block.cols();
  Matrix<double> out(x.rows(), width);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    auto dst = out.row(i).begin();
    for (const auto& block : blocks) dst = std::copy(block.row(i).begin(), block.row(i).end(), dst);
    if (passthrough) std::copy(x.row(i).begin(), x.row(i).end(), dst);
  }
  return out;
}

}  // namespace

// ------------------------------------------------------------------------------- configs

void VotingConfig::check() const { check_members(members, "VotingEnsemble"); }

void StackingConfig::check() const { check_members(members, "StackingEnsemble"); }

// ------------------------------------------------------------------------------ MemberSet

MemberSet::MemberSet(const std::vector<EnsembleMember>& specs, std::string_view who) {
  models_.reserve(specs.size());
  for (std::size_t i = 0; i < specs.size(); ++i) {
    try {
      models_.push_back(training::make_model(specs[i].model, specs[i].params));
    } catch (const Error& e) {
      KOLOSAL_THROW(ConfigError, who, ": members[", i, "] (", specs[i].model, "): ", e.what());
    }
    KOLOSAL_CHECK(models_.back()->name() != VotingEnsemble::kName &&
                      models_.back()->name() != StackingEnsemble::kName,
                  ConfigError, who, ": members[", i,
                  "] is itself an ensemble; nest by stacking "
                  "the members instead");
    if (i == 0) kind_ = models_[0]->kind();
    KOLOSAL_CHECK(models_.back()->kind() == kind_, ConfigError, who,
                  ": members mix classifiers and regressors (members[0] is ", models_[0]->name(),
                  ", members[", i, "] is ", specs[i].model, ")");
  }
}

MemberSet::MemberSet(const MemberSet& other) : kind_(other.kind_) {
  models_.reserve(other.models_.size());
  for (const auto& m : other.models_) models_.push_back(m->clone());
}

MemberSet& MemberSet::operator=(const MemberSet& other) {
  if (this != &other) *this = MemberSet(other);
  return *this;
}

bool MemberSet::all_handle_missing() const noexcept {
  return std::all_of(models_.begin(), models_.end(),
                     [](const auto& m) { return m->handles_missing(); });
}

json MemberSet::state() const {
  json out = json::array();
  for (const auto& m : models_) out.push_back(training::model_to_json(*m));
  return out;
}

void MemberSet::load_state(const json& state, std::string_view who) {
  KOLOSAL_CHECK(state.is_array() && state.size() == models_.size(), SerializationError, who,
                ": expected ", models_.size(), " member states");
  for (std::size_t i = 0; i < models_.size(); ++i) {
    auto loaded = training::model_from_json(state[i]);
    KOLOSAL_CHECK(loaded->name() == models_[i]->name(), SerializationError, who, ": member ", i,
                  " is '", loaded->name(), "' in the state but '", models_[i]->name(),
                  "' in the config");
    models_[i] = std::move(loaded);
  }
}

// ------------------------------------------------------------------------- VotingEnsemble

VotingEnsemble::VotingEnsemble(Config config)
    : config_(std::move(config)),
      members_((config::validate(config_, "VotingEnsemble"), config_.members), "VotingEnsemble") {}

bool VotingEnsemble::has_predict_proba() const noexcept {
  if (kind() != ModelKind::kClassifier || config_.voting != VotingMode::kSoft) return false;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (!members_[i].has_predict_proba()) return false;
  }
  return true;
}

json VotingEnsemble::config() const { return config::to_json(config_); }

void VotingEnsemble::do_fit(MatrixView<const double> x, std::span<const double> y,
                            const FitOptions& options) {
  config::validate(config_, "VotingEnsemble");
  if (kind() == ModelKind::kClassifier && config_.voting == VotingMode::kSoft) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      KOLOSAL_CHECK(members_[i].has_predict_proba(), ConfigError, "VotingEnsemble: member ", i,
                    " (", members_[i].name(),
                    ") has no predict_proba; use voting \"hard\" or another member");
    }
  }
  FitOptions member_options = options;
  if (kind() == ModelKind::kClassifier) member_options.n_classes = n_classes();
  for (std::size_t i = 0; i < members_.size(); ++i) {
    members_[i].set_context(context());
    members_[i].fit(x, y, member_options);
  }
}

Matrix<double> VotingEnsemble::do_predict_proba(MatrixView<const double> x) const {
  Matrix<double> out(x.rows(), n_classes(), 0.0);
  double total = 0.0;
  for (std::size_t m = 0; m < members_.size(); ++m) {
    const double w = config_.members[m].weight;
    if (w == 0.0) continue;
    const Matrix<double> p = members_[m].predict_proba(x);
    for (std::size_t i = 0; i < out.rows(); ++i) {
      for (std::size_t j = 0; j < out.cols(); ++j) out(i, j) += w * p(i, j);
    }
    total += w;
  }
  for (double& v : std::span<double>(out.data(), out.rows() * out.cols())) v /= total;
  return out;
}

std::vector<double> VotingEnsemble::do_predict(MatrixView<const double> x) const {
  std::vector<double> out(x.rows(), 0.0);
  if (kind() == ModelKind::kRegressor) {
    double total = 0.0;
    for (std::size_t m = 0; m < members_.size(); ++m) {
      const double w = config_.members[m].weight;
      if (w == 0.0) continue;
      const std::vector<double> p = members_[m].predict(x);
      for (std::size_t i = 0; i < out.size(); ++i) out[i] += w * p[i];
      total += w;
    }
    for (double& v : out) v /= total;
    return out;
  }
  Matrix<double> votes;
  if (config_.voting == VotingMode::kSoft) {
    votes = do_predict_proba(x);
  } else {
    votes = Matrix<double>(x.rows(), n_classes(), 0.0);
    for (std::size_t m = 0; m < members_.size(); ++m) {
      const double w = config_.members[m].weight;
      if (w == 0.0) continue;
      const std::vector<double> p = members_[m].predict(x);
      for (std::size_t i = 0; i < out.size(); ++i) votes(i, static_cast<std::size_t>(p[i])) += w;
    }
  }
  for (std::size_t i = 0; i < out.size(); ++i) {
    const auto row = votes.row(i);
    out[i] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

json VotingEnsemble::do_state() const { return json{{"members", members_.state()}}; }

void VotingEnsemble::do_load_state(const json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("members"), SerializationError,
                "VotingEnsemble: state lacks 'members'");
  members_.load_state(state["members"], "VotingEnsemble");
}

// ----------------------------------------------------------------------- StackingEnsemble

namespace {

std::unique_ptr<Model> make_final(const StackingConfig& config, ModelKind kind) {
  const EnsembleMember& spec = config.final_estimator;
  const std::string name = !spec.model.empty()              ? spec.model
                           : kind == ModelKind::kClassifier ? std::string("logistic_regression")
                                                            : std::string("ridge");
  std::unique_ptr<Model> model;
  try {
    model = training::make_model(name, spec.params);
  } catch (const Error& e) {
    KOLOSAL_THROW(ConfigError, "StackingEnsemble: final_estimator (", name, "): ", e.what());
  }
  KOLOSAL_CHECK(model->kind() == kind, ConfigError, "StackingEnsemble: final_estimator '", name,
                "' is a ", model->is_classifier() ? "classifier" : "regressor",
                " but the members are ",
                kind == ModelKind::kClassifier ? "classifiers" : "regressors");
  return model;
}

}  // namespace

StackingEnsemble::StackingEnsemble(Config config)
    : config_(std::move(config)),
      members_((config::validate(config_, "StackingEnsemble"), config_.members),
               "StackingEnsemble"),
      final_(make_final(config_, members_.kind())) {}

StackingEnsemble::StackingEnsemble(const StackingEnsemble& other)
    : Model(other),
      config_(other.config_),
      members_(other.members_),
      final_(other.final_->clone()) {}

StackingEnsemble& StackingEnsemble::operator=(const StackingEnsemble& other) {
  if (this != &other) *this = StackingEnsemble(other);
  return *this;
}

bool StackingEnsemble::has_predict_proba() const noexcept { return final_->has_predict_proba(); }

json StackingEnsemble::config() const { return config::to_json(config_); }

Matrix<double> StackingEnsemble::meta_features(MatrixView<const double> x) const {
  std::vector<Matrix<double>> blocks;
  for (std::size_t m = 0; m < members_.size(); ++m)
    blocks.push_back(member_outputs(members_[m], x));
  return side_by_side(blocks, x, config_.passthrough);
}

void StackingEnsemble::do_fit(MatrixView<const double> x, std::span<const double> y,
                              const FitOptions& options) {
  config::validate(config_, "StackingEnsemble");
  const std::size_t n = x.rows();
  const bool classifier = kind() == ModelKind::kClassifier;
  FitOptions member_options;
  if (classifier) member_options.n_classes = n_classes();
  for (std::size_t m = 0; m < members_.size(); ++m) members_[m].set_context(context());
  final_->set_context(context());

  auto fit_member = [&](Model& model, std::span<const std::size_t> rows) {
    const Matrix<double> xs = take_rows(x, rows);
    const std::vector<double> ys = take_values(y, rows);
    const std::vector<double> ws = take_values(options.sample_weight, rows);
    FitOptions o = member_options;
    o.sample_weight = ws;
    model.fit(xs.view(), ys, o);
  };

  // Rows whose held-out member predictions train the meta-model, and those predictions.
  std::vector<std::size_t> meta_rows;
  Matrix<double> meta;
  std::vector<std::int32_t> classes;
  if (classifier) {
    classes.resize(n);
    for (std::size_t i = 0; i < n; ++i) classes[i] = static_cast<std::int32_t>(y[i]);
  }
  if (config_.blend_fraction > 0.0) {
    const data::SplitIndices split =
        classifier ? data::stratified_train_test_split(std::span<const std::int32_t>(classes),
                                                       config_.blend_fraction, context().seed)
                   : data::train_test_split(n, config_.blend_fraction, true, context().seed);
    for (std::size_t m = 0; m < members_.size(); ++m) fit_member(members_[m], split.train);
    meta_rows = split.test;
    std::sort(meta_rows.begin(), meta_rows.end());
    const Matrix<double> held = take_rows(x, meta_rows);
    meta = meta_features(held.view());
  } else {
    KOLOSAL_CHECK(config_.n_folds <= n, InvalidArgument, "StackingEnsemble: n_folds ",
                  config_.n_folds, " exceeds the ", n, " training rows");
    const auto splits = classifier ? data::stratified_k_fold(std::span<const std::int32_t>(classes),
                                                             config_.n_folds, false)
                                   : data::k_fold(n, config_.n_folds, false);
    std::vector<Matrix<double>> oof(members_.size());
    for (const auto& split : splits) {
      const Matrix<double> held = take_rows(x, split.test);
      for (std::size_t m = 0; m < members_.size(); ++m) {
        const std::unique_ptr<Model> fold_model = members_[m].clone();
        fit_member(*fold_model, split.train);
        const Matrix<double> block = member_outputs(*fold_model, held.view());
        if (oof[m].rows() == 0) oof[m] = Matrix<double>(n, block.cols());
        scatter(block, split.test, oof[m]);
      }
    }
    meta = side_by_side(oof, x, config_.passthrough);
    std::vector<std::size_t> all(n);
    for (std::size_t i = 0; i < n; ++i) all[i] = i;
    meta_rows = all;
    // The members used at predict time see all the rows.
    for (std::size_t m = 0; m < members_.size(); ++m) fit_member(members_[m], all);
  }
  const std::vector<double> meta_y = take_values(y, meta_rows);
  const std::vector<double> meta_w = take_values(options.sample_weight, meta_rows);
  FitOptions final_options = member_options;
  final_options.sample_weight = meta_w;
  final_->fit(meta.view(), meta_y, final_options);
}

std::vector<double> StackingEnsemble::do_predict(MatrixView<const double> x) const {
  const Matrix<double> meta = meta_features(x);
  return final_->predict(meta.view());
}

Matrix<double> StackingEnsemble::do_predict_proba(MatrixView<const double> x) const {
  const Matrix<double> meta = meta_features(x);
  return final_->predict_proba(meta.view());
}

json StackingEnsemble::do_state() const {
  return json{{"members", members_.state()}, {"final", training::model_to_json(*final_)}};
}

void StackingEnsemble::do_load_state(const json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("members") && state.contains("final"),
                SerializationError, "StackingEnsemble: state lacks 'members' or 'final'");
  members_.load_state(state["members"], "StackingEnsemble");
  auto loaded = training::model_from_json(state["final"]);
  KOLOSAL_CHECK(loaded->name() == final_->name(), SerializationError,
                "StackingEnsemble: the state's final estimator is '", loaded->name(),
                "' but the config's is '", final_->name(), "'");
  final_ = std::move(loaded);
}

}  // namespace kolosal::ensemble
