// SPDX-License-Identifier: MIT
// The explicit table of every model kolosal can build by name.
#include "kolosal/training/registry.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/dummy.hpp"

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
  for (const auto& e : table()) {
    if (e.info.name == name) return e;
  }
  std::string known;
  for (const auto& e : table()) {
    if (!known.empty()) known += ", ";
    known += e.info.name;
  }
  KOLOSAL_THROW(InvalidArgument, "unknown model '", name, "' (known models: ", known, ")");
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
