// SPDX-License-Identifier: MIT
// Tests of train/test splits and k-fold indices: sizes, coverage, stratification, determinism.
#include "kolosal/data/split.hpp"

#include <map>
#include <set>

#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

namespace kd = kolosal::data;

namespace {

/// Every row exactly once across train and test.
bool partitions(const kd::SplitIndices& s, std::size_t n) {
  std::vector<std::size_t> all = s.train;
  all.insert(all.end(), s.test.begin(), s.test.end());
  std::sort(all.begin(), all.end());
  std::vector<std::size_t> expected(n);
  std::iota(expected.begin(), expected.end(), std::size_t{0});
  return all == expected;
}

std::map<std::int32_t, std::size_t> class_counts(const std::vector<std::size_t>& rows,
                                                 const std::vector<std::int32_t>& classes) {
  std::map<std::int32_t, std::size_t> counts;
  for (const auto r : rows) ++counts[classes[r]];
  return counts;
}

}  // namespace

TEST_CASE("train_test_split: sizes follow ceil(test_fraction * n)", "[data][split]") {
  const auto s = kd::train_test_split(10, 0.25);
  CHECK(s.test.size() == 3);
  CHECK(s.train.size() == 7);
  CHECK(partitions(s, 10));
  CHECK(kd::train_test_split(150, 0.2).test.size() == 30);
  CHECK(kd::train_test_split(7, 0.5).test.size() == 4);

  const auto plain = kd::train_test_split(5, 0.4, false);
  CHECK(plain.train == std::vector<std::size_t>{0, 1, 2});
  CHECK(plain.test == std::vector<std::size_t>{3, 4});

  CHECK_THROWS_AS(kd::train_test_split(10, 0.0), kolosal::InvalidArgument);
  CHECK_THROWS_AS(kd::train_test_split(10, 1.0), kolosal::InvalidArgument);
  CHECK_THROWS_AS(kd::train_test_split(1, 0.5), kolosal::InvalidArgument);
}

TEST_CASE("train_test_split: the seed decides the permutation", "[data][split]") {
  const auto a = kd::train_test_split(100, 0.3, true, 5);
  const auto b = kd::train_test_split(100, 0.3, true, 5);
  const auto c = kd::train_test_split(100, 0.3, true, 6);
  CHECK(a.train == b.train);
  CHECK(a.test == b.test);
  CHECK(a.test != c.test);
  CHECK(partitions(a, 100));
}

TEST_CASE("stratified_train_test_split: proportional classes on both sides", "[data][split]") {
  const kd::Frame iris = kd::read_csv(kolosal::test::data_path("iris.csv"));
  const auto codes = iris.column("species").codes();
  const std::vector<std::int32_t> classes(codes.begin(), codes.end());
  const auto s = kd::stratified_train_test_split(classes, 0.2, 3);
  CHECK(s.test.size() == 30);
  CHECK(partitions(s, 150));
  for (const auto& [cls, count] : class_counts(s.test, classes)) CHECK(count == 10);
  const auto again = kd::stratified_train_test_split(classes, 0.2, 3);
  CHECK(again.test == s.test);
  CHECK(kd::stratified_train_test_split(classes, 0.2, 4).test != s.test);

  // String labels give the same split as their sorted codes.
  const auto labels = iris.column("species").to_labels();
  CHECK(kd::stratified_train_test_split(labels, 0.2, 3).test == s.test);
}

