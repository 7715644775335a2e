// SPDX-License-Identifier: MIT
// MemoryPool: size classes, per-thread caches, a per-NUMA-node depot and hwloc placement.
#include "kolosal/memory/memory_pool.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <hwloc.h>
#include <mutex>
#include <new>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"

namespace kolosal::memory {

namespace {

constexpr std::size_t kPage = 4096;

/// The machine's topology, loaded once; null when hwloc cannot load it.
class Topology {
 public:
  static Topology& instance() {
    static Topology topology;
    return topology;
  }
  Topology(const Topology&) = delete;
  Topology& operator=(const Topology&) = delete;
  ~Topology() {
    if (topo_) hwloc_topology_destroy(topo_);
  }

  [[nodiscard]] bool loaded() const noexcept { return topo_ != nullptr; }
  [[nodiscard]] std::size_t nodes() const noexcept { return nodes_; }

  /// The NUMA node (logical index) of the CPU this thread last ran on; 0 when unknown.
  [[nodiscard]] int current_node() const {
    if (!topo_ || nodes_ <= 1) return 0;
    hwloc_cpuset_t cpus = hwloc_bitmap_alloc();
    int node = 0;
    if (hwloc_get_last_cpu_location(topo_, cpus, HWLOC_CPUBIND_THREAD) == 0) {
      for (unsigned i = 0; i < nodes_; ++i) {
        hwloc_obj_t obj = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_NUMANODE, i);
        if (obj && obj->cpuset && hwloc_bitmap_intersects(obj->cpuset, cpus)) {
          node = static_cast<int>(i);
          break;
        }
      }
    }
    hwloc_bitmap_free(cpus);
    return node;
  }

  /// Binds [p, p + bytes) to NUMA node `node`; whether the system accepted it.
  bool bind(void* p, std::size_t bytes, int node) const {
    if (!topo_) return false;
    hwloc_obj_t obj = hwloc_get_obj_by_type(topo_, HWLOC_OBJ_NUMANODE, static_cast<unsigned>(node));
    if (!obj || !obj->nodeset) return false;
    return hwloc_set_area_membind(topo_, p, bytes, obj->nodeset, HWLOC_MEMBIND_BIND,
                                  HWLOC_MEMBIND_BYNODESET) == 0;
  }

 private:
  Topology() {
    if (hwloc_topology_init(&topo_) != 0) {
      topo_ = nullptr;
      return;
    }
    if (hwloc_topology_load(topo_) != 0) {
      hwloc_topology_destroy(topo_);
      topo_ = nullptr;
      return;
    }
    const int n = hwloc_get_nbobjs_by_type(topo_, HWLOC_OBJ_NUMANODE);
    nodes_ = n > 0 ? static_cast<std::size_t>(n) : 1;
  }

  hwloc_topology_t topo_ = nullptr;
  std::size_t nodes_ = 1;
};

bool power_of_two_at_least_64(std::size_t v) { return v >= 64 && std::has_single_bit(v); }

}  // namespace

namespace detail {

/// A pool's shared state: configuration, per-node depots and statistics. Kept alive by the
/// MemoryPool, every Buffer and every thread cache that refers to it.
struct PoolCore {
  struct Depot {
    std::mutex mutex;
    std::vector<std::vector<void*>> free;  ///< per size class
  };

  explicit PoolCore(MemoryPoolConfig c) : config(c) {
    const Topology& topo = Topology::instance();
    nodes = topo.nodes();
    bind = config.numa == NumaPolicy::kBind ||
           (config.numa == NumaPolicy::kAuto && topo.loaded() && nodes > 1);
    classes = std::countr_zero(config.max_block) - std::countr_zero(config.min_block) + 1;
    for (std::size_t n = 0; n < (bind ? nodes : 1); ++n) {
      depots.push_back(std::make_unique<Depot>());
      depots.back()->free.resize(static_cast<std::size_t>(classes));
    }
  }
  PoolCore(const PoolCore&) = delete;
  PoolCore& operator=(const PoolCore&) = delete;
  ~PoolCore() {
    for (auto& depot : depots) {
      for (auto& list : depot->free) {
        for (void* p : list) std::free(p);  // NOLINT: blocks come from aligned_alloc
      }
    }
  }

