// SPDX-License-Identifier: MIT
// DeviceOptimizer rules and the JSON of its recommendation.
#include "kolosal/device/optimizer.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/simd.hpp"

namespace kolosal::device {
namespace {

std::string bytes_text(std::uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double value = static_cast<double>(bytes);
  int unit = 0;
  while (value >= 1024.0 && unit < 4) {
    value /= 1024.0;
    ++unit;
  }
  return detail::concat(std::round(value * 10.0) / 10.0, " ", units[unit]);
}

}  // namespace

Recommendation DeviceOptimizer::recommend(const WorkloadHint& hint) const {
  config::validate(hint, "DeviceOptimizer::recommend");
  Recommendation r;
  const Topology& t = info_.topology;
  const int affinity = std::max(1, info_.affinity_cpus);
  const int logical = std::max(1, t.logical_cpus);
  const int cores = std::max(1, std::min(t.physical_cores, logical));
  const int smt = std::max(1, logical / cores);

  // Threads.
  if (hint.compute_bound && smt > 1) {
    // The affinity mask may hold fewer CPUs than the machine: assume its CPUs are spread over
    // cores as the machine's are.
    r.threads = std::max(1, std::min(cores, affinity / smt));
    r.threads_reason = detail::concat(smt, " hardware threads per core share the vector units: ",
                                      "one thread per physical core (", r.threads, " of ", cores,
                                      " cores in the affinity mask)");
  } else {
    r.threads = std::min(affinity, logical);
    r.threads_reason = hint.compute_bound
                           ? detail::concat("one thread per core, no simultaneous multithreading (",
                                            r.threads, " CPUs in the affinity mask)")
                           : detail::concat("memory-bound work gains from every logical CPU (",
                                            r.threads, " in the affinity mask)");
  }

  // Batch rows: half the per-core L2 (or L1 when there is no L2) for the batch.
  std::uint64_t cache = t.cache_size(2);
  int cache_level = 2;
  if (cache > 0) {
    // A shared L2 (some ARM designs) is split between the cores that share it.
    for (const auto& c : t.caches) {
      if (c.level == 2 && c.instances > 0 && static_cast<int>(c.instances) < cores) {
        cache = cache * c.instances / static_cast<std::uint64_t>(cores);
      }
    }
  } else {
    cache = t.cache_size(1);
    cache_level = 1;
  }
  const std::uint64_t row_bytes = hint.n_features * hint.bytes_per_value;
  if (cache == 0) {
    r.batch_rows = 1024;
    r.batch_reason = "no cache size reported: a default of 1024 rows";
  } else {
    const std::uint64_t fit = std::max<std::uint64_t>(1, cache / 2 / row_bytes);
    std::size_t rows = 1;
    while (rows * 2 <= fit) rows *= 2;
    r.batch_rows = std::clamp<std::size_t>(rows, 16, 65536);
    r.batch_reason =
        detail::concat(r.batch_rows, " rows of ", row_bytes, " B fill at most half of the ",
                       bytes_text(cache), " L", cache_level, " cache per core");
  }

  // SIMD: what kolosal's kernels will run.
  r.simd = std::string(simd::to_string(simd::detected_level()));
  r.simd_reason = detail::concat("CPU supports up to ", info_.cpu.best_simd(),
                                 "; the best compiled kernel level it can run is ", r.simd);

  // Memory.
  r.memory_limit = static_cast<std::uint64_t>(hint.memory_fraction *
                                              static_cast<double>(info_.memory.available));
  r.memory_reason = detail::concat(
      hint.memory_fraction * 100.0, "% of the ", bytes_text(info_.memory.available), " available",
      info_.memory.cgroup_limit ? detail::concat(" (within the cgroup limit of ",
                                                 bytes_text(*info_.memory.cgroup_limit), ")")
                                : std::string());
  return r;
}

nlohmann::json to_json(const Recommendation& r) {
  return nlohmann::json{{"threads", {{"value", r.threads}, {"reason", r.threads_reason}}},
                        {"batch_rows", {{"value", r.batch_rows}, {"reason", r.batch_reason}}},
                        {"simd", {{"value", r.simd}, {"reason", r.simd_reason}}},
                        {"memory_limit", {{"value", r.memory_limit}, {"reason", r.memory_reason}}}};
}

}  // namespace kolosal::device

namespace kolosal::config {
template nlohmann::json to_json<device::WorkloadHint>(const device::WorkloadHint&);
template device::WorkloadHint from_json<device::WorkloadHint>(const nlohmann::json&);
}  // namespace kolosal::config
