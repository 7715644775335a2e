// SPDX-License-Identifier: MIT
// The metric registry: lookup, directions and score() dispatch.
#include "kolosal/metrics/registry.hpp"

#include <set>
#include <string>
#include <vector>

#include "kolosal/metrics/classification.hpp"
#include "kolosal/metrics/regression.hpp"

#include "test_util.hpp"

namespace km = kolosal::metrics;
using kolosal::InvalidArgument;
using kolosal::test::expect_error;

namespace {
using Ints = std::vector<int>;
using Doubles = std::vector<double>;
}  // namespace

TEST_CASE("metrics: metric_info describes every registered metric", "[metrics]") {
  std::set<std::string_view> names;
  for (const km::MetricInfo& info : km::all_metrics()) {
    CHECK(names.insert(info.name).second);  // unique
    CHECK(km::metric_info(info.name) == info);
  }
  CHECK(names.size() == 29);

  CHECK(km::metric_info("accuracy").greater_is_better);
  CHECK_FALSE(km::metric_info("accuracy").needs_proba);
  CHECK(km::metric_info("roc_auc").needs_proba);
  CHECK(km::metric_info("log_loss").needs_proba);
  CHECK_FALSE(km::metric_info("log_loss").greater_is_better);
  CHECK_FALSE(km::metric_info("brier_score_loss").greater_is_better);
  CHECK(km::metric_info("r2").task == km::Task::kRegression);
  CHECK(km::metric_info("r2").greater_is_better);
  CHECK_FALSE(km::metric_info("mean_squared_error").greater_is_better);
  CHECK(km::metric_info("f1_weighted").task == km::Task::kClassification);

  expect_error<InvalidArgument>([] { (void)km::metric_info("neg_log_loss"); },
                                "metric_info: unknown metric 'neg_log_loss'; known metrics: "
                                "accuracy, balanced_accuracy");
  expect_error<InvalidArgument>([] { (void)km::metric_info("f2"); }, "median_absolute_error");
}

