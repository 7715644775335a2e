// SPDX-License-Identifier: MIT
// BatchProcessor: a bounded priority queue of requests served in batches by a worker pool, with
// a future per request, timeouts, cancellation and an adaptive batch size.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <utility>
#include <vector>

#include "kolosal/batch/priority_queue.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/monitoring/metrics.hpp"

namespace kolosal::batch {

/// Why a request got no result. Callers catch these from the request's future.
class RequestError : public Error {
 public:
  explicit RequestError(const std::string& message) : Error(ErrorCode::kUnsupported, message) {}
};
/// The request's deadline passed before a batch took it.
class RequestTimeout : public RequestError {
 public:
  using RequestError::RequestError;
};
/// The caller cancelled the request before a batch took it.
class RequestCancelled : public RequestError {
 public:
  using RequestError::RequestError;
};
/// The processor was shut down (or was already) before a batch took the request.
class ProcessorClosed : public RequestError {
 public:
  using RequestError::RequestError;
};

/// Settings of BatchProcessor.
///
/// Adaptive batch size (when latency_target > 0): after each batch of n requests that took p,
/// with b the current size and c = p / n the measured cost per request,
/// - p > latency_target: shrink, b = max(min_batch_size, min(b - 1, 3b/4)) (multiplicative
///   decrease, as TCP's AIMD, so an overload is shed quickly);
/// - otherwise, when the batch was full (n == b) and requests are still queued (the load exceeds
///   what batches of b serve), grow to b' = min(max_batch_size, b + max(1, b/4)) provided
///   c * b' <= latency_target, i.e. the larger batch is predicted to meet the target;
/// - otherwise hold. Without a target the size stays at max_batch_size.
struct BatchProcessorConfig {
  std::size_t workers = 1;            ///< threads calling the batch function; >= 1
  std::size_t queue_capacity = 4096;  ///< queued requests at most; submit waits beyond
  std::size_t max_batch_size = 64;    ///< >= 1
  std::size_t min_batch_size = 1;     ///< in [1, max_batch_size]; the adaptive size's floor
  /// How long a batch's first request may wait for more to arrive; 0 takes what is queued.
  std::chrono::microseconds max_wait{0};
  /// Batch processing time to stay under by adapting the batch size; 0 disables adaptation.
  std::chrono::microseconds latency_target{0};
  /// @throws InvalidArgument naming the bad field
  void check() const {
    KOLOSAL_CHECK(workers >= 1, InvalidArgument, "BatchProcessorConfig: workers must be >= 1");
    KOLOSAL_CHECK(queue_capacity >= 1, InvalidArgument,
                  "BatchProcessorConfig: queue_capacity must be >= 1");
    KOLOSAL_CHECK(max_batch_size >= 1, InvalidArgument,
                  "BatchProcessorConfig: max_batch_size must be >= 1");
    KOLOSAL_CHECK(min_batch_size >= 1 && min_batch_size <= max_batch_size, InvalidArgument,
                  "BatchProcessorConfig: min_batch_size must be in [1, max_batch_size = ",
                  max_batch_size, "], got ", min_batch_size);
    KOLOSAL_CHECK(max_wait.count() >= 0, InvalidArgument,
                  "BatchProcessorConfig: max_wait must be >= 0");
    KOLOSAL_CHECK(latency_target.count() >= 0, InvalidArgument,
                  "BatchProcessorConfig: latency_target must be >= 0");
  }
};

/// Per-request options.
struct SubmitOptions {
  int priority = 0;                     ///< higher first; FIFO within a priority
  std::chrono::nanoseconds timeout{0};  ///< fail with RequestTimeout if not taken by then; 0: never
};

/// What to do with queued requests at shutdown.
enum class ShutdownMode {
  kDrain,   ///< process every queued request, then stop
  kCancel,  ///< fail queued requests with ProcessorClosed; finish the batches already running
};

namespace detail {
/// Lifecycle of a request; exactly one party moves it out of kPending and fulfils the promise.
enum class Phase : int { kPending, kTaken, kFinished };

template <class Out>
struct RequestCore {
  std::atomic<Phase> phase{Phase::kPending};
  std::promise<Out> promise;

