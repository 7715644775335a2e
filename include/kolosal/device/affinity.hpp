// SPDX-License-Identifier: MIT
// Opt-in pinning of kolosal's worker threads to CPUs, one CPU per arena slot.
#pragma once

#include <memory>
#include <vector>

namespace kolosal::device {

/// While alive, every thread that enters one of kolosal's parallel arenas (see
/// kolosal/core/parallel.hpp) is pinned to one CPU of the process's affinity mask, chosen by its
/// slot in the arena (slot i -> i-th allowed CPU, modulo their count), and gets its previous mask
/// back when it leaves. Pinning keeps a worker's cache warm and stops the scheduler from moving
/// it between NUMA nodes; it is opt-in because it hurts when other processes share the CPUs.
/// Only one pinning may be alive at a time (a second throws InvalidArgument).
class ThreadPinning {
 public:
  /// Pins to `cpus` (ids from the affinity mask); empty uses the whole process affinity mask.
  explicit ThreadPinning(std::vector<int> cpus = {});
  ThreadPinning(const ThreadPinning&) = delete;
  ThreadPinning& operator=(const ThreadPinning&) = delete;
  ~ThreadPinning();

  /// The CPUs workers are pinned to, in slot order.
  [[nodiscard]] const std::vector<int>& cpus() const noexcept;

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

/// The CPU ids in the calling thread's affinity mask, ascending.
[[nodiscard]] std::vector<int> current_affinity();

}  // namespace kolosal::device
