// SPDX-License-Identifier: MIT
// The column transformer and the Pipeline.
#include "kolosal/preprocessing/compose.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/preprocessing/registry.hpp"
#include "kolosal/training/registry.hpp"

namespace kolosal::preprocessing {

// ---------------------------------------------------------------------------- column transformer

ColumnTransformer::ColumnTransformer(const ColumnTransformer& other)
    : Transformer(other),
      remainder_(other.remainder_),
      remainder_columns_(other.remainder_columns_) {
  for (const auto& g : other.groups_) {
    groups_.push_back({g.name, g.transformer->clone(), g.columns, g.types, g.resolved});
  }
}

ColumnTransformer& ColumnTransformer::operator=(const ColumnTransformer& other) {
  if (this != &other) *this = ColumnTransformer(other);
  return *this;
}

ColumnTransformer& ColumnTransformer::add(std::string name,
                                          std::unique_ptr<Transformer> transformer,
                                          std::vector<std::string> columns) {
  KOLOSAL_CHECK(!columns.empty(), InvalidArgument, "ColumnTransformer::add: group '", name,
                "' names no column");
  KOLOSAL_CHECK(transformer != nullptr, InvalidArgument, "ColumnTransformer::add: group '", name,
                "' has no transformer");
  KOLOSAL_CHECK(!name.empty(), InvalidArgument, "ColumnTransformer::add: a group needs a name");
  for (const auto& g : groups_) {
    KOLOSAL_CHECK(g.name != name, InvalidArgument, "ColumnTransformer::add: group '", name,
                  "' already exists");
  }
  groups_.push_back({std::move(name), std::move(transformer), std::move(columns), {}});
  return *this;
}

ColumnTransformer& ColumnTransformer::add_by_type(std::string name,
                                                  std::unique_ptr<Transformer> transformer,
                                                  std::vector<data::ColumnType> types) {
  KOLOSAL_CHECK(!types.empty(), InvalidArgument, "ColumnTransformer::add_by_type: group '", name,
                "' names no column type");
  KOLOSAL_CHECK(transformer != nullptr, InvalidArgument, "ColumnTransformer::add_by_type: group '",
                name, "' has no transformer");
  KOLOSAL_CHECK(!name.empty(), InvalidArgument,
                "ColumnTransformer::add_by_type: a group needs a name");
  for (const auto& g : groups_) {
    KOLOSAL_CHECK(g.name != name, InvalidArgument, "ColumnTransformer::add_by_type: group '", name,
                  "' already exists");
  }
  groups_.push_back({std::move(name), std::move(transformer), {}, std::move(types)});
  return *this;
}

ColumnTransformer ColumnTransformer::from_config(const nlohmann::json& config) {
  const nlohmann::json c = config.is_null() ? nlohmann::json::object() : config;
  KOLOSAL_CHECK(c.is_object(), ConfigError, "ColumnTransformer: config must be an object");
  for (const auto& [key, value] : c.items()) {
    KOLOSAL_CHECK(key == "transformers" || key == "remainder", ConfigError,
                  "ColumnTransformer: unknown key '", key,
                  "' (known keys: transformers, remainder)");
  }
  ColumnTransformer out;
  if (c.contains("remainder")) {
    KOLOSAL_CHECK(c["remainder"].is_string(), ConfigError,
                  "ColumnTransformer.remainder expects a string");
    out.remainder_ = config::parse_enum<Remainder>(c["remainder"].get<std::string>(),
                                                   "ColumnTransformer.remainder");
  }
  if (!c.contains("transformers")) return out;
  KOLOSAL_CHECK(c["transformers"].is_array(), ConfigError,
                "ColumnTransformer.transformers expects an array");
  for (const auto& g : c["transformers"]) {
    KOLOSAL_CHECK(g.is_object() && g.contains("name") && g["name"].is_string() &&
                      g.contains("transformer") && g["transformer"].is_object() &&
                      g["transformer"].contains("name") && g["transformer"]["name"].is_string(),
                  ConfigError,
                  "ColumnTransformer.transformers: each entry needs a name and a transformer "
                  "{name, config}");
    const auto& t = g["transformer"];
    auto transformer = make_transformer(t["name"].get<std::string>(),
                                        t.contains("config") ? t["config"] : nlohmann::json());
    const auto name = g["name"].get<std::string>();
    if (g.contains("types")) {
      std::vector<data::ColumnType> types;
      for (const auto& type : g["types"]) {
        KOLOSAL_CHECK(type.is_string(), ConfigError, "ColumnTransformer: group '", name,
                      "' types must be strings");
        types.push_back(config::parse_enum<data::ColumnType>(type.get<std::string>(),
                                                             "ColumnTransformer.types"));
      }
      out.add_by_type(name, std::move(transformer), std::move(types));
    } else {
      KOLOSAL_CHECK(g.contains("columns") && g["columns"].is_array(), ConfigError,
                    "ColumnTransformer: group '", name, "' needs columns or types");
      std::vector<std::string> columns;
      for (const auto& col : g["columns"]) {
        KOLOSAL_CHECK(col.is_string(), ConfigError, "ColumnTransformer: group '", name,
                      "' columns must be strings");
        columns.push_back(col.get<std::string>());
      }
      KOLOSAL_CHECK(!columns.empty(), ConfigError, "ColumnTransformer: group '", name,
                    "' names no column");
      out.add(name, std::move(transformer), std::move(columns));
    }
  }
  return out;
}

nlohmann::json ColumnTransformer::config() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : groups_) {
    nlohmann::json entry = {
        {"name", g.name},
        {"transformer", {{"name", g.transformer->name()}, {"config", g.transformer->config()}}}};
    if (g.types.empty()) {
      entry["columns"] = g.columns;
    } else {
      nlohmann::json types = nlohmann::json::array();
      for (const auto t : g.types) types.push_back(std::string(data::to_string(t)));
      entry["types"] = std::move(types);
    }
    groups.push_back(std::move(entry));
  }
  return {{"transformers", std::move(groups)},
          {"remainder", std::string(config::enum_name(remainder_))}};
}

