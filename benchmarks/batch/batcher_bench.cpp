// SPDX-License-Identifier: MIT
// DynamicBatcher against per-row calls: 64 caller threads each send single rows to a fitted GBDT,
// either straight to Model::predict or through a DynamicBatcher. Prints one JSON line per mode
// with throughput and latency quantiles.
// Usage: kolosal_bench_batcher [requests per caller, default 200]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/batch/dynamic_batcher.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/monitoring/histogram.hpp"
#include "kolosal/training/registry.hpp"

namespace {

constexpr std::size_t kCallers = 64;
constexpr std::size_t kFeatures = 20;

struct Run {
  double seconds = 0.0;
  kolosal::monitoring::HistogramSnapshot latency;
};

/// Runs `call(row)` from kCallers threads, `per_caller` times each, timing every call.
template <class Call>
Run drive(const kolosal::Matrix<double>& rows, std::size_t per_caller, Call call) {
  kolosal::monitoring::Histogram latency;
  std::vector<std::thread> threads;
  const auto start = std::chrono::steady_clock::now();
  for (std::size_t t = 0; t < kCallers; ++t) {
    threads.emplace_back([&, t] {
      for (std::size_t i = 0; i < per_caller; ++i) {
        const std::size_t r = (t * per_caller + i) % rows.rows();
        const auto t0 = std::chrono::steady_clock::now();
        call(r);
        latency.record(
            static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                           std::chrono::steady_clock::now() - t0)
                                           .count()));
      }
    });
  }
  for (auto& th : threads) th.join();
  Run run;
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.latency = latency.snapshot();
  return run;
}

void print(const char* mode, const Run& run, std::size_t requests, const nlohmann::json& extra) {
  nlohmann::json j = {{"bench", "dynamic_batcher"},
                      {"mode", mode},
                      {"callers", kCallers},
                      {"requests", requests},
                      {"seconds", run.seconds},
                      {"throughput_rows_per_second", static_cast<double>(requests) / run.seconds},
                      {"latency_p50_ms", run.latency.quantile(0.5) * 1e-6},
                      {"latency_p99_ms", run.latency.quantile(0.99) * 1e-6},
                      {"latency_p999_ms", run.latency.quantile(0.999) * 1e-6}};
  j.update(extra);
  std::printf("%s\n", j.dump().c_str());
}

}  // namespace

int main(int argc, char** argv) {
  const std::size_t per_caller = argc > 1 ? std::strtoul(argv[1], nullptr, 10) : 200;
  const long max_wait_us = argc > 2 ? std::strtol(argv[2], nullptr, 10) : 500;
  const std::size_t workers = argc > 3 ? std::strtoul(argv[3], nullptr, 10) : 1;
  // A regression problem with interactions: y = sum of sin(x_j) * x_{j+1} plus noise.
  std::mt19937_64 rng(7);
  std::normal_distribution<double> normal;
  const std::size_t n = 5000;
  kolosal::Matrix<double> x(n, kFeatures);
  std::vector<double> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < kFeatures; ++c) x(r, c) = normal(rng);
    double v = 0.1 * normal(rng);
    for (std::size_t c = 0; c + 1 < kFeatures; c += 2) v += std::sin(x(r, c)) * x(r, c + 1);
    y[r] = v;
  }
  auto model = kolosal::training::make_model("gbdt", {{"n_estimators", 100}, {"max_depth", 6}});
  model->fit(x.view(), y);

  const std::size_t requests = kCallers * per_caller;
  const Run direct = drive(x, per_caller, [&](std::size_t r) {
    const auto out = model->predict(kolosal::MatrixView<const double>(&x(r, 0), 1, kFeatures));
    if (out.size() != 1) std::abort();
  });
  print("per_row_predict", direct, requests, nlohmann::json::object());

  kolosal::batch::DynamicBatcherConfig config;
  config.max_batch_size = 64;
  config.max_wait = std::chrono::microseconds(max_wait_us);
  config.workers = workers;
  kolosal::batch::DynamicBatcher<std::vector<double>, double> batcher(
      [&](std::span<const std::vector<double>> rows) {
        kolosal::Matrix<double> batch(rows.size(), kFeatures);
        for (std::size_t i = 0; i < rows.size(); ++i) {
          std::copy(rows[i].begin(), rows[i].end(), &batch(i, 0));
        }
        return model->predict(batch.view());
      },
      config);
  const Run batched = drive(x, per_caller, [&](std::size_t r) {
    (void)batcher.call(std::vector<double>(&x(r, 0), &x(r, 0) + kFeatures));
  });
  const auto stats = batcher.stats().snapshot();
  print("dynamic_batcher", batched, requests,
        {{"mean_batch_size", stats.batch_size.mean},
         {"max_wait_us", max_wait_us},
         {"workers", workers},
         {"batch_processing_p99_ms", stats.processing_time.p99 * 1e3},
         {"speedup_vs_per_row", direct.seconds / batched.seconds}});
  return 0;
}
