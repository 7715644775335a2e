// SPDX-License-Identifier: MIT
// Resampling: class targets, the SMOTE family's geometry (new rows on segments between a row and
// one of its nearest same-class neighbours), determinism and bad input.
#include "kolosal/synthetic/resampling.hpp"

#include <limits>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

#include "test_util.hpp"

namespace ks = kolosal::synthetic;
namespace kd = kolosal::data;
using kolosal::test::expect_error;

namespace {

struct Imbalanced {
  kd::Frame x;
  std::vector<double> y;
};

// 40 rows of class 0 around (0, 0) and 8 of class 1 around (3, 3), with a category column.
Imbalanced imbalanced(bool with_category) {
  kolosal::Rng rng(5);
  std::vector<double> a;
  std::vector<double> b;
  std::vector<std::string> g;
  std::vector<double> y;
  for (int i = 0; i < 48; ++i) {
    const bool minority = i >= 40;
    a.push_back((minority ? 3.0 : 0.0) + rng.normal());
    b.push_back((minority ? 3.0 : 0.0) + rng.normal());
    g.push_back(minority ? (i % 3 == 0 ? "p" : "q") : "r");
    y.push_back(minority ? 1.0 : 0.0);
  }
  std::vector<kd::Column> columns{kd::Column::numeric("a", a), kd::Column::numeric("b", b)};
  if (with_category) columns.push_back(kd::Column::text("g", g));
  return {kd::Frame(std::move(columns)), y};
}

std::size_t count_of(const std::vector<double>& y, double c) {
  return static_cast<std::size_t>(std::count(y.begin(), y.end(), c));
}

// Whether p lies on a segment from a class-1 row to another class-1 row (t in [0, max_t]).
bool on_minority_segment(const Imbalanced& d, double pa, double pb, double max_t) {
  const auto a = d.x.column("a").doubles();
  const auto b = d.x.column("b").doubles();
  for (std::size_t i = 40; i < 48; ++i) {
    for (std::size_t j = 0; j < 48; ++j) {
      if (i == j) continue;
      const double da = a[j] - a[i];
      const double db = b[j] - b[i];
      const double t = std::abs(da) > std::abs(db) ? (pa - a[i]) / da : (pb - b[i]) / db;
      if (t < -1e-12 || t > max_t + 1e-12) continue;
      if (std::abs(a[i] + t * da - pa) < 1e-9 && std::abs(b[i] + t * db - pb) < 1e-9) return true;
    }
  }
  return false;
}

}  // namespace

TEST_CASE("Resampler: config round trip and rejection", "[synthetic][config]") {
  const ks::ResamplerConfig config{.method = ks::ResampleMethod::kBorderlineSmote,
                                   .ratio = 0.5,
                                   .k_neighbors = 3,
                                   .m_neighbors = 7,
                                   .kind = ks::BorderlineKind::kBorderline2};
  CHECK(kolosal::config::from_json<ks::ResamplerConfig>(kolosal::config::to_json(config)) ==
        config);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<ks::ResamplerConfig>({{"ratio", 1.5}});
      },
      "ratio must be <= 1");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<ks::ResamplerConfig>({{"method", "tomek"}});
      },
      "unknown value 'tomek'");
}

TEST_CASE("Resampler: random over- and under-sampling reach the class targets",
          "[synthetic][random]") {
  const auto d = imbalanced(true);
  const auto over =
      ks::Resampler({.method = ks::ResampleMethod::kRandomOver}).fit_resample(d.x, d.y);
  CHECK(count_of(over.y, 0.0) == 40);
  CHECK(count_of(over.y, 1.0) == 40);
  CHECK(over.x.head(48) == d.x);
  for (std::size_t i = 48; i < over.y.size(); ++i) CHECK(over.x.column("g").label(i) != "r");

  const auto under =
      ks::Resampler({.method = ks::ResampleMethod::kRandomUnder}).fit_resample(d.x, d.y);
  CHECK(count_of(under.y, 0.0) == 8);
  CHECK(count_of(under.y, 1.0) == 8);
  const auto half = ks::Resampler({.method = ks::ResampleMethod::kRandomUnder, .ratio = 0.5})
                        .fit_resample(d.x, d.y);
  CHECK(count_of(half.y, 0.0) == 16);
}