  [[nodiscard]] int class_of(std::size_t bytes) const noexcept {
    const std::size_t b = std::max(bytes, config.min_block);
    if (b > config.max_block) return -1;
    return std::bit_width(b - 1) - std::countr_zero(config.min_block);
  }
  [[nodiscard]] std::size_t class_size(int cls) const noexcept { return config.min_block << cls; }
  [[nodiscard]] int node_now() const { return bind ? Topology::instance().current_node() : 0; }
  [[nodiscard]] Depot& depot(int node) {
    return *depots[std::min(static_cast<std::size_t>(node), depots.size() - 1)];
  }

  void* system_alloc(std::size_t bytes, int node) {
    // Blocks of a page or more are page-aligned so a binding covers whole pages; smaller ones
    // share pages and follow the kernel's first-touch placement.
    const std::size_t align = bytes >= kPage ? kPage : kAlignment;
    // aligned_alloc requires a size that is a multiple of the alignment.
    void* p = std::aligned_alloc(align, (bytes + align - 1) / align * align);
    if (!p) throw std::bad_alloc();
    system_allocations.fetch_add(1, std::memory_order_relaxed);
    if (bind && bytes >= kPage && !Topology::instance().bind(p, bytes, node)) {
      bind_failures.fetch_add(1, std::memory_order_relaxed);
    }
    return p;
  }
  void system_free(void* p) {
    std::free(p);  // NOLINT: blocks come from aligned_alloc
    system_frees.fetch_add(1, std::memory_order_relaxed);
  }

  /// Moves `blocks` of class `cls` into node `node`'s depot, freeing those beyond its budget.
  void to_depot(int node, int cls, std::vector<void*>& blocks, std::size_t count) {
    const std::size_t size = class_size(cls);
    std::vector<void*> excess;
    {
      Depot& d = depot(node);
      std::lock_guard lock(d.mutex);
      auto& list = d.free[static_cast<std::size_t>(cls)];
      while (count > 0 && !blocks.empty()) {
        void* p = blocks.back();
        blocks.pop_back();
        --count;
        if (depot_bytes.load(std::memory_order_relaxed) + size > config.depot_bytes) {
          excess.push_back(p);
        } else {
          list.push_back(p);
          depot_bytes.fetch_add(size, std::memory_order_relaxed);
        }
      }
    }
    for (void* p : excess) system_free(p);
  }

  /// Moves up to `count` blocks of class `cls` from node `node`'s depot into `out`.
  void from_depot(int node, int cls, std::vector<void*>& out, std::size_t count) {
    Depot& d = depot(node);
    std::lock_guard lock(d.mutex);
    auto& list = d.free[static_cast<std::size_t>(cls)];
    const std::size_t n = std::min(count, list.size());
    out.insert(out.end(), list.end() - static_cast<std::ptrdiff_t>(n), list.end());
    list.resize(list.size() - n);
    depot_bytes.fetch_sub(n * class_size(cls), std::memory_order_relaxed);
  }

  void add_in_use(std::size_t bytes) {
    const auto now = bytes_in_use.fetch_add(bytes, std::memory_order_relaxed) + bytes;
    auto peak = peak_bytes.load(std::memory_order_relaxed);
    while (now > peak && !peak_bytes.compare_exchange_weak(peak, now, std::memory_order_relaxed)) {
    }
  }

  MemoryPoolConfig config;
  std::size_t nodes = 1;
  bool bind = false;
  int classes = 0;
  std::vector<std::unique_ptr<Depot>> depots;
  std::atomic<bool> pool_alive{true};
  std::atomic<std::uint64_t> allocations{0}, reuse_hits{0}, system_allocations{0}, system_frees{0},
      bytes_in_use{0}, peak_bytes{0}, depot_bytes{0}, bind_failures{0};
};

}  // namespace detail

