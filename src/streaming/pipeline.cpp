// SPDX-License-Identifier: MIT
// StreamingPipeline: reader thread, worker threads and the ordered writer on the calling thread.
#include "kolosal/streaming/pipeline.hpp"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/data/csv_chunks.hpp"
#include "kolosal/streaming/backpressure.hpp"
#include "kolosal/streaming/queue.hpp"

namespace kolosal::streaming {
namespace {

/// The same kind of kolosal::Error with `context` before the message.
[[noreturn]] void rethrow_with_context(const Error& e, const std::string& context) {
  const std::string message = context + e.what();
  switch (e.code()) {
    case ErrorCode::kInvalidArgument:
      throw InvalidArgument(message);
    case ErrorCode::kShapeMismatch:
      throw ShapeMismatch(message);
    case ErrorCode::kNotFitted:
      throw NotFitted(message);
    case ErrorCode::kConfig:
      throw ConfigError(message);
    case ErrorCode::kData:
      throw DataError(message);
    case ErrorCode::kIo:
      throw IoError(message);
    case ErrorCode::kSerialization:
      throw SerializationError(message);
    case ErrorCode::kUnsupported:
      throw UnsupportedError(message);
    case ErrorCode::kInternal:
      throw InternalError(message);
  }
  throw Error(e.code(), message);
}

/// The first failure of any stage, with where it happened.
class FirstError {
 public:
  void set(std::exception_ptr error, std::string context) {
    std::lock_guard lock(mutex_);
    if (error_) return;
    error_ = std::move(error);
    context_ = std::move(context);
  }
  [[nodiscard]] bool has() const {
    std::lock_guard lock(mutex_);
    return error_ != nullptr;
  }
  void rethrow() const {
    std::lock_guard lock(mutex_);
    if (!error_) return;
    try {
      std::rethrow_exception(error_);
    } catch (const Error& e) {
      if (context_.empty()) throw;
      rethrow_with_context(e, context_);
    }
  }