bool ColumnTransformer::needs_target() const noexcept {
  return std::any_of(groups_.begin(), groups_.end(),
                     [](const Group& g) { return g.transformer->needs_target(); });
}

void ColumnTransformer::resolve(const data::Frame& x) {
  KOLOSAL_CHECK(!groups_.empty(), ConfigError, "ColumnTransformer::fit: no groups were added");
  std::vector<std::uint8_t> claimed(x.cols(), 0);
  for (auto& g : groups_) {
    g.resolved.clear();
    if (g.types.empty()) {
      for (const auto& name : g.columns) {
        const auto index = x.column_index(name);
        KOLOSAL_CHECK(index.has_value(), DataError, "ColumnTransformer::fit: group '", g.name,
                      "' needs column '", name, "', which is not in the frame");
        claimed[*index] = 1;
        g.resolved.push_back(name);
      }
    } else {
      for (std::size_t c = 0; c < x.cols(); ++c) {
        const auto type = x.column(c).type();
        if (std::find(g.types.begin(), g.types.end(), type) != g.types.end()) {
          claimed[c] = 1;
          g.resolved.push_back(x.column(c).name());
        }
      }
    }
  }
  remainder_columns_.clear();
  if (remainder_ == Remainder::kPassthrough) {
    for (std::size_t c = 0; c < x.cols(); ++c) {
      if (claimed[c] == 0) remainder_columns_.push_back(x.column(c).name());
    }
  }
}

namespace {

data::Frame select_checked(const data::Frame& x, const std::vector<std::string>& names,
                           std::string_view group, std::string_view who) {
  for (const auto& name : names) {
    KOLOSAL_CHECK(x.has_column(name), DataError, "ColumnTransformer::", who, ": column '", name,
                  "' of group '", group, "' seen at fit is missing");
  }
  return x.select(names);
}

}  // namespace

