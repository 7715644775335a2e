// SPDX-License-Identifier: MIT
// The explicit table of every model kolosal can build by name.
#include "kolosal/training/registry.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/ensemble/ensemble.hpp"
#include "kolosal/training/adaboost.hpp"
#include "kolosal/training/dummy.hpp"
#include "kolosal/training/forest.hpp"
#include "kolosal/training/gaussian_process.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/knn.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"
#include "kolosal/training/naive_bayes.hpp"
#include "kolosal/training/svm.hpp"
#include "kolosal/training/tree.hpp"

#include "core/name_lookup.hpp"

namespace kolosal::training {
namespace {

using Factory = std::unique_ptr<Model> (*)(const nlohmann::json& config);

template <class M>
std::unique_ptr<Model> make(const nlohmann::json& config) {
  return std::make_unique<M>(
      config::from_json<typename M::Config>(config.is_null() ? nlohmann::json::object() : config));
}

struct Entry {
  ModelInfo info;
  Factory factory;
};

// Add new models here, one line each.
const std::vector<Entry>& table() {
  static const std::vector<Entry> entries{
      {{DummyClassifier::kName, true, false,
        "class-prior baseline (most_frequent, prior, stratified, uniform, constant)"},
       &make<DummyClassifier>},
      {{DummyRegressor::kName, false, true, "constant baseline (mean, median, quantile, constant)"},
       &make<DummyRegressor>},
      {{LinearRegression::kName, false, true, "ordinary least squares (minimum-norm solution)"},
       &make<LinearRegression>},
      {{Ridge::kName, false, true, "L2-penalised least squares in closed form"}, &make<Ridge>},
      {{Lasso::kName, false, true, "L1-penalised least squares by coordinate descent"},
       &make<Lasso>},
      {{ElasticNet::kName, false, true, "L1+L2-penalised least squares by coordinate descent"},
       &make<ElasticNet>},
      {{LogisticRegression::kName, true, false,
        "logistic regression, binary/multinomial/ovr, L2 (L-BFGS) or L1 (coordinate descent)"},
       &make<LogisticRegression>},
      {{SgdClassifier::kName, true, false, "linear classifier by stochastic gradient descent"},
       &make<SgdClassifier>},
      {{SgdRegressor::kName, false, true, "linear regressor by stochastic gradient descent"},
       &make<SgdRegressor>},
      {{BayesianRidge::kName, false, true, "Bayesian ridge regression (evidence maximisation)"},
       &make<BayesianRidge>},
      {{GaussianNb::kName, true, false, "Gaussian naive Bayes"}, &make<GaussianNb>},
      {{MultinomialNb::kName, true, false, "multinomial naive Bayes for counts"},
       &make<MultinomialNb>},
      {{BernoulliNb::kName, true, false, "Bernoulli naive Bayes for binary features"},
       &make<BernoulliNb>},
      {{CategoricalNb::kName, true, false, "categorical naive Bayes for category indices"},
       &make<CategoricalNb>},
      {{KnnClassifier::kName, true, false,
        "k-nearest-neighbour vote (brute force or KD-tree; euclidean, manhattan, minkowski, "
        "cosine)"},
       &make<KnnClassifier>},
      {{KnnRegressor::kName, false, true, "k-nearest-neighbour (weighted) mean"},
       &make<KnnRegressor>},
      {{Gbdt::kName, true, true,
        "histogram gradient-boosted trees (objective decides classifier or regressor)"},
       &make<Gbdt>},
      {{XGBoostGbdt::kName, true, true, "gbdt with XGBoost's defaults (depth-wise, depth 6)"},
       &make<XGBoostGbdt>},
      {{LightGBMGbdt::kName, true, true, "gbdt with LightGBM's defaults (leaf-wise, 31 leaves)"},
       &make<LightGBMGbdt>},
      {{CatBoostGbdt::kName, true, true, "gbdt with CatBoost's oblivious trees (depth 6)"},
       &make<CatBoostGbdt>},
      {{DecisionTreeClassifier::kName, true, false,
        "CART classification tree (gini, entropy/log_loss; cost-complexity pruning)"},
       &make<DecisionTreeClassifier>},
      {{DecisionTreeRegressor::kName, false, true,
        "CART regression tree (squared_error, absolute_error; cost-complexity pruning)"},
       &make<DecisionTreeRegressor>},
      {{RandomForestClassifier::kName, true, false,
        "random forest of CART trees (bootstrap, out-of-bag score, parallel over trees)"},
       &make<RandomForestClassifier>},
      {{RandomForestRegressor::kName, false, true,
        "random forest of CART trees (bootstrap, out-of-bag score, parallel over trees)"},
       &make<RandomForestRegressor>},
      {{ExtraTreesClassifier::kName, true, false,
        "extremely randomised trees (random thresholds, parallel over trees)"},
       &make<ExtraTreesClassifier>},
      {{ExtraTreesRegressor::kName, false, true,
        "extremely randomised trees (random thresholds, parallel over trees)"},
       &make<ExtraTreesRegressor>},
      {{AdaBoostClassifier::kName, true, false, "AdaBoost SAMME on CART trees (stumps by default)"},
       &make<AdaBoostClassifier>},
      {{AdaBoostRegressor::kName, false, true, "AdaBoost.R2 on CART regression trees"},
       &make<AdaBoostRegressor>},
      {{GaussianProcessRegressor::kName, false, true,
        "Gaussian process regression (RBF / Matern + white noise, marginal-likelihood fit)"},
       &make<GaussianProcessRegressor>},
      {{MlpClassifier::kName, true, false,
        "multi-layer perceptron classifier (Adam or SGD with momentum, early stopping)"},
       &make<MlpClassifier>},
      {{MlpRegressor::kName, false, true,
        "multi-layer perceptron regressor (Adam or SGD with momentum, early stopping)"},
       &make<MlpRegressor>},
      {{Svc::kName, true, false, "C-SVC by SMO (one-vs-one, Platt probabilities)"}, &make<Svc>},
      {{Svr::kName, false, true, "epsilon-SVR by SMO (linear, poly, rbf, sigmoid kernels)"},
       &make<Svr>},
      {{ensemble::VotingEnsemble::kName, true, true,
        "weighted soft or hard voting over member models (members decide the kind)"},
       &make<ensemble::VotingEnsemble>},
      {{ensemble::StackingEnsemble::kName, true, true,
        "stacking (out-of-fold) or blending (held-out) with a meta-model over member models"},
       &make<ensemble::StackingEnsemble>},
  };
  return entries;
}

const std::vector<ModelInfo>& infos() {
  static const std::vector<ModelInfo> list = [] {
    std::vector<ModelInfo> out;
    for (const auto& e : table()) out.push_back(e.info);
    return out;
  }();
  return list;
}

const Entry& find(std::string_view name) {
  return kolosal::detail::find_by_name(table(), name, "model");
}

}  // namespace

std::span<const ModelInfo> registered_models() noexcept { return infos(); }

const ModelInfo& model_info(std::string_view name) { return find(name).info; }

std::unique_ptr<Model> make_model(std::string_view name, const nlohmann::json& config) {
  return find(name).factory(config);
}

std::unique_ptr<Model> make_model(std::string_view name) {
  return make_model(name, nlohmann::json::object());
}

nlohmann::json model_to_json(const Model& model) {
  return {{"name", model.name()}, {"config", model.config()}, {"state", model.state()}};
}

std::unique_ptr<Model> model_from_json(const nlohmann::json& json) {
  KOLOSAL_CHECK(json.is_object() && json.contains("name") && json["name"].is_string() &&
                    json.contains("config") && json.contains("state"),
                SerializationError,
                "model_from_json: expected an object with name, config and state");
  auto model = make_model(json["name"].get<std::string>(), json["config"]);
  model->load_state(json["state"]);
  return model;
}

void save_model(const Model& model, const std::filesystem::path& path,
                serialization::Encoding encoding) {
  serialization::save(path, "model", model_to_json(model), encoding);
}

std::unique_ptr<Model> load_model(const std::filesystem::path& path) {
  return model_from_json(serialization::load(path, "model"));
}

}  // namespace kolosal::training