  /// Fails the request with `error` if it is still pending; whether it was.
  template <class E>
  bool fail_if_pending(const std::string& message) {
    Phase expected = Phase::kPending;
    if (!phase.compare_exchange_strong(expected, Phase::kFinished, std::memory_order_acq_rel)) {
      return false;
    }
    promise.set_exception(std::make_exception_ptr(E(message)));
    return true;
  }
};
}  // namespace detail

/// A submitted request: its future, and the means to withdraw it.
template <class Out>
class Ticket {
 public:
  Ticket(std::shared_ptr<detail::RequestCore<Out>> core, std::future<Out> future)
      : core_(std::move(core)), future_(std::move(future)) {}

  [[nodiscard]] std::future<Out>& future() noexcept { return future_; }
  /// Waits for the result; rethrows the request's error.
  Out get() { return future_.get(); }
  template <class Rep, class Period>
  std::future_status wait_for(std::chrono::duration<Rep, Period> d) const {
    return future_.wait_for(d);
  }
  /// Withdraws the request if no batch has taken it yet (its future then throws
  /// RequestCancelled); false when too late.
  bool cancel() { return core_->template fail_if_pending<RequestCancelled>("request cancelled"); }

 private:
  std::shared_ptr<detail::RequestCore<Out>> core_;
  std::future<Out> future_;
};

/// Serves single requests in batches: `submit` queues a request and returns a Ticket; worker
/// threads take up to the current batch size of the highest-priority requests, call the batch
/// function once with their inputs and fulfil each future with its output (or with the function's
/// exception). Requests past their deadline or cancelled are skipped when a batch forms.
/// Batch sizes, queue and processing times are recorded in stats().
///
/// The batch function must return one output per input, in order; it runs on the worker threads,
/// so with several workers it must be safe to call concurrently.
template <class In, class Out>
class BatchProcessor {
 public:
  using Clock = std::chrono::steady_clock;
  using BatchFunction = std::function<std::vector<Out>(std::span<const In>)>;

  BatchProcessor(BatchFunction function, BatchProcessorConfig config)
      : function_(non_empty(std::move(function))),
        config_((config.check(), config)),
        queue_(config.queue_capacity),
        batch_size_(config.latency_target.count() > 0 ? config.min_batch_size
                                                      : config.max_batch_size) {
    workers_.reserve(config_.workers);
    for (std::size_t i = 0; i < config_.workers; ++i) workers_.emplace_back([this] { work(); });
  }
  explicit BatchProcessor(BatchFunction function)
      : BatchProcessor(std::move(function), BatchProcessorConfig{}) {}
  BatchProcessor(const BatchProcessor&) = delete;
  BatchProcessor& operator=(const BatchProcessor&) = delete;
  /// Drains the queue and joins the workers.
  ~BatchProcessor() { shutdown(ShutdownMode::kDrain); }

  /// Queues a request, waiting while the queue is full (until the timeout, if one is set).
  /// Never throws for a closed processor or a timeout: the ticket's future carries the error.
  [[nodiscard]] Ticket<Out> submit(In input, SubmitOptions options = {}) {
    auto request = std::make_shared<Request>();
    request->input = std::move(input);
    request->enqueued = Clock::now();
    request->deadline =
        options.timeout.count() > 0
            ? request->enqueued + std::chrono::duration_cast<Clock::duration>(options.timeout)
            : Clock::time_point::max();
    Ticket<Out> ticket(request, request->promise.get_future());
    std::shared_ptr<Request> queued = request;
    switch (queue_.push_until(std::move(queued), options.priority, request->deadline)) {
      case PushResult::kOk:
        break;
      case PushResult::kTimeout:
        request->template fail_if_pending<RequestTimeout>(
            "request timed out waiting for room in the queue");
        break;
      case PushResult::kClosed:
        request->template fail_if_pending<ProcessorClosed>("the batch processor is shut down");
        break;
    }
    return ticket;
  }

  /// Stops accepting requests, handles the queued ones as `mode` says, and joins the workers.
  /// Idempotent; returns once every worker has finished its batch.
  void shutdown(ShutdownMode mode = ShutdownMode::kDrain) {
    std::lock_guard lock(shutdown_mutex_);
    queue_.close();
    if (mode == ShutdownMode::kCancel) {
      for (auto& request : queue_.drain()) {
        request->template fail_if_pending<ProcessorClosed>(
            "the batch processor was shut down before the request ran");
      }
    }
    for (auto& worker : workers_) {
      if (worker.joinable()) worker.join();
    }
  }

  /// The batch size the workers aim for now.
  [[nodiscard]] std::size_t current_batch_size() const noexcept {
    return batch_size_.load(std::memory_order_relaxed);
  }
  [[nodiscard]] std::size_t queued() const { return queue_.size(); }
  [[nodiscard]] const monitoring::BatchStats& stats() const noexcept { return stats_; }
  [[nodiscard]] const BatchProcessorConfig& config() const noexcept { return config_; }

