// SPDX-License-Identifier: MIT
// A bounded, blocking priority queue: higher priorities first, FIFO within a priority.
#pragma once

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "kolosal/core/error.hpp"

namespace kolosal::batch {

/// Outcome of a push.
enum class PushResult {
  kOk,       ///< queued
  kTimeout,  ///< the queue stayed full until the deadline; the item was not taken
  kClosed,   ///< the queue is closed; the item was not taken
};

/// A bounded multi-producer, multi-consumer priority queue. Items of equal priority leave in the
/// order they came (a sequence number breaks ties in a binary heap, so push and pop are
/// O(log n)). Producers block while it is full, consumers while it is empty; close() wakes
/// everyone: pushes fail from then on and pops drain what is left, then return nothing.
template <class T>
class PriorityQueue {
 public:
  using Clock = std::chrono::steady_clock;

  /// @throws InvalidArgument for a zero capacity
  explicit PriorityQueue(std::size_t capacity) : capacity_(capacity) {
    KOLOSAL_CHECK(capacity >= 1, InvalidArgument, "PriorityQueue: capacity must be >= 1");
  }
  PriorityQueue(const PriorityQueue&) = delete;
  PriorityQueue& operator=(const PriorityQueue&) = delete;

  /// Queues `item`, waiting while full; the item is moved from only on kOk.
  PushResult push(T&& item, int priority = 0) {
    return push_until(std::move(item), priority, Clock::time_point::max());
  }
  /// As push(), giving up at `deadline`.
  PushResult push_until(T&& item, int priority, Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    const auto room = [&] { return closed_ || heap_.size() < capacity_; };
    if (!wait(lock, not_full_, deadline, room)) return PushResult::kTimeout;
    if (closed_) return PushResult::kClosed;
    heap_.push_back(Node{priority, next_seq_++, std::move(item)});
    std::push_heap(heap_.begin(), heap_.end(), Later{});
    lock.unlock();
    not_empty_.notify_one();
    return PushResult::kOk;
  }
  /// Queues without waiting: kTimeout when full.
  PushResult try_push(T&& item, int priority = 0) {
    return push_until(std::move(item), priority, Clock::time_point::min());
  }

  /// The first item, waiting while empty; nothing once closed and drained.
  [[nodiscard]] std::optional<T> pop() { return pop_until(Clock::time_point::max()); }
  /// As pop(), giving up at `deadline`.
  [[nodiscard]] std::optional<T> pop_until(Clock::time_point deadline) {
    std::unique_lock lock(mutex_);
    const auto ready = [&] { return closed_ || !heap_.empty(); };
    if (!wait(lock, not_empty_, deadline, ready)) return std::nullopt;
    if (heap_.empty()) return std::nullopt;
    return take_locked(lock);
  }
  template <class Rep, class Period>
  [[nodiscard]] std::optional<T> pop_for(std::chrono::duration<Rep, Period> timeout) {
    return pop_until(Clock::now() + timeout);
  }
  /// The first item if one is queued now.
  [[nodiscard]] std::optional<T> try_pop() { return pop_until(Clock::time_point::min()); }

  /// Appends up to `max_items` queued items to `out` without waiting; how many it took.
  std::size_t pop_available(std::vector<T>& out, std::size_t max_items) {
    std::unique_lock lock(mutex_);
    std::size_t taken = 0;
    while (taken < max_items && !heap_.empty()) {
      std::pop_heap(heap_.begin(), heap_.end(), Later{});
      out.push_back(std::move(heap_.back().item));
      heap_.pop_back();
      ++taken;
    }
    lock.unlock();
    if (taken) not_full_.notify_all();
    return taken;
  }

  /// Refuses further pushes and wakes every waiter; queued items can still be popped.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }
  /// Removes and returns every queued item, in pop order.
  [[nodiscard]] std::vector<T> drain() {
    std::vector<T> out;
    pop_available(out, SIZE_MAX);
    return out;
  }

  [[nodiscard]] bool closed() const {
    std::lock_guard lock(mutex_);
    return closed_;
  }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return heap_.size();
  }
  [[nodiscard]] bool empty() const { return size() == 0; }
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

 private:
  struct Node {
    int priority;
    std::uint64_t seq;
    T item;
  };
  /// Heap order: the root is the highest priority, earliest sequence number.
  struct Later {
    bool operator()(const Node& a, const Node& b) const noexcept {
      return a.priority != b.priority ? a.priority < b.priority : a.seq > b.seq;
    }
  };

  /// Waits for `pred` until `deadline` (max: forever, min: not at all); whether it holds.
  template <class Pred>
  static bool wait(std::unique_lock<std::mutex>& lock, std::condition_variable& cv,
                   Clock::time_point deadline, Pred pred) {
    if (deadline == Clock::time_point::max()) {
      cv.wait(lock, pred);
      return true;
    }
    if (deadline == Clock::time_point::min()) return pred();
    return cv.wait_until(lock, deadline, pred);
  }

  T take_locked(std::unique_lock<std::mutex>& lock) {
    std::pop_heap(heap_.begin(), heap_.end(), Later{});
    T item = std::move(heap_.back().item);
    heap_.pop_back();
    lock.unlock();
    not_full_.notify_one();
    return item;
  }

  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::vector<Node> heap_;
  std::uint64_t next_seq_ = 0;
  bool closed_ = false;
};

}  // namespace kolosal::batch
