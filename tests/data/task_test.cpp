// SPDX-License-Identifier: MIT
// Tests of task inference from the target column.
#include "kolosal/data/task.hpp"

#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

namespace kd = kolosal::data;

TEST_CASE("guess_task: the bundled datasets", "[data][task]") {
  const auto iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  const auto multiclass = kd::guess_task(iris.column("species"));
  CHECK(multiclass.type == kd::TaskType::kMulticlass);
  CHECK(multiclass.n_classes == 3);

  const auto cancer = kd::read_csv(kolosal::test::data_path("breast_cancer.csv"));
  const auto binary = kd::guess_task(cancer.column("diagnosis"));
  CHECK(binary.type == kd::TaskType::kBinary);
  CHECK(binary.n_classes == 2);

  const auto diabetes = kd::read_csv(kolosal::test::data_path("diabetes.csv"));
  const auto regression = kd::guess_task(diabetes.column("progression"));
  CHECK(regression.type == kd::TaskType::kRegression);
  CHECK(regression.n_classes == 0);
  CHECK(regression.reason == "numeric with more than 20 distinct integer values");

  const auto digits = kd::read_csv(kolosal::test::data_path("digits.csv"));
  const auto ten = kd::guess_task(digits.column(digits.cols() - 1));
  CHECK(ten.type == kd::TaskType::kMulticlass);
  CHECK(ten.n_classes == 10);
}

TEST_CASE("guess_task: numeric targets", "[data][task]") {
  const double nan = std::nan("");
  CHECK(kd::guess_task(kd::Column::numeric("y", {0, 1, 1, nan, 0})).type == kd::TaskType::kBinary);
  CHECK(kd::guess_task(kd::Column::numeric("y", {0.5, 1, 1, 0})).type == kd::TaskType::kRegression);
  std::vector<double> many(21);
  std::iota(many.begin(), many.end(), 0.0);
  CHECK(kd::guess_task(kd::Column::numeric("y", many)).type == kd::TaskType::kRegression);
  many.pop_back();
  const auto twenty = kd::guess_task(kd::Column::numeric("y", many));
  CHECK(twenty.type == kd::TaskType::kMulticlass);
  CHECK(twenty.n_classes == 20);
}

TEST_CASE("guess_task: targets with nothing to learn are errors", "[data][task]") {
  const double nan = std::nan("");
  CHECK_THROWS_WITH(kd::guess_task(kd::Column::numeric("y", {3, 3, nan})),
                    "target 'y' has a single distinct value: nothing to learn");
  CHECK_THROWS_WITH(kd::guess_task(kd::Column::numeric("y", {nan, nan})),
                    "target 'y' has no non-missing value");
  CHECK_THROWS_AS(kd::guess_task(kd::Column::datetime("when", {1, 2, 3})), kolosal::DataError);
  const std::vector<std::string> labels{"yes", "no", "yes"};
  CHECK(kd::guess_task(kd::Column::categorical_from_labels("y", labels)).type ==
        kd::TaskType::kBinary);
}
