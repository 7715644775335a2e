// SPDX-License-Identifier: MIT
// The Unicode tokeniser and TF-IDF on a multilingual corpus against scikit-learn
// (scripts/reference/text_unicode_reference.py), and invalid UTF-8.
#include <fstream>

#include "kolosal/core/error.hpp"
#include "kolosal/feature_engineering/text.hpp"

#include "test_util.hpp"

namespace kf = kolosal::feature_engineering;
namespace kd = kolosal::data;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("text_unicode.json"));
    return json::parse(in);
  }();
  return ref;
}

}  // namespace

TEST_CASE("tokenize: Unicode words and lower-casing match scikit-learn's analyzer",
          "[feature_engineering][text][unicode]") {
  const auto corpus = reference()["corpus"].get<std::vector<std::string>>();
  const auto tokens = reference()["tokens"].get<std::vector<std::vector<std::string>>>();
  const auto cased = reference()["tokens_cased"].get<std::vector<std::vector<std::string>>>();
  for (std::size_t i = 0; i < corpus.size(); ++i) {
    INFO(corpus[i]);
    CHECK(kf::tokenize(corpus[i], true, 1, 1) == tokens[i]);
    CHECK(kf::tokenize(corpus[i], false, 1, 1) == cased[i]);
  }
  // Final sigma: capital sigma lower-cases to ς at the end of a word, σ elsewhere.
  CHECK(kf::tokenize("ΟΔΟΣ ΣΟΦΟΣ", true, 1, 1) == std::vector<std::string>{"οδος", "σοφος"});
}

TEST_CASE("TfidfVectorizer: multilingual corpus matches scikit-learn",
          "[feature_engineering][text][unicode]") {
  const auto corpus = reference()["corpus"].get<std::vector<std::string>>();
  const kd::Frame x({kd::Column::text("doc", corpus)});
  kf::TfidfVectorizer tfidf({.ngram_max = 2});
  const auto out = tfidf.fit_transform(x);
  const auto names = reference()["names"].get<std::vector<std::string>>();
  // scikit-learn sorts the vocabulary by code point, as std::string sorts UTF-8 bytes.
  REQUIRE(tfidf.vocabulary()[0] == names);
  const auto& expected = reference()["tfidf_1_2"];
  for (std::size_t t = 0; t < names.size(); ++t) {
    const auto values = out.column("doc_" + names[t]).doubles();
    for (std::size_t i = 0; i < corpus.size(); ++i) {
      CHECK(values[i] == Approx(expected[i][t].get<double>()).margin(1e-12));
    }
  }
}

TEST_CASE("tokenize: invalid UTF-8 is an error naming the row",
          "[feature_engineering][text][unicode]") {
  expect_error<kolosal::DataError>([] { (void)kf::tokenize("ok \xC3", true, 1, 1); },
                                   "tokenize: invalid UTF-8 at byte 3");
  expect_error<kolosal::DataError>([] { (void)kf::tokenize("\xC0\xAF", true, 1, 1); },
                                   "invalid UTF-8 at byte 0");  // overlong '/'
  expect_error<kolosal::DataError>([] { (void)kf::tokenize("a\xED\xA0\x80", true, 1, 1); },
                                   "invalid UTF-8 at byte 1");  // a surrogate
  const kd::Frame good({kd::Column::text("doc", {"alpha beta", "beta gamma"})});
  const kd::Frame bad({kd::Column::text("doc", {"alpha beta", "beta \xFF gamma"})});
  expect_error<kolosal::DataError>([&] { kf::TfidfVectorizer().fit(bad); },
                                   "column 'doc' has invalid UTF-8 at row 1, byte 5");
  kf::TfidfVectorizer fitted;
  fitted.fit(good);
  expect_error<kolosal::DataError>([&] { (void)fitted.transform(bad); },
                                   "column 'doc' has invalid UTF-8 at row 1, byte 5");
  expect_error<kolosal::DataError>([&] { (void)kf::HashingVectorizer().fit_transform(bad); },
                                   "column 'doc' has invalid UTF-8 at row 1");
}
