// SPDX-License-Identifier: MIT
// Streams a large CSV through a fitted GBDT pipeline with the StreamingPipeline and prints one
// JSON line: rows, seconds, rows/s and the process's peak resident memory (getrusage), which
// stays bounded whatever the file size. --generate writes such a CSV (see run_streaming.sh).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <sys/resource.h>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/imputation/imputers.hpp"
#include "kolosal/inference/engine.hpp"
#include "kolosal/preprocessing/compose.hpp"
#include "kolosal/preprocessing/encoders.hpp"
#include "kolosal/preprocessing/scalers.hpp"
#include "kolosal/streaming/pipeline.hpp"
#include "kolosal/training/gbdt.hpp"

namespace {

int usage() {
  std::fprintf(stderr,
               "usage: kolosal_bench_streaming --generate FILE --bytes N\n"
               "       kolosal_bench_streaming --data FILE --out FILE [--threads N] "
               "[--chunk-rows N] [--train-rows N]\n");
  return 2;
}

/// splitmix64: a small, fast, reproducible generator for the synthetic file.
struct SplitMix {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
};

/// About `bytes` of CSV: x0..x7 (5% missing), c0 (6 levels), c1 (10 levels), a yes/no target.
void generate(const std::string& path, std::uint64_t bytes) {
  kolosal::io::AtomicFileWriter out(path);
  std::string header = "x0,x1,x2,x3,x4,x5,x6,x7,c0,c1,y\n";
  out.write(header);
  std::uint64_t written = header.size();
  SplitMix rng{2024};
  std::string block;
  char field[32];
  while (written < bytes) {
    block.clear();
    for (int r = 0; r < 4096; ++r) {
      double x0 = 0.0;
      double x1 = 0.0;
      for (int j = 0; j < 8; ++j) {
        const double v = (rng.uniform() - 0.5) * 6.0;
        if (j == 0) x0 = v;
        if (j == 1) x1 = v;
        if (rng.uniform() >= 0.05) {
          const int n = std::snprintf(field, sizeof field, "%.5g", v);
          block.append(field, static_cast<std::size_t>(n));
        }
        block.push_back(',');
      }
      const auto c0 = rng.next() % 6;
      const auto c1 = rng.next() % 10;
      block += "a" + std::to_string(c0) + ",b" + std::to_string(c1) + ",";
      block +=
          (x0 - 0.5 * x1 + (c0 == 2 ? 0.3 : 0.0) + (rng.uniform() - 0.5)) > 0 ? "yes\n" : "no\n";
    }
    out.write(block);
    written += block.size();
  }
  out.commit();
}

double peak_rss_mb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

}  // namespace

int main(int argc, char** argv) {
  namespace kp = kolosal::preprocessing;
  namespace kd = kolosal::data;
  std::string data;
  std::string out;
  std::string generate_path;
  std::uint64_t bytes = 0;
  kolosal::Context ctx;
  std::size_t chunk_rows = 16384;
  std::size_t train_rows = 20000;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--out" && i + 1 < argc) {
      out = argv[++i];
    } else if (arg == "--generate" && i + 1 < argc) {
      generate_path = argv[++i];
    } else if (arg == "--bytes" && i + 1 < argc) {
      bytes = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--threads" && i + 1 < argc) {
      ctx.n_threads = std::atoi(argv[++i]);
    } else if (arg == "--chunk-rows" && i + 1 < argc) {
      chunk_rows = std::strtoull(argv[++i], nullptr, 10);
    } else if (arg == "--train-rows" && i + 1 < argc) {
      train_rows = std::strtoull(argv[++i], nullptr, 10);
    } else {
      return usage();
    }
  }
  try {
    if (!generate_path.empty()) {
      if (bytes == 0) return usage();
      generate(generate_path, bytes);
      return 0;
    }
    if (data.empty() || out.empty()) return usage();
    // Fit on the first rows only: the model is small, the stream is what is measured.
    kd::CsvOptions head;
    head.max_rows = train_rows;
    const kd::Frame frame = kd::read_csv(data, head, ctx);
    kp::LabelEncoder labels;
    const auto y = labels.fit_transform(frame.column("y"));
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
    pipeline.set_model(std::make_unique<kolosal::training::Gbdt>(
        kolosal::training::GbdtConfig{.objective = kolosal::training::GbdtObjective::kBinaryLogloss,
                                      .n_estimators = 100,
                                      .learning_rate = 0.1,
                                      .max_depth = 6}));
    pipeline.set_context(ctx);
    pipeline.fit(frame.drop({"y"}), y);
    pipeline.set_classes(labels.classes());
    const double rss_after_fit = peak_rss_mb();

    const kolosal::inference::InferenceEngine engine(std::move(pipeline),
                                                     {.block_rows = chunk_rows}, ctx);
    kd::CsvOptions csv = engine.csv_options();
    for (const auto& spec : engine.schema()) csv.usecols.push_back(spec.name);
    const kolosal::streaming::StreamingPipeline streamer(
        {.chunk_rows = chunk_rows, .n_workers = ctx.threads()}, ctx);
    const auto stats = streamer.run(
        data, out, [&engine](const kd::Frame& chunk) { return engine.predict_table(chunk); }, csv);
    std::printf(
        "{\"rows\": %zu, \"input_bytes\": %zu, \"seconds\": %.2f, \"rows_per_s\": %.0f, "
        "\"mb_per_s\": %.1f, \"peak_rss_mb\": %.1f, \"rss_after_fit_mb\": %.1f, "
        "\"chunks\": %zu, \"chunk_rows\": %zu, \"peak_chunks_in_flight\": %zu, "
        "\"peak_queue_depth\": %zu, \"throttle_events\": %zu, \"threads\": %d}\n",
        stats.rows, stats.input_bytes, stats.seconds, stats.rows_per_second(),
        static_cast<double>(stats.input_bytes) / 1e6 / stats.seconds, peak_rss_mb(), rss_after_fit,
        stats.chunks, chunk_rows, stats.peak_chunks_in_flight, stats.peak_queue_depth,
        stats.throttle_events, ctx.threads());
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolosal_bench_streaming: %s\n", e.what());
    return 1;
  }
  return 0;
}
