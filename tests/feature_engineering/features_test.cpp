// SPDX-License-Identifier: MIT
// Feature engineering and selection beyond the scikit-learn parity cases: edge cases and bad
// input.
#include "kolosal/feature_engineering/features.hpp"

#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/feature_engineering/selection.hpp"
#include "kolosal/preprocessing/outliers.hpp"
#include "kolosal/training/dummy.hpp"

#include "test_util.hpp"

namespace kf = kolosal::feature_engineering;
namespace kd = kolosal::data;
using kolosal::test::expect_error;

namespace {
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

TEST_CASE("Binning: constant columns, one-hot bins, out-of-range values",
          "[feature_engineering][binning]") {
  const kd::Frame x(
      {kd::Column::numeric("k", {2.0, 2.0, 2.0}), kd::Column::numeric("v", {0.0, 5.0, 10.0})});
  kf::Binning uniform(
      {.n_bins = 2, .strategy = kf::BinStrategy::kUniform, .encode = kf::BinEncode::kOneHot});
  uniform.fit(x);
  CHECK(uniform.bin_edges()[0].size() == 2);  // a constant column has one bin
  const kd::Frame y(
      {kd::Column::numeric("k", {7.0, kNaN}), kd::Column::numeric("v", {-3.0, 99.0})});
  const auto out = uniform.transform(y);
  CHECK(out.column_names() == std::vector<std::string>{"k_bin0", "v_bin0", "v_bin1"});
  CHECK(out.column("k_bin0").doubles()[0] == 1.0);
  CHECK(out.column("k_bin0").doubles()[1] == 0.0);  // missing: no bin
  CHECK(out.column("v_bin0").doubles()[0] == 1.0);
  CHECK(out.column("v_bin1").doubles()[1] == 1.0);
  // The infinite edges of the constant column survive the JSON state.
  kf::Binning restored(
      {.n_bins = 2, .strategy = kf::BinStrategy::kUniform, .encode = kf::BinEncode::kOneHot});
  restored.load_state(uniform.state());
  CHECK(restored.transform(y) == out);
}

TEST_CASE("PolynomialFeatures and selectors: missing values and bad input",
          "[feature_engineering][selection]") {
  const kd::Frame x(
      {kd::Column::numeric("a", {1.0, kNaN, 3.0}), kd::Column::numeric("b", {2.0, 1.0, -1.0})});
  const auto poly = kf::PolynomialFeatures().fit_transform(x);
  CHECK(poly.column_names() == std::vector<std::string>{"a", "b", "a^2", "a b", "b^2"});
  CHECK(std::isnan(poly.column("a b").doubles()[1]));
  CHECK(poly.column("a b").doubles()[2] == -3.0);

  const std::vector<double> y{0, 1, 1};
  expect_error<kolosal::DataError>([&] { kf::SelectKBest({.k = 1}).fit(x, y); },
                                   "SelectKBest::fit: column 'a' is missing at row 1");
  const kd::Frame negative(
      {kd::Column::numeric("a", {1.0, 2.0, 3.0}), kd::Column::numeric("b", {2.0, 1.0, -1.0})});
  expect_error<kolosal::DataError>(
      [&] { kf::SelectKBest({.score_func = kf::ScoreFunction::kChi2, .k = 1}).fit(negative, y); },
      "column 'b' has -1 at row 2; chi2 needs non-negative values");
  expect_error<kolosal::DataError>(
      [&] {
        kf::SelectKBest({.k = 1}).fit(negative, std::vector<double>{0, 0.5, 1});
      },
      "y[1] is 0.5; f_classif needs class indices");
  expect_error<kolosal::DataError>([&] { kf::CorrelationFilter().fit(x); },
                                   "CorrelationFilter::fit: column 'a' is missing at row 1");

  // Selectors keep columns unchanged and let other types through.
  kd::Frame mixed = negative;
  mixed.add_column(kd::Column::text("t", {"x", "y", "z"}));
  const auto kept = kf::SelectKBest({.score_func = kf::ScoreFunction::kFRegression, .k = 1})
                        .fit_transform(mixed, std::vector<double>{1.0, 2.0, 3.1});
  CHECK(kept.column_names() == std::vector<std::string>{"a", "t"});
  CHECK(kept.column("a") == mixed.column("a"));
}

TEST_CASE("OutlierClipper: bounds are saved and missing values are never flagged",
          "[preprocessing][outliers]") {
  const kd::Frame x({kd::Column::numeric("v", {1.0, 2.0, 3.0, 4.0, 100.0, kNaN})});
  kolosal::preprocessing::OutlierClipper flag(
      {.action = kolosal::preprocessing::OutlierAction::kFlag});
  const auto out = flag.fit_transform(x);
  CHECK(flag.lower()[0] == Approx(-1.0));
  CHECK(flag.upper()[0] == Approx(7.0));
  CHECK(out.column("v_outlier").to_doubles() == std::vector<double>{0, 0, 0, 0, 1, 0});
  CHECK(std::isnan(out.column("v").doubles()[5]));
  kolosal::preprocessing::OutlierClipper clip;
  CHECK(clip.fit_transform(x).column("v").doubles()[4] == Approx(7.0));
  expect_error<kolosal::DataError>(
      [&] { (void)clip.transform(kd::Frame({kd::Column::text("v", {"a"})})); },
      "OutlierClipper::transform: column 'v' is text but was numeric at fit");
}

namespace {

// A regressor whose importances are fixed, to test the selection rule alone.
class FixedImportances final : public kolosal::Model {
 public:
  explicit FixedImportances(std::vector<double> importances)
      : importances_(std::move(importances)) {}
  [[nodiscard]] std::string_view name() const noexcept override { return "fixed_importances"; }
  [[nodiscard]] kolosal::ModelKind kind() const noexcept override {
    return kolosal::ModelKind::kRegressor;
  }
  [[nodiscard]] nlohmann::json config() const override { return nlohmann::json::object(); }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<FixedImportances>(*this);
  }

