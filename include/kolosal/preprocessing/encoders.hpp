// SPDX-License-Identifier: MIT
// Encoders of categorical columns (one-hot, ordinal, target, frequency, hashing) and the label
// encoder for classification targets.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::preprocessing {

enum class OneHotDrop {
  kNone,      ///< keep every category
  kFirst,     ///< drop the first category of every column
  kIfBinary,  ///< drop the first category of columns with exactly two
};
enum class HandleUnknown {
  kError,              ///< an unseen category is a DataError naming the column and value
  kIgnore,             ///< an unseen category encodes as all zeros
  kInfrequentIfExist,  ///< one-hot: an unseen category joins the infrequent group if one exists
  kUseEncodedValue,    ///< ordinal: an unseen category encodes as unknown_value
};
enum class HandleMissing {
  kCategory,  ///< a missing value is a category of its own, named "nan" (as scikit-learn)
  kError,     ///< a missing value is a DataError naming the column and row
};

}  // namespace kolosal::preprocessing

namespace kolosal::config {
template <>
struct EnumNames<preprocessing::OneHotDrop> {
  using D = preprocessing::OneHotDrop;
  static constexpr std::array kValues{std::pair{D::kNone, "none"}, std::pair{D::kFirst, "first"},
                                      std::pair{D::kIfBinary, "if_binary"}};
};
template <>
struct EnumNames<preprocessing::HandleUnknown> {
  using H = preprocessing::HandleUnknown;
  static constexpr std::array kValues{std::pair{H::kError, "error"},
                                      std::pair{H::kIgnore, "ignore"},
                                      std::pair{H::kInfrequentIfExist, "infrequent_if_exist"},
                                      std::pair{H::kUseEncodedValue, "use_encoded_value"}};
};
template <>
struct EnumNames<preprocessing::HandleMissing> {
  using H = preprocessing::HandleMissing;
  static constexpr std::array kValues{std::pair{H::kCategory, "category"},
                                      std::pair{H::kError, "error"}};
};
}  // namespace kolosal::config

namespace kolosal::preprocessing {

struct OneHotEncoderConfig {
  static constexpr std::string_view kName = "OneHotEncoderConfig";
  std::vector<std::string> columns{};  ///< categorical, text or boolean columns; empty: all
  OneHotDrop drop = OneHotDrop::kNone;
  HandleUnknown handle_unknown = HandleUnknown::kError;  ///< error, ignore, infrequent_if_exist
  HandleMissing handle_missing = HandleMissing::kCategory;
  /// Categories seen fewer times are grouped as "infrequent": >= 1 is a count, below 1 a
  /// fraction of the rows; 0 disables.
  double min_frequency = 0.0;
  /// At most this many output columns per input column, the infrequent one included (the rarest
  /// categories are grouped first); 0 means no limit.
  int max_categories = 0;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &OneHotEncoderConfig::columns),
        config::field("drop", &OneHotEncoderConfig::drop).doc("none, first or if_binary"),
        config::field("handle_unknown", &OneHotEncoderConfig::handle_unknown)
            .doc("error, ignore or infrequent_if_exist"),
        config::field("handle_missing", &OneHotEncoderConfig::handle_missing)
            .doc("category or error"),
        config::field("min_frequency", &OneHotEncoderConfig::min_frequency).at_least(0.0),
        config::field("max_categories", &OneHotEncoderConfig::max_categories).at_least(0)};
  }
  void check() const;
  friend bool operator==(const OneHotEncoderConfig&, const OneHotEncoderConfig&) = default;
};

struct OrdinalEncoderConfig {
  static constexpr std::string_view kName = "OrdinalEncoderConfig";
  std::vector<std::string> columns{};  ///< categorical, text or boolean columns; empty: all
  HandleUnknown handle_unknown = HandleUnknown::kError;  ///< error or use_encoded_value
  /// The code of an unseen category under use_encoded_value; null means NaN (missing).
  std::optional<double> unknown_value{};

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &OrdinalEncoderConfig::columns),
                      config::field("handle_unknown", &OrdinalEncoderConfig::handle_unknown)
                          .doc("error or use_encoded_value"),
                      config::field("unknown_value", &OrdinalEncoderConfig::unknown_value)};
  }
  void check() const;
  friend bool operator==(const OrdinalEncoderConfig&, const OrdinalEncoderConfig&) = default;
};

