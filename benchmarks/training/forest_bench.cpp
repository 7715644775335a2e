// SPDX-License-Identifier: MIT
// Random forest fit / predict timing on a raw float64 dataset; prints one JSON line
// (driven by forest_compare.py, which runs scikit-learn side by side on the same data).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/training/forest.hpp"

#include "common/bench_util.hpp"

using kolosal::bench::read_table;
using kolosal::bench::seconds_since;

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: kolosal_bench_forest TRAIN.bin TEST.bin COLS THREADS TREES MAX_BINS "
                 "[classifier|regressor]\n";
    return 2;
  }
  const std::size_t cols = std::stoul(argv[3]);
  const int threads = std::stoi(argv[4]);
  const int trees = std::stoi(argv[5]);
  const int max_bins = std::stoi(argv[6]);
  const bool classifier = argc < 8 || std::string(argv[7]) == "classifier";
  kolosal::Matrix<double> x_train;
  kolosal::Matrix<double> x_test;
  std::vector<double> y_train;
  std::vector<double> y_test;
  read_table(argv[1], cols, x_train, y_train);
  read_table(argv[2], cols, x_test, y_test);

  std::unique_ptr<kolosal::Model> model;
  if (classifier) {
    model = std::make_unique<kolosal::training::RandomForestClassifier>(
        kolosal::training::RandomForestClassifierConfig{.n_estimators = trees,
                                                        .max_bins = max_bins});
  } else {
    model = std::make_unique<kolosal::training::RandomForestRegressor>(
        kolosal::training::RandomForestRegressorConfig{.n_estimators = trees,
                                                       .max_bins = max_bins});
  }
  model->set_context({.n_threads = threads, .seed = 0});
  auto start = std::chrono::steady_clock::now();
  model->fit(x_train.view(), y_train);
  const double fit_s = seconds_since(start);
  start = std::chrono::steady_clock::now();
  const auto pred = model->predict(x_test.view());
  const double predict_s = seconds_since(start);
  double score = 0.0;
  if (classifier) {
    for (std::size_t i = 0; i < pred.size(); ++i) score += pred[i] == y_test[i] ? 1.0 : 0.0;
    score /= static_cast<double>(pred.size());
  } else {
    double mean = 0.0;
    for (double v : y_test) mean += v;
    mean /= static_cast<double>(y_test.size());
    double res = 0.0;
    double tot = 0.0;
    for (std::size_t i = 0; i < pred.size(); ++i) {
      res += (pred[i] - y_test[i]) * (pred[i] - y_test[i]);
      tot += (y_test[i] - mean) * (y_test[i] - mean);
    }
    score = 1.0 - res / tot;
  }
  std::cout << nlohmann::json{{"fit_s", fit_s},
                              {"predict_s", predict_s},
                              {"score", score},
                              {"rows", x_train.rows()},
                              {"threads", threads}}
                   .dump()
            << "\n";
  return 0;
}