TEST_CASE("stratified_train_test_split: small classes land on both sides", "[data][split]") {
  // 20 rows: 16 of class 0, 2 of class 1, 2 of class 2; 15% test -> 3 rows. Proportional shares
  // (2.4, 0.3, 0.3) give way to one row of each class on each side.
  std::vector<std::int32_t> classes(16, 0);
  classes.insert(classes.end(), {1, 1, 2, 2});
  const auto s = kd::stratified_train_test_split(classes, 0.15, 1);
  REQUIRE(s.test.size() == 3);
  CHECK(partitions(s, 20));
  const auto test = class_counts(s.test, classes);
  const auto train = class_counts(s.train, classes);
  CHECK(test.at(0) == 1);
  CHECK(test.at(1) == 1);
  CHECK(test.at(2) == 1);
  CHECK(train.at(0) == 15);
  CHECK(train.at(1) == 1);
  CHECK(train.at(2) == 1);

  // Proportional with largest remainders: 60/30/10 rows, 25% test -> 15/8/2 of 25 rows (7.5 and
  // 2.5 are rounded by remainder, ties to the smaller id).
  std::vector<std::int32_t> uneven(60, 0);
  uneven.insert(uneven.end(), 30, 1);
  uneven.insert(uneven.end(), 10, 2);
  const auto u = kd::stratified_train_test_split(uneven, 0.25);
  const auto counts = class_counts(u.test, uneven);
  CHECK(u.test.size() == 25);
  CHECK(counts.at(0) == 15);
  CHECK(counts.at(1) + counts.at(2) == 10);
  CHECK(counts.at(1) >= 7);
  CHECK(counts.at(1) <= 8);

  // Three classes of two rows cannot all be on both sides with one test row.
  const std::vector<std::int32_t> tight{0, 0, 1, 1, 2, 2};
  CHECK_THROWS_AS(kd::stratified_train_test_split(tight, 0.1), kolosal::InvalidArgument);
  CHECK(kd::stratified_train_test_split(tight, 0.5).test.size() == 3);
}

TEST_CASE("k_fold: fold sizes and coverage", "[data][split]") {
  const auto folds = kd::k_fold(10, 3);
  REQUIRE(folds.size() == 3);
  CHECK(folds[0].test == std::vector<std::size_t>{0, 1, 2, 3});
  CHECK(folds[1].test == std::vector<std::size_t>{4, 5, 6});
  CHECK(folds[2].test == std::vector<std::size_t>{7, 8, 9});
  std::vector<std::size_t> seen;
  for (const auto& f : folds) {
    CHECK(partitions(f, 10));
    seen.insert(seen.end(), f.test.begin(), f.test.end());
  }
  std::sort(seen.begin(), seen.end());
  CHECK(seen.size() == 10);
  CHECK(std::adjacent_find(seen.begin(), seen.end()) == seen.end());

  const auto shuffled = kd::k_fold(10, 3, true, 11);
  CHECK(shuffled[0].test.size() == 4);
  CHECK(std::is_sorted(shuffled[0].test.begin(), shuffled[0].test.end()));
  CHECK(shuffled[0].test != folds[0].test);
  CHECK(kd::k_fold(10, 3, true, 11)[1].test == shuffled[1].test);
  CHECK_THROWS_AS(kd::k_fold(10, 1), kolosal::InvalidArgument);
  CHECK_THROWS_AS(kd::k_fold(3, 4), kolosal::InvalidArgument);
}

TEST_CASE("stratified_k_fold: each fold keeps the class balance", "[data][split]") {
  const kd::Frame wine = kd::read_csv(kolosal::test::data_path("wine.csv"));
  const auto codes = wine.column("class").codes();
  const std::vector<std::int32_t> classes(codes.begin(), codes.end());
  for (const bool shuffle : {false, true}) {
    const auto folds = kd::stratified_k_fold(classes, 5, shuffle, 2);
    REQUIRE(folds.size() == 5);
    std::set<std::size_t> all;
    for (const auto& f : folds) {
      CHECK(partitions(f, classes.size()));
      CHECK((f.test.size() == 35 || f.test.size() == 36));
      const auto counts = class_counts(f.test, classes);
      // 59 / 71 / 48 rows over 5 folds: 11-12, 14-15, 9-10.
      CHECK((counts.at(0) == 11 || counts.at(0) == 12));
      CHECK((counts.at(1) == 14 || counts.at(1) == 15));
      CHECK((counts.at(2) == 9 || counts.at(2) == 10));
      all.insert(f.test.begin(), f.test.end());
    }
    CHECK(all.size() == classes.size());
  }
  CHECK(kd::stratified_k_fold(classes, 5, true, 2)[0].test ==
        kd::stratified_k_fold(classes, 5, true, 2)[0].test);
  CHECK(kd::stratified_k_fold(classes, 5, true, 2)[0].test !=
        kd::stratified_k_fold(classes, 5, true, 3)[0].test);
}