struct TargetEncoderConfig {
  static constexpr std::string_view kName = "TargetEncoderConfig";
  std::vector<std::string> columns{};  ///< categorical, text or boolean columns; empty: all
  /// Shrinkage towards the global mean, in pseudo-rows; null chooses it per category from the
  /// within-category and global variances (empirical Bayes).
  std::optional<double> smooth{};
  int cv = 5;            ///< folds of the cross-fitting in fit_transform, >= 2
  bool shuffle = false;  ///< shuffle rows (seeded by the context) before cutting folds

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &TargetEncoderConfig::columns),
                      config::field("smooth", &TargetEncoderConfig::smooth).at_least(0.0),
                      config::field("cv", &TargetEncoderConfig::cv).at_least(2),
                      config::field("shuffle", &TargetEncoderConfig::shuffle)};
  }
  friend bool operator==(const TargetEncoderConfig&, const TargetEncoderConfig&) = default;
};

struct FrequencyEncoderConfig {
  static constexpr std::string_view kName = "FrequencyEncoderConfig";
  std::vector<std::string> columns{};  ///< categorical, text or boolean columns; empty: all
  bool normalize = false;              ///< fractions of the rows instead of counts
  double unknown_value = 0.0;          ///< the encoding of a category unseen at fit

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &FrequencyEncoderConfig::columns),
                      config::field("normalize", &FrequencyEncoderConfig::normalize),
                      config::field("unknown_value", &FrequencyEncoderConfig::unknown_value)};
  }
  friend bool operator==(const FrequencyEncoderConfig&, const FrequencyEncoderConfig&) = default;
};

struct HashingEncoderConfig {
  static constexpr std::string_view kName = "HashingEncoderConfig";
  std::vector<std::string> columns{};  ///< categorical, text or boolean columns; empty: all
  int n_features = 16;                 ///< output columns
  bool alternate_sign = true;          ///< sign from the hash, so collisions cancel on average
  std::string prefix = "hash";         ///< output columns are prefix_0 .. prefix_{n-1}

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &HashingEncoderConfig::columns),
                      config::field("n_features", &HashingEncoderConfig::n_features).at_least(1),
                      config::field("alternate_sign", &HashingEncoderConfig::alternate_sign),
                      config::field("prefix", &HashingEncoderConfig::prefix)};
  }
  friend bool operator==(const HashingEncoderConfig&, const HashingEncoderConfig&) = default;
};

/// The policy shared by the label-based encoders: they accept categorical, text and boolean
/// columns (booleans read as "false"/"true"); categories are ordered by their byte-wise sorted
/// labels, as scikit-learn's sorted categories_.

