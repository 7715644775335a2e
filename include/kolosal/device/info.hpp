// SPDX-License-Identifier: MIT
// What the machine offers: CPU instruction sets, cache and core topology, memory (within cgroup
// limits) and GPUs, detected at run time and reported as values or JSON.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace kolosal::device {

/// Instruction-set extensions the CPU has *and* the operating system enables (AVX state saved by
/// XSAVE is checked through XCR0, so a hypervisor that hides it turns the AVX family off).
struct CpuFeatures {
  std::string architecture;  ///< "x86_64", "aarch64", ...
  std::string vendor;        ///< "GenuineIntel", "AuthenticAMD", ... (empty when unknown)
  std::string brand;         ///< the processor's marketing name (empty when unknown)
  bool sse2 = false;
  bool sse3 = false;
  bool ssse3 = false;
  bool sse4_1 = false;
  bool sse4_2 = false;
  bool popcnt = false;
  bool avx = false;
  bool avx2 = false;
  bool fma = false;
  bool f16c = false;
  bool bmi1 = false;
  bool bmi2 = false;
  bool avx512f = false;
  bool avx512cd = false;
  bool avx512bw = false;
  bool avx512dq = false;
  bool avx512vl = false;
  bool avx512_vnni = false;
  bool avx512_bf16 = false;
  bool neon = false;  ///< ARM Advanced SIMD
  bool sve = false;   ///< ARM Scalable Vector Extension

  /// Names of the extensions present, in the order of the fields above.
  [[nodiscard]] std::vector<std::string> names() const;
  /// The widest SIMD family usable: "avx512", "avx2", "avx", "sse4.2", "sse2", "neon" or "scalar".
  [[nodiscard]] std::string_view best_simd() const noexcept;
};

/// Detects the running CPU's features (cpuid/xgetbv on x86, getauxval on ARM); cached.
[[nodiscard]] const CpuFeatures& cpu_features();

/// One level of data or unified cache.
struct CacheLevel {
  int level = 0;                ///< 1, 2, 3, ...
  std::uint64_t size = 0;       ///< bytes per instance
  std::uint32_t line = 0;       ///< line size in bytes (0 when unknown)
  std::uint32_t instances = 0;  ///< how many such caches the machine has
};

/// Processor topology from hwloc, restricted to the CPUs this process may run on.
struct Topology {
  int sockets = 0;                 ///< packages
  int physical_cores = 0;          ///< cores
  int logical_cpus = 0;            ///< processing units (hardware threads)
  int numa_nodes = 0;              ///< NUMA nodes (at least 1)
  std::vector<CacheLevel> caches;  ///< data/unified caches from L1 upward
  /// Size in bytes of the data or unified cache at `level`, or 0 when there is none.
  [[nodiscard]] std::uint64_t cache_size(int level) const noexcept;
};

/// Detects the topology with hwloc; cached.
[[nodiscard]] const Topology& topology();

/// Physical memory and what this process may still use. When a cgroup (v2 memory.max or v1
/// memory.limit_in_bytes) caps the process below the machine, the limit and usage come from it.
struct MemoryInfo {
  std::uint64_t total = 0;      ///< physical memory of the machine, bytes
  std::uint64_t available = 0;  ///< bytes the process can still allocate without swapping
  std::optional<std::uint64_t> cgroup_limit;  ///< the cgroup's cap, when one is set
  std::uint64_t limit = 0;                    ///< min(total, cgroup_limit)
};

/// Reads /proc/meminfo, sysconf and the cgroup files (not cached: memory changes).
[[nodiscard]] MemoryInfo memory_info();

/// Parses a /proc/meminfo text; returns the value of `key` (e.g. "MemAvailable") in bytes.
[[nodiscard]] std::optional<std::uint64_t> parse_meminfo(std::string_view text,
                                                         std::string_view key);

/// Parses a cgroup limit file's content: a number of bytes, or nothing for "max" or a v1
/// "unlimited" value (at or above 2^60).
[[nodiscard]] std::optional<std::uint64_t> parse_cgroup_limit(std::string_view text);

/// A GPU found on the machine. Detection never requires a driver: NVIDIA GPUs are read from
/// /proc/driver/nvidia/gpus and, when libnvidia-ml can be opened at run time, from NVML.
struct GpuInfo {
  std::string vendor;              ///< "nvidia"
  std::string name;                ///< model name
  std::string bus_id;              ///< PCI bus id
  std::uint64_t memory_total = 0;  ///< bytes (0 when unknown)
  std::string source;              ///< "nvml" or "procfs"
};

/// Detects GPUs; empty when there are none or no driver is installed.
[[nodiscard]] std::vector<GpuInfo> gpus();

/// Everything above in one value.
struct DeviceInfo {
  CpuFeatures cpu;
  Topology topology;
  MemoryInfo memory;
  int affinity_cpus = 0;  ///< CPUs in this process's affinity mask
  std::vector<GpuInfo> gpus;
};

/// Detects the whole device.
[[nodiscard]] DeviceInfo detect();

/// JSON of a DeviceInfo: {"cpu": {...}, "topology": {...}, "memory": {...}, "gpus": [...]}.
[[nodiscard]] nlohmann::json to_json(const DeviceInfo& info);

/// CPUs in the calling thread's affinity mask (sched_getaffinity), at least 1.
[[nodiscard]] int affinity_cpu_count();

}  // namespace kolosal::device
