// SPDX-License-Identifier: MIT
// Bundled datasets split as the model-zoo reference scripts split them (rows i % 4 == 0 held out),
// with class labels encoded in sorted order as numpy.unique does.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "kolosal/core/matrix_view.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"

#include "test_util.hpp"

namespace kolosal::test {

struct ZooSplit {
  Matrix<double> x_train;
  std::vector<double> y_train;
  Matrix<double> x_test;
  std::vector<double> y_test;
};

inline std::string zoo_target(const std::string& name) {
  static const std::map<std::string, std::string> targets{{"iris", "species"},
                                                          {"wine", "class"},
                                                          {"breast_cancer", "diagnosis"},
                                                          {"digits", "digit"},
                                                          {"diabetes", "progression"}};
  return targets.at(name);
}

/// Loads data/<name>.csv: every column but the target as features.
inline ZooSplit load_zoo(const std::string& name) {
  const auto frame = data::read_csv(data_path(name + ".csv"));
  const std::string target = zoo_target(name);
  const auto features = frame.drop({target});
  const Matrix<double> x = features.to_matrix();
  const auto& column = frame.column(target);
  std::vector<double> y;
  if (column.type() == data::ColumnType::kNumeric) {
    y = column.to_doubles();
    if (name != "diabetes") {  // numeric class labels: encode by sorted value
      std::map<double, double> code;
      for (double v : y) code[v] = 0.0;
      double next = 0.0;
      for (auto& [v, c] : code) c = next++;
      for (double& v : y) v = code[v];
    }
  } else {
    const auto labels = column.to_labels();
    std::map<std::string, double> code;
    for (const auto& l : labels) code[l] = 0.0;
    double next = 0.0;
    for (auto& [l, c] : code) c = next++;
    for (const auto& l : labels) y.push_back(code[l]);
  }
  std::size_t n_test = 0;
  for (std::size_t i = 0; i < y.size(); ++i) n_test += i % 4 == 0;
  ZooSplit split{
      Matrix<double>(y.size() - n_test, x.cols()), {}, Matrix<double>(n_test, x.cols()), {}};
  std::size_t train_row = 0;
  std::size_t test_row = 0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const bool test = i % 4 == 0;
    auto dst = test ? split.x_test.row(test_row++) : split.x_train.row(train_row++);
    std::copy(x.row(i).begin(), x.row(i).end(), dst.begin());
    (test ? split.y_test : split.y_train).push_back(y[i]);
  }
  return split;
}

inline double accuracy(const std::vector<double>& y, const std::vector<double>& pred) {
  double correct = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) correct += y[i] == pred[i] ? 1.0 : 0.0;
  return correct / static_cast<double>(y.size());
}

inline double r2_score(const std::vector<double>& y, const std::vector<double>& pred) {
  double mean = 0.0;
  for (double v : y) mean += v;
  mean /= static_cast<double>(y.size());
  double res = 0.0;
  double tot = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    res += (y[i] - pred[i]) * (y[i] - pred[i]);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  return 1.0 - res / tot;
}

}  // namespace kolosal::test
