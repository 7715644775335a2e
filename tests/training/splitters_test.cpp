// SPDX-License-Identifier: MIT
// Tests of the validation splitters against scikit-learn, and of make_splits.
#include "kolosal/training/splitters.hpp"

#include <fstream>
#include <set>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

#include "test_util.hpp"

namespace kt = kolosal::training;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

// Every row appears on exactly one side of every split.
void check_partition(const std::vector<kolosal::data::SplitIndices>& splits, std::size_t n,
                     bool complete) {
  for (const auto& s : splits) {
    std::set<std::size_t> seen(s.train.begin(), s.train.end());
    for (auto r : s.test) CHECK(seen.insert(r).second);
    CHECK(seen.size() == s.train.size() + s.test.size());
    if (complete) CHECK(seen.size() == n);
    CHECK(*seen.rbegin() < n);
  }
}

}  // namespace

TEST_CASE("splitters: group and time-series folds match scikit-learn", "[training][splitters]") {
  std::ifstream in(kolosal::test::reference_path("splitters.json"));
  const json ref = json::parse(in);
  for (const auto& c : ref["cases"]) {
    INFO(c["kind"].get<std::string>() << " n=" << c["n"] << " k=" << c["k"]);
    const auto n = c["n"].get<std::size_t>();
    const auto k = c["k"].get<std::size_t>();
    std::vector<kolosal::data::SplitIndices> folds;
    if (c["kind"] == "group_k_fold") {
      const auto groups = c["groups"].get<std::vector<std::int64_t>>();
      folds = kt::group_k_fold(groups, k);
      // No group on both sides.
      for (const auto& f : folds) {
        std::set<std::int64_t> test_groups;
        for (auto r : f.test) test_groups.insert(groups[r]);
        for (auto r : f.train) CHECK(test_groups.count(groups[r]) == 0);
      }
    } else {
      const auto max_train =
          c["max_train_size"].is_null()
              ? std::nullopt
              : std::optional<std::size_t>(c["max_train_size"].get<std::size_t>());
      const auto test_size = c["test_size"].is_null()
                                 ? std::nullopt
                                 : std::optional<std::size_t>(c["test_size"].get<std::size_t>());
      folds = kt::time_series_split(n, k, c["gap"].get<std::size_t>(), max_train, test_size);
    }
    REQUIRE(folds.size() == c["folds"].size());
    for (std::size_t f = 0; f < folds.size(); ++f) {
      CHECK(folds[f].train == c["folds"][f]["train"].get<std::vector<std::size_t>>());
      CHECK(folds[f].test == c["folds"][f]["test"].get<std::vector<std::size_t>>());
    }
  }
}

TEST_CASE("splitters: repeated k-fold, shuffle split and holdout partition the rows",
          "[training][splitters]") {
  const auto repeated = kt::repeated_k_fold(23, 4, 3, 5);
  REQUIRE(repeated.size() == 12);
  check_partition(repeated, 23, true);
  // Each repeat's test folds cover every row once; repeats differ.
  for (std::size_t r = 0; r < 3; ++r) {
    std::multiset<std::size_t> tested;
    for (std::size_t f = 0; f < 4; ++f) {
      tested.insert(repeated[r * 4 + f].test.begin(), repeated[r * 4 + f].test.end());
    }
    CHECK(tested.size() == 23);
    CHECK(std::set<std::size_t>(tested.begin(), tested.end()).size() == 23);
  }
  CHECK(repeated[0].test != repeated[4].test);
  CHECK(kt::repeated_k_fold(23, 4, 3, 5)[7].test == repeated[7].test);

  const auto shuffled = kt::shuffle_split(50, 6, 0.3, 1);
  REQUIRE(shuffled.size() == 6);
  check_partition(shuffled, 50, true);
  for (const auto& s : shuffled) CHECK(s.test.size() == 15);
  CHECK(shuffled[0].test != shuffled[1].test);

  std::vector<double> y(40);
  for (std::size_t i = 0; i < y.size(); ++i) y[i] = i % 4 == 0 ? 1.0 : 0.0;
  const auto holdout = kt::make_splits(
      {.kind = kt::SplitterKind::kHoldout, .stratify = true, .test_fraction = 0.25}, 40, y);
  REQUIRE(holdout.size() == 1);
  check_partition(holdout, 40, true);
  std::size_t positives = 0;
  for (auto r : holdout[0].test) positives += y[r] == 1.0;
  CHECK(positives == 2);  // 2.5 rounds down: the largest remainder goes to class 0

  const auto strat = kt::make_splits(
      {.kind = kt::SplitterKind::kRepeatedKFold, .n_splits = 5, .n_repeats = 2, .stratify = true},
      40, y);
  for (const auto& s : strat) {
    std::size_t pos = 0;
    for (auto r : s.test) pos += y[r] == 1.0;
    CHECK(pos == 2);
  }
}

TEST_CASE("SplitterConfig: JSON round-trip and rejection", "[training][splitters]") {
  const kt::SplitterConfig c{.kind = kt::SplitterKind::kTimeSeries,
                             .n_splits = 3,
                             .n_repeats = 2,
                             .shuffle = false,
                             .stratify = true,
                             .test_fraction = 0.3,
                             .gap = 2,
                             .max_train_size = 10,
                             .seed = 9};
  CHECK(kolosal::config::from_json<kt::SplitterConfig>(
            json::parse(kolosal::config::to_json(c).dump())) == c);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::SplitterConfig>(json{{"kind", "loo"}});
      },
      "unknown value 'loo'");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::SplitterConfig>(json{{"test_fraction", 1.0}});
      },
      "test_fraction");
  expect_error<kolosal::InvalidArgument>(
      [] { (void)kt::make_splits({.kind = kt::SplitterKind::kGroupKFold}, 10); },
      "group_k_fold needs 10 group ids, got 0");
  expect_error<kolosal::InvalidArgument>(
      [] { (void)kt::make_splits({.kind = kt::SplitterKind::kStratifiedKFold}, 10); },
      "needs class labels");
  expect_error<kolosal::InvalidArgument>([] { (void)kt::time_series_split(10, 5, 5); },
                                         "leave no training row");
  const std::vector<std::int64_t> two_groups{0, 0, 1, 1};
  expect_error<kolosal::InvalidArgument>([&] { (void)kt::group_k_fold(two_groups, 3); },
                                         "number of groups (2)");
}
