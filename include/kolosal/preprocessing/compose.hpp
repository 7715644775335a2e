// SPDX-License-Identifier: MIT
// Composition: the column transformer (different steps for column groups chosen by name or type)
// and the Pipeline (transformers plus an optional final model), each saved as one artifact.
#pragma once

#include <array>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "kolosal/core/artifact.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::preprocessing {

enum class Remainder {
  kDrop,         ///< columns in no group are dropped
  kPassthrough,  ///< columns in no group are appended unchanged, in frame order
};

}  // namespace kolosal::preprocessing

namespace kolosal::config {
template <>
struct EnumNames<preprocessing::Remainder> {
  using R = preprocessing::Remainder;
  static constexpr std::array kValues{std::pair{R::kDrop, "drop"},
                                      std::pair{R::kPassthrough, "passthrough"}};
};
}  // namespace kolosal::config

namespace kolosal::preprocessing {

/// Applies one transformer per group of columns and concatenates their outputs in group order,
/// then the remainder, as scikit-learn's ColumnTransformer (verbose_feature_names_out=False).
/// Groups are fitted in parallel. Schema policy: each group's columns (resolved at fit, by name
/// or by type) must be present at transform, else DataError naming the column; the remainder is
/// the columns seen at fit in no group; columns unseen at fit are ignored. A group whose type
/// selection matches no column is skipped.
class ColumnTransformer final : public Transformer {
 public:
  static constexpr std::string_view kName = "column_transformer";

  ColumnTransformer() = default;
  ColumnTransformer(const ColumnTransformer& other);
  ColumnTransformer& operator=(const ColumnTransformer& other);
  ColumnTransformer(ColumnTransformer&&) noexcept = default;
  ColumnTransformer& operator=(ColumnTransformer&&) noexcept = default;
  ~ColumnTransformer() override = default;

  /// Adds a group applying `transformer` to the named columns. @throws InvalidArgument for a
  /// null transformer, an empty or duplicate group name or an empty column list
  ColumnTransformer& add(std::string name, std::unique_ptr<Transformer> transformer,
                         std::vector<std::string> columns);
  /// Adds a group applying `transformer` to every column of the given types.
  ColumnTransformer& add_by_type(std::string name, std::unique_ptr<Transformer> transformer,
                                 std::vector<data::ColumnType> types);
  ColumnTransformer& set_remainder(Remainder remainder) noexcept {
    remainder_ = remainder;
    return *this;
  }

  /// Builds one from config() JSON: {"transformers": [{"name", "transformer": {"name",
  /// "config"}, "columns" | "types"}], "remainder"}. @throws ConfigError, InvalidArgument
  [[nodiscard]] static ColumnTransformer from_config(const nlohmann::json& config);

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Transformer> clone() const override {
    return std::make_unique<ColumnTransformer>(*this);
  }
  [[nodiscard]] bool needs_target() const noexcept override;

 protected:
  void do_fit(const data::Frame& x, std::span<const double> y) override;
  [[nodiscard]] data::Frame do_transform(const data::Frame& x) const override;
  data::Frame do_fit_transform(const data::Frame& x, std::span<const double> y) override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  struct Group {
    std::string name;
    std::unique_ptr<Transformer> transformer;
    std::vector<std::string> columns;     ///< requested names (or empty)
    std::vector<data::ColumnType> types;  ///< requested types (or empty)
    std::vector<std::string> resolved{};  ///< columns chosen at fit
  };
  void resolve(const data::Frame& x);
  [[nodiscard]] data::Frame combine(const data::Frame& x, std::vector<data::Frame> parts) const;

  std::vector<Group> groups_;
  Remainder remainder_ = Remainder::kDrop;
  std::vector<std::string> remainder_columns_;
};

/// Transformers applied in order, optionally followed by a model that takes the numeric columns
/// of the last step's output (as scikit-learn's Pipeline). fit fits each step on the previous
/// step's fit_transform output (so cross-fitted encoders never leak the target), then the model.
/// The whole pipeline saves and loads as one artifact of kind "pipeline", and transform/predict
/// work on frames of any length, a single row included. Schema policy: each step's own.
class Pipeline final : public Transformer {
 public:
  static constexpr std::string_view kName = "pipeline";