/// One 0/1 numeric column per category, named "<column>_<category>", as scikit-learn's
/// OneHotEncoder (sparse_output=False). Infrequent categories share one column
/// "<column>_infrequent", placed last. Unseen categories follow handle_unknown; a dropped
/// category encodes as all zeros. Missing values follow handle_missing; under "category" a
/// missing value never seen at fit is an unseen category.
class OneHotEncoder final : public ColumnStep<OneHotEncoder, OneHotEncoderConfig> {
 public:
  static constexpr std::string_view kName = "one_hot_encoder";
  static constexpr std::string_view kDisplayName = "OneHotEncoder";
  explicit OneHotEncoder(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

  /// Per input column, what fit learned.
  struct Encoding {
    std::vector<std::string> categories;  ///< sorted; "nan" last when missing values were seen
    bool has_missing = false;             ///< the last category stands for missing values
    std::vector<std::int32_t> output;     ///< category -> output column, or -1 (dropped)
    std::vector<std::string> names;       ///< output column names
    std::int32_t infrequent = -1;         ///< output column of the infrequent group, or -1
    bool infrequent_dropped = false;      ///< the dropped category is the infrequent group
  };
  [[nodiscard]] const std::vector<Encoding>& encodings() const noexcept { return encodings_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<Encoding> encodings_;
};

/// One numeric column of category indices (0 .. k-1 in sorted order), as scikit-learn's
/// OrdinalEncoder. Missing values stay missing (NaN); unseen categories follow handle_unknown.
class OrdinalEncoder final : public ColumnStep<OrdinalEncoder, OrdinalEncoderConfig> {
 public:
  static constexpr std::string_view kName = "ordinal_encoder";
  static constexpr std::string_view kDisplayName = "OrdinalEncoder";
  explicit OrdinalEncoder(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] const std::vector<std::vector<std::string>>& categories() const noexcept {
    return categories_;
  }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::vector<std::string>> categories_;
};

/// Replaces each category by a smoothed mean of the target (continuous or 0/1), as
/// scikit-learn 1.3's TargetEncoder: D. Micci-Barreca, "A preprocessing scheme for
/// high-cardinality categorical attributes in classification and prediction problems", SIGKDD
/// Explorations 3(1), 2001. fit_transform cross-fits: each training row is encoded by the
/// statistics of the other folds (unshuffled folds as scikit-learn's KFold), so its own target
/// never leaks into its encoding; fit + transform uses the whole data. Missing values are a
/// category of their own; unseen categories encode as the global target mean.
class TargetEncoder final : public ColumnStep<TargetEncoder, TargetEncoderConfig> {
 public:
  static constexpr std::string_view kName = "target_encoder";
  static constexpr std::string_view kDisplayName = "TargetEncoder";
  explicit TargetEncoder(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  [[nodiscard]] bool needs_target() const noexcept override { return true; }
  [[nodiscard]] double target_mean() const noexcept { return target_mean_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] std::vector<data::Column> fit_transform_columns(
      std::span<const data::Column* const> columns, std::span<const double> y) override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::vector<std::string>> categories_;  ///< per column; "" for missing is separate
  std::vector<std::vector<double>> encodings_;        ///< per column, per category
  std::vector<double> missing_encoding_;              ///< per column; the mean when unseen
  double target_mean_ = 0.0;
};

/// Replaces each category by how often it occurred at fit (count, or fraction with normalize).
/// Missing values stay missing; unseen categories encode as unknown_value.
class FrequencyEncoder final : public ColumnStep<FrequencyEncoder, FrequencyEncoderConfig> {
 public:
  static constexpr std::string_view kName = "frequency_encoder";
  static constexpr std::string_view kDisplayName = "FrequencyEncoder";
  explicit FrequencyEncoder(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::vector<std::string>> categories_;
  std::vector<std::vector<double>> values_;
};

/// Hashes "<column>=<category>" of every selected column into n_features shared numeric columns,
/// as scikit-learn's FeatureHasher on dict rows (signed 32-bit MurmurHash3, seed 0; index
/// |h| mod n_features; sign of h when alternate_sign). Stateless: unseen categories hash like any
/// other; missing values contribute nothing.
class HashingEncoder final : public ColumnStep<HashingEncoder, HashingEncoderConfig> {
 public:
  static constexpr std::string_view kName = "hashing_encoder";
  static constexpr std::string_view kDisplayName = "HashingEncoder";
  explicit HashingEncoder(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;
};

/// MurmurHash3_x86_32 (A. Appleby's public-domain algorithm) of `key`, as a signed integer as
/// scikit-learn's murmurhash3_32(key, seed, positive=False).
[[nodiscard]] std::int32_t murmurhash3_32(std::string_view key, std::uint32_t seed = 0) noexcept;

/// Maps the labels of a classification target to class indices 0..k-1 (as doubles, the form
/// Model::fit takes) and back, as scikit-learn's LabelEncoder: classes are sorted, numerically
/// for numeric columns, byte-wise otherwise.
class LabelEncoder {
 public:
  /// Learns the classes. @throws DataError for a missing value (naming the column and row)
  LabelEncoder& fit(const data::Column& target);
  /// Class indices. @throws NotFitted; DataError for a missing or unseen label (naming it)
  [[nodiscard]] std::vector<double> transform(const data::Column& target) const;
  std::vector<double> fit_transform(const data::Column& target) {
    return fit(target).transform(target);
  }
  /// The labels of class indices. @throws InvalidArgument for an index that is not a class
  [[nodiscard]] std::vector<std::string> inverse_transform(std::span<const double> indices) const;

  [[nodiscard]] bool fitted() const noexcept { return fitted_; }
  /// The class labels, in index order.
  [[nodiscard]] const std::vector<std::string>& classes() const noexcept { return classes_; }

  [[nodiscard]] nlohmann::json state() const;
  void load_state(const nlohmann::json& state);

 private:
  std::vector<std::string> classes_;
  bool fitted_ = false;
};

}  // namespace kolosal::preprocessing
