// SPDX-License-Identifier: MIT
// The transformer registry: create any transformer by name from a JSON config, and save or load
// fitted transformers as artifacts of kind "transformer". The table is explicit
// (src/preprocessing/registry.cpp), as the model registry's.
#pragma once

#include <filesystem>
#include <memory>
#include <span>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/artifact.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::preprocessing {

/// One registered transformer.
struct TransformerInfo {
  std::string_view name;     ///< registry name, e.g. "one_hot_encoder"
  std::string_view module;   ///< "preprocessing", "imputation", ...
  std::string_view summary;  ///< one line for docs and `--help`
};

/// Every registered transformer, in registry order.
[[nodiscard]] std::span<const TransformerInfo> registered_transformers() noexcept;

/// Information on one transformer. @throws InvalidArgument for an unknown name, listing the
/// known ones
[[nodiscard]] const TransformerInfo& transformer_info(std::string_view name);

/// A new, unfitted transformer; `config` is a JSON object (missing keys keep their defaults; null
/// gives the defaults). @throws InvalidArgument for an unknown name; ConfigError for a bad config
[[nodiscard]] std::unique_ptr<Transformer> make_transformer(std::string_view name,
                                                            const nlohmann::json& config);
[[nodiscard]] std::unique_ptr<Transformer> make_transformer(std::string_view name);

/// A fitted transformer as JSON: {"name", "config", "state"}.
/// @throws NotFitted
[[nodiscard]] nlohmann::json transformer_to_json(const Transformer& transformer);
/// The inverse of transformer_to_json. @throws SerializationError, InvalidArgument, ConfigError
[[nodiscard]] std::unique_ptr<Transformer> transformer_from_json(const nlohmann::json& json);

/// Saves a fitted transformer as an artifact of kind "transformer", atomically.
void save_transformer(const Transformer& transformer, const std::filesystem::path& path,
                      serialization::Encoding encoding = serialization::Encoding::kJson);
/// Loads what save_transformer wrote. @throws IoError, SerializationError
[[nodiscard]] std::unique_ptr<Transformer> load_transformer(const std::filesystem::path& path);

}  // namespace kolosal::preprocessing
