// SPDX-License-Identifier: MIT
// The model registry: create any model by name from a JSON config, list what exists, and save or
// load fitted models as artifacts. The table is explicit (src/training/registry.cpp), since
// self-registering static initialisers can be dropped silently by a static link.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/model.hpp"

namespace kolosal::training {

/// One registered model.
struct ModelInfo {
  std::string_view name;     ///< registry name, e.g. "dummy_classifier"
  bool classification;       ///< some config makes it a classifier
  bool regression;           ///< some config makes it a regressor (for models such as "gbdt"
                             ///< whose config, e.g. the objective, decides the kind)
  std::string_view summary;  ///< one line for docs and `--help`
};

/// Every registered model, in registry order.
[[nodiscard]] std::span<const ModelInfo> registered_models() noexcept;

/// Information on one model. @throws InvalidArgument for an unknown name, listing the known ones
[[nodiscard]] const ModelInfo& model_info(std::string_view name);

/// A new, unfitted model. `config` is a JSON object of hyperparameters (missing keys keep their
/// defaults; null or an empty object gives the defaults).
/// @throws InvalidArgument for an unknown name; ConfigError for a bad config
[[nodiscard]] std::unique_ptr<Model> make_model(std::string_view name,
                                                const nlohmann::json& config);
[[nodiscard]] std::unique_ptr<Model> make_model(std::string_view name);

/// A fitted model as JSON: {"name", "config", "state"}.
[[nodiscard]] nlohmann::json model_to_json(const Model& model);
/// The inverse of model_to_json. @throws SerializationError, InvalidArgument, ConfigError
[[nodiscard]] std::unique_ptr<Model> model_from_json(const nlohmann::json& json);

/// Saves a fitted model as an artifact of kind "model", atomically.
void save_model(const Model& model, const std::filesystem::path& path,
                serialization::Encoding encoding = serialization::Encoding::kJson);
/// Loads what save_model wrote. @throws IoError, SerializationError
[[nodiscard]] std::unique_ptr<Model> load_model(const std::filesystem::path& path);

}  // namespace kolosal::training