 private:
  struct Request : detail::RequestCore<Out> {
    In input{};
    Clock::time_point enqueued;
    Clock::time_point deadline;
  };
  using RequestPtr = std::shared_ptr<Request>;

  static BatchFunction non_empty(BatchFunction function) {
    KOLOSAL_CHECK(function, InvalidArgument, "BatchProcessor: the batch function is empty");
    return function;
  }

  void work() {
    std::vector<RequestPtr> batch;
    std::vector<RequestPtr> taken;
    std::vector<In> inputs;
    while (true) {
      batch.clear();
      auto first = queue_.pop();
      if (!first) return;  // closed and drained
      batch.push_back(std::move(*first));
      const std::size_t target = current_batch_size();
      queue_.pop_available(batch, target - batch.size());
      if (config_.max_wait.count() > 0) {
        const auto deadline = batch.front()->enqueued + config_.max_wait;
        while (batch.size() < target) {
          auto next = queue_.pop_until(deadline);
          if (!next) break;
          batch.push_back(std::move(*next));
          queue_.pop_available(batch, target - batch.size());
        }
      }
      const auto processing = run(batch, taken, inputs);
      adapt(taken.size(), target, processing);
    }
  }

  /// Claims the live requests of `batch`, calls the function once and fulfils their futures;
  /// the time the call took.
  Clock::duration run(std::vector<RequestPtr>& batch, std::vector<RequestPtr>& taken,
                      std::vector<In>& inputs) {
    taken.clear();
    inputs.clear();
    const auto start = Clock::now();
    for (auto& request : batch) {
      if (start >= request->deadline) {
        request->template fail_if_pending<RequestTimeout>(
            "request timed out in the queue before a batch took it");
        continue;
      }
      detail::Phase expected = detail::Phase::kPending;
      if (!request->phase.compare_exchange_strong(expected, detail::Phase::kTaken,
                                                  std::memory_order_acq_rel)) {
        continue;  // cancelled
      }
      stats_.record_queue_time(start - request->enqueued);
      inputs.push_back(std::move(request->input));
      taken.push_back(std::move(request));
    }
    if (taken.empty()) return Clock::duration::zero();
    std::vector<Out> outputs;
    std::exception_ptr error;
    try {
      outputs = function_(std::span<const In>(inputs));
      KOLOSAL_CHECK(outputs.size() == taken.size(), ShapeMismatch,
                    "BatchProcessor: the batch function returned ", outputs.size(), " outputs for ",
                    taken.size(), " inputs");
    } catch (...) {
      error = std::current_exception();
    }
    const auto processing = Clock::now() - start;
    // Statistics before the futures, so a caller that saw its result also sees its batch counted.
    stats_.record_batch(taken.size(), processing, !error);
    for (std::size_t i = 0; i < taken.size(); ++i) {
      if (error) {
        taken[i]->promise.set_exception(error);
      } else {
        taken[i]->promise.set_value(std::move(outputs[i]));
      }
    }
    return processing;
  }

  /// The control rule documented at BatchProcessorConfig.
  void adapt(std::size_t n, std::size_t target, Clock::duration processing) {
    if (config_.latency_target.count() <= 0 || n == 0) return;
    const auto limit = std::chrono::duration_cast<Clock::duration>(config_.latency_target);
    std::size_t next = target;
    if (processing > limit) {
      next = std::max(config_.min_batch_size, std::min(target - 1, target * 3 / 4));
    } else if (n >= target && !queue_.empty()) {
      const std::size_t grown =
          std::min(config_.max_batch_size, target + std::max<std::size_t>(1, target / 4));
      const double per_item =
          std::chrono::duration<double>(processing).count() / static_cast<double>(n);
      if (per_item * static_cast<double>(grown) <= std::chrono::duration<double>(limit).count()) {
        next = grown;
      }
    }
    if (next != target)
      batch_size_.store(std::max<std::size_t>(next, 1), std::memory_order_relaxed);
  }

  BatchFunction function_;
  BatchProcessorConfig config_;
  PriorityQueue<RequestPtr> queue_;
  std::atomic<std::size_t> batch_size_;
  monitoring::BatchStats stats_;
  std::vector<std::thread> workers_;
  std::mutex shutdown_mutex_;
};

}  // namespace kolosal::batch
