// SPDX-License-Identifier: MIT
// DynamicBatcher: gathers single requests into batches of up to a maximum size or a maximum wait,
// as model servers do (e.g. Triton's dynamic batcher), so a model pays its per-call cost once per
// batch instead of once per row.
#pragma once

#include <chrono>
#include <cstddef>
#include <future>
#include <utility>

#include "kolosal/batch/batch_processor.hpp"

namespace kolosal::batch {

/// Settings of DynamicBatcher.
struct DynamicBatcherConfig {
  std::size_t max_batch_size = 32;  ///< a batch closes when it has this many requests, >= 1
  /// ... or when its first request has waited this long; 0 sends what is queued at once.
  std::chrono::microseconds max_wait{1000};
  std::size_t workers = 1;            ///< threads calling the batch function, >= 1
  std::size_t queue_capacity = 4096;  ///< queued requests at most; submit waits beyond
  void check() const { to_processor_config().check(); }
  [[nodiscard]] BatchProcessorConfig to_processor_config() const {
    BatchProcessorConfig c;
    c.workers = workers;
    c.queue_capacity = queue_capacity;
    c.max_batch_size = max_batch_size;
    c.min_batch_size = 1;
    c.max_wait = max_wait;
    c.latency_target = std::chrono::microseconds(0);
    return c;
  }
};

/// Collects requests submitted one at a time (from any number of threads) into batches: a worker
/// takes the first queued request, then waits until `max_batch_size` requests are gathered or
/// the first has waited `max_wait`, calls the batch function once and fulfils each request's
/// future. A BatchProcessor with a fixed batch size and a gathering wait, one priority level by
/// default; shutdown (or destruction) processes what is queued, or fails it with ProcessorClosed
/// under ShutdownMode::kCancel, and never waits on a request that will not come.
template <class In, class Out>
class DynamicBatcher {
 public:
  using BatchFunction = typename BatchProcessor<In, Out>::BatchFunction;

  DynamicBatcher(BatchFunction function, DynamicBatcherConfig config)
      : processor_(std::move(function), config.to_processor_config()) {}
  explicit DynamicBatcher(BatchFunction function)
      : DynamicBatcher(std::move(function), DynamicBatcherConfig{}) {}

  /// Queues one request; the future holds its output or its error.
  [[nodiscard]] std::future<Out> submit(In input) {
    return std::move(processor_.submit(std::move(input)).future());
  }
  /// Queues one request with a priority and timeout; the ticket can also cancel it.
  [[nodiscard]] Ticket<Out> submit(In input, SubmitOptions options) {
    return processor_.submit(std::move(input), options);
  }
  /// Submits and waits: the output, or the request's error rethrown.
  Out call(In input) { return submit(std::move(input)).get(); }

  void shutdown(ShutdownMode mode = ShutdownMode::kDrain) { processor_.shutdown(mode); }
  [[nodiscard]] std::size_t queued() const { return processor_.queued(); }
  [[nodiscard]] const monitoring::BatchStats& stats() const noexcept { return processor_.stats(); }

 private:
  BatchProcessor<In, Out> processor_;
};

}  // namespace kolosal::batch
