// SPDX-License-Identifier: MIT
// Frames given away: Frame::release_columns, Column::release_doubles and the rvalue transform
// path give the same rows as the copying path and leave the input's storage moved out.
#include <cmath>
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/scalers.hpp"

#include "test_util.hpp"

namespace kd = kolosal::data;
namespace kp = kolosal::preprocessing;
using kolosal::test::expect_error;

TEST_CASE("Frame: release_columns and release_doubles move storage out", "[preprocessing][move]") {
  kd::Frame x({kd::Column::numeric("a", {1.0, std::nan(""), 3.0}),
               kd::Column::categorical_from_labels("c", std::vector<std::string>{"p", "q", "p"})});
  const auto copy = x;
  auto columns = std::move(x).release_columns();
  CHECK(x.cols() == 0);  // NOLINT(bugprone-use-after-move): documented as left empty
  CHECK(x.rows() == 0);  // NOLINT(bugprone-use-after-move)
  REQUIRE(columns.size() == 2);
  CHECK(columns[0] == copy.column("a"));
  auto values = std::move(columns[0]).release_doubles();
  CHECK(values.size() == 3);
  CHECK(std::isnan(values[1]));
  CHECK(columns[0].size() == 0);  // NOLINT(bugprone-use-after-move)
  expect_error<kolosal::InvalidArgument>([&] { (void)std::move(columns[1]).release_doubles(); },
                                         "column 'c' is categorical, not numeric");
  auto f32 = kd::Column::numeric_float32("f", std::vector<float>{1.0F, 2.0F});
  expect_error<kolosal::InvalidArgument>([&] { (void)std::move(f32).release_doubles(); },
                                         "column 'f' has float32 storage");
}

TEST_CASE("Pipeline: a frame given away transforms as a copied one", "[preprocessing][move]") {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const kd::Frame x({kd::Column::numeric("a", {1.0, nan, 3.0, 6.0}),
                     kd::Column::numeric_float32("b", std::vector<float>{2.0F, 4.0F, 4.0F, 8.0F}),
                     kd::Column::text("t", {"u", "v", "u", "w"})});
  kp::Pipeline pipeline;
  pipeline.add(std::make_unique<kolosal::imputation::SimpleImputer>());
  pipeline.add(std::make_unique<kp::StandardScaler>());
  const auto copied = pipeline.fit_transform(x);
  kp::Pipeline other = pipeline;
  CHECK(other.fit_transform(kd::Frame(x)) == copied);
  CHECK(pipeline.transform(kd::Frame(x)) == pipeline.transform(x));
  CHECK(copied.column_names() == std::vector<std::string>{"a", "b", "t"});
  // a: mean-imputed (10 / 3) then standardised; the text column passes through, moved.
  const auto a = copied.column("a").doubles();
  CHECK(a[1] == Approx(0.0).margin(1e-15));
  CHECK(copied.column("t") == x.column("t"));
  // Not fitted and wrong column are the same errors as on the copying path.
  expect_error<kolosal::NotFitted>([&] { (void)kp::StandardScaler().transform(kd::Frame(x)); },
                                   "call fit first");
  expect_error<kolosal::DataError>([&] { (void)pipeline.transform(x.drop({"a"})); },
                                   "SimpleImputer::transform: column 'a' seen at fit is missing");
}