 protected:
  void do_fit(kolosal::MatrixView<const double>, std::span<const double>,
              const kolosal::FitOptions&) override {}
  [[nodiscard]] std::vector<double> do_predict(kolosal::MatrixView<const double> x) const override {
    return std::vector<double>(x.rows(), 0.0);
  }
  [[nodiscard]] std::optional<std::vector<double>> do_feature_importances() const override {
    return importances_;
  }
  [[nodiscard]] nlohmann::json do_state() const override { return nlohmann::json::object(); }
  void do_load_state(const nlohmann::json&) override {}

 private:
  std::vector<double> importances_;
};

}  // namespace

TEST_CASE("SelectFromModel: threshold, top-k and models without importances",
          "[feature_engineering][selection]") {
  const kd::Frame x({kd::Column::numeric("a", {1, 2, 3}), kd::Column::numeric("b", {3, 1, 2}),
                     kd::Column::numeric("c", {0, 1, 0}), kd::Column::numeric("d", {5, 5, 6})});
  const std::vector<double> y{1, 2, 3};
  const std::vector<double> importances{0.4, 0.1, 0.4, 0.1};
  // Default threshold: the mean importance (0.25).
  kf::SelectFromModel mean(std::make_unique<FixedImportances>(importances));
  CHECK(mean.fit_transform(x, y).column_names() == std::vector<std::string>{"a", "c"});
  // top_k keeps the earlier of tied columns.
  kf::SelectFromModel top(std::make_unique<FixedImportances>(importances), {}, 1, 0.0);
  CHECK(top.fit_transform(x, y).column_names() == std::vector<std::string>{"a"});
  kf::SelectFromModel low(std::make_unique<FixedImportances>(std::vector<double>{0.1, 0.4, 0.05}),
                          {"b", "c", "d"}, 0, 0.1);
  CHECK(low.fit_transform(x, y).column_names() == std::vector<std::string>{"a", "b", "c"});
  const auto copy = top.clone();
  CHECK(copy->transform(x) == top.transform(x));
  expect_error<kolosal::UnsupportedError>(
      [&] { kf::SelectFromModel(std::make_unique<kolosal::training::DummyRegressor>()).fit(x, y); },
      "model 'dummy_regressor' has no feature importances");
}
