// SPDX-License-Identifier: MIT
// StreamingPipeline: a CSV of any size through a fitted pipeline in bounded memory, as three
// stages (chunk reader -> parse and compute workers -> ordered writer) joined by bounded queues
// under a BackpressureController.
#pragma once

#include <cstddef>
#include <filesystem>
#include <functional>
#include <string_view>
#include <tuple>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/preprocessing/compose.hpp"

namespace kolosal::streaming {

/// Sizes of a StreamingPipeline. Memory held at once is about max_chunks_in_flight chunks (raw
/// text, parsed frame and result each), whatever the input size.
struct StreamingConfig {
  std::size_t chunk_rows = 16384;        ///< rows per chunk
  int n_workers = 0;                     ///< parse/compute threads; 0: the context's threads
  std::size_t queue_capacity = 4;        ///< chunks waiting between the reader and the workers
  std::size_t max_chunks_in_flight = 8;  ///< read but not yet written (high watermark)
  std::size_t max_bytes_in_flight = std::size_t{128} << 20;  ///< their raw bytes (high watermark)

  static constexpr std::string_view kName = "StreamingConfig";
  static constexpr auto fields() {
    return std::tuple{
        config::field("chunk_rows", &StreamingConfig::chunk_rows).at_least(1).doc("rows per chunk"),
        config::field("n_workers", &StreamingConfig::n_workers)
            .at_least(0)
            .doc("worker threads; 0 uses the context's threads"),
        config::field("queue_capacity", &StreamingConfig::queue_capacity)
            .at_least(1)
            .doc("chunks queued for the workers"),
        config::field("max_chunks_in_flight", &StreamingConfig::max_chunks_in_flight)
            .at_least(1)
            .doc("chunks read but not yet written before the reader waits"),
        config::field("max_bytes_in_flight", &StreamingConfig::max_bytes_in_flight)
            .at_least(1)
            .doc("raw bytes read but not yet written before the reader waits")};
  }

  friend bool operator==(const StreamingConfig&, const StreamingConfig&) = default;
};

/// What one run did.
struct StreamingStats {
  std::size_t chunks = 0;
  std::size_t rows = 0;
  std::size_t input_bytes = 0;            ///< bytes of the input file read
  std::size_t peak_queue_depth = 0;       ///< the most chunks waiting for a worker at once
  std::size_t peak_chunks_in_flight = 0;  ///< the most chunks read but not yet written
  std::size_t peak_bytes_in_flight = 0;
  std::size_t throttle_events = 0;  ///< times the reader was throttled
  double seconds = 0.0;
  [[nodiscard]] double rows_per_second() const noexcept {
    return seconds > 0.0 ? static_cast<double>(rows) / seconds : 0.0;
  }
};

/// Computes the result rows of one chunk: a frame with one row per input row, in input order.
/// Called from several worker threads at once.
using ChunkFunction = std::function<data::Frame(const data::Frame& chunk)>;
/// Receives each chunk's result in input order (chunk index from 0), on the calling thread.
using ChunkSink = std::function<void(const data::Frame& result, std::size_t index)>;

/// Streams a CSV through a function of its rows, chunk by chunk, keeping input order.
///
/// The reader thread cuts the file into chunks of chunk_rows rows (data::CsvChunkReader, one
/// schema for all) and admits each through a BackpressureController whose high watermarks are
/// max_chunks_in_flight and max_bytes_in_flight (low: half of each); a bounded queue hands them
/// to n_workers threads that parse and compute; the calling thread writes results in chunk
/// order and releases each chunk. The first error (an unreadable file, a malformed row, a
/// failing function) stops every stage, and run() rethrows it, with the chunk and its rows
/// named, as a kolosal::Error of the same kind; no stage is left waiting.
class StreamingPipeline {
 public:
  /// @throws ConfigError for an invalid config
  explicit StreamingPipeline(StreamingConfig config = {}, Context ctx = {});

  /// Runs `function` over `input` and hands each result to `sink` in order. An input without
  /// data rows gives one call on a frame with its columns and no rows.
  /// @throws IoError, DataError (naming "<file>:<line>"), and whatever `function` throws, as
  ///   a kolosal::Error naming the chunk
  StreamingStats run(const std::filesystem::path& input, const ChunkFunction& function,
                     const ChunkSink& sink, const data::CsvOptions& csv = {}) const;
  /// Runs `function` over `input` and writes the results as one CSV file, atomically (the
  /// destination is untouched when anything fails).
  StreamingStats run(const std::filesystem::path& input, const std::filesystem::path& output,
                     const ChunkFunction& function, const data::CsvOptions& csv = {},
                     const data::CsvWriteOptions& write = {}) const;

  [[nodiscard]] const StreamingConfig& config() const noexcept { return config_; }

 private:
  StreamingConfig config_;
  Context ctx_;
};

/// The ChunkFunction of a fitted preprocessing pipeline: its transform when it has no model,
/// else a one-column frame "prediction" of the model's predictions.
[[nodiscard]] ChunkFunction pipeline_function(const preprocessing::Pipeline& pipeline);

}  // namespace kolosal::streaming

namespace kolosal::config {
extern template nlohmann::json to_json<streaming::StreamingConfig>(
    const streaming::StreamingConfig&);
extern template streaming::StreamingConfig from_json<streaming::StreamingConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