data::Frame ColumnTransformer::combine(const data::Frame& x, std::vector<data::Frame> parts) const {
  std::vector<data::Column> columns;
  for (auto& part : parts) {
    for (auto& c : std::move(part).release_columns()) columns.push_back(std::move(c));
  }
  for (const auto& name : remainder_columns_) {
    KOLOSAL_CHECK(x.has_column(name), DataError, "ColumnTransformer::transform: remainder column '",
                  name, "' seen at fit is missing");
    columns.push_back(x.column(name));
  }
  for (std::size_t i = 0; i < columns.size(); ++i) {
    for (std::size_t k = 0; k < i; ++k) {
      KOLOSAL_CHECK(columns[i].name() != columns[k].name(), DataError,
                    "ColumnTransformer: two groups produce the column '", columns[i].name(), "'");
    }
  }
  return data::Frame(std::move(columns));
}

void ColumnTransformer::do_fit(const data::Frame& x, std::span<const double> y) {
  (void)do_fit_transform(x, y);
}

data::Frame ColumnTransformer::do_fit_transform(const data::Frame& x, std::span<const double> y) {
  resolve(x);
  std::vector<data::Frame> parts(groups_.size());
  parallel::for_each_index(context(), groups_.size(), [&](std::size_t g) {
    auto& group = groups_[g];
    if (group.resolved.empty()) return;
    group.transformer->set_context(context());
    parts[g] = group.transformer->fit_transform(x.select(group.resolved), y);
  });
  return combine(x, std::move(parts));
}

data::Frame ColumnTransformer::do_transform(const data::Frame& x) const {
  std::vector<data::Frame> parts(groups_.size());
  // Check the schema up front so the error names the first missing column deterministically.
  for (const auto& g : groups_) (void)select_checked(x.head(0), g.resolved, g.name, "transform");
  parallel::for_each_index(context(), groups_.size(), [&](std::size_t g) {
    const auto& group = groups_[g];
    if (group.resolved.empty()) return;
    parts[g] = group.transformer->transform(x.select(group.resolved));
  });
  return combine(x, std::move(parts));
}

nlohmann::json ColumnTransformer::do_state() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const auto& g : groups_) {
    groups.push_back({{"columns", g.resolved},
                      {"state", g.resolved.empty() ? nlohmann::json() : g.transformer->state()}});
  }
  return {{"groups", std::move(groups)}, {"remainder_columns", remainder_columns_}};
}

void ColumnTransformer::do_load_state(const nlohmann::json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("groups") && state["groups"].is_array() &&
                    state["groups"].size() == groups_.size() && state.contains("remainder_columns"),
                SerializationError, "ColumnTransformer::load_state: expected ", groups_.size(),
                " groups and remainder_columns");
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto& s = state["groups"][g];
    groups_[g].resolved = s.at("columns").get<std::vector<std::string>>();
    if (!groups_[g].resolved.empty()) groups_[g].transformer->load_state(s.at("state"));
  }
  remainder_columns_ = state["remainder_columns"].get<std::vector<std::string>>();
}

// ---------------------------------------------------------------------------- pipeline

Pipeline::Pipeline(const Pipeline& other)
    : Transformer(other),
      model_(other.model_ ? other.model_->clone() : nullptr),
      features_(other.features_),
      schema_(other.schema_),
      classes_(other.classes_) {
  for (const auto& s : other.steps_) steps_.push_back(s->clone());
}

Pipeline& Pipeline::operator=(const Pipeline& other) {
  if (this != &other) *this = Pipeline(other);
  return *this;
}

Pipeline& Pipeline::add(std::unique_ptr<Transformer> step) {
  KOLOSAL_CHECK(step != nullptr, InvalidArgument, "Pipeline::add: null step");
  steps_.push_back(std::move(step));
  return *this;
}

Pipeline& Pipeline::set_model(std::unique_ptr<Model> model) {
  KOLOSAL_CHECK(model != nullptr, InvalidArgument, "Pipeline::set_model: null model");
  model_ = std::move(model);
  return *this;
}

