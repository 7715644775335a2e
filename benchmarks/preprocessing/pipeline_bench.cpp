// SPDX-License-Identifier: MIT
// Times a typical preprocessing pipeline (impute + scale the numeric columns, one-hot the
// categorical ones) on a CSV and prints {"fit_transform_s", "transform_s", ...} as one JSON line.
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
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/scalers.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: kolosal_bench_pipeline --data FILE [--threads N] [--repeat R]\n");
  return 2;
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

int main(int argc, char** argv) {
  namespace kp = kolosal::preprocessing;
  std::string data;
  kolosal::Context ctx;
  int repeat = 3;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      ctx.n_threads = std::atoi(argv[++i]);
    } else if (arg == "--repeat" && i + 1 < argc) {
      repeat = std::max(1, std::atoi(argv[++i]));
    } else {
      return usage();
    }
  }
  if (data.empty()) return usage();
  try {
    const kolosal::data::Frame frame = kolosal::data::read_csv(data, {}, ctx);
    kp::Pipeline numeric;
    numeric.add(std::make_unique<kolosal::imputation::SimpleImputer>());
    numeric.add(std::make_unique<kp::StandardScaler>());
    kp::ColumnTransformer ct;
    ct.add_by_type("num", std::make_unique<kp::Pipeline>(numeric),
                   {kolosal::data::ColumnType::kNumeric});
    ct.add_by_type("cat",
                   std::make_unique<kp::OneHotEncoder>(
                       kp::OneHotEncoderConfig{.handle_unknown = kp::HandleUnknown::kIgnore}),
                   {kolosal::data::ColumnType::kCategorical});
    ct.set_context(ctx);
    double best_fit = 1e300;
    double best_transform = 1e300;
    std::size_t out_cols = 0;
    for (int r = 0; r < repeat; ++r) {
      auto start = std::chrono::steady_clock::now();
      const auto fitted = ct.fit_transform(frame);
      best_fit = std::min(best_fit, seconds_since(start));
      out_cols = fitted.cols();
      start = std::chrono::steady_clock::now();
      const auto transformed = ct.transform(frame);
      best_transform = std::min(best_transform, seconds_since(start));
    }
    std::printf(
        "{\"fit_transform_s\": %.4f, \"transform_s\": %.4f, \"rows\": %zu, \"cols_in\": %zu, "
        "\"cols_out\": %zu, \"threads\": %d}\n",
        best_fit, best_transform, frame.rows(), frame.cols(), out_cols, ctx.threads());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolosal_bench_pipeline: %s\n", e.what());
    return 1;
  }
  return 0;
}
