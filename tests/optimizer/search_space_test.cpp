// SPDX-License-Identifier: MIT
// Tests of SearchSpace: declarations, unit-cube transforms, conditions and the JSON description.
#include "kolosal/optimizer/search_space.hpp"

#include <limits>

#include "kolosal/core/error.hpp"

#include "test_util.hpp"

namespace ko = kolosal::optimizer;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

ko::SearchSpace mixed_space() {
  ko::SearchSpace space;
  space.add_categorical("model", {"linear", "tree"})
      .add_float("alpha", 1e-4, 10.0, true, {.parent = "model", .values = {"linear"}})
      .add_int("depth", 1, 12, false, 1, {.parent = "model", .values = {"tree"}})
      .add_int("leaves", 4, 64, false, 4)
      .add_float("rate", 0.0, 1.0);
  return space;
}

}  // namespace

TEST_CASE("SearchSpace: unit transforms round-trip and snap onto the domain", "[optimizer]") {
  const auto space = mixed_space();
  REQUIRE(space.size() == 5);
  CHECK(space.index_of("depth") == 2);
  CHECK(space.cardinality(0) == 2);
  CHECK(space.cardinality(3) == 16);
  CHECK(space.param(3).high == 64.0);
  for (double u : {0.0, 0.13, 0.5, 0.77, 1.0}) {
    for (std::size_t i = 0; i < space.size(); ++i) {
      const double v = space.from_unit(i, u);
      CHECK(v >= space.param(i).low);
      CHECK(v <= space.param(i).high);
      CHECK(space.snap(i, v) == v);
      CHECK(space.from_unit(i, space.to_unit(i, v)) == Approx(v).epsilon(1e-12));
    }
  }
  // Log scale: the unit midpoint is the geometric mean.
  CHECK(space.from_unit(1, 0.5) == Approx(std::sqrt(1e-4 * 10.0)).epsilon(1e-12));
  // Int with step 4: values on the grid 4, 8, ..., 64.
  CHECK(space.snap(3, 10.0) == 12.0);
  CHECK(space.snap(3, 100.0) == 64.0);
  // Categorical cells.
  CHECK(space.from_unit(0, 0.49) == 0.0);
  CHECK(space.from_unit(0, 0.51) == 1.0);
  CHECK(space.to_unit(0, 1.0) == 0.75);
}

TEST_CASE("SearchSpace: conditions deactivate children of other branches", "[optimizer]") {
  const auto space = mixed_space();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<double> v{1.0, 0.5, 3.0, 8.0, 0.2};  // "tree": alpha inactive
  space.deactivate(v);
  CHECK(std::isnan(v[1]));
  CHECK(v[2] == 3.0);
  CHECK_NOTHROW(space.check_values(v, "test"));
  std::vector<double> bad{0.0, nan, 3.0, 8.0, 0.2};  // "linear" without alpha, with depth
  expect_error<kolosal::InvalidArgument>([&] { space.check_values(bad, "test"); },
                                         "'alpha' is active but has no value");
  std::vector<double> off{1.0, nan, 3.0, 9.0, 0.2};  // leaves not on the step grid
  expect_error<kolosal::InvalidArgument>([&] { space.check_values(off, "test"); },
                                         "'leaves' value 9 is outside its domain");
}

TEST_CASE("SearchSpace: JSON description round-trips", "[optimizer]") {
  const auto space = mixed_space();
  const json j = space.to_json();
  CHECK(j["params"][1]["condition"]["parent"] == "model");
  const auto back = ko::SearchSpace::from_json(json::parse(j.dump()));
  CHECK(back == space);
  CHECK(back.value_to_json(0, 1.0) == "tree");
  CHECK(back.value_from_json(0, "linear") == 0.0);
  CHECK(back.value_to_json(2, 7.0) == 7);
  CHECK(back.value_to_json(1, std::numeric_limits<double>::quiet_NaN()).is_null());
}

TEST_CASE("SearchSpace: rejects bad declarations and descriptions", "[optimizer]") {
  ko::SearchSpace space;
  space.add_float("x", 0.0, 1.0);
  expect_error<kolosal::InvalidArgument>([&] { space.add_float("x", 0.0, 1.0); },
                                         "'x' is declared twice");
  expect_error<kolosal::InvalidArgument>([&] { space.add_float("y", 2.0, 1.0); },
                                         "needs finite low <= high");
  expect_error<kolosal::InvalidArgument>([&] { space.add_float("y", 0.0, 1.0, true); },
                                         "log-scaled and needs low > 0");
  expect_error<kolosal::InvalidArgument>([&] { space.add_int("n", 0, 5, true); }, "needs low >= 1");
  expect_error<kolosal::InvalidArgument>([&] { space.add_int("n", 0, 5, false, 0); },
                                         "needs step >= 1");
  expect_error<kolosal::InvalidArgument>([&] { space.add_categorical("c", {}); }, "no choices");
  expect_error<kolosal::InvalidArgument>(
      [&] {
        space.add_categorical("c", {"a", "a"});
      },
      "repeats choice 'a'");
  expect_error<kolosal::InvalidArgument>(
      [&] { space.add_float("z", 0.0, 1.0, false, {.parent = "x", .values = {"a"}}); },
      "which is not categorical");
  expect_error<kolosal::InvalidArgument>(
      [&] { space.add_float("z", 0.0, 1.0, false, {.parent = "nope", .values = {"a"}}); },
      "not declared before it");
  expect_error<kolosal::InvalidArgument>([&] { (void)space.index_of("nope"); },
                                         "unknown parameter 'nope'");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::SearchSpace::from_json(
            json::parse(R"({"params": [{"name": "a", "type": "float", "low": 0, "hi": 1}]})"));
      },
      "params[0]: unknown key 'hi'");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::SearchSpace::from_json(
            json::parse(R"({"params": [{"name": "a", "type": "real", "low": 0, "high": 1}]})"));
      },
      "unknown type 'real'");
  expect_error<kolosal::ConfigError>(
      [] { (void)ko::SearchSpace::from_json(json::parse(R"({"params": 3})")); },
      "expected an object with a 'params' array");
}
