// SPDX-License-Identifier: MIT
// The main demo: load a bundled dataset, show its schema, split it, and score two baselines
// (majority class and nearest centroid on standardised features) on the held-out rows.
#include <cmath>
#include <cstdio>
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include <kolosal/kolosal.hpp>

namespace kd = kolosal::data;
namespace km = kolosal::metrics;

namespace {

struct Scores {
  double accuracy, balanced_accuracy, f1, mcc, roc_auc;
};

Scores score(std::span<const int> truth, std::span<const int> predicted,
             std::span<const double> malignant_score) {
  return {km::accuracy(truth, predicted), km::balanced_accuracy(truth, predicted),
          km::f1(truth, predicted), km::matthews_corrcoef(truth, predicted),
          km::roc_auc(truth, malignant_score)};
}

void print_row(const char* name, const Scores& s) {
  std::printf("  %-26s %9.4f %9.4f %9.4f %9.4f %9.4f\n", name, s.accuracy, s.balanced_accuracy,
              s.f1, s.mcc, s.roc_auc);
}

}  // namespace

int main(int argc, char** argv) try {
  const std::string path = argc > 1 ? argv[1] : KOLOSAL_EXAMPLE_DATA_DIR "/breast_cancer.csv";
  const std::string target = argc > 2 ? argv[2] : "diagnosis";
  kolosal::Context ctx;  // every core, seed 42

  // 1. Read the CSV into a typed frame and show its schema.
  const kd::Frame frame = kd::read_csv(path, {}, ctx);
  std::printf("%s: %zu rows x %zu columns\n\n", path.c_str(), frame.rows(), frame.cols());
  std::printf("  %-26s %-12s %8s %12s %12s\n", "column", "type", "missing", "mean", "std");
  for (const auto& s : frame.describe()) {
    if (s.type == kd::ColumnType::kNumeric) {
      std::printf("  %-26s %-12s %8zu %12.5g %12.5g\n", s.name.c_str(),
                  std::string(kd::to_string(s.type)).c_str(), s.missing, s.mean, s.std);
    } else {
      std::printf("  %-26s %-12s %8zu %12s %12s  %zu classes, top '%s' (%zu)\n", s.name.c_str(),
                  std::string(kd::to_string(s.type)).c_str(), s.missing, "", "", s.unique,
                  s.top.c_str(), s.top_count);
    }
  }

  // 2. Guess the task and split 75/25, stratified by the target.
  const kd::Column& y_column = frame.column(target);
  const kd::TaskGuess task = kd::guess_task(y_column);
  std::printf("\ntarget '%s': %s (%s)\n", target.c_str(),
              std::string(kolosal::config::enum_name(task.type)).c_str(), task.reason.c_str());
  if (task.type != kd::TaskType::kBinary || y_column.type() != kd::ColumnType::kCategorical) {
    std::fprintf(stderr, "this demo scores binary classification on a categorical target\n");
    return 1;
  }
  const std::vector<int> y(y_column.codes().begin(), y_column.codes().end());
  const auto split = kd::stratified_train_test_split(
      std::span<const std::int32_t>(y_column.codes()), 0.25, ctx.seed);
  std::printf("split: %zu training rows, %zu test rows (stratified, seed %llu)\n",
              split.train.size(), split.test.size(), static_cast<unsigned long long>(ctx.seed));

  const kolosal::Matrix<double> x = frame.drop({target}).to_matrix();
  const std::size_t d = x.cols();

  // 3. Baselines fitted on the training rows only.
  // The majority class, through the registry like any other model.
  std::vector<std::size_t> class_count(2, 0);
  for (auto i : split.train) ++class_count[static_cast<std::size_t>(y[i])];
  kolosal::Matrix<double> x_train(split.train.size(), d);
  std::vector<double> y_train(split.train.size());
  for (std::size_t r = 0; r < split.train.size(); ++r) {
    for (std::size_t j = 0; j < d; ++j) x_train(r, j) = x(split.train[r], j);
    y_train[r] = y[split.train[r]];
  }
  auto majority = kolosal::training::make_model("dummy_classifier", {{"strategy", "prior"}});
  majority->set_context(ctx).fit(x_train.view(), y_train);

  // Nearest centroid after standardising each feature with training means and deviations.
  std::vector<double> mean(d, 0.0), scale(d, 0.0);
  for (auto i : split.train) {
    for (std::size_t j = 0; j < d; ++j) mean[j] += x(i, j);
  }
  for (auto& m : mean) m /= static_cast<double>(split.train.size());
  for (auto i : split.train) {
    for (std::size_t j = 0; j < d; ++j) scale[j] += (x(i, j) - mean[j]) * (x(i, j) - mean[j]);
  }
  for (auto& s : scale) s = std::sqrt(s / static_cast<double>(split.train.size()));
  auto standardise = [&](std::size_t row) {
    std::vector<double> z(d);
    for (std::size_t j = 0; j < d; ++j) z[j] = scale[j] > 0 ? (x(row, j) - mean[j]) / scale[j] : 0;
    return z;
  };
  std::vector<std::vector<double>> centroid(2, std::vector<double>(d, 0.0));
  for (auto i : split.train) {
    const auto z = standardise(i);
    for (std::size_t j = 0; j < d; ++j) centroid[static_cast<std::size_t>(y[i])][j] += z[j];
  }
  for (std::size_t c = 0; c < 2; ++c) {
    for (auto& v : centroid[c]) v /= static_cast<double>(class_count[c]);
  }

  // 4. Score both on the held-out rows.
  kolosal::Matrix<double> x_test(split.test.size(), d);
  for (std::size_t r = 0; r < split.test.size(); ++r) {
    for (std::size_t j = 0; j < d; ++j) x_test(r, j) = x(split.test[r], j);
  }
  std::vector<int> truth, majority_pred, centroid_pred;
  std::vector<double> prior_score, centroid_score;
  const auto majority_class = majority->predict(x_test.view());
  const auto majority_proba = majority->predict_proba(x_test.view());
  for (std::size_t r = 0; r < split.test.size(); ++r) {
    const auto i = split.test[r];
    truth.push_back(y[i]);
    majority_pred.push_back(static_cast<int>(majority_class[r]));
    prior_score.push_back(majority_proba(r, 1));
    const auto z = standardise(i);
    const double d0 = kolosal::simd::squared_distance(std::span<const double>(z),
                                                      std::span<const double>(centroid[0]));
    const double d1 = kolosal::simd::squared_distance(std::span<const double>(z),
                                                      std::span<const double>(centroid[1]));
    centroid_pred.push_back(d1 < d0 ? 1 : 0);
    centroid_score.push_back(d0 - d1);  // larger: closer to the positive class
  }
  std::printf("\nheld-out metrics (positive class '%s'):\n", y_column.categories()[1].c_str());
  std::printf("  %-26s %9s %9s %9s %9s %9s\n", "model", "accuracy", "bal_acc", "f1", "mcc",
              "roc_auc");
  print_row("majority class (dummy)", score(truth, majority_pred, prior_score));
  print_row("nearest centroid (scaled)", score(truth, centroid_pred, centroid_score));
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "quickstart: error: %s\n", e.what());
  return 1;
}
