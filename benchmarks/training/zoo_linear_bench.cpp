// SPDX-License-Identifier: MIT
// Fit / predict timing of any registry model on a raw float64 dataset; prints one JSON line
// (driven by zoo_linear_compare.py, which runs scikit-learn side by side on the same data).
#include <algorithm>
#include <chrono>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/training/registry.hpp"

#include "common/bench_util.hpp"

using kolosal::bench::read_table;
using kolosal::bench::seconds_since;

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr
        << "usage: kolosal_bench_zoo_linear TRAIN.bin TEST.bin COLS THREADS MODEL CONFIG_JSON "
           "[REPEAT]\n";
    return 2;
  }
  try {
    const std::size_t cols = std::stoul(argv[3]);
    const int threads = std::stoi(argv[4]);
    const std::string name = argv[5];
    const auto config = nlohmann::json::parse(argv[6]);
    const int repeat = argc > 7 ? std::stoi(argv[7]) : 3;
    kolosal::Matrix<double> x_train;
    kolosal::Matrix<double> x_test;
    std::vector<double> y_train;
    std::vector<double> y_test;
    read_table(argv[1], cols, x_train, y_train);
    read_table(argv[2], cols, x_test, y_test);
    double fit_s = 1e300;
    double predict_s = 1e300;
    double score = 0.0;
    for (int r = 0; r < repeat; ++r) {
      auto model = kolosal::training::make_model(name, config);
      model->set_context({.n_threads = threads});
      auto start = std::chrono::steady_clock::now();
      model->fit(x_train.view(), y_train);
      fit_s = std::min(fit_s, seconds_since(start));
      start = std::chrono::steady_clock::now();
      const auto pred = model->predict(x_test.view());
      predict_s = std::min(predict_s, seconds_since(start));
      if (model->is_classifier()) {
        double hits = 0.0;
        for (std::size_t i = 0; i < pred.size(); ++i) hits += pred[i] == y_test[i] ? 1.0 : 0.0;
        score = hits / static_cast<double>(pred.size());
      } else {
        double mean = 0.0;
        for (double v : y_test) mean += v / static_cast<double>(y_test.size());
        double res = 0.0;
        double tot = 0.0;
        for (std::size_t i = 0; i < pred.size(); ++i) {
          res += (y_test[i] - pred[i]) * (y_test[i] - pred[i]);
          tot += (y_test[i] - mean) * (y_test[i] - mean);
        }
        score = 1.0 - res / tot;
      }
    }
    std::cout << nlohmann::json{{"model", name},
                                {"fit_s", fit_s},
                                {"predict_s", predict_s},
                                {"score", score},
                                {"threads", threads}}
                     .dump()
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kolosal_bench_zoo_linear: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
