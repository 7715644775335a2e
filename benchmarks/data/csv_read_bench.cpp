// SPDX-License-Identifier: MIT
// Times read_csv on one file and prints {"read_s", "rows", "cols", "peak_rss_mb"} as one JSON line.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string>
#include <string_view>
#include <sys/resource.h>

#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"

namespace {

int usage() {
  std::fprintf(stderr, "usage: kolosal_bench_csv --data FILE [--threads N] [--float32]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string data;
  kolosal::Context ctx;
  kolosal::data::CsvOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--data" && i + 1 < argc) {
      data = argv[++i];
    } else if (arg == "--threads" && i + 1 < argc) {
      ctx.n_threads = std::atoi(argv[++i]);
    } else if (arg == "--float32") {
      options.float32 = true;
    } else {
      return usage();
    }
  }
  if (data.empty()) return usage();
  try {
    const auto start = std::chrono::steady_clock::now();
    const kolosal::data::Frame frame = kolosal::data::read_csv(data, options, ctx);
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    std::printf(
        "{\"read_s\": %.4f, \"rows\": %zu, \"cols\": %zu, \"threads\": %d, "
        "\"peak_rss_mb\": %.1f}\n",
        elapsed.count(), frame.rows(), frame.cols(), ctx.threads(),
        static_cast<double>(usage.ru_maxrss) / 1024.0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "kolosal_bench_csv: %s\n", e.what());
    return 1;
  }
  return 0;
}