  Pipeline() = default;
  Pipeline(const Pipeline& other);
  Pipeline& operator=(const Pipeline& other);
  Pipeline(Pipeline&&) noexcept = default;
  Pipeline& operator=(Pipeline&&) noexcept = default;
  ~Pipeline() override = default;

  /// Appends a step. @throws InvalidArgument for a null step
  Pipeline& add(std::unique_ptr<Transformer> step);
  /// Sets the final model. @throws InvalidArgument for a null model
  Pipeline& set_model(std::unique_ptr<Model> model);

  /// Builds one from config() JSON: {"steps": [{"name", "config"}], "model": null | {"name",
  /// "config"}}. @throws ConfigError, InvalidArgument
  [[nodiscard]] static Pipeline from_config(const nlohmann::json& config);

  [[nodiscard]] std::string_view name() const noexcept override { return kName; }
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] std::unique_ptr<Transformer> clone() const override {
    return std::make_unique<Pipeline>(*this);
  }
  [[nodiscard]] bool needs_target() const noexcept override;

  [[nodiscard]] std::size_t size() const noexcept { return steps_.size(); }
  [[nodiscard]] const Transformer& step(std::size_t i) const;
  [[nodiscard]] bool has_model() const noexcept { return model_ != nullptr; }
  /// @throws InvalidArgument when there is no model
  [[nodiscard]] const Model& model() const;
  /// The model's input columns, in order, as seen at fit.
  [[nodiscard]] const std::vector<std::string>& feature_names() const noexcept { return features_; }
  /// The columns (names and types) of the frame fit saw, in its order: the serving schema.
  /// Empty before fit and for artifacts saved before it was recorded.
  [[nodiscard]] const std::vector<ColumnSpec>& input_schema() const noexcept { return schema_; }
  /// The original labels of a classifier's class indices (label i is class i), e.g. from
  /// LabelEncoder::classes(); saved with the pipeline so predictions can be reported as labels.
  /// Empty when not set. @throws InvalidArgument when a fitted classifier has another class count
  Pipeline& set_classes(std::vector<std::string> classes);
  [[nodiscard]] const std::vector<std::string>& classes() const noexcept { return classes_; }

  /// The model's predictions for the transformed rows.
  /// @throws NotFitted; InvalidArgument without a model; as transform and Model::predict
  [[nodiscard]] std::vector<double> predict(const data::Frame& x) const;
  /// The model's class probabilities for the transformed rows. @throws as predict
  [[nodiscard]] Matrix<double> predict_proba(const data::Frame& x) const;

  /// Saves the fitted pipeline (steps and model) as one artifact of kind "pipeline".
  void save(const std::filesystem::path& path,
            serialization::Encoding encoding = serialization::Encoding::kJson) const;
  /// Loads what save() wrote. @throws IoError, SerializationError
  [[nodiscard]] static Pipeline load(const std::filesystem::path& path);

 protected:
  void do_fit(const data::Frame& x, std::span<const double> y) override;
  [[nodiscard]] data::Frame do_transform(const data::Frame& x) const override;
  data::Frame do_fit_transform(const data::Frame& x, std::span<const double> y) override;
  [[nodiscard]] data::Frame do_transform_owned(data::Frame&& x) const override;
  data::Frame do_fit_transform_owned(data::Frame&& x, std::span<const double> y) override;
  [[nodiscard]] nlohmann::json do_state() const override;
  void do_load_state(const nlohmann::json& state) override;

 private:
  [[nodiscard]] Matrix<double> model_input(const data::Frame& transformed) const;
  /// Runs the steps after the first on its output, handing each step's output to the next.
  [[nodiscard]] data::Frame transform_rest(data::Frame current) const;
  data::Frame fit_rest(data::Frame current, std::span<const double> y);
  void record_schema(const data::Frame& x);

  std::vector<std::unique_ptr<Transformer>> steps_;
  std::unique_ptr<Model> model_;
  std::vector<std::string> features_;
  std::vector<ColumnSpec> schema_;
  std::vector<std::string> classes_;
};

}  // namespace kolosal::preprocessing
