// SPDX-License-Identifier: MIT
// Classification metrics: hand-computed answers, string labels and bad input.
#include "kolosal/metrics/classification.hpp"

#include <limits>
#include <string>
#include <vector>

#include "test_util.hpp"

namespace km = kolosal::metrics;
using kolosal::InvalidArgument;
using kolosal::ShapeMismatch;
using kolosal::test::expect_error;

namespace {
using Ints = std::vector<int>;
using Doubles = std::vector<double>;
}  // namespace

TEST_CASE("metrics: accuracy and balanced accuracy by hand", "[metrics]") {
  const Ints y_true{0, 1, 2, 3};
  const Ints y_pred{0, 2, 1, 3};
  CHECK(km::accuracy(y_true, y_pred) == 0.5);
  CHECK(km::accuracy(y_true, y_pred, Doubles{1, 1, 1, 5}) == 0.75);

  // Recall 3/4 for class 0 and 1/2 for class 1.
  const Ints bt{0, 1, 0, 0, 1, 0};
  const Ints bp{0, 1, 0, 0, 0, 1};
  CHECK(km::balanced_accuracy(bt, bp) == Approx(0.625).epsilon(1e-15));
  // Adjusted: (0.625 - 1/2) / (1 - 1/2).
  CHECK(km::balanced_accuracy(bt, bp, {}, true) == Approx(0.25).epsilon(1e-15));
  // A class that is only predicted (2) has no recall and is skipped.
  CHECK(km::balanced_accuracy(Ints{0, 0, 1, 1}, Ints{0, 2, 1, 1}) == Approx(0.75).epsilon(1e-15));
}

