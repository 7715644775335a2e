// SPDX-License-Identifier: MIT
// Text features: a TF-IDF vectoriser with a fitted vocabulary and a stateless hashing vectoriser.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/preprocessing/transformer.hpp"

namespace kolosal::feature_engineering {

/// Output row normalisation of the text vectorisers.
enum class TextNorm { kNone, kL1, kL2 };

}  // namespace kolosal::feature_engineering

namespace kolosal::config {
template <>
struct EnumNames<feature_engineering::TextNorm> {
  using N = feature_engineering::TextNorm;
  static constexpr std::array kValues{std::pair{N::kNone, "none"}, std::pair{N::kL1, "l1"},
                                      std::pair{N::kL2, "l2"}};
};
}  // namespace kolosal::config

namespace kolosal::feature_engineering {

struct TfidfVectorizerConfig {
  static constexpr std::string_view kName = "TfidfVectorizerConfig";
  std::vector<std::string> columns{};  ///< text columns; empty: every text column
  bool lowercase = true;               ///< Unicode lower-casing before tokenising
  int ngram_min = 1;                   ///< shortest n-gram of tokens
  int ngram_max = 1;                   ///< longest n-gram of tokens
  /// Terms in fewer documents are dropped: >= 1 is a count, below 1 a fraction of documents.
  double min_df = 1.0;
  /// Terms in more documents are dropped: > 1 is a count, up to 1 a fraction of documents.
  double max_df = 1.0;
  int max_features = 0;  ///< keep the most frequent terms (0: all)
  bool use_idf = true;
  bool smooth_idf = true;     ///< idf = ln((1 + n) / (1 + df)) + 1, else ln(n / df) + 1
  bool sublinear_tf = false;  ///< tf = 1 + ln(count)
  TextNorm norm = TextNorm::kL2;

  static constexpr auto fields() {
    return std::tuple{
        config::field("columns", &TfidfVectorizerConfig::columns),
        config::field("lowercase", &TfidfVectorizerConfig::lowercase),
        config::field("ngram_min", &TfidfVectorizerConfig::ngram_min).at_least(1),
        config::field("ngram_max", &TfidfVectorizerConfig::ngram_max).at_least(1),
        config::field("min_df", &TfidfVectorizerConfig::min_df).at_least(0.0),
        config::field("max_df", &TfidfVectorizerConfig::max_df).greater_than(0.0),
        config::field("max_features", &TfidfVectorizerConfig::max_features).at_least(0),
        config::field("use_idf", &TfidfVectorizerConfig::use_idf),
        config::field("smooth_idf", &TfidfVectorizerConfig::smooth_idf),
        config::field("sublinear_tf", &TfidfVectorizerConfig::sublinear_tf),
        config::field("norm", &TfidfVectorizerConfig::norm).doc("none, l1 or l2")};
  }
  void check() const;
  friend bool operator==(const TfidfVectorizerConfig&, const TfidfVectorizerConfig&) = default;
};

struct HashingVectorizerConfig {
  static constexpr std::string_view kName = "HashingVectorizerConfig";
  std::vector<std::string> columns{};  ///< text columns; empty: every text column
  int n_features = 1024;               ///< output columns per text column
  bool lowercase = true;
  int ngram_min = 1;
  int ngram_max = 1;
  bool alternate_sign = true;  ///< sign from the hash, so collisions cancel on average
  TextNorm norm = TextNorm::kL2;

  static constexpr auto fields() {
    return std::tuple{config::field("columns", &HashingVectorizerConfig::columns),
                      config::field("n_features", &HashingVectorizerConfig::n_features).at_least(1),
                      config::field("lowercase", &HashingVectorizerConfig::lowercase),
                      config::field("ngram_min", &HashingVectorizerConfig::ngram_min).at_least(1),
                      config::field("ngram_max", &HashingVectorizerConfig::ngram_max).at_least(1),
                      config::field("alternate_sign", &HashingVectorizerConfig::alternate_sign),
                      config::field("norm", &HashingVectorizerConfig::norm).doc("none, l1 or l2")};
  }
  void check() const;
  friend bool operator==(const HashingVectorizerConfig&, const HashingVectorizerConfig&) = default;
};

/// Splits UTF-8 text into tokens as scikit-learn's default token_pattern `(?u)\b\w\w+\b` after
/// its str.lower(): runs of two or more code points that Python's re counts as \w (str.isalnum()
/// or '_': Unicode letters and numbers of every script, not combining marks), optionally
/// lower-cased, then joined into n-grams by spaces. The tables come from Python 3.11 (Unicode 14)
/// by scripts/generate_unicode_tables.py: lower-casing covers every one-to-one mapping (Latin,
/// Greek, Cyrillic, Armenian, Georgian, Cherokee, Glagolitic, Deseret, fullwidth, ...), plus
/// U+0130 to "i\u0307" and Greek final sigma (without Python's skipping of case-ignorable
/// characters around it). @throws DataError for invalid UTF-8, naming the byte (and, inside the
/// vectorisers, the column and row)
[[nodiscard]] std::vector<std::string> tokenize(std::string_view text, bool lowercase,
                                                int ngram_min, int ngram_max);

/// TF-IDF features of text columns over a vocabulary fitted per column, as scikit-learn's
/// TfidfVectorizer (K. Sparck Jones, "A statistical interpretation of term specificity and its
/// application in retrieval", J. Documentation 28(1), 1972): term counts, optionally sublinear,
/// times the smoothed idf, each row normalised. One numeric column "<column>_<term>" per
/// vocabulary term in sorted order (dense output: cap the vocabulary with max_features or
/// min_df on large corpora). Missing text is an empty document; unseen terms are ignored.
class TfidfVectorizer final
    : public preprocessing::ColumnStep<TfidfVectorizer, TfidfVectorizerConfig> {
 public:
  static constexpr std::string_view kName = "tfidf_vectorizer";
  static constexpr std::string_view kDisplayName = "TfidfVectorizer";
  explicit TfidfVectorizer(Config config = {}) : ColumnStep(std::move(config)) {}
  [[nodiscard]] nlohmann::json config() const override;
  /// Per column: the sorted vocabulary and its idf weights.
  [[nodiscard]] const std::vector<std::vector<std::string>>& vocabulary() const noexcept {
    return vocabulary_;
  }
  [[nodiscard]] const std::vector<std::vector<double>>& idf() const noexcept { return idf_; }

 protected:
  [[nodiscard]] bool accepts(data::ColumnType type) const noexcept override;
  void fit_columns(std::span<const data::Column* const> columns,
                   std::span<const double> y) override;
  [[nodiscard]] std::vector<data::Column> transform_columns(
      std::span<const data::Column* const> columns) const override;
  [[nodiscard]] nlohmann::json columns_state() const override;
  void load_columns_state(const nlohmann::json& state) override;

 private:
  std::vector<std::vector<std::string>> vocabulary_;
  std::vector<std::vector<double>> idf_;
};

/// Token counts of text columns hashed into n_features columns "<column>_h<k>", as
/// scikit-learn's HashingVectorizer (signed 32-bit MurmurHash3 of each token, index |h| mod
/// n_features, sign of h when alternate_sign), each row normalised. Stateless.
class HashingVectorizer final
    : public preprocessing::ColumnStep<HashingVectorizer, HashingVectorizerConfig> {
 public:
  static constexpr std::string_view kName = "hashing_vectorizer";
  static constexpr std::string_view kDisplayName = "HashingVectorizer";
  explicit HashingVectorizer(Config config = {}) : ColumnStep(std::move(config)) {}
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

}  // namespace kolosal::feature_engineering