 private:
  mutable std::mutex mutex_;
  std::exception_ptr error_;
  std::string context_;
};

std::string chunk_context(const data::CsvChunk& chunk) {
  return kolosal::detail::concat("StreamingPipeline: chunk ", chunk.index, " (rows ",
                                 chunk.first_row, "..", chunk.first_row + chunk.rows, " from line ",
                                 chunk.first_line, "): ");
}

/// Finished chunks waiting for their turn to be written.
struct Results {
  std::mutex mutex;
  std::condition_variable ready;
  std::map<std::size_t, std::pair<data::Frame, std::size_t>> done;  ///< index -> (result, bytes)
  std::size_t workers_left = 0;
  bool stop = false;
};

}  // namespace

StreamingPipeline::StreamingPipeline(StreamingConfig config, Context ctx)
    : config_(config), ctx_(ctx) {
  config::validate(config_, "StreamingPipeline");
}

StreamingStats StreamingPipeline::run(const std::filesystem::path& input,
                                      const ChunkFunction& function, const ChunkSink& sink,
                                      const data::CsvOptions& csv) const {
  KOLOSAL_CHECK(function != nullptr && sink != nullptr, InvalidArgument,
                "StreamingPipeline::run: null function or sink");
  const auto start = std::chrono::steady_clock::now();
  // Chunks parse on the workers, each single-threaded: the parallelism is across chunks.
  data::CsvChunkReader reader(input, config_.chunk_rows, csv, Context{1, ctx_.seed});
  BackpressureController control({.high_items = config_.max_chunks_in_flight,
                                  .low_items = config_.max_chunks_in_flight / 2,
                                  .high_bytes = config_.max_bytes_in_flight,
                                  .low_bytes = config_.max_bytes_in_flight / 2});
  BoundedQueue<data::CsvChunk> work(config_.queue_capacity);
  Results results;
  FirstError error;
  const int n_workers = config_.n_workers > 0 ? config_.n_workers : ctx_.threads();
  results.workers_left = static_cast<std::size_t>(n_workers);

  auto stop_all = [&] {
    control.close();
    work.close();
    {
      std::lock_guard lock(results.mutex);
      results.stop = true;
    }
    results.ready.notify_all();
  };

  std::thread producer([&] {
    try {
      while (!error.has()) {
        std::optional<data::CsvChunk> chunk = reader.next_chunk();
        if (!chunk) break;
        const std::size_t bytes = chunk->text.size();
        if (!control.acquire(bytes)) break;
        if (!work.push(std::move(*chunk))) break;
      }
    } catch (...) {
      error.set(std::current_exception(), "StreamingPipeline: reading " + input.string() + ": ");
      stop_all();
    }
    work.close();
  });

  std::vector<std::thread> workers;
  workers.reserve(static_cast<std::size_t>(n_workers));
  for (int w = 0; w < n_workers; ++w) {
    workers.emplace_back([&] {
      while (std::optional<data::CsvChunk> chunk = work.pop()) {
        if (error.has()) break;  // the queue drains after close(); skip what is left
        try {
          const data::Frame frame = reader.parse(*chunk);
          data::Frame result = function(frame);
          KOLOSAL_CHECK(result.rows() == frame.rows(), ShapeMismatch,
                        "the chunk function returned ", result.rows(), " rows for ", frame.rows(),
                        " input rows");
          {
            std::lock_guard lock(results.mutex);
            results.done.emplace(chunk->index, std::pair{std::move(result), chunk->text.size()});
          }
          results.ready.notify_all();
        } catch (...) {
          error.set(std::current_exception(), chunk_context(*chunk));
          stop_all();
          break;
        }
      }
      {
        std::lock_guard lock(results.mutex);
        --results.workers_left;
      }
      results.ready.notify_all();
    });
  }

  StreamingStats stats;
  try {
    for (std::size_t next = 0;; ++next) {
      std::unique_lock lock(results.mutex);
      results.ready.wait(lock, [&] {
        return results.stop || results.done.count(next) > 0 || results.workers_left == 0;
      });
      if (results.stop) break;
      auto it = results.done.find(next);
      if (it == results.done.end()) break;  // every worker finished: the input is done
      auto [result, bytes] = std::move(it->second);
      results.done.erase(it);
      lock.unlock();
      sink(result, next);
      control.release(bytes);
      ++stats.chunks;
      stats.rows += result.rows();
    }
    // An input without rows still gets one (empty) result, so a CSV output has its header.
    if (stats.chunks == 0 && !error.has()) sink(function(reader.empty_frame()), 0);
  } catch (...) {
    error.set(std::current_exception(), "StreamingPipeline: writing results: ");
    stop_all();
  }
  producer.join();
  for (auto& t : workers) t.join();
  error.rethrow();

  const auto pressure = control.stats();
  stats.input_bytes = reader.bytes_read();
  stats.peak_queue_depth = work.peak_size();
  stats.peak_chunks_in_flight = pressure.peak_items;
  stats.peak_bytes_in_flight = pressure.peak_bytes;
  stats.throttle_events = pressure.throttle_events;
  stats.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return stats;
}

StreamingStats StreamingPipeline::run(const std::filesystem::path& input,
                                      const std::filesystem::path& output,
                                      const ChunkFunction& function, const data::CsvOptions& csv,
                                      const data::CsvWriteOptions& write) const {
  config::validate(write, "StreamingPipeline::run");
  io::AtomicFileWriter out(output);
  const StreamingStats stats = run(
      input, function,
      [&](const data::Frame& result, std::size_t index) {
        data::CsvWriteOptions options = write;
        options.header = write.header && index == 0;
        out.write(data::write_csv_string(result, options));
      },
      csv);
  out.commit();
  return stats;
}

ChunkFunction pipeline_function(const preprocessing::Pipeline& pipeline) {
  KOLOSAL_CHECK(pipeline.fitted(), NotFitted,
                "streaming::pipeline_function: pipeline is not fitted");
  if (!pipeline.has_model()) {
    return [&pipeline](const data::Frame& chunk) { return pipeline.transform(chunk); };
  }
  return [&pipeline](const data::Frame& chunk) {
    return data::Frame({data::Column::numeric("prediction", pipeline.predict(chunk))});
  };
}

}  // namespace kolosal::streaming

namespace kolosal::config {
template nlohmann::json to_json<streaming::StreamingConfig>(const streaming::StreamingConfig&);
template streaming::StreamingConfig from_json<streaming::StreamingConfig>(const nlohmann::json&);
}  // namespace kolosal::config
