// SPDX-License-Identifier: MIT
// Per-family preprocessing for AutoML pipelines.
#include "kolosal/autopipeline/composer.hpp"

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

namespace kolosal::autopipeline {
namespace {

using nlohmann::json;

json step(std::string_view name, json config = json::object()) {
  return json{{"name", name}, {"config", std::move(config)}};
}

// A column-transformer group whose transformer is a chain of steps.
json group(std::string_view name, const std::vector<std::string>& columns, json steps) {
  json transformer = steps.size() == 1
                         ? json{{"name", steps[0]["name"]}, {"config", steps[0]["config"]}}
                         : json{{"name", "pipeline"}, {"config", {{"steps", std::move(steps)}}}};
  return json{{"name", name}, {"transformer", std::move(transformer)}, {"columns", columns}};
}

bool any_missing(const DatasetProfile& profile, const std::vector<std::string>& names) {
  for (const auto& c : profile.columns) {
    if (c.n_missing > 0 && std::find(names.begin(), names.end(), c.name) != names.end()) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> categorical_columns(const DatasetProfile& profile, bool high) {
  std::vector<std::string> out;
  for (const auto& c : profile.columns) {
    if ((c.role == ColumnRole::kCategorical && c.high_cardinality == high) ||
        (!high && c.role == ColumnRole::kBoolean)) {
      out.push_back(c.name);
    }
  }
  return out;
}

}  // namespace

ModelFamily family_of(std::string_view model) {
  const std::string_view name = training::model_info(model).name;
  auto starts = [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; };
  if (name == "gbdt" || name == "xgboost" || name == "lightgbm" || name == "catboost") {
    return ModelFamily::kGradientBoosting;
  }
  if (starts("decision_tree") || starts("random_forest") || starts("extra_trees") ||
      starts("adaboost")) {
    return ModelFamily::kTrees;
  }
  if (starts("linear_regression") || name == "ridge" || name == "lasso" || name == "elastic_net" ||
      starts("logistic") || starts("sgd_") || name == "bayesian_ridge" || name == "svc" ||
      name == "svr") {
    return ModelFamily::kLinear;
  }
  if (starts("knn_") || starts("gaussian_process")) return ModelFamily::kNeighbors;
  if (starts("mlp_")) return ModelFamily::kNeural;
  if (name.ends_with("_nb")) return ModelFamily::kNaiveBayes;
  if (starts("dummy_")) return ModelFamily::kBaseline;
  KOLOSAL_THROW(InvalidArgument, "family_of: '", model,
                "' has no preprocessing family (ensembles take one pipeline per member)");
}

json preprocessing_steps(const DatasetProfile& profile, ModelFamily family,
                         const ComposerConfig& config) {
  config::validate(config, "preprocessing_steps");
  KOLOSAL_CHECK(!profile.usable_columns().empty(), DataError,
                "AutoML: the table has no usable feature column (all are identifiers or "
                "constants); see the profile's reasons");
  const bool gbdt = family == ModelFamily::kGradientBoosting;
  const bool trees = gbdt || family == ModelFamily::kTrees || family == ModelFamily::kBaseline;
  const bool indicators = family == ModelFamily::kLinear || family == ModelFamily::kNeural;
  const json scaler =
      family == ModelFamily::kNaiveBayes ? step("min_max_scaler") : step("standard_scaler");
  const bool scale = !trees;
  json groups = json::array();

  const auto numeric = profile.columns_with(ColumnRole::kNumeric);
  if (!numeric.empty() && !gbdt) {
    json chain = json::array();
    chain.push_back(step(
        "simple_imputer",
        {{"strategy", "median"}, {"add_indicator", indicators && any_missing(profile, numeric)}}));
    if (scale) chain.push_back(scaler);
    groups.push_back(group("numeric", numeric, std::move(chain)));
  }

  const auto low = categorical_columns(profile, false);
  if (!low.empty()) {
    json chain = json::array();
    if (trees) {
      // Codes, with unseen categories as missing: gradient boosting routes them by its learned
      // default direction, other trees get the most frequent code.
      chain.push_back(step("ordinal_encoder",
                           {{"handle_unknown", "use_encoded_value"}, {"unknown_value", nullptr}}));
      if (!gbdt) chain.push_back(step("simple_imputer", {{"strategy", "most_frequent"}}));
    } else {
      chain.push_back(step(
          "one_hot_encoder",
          {{"handle_unknown", config.onehot_min_frequency > 0 ? "infrequent_if_exist" : "ignore"},
           {"drop", "if_binary"},
           {"min_frequency", config.onehot_min_frequency}}));
    }
    groups.push_back(group("categorical", low, std::move(chain)));
  }

  const auto high = categorical_columns(profile, true);
  if (!high.empty()) {
    json chain = json::array();
    if (profile.task.type == data::TaskType::kMulticlass) {
      // A target mean of class indices means nothing: encode by frequency instead.
      chain.push_back(step("frequency_encoder", {{"normalize", true}}));
    } else {
      chain.push_back(step("target_encoder", {{"cv", 5}, {"shuffle", true}}));
    }
    if (scale) chain.push_back(scaler);
    groups.push_back(group("high_cardinality", high, std::move(chain)));
  }

  const auto dates = profile.columns_with(ColumnRole::kDatetime);
  if (!dates.empty()) {
    json chain = json::array();
    chain.push_back(step("datetime_features"));
    if (!gbdt) chain.push_back(step("simple_imputer", {{"strategy", "median"}}));
    if (scale) chain.push_back(scaler);
    groups.push_back(group("datetime", dates, std::move(chain)));
  }

  const auto texts = profile.columns_with(ColumnRole::kText);
  for (const auto& text : texts) {
    json chain = json::array();
    chain.push_back(step("simple_imputer", {{"strategy", "constant"}, {"fill_label", ""}}));
    chain.push_back(step("tfidf_vectorizer",
                         {{"max_features", config.text_max_features}, {"sublinear_tf", true}}));
    groups.push_back(group("text_" + text, {text}, std::move(chain)));
  }

  json steps = json::array();
  if (groups.empty()) return steps;  // gradient boosting on numeric columns: nothing to do
  // Gradient boosting passes the numeric columns through as the remainder, NaN included.
  steps.push_back(step("column_transformer", {{"transformers", std::move(groups)},
                                              {"remainder", gbdt ? "passthrough" : "drop"}}));
  return steps;
}

preprocessing::Pipeline compose_pipeline(const DatasetProfile& profile, std::string_view model,
                                         const json& model_config, const ComposerConfig& config) {
  const ModelFamily family = family_of(model);
  return preprocessing::Pipeline::from_config(
      {{"steps", preprocessing_steps(profile, family, config)},
       {"model",
        {{"name", model}, {"config", model_config.is_null() ? json::object() : model_config}}}});
}

data::Frame usable_frame(const data::Frame& frame, const DatasetProfile& profile) {
  const auto names = profile.usable_columns();
  for (const auto& name : names) {
    KOLOSAL_CHECK(frame.has_column(name), DataError, "AutoML: column '", name,
                  "' of the training schema is missing");
  }
  return frame.select(names);
}

}  // namespace kolosal::autopipeline
