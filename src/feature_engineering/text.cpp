// SPDX-License-Identifier: MIT
// Tokeniser, TF-IDF and hashing vectorisers following scikit-learn 1.2's TfidfVectorizer and
// HashingVectorizer.
#include "kolosal/feature_engineering/text.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iterator>
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

struct CodeRange {
  char32_t first;
  char32_t last;
};
struct CaseRun {
  char32_t first;
  char32_t last;
  std::uint32_t stride;
  std::int32_t delta;
};
#include "feature_engineering/unicode_tables.inc"

bool in_ranges(std::span<const CodeRange> table, char32_t cp) noexcept {
  const auto it = std::upper_bound(table.begin(), table.end(), cp,
                                   [](char32_t v, const CodeRange& r) { return v < r.first; });
  return it != table.begin() && cp <= std::prev(it)->last;
}

/// Python's re \w: str.isalnum() or '_'.
bool is_word(char32_t cp) noexcept {
  if (cp < 0x80) {
    return (cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           cp == '_';
  }
  return in_ranges(kWordRanges, cp);
}

bool is_cased(char32_t cp) noexcept { return in_ranges(kCasedRanges, cp); }

/// The simple lowercase mapping (one code point to one).
char32_t to_lower(char32_t cp) noexcept {
  if (cp < 0x80) return cp >= 'A' && cp <= 'Z' ? cp + 32 : cp;
  const auto it = std::upper_bound(kLowerRuns.begin(), kLowerRuns.end(), cp,
                                   [](char32_t v, const CaseRun& r) { return v < r.first; });
  if (it == kLowerRuns.begin()) return cp;
  const auto& run = *std::prev(it);
  if (cp > run.last || (cp - run.first) % run.stride != 0) return cp;
  return static_cast<char32_t>(static_cast<std::int64_t>(cp) + run.delta);
}

/// Strict UTF-8 decoding (no overlong forms, surrogates or values above U+10FFFF). Returns the
/// byte offset of the first invalid sequence, or npos.
std::size_t decode_utf8(std::string_view text, std::vector<char32_t>& out) {
  out.clear();
  std::size_t i = 0;
  while (i < text.size()) {
    const auto b0 = static_cast<unsigned char>(text[i]);
    if (b0 < 0x80) {
      out.push_back(b0);
      ++i;
      continue;
    }
    std::size_t len = 0;
    char32_t cp = 0;
    char32_t min = 0;
    if ((b0 & 0xE0) == 0xC0) {
      len = 2;
      cp = b0 & 0x1F;
      min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
      len = 3;
      cp = b0 & 0x0F;
      min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
      len = 4;
      cp = b0 & 0x07;
      min = 0x10000;
    } else {
      return i;
    }
    if (i + len > text.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(text[i + k]);
      if ((b & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    out.push_back(cp);
    i += len;
  }
  return std::string_view::npos;
}

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

/// Python's str.lower() on decoded text: the simple mappings, U+0130 to "i\u0307", and capital
/// sigma to final sigma after a cased letter when no cased letter follows (Python's Final_Sigma
/// rule, without its skipping of case-ignorable characters).
void lowercase_in_place(std::vector<char32_t>& cps) {
  std::vector<char32_t> out;
  out.reserve(cps.size());
  for (std::size_t i = 0; i < cps.size(); ++i) {
    const char32_t cp = cps[i];
    if (cp == 0x130) {
      out.push_back(U'i');
      out.push_back(0x307);
    } else if (cp == 0x3A3) {
      const bool after_cased = i > 0 && is_cased(cps[i - 1]);
      const bool before_cased = i + 1 < cps.size() && is_cased(cps[i + 1]);
      out.push_back(after_cased && !before_cased ? 0x3C2 : 0x3C3);
    } else {
      out.push_back(to_lower(cp));
    }
  }
  cps = std::move(out);
}

/// The tokeniser; `column` and `row` name the document in the invalid-UTF-8 error.
std::vector<std::string> tokenize_document(std::string_view text, bool lowercase, int ngram_min,
                                           int ngram_max, std::string_view column,
                                           std::size_t row) {
  std::vector<char32_t> cps;
  const std::size_t bad = decode_utf8(text, cps);
  if (bad != std::string_view::npos) {
    if (column.empty()) {
      KOLOSAL_THROW(DataError, "tokenize: invalid UTF-8 at byte ", bad);
    }
    KOLOSAL_THROW(DataError, "column '", column, "' has invalid UTF-8 at row ", row, ", byte ",
                  bad);
  }
  if (lowercase) lowercase_in_place(cps);
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < cps.size()) {
    while (i < cps.size() && !is_word(cps[i])) ++i;
    std::size_t j = i;
    while (j < cps.size() && is_word(cps[j])) ++j;
    if (j - i >= 2) {
      std::string word;
      for (std::size_t k = i; k < j; ++k) append_utf8(word, cps[k]);
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
  return tokenize_document(text, lowercase, ngram_min, ngram_max, {}, 0);
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
      for (auto& t : tokenize_document(document(column, i), config_.lowercase, config_.ngram_min,
                                       config_.ngram_max, column.name(), i)) {
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
           tokenize_document(document(column, i), config_.lowercase, config_.ngram_min,
                             config_.ngram_max, column.name(), i)) {
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
           tokenize_document(document(column, i), config_.lowercase, config_.ngram_min,
                             config_.ngram_max, column.name(), i)) {
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
