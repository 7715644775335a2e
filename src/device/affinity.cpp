// SPDX-License-Identifier: MIT
// Thread pinning through a tbb::task_scheduler_observer on each of kolosal's arenas.
#include "kolosal/device/affinity.hpp"

#include <algorithm>
#include <mutex>
#include <pthread.h>
#include <sched.h>
#include <unistd.h>
#include <utility>
#include <vector>

#include <tbb/task_arena.h>
#include <tbb/task_scheduler_observer.h>

#include "kolosal/core/error.hpp"

#include "core/arena_hooks.hpp"

namespace kolosal::device {
namespace {

class PinObserver : public tbb::task_scheduler_observer {
 public:
  explicit PinObserver(tbb::task_arena& arena) : tbb::task_scheduler_observer(arena) {
    observe(true);
  }
  PinObserver(const PinObserver&) = delete;
  PinObserver& operator=(const PinObserver&) = delete;
  ~PinObserver() override { observe(false); }

  void on_scheduler_entry(bool is_worker) override;
  void on_scheduler_exit(bool is_worker) override;
};

// Observers stay attached for the life of the process and consult this state on every entry, so
// disabling pinning also unpins threads the next time they enter; workers asleep inside an arena
// when the pinning ends are restored on their next entry. Never destroyed: arenas are static
// objects of parallel.cpp, and an observer must not outlive its arena.
struct PinState {
  std::mutex mutex;
  bool enabled = false;
  std::vector<int> cpus;
  bool listening = false;
  std::vector<std::unique_ptr<PinObserver>> observers;
  /// Threads pinned now, with the masks they had before: ending the pinning restores them at
  /// once, even threads that stay inside an arena and would otherwise keep their one-CPU mask
  /// until they next leave or enter it.
  std::vector<std::pair<pid_t, cpu_set_t>> pinned;
};

PinState& state() {
  static auto* instance = new PinState;  // NOLINT: intentionally leaked, see above
  return *instance;
}

thread_local bool t_pinned = false;
thread_local cpu_set_t t_saved_mask;

void forget_pinned(PinState& s, pid_t tid) {
  std::erase_if(s.pinned, [tid](const auto& entry) { return entry.first == tid; });
}

void restore_if_pinned() {
  if (!t_pinned) return;
  ::pthread_setaffinity_np(::pthread_self(), sizeof t_saved_mask, &t_saved_mask);
  t_pinned = false;
  PinState& s = state();
  std::lock_guard lock(s.mutex);
  forget_pinned(s, ::gettid());
}

void PinObserver::on_scheduler_entry(bool /*is_worker*/) {
  int cpu = -1;
  {
    PinState& s = state();
    std::lock_guard lock(s.mutex);
    if (s.enabled && !s.cpus.empty()) {
      const int slot = std::max(0, tbb::this_task_arena::current_thread_index());
      cpu = s.cpus[static_cast<std::size_t>(slot) % s.cpus.size()];
    }
  }
  if (cpu < 0) {
    restore_if_pinned();
    return;
  }
  if (!t_pinned) {
    CPU_ZERO(&t_saved_mask);
    if (::pthread_getaffinity_np(::pthread_self(), sizeof t_saved_mask, &t_saved_mask) != 0) {
      return;
    }
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(cpu, &one);
  if (::pthread_setaffinity_np(::pthread_self(), sizeof one, &one) != 0) return;
  t_pinned = true;
  PinState& s = state();
  std::lock_guard lock(s.mutex);
  forget_pinned(s, ::gettid());
  s.pinned.emplace_back(::gettid(), t_saved_mask);
}

void PinObserver::on_scheduler_exit(bool /*is_worker*/) { restore_if_pinned(); }

}  // namespace

struct ThreadPinning::Impl {
  std::vector<int> cpus;
};

std::vector<int> current_affinity() {
  cpu_set_t set;
  CPU_ZERO(&set);
  std::vector<int> out;
  if (::sched_getaffinity(0, sizeof set, &set) != 0) return out;
  for (int cpu = 0; cpu < CPU_SETSIZE; ++cpu) {
    if (CPU_ISSET(cpu, &set)) out.push_back(cpu);
  }
  return out;
}

ThreadPinning::ThreadPinning(std::vector<int> cpus) : impl_(std::make_unique<Impl>()) {
  const std::vector<int> allowed = current_affinity();
  if (cpus.empty()) cpus = allowed;
  for (const int cpu : cpus) {
    KOLOSAL_CHECK(std::find(allowed.begin(), allowed.end(), cpu) != allowed.end(), InvalidArgument,
                  "ThreadPinning: CPU ", cpu, " is not in this process's affinity mask");
  }
  KOLOSAL_CHECK(!cpus.empty(), InvalidArgument, "ThreadPinning: no CPU to pin to");
  impl_->cpus = cpus;
  PinState& s = state();
  {
    std::lock_guard lock(s.mutex);
    KOLOSAL_CHECK(!s.enabled, InvalidArgument, "ThreadPinning: another pinning is already active");
    s.enabled = true;
    s.cpus = std::move(cpus);
    if (s.listening) return;
    s.listening = true;
  }
  // Outside our lock: the listener runs under the arena registry's lock and takes ours.
  parallel::detail::add_arena_listener([](tbb::task_arena& arena) {
    PinState& st = state();
    auto observer = std::make_unique<PinObserver>(arena);
    std::lock_guard lock(st.mutex);
    st.observers.push_back(std::move(observer));
  });
}

ThreadPinning::~ThreadPinning() {
  PinState& s = state();
  std::lock_guard lock(s.mutex);
  s.enabled = false;
  s.cpus.clear();
  // A thread that exited in the meantime makes sched_setaffinity fail with ESRCH: nothing to do.
  for (auto& [tid, mask] : s.pinned) (void)::sched_setaffinity(tid, sizeof mask, &mask);
  s.pinned.clear();
}

const std::vector<int>& ThreadPinning::cpus() const noexcept { return impl_->cpus; }

}  // namespace kolosal::device
