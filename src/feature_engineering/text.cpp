// SPDX-License-Identifier: MIT
// Tokeniser, TF-IDF and hashing vectorisers following scikit-learn 1.2's TfidfVectorizer and
// HashingVectorizer.
#include "kolosal/feature_engineering/text.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/preprocessing/encoders.hpp"

namespace kolosal::feature_engineering {
namespace {

using Columns = std::span<const data::Column* const>;

bool is_word_byte(unsigned char c) noexcept {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
         c >= 0x80;
}

const std::string& document(const data::Column& column, std::size_t row) {
  static const std::string kEmpty;
  return column.is_missing(row) ? kEmpty : column.texts()[row];
}

void normalize_rows(std::vector<std::vector<double>>& out, TextNorm norm) {
  if (norm == TextNorm::kNone || out.empty()) return;
  const std::size_t n = out[0].size();
  for (std::size_t i = 0; i < n; ++i) {
    double total = 0.0;
    for (const auto& column : out) {
      total += norm == TextNorm::kL2 ? column[i] * column[i] : std::abs(column[i]);
    }
    if (norm == TextNorm::kL2) total = std::sqrt(total);
    if (total == 0.0) continue;
    for (auto& column : out) column[i] /= total;
  }
}

void check_ngrams(int lo, int hi, std::string_view who) {
  KOLOSAL_CHECK(lo <= hi, ConfigError, who, ": ngram_min must not exceed ngram_max, got ", lo,
                " and ", hi);
}

}  // namespace

std::vector<std::string> tokenize(std::string_view text, bool lowercase, int ngram_min,
                                  int ngram_max) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && !is_word_byte(static_cast<unsigned char>(text[i]))) ++i;
    std::size_t j = i;
    while (j < text.size() && is_word_byte(static_cast<unsigned char>(text[j]))) ++j;
    if (j - i >= 2) {
      std::string word(text.substr(i, j - i));
      if (lowercase) {
        for (auto& c : word) {
          if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
      }
      words.push_back(std::move(word));
    }
    i = j;
  }
  if (ngram_min == 1 && ngram_max == 1) return words;
  std::vector<std::string> out;
  const auto lo = static_cast<std::size_t>(ngram_min);
  const auto hi = static_cast<std::size_t>(ngram_max);
  for (std::size_t n = lo; n <= hi && n <= words.size(); ++n) {
    for (std::size_t start = 0; start + n <= words.size(); ++start) {
      std::string gram = words[start];
      for (std::size_t k = 1; k < n; ++k) gram += " " + words[start + k];
      out.push_back(std::move(gram));
    }
  }
  return out;
}

// ---------------------------------------------------------------------------- tf-idf

void TfidfVectorizerConfig::check() const { check_ngrams(ngram_min, ngram_max, "TfidfVectorizer"); }

nlohmann::json TfidfVectorizer::config() const { return config::to_json(config_); }
bool TfidfVectorizer::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kText;
}

void TfidfVectorizer::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  vocabulary_.assign(columns.size(), {});
  idf_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const std::size_t n = column.size();
    std::map<std::string, std::pair<double, double>> terms;  // term -> (df, total count)
    for (std::size_t i = 0; i < n; ++i) {
      std::unordered_map<std::string, double> counts;
      for (auto& t :
           tokenize(document(column, i), config_.lowercase, config_.ngram_min, config_.ngram_max)) {
        counts[std::move(t)] += 1.0;
      }
      for (auto& [term, count] : counts) {
        auto& entry = terms[term];
        entry.first += 1.0;
        entry.second += count;
      }
    }
    const auto docs = static_cast<double>(n);
    const double max_count = config_.max_df > 1.0 ? config_.max_df : config_.max_df * docs;
    const double min_count = config_.min_df >= 1.0 ? config_.min_df : config_.min_df * docs;
    KOLOSAL_CHECK(max_count >= min_count, ConfigError, kDisplayName,
                  ": max_df corresponds to fewer documents than min_df for column '", column.name(),
                  "'");
    std::vector<std::pair<std::string, std::pair<double, double>>> kept;
    for (auto& [term, stats] : terms) {
      if (stats.first >= min_count && stats.first <= max_count) kept.emplace_back(term, stats);
    }
    if (config_.max_features > 0 && kept.size() > static_cast<std::size_t>(config_.max_features)) {
      // The most frequent terms; ties by term, then back in sorted order.
      std::stable_sort(kept.begin(), kept.end(), [](const auto& a, const auto& b) {
        return a.second.second > b.second.second;
      });
      kept.resize(static_cast<std::size_t>(config_.max_features));
      std::sort(kept.begin(), kept.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
    }
    KOLOSAL_CHECK(!kept.empty(), DataError, kDisplayName, "::fit: column '", column.name(),
                  "' leaves an empty vocabulary (no tokens, or min_df/max_df prune them all)");
    const double smooth = config_.smooth_idf ? 1.0 : 0.0;
    for (auto& [term, stats] : kept) {
      vocabulary_[j].push_back(term);
      idf_[j].push_back(config_.use_idf ? std::log((docs + smooth) / (stats.first + smooth)) + 1.0
                                        : 1.0);
    }
  });
}

