// SPDX-License-Identifier: MIT
// BoundedQueue: the blocking, closable FIFO that connects the stages of a streaming pipeline.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <utility>

#include "kolosal/core/error.hpp"

namespace kolosal::streaming {

/// A first-in first-out queue holding at most `capacity` items: push blocks while it is full and
/// pop while it is empty. close() wakes every waiter: later pushes fail and pops drain what is
/// left, then return nothing. Safe for any number of producers and consumers.
template <class T>
class BoundedQueue {
 public:
  /// @throws InvalidArgument for a zero capacity
  explicit BoundedQueue(std::size_t capacity) : capacity_(capacity) {
    KOLOSAL_CHECK(capacity > 0, InvalidArgument, "BoundedQueue: capacity must be positive");
  }

  /// Appends `item`, waiting for room. Returns false (dropping the item) once closed.
  bool push(T item) {
    std::unique_lock lock(mutex_);
    not_full_.wait(lock, [&] { return closed_ || items_.size() < capacity_; });
    if (closed_) return false;
    items_.push_back(std::move(item));
    if (items_.size() > peak_) peak_ = items_.size();
    not_empty_.notify_one();
    return true;
  }

  /// The oldest item, waiting for one; nothing once closed and drained.
  std::optional<T> pop() {
    std::unique_lock lock(mutex_);
    not_empty_.wait(lock, [&] { return closed_ || !items_.empty(); });
    if (items_.empty()) return std::nullopt;
    T item = std::move(items_.front());
    items_.pop_front();
    not_full_.notify_one();
    return item;
  }

  /// Stops the queue: blocked and later pushes fail; pops drain the remaining items.
  void close() {
    {
      std::lock_guard lock(mutex_);
      closed_ = true;
    }
    not_full_.notify_all();
    not_empty_.notify_all();
  }

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }
  [[nodiscard]] std::size_t size() const {
    std::lock_guard lock(mutex_);
    return items_.size();
  }
  /// The most items ever held at once.
  [[nodiscard]] std::size_t peak_size() const {
    std::lock_guard lock(mutex_);
    return peak_;
  }

 private:
  std::size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable not_full_;
  std::condition_variable not_empty_;
  std::deque<T> items_;
  std::size_t peak_ = 0;
  bool closed_ = false;
};

}  // namespace kolosal::streaming