namespace {

/// One thread's free lists for one pool; handed to the depot when the thread ends.
struct ThreadCache {
  ThreadCache(std::shared_ptr<detail::PoolCore> c, int n)
      : core(std::move(c)), node(n), free(static_cast<std::size_t>(core->classes)) {}
  ThreadCache(const ThreadCache&) = delete;
  ThreadCache& operator=(const ThreadCache&) = delete;
  ~ThreadCache() {
    for (std::size_t cls = 0; cls < free.size(); ++cls) {
      core->to_depot(node, static_cast<int>(cls), free[cls], free[cls].size());
    }
  }
  std::shared_ptr<detail::PoolCore> core;
  int node;
  std::vector<std::vector<void*>> free;
};

/// This thread's caches, one per pool it has used (pools of destroyed MemoryPools are pruned).
ThreadCache& thread_cache(const std::shared_ptr<detail::PoolCore>& core) {
  thread_local std::vector<std::unique_ptr<ThreadCache>> caches;
  for (auto& c : caches) {
    if (c->core == core) return *c;
  }
  std::erase_if(caches, [](const auto& c) { return !c->core->pool_alive.load(); });
  caches.push_back(std::make_unique<ThreadCache>(core, core->node_now()));
  return *caches.back();
}

}  // namespace

void MemoryPoolConfig::check() const {
  KOLOSAL_CHECK(power_of_two_at_least_64(min_block), InvalidArgument,
                "MemoryPoolConfig: min_block must be a power of two >= 64, got ", min_block);
  KOLOSAL_CHECK(power_of_two_at_least_64(max_block) && max_block >= min_block, InvalidArgument,
                "MemoryPoolConfig: max_block must be a power of two >= min_block = ", min_block,
                ", got ", max_block);
  KOLOSAL_CHECK(thread_cache_blocks >= 1, InvalidArgument,
                "MemoryPoolConfig: thread_cache_blocks must be >= 1");
}

nlohmann::json MemoryPoolStats::to_json() const {
  return {{"allocations", allocations},
          {"reuse_hits", reuse_hits},
          {"reuse_rate", reuse_rate()},
          {"system_allocations", system_allocations},
          {"system_frees", system_frees},
          {"bytes_in_use", bytes_in_use},
          {"peak_bytes_in_use", peak_bytes_in_use},
          {"depot_bytes", depot_bytes},
          {"numa_nodes", numa_nodes},
          {"numa_binding", numa_binding},
          {"bind_failures", bind_failures}};
}

Buffer::Buffer(std::shared_ptr<detail::PoolCore> core, void* data, std::size_t size,
               std::size_t capacity, int size_class, int node) noexcept
    : core_(std::move(core)),
      data_(data),
      size_(size),
      capacity_(capacity),
      size_class_(size_class),
      node_(node) {}

Buffer::Buffer(Buffer&& other) noexcept
    : core_(std::move(other.core_)),
      data_(std::exchange(other.data_, nullptr)),
      size_(std::exchange(other.size_, 0)),
      capacity_(std::exchange(other.capacity_, 0)),
      size_class_(other.size_class_),
      node_(other.node_) {}

Buffer& Buffer::operator=(Buffer&& other) noexcept {
  if (this != &other) {
    reset();
    core_ = std::move(other.core_);
    data_ = std::exchange(other.data_, nullptr);
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    size_class_ = other.size_class_;
    node_ = other.node_;
  }
  return *this;
}

