// SPDX-License-Identifier: MIT
// `kolosal predict`: predictions for every row of a CSV file, in memory or streamed in chunks.
#include <filesystem>
#include <set>

#include "kolosal/core/context.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/inference/engine.hpp"
#include "kolosal/streaming/pipeline.hpp"

#include "commands.hpp"

namespace kolosal::cli {
namespace {

/// The CSV options that read exactly the model's columns with their training types, after
/// checking the file's header names every one of them.
data::CsvOptions schema_options(const inference::InferenceEngine& engine,
                                const PredictOptions& options) {
  data::CsvOptions header_only;
  header_only.delimiter = options.delimiter;
  header_only.max_rows = 0;
  const auto header = data::read_csv(options.data, header_only).column_names();
  const std::set<std::string> present(header.begin(), header.end());
  data::CsvOptions csv = engine.csv_options();
  csv.delimiter = options.delimiter;
  std::string missing;
  for (const auto& spec : engine.schema()) {
    if (present.count(spec.name) == 0) missing += (missing.empty() ? "'" : ", '") + spec.name + "'";
    csv.usecols.push_back(spec.name);
  }
  KOLOSAL_CHECK(missing.empty(), DataError, options.data, " lacks the column(s) ", missing,
                " the model was trained on");
  return csv;
}

}  // namespace

void add_predict_command(CLI::App& app, PredictOptions& options) {
  CLI::App* predict = app.add_subcommand(
      "predict", "Predict every row of a CSV file with a saved pipeline or model");
  predict->add_option("--model", options.model, "pipeline or model artifact")
      ->required()
      ->check(CLI::ExistingFile);
  predict->add_option("--data", options.data, "CSV file to predict")
      ->required()
      ->check(CLI::ExistingFile);
  predict->add_option("--out", options.out, "CSV file to write the predictions to")->required();
  predict->add_flag("--stream", options.stream,
                    "stream in chunks (automatic for inputs above --stream-above-mb)");
  predict->add_option("--chunk-rows", options.chunk_rows, "rows per chunk when streaming")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  predict->add_option("--threads", options.threads, "worker threads (0: all)")
      ->check(CLI::NonNegativeNumber)
      ->capture_default_str();
  predict->add_option("--delimiter", options.delimiter, "field separator (default: detect)");
  predict
      ->add_option_function<std::size_t>(
          "--stream-above-mb",
          [&options](std::size_t mb) { options.stream_above_bytes = mb << 20; },
          "stream inputs larger than this many MiB (default 256)")
      ->check(CLI::NonNegativeNumber);
}

int run_predict(const PredictOptions& options, std::ostream& out) {
  const Context ctx{.n_threads = options.threads};
  const bool stream =
      options.stream || std::filesystem::file_size(options.data) > options.stream_above_bytes;
  inference::InferenceConfig config;
  // Streaming parallelises across chunks, so each chunk is predicted as one block.
  if (stream) config.block_rows = options.chunk_rows;
  const auto engine = inference::InferenceEngine::load(options.model, config, ctx);
  data::CsvOptions csv;
  csv.delimiter = options.delimiter;
  if (!engine.schema().empty()) csv = schema_options(engine, options);
  if (stream) {
    const streaming::StreamingPipeline pipeline(
        {.chunk_rows = options.chunk_rows, .n_workers = ctx.threads()}, ctx);
    const auto stats = pipeline.run(
        options.data, options.out,
        [&engine](const data::Frame& chunk) { return engine.predict_table(chunk); }, csv);
    out << "wrote " << stats.rows << " predictions to " << options.out << " (streamed in "
        << stats.chunks << " chunks, " << static_cast<long long>(stats.rows_per_second())
        << " rows/s)\n";
    return 0;
  }
  const data::Frame frame = data::read_csv(options.data, csv, ctx);
  const data::Frame table = engine.predict_table(frame);
  data::write_csv(table, options.out);
  out << "wrote " << table.rows() << " predictions to " << options.out << "\n";
  return 0;
}

}  // namespace kolosal::cli