Pipeline Pipeline::from_config(const nlohmann::json& config) {
  const nlohmann::json c = config.is_null() ? nlohmann::json::object() : config;
  KOLOSAL_CHECK(c.is_object(), ConfigError, "Pipeline: config must be an object");
  for (const auto& [key, value] : c.items()) {
    KOLOSAL_CHECK(key == "steps" || key == "model", ConfigError, "Pipeline: unknown key '", key,
                  "' (known keys: steps, model)");
  }
  Pipeline out;
  if (c.contains("steps")) {
    KOLOSAL_CHECK(c["steps"].is_array(), ConfigError, "Pipeline.steps expects an array");
    for (const auto& s : c["steps"]) {
      KOLOSAL_CHECK(s.is_object() && s.contains("name") && s["name"].is_string(), ConfigError,
                    "Pipeline.steps: each step needs a name");
      out.add(make_transformer(s["name"].get<std::string>(),
                               s.contains("config") ? s["config"] : nlohmann::json()));
    }
  }
  if (c.contains("model") && !c["model"].is_null()) {
    const auto& m = c["model"];
    KOLOSAL_CHECK(m.is_object() && m.contains("name") && m["name"].is_string(), ConfigError,
                  "Pipeline.model needs a name");
    out.set_model(training::make_model(m["name"].get<std::string>(),
                                       m.contains("config") ? m["config"] : nlohmann::json()));
  }
  return out;
}

nlohmann::json Pipeline::config() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : steps_) steps.push_back({{"name", s->name()}, {"config", s->config()}});
  nlohmann::json model =
      model_ ? nlohmann::json{{"name", model_->name()}, {"config", model_->config()}}
             : nlohmann::json();
  return {{"steps", std::move(steps)}, {"model", std::move(model)}};
}

bool Pipeline::needs_target() const noexcept {
  return model_ != nullptr ||
         std::any_of(steps_.begin(), steps_.end(), [](const auto& s) { return s->needs_target(); });
}

Pipeline& Pipeline::set_classes(std::vector<std::string> classes) {
  if (model_ && model_->fitted() && model_->is_classifier()) {
    KOLOSAL_CHECK(classes.empty() || classes.size() == model_->n_classes(), InvalidArgument,
                  "Pipeline::set_classes: ", classes.size(), " labels for a model with ",
                  model_->n_classes(), " classes");
  }
  classes_ = std::move(classes);
  return *this;
}

const Transformer& Pipeline::step(std::size_t i) const {
  KOLOSAL_CHECK(i < steps_.size(), InvalidArgument, "Pipeline::step: index ", i,
                " is out of range (", steps_.size(), " steps)");
  return *steps_[i];
}

const Model& Pipeline::model() const {
  KOLOSAL_CHECK(model_ != nullptr, InvalidArgument, "Pipeline::model: the pipeline has no model");
  return *model_;
}

Matrix<double> Pipeline::model_input(const data::Frame& transformed) const {
  for (const auto& name : features_) {
    KOLOSAL_CHECK(transformed.has_column(name), DataError, "Pipeline: the model's column '", name,
                  "' is missing after the last step");
  }
  return transformed.to_matrix(features_);
}

data::Frame Pipeline::do_fit_transform(const data::Frame& x, std::span<const double> y) {
  record_schema(x);
  // The first step reads x itself, so the input is never copied; later steps take over the
  // previous step's output.
  if (steps_.empty()) return fit_rest(x, y);
  steps_.front()->set_context(context());
  return fit_rest(steps_.front()->fit_transform(x, y), y);
}

data::Frame Pipeline::do_fit_transform_owned(data::Frame&& x, std::span<const double> y) {
  record_schema(x);
  if (steps_.empty()) return fit_rest(std::move(x), y);
  steps_.front()->set_context(context());
  return fit_rest(steps_.front()->fit_transform(std::move(x), y), y);
}

void Pipeline::record_schema(const data::Frame& x) {
  schema_.clear();
  for (const auto& c : x.columns()) schema_.push_back({c.name(), c.type()});
}

data::Frame Pipeline::fit_rest(data::Frame current, std::span<const double> y) {
  for (std::size_t i = 1; i < steps_.size(); ++i) {
    steps_[i]->set_context(context());
    current = steps_[i]->fit_transform(std::move(current), y);
  }
  features_.clear();
  if (model_) {
    for (const auto& c : current.columns()) {
      KOLOSAL_CHECK(c.type() == data::ColumnType::kNumeric, DataError, "Pipeline::fit: column '",
                    c.name(), "' is ", data::to_string(c.type()),
                    " after the last step; the model needs numeric columns (add an encoder)");
      features_.push_back(c.name());
    }
    const auto matrix = current.to_matrix(features_);
    model_->set_context(context());
    model_->fit(matrix.view(), y);
  }
  return current;
}

