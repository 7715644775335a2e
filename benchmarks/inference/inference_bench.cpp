// SPDX-License-Identifier: MIT
// Single-row latency through the InferenceEngine for a GBDT pipeline with preprocessing (impute
// + scale the numeric columns, one-hot the categorical ones), and batch throughput; prints one
// JSON line. The pipeline is fitted on the CSV first (not timed).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/inference/engine.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/scalers.hpp"
#include "kolosal/training/gbdt.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: kolosal_bench_inference --data FILE --target COL [--calls N] "
               "[--threads N] [--trees N]\n");
  return 2;
}

double quantile(std::vector<double> v, double q) {
  std::sort(v.begin(), v.end());
  const auto i = static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5);
  return v[std::min(i, v.size() - 1)];
}

}  // namespace

int main(int argc, char** argv) {
  namespace kp = kolosal::preprocessing;
  namespace kd = kolosal::data;
  std::string data;
  std::string target;
  kolosal::Context ctx;
  int calls = 5000;
  int trees = 100;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--target" && i + 1 < argc) {
      target = argv[++i];
    } else if (arg == "--calls" && i + 1 < argc) {
      calls = std::max(1, std::atoi(argv[++i]));
    } else if (arg == "--threads" && i + 1 < argc) {
      ctx.n_threads = std::atoi(argv[++i]);
    } else if (arg == "--trees" && i + 1 < argc) {
      trees = std::max(1, std::atoi(argv[++i]));
    } else {
      return usage();
    }
  }
  if (data.empty() || target.empty()) return usage();
  try {
    const kd::Frame frame = kd::read_csv(data, {}, ctx);
    const kd::Frame x = frame.drop({target});
    kp::LabelEncoder labels;
    const auto y = labels.fit_transform(frame.column(target));

    kp::Pipeline numeric;
    numeric.add(std::make_unique<kolosal::imputation::SimpleImputer>());
    numeric.add(std::make_unique<kp::StandardScaler>());
    kp::ColumnTransformer ct;
    ct.add_by_type("num", std::make_unique<kp::Pipeline>(std::move(numeric)),
                   {kd::ColumnType::kNumeric});
    ct.add_by_type("cat",
                   std::make_unique<kp::OneHotEncoder>(
                       kp::OneHotEncoderConfig{.handle_unknown = kp::HandleUnknown::kIgnore}),
                   {kd::ColumnType::kCategorical});
    kp::Pipeline pipeline;
    pipeline.add(std::make_unique<kp::ColumnTransformer>(std::move(ct)));
    pipeline.set_model(std::make_unique<kolosal::training::Gbdt>(kolosal::training::GbdtConfig{
        .objective = labels.classes().size() > 2 ? kolosal::training::GbdtObjective::kSoftmax
                                                 : kolosal::training::GbdtObjective::kBinaryLogloss,
        .n_estimators = trees,
        .learning_rate = 0.1,
        .max_depth = 6}));
    pipeline.set_context(ctx);
    pipeline.fit(x, y);
    pipeline.set_classes(labels.classes());

    const kolosal::inference::InferenceEngine engine(std::move(pipeline), {}, ctx);
    engine.warm_up(x.head(64), 5);

    // Single rows: one-row frames cut beforehand, one predict (labels and probabilities) each.
    std::vector<kd::Frame> rows;
    for (int i = 0; i < calls; ++i) {
      const std::vector<std::size_t> one{static_cast<std::size_t>(i) % x.rows()};
      rows.push_back(x.take(one));
    }
    std::vector<double> micros;
    micros.reserve(rows.size());
    double checksum = 0.0;
    for (const auto& row : rows) {
      const auto start = std::chrono::steady_clock::now();
      const auto p = engine.predict(row);
      micros.push_back(
          std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start)
              .count());
      checksum += p.proba(0, 0);
    }
    const auto stats = engine.stats();

    const auto start = std::chrono::steady_clock::now();
    const auto batch = engine.predict(x);
    const double batch_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    checksum += batch.values.front();

    std::printf(
        "{\"single_row_median_us\": %.2f, \"single_row_p99_us\": %.2f, "
        "\"engine_p50_us\": %.2f, \"engine_p99_us\": %.2f, \"calls\": %d, "
        "\"batch_rows\": %zu, \"batch_s\": %.4f, \"batch_rows_per_s\": %.0f, \"trees\": %d, "
        "\"threads\": %d, \"checksum\": %.6f}\n",
        quantile(micros, 0.5), quantile(micros, 0.99), stats.latency_p50_ms * 1e3,
        stats.latency_p99_ms * 1e3, calls, x.rows(), batch_s,
        static_cast<double>(x.rows()) / batch_s, trees, ctx.threads(), checksum);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolosal_bench_inference: %s\n", e.what());
    return 1;
  }
  return 0;
}