TEST_CASE("metrics: score() dispatches to the metric functions", "[metrics]") {
  const Ints y{0, 1, 2, 0, 1, 2, 1};
  const Ints pred{0, 2, 1, 0, 0, 1, 1};
  const Doubles w{1, 2, 1, 1, 3, 1, 0.5};
  CHECK(km::score("accuracy", y, pred, w) == km::accuracy(y, pred, w));
  CHECK(km::score("f1_macro", y, pred) == km::f1(y, pred, {}, {.average = km::Average::kMacro}));
  CHECK(km::score("precision_weighted", y, pred, w) ==
        km::precision(y, pred, w, {.average = km::Average::kWeighted}));
  CHECK(km::score("recall_micro", y, pred) ==
        km::recall(y, pred, {}, {.average = km::Average::kMicro}));
  CHECK(km::score("cohen_kappa", y, pred) == km::cohen_kappa(y, pred));
  CHECK(km::score("matthews_corrcoef", y, pred, w) == km::matthews_corrcoef(y, pred, w));

  // Probability matrices: label metrics use the row argmax.
  const Doubles p{0.7, 0.2, 0.1,  //
                  0.1, 0.3, 0.6,  //
                  0.2, 0.5, 0.3,  //
                  0.6, 0.3, 0.1,  //
                  0.5, 0.4, 0.1,  //
                  0.1, 0.6, 0.3,  //
                  0.3, 0.4, 0.3};
  const kolosal::MatrixView<const double> proba(p.data(), 7, 3);
  CHECK(km::score("balanced_accuracy", y, proba) == km::balanced_accuracy(y, pred));
  CHECK(km::score("log_loss", y, proba, w) == km::log_loss(y, proba, w));
  CHECK(km::score("roc_auc_ovr", y, proba) == km::roc_auc_ovr(y, proba));
  CHECK(km::score("roc_auc_ovr_weighted", y, proba, w) ==
        km::roc_auc_ovr(y, proba, w, km::Average::kWeighted));

  // Binary metrics read column 1 of an n × 2 matrix.
  const Ints yb{0, 1, 1, 0};
  const Doubles pb{0.9, 0.1, 0.65, 0.35, 0.2, 0.8, 0.6, 0.4};
  const kolosal::MatrixView<const double> proba_b(pb.data(), 4, 2);
  const Doubles positive{0.1, 0.35, 0.8, 0.4};
  CHECK(km::score("roc_auc", yb, proba_b) == km::roc_auc(yb, positive));
  CHECK(km::score("average_precision", yb, proba_b) == km::average_precision(yb, positive));
  CHECK(km::score("brier_score_loss", yb, proba_b) == km::brier_score_loss(yb, positive));
  CHECK(km::score("f1", yb, proba_b) == km::f1(yb, Ints{0, 0, 1, 0}));
  const kolosal::MatrixView<const double> one_column(positive.data(), 4, 1);
  CHECK(km::score("roc_auc", yb, one_column) == km::roc_auc(yb, positive));
  // (1 − p, p) may differ from the stored first column in the last bit.
  CHECK(km::score("log_loss", yb, one_column) == Approx(km::log_loss(yb, proba_b)).epsilon(1e-15));

  const Doubles yr{1.0, 2.0, 3.5, -1.0};
  const Doubles pr{1.5, 2.0, 3.0, 0.0};
  CHECK(km::score("r2", yr, pr) == km::r2(yr, pr));
  CHECK(km::score("explained_variance", yr, pr) == km::explained_variance(yr, pr));
  CHECK(km::score("mean_squared_error", yr, pr) == km::mean_squared_error(yr, pr));
  CHECK(km::score("root_mean_squared_error", yr, pr) == km::root_mean_squared_error(yr, pr));
  CHECK(km::score("mean_absolute_error", yr, pr) == km::mean_absolute_error(yr, pr));
  CHECK(km::score("mean_absolute_percentage_error", yr, pr) ==
        km::mean_absolute_percentage_error(yr, pr));
  CHECK(km::score("median_absolute_error", yr, pr, Doubles{1, 1, 2, 1}) ==
        km::median_absolute_error(yr, pr, Doubles{1, 1, 2, 1}));

  // Every registered name dispatches from the matching overload.
  const std::set<std::string_view> binary{
      "roc_auc", "average_precision", "brier_score_loss", "precision", "recall", "f1"};
  for (const km::MetricInfo& info : km::all_metrics()) {
    INFO("metric " << info.name);
    if (info.task == km::Task::kRegression) {
      CHECK_NOTHROW((void)km::score(info.name, yr, pr));
    } else if (binary.count(info.name) > 0) {
      CHECK_NOTHROW((void)km::score(info.name, yb, proba_b));
    } else {
      CHECK_NOTHROW((void)km::score(info.name, y, proba));
    }
  }
}

TEST_CASE("metrics: score() rejects mismatched metrics and inputs", "[metrics]") {
  const Ints y{0, 1, 2};
  const Doubles yr{1.0, 2.0, 3.0};
  expect_error<InvalidArgument>([&] { (void)km::score("r2", y, y); },
                                "score: 'r2' is a regression metric");
  expect_error<InvalidArgument>([&] { (void)km::score("accuracy", yr, yr); },
                                "score: 'accuracy' is a classification metric");
  expect_error<InvalidArgument>([&] { (void)km::score("log_loss", y, y); },
                                "score: 'log_loss' needs scores or probabilities");
  expect_error<InvalidArgument>([&] { (void)km::score("nope", yr, yr); }, "unknown metric 'nope'");
  const Doubles p(9, 1.0 / 3.0);
  const kolosal::MatrixView<const double> proba(p.data(), 3, 3);
  expect_error<InvalidArgument>([&] { (void)km::score("roc_auc", y, proba); },
                                "use 'roc_auc_ovr' for multiclass problems");
}
