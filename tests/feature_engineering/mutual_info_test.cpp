// SPDX-License-Identifier: MIT
// Mutual information: parity with scikit-learn's mutual_info_regression / mutual_info_classif
// (scripts/reference/mutual_info_reference.py), SelectKBest with it, and bad input.
#include "kolosal/feature_engineering/mutual_info.hpp"

#include <cmath>
#include <fstream>
#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/feature_engineering/selection.hpp"
#include "kolosal/preprocessing/registry.hpp"

#include "test_util.hpp"

namespace kf = kolosal::feature_engineering;
namespace kd = kolosal::data;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("mutual_info.json"));
    return json::parse(in);
  }();
  return ref;
}

kolosal::Matrix<double> matrix_of(const json& rows) {
  kolosal::Matrix<double> x(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (std::size_t j = 0; j < rows[i].size(); ++j) x(i, j) = rows[i][j].get<double>();
  }
  return x;
}

kd::Frame frame_of(const json& rows) {
  std::vector<kd::Column> columns;
  for (std::size_t j = 0; j < rows[0].size(); ++j) {
    std::vector<double> values;
    for (const auto& row : rows) values.push_back(row[j].get<double>());
    columns.push_back(kd::Column::numeric("x" + std::to_string(j), std::move(values)));
  }
  return kd::Frame(std::move(columns));
}

}  // namespace

TEST_CASE("mutual_info: digamma matches known values", "[feature_engineering][mutual_info]") {
  constexpr double kEulerGamma = 0.5772156649015329;
  CHECK(kf::digamma(1.0) == Approx(-kEulerGamma).epsilon(1e-15));
  CHECK(kf::digamma(0.5) == Approx(-kEulerGamma - 2.0 * std::log(2.0)).epsilon(1e-15));
  // ψ(n) = H(n-1) - γ for integers.
  double harmonic = 0.0;
  for (int n = 2; n <= 300; ++n) {
    harmonic += 1.0 / (n - 1);
    CHECK(kf::digamma(n) == Approx(harmonic - kEulerGamma).epsilon(1e-14));
  }
}

TEST_CASE("mutual_info: matches scikit-learn on continuous and discrete features",
          "[feature_engineering][mutual_info]") {
  for (const auto& c : reference()["cases"]) {
    const auto x = matrix_of(c["x"]);
    const auto y = c["y"].get<std::vector<double>>();
    const bool classification = c["kind"] == "classification";
    const bool ties = c["ties"].get<bool>();
    kf::MutualInfoOptions options{.n_neighbors = c["n_neighbors"].get<int>()};
    options.discrete_features = c["discrete"].get<std::vector<std::uint8_t>>();
    INFO(c["kind"].get<std::string>() << " k=" << options.n_neighbors << " ties=" << ties);
    const auto expected = c["mi"].get<std::vector<double>>();
    const auto exact = c["mi_no_noise"].get<std::vector<double>>();
    for (const bool noise : {false, true}) {
      options.add_noise = noise;
      const auto mi = classification ? kf::mutual_info_classif(x.view(), y, options)
                                     : kf::mutual_info_regression(x.view(), y, options);
      REQUIRE(mi.size() == expected.size());
      for (std::size_t j = 0; j < mi.size(); ++j) {
        INFO("column " << j << " noise " << noise);
        // Without ties the 1e-10 jitter moves no neighbour, so only rounding separates the two
        // (and the noise streams, numpy's and kolosal's, do not matter). With ties, the jitter
        // decides which tied points count, so only agreement to the estimator's spread holds.
        const bool tied_column = ties && options.discrete_features[j] == 0;
        if (!tied_column) {
          CHECK(mi[j] == Approx(exact[j]).margin(1e-12));
          CHECK(mi[j] == Approx(expected[j]).margin(1e-9));
        } else if (noise) {
          CHECK(mi[j] == Approx(expected[j]).margin(0.05));
        }
      }
    }
  }
}

TEST_CASE("mutual_info: seeded noise is reproducible and thread-count independent",
          "[feature_engineering][mutual_info]") {
  // Integer-valued features: the jitter decides the ties, so the seed matters.
  kolosal::Matrix<double> x(150, 3);
  std::vector<double> y(150);
  kolosal::Rng rng(3);
  for (std::size_t i = 0; i < 150; ++i) {
    for (std::size_t j = 0; j < 3; ++j) x(i, j) = static_cast<double>(rng.uniform_index(5));
    y[i] = x(i, 0) + static_cast<double>(rng.uniform_index(3));
  }
  const auto one = kf::mutual_info_regression(x.view(), y, {}, {.n_threads = 1, .seed = 5});
  const auto two = kf::mutual_info_regression(x.view(), y, {}, {.n_threads = 2, .seed = 5});
  CHECK(one == two);
  CHECK(one[0] > one[1]);
  CHECK(one[0] > one[2]);
}

TEST_CASE("mutual_info: both discrete is the contingency-table estimate",
          "[feature_engineering][mutual_info]") {
  // x determines y exactly with two equiprobable values: MI = ln 2.
  kolosal::Matrix<double> x(8, 2);
  std::vector<double> y(8);
  for (std::size_t i = 0; i < 8; ++i) {
    x(i, 0) = static_cast<double>(i % 2) * 7.0;
    x(i, 1) = static_cast<double>(i / 4);  // independent of i % 2 on this grid
    y[i] = static_cast<double>(i % 2);
  }
  kf::MutualInfoOptions options;
  options.discrete_features = {1, 1};
  const auto mi = kf::mutual_info_classif(x.view(), y, options);
  CHECK(mi[0] == Approx(std::log(2.0)).epsilon(1e-14));
  CHECK(mi[1] == 0.0);
}