std::vector<data::Column> TfidfVectorizer::transform_columns(Columns columns) const {
  std::vector<std::vector<data::Column>> blocks(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const std::size_t n = column.size();
    std::unordered_map<std::string_view, std::size_t> index;
    for (std::size_t t = 0; t < vocabulary_[j].size(); ++t) index.emplace(vocabulary_[j][t], t);
    std::vector<std::vector<double>> out(vocabulary_[j].size(), std::vector<double>(n, 0.0));
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& t :
           tokenize(document(column, i), config_.lowercase, config_.ngram_min, config_.ngram_max)) {
        const auto it = index.find(t);
        if (it != index.end()) out[it->second][i] += 1.0;
      }
    }
    for (std::size_t t = 0; t < out.size(); ++t) {
      for (auto& v : out[t]) {
        if (v > 0.0 && config_.sublinear_tf) v = 1.0 + std::log(v);
        v *= idf_[j][t];
      }
    }
    normalize_rows(out, config_.norm);
    for (std::size_t t = 0; t < out.size(); ++t) {
      blocks[j].push_back(
          data::Column::numeric(column.name() + "_" + vocabulary_[j][t], std::move(out[t])));
    }
  });
  std::vector<data::Column> result;
  for (auto& block : blocks) {
    for (auto& c : block) result.push_back(std::move(c));
  }
  return result;
}

nlohmann::json TfidfVectorizer::columns_state() const {
  return {{"vocabulary", vocabulary_}, {"idf", idf_}};
}

void TfidfVectorizer::load_columns_state(const nlohmann::json& state) {
  auto vocabulary = state.at("vocabulary").get<std::vector<std::vector<std::string>>>();
  auto idf = state.at("idf").get<std::vector<std::vector<double>>>();
  KOLOSAL_CHECK(vocabulary.size() == input_columns().size() && idf.size() == vocabulary.size(),
                SerializationError, kDisplayName,
                "::load_state: vocabulary and idf must hold one list per column");
  for (std::size_t j = 0; j < idf.size(); ++j) {
    KOLOSAL_CHECK(idf[j].size() == vocabulary[j].size(), SerializationError, kDisplayName,
                  "::load_state: idf does not match the vocabulary");
  }
  vocabulary_ = std::move(vocabulary);
  idf_ = std::move(idf);
}

// ---------------------------------------------------------------------------- hashing

void HashingVectorizerConfig::check() const {
  check_ngrams(ngram_min, ngram_max, "HashingVectorizer");
}

nlohmann::json HashingVectorizer::config() const { return config::to_json(config_); }
bool HashingVectorizer::accepts(data::ColumnType type) const noexcept {
  return type == data::ColumnType::kText;
}
void HashingVectorizer::fit_columns(Columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
}

std::vector<data::Column> HashingVectorizer::transform_columns(Columns columns) const {
  const auto width = static_cast<std::size_t>(config_.n_features);
  std::vector<std::vector<data::Column>> blocks(columns.size());
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto& column = *columns[j];
    const std::size_t n = column.size();
    std::vector<std::vector<double>> out(width, std::vector<double>(n, 0.0));
    const auto w = static_cast<std::int64_t>(width);
    for (std::size_t i = 0; i < n; ++i) {
      for (const auto& t :
           tokenize(document(column, i), config_.lowercase, config_.ngram_min, config_.ngram_max)) {
        const std::int32_t h = preprocessing::murmurhash3_32(t);
        const std::int64_t index = h == std::numeric_limits<std::int32_t>::min()
                                       ? (std::int64_t{2147483647} - (w - 1)) % w
                                       : std::abs(static_cast<std::int64_t>(h)) % w;
        out[static_cast<std::size_t>(index)][i] += config_.alternate_sign && h < 0 ? -1.0 : 1.0;
      }
    }
    normalize_rows(out, config_.norm);
    for (std::size_t k = 0; k < width; ++k) {
      blocks[j].push_back(
          data::Column::numeric(column.name() + "_h" + std::to_string(k), std::move(out[k])));
    }
  });
  std::vector<data::Column> result;
  for (auto& block : blocks) {
    for (auto& c : block) result.push_back(std::move(c));
  }
  return result;
}

nlohmann::json HashingVectorizer::columns_state() const { return nlohmann::json::object(); }
void HashingVectorizer::load_columns_state(const nlohmann::json&) {}

}  // namespace kolosal::feature_engineering