void Pipeline::do_fit(const data::Frame& x, std::span<const double> y) {
  (void)do_fit_transform(x, y);
}

data::Frame Pipeline::do_transform(const data::Frame& x) const {
  if (steps_.empty()) return x;
  return transform_rest(steps_.front()->transform(x));
}

data::Frame Pipeline::do_transform_owned(data::Frame&& x) const {
  if (steps_.empty()) return std::move(x);
  return transform_rest(steps_.front()->transform(std::move(x)));
}

data::Frame Pipeline::transform_rest(data::Frame current) const {
  for (std::size_t i = 1; i < steps_.size(); ++i)
    current = steps_[i]->transform(std::move(current));
  return current;
}

std::vector<double> Pipeline::predict(const data::Frame& x) const {
  KOLOSAL_CHECK(model_ != nullptr, InvalidArgument, "Pipeline::predict: the pipeline has no model");
  const auto matrix = model_input(transform(x));
  return model_->predict(matrix.view());
}

Matrix<double> Pipeline::predict_proba(const data::Frame& x) const {
  KOLOSAL_CHECK(model_ != nullptr, InvalidArgument,
                "Pipeline::predict_proba: the pipeline has no model");
  const auto matrix = model_input(transform(x));
  return model_->predict_proba(matrix.view());
}

nlohmann::json Pipeline::do_state() const {
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& s : steps_) steps.push_back(s->state());
  nlohmann::json schema = nlohmann::json::array();
  for (const auto& c : schema_)
    schema.push_back({{"name", c.name}, {"type", data::to_string(c.type)}});
  return {{"steps", std::move(steps)},
          {"features", features_},
          {"model", model_ ? model_->state() : nlohmann::json()},
          {"input_schema", std::move(schema)},
          {"classes", classes_}};
}

void Pipeline::do_load_state(const nlohmann::json& state) {
  KOLOSAL_CHECK(state.is_object() && state.contains("steps") && state["steps"].is_array() &&
                    state["steps"].size() == steps_.size() && state.contains("model") &&
                    state.contains("features"),
                SerializationError, "Pipeline::load_state: expected ", steps_.size(),
                " step states, features and model");
  for (std::size_t i = 0; i < steps_.size(); ++i) steps_[i]->load_state(state["steps"][i]);
  features_ = state["features"].get<std::vector<std::string>>();
  // input_schema and classes came later: older artifacts load without them.
  schema_.clear();
  if (state.contains("input_schema")) {
    KOLOSAL_CHECK(state["input_schema"].is_array(), SerializationError,
                  "Pipeline::load_state: input_schema must be an array");
    for (const auto& c : state["input_schema"]) {
      KOLOSAL_CHECK(c.is_object() && c.contains("name") && c["name"].is_string() &&
                        c.contains("type") && c["type"].is_string(),
                    SerializationError, "Pipeline::load_state: malformed input_schema entry");
      schema_.push_back(
          {c["name"].get<std::string>(),
           config::parse_enum<data::ColumnType>(c["type"].get<std::string>(), "input_schema")});
    }
  }
  classes_ = state.contains("classes") ? state["classes"].get<std::vector<std::string>>()
                                       : std::vector<std::string>{};
  KOLOSAL_CHECK((model_ != nullptr) == !state["model"].is_null(), SerializationError,
                "Pipeline::load_state: model state does not match the config");
  if (model_) model_->load_state(state["model"]);
}

void Pipeline::save(const std::filesystem::path& path, serialization::Encoding encoding) const {
  serialization::save(path, "pipeline", {{"config", config()}, {"state", state()}}, encoding);
}

Pipeline Pipeline::load(const std::filesystem::path& path) {
  const auto payload = serialization::load(path, "pipeline");
  KOLOSAL_CHECK(payload.is_object() && payload.contains("config") && payload.contains("state"),
                SerializationError, "Pipeline::load: ", path.string(),
                " holds no config and state");
  Pipeline out = from_config(payload["config"]);
  out.load_state(payload["state"]);
  return out;
}

}  // namespace kolosal::preprocessing
