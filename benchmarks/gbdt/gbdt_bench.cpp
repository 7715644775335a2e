// SPDX-License-Identifier: MIT
// Reads a CSV, fits kolosal's gbdt on the leading rows, scores the trailing test rows and prints
// {"read_s", "fit_s", "predict_s", "single_row_us", "auc" or "rmse", "peak_rss_mb"} as one line.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/metrics/classification.hpp"
#include "kolosal/metrics/regression.hpp"
#include "kolosal/training/gbdt.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

int usage() {
  std::fprintf(stderr,
               "usage: kolosal_bench_gbdt --data FILE.csv --target COL [--rounds N] [--max-depth D]"
               " [--learning-rate R] [--max-bin B] [--lambda L] [--threads T]"
               " [--test-fraction F] [--growth depthwise|leafwise] [--num-leaves N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  std::string target;
  double test_fraction = 0.2;
  kolosal::Context ctx;
  kolosal::training::GbdtConfig cfg;
  cfg.learning_rate = 0.1;
  try {
    for (int i = 1; i < argc; ++i) {
      const std::string_view arg = argv[i];
      if (i + 1 >= argc) return usage();
      const std::string value = argv[++i];
      if (arg == "--data") {
        data = value;
      } else if (arg == "--target") {
        target = value;
      } else if (arg == "--rounds") {
        cfg.n_estimators = std::stoi(value);
      } else if (arg == "--max-depth") {
        cfg.max_depth = std::stoi(value);
      } else if (arg == "--learning-rate") {
        cfg.learning_rate = std::stod(value);
      } else if (arg == "--max-bin") {
        cfg.max_bin = std::stoi(value);
      } else if (arg == "--lambda") {
        cfg.lambda = std::stod(value);
      } else if (arg == "--threads") {
        ctx.n_threads = std::stoi(value);
      } else if (arg == "--test-fraction") {
        test_fraction = std::stod(value);
      } else if (arg == "--growth") {
        cfg.growth = value == "leafwise" ? kolosal::training::GbdtGrowth::kLeafwise
                                         : kolosal::training::GbdtGrowth::kDepthwise;
      } else if (arg == "--num-leaves") {
        cfg.num_leaves = std::stoi(value);
      } else {
        return usage();
      }
    }
    if (data.empty() || target.empty()) return usage();

    auto start = Clock::now();
    kolosal::data::CsvOptions options;
    options.float32 = true;
    kolosal::Matrix<double> x;
    std::vector<double> y;
    {
      const auto frame = kolosal::data::read_csv(data, options, ctx);
      std::vector<std::string> features;
      for (const auto& name : frame.column_names()) {
        if (name != target) features.push_back(name);
      }
      x = frame.to_matrix(features);
      y = frame.column(target).to_doubles();
    }
    const double read_s = seconds_since(start);
    const bool binary = std::all_of(y.begin(), y.end(), [](double v) { return v == 0 || v == 1; });
    cfg.objective = binary ? kolosal::training::GbdtObjective::kBinaryLogloss
                           : kolosal::training::GbdtObjective::kSquaredError;

    const std::size_t n = x.rows();
    const auto n_test =
        static_cast<std::size_t>(std::llround(test_fraction * static_cast<double>(n)));
    const std::size_t n_train = n - n_test;
    const auto train = x.view().row_range(0, n_train);
    const auto test = x.view().row_range(n_train, n);
    const std::span<const double> y_train(y.data(), n_train);
    const std::span<const double> y_test(y.data() + n_train, n_test);

    kolosal::training::Gbdt model(cfg);
    model.set_context(ctx);
    start = Clock::now();
    model.fit(train, y_train);
    const double fit_s = seconds_since(start);

    start = Clock::now();
    const auto raw = model.decision_function(test);
    const double predict_s = seconds_since(start);

    // Single-row latency: the median of timed calls over distinct test rows.
    std::vector<double> times;
    std::vector<double> out(1);
    const std::size_t calls = std::min<std::size_t>(5000, std::max<std::size_t>(n_test, 1000));
    double sink = 0.0;
    for (std::size_t i = 0; i < calls; ++i) {
      const auto row = test.row(i % n_test);
      const auto t0 = Clock::now();
      model.predict_raw_row(row, out);
      times.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
      sink += out[0];
    }
    std::nth_element(times.begin(), times.begin() + static_cast<std::ptrdiff_t>(times.size() / 2),
                     times.end());
    const double single_row_us = times[times.size() / 2];

    std::string quality;
    if (binary) {
      std::vector<int> labels(y_test.begin(), y_test.end());
      std::vector<double> scores(raw.values().begin(), raw.values().end());
      quality = "\"auc\": " + std::to_string(kolosal::metrics::roc_auc(labels, scores));
    } else {
      quality =
          "\"rmse\": " +
          std::to_string(std::sqrt(kolosal::metrics::mean_squared_error(y_test, raw.values())));
    }
    rusage usage_info{};
    getrusage(RUSAGE_SELF, &usage_info);
    std::printf(
        "{\"read_s\": %.4f, \"fit_s\": %.4f, \"predict_s\": %.4f, \"single_row_us\": %.3f, %s, "
        "\"peak_rss_mb\": %.1f, \"train_rows\": %zu, \"test_rows\": %zu, \"trees\": %zu, "
        "\"checksum\": %.6g}\n",
        read_s, fit_s, predict_s, single_row_us, quality.c_str(),
        static_cast<double>(usage_info.ru_maxrss) / 1024.0, n_train, n_test,
        model.forest().n_trees(), sink);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolosal_bench_gbdt: %s\n", e.what());
    return 1;
  }
  return 0;
}
