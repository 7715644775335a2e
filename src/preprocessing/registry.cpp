// SPDX-License-Identifier: MIT
// The explicit table of every transformer kolosal can build by name.
#include "kolosal/preprocessing/registry.hpp"

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/feature_engineering/features.hpp"
#include "kolosal/feature_engineering/selection.hpp"
#include "kolosal/feature_engineering/text.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/imputation/iterative.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/outliers.hpp"
#include "kolosal/preprocessing/scalers.hpp"

#include "core/name_lookup.hpp"

namespace kolosal::preprocessing {
namespace {

using Factory = std::unique_ptr<Transformer> (*)(const nlohmann::json& config);

template <class T>
std::unique_ptr<Transformer> make(const nlohmann::json& config) {
  return std::make_unique<T>(
      config::from_json<typename T::Config>(config.is_null() ? nlohmann::json::object() : config));
}

template <class T>
std::unique_ptr<Transformer> make_composite(const nlohmann::json& config) {
  return std::make_unique<T>(T::from_config(config));
}

struct Entry {
  TransformerInfo info;
  Factory factory;
};

// Add new transformers here, one line each.
const std::vector<Entry>& table() {
  static const std::vector<Entry> entries{
      {{StandardScaler::kName, "preprocessing", "(x - mean) / std per column"},
       &make<StandardScaler>},
      {{MinMaxScaler::kName, "preprocessing", "maps [min, max] onto a range"}, &make<MinMaxScaler>},
      {{RobustScaler::kName, "preprocessing", "(x - median) / interquantile range"},
       &make<RobustScaler>},
      {{MaxAbsScaler::kName, "preprocessing", "x / max|x| per column"}, &make<MaxAbsScaler>},
      {{Normalizer::kName, "preprocessing", "rows scaled to unit l1, l2 or max norm"},
       &make<Normalizer>},
      {{Log1pTransformer::kName, "preprocessing", "log(1 + x) per column"},
       &make<Log1pTransformer>},
      {{PowerTransformer::kName, "preprocessing", "Yeo-Johnson or Box-Cox with fitted lambda"},
       &make<PowerTransformer>},
      {{QuantileTransformer::kName, "preprocessing", "empirical CDF to uniform or normal"},
       &make<QuantileTransformer>},
      {{OneHotEncoder::kName, "preprocessing",
        "one 0/1 column per category (drop, infrequent grouping, unknown handling)"},
       &make<OneHotEncoder>},
      {{OrdinalEncoder::kName, "preprocessing", "category indices in sorted order"},
       &make<OrdinalEncoder>},
      {{TargetEncoder::kName, "preprocessing", "smoothed target means, cross-fitted"},
       &make<TargetEncoder>},
      {{FrequencyEncoder::kName, "preprocessing", "category counts or frequencies"},
       &make<FrequencyEncoder>},
      {{HashingEncoder::kName, "preprocessing", "column=value features hashed into n columns"},
       &make<HashingEncoder>},
      {{imputation::SimpleImputer::kName, "imputation",
        "mean, median, most frequent or constant fill"},
       &make<imputation::SimpleImputer>},
      {{imputation::MissingIndicator::kName, "imputation", "0/1 columns marking missing values"},
       &make<imputation::MissingIndicator>},
      {{imputation::KnnImputer::kName, "imputation", "mean of the k nearest rows"},
       &make<imputation::KnnImputer>},
      {{imputation::IterativeImputer::kName, "imputation",
        "round-robin Bayesian ridge regression (MICE with sample_posterior)"},
       &make<imputation::IterativeImputer>},
      {{OutlierClipper::kName, "preprocessing", "IQR or z-score bounds: clip or flag"},
       &make<OutlierClipper>},
      {{feature_engineering::PolynomialFeatures::kName, "feature_engineering",
        "polynomial and interaction terms"},
       &make<feature_engineering::PolynomialFeatures>},
      {{feature_engineering::Binning::kName, "feature_engineering",
        "uniform, quantile or k-means bins"},
       &make<feature_engineering::Binning>},
      {{feature_engineering::DatetimeFeatures::kName, "feature_engineering",
        "calendar parts and cyclic encodings of timestamps"},
       &make<feature_engineering::DatetimeFeatures>},
      {{feature_engineering::TfidfVectorizer::kName, "feature_engineering",
        "TF-IDF of text columns (n-grams, document-frequency limits, sublinear tf)"},
       &make<feature_engineering::TfidfVectorizer>},
      {{feature_engineering::HashingVectorizer::kName, "feature_engineering",
        "hashed token counts of text columns"},
       &make<feature_engineering::HashingVectorizer>},
      {{feature_engineering::VarianceThreshold::kName, "feature_engineering",
        "drops low-variance columns"},
       &make<feature_engineering::VarianceThreshold>},
      {{feature_engineering::CorrelationFilter::kName, "feature_engineering",
        "drops columns highly correlated with a kept one"},
       &make<feature_engineering::CorrelationFilter>},
      {{feature_engineering::SelectKBest::kName, "feature_engineering",
        "k best columns by ANOVA F, regression F or chi2"},
       &make<feature_engineering::SelectKBest>},
      {{feature_engineering::SelectFromModel::kName, "feature_engineering",
        "columns a model finds important (top-k or threshold)"},
       &make_composite<feature_engineering::SelectFromModel>},
      {{ColumnTransformer::kName, "preprocessing", "one transformer per column group"},
       &make_composite<ColumnTransformer>},
      {{Pipeline::kName, "preprocessing", "transformers in sequence, optionally a final model"},
       &make_composite<Pipeline>},
  };
  return entries;
}

const std::vector<TransformerInfo>& infos() {
  static const std::vector<TransformerInfo> list = [] {
    std::vector<TransformerInfo> out;
    for (const auto& e : table()) out.push_back(e.info);
    return out;
  }();
  return list;
}

const Entry& find(std::string_view name) {
  return kolosal::detail::find_by_name(table(), name, "transformer");
}

}  // namespace

std::span<const TransformerInfo> registered_transformers() noexcept { return infos(); }

const TransformerInfo& transformer_info(std::string_view name) { return find(name).info; }

std::unique_ptr<Transformer> make_transformer(std::string_view name, const nlohmann::json& config) {
  return find(name).factory(config);
}

std::unique_ptr<Transformer> make_transformer(std::string_view name) {
  return make_transformer(name, nlohmann::json::object());
}

nlohmann::json transformer_to_json(const Transformer& transformer) {
  return {{"name", transformer.name()},
          {"config", transformer.config()},
          {"state", transformer.state()}};
}

std::unique_ptr<Transformer> transformer_from_json(const nlohmann::json& json) {
  KOLOSAL_CHECK(json.is_object() && json.contains("name") && json["name"].is_string() &&
                    json.contains("config") && json.contains("state"),
                SerializationError,
                "transformer_from_json: expected an object with name, config and state");
  auto transformer = make_transformer(json["name"].get<std::string>(), json["config"]);
  transformer->load_state(json["state"]);
  return transformer;
}

void save_transformer(const Transformer& transformer, const std::filesystem::path& path,
                      serialization::Encoding encoding) {
  serialization::save(path, "transformer", transformer_to_json(transformer), encoding);
}

std::unique_ptr<Transformer> load_transformer(const std::filesystem::path& path) {
  return transformer_from_json(serialization::load(path, "transformer"));
}

}  // namespace kolosal::preprocessing
