// SPDX-License-Identifier: MIT
// Tests of cross_validate and TrainingEngine with the dummy baselines and a tiny model of our own.
#include "kolosal/training/cross_validation.hpp"

#include <atomic>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/engine.hpp"
#include "kolosal/training/registry.hpp"
#include "kolosal/training/splitters.hpp"

#include "test_util.hpp"

namespace kt = kolosal::training;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

// y = a * x0 + b by least squares; records whether an evaluation set reached fit.
class LineFit final : public kolosal::Model {
 public:
  [[nodiscard]] std::string_view name() const noexcept override { return "line_fit"; }
  [[nodiscard]] kolosal::ModelKind kind() const noexcept override {
    return kolosal::ModelKind::kRegressor;
  }
  [[nodiscard]] json config() const override { return json::object(); }
  [[nodiscard]] std::unique_ptr<Model> clone() const override {
    return std::make_unique<LineFit>(*this);
  }
  [[nodiscard]] bool saw_eval() const noexcept { return saw_eval_; }

 protected:
  void do_fit(kolosal::MatrixView<const double> x, std::span<const double> y,
              const kolosal::FitOptions& options) override {
    double sx = 0.0;
    double sy = 0.0;
    double sxx = 0.0;
    double sxy = 0.0;
    const auto n = static_cast<double>(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) {
      sx += x(i, 0);
      sy += y[i];
      sxx += x(i, 0) * x(i, 0);
      sxy += x(i, 0) * y[i];
    }
    a_ = (n * sxy - sx * sy) / (n * sxx - sx * sx);
    b_ = (sy - a_ * sx) / n;
    saw_eval_ = options.eval_x.has_value();
  }
  [[nodiscard]] std::vector<double> do_predict(kolosal::MatrixView<const double> x) const override {
    std::vector<double> out(x.rows());
    for (std::size_t i = 0; i < x.rows(); ++i) out[i] = a_ * x(i, 0) + b_;
    return out;
  }
  [[nodiscard]] json do_state() const override { return {{"a", a_}, {"b", b_}}; }
  void do_load_state(const json& s) override {
    a_ = s.at("a").get<double>();
    b_ = s.at("b").get<double>();
  }

 private:
  double a_ = 0.0;
  double b_ = 0.0;
  bool saw_eval_ = false;
};

}  // namespace

TEST_CASE("cross_validate: out-of-fold predictions and scores of a regressor", "[training][cv]") {
  const std::size_t n = 30;
  kolosal::Matrix<double> x(n, 1);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<double>(i);
    y[i] = 2.0 * static_cast<double>(i) + 1.0;
  }
  const auto splits = kolosal::data::k_fold(n, 5, true, 3);
  // The dummy mean regressor predicts each fold's training mean.
  const auto cv = kt::cross_validate("dummy_regressor", json::object(), x.view(), y, splits,
                                     {.metrics = {"r2", "mean_absolute_error"}});
  REQUIRE(cv.folds.size() == 5);
  for (const auto& s : splits) {
    double mean = 0.0;
    for (auto r : s.train) mean += y[r];
    mean /= static_cast<double>(s.train.size());
    for (auto r : s.test) CHECK(cv.oof_predictions[r] == Approx(mean).epsilon(1e-12));
  }
  CHECK(cv.metric_index("mean_absolute_error") == 1);
  CHECK(cv.mean[0] < 0.0);  // r2 of a constant on held-out rows

  // A line recovers y exactly: r2 1, MAE 0; the early-stopping hook passes the test fold.
  std::atomic<int> eval_seen{0};
  const auto line = kt::cross_validate(LineFit(), x.view(), y, splits,
                                       {.metrics = {"r2", "mean_absolute_error"},
                                        .eval_on_test_fold = true,
                                        .on_fold_fitted =
                                            [&](std::size_t, const kolosal::Model& m) {
                                              eval_seen +=
                                                  dynamic_cast<const LineFit&>(m).saw_eval();
                                            },
                                        .context = {.n_threads = 2, .seed = 1}});
  CHECK(eval_seen == 5);
  CHECK(line.mean[0] == Approx(1.0).epsilon(1e-12));
  CHECK(line.mean[1] == Approx(0.0).margin(1e-9));
  for (std::size_t i = 0; i < n; ++i) CHECK(line.oof_predictions[i] == Approx(y[i]).epsilon(1e-9));
  const json j = json::parse(line.to_json().dump());
  CHECK(j["folds"].size() == 5);
  CHECK(j["mean"]["r2"].get<double>() == Approx(1.0));
}

