// SPDX-License-Identifier: MIT
// MemoryPool: 64-byte-aligned buffers in power-of-two size classes, recycled through per-thread
// caches and a shared depot, placed on the caller's NUMA node where the machine has several.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <type_traits>

#include <nlohmann/json_fwd.hpp>

namespace kolosal::memory {

/// Alignment of every buffer: a cache line, and enough for any SIMD load kolosal issues.
inline constexpr std::size_t kAlignment = 64;

/// Where blocks come from.
enum class NumaPolicy {
  kAuto,  ///< bind blocks to the allocating thread's NUMA node when the machine has several
  kOff,   ///< plain aligned allocation
  kBind,  ///< always allocate through hwloc with a node binding, even on one node
};

/// Settings of MemoryPool.
struct MemoryPoolConfig {
  std::size_t min_block = 64;                      ///< smallest class; a power of two >= 64
  std::size_t max_block = std::size_t{1} << 26;    ///< largest pooled class (64 MiB); larger
                                                   ///< requests are allocated and freed directly
  std::size_t thread_cache_blocks = 32;            ///< free blocks per class a thread keeps, >= 1
  std::size_t depot_bytes = std::size_t{1} << 28;  ///< free bytes the depot keeps (256 MiB);
                                                   ///< beyond, returned blocks go to the system
  NumaPolicy numa = NumaPolicy::kAuto;
  /// @throws InvalidArgument for a class bound that is not a power of two >= 64, or inverted
  void check() const;
};

/// Counters of a pool.
struct MemoryPoolStats {
  std::uint64_t allocations = 0;         ///< buffers handed out
  std::uint64_t reuse_hits = 0;          ///< of which served from a free list
  std::uint64_t system_allocations = 0;  ///< blocks obtained from the system
  std::uint64_t system_frees = 0;        ///< blocks given back to the system
  std::uint64_t bytes_in_use = 0;        ///< capacity of the buffers alive now
  std::uint64_t peak_bytes_in_use = 0;
  std::uint64_t depot_bytes = 0;    ///< free bytes in the shared depot
  std::size_t numa_nodes = 1;       ///< NUMA nodes the machine has
  bool numa_binding = false;        ///< whether blocks are bound to nodes
  std::uint64_t bind_failures = 0;  ///< bindings the system refused (blocks still usable)
  [[nodiscard]] double reuse_rate() const noexcept {
    return allocations ? static_cast<double>(reuse_hits) / static_cast<double>(allocations) : 0.0;
  }
  [[nodiscard]] nlohmann::json to_json() const;
};

namespace detail {
struct PoolCore;
}

/// A block from a MemoryPool, returned to it on destruction (RAII, move-only). Its bytes are
/// uninitialised. A buffer keeps its pool's internals alive, so it may outlive the MemoryPool.
class Buffer {
 public:
  Buffer() noexcept = default;
  Buffer(Buffer&& other) noexcept;
  Buffer& operator=(Buffer&& other) noexcept;
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;
  ~Buffer() { reset(); }

  [[nodiscard]] void* data() const noexcept { return data_; }
  [[nodiscard]] std::size_t size() const noexcept { return size_; }          ///< bytes requested
  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }  ///< bytes usable
  [[nodiscard]] bool empty() const noexcept { return data_ == nullptr; }
  explicit operator bool() const noexcept { return data_ != nullptr; }
  /// The first size() / sizeof(T) elements as T (trivially copyable T only).
  template <class T>
  [[nodiscard]] std::span<T> as() const noexcept {
    static_assert(std::is_trivially_copyable_v<T> && alignof(T) <= kAlignment);
    return {static_cast<T*>(data_), size_ / sizeof(T)};
  }
  /// Gives the block back to its pool now.
  void reset() noexcept;

 private:
  friend class MemoryPool;
  Buffer(std::shared_ptr<detail::PoolCore> core, void* data, std::size_t size, std::size_t capacity,
         int size_class, int node) noexcept;

  std::shared_ptr<detail::PoolCore> core_;
  void* data_ = nullptr;
  std::size_t size_ = 0;
  std::size_t capacity_ = 0;
  int size_class_ = -1;  ///< -1: a large block outside the classes
  int node_ = 0;
};

/// A thread-safe pool of aligned buffers. Requests round up to a power-of-two class; a thread
/// first reuses blocks from its own cache (no lock), then refills half a cache from the shared
/// depot (one lock), then asks the system. Released blocks go to the releasing thread's cache;
/// a full cache moves half its blocks to the depot. With NUMA binding, blocks are allocated on
/// and recycled within the NUMA node the thread runs on (through hwloc). Per-class thread caches
/// keep blocks of exiting threads: they are handed to the depot when the thread ends.
class MemoryPool {
 public:
  explicit MemoryPool(MemoryPoolConfig config = {});
  MemoryPool(const MemoryPool&) = delete;
  MemoryPool& operator=(const MemoryPool&) = delete;
  ~MemoryPool();

  /// A buffer of at least `bytes` bytes (0 gives the smallest class), 64-byte aligned.
  /// @throws std::bad_alloc when the system has no memory
  [[nodiscard]] Buffer allocate(std::size_t bytes);
  [[nodiscard]] MemoryPoolStats stats() const;
  /// Gives every block in the shared depot back to the system.
  void trim();
  /// The class capacity a request of `bytes` gets (0 for one above max_block: exact size).
  [[nodiscard]] std::size_t class_capacity(std::size_t bytes) const noexcept;
  [[nodiscard]] const MemoryPoolConfig& config() const noexcept;

  /// A process-wide pool with the default settings.
  [[nodiscard]] static MemoryPool& global();

 private:
  std::shared_ptr<detail::PoolCore> core_;
};

}  // namespace kolosal::memory
