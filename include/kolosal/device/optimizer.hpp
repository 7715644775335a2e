// SPDX-License-Identifier: MIT
// DeviceOptimizer: turns a DeviceInfo into recommended thread count, batch size, SIMD level and
// memory budget, each with the reason it was chosen.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/device/info.hpp"

namespace kolosal::device {

/// What the workload looks like; the optimizer sizes batches and memory from it.
struct WorkloadHint {
  std::size_t n_features = 64;      ///< values per row
  std::size_t bytes_per_value = 8;  ///< 8 for double, 4 for float, 1 for int8
  double memory_fraction = 0.75;    ///< share of available memory kolosal may plan to use
  bool compute_bound = true;        ///< dense arithmetic (prefers physical cores)

  static constexpr std::string_view kName = "WorkloadHint";
  static constexpr auto fields() {
    return std::tuple{
        config::field("n_features", &WorkloadHint::n_features).at_least(1).doc("values per row"),
        config::field("bytes_per_value", &WorkloadHint::bytes_per_value)
            .at_least(1)
            .at_most(16)
            .doc("bytes of one value"),
        config::field("memory_fraction", &WorkloadHint::memory_fraction)
            .greater_than(0.0)
            .at_most(1.0)
            .doc("share of available memory to plan for"),
        config::field("compute_bound", &WorkloadHint::compute_bound)
            .doc("dense arithmetic: one thread per physical core")};
  }
  friend bool operator==(const WorkloadHint&, const WorkloadHint&) = default;
};

/// The recommendation, with one reason per choice.
struct Recommendation {
  int threads = 1;
  std::size_t batch_rows = 1;
  std::string simd;                ///< the SIMD family kolosal's kernels will use
  std::uint64_t memory_limit = 0;  ///< bytes
  std::string threads_reason;
  std::string batch_reason;
  std::string simd_reason;
  std::string memory_reason;
};

/// Recommends settings for a device. Rules:
/// - threads: compute-bound work gets one thread per physical core available to the process
///   (hyper-threads share the vector units), otherwise one per logical CPU; never more than the
///   affinity mask allows.
/// - batch_rows: the largest power of two whose rows fill at most half of the per-core L2 cache
///   (the other half for weights and outputs), clamped to [16, 65536].
/// - simd: the best level among kolosal's compiled kernels the CPU supports.
/// - memory_limit: memory_fraction of the available memory (already within the cgroup limit).
class DeviceOptimizer {
 public:
  explicit DeviceOptimizer(DeviceInfo info) : info_(std::move(info)) {}

  [[nodiscard]] Recommendation recommend(const WorkloadHint& hint = {}) const;
  [[nodiscard]] const DeviceInfo& info() const noexcept { return info_; }

 private:
  DeviceInfo info_;
};

/// {"threads": {"value": n, "reason": "..."}, "batch_rows": {...}, "simd": {...},
///  "memory_limit": {...}}.
[[nodiscard]] nlohmann::json to_json(const Recommendation& recommendation);

}  // namespace kolosal::device

namespace kolosal::config {
extern template nlohmann::json to_json<device::WorkloadHint>(const device::WorkloadHint&);
extern template device::WorkloadHint from_json<device::WorkloadHint>(const nlohmann::json&);
}  // namespace kolosal::config