void Buffer::reset() noexcept {
  if (!data_) return;
  detail::PoolCore& core = *core_;
  core.bytes_in_use.fetch_sub(capacity_, std::memory_order_relaxed);
  if (size_class_ < 0) {
    core.system_free(data_);
  } else {
    try {
      std::vector<void*> one{data_};
      if (!core.pool_alive.load(std::memory_order_relaxed)) {
        core.to_depot(node_, size_class_, one, 1);
      } else {
        ThreadCache& cache = thread_cache(core_);
        if (cache.node != node_) {
          core.to_depot(node_, size_class_, one, 1);
        } else {
          auto& list = cache.free[static_cast<std::size_t>(size_class_)];
          list.push_back(data_);
          if (list.size() > core.config.thread_cache_blocks) {
            core.to_depot(node_, size_class_, list, list.size() / 2);
          }
        }
      }
    } catch (...) {
      core.system_free(data_);  // no memory for bookkeeping: give the block back instead
    }
  }
  data_ = nullptr;
  size_ = capacity_ = 0;
  core_.reset();
}

MemoryPool::MemoryPool(MemoryPoolConfig config)
    : core_((config.check(), std::make_shared<detail::PoolCore>(config))) {}

MemoryPool::~MemoryPool() { core_->pool_alive.store(false); }

const MemoryPoolConfig& MemoryPool::config() const noexcept { return core_->config; }

std::size_t MemoryPool::class_capacity(std::size_t bytes) const noexcept {
  const int cls = core_->class_of(bytes);
  return cls < 0 ? 0 : core_->class_size(cls);
}

Buffer MemoryPool::allocate(std::size_t bytes) {
  detail::PoolCore& core = *core_;
  core.allocations.fetch_add(1, std::memory_order_relaxed);
  const int cls = core.class_of(bytes);
  if (cls < 0) {
    const std::size_t capacity = (bytes + kAlignment - 1) / kAlignment * kAlignment;
    const int node = core.node_now();
    void* p = core.system_alloc(capacity, node);
    core.add_in_use(capacity);
    return Buffer(core_, p, bytes, capacity, -1, node);
  }
  ThreadCache& cache = thread_cache(core_);
  auto& list = cache.free[static_cast<std::size_t>(cls)];
  if (list.empty()) {
    core.from_depot(cache.node, cls, list,
                    std::max<std::size_t>(1, core.config.thread_cache_blocks / 2));
  }
  void* p = nullptr;
  if (!list.empty()) {
    p = list.back();
    list.pop_back();
    core.reuse_hits.fetch_add(1, std::memory_order_relaxed);
  } else {
    p = core.system_alloc(core.class_size(cls), cache.node);
  }
  core.add_in_use(core.class_size(cls));
  return Buffer(core_, p, bytes, core.class_size(cls), cls, cache.node);
}

MemoryPoolStats MemoryPool::stats() const {
  const detail::PoolCore& core = *core_;
  MemoryPoolStats s;
  s.allocations = core.allocations.load(std::memory_order_relaxed);
  s.reuse_hits = core.reuse_hits.load(std::memory_order_relaxed);
  s.system_allocations = core.system_allocations.load(std::memory_order_relaxed);
  s.system_frees = core.system_frees.load(std::memory_order_relaxed);
  s.bytes_in_use = core.bytes_in_use.load(std::memory_order_relaxed);
  s.peak_bytes_in_use = core.peak_bytes.load(std::memory_order_relaxed);
  s.depot_bytes = core.depot_bytes.load(std::memory_order_relaxed);
  s.numa_nodes = core.nodes;
  s.numa_binding = core.bind;
  s.bind_failures = core.bind_failures.load(std::memory_order_relaxed);
  return s;
}

void MemoryPool::trim() {
  for (auto& depot : core_->depots) {
    std::vector<void*> blocks;
    {
      std::lock_guard lock(depot->mutex);
      for (std::size_t cls = 0; cls < depot->free.size(); ++cls) {
        core_->depot_bytes.fetch_sub(
            depot->free[cls].size() * core_->class_size(static_cast<int>(cls)),
            std::memory_order_relaxed);
        blocks.insert(blocks.end(), depot->free[cls].begin(), depot->free[cls].end());
        depot->free[cls].clear();
      }
    }
    for (void* p : blocks) core_->system_free(p);
  }
}

MemoryPool& MemoryPool::global() {
  static MemoryPool pool;
  return pool;
}

}  // namespace kolosal::memory