TEST_CASE("metrics: precision, recall and F by hand", "[metrics]") {
  SECTION("binary") {
    const Ints y_true{0, 1, 1, 0, 1};
    const Ints y_pred{1, 1, 0, 0, 1};  // tp 2, fp 1, fn 1
    CHECK(km::precision(y_true, y_pred) == Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(km::recall(y_true, y_pred) == Approx(2.0 / 3.0).epsilon(1e-15));
    CHECK(km::f1(y_true, y_pred) == Approx(2.0 / 3.0).epsilon(1e-15));
    // Class 0 as positive: tp 1, fp 1, fn 1.
    const km::PrfOptions neg{.pos_label = 0};
    CHECK(km::precision(y_true, y_pred, {}, neg) == 0.5);
    // F2 with P = R: equals P.
    CHECK(km::fbeta(y_true, y_pred, 2.0) == Approx(2.0 / 3.0).epsilon(1e-15));
    // β = ∞ is recall.
    CHECK(km::fbeta(Ints{1, 1, 0}, Ints{1, 0, 1}, std::numeric_limits<double>::infinity()) == 0.5);
  }
  SECTION("multiclass averages") {
    // Class 0: P 2/3, R 1, F 0.8; classes 1 and 2: all 0. Two true samples per class.
    const Ints y_true{0, 1, 2, 0, 1, 2};
    const Ints y_pred{0, 2, 1, 0, 0, 1};
    const auto with = [](km::Average average) { return km::PrfOptions{.average = average}; };
    CHECK(km::precision(y_true, y_pred, {}, with(km::Average::kMacro)) ==
          Approx(2.0 / 9.0).epsilon(1e-15));
    CHECK(km::recall(y_true, y_pred, {}, with(km::Average::kMacro)) ==
          Approx(1.0 / 3.0).epsilon(1e-15));
    CHECK(km::f1(y_true, y_pred, {}, with(km::Average::kMacro)) ==
          Approx(0.8 / 3.0).epsilon(1e-15));
    CHECK(km::f1(y_true, y_pred, {}, with(km::Average::kMicro)) ==
          Approx(1.0 / 3.0).epsilon(1e-15));
    CHECK(km::precision(y_true, y_pred, {}, with(km::Average::kWeighted)) ==
          Approx(2.0 / 9.0).epsilon(1e-15));
    // Only class 0 listed: its own scores.
    const Ints only0{0};
    const km::PrfOptions listed{.average = km::Average::kMacro, .labels = only0};
    CHECK(km::f1(y_true, y_pred, {}, listed) == Approx(0.8).epsilon(1e-15));
  }
  SECTION("zero_division") {
    const Ints zeros{0, 0, 0};
    // Positive class 1 is neither true nor predicted: every ratio is 0/0.
    CHECK(km::precision(zeros, zeros) == 0.0);
    CHECK(km::recall(zeros, zeros) == 0.0);
    CHECK(km::f1(zeros, zeros) == 0.0);
    const km::PrfOptions one{.zero_division = 1.0};
    CHECK(km::precision(zeros, zeros, {}, one) == 1.0);
    CHECK(km::recall(zeros, zeros, {}, one) == 1.0);
    CHECK(km::f1(zeros, zeros, {}, one) == 1.0);
    // Predicted positives that are all wrong: precision 0, recall 0/0.
    CHECK(km::precision(zeros, Ints{1, 0, 0}, {}, one) == 0.0);
    CHECK(km::recall(zeros, Ints{1, 0, 0}, {}, one) == 1.0);
    CHECK(km::f1(zeros, Ints{1, 0, 0}, {}, one) == 0.0);
  }
}

TEST_CASE("metrics: Matthews correlation and Cohen's kappa by hand", "[metrics]") {
  CHECK(km::matthews_corrcoef(Ints{1, 1, 1, -1}, Ints{1, -1, 1, 1}) ==
        Approx(-1.0 / 3.0).epsilon(1e-15));
  CHECK(km::matthews_corrcoef(Ints{0, 1, 2}, Ints{0, 1, 2}) == 1.0);
  CHECK(km::matthews_corrcoef(Ints{0, 1, 0}, Ints{1, 1, 1}) == 0.0);  // constant prediction

  // Observed agreement 3/4, chance agreement 1/2.
  CHECK(km::cohen_kappa(Ints{0, 1, 0, 1}, Ints{0, 1, 1, 1}) == Approx(0.5).epsilon(1e-15));
  // Linear vs quadratic weights on ordered classes 0, 1, 2: one disagreement by 2 steps.
  const Ints a{0, 1, 2, 0, 1, 2};
  const Ints b{0, 1, 2, 2, 1, 2};
  // Rows (a) sums [2, 2, 2], columns (b) sums [1, 2, 3]; expected weighted disagreement
  // Σ w_ij r_i c_j / 6: linear (1·(2·2) + 2·(2·3) + 1·(2·1) + 1·(2·3) + 2·(2·1) + 1·(2·2)) / 6.
  const double linear_expected = (4.0 + 12.0 + 2.0 + 6.0 + 4.0 + 4.0) / 6.0;
  CHECK(km::cohen_kappa(a, b, {}, km::KappaWeights::kLinear) ==
        Approx(1.0 - 2.0 / linear_expected).epsilon(1e-14));
  const double quadratic_expected = (4.0 + 4 * 6.0 + 2.0 + 6.0 + 4 * 2.0 + 4.0) / 6.0;
  CHECK(km::cohen_kappa(a, b, {}, km::KappaWeights::kQuadratic) ==
        Approx(1.0 - 4.0 / quadratic_expected).epsilon(1e-14));
  // Both raters always say the same single class: 0/0, NaN as in scikit-learn.
  CHECK(std::isnan(km::cohen_kappa(Ints{3, 3}, Ints{3, 3})));
}

TEST_CASE("metrics: confusion matrix", "[metrics]") {
  const Ints y_true{2, 0, 2, 2, 0, 1};
  const Ints y_pred{0, 0, 2, 2, 0, 2};
  const kolosal::Matrix<double> cm = km::confusion_matrix(y_true, y_pred);
  REQUIRE(cm.rows() == 3);
  CHECK(cm.values() == Doubles{2, 0, 0, 0, 0, 1, 1, 0, 2});

  // A label order, with an absent label (7) and a dropped one (1).
  const Ints order{2, 7, 0};
  const auto reordered = km::confusion_matrix(y_true, y_pred, {}, order);
  CHECK(reordered.values() == Doubles{2, 0, 1, 0, 0, 0, 0, 0, 2});

  const Doubles w{1, 2, 3, 4, 5, 6};
  CHECK(km::confusion_matrix(y_true, y_pred, w).values() == Doubles{7, 0, 0, 0, 0, 6, 1, 0, 7});
  const auto by_row = km::confusion_matrix(y_true, y_pred, {}, {}, km::Normalize::kTrue);
  CHECK(by_row(2, 0) == Approx(1.0 / 3.0).epsilon(1e-15));
  CHECK(by_row(1, 2) == 1.0);
  // Predicted class 1 never occurs: its column is 0/0, reported as 0.
  const auto by_col = km::confusion_matrix(y_true, y_pred, {}, {}, km::Normalize::kPred);
  CHECK(by_col(0, 1) == 0.0);
  CHECK(by_col(0, 0) == Approx(2.0 / 3.0).epsilon(1e-15));
  const auto all = km::confusion_matrix(y_true, y_pred, {}, {}, km::Normalize::kAll);
  CHECK(all(0, 0) == Approx(2.0 / 6.0).epsilon(1e-15));
}

TEST_CASE("metrics: ROC AUC and average precision by hand", "[metrics]") {
  const Ints y{0, 0, 1, 1};
  CHECK(km::roc_auc(y, Doubles{0.1, 0.4, 0.35, 0.8}) == 0.75);
  CHECK(km::average_precision(y, Doubles{0.1, 0.4, 0.35, 0.8}) == Approx(5.0 / 6.0).epsilon(1e-15));
  // A tie between a positive and a negative counts one half (Mann-Whitney).
  CHECK(km::roc_auc(y, Doubles{0.2, 0.5, 0.5, 0.9}) == 0.875);
  CHECK(km::roc_auc(Ints{0, 1}, Doubles{0.5, 0.5}) == 0.5);
  // Labels {-1, 1}: 1 is positive; the ranking is perfect.
  CHECK(km::roc_auc(Ints{-1, 1, -1, 1}, Doubles{-2.0, 3.0, 0.0, 1.0}) == 1.0);
  // Weights repeat samples: weight 2 on the tied negative equals duplicating it.
  CHECK(km::roc_auc(y, Doubles{0.2, 0.5, 0.5, 0.9}, Doubles{1, 2, 1, 1}) ==
        km::roc_auc(Ints{0, 0, 0, 1, 1}, Doubles{0.2, 0.5, 0.5, 0.5, 0.9}));
  // Zero-weight samples are ignored.
  CHECK(km::roc_auc(Ints{0, 0, 1, 1, 0}, Doubles{0.1, 0.4, 0.35, 0.8, 0.99},
                    Doubles{1, 1, 1, 1, 0}) == 0.75);
  // All tied scores: precision is the positive rate at the single threshold.
  CHECK(km::average_precision(Ints{0, 1, 1, 0, 1}, Doubles(5, 0.3)) == 0.6);
  // No positive sample: 0.
  CHECK(km::average_precision(Ints{0, 0, 0}, Doubles{0.1, 0.2, 0.3}) == 0.0);
  // pos_label 0 with reversed scores mirrors the positive view.
  CHECK(km::average_precision(Ints{1, 1, 0, 0}, Doubles{0.1, 0.4, 0.35, 0.8}, {}, 0) ==
        Approx(5.0 / 6.0).epsilon(1e-15));
}

TEST_CASE("metrics: one-vs-rest ROC AUC", "[metrics]") {
  const Ints y{0, 1, 2, 2};
  const Doubles p{0.8, 0.1, 0.1,   //
                  0.1, 0.8, 0.1,   //
                  0.2, 0.2, 0.6,   //
                  0.5, 0.2, 0.3};  //
  const kolosal::MatrixView<const double> proba(p.data(), 4, 3);
  // Class 2 vs rest: positives score 0.6, 0.3; negatives 0.1, 0.1 → AUC 1. Class 0: positive
  // 0.8; negatives 0.1, 0.2, 0.5 → 1. Class 1: positive 0.8; negatives 0.1, 0.2, 0.2 → 1.
  CHECK(km::roc_auc_ovr(y, proba) == 1.0);
  // Swapping the last row's first two entries keeps every class ranked first in its column.
  Doubles q = p;
  q[9] = 0.2;
  q[10] = 0.5;
  const kolosal::MatrixView<const double> proba_q(q.data(), 4, 3);
  CHECK(km::roc_auc_ovr(y, proba_q, {}, km::Average::kWeighted) == 1.0);
  // A strided view reads only the first 3 of 4 stored columns.
  const Doubles wide{0.8, 0.1, 0.1, 9.0,  //
                     0.1, 0.8, 0.1, 9.0,  //
                     0.2, 0.2, 0.6, 9.0,  //
                     0.5, 0.2, 0.3, 9.0};
  const kolosal::MatrixView<const double> strided(wide.data(), 4, 3, 4);
  CHECK(km::roc_auc_ovr(y, strided) == km::roc_auc_ovr(y, proba));
}

TEST_CASE("metrics: log loss and Brier score by hand", "[metrics]") {
  // scikit-learn's docstring example with string labels: ham = 0, spam = 1.
  const std::vector<std::string> labels{"spam", "ham", "ham", "spam"};
  const km::EncodedLabels encoded = km::encode_labels(labels);
  REQUIRE(encoded.classes == std::vector<std::string>{"ham", "spam"});
  REQUIRE(encoded.y_true == Ints{1, 0, 0, 1});
  CHECK(encoded.y_pred.empty());
  const Doubles p{0.1, 0.9, 0.9, 0.1, 0.8, 0.2, 0.35, 0.65};
  const kolosal::MatrixView<const double> proba(p.data(), 4, 2);
  const double expected = -(std::log(0.9) + std::log(0.9) + std::log(0.8) + std::log(0.65)) / 4;
  CHECK(km::log_loss(encoded.y_true, proba) == Approx(expected).epsilon(1e-15));
  CHECK(km::log_loss(encoded.y_true, Doubles{0.9, 0.1, 0.2, 0.65}) ==
        Approx(expected).epsilon(1e-15));
  CHECK(km::log_loss(encoded.y_true, proba, {}, km::kLogLossEps, false) ==
        Approx(4 * expected).epsilon(1e-15));
  // A probability of 0 for the true class is clipped to eps.
  CHECK(km::log_loss(Ints{0}, Doubles{1.0}, {}, 1e-7) == Approx(-std::log(1e-7)).epsilon(1e-8));
  // Rows are renormalised: (2, 2) behaves as (0.5, 0.5).
  const Doubles unnormalised{2.0, 2.0};
  CHECK(km::log_loss(Ints{1}, kolosal::MatrixView<const double>(unnormalised.data(), 1, 2)) ==
        Approx(std::log(2.0)).epsilon(1e-15));

  CHECK(km::brier_score_loss(Ints{0, 1, 1, 0}, Doubles{0.1, 0.9, 0.8, 0.3}) ==
        Approx(0.0375).epsilon(1e-14));
  // Labels {3, 7}: 7 is positive by default, 3 when asked.
  CHECK(km::brier_score_loss(Ints{3, 7}, Doubles{0.0, 1.0}) == 0.0);
  CHECK(km::brier_score_loss(Ints{3, 7}, Doubles{0.0, 1.0}, {}, 3) == 1.0);
}

TEST_CASE("metrics: string labels through encode_labels", "[metrics]") {
  const std::vector<std::string> truth{"cat", "dog", "bird", "dog"};
  const std::vector<std::string> pred{"cat", "cat", "bird", "eel"};
  const km::EncodedLabels e = km::encode_labels(truth, pred);
  CHECK(e.classes == std::vector<std::string>{"bird", "cat", "dog", "eel"});
  CHECK(e.y_true == Ints{1, 2, 0, 2});
  CHECK(e.y_pred == Ints{1, 1, 0, 3});
  CHECK(km::accuracy(e.y_true, e.y_pred) == 0.5);
  // The positive class of a string problem is its index in classes.
  const km::PrfOptions dog{.pos_label = 2};
  CHECK(km::recall(Ints{2, 1, 2}, Ints{2, 2, 1}, {}, dog) == 0.5);
}

TEST_CASE("metrics: classification inputs are validated", "[metrics]") {
  const Ints ten(10, 1);
  const Doubles nine(9, 0.5);
  expect_error<ShapeMismatch>([&] { (void)km::roc_auc(ten, nine); },
                              "roc_auc: y_true has 10 values but y_score has 9");
  expect_error<ShapeMismatch>(
      [&] {
        (void)km::accuracy(Ints{1, 2, 3}, Ints{1, 2, 3}, Doubles{1, 1});
      },
      "accuracy: y_true has 3 values but sample_weight has 2");
  expect_error<InvalidArgument>([] { (void)km::accuracy(Ints{}, Ints{}); },
                                "accuracy: empty input");
  expect_error<InvalidArgument>(
      [] {
        (void)km::f1(Ints{1, 0}, Ints{1, 0}, Doubles{1, -2});
      },
      "f1: sample_weight[1] is negative");
  expect_error<InvalidArgument>(
      [] {
        (void)km::accuracy(Ints{1, 0}, Ints{1, 0}, Doubles{1, std::nan("")});
      },
      "accuracy: sample_weight[1] is NaN");
  expect_error<InvalidArgument>(
      [] {
        (void)km::accuracy(Ints{1, 0}, Ints{1, 0}, Doubles{0, 0});
      },
      "accuracy: sample weights sum to zero");

  expect_error<InvalidArgument>(
      [] {
        (void)km::roc_auc(Ints{1, 1, 1}, Doubles{0.1, 0.2, 0.3});
      },
      "roc_auc: only one class (1) is present in y_true");
  expect_error<InvalidArgument>(
      [] {
        (void)km::roc_auc(Ints{0, 1, 2}, Doubles{0.1, 0.2, 0.3});
      },
      "use roc_auc_ovr");
  expect_error<InvalidArgument>(
      [] {
        (void)km::roc_auc(Ints{0, 1, 0}, Doubles{0.1, std::nan(""), 0.3});
      },
      "roc_auc: y_score[1] is NaN");
  expect_error<InvalidArgument>(
      [] {
        (void)km::roc_auc(Ints{0, 1, 0}, Doubles{0.1, 0.4, 0.3}, Doubles{1, 0, 1});
      },
      "roc_auc: the positive samples all have zero weight");
  expect_error<InvalidArgument>(
      [] {
        (void)km::average_precision(Ints{0, 2, 0},
                                    Doubles{0.1, std::numeric_limits<double>::infinity(), 0.3});
      },
      "average_precision: y_score[1] is infinite");
  expect_error<InvalidArgument>(
      [] {
        (void)km::average_precision(Ints{0, 2, 0}, Doubles{0.1, 0.2, 0.3});
      },
      "average_precision: pos_label=1 is not a valid label; it should be one of [0, 2]");

  const Doubles rows{0.5, 0.5, 0.0,  //
                     0.2, 0.2, 0.2,  //
                     0.1, 0.1, 0.8};
  const kolosal::MatrixView<const double> bad_sum(rows.data(), 3, 3);
  expect_error<InvalidArgument>(
      [&] {
        (void)km::roc_auc_ovr(Ints{0, 1, 2}, bad_sum);
      },
      "roc_auc_ovr: row 1 of y_proba sums to 0.6");
  expect_error<InvalidArgument>(
      [&] {
        (void)km::roc_auc_ovr(Ints{0, 1, 1}, bad_sum);
      },
      "class 2 never occurs in y_true");
  expect_error<InvalidArgument>(
      [&] {
        (void)km::roc_auc_ovr(Ints{0, 1, 3}, bad_sum);
      },
      "y_true[2] = 3 is not a class index");
  expect_error<ShapeMismatch>(
      [&] {
        (void)km::roc_auc_ovr(Ints{0, 1}, bad_sum);
      },
      "roc_auc_ovr: y_true has 2 values but y_proba has 3");

  expect_error<InvalidArgument>(
      [] {
        (void)km::precision(Ints{0, 1, 2}, Ints{0, 1, 1});
      },
      "precision: y_true and y_pred hold 3 classes [0, 1, 2] but "
      "average is binary");
  expect_error<InvalidArgument>(
      [] {
        (void)km::recall(Ints{0, 2}, Ints{0, 2}, {}, {.pos_label = 1});
      },
      "recall: pos_label=1 is not a valid label; it should be one of [0, 2]");
  expect_error<InvalidArgument>(
      [] {
        (void)km::f1(Ints{0, 1}, Ints{0, 1}, {}, {.zero_division = 0.5});
      },
      "f1: zero_division must be 0 or 1");
  expect_error<InvalidArgument>(
      [] {
        (void)km::fbeta(Ints{0, 1}, Ints{0, 1}, -1.0);
      },
      "fbeta: beta must be >= 0");

  expect_error<InvalidArgument>(
      [] {
        (void)km::confusion_matrix(Ints{0, 1}, Ints{0, 1}, {}, Ints{1, 1});
      },
      "confusion_matrix: labels lists 1 more than once");
  expect_error<InvalidArgument>(
      [] {
        (void)km::confusion_matrix(Ints{0, 1}, Ints{0, 1}, {}, Ints{5, 6});
      },
      "confusion_matrix: none of labels [5, 6] occurs in y_true");
  expect_error<InvalidArgument>(
      [] {
        (void)km::cohen_kappa(Ints{0, 1}, Ints{0, 1}, {}, km::KappaWeights::kNone, Ints{9});
      },
      "cohen_kappa: none of labels [9] occurs in y_true");

  const Doubles probs{0.3, 0.7, 0.6, 0.4};
  const kolosal::MatrixView<const double> two(probs.data(), 2, 2);
  expect_error<InvalidArgument>(
      [&] {
        (void)km::log_loss(Ints{0, 2}, two);
      },
      "log_loss: y_true[1] = 2 is not a class index");
  expect_error<InvalidArgument>(
      [&] { (void)km::log_loss(Ints{0}, kolosal::MatrixView<const double>(probs.data(), 1, 1)); },
      "log_loss: y_proba has 1 column(s)");
  expect_error<InvalidArgument>(
      [] {
        (void)km::log_loss(Ints{0, 1}, Doubles{0.2, std::nan("")});
      },
      "log_loss: y_proba[1] is NaN");
  expect_error<InvalidArgument>(
      [] {
        (void)km::brier_score_loss(Ints{0, 1}, Doubles{0.2, 1.5});
      },
      "brier_score_loss: y_prob[1] = 1.5 is outside [0, 1]");
  expect_error<InvalidArgument>(
      [] {
        (void)km::brier_score_loss(Ints{0, 1, 2}, Doubles{0.2, 0.5, 0.1});
      },
      "brier_score_loss: y_true holds 3 classes");
}