TEST_CASE("Resampler: SMOTE family rows lie between minority neighbours", "[synthetic][smote]") {
  const auto d = imbalanced(false);
  for (const auto method : {ks::ResampleMethod::kSmote, ks::ResampleMethod::kBorderlineSmote,
                            ks::ResampleMethod::kAdasyn}) {
    INFO(kolosal::config::enum_name(method));
    ks::Resampler resampler({.method = method, .k_neighbors = 3, .m_neighbors = 5});
    const auto out = resampler.fit_resample(d.x, d.y);
    CHECK(out.x.head(48) == d.x);
    const std::size_t added = out.y.size() - 48;
    if (method == ks::ResampleMethod::kSmote) CHECK(added == 32);
    if (method == ks::ResampleMethod::kAdasyn) CHECK(added == Approx(32).margin(4));
    const auto a = out.x.column("a").doubles();
    const auto b = out.x.column("b").doubles();
    for (std::size_t i = 48; i < out.y.size(); ++i) {
      CHECK(out.y[i] == 1.0);
      CHECK(on_minority_segment(d, a[i], b[i], 1.0));
    }
    // Same seed, same rows, whatever the thread count; another seed, other rows.
    resampler.set_context({.n_threads = 1, .seed = 42});
    const auto one = resampler.fit_resample(d.x, d.y);
    resampler.set_context({.n_threads = 2, .seed = 42});
    CHECK(resampler.fit_resample(d.x, d.y).x == one.x);
    resampler.set_context({.n_threads = 2, .seed = 7});
    if (added > 0) CHECK_FALSE(resampler.fit_resample(d.x, d.y).x == one.x);
  }
}

TEST_CASE("Resampler: SMOTE-NC interpolates numbers and votes categories",
          "[synthetic][smote_nc]") {
  const auto d = imbalanced(true);
  const auto out = ks::Resampler({.method = ks::ResampleMethod::kSmoteNc, .k_neighbors = 3})
                       .fit_resample(d.x, d.y);
  REQUIRE(out.y.size() == 80);
  CHECK(out.x.column("g").type() == kd::ColumnType::kText);
  for (std::size_t i = 48; i < 80; ++i) {
    const auto g = out.x.column("g").label(i);
    CHECK((g == "p" || g == "q"));
    CHECK(on_minority_segment(d, out.x.column("a").doubles()[i], out.x.column("b").doubles()[i],
                              1.0));
  }
}

TEST_CASE("Resampler: bad input names the column", "[synthetic][errors]") {
  const auto d = imbalanced(true);
  expect_error<kolosal::DataError>(
      [&] { (void)ks::Resampler().fit_resample(d.x, d.y); },
      "column 'g' is text; this method needs numeric columns (use smote_nc for categories)");
  const kd::Frame gap({kd::Column::numeric("a", {1.0, std::nan(""), 2.0, 3.0})});
  expect_error<kolosal::DataError>(
      [&] {
        (void)ks::Resampler().fit_resample(gap, std::vector<double>{0, 0, 0, 1});
      },
      "column 'a' has missing values");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)ks::Resampler().fit_resample(d.x.drop({"g"}), std::vector<double>(48, 0.5)); },
      "y[0] is 0.5 (expected a class index 0..k-1)");
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)ks::Resampler().fit_resample(d.x.drop({"g"}), std::vector<double>(48, 1.0)); },
      "y has a single class");
  expect_error<kolosal::ShapeMismatch>(
      [&] {
        (void)ks::Resampler().fit_resample(d.x, std::vector<double>{0, 1});
      },
      "x has 48 rows but y has 2 values");
}