TEST_CASE("cross_validate: classifiers, probabilities, class weights and threads",
          "[training][cv]") {
  const std::size_t n = 40;
  kolosal::Matrix<double> x(n, 2, 0.0);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) y[i] = i % 4 == 0 ? 1.0 : 0.0;
  const auto splits = kolosal::data::stratified_k_fold(std::vector<double>(y), 4, true, 2);
  auto run = [&](int threads, bool balanced) {
    return kt::cross_validate("dummy_classifier", {{"strategy", "prior"}}, x.view(), y, splits,
                              {.metrics = {"accuracy", "log_loss"},
                               .balanced_class_weight = balanced,
                               .context = {.n_threads = threads, .seed = 4}});
  };
  const auto one = run(1, false);
  const auto two = run(2, false);
  CHECK(one.mean == two.mean);
  CHECK(one.oof_predictions == two.oof_predictions);
  CHECK(one.mean[0] == Approx(0.75));
  REQUIRE(one.oof_proba.rows() == n);
  CHECK(one.oof_proba(0, 1) == Approx(0.25).margin(0.02));
  // Balanced class weights make the prior 50/50.
  const auto balanced = run(1, true);
  CHECK(balanced.oof_proba(0, 1) == Approx(0.5));

  expect_error<kolosal::InvalidArgument>(
      [&] {
        (void)kt::cross_validate("dummy_classifier", json::object(), x.view(), y, splits,
                                 {.metrics = {"r2"}});
      },
      "metric 'r2' is for regression but model 'dummy_classifier' is a classifier");
  std::vector<double> short_y(n - 1, 0.0);
  expect_error<kolosal::ShapeMismatch>(
      [&] {
        (void)kt::cross_validate("dummy_classifier", json::object(), x.view(), short_y, splits);
      },
      "x has 40 rows but y has 39 values");
  std::vector<kolosal::data::SplitIndices> bad{{{0, 1}, {99}}};
  expect_error<kolosal::InvalidArgument>(
      [&] { (void)kt::cross_validate("dummy_classifier", json::object(), x.view(), y, bad); },
      "split 0 refers to row 99 of 40");
}

TEST_CASE("TrainingEngine: validates, refits and reports; the model saves and clones",
          "[training][cv]") {
  const std::size_t n = 24;
  kolosal::Matrix<double> x(n, 1);
  std::vector<double> y(n);
  for (std::size_t i = 0; i < n; ++i) {
    x(i, 0) = static_cast<double>(i);
    y[i] = static_cast<double>(i % 5);
  }
  const kt::TrainingOptions options{
      .validation = {.kind = kt::SplitterKind::kTimeSeries, .n_splits = 3, .gap = 1},
      .metrics = {"mean_squared_error"},
      .balanced_class_weight = false,
      .validate = true};
  const kt::TrainingEngine engine("dummy_regressor", {{"strategy", "median"}}, options,
                                  {.n_threads = 2, .seed = 3});
  const auto result = engine.train(x.view(), y);
  REQUIRE(result.model);
  CHECK(result.model->fitted());
  CHECK(result.cross_validation.folds.size() == 3);
  const json report = json::parse(result.report().dump());
  CHECK(report["model"] == "dummy_regressor");
  CHECK(report["model_config"]["strategy"] == "median");
  CHECK(report["n_rows"] == n);
  CHECK(report["validation"]["folds"].size() == 3);
  CHECK(report["options"]["validation"]["kind"] == "time_series");

  kolosal::test::TempDir dir;
  kt::save_model(*result.model, dir / "model.json");
  const auto loaded = kt::load_model(dir / "model.json");
  CHECK(loaded->predict(x.view()) == result.model->predict(x.view()));
  CHECK(result.model->clone()->predict(x.view()) == result.model->predict(x.view()));
  const kt::TrainingEngine copy = engine;
  CHECK(copy.train(x.view(), y).model->predict(x.view()) == result.model->predict(x.view()));

  CHECK(kolosal::config::from_json<kt::TrainingOptions>(
            json::parse(kolosal::config::to_json(options).dump())) == options);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::TrainingOptions>(json{{"folds", 3}});
      },
      "unknown key 'folds'");
  expect_error<kolosal::InvalidArgument>([] { kt::TrainingEngine bad("nope", json::object()); },
                                         "unknown model 'nope'");
  expect_error<kolosal::ConfigError>(
      [] {
        kt::TrainingEngine bad("dummy_regressor", {{"strategy", "mode"}});
      },
      "unknown value 'mode'");
}