TEST_CASE("mutual_info: bad input is a clear error", "[feature_engineering][mutual_info]") {
  kolosal::Matrix<double> x(4, 2, 1.0);
  const std::vector<double> y{0, 1, 0, 1};
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)kf::mutual_info_regression(x.view(), y, {.n_neighbors = 0}); },
      "n_neighbors must be >= 1");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)kf::mutual_info_regression(x.view(), y, {.n_neighbors = 4}); },
      "4 rows are too few for n_neighbors = 4");
  expect_error<kolosal::ShapeMismatch>(
      [&] {
        (void)kf::mutual_info_classif(x.view(), std::vector<double>{0, 1});
      },
      "x has 4 rows but y has 2 values");
  kf::MutualInfoOptions options;
  options.discrete_features = {1};
  expect_error<kolosal::ShapeMismatch>([&] { (void)kf::mutual_info_classif(x.view(), y, options); },
                                       "discrete_features has 1 flags for 2 columns");
  x(2, 1) = std::numeric_limits<double>::infinity();
  expect_error<kolosal::InvalidArgument>([&] { (void)kf::mutual_info_classif(x.view(), y); },
                                         "column 1 has the non-finite value inf at row 2");
}

TEST_CASE("SelectKBest: mutual information keeps scikit-learn's columns",
          "[feature_engineering][mutual_info]") {
  for (const auto& s : reference()["select_k_best"]) {
    const auto x = frame_of(s["x"]);
    const auto y = s["y"].get<std::vector<double>>();
    INFO(s["score_func"].get<std::string>());
    auto selector = kolosal::preprocessing::make_transformer(
        "select_k_best", {{"score_func", s["score_func"]}, {"k", s["k"]}});
    const auto out = selector->fit_transform(x, y);
    const auto& typed = dynamic_cast<const kf::SelectKBest&>(*selector);
    const auto scores = s["scores"].get<std::vector<double>>();
    for (std::size_t j = 0; j < scores.size(); ++j) {
      CHECK(typed.scores()[j] == Approx(scores[j]).margin(1e-9));
    }
    CHECK(typed.support() == s["support"].get<std::vector<std::uint8_t>>());
    CHECK(out.cols() == 2);
    // Fitted state survives a save and load.
    auto restored = kolosal::preprocessing::make_transformer("select_k_best", selector->config());
    restored->load_state(selector->state());
    CHECK(restored->transform(x) == out);
  }
}

TEST_CASE("SelectKBest: mutual information config and bad input",
          "[feature_engineering][mutual_info]") {
  const kf::SelectKBestConfig config{.score_func = kf::ScoreFunction::kMutualInfoRegression,
                                     .k = 2,
                                     .n_neighbors = 5,
                                     .discrete_features = {"b"},
                                     .add_noise = false};
  const json j = kolosal::config::to_json(config);
  CHECK(j["score_func"] == "mutual_info_regression");
  CHECK(kolosal::config::from_json<kf::SelectKBestConfig>(j) == config);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::preprocessing::make_transformer(
            "select_k_best", {{"score_func", "mutual_info_classif"}, {"n_neighbors", 0}});
      },
      "n_neighbors must be >= 1");

  const kd::Frame x({kd::Column::numeric("a", {0.1, 0.5, 0.2, 0.9, 0.4, 0.7}),
                     kd::Column::numeric("b", {1, 0, 1, 0, 1, 0}),
                     kd::Column::text("t", {"p", "q", "p", "q", "p", "q"})});
  const std::vector<double> y{0, 1, 0, 1, 0, 1};
  // Discrete features are named among the considered (numeric) columns.
  expect_error<kolosal::DataError>(
      [&] {
        kf::SelectKBest({.score_func = kf::ScoreFunction::kMutualInfoClassif,
                         .k = 1,
                         .discrete_features = {"t"}})
            .fit(x, y);
      },
      "SelectKBest::fit: discrete feature 't' is not among the numeric columns considered");
  kf::SelectKBest mi({.score_func = kf::ScoreFunction::kMutualInfoClassif,
                      .k = 1,
                      .n_neighbors = 2,
                      .discrete_features = {"b"}});
  const auto out = mi.fit_transform(x, y);
  CHECK(out.column_names() == std::vector<std::string>{"b", "t"});  // b determines y
  CHECK(mi.scores()[1] == Approx(std::log(2.0)).epsilon(1e-14));
  // Missing values and a wrong column at transform are errors naming the column.
  const kd::Frame with_nan({kd::Column::numeric("a", {0.1, NAN, 0.2, 0.9, 0.4, 0.7}),
                            kd::Column::numeric("b", {1, 0, 1, 0, 1, 0})});
  expect_error<kolosal::DataError>([&] { kf::SelectKBest(mi.settings()).fit(with_nan, y); },
                                   "SelectKBest::fit: column 'a' is missing at row 1");
  expect_error<kolosal::DataError>([&] { (void)mi.transform(x.drop({"b"})); },
                                   "column 'b' seen at fit is missing");
  expect_error<kolosal::DataError>(
      [&] {
        kf::SelectKBest({.score_func = kf::ScoreFunction::kMutualInfoRegression, .k = 1})
            .fit(x.drop({"t"}), std::vector<double>{0, 1, NAN, 1, 0, 1});
      },
      "SelectKBest::fit: y[2] is nan");
}
