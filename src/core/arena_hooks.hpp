// SPDX-License-Identifier: MIT
// Private hook into the arenas of parallel.cpp, so other src/ modules (thread pinning) can
// attach a tbb::task_scheduler_observer to each of them.
#pragma once

#include <cstddef>
#include <functional>

#include <tbb/task_arena.h>

namespace kolosal::parallel::detail {

/// Called once for every arena that exists and every arena created later, until removed.
using ArenaListener = std::function<void(tbb::task_arena&)>;

/// Registers `listener`, calls it at once for the existing arenas, and returns its id.
std::size_t add_arena_listener(ArenaListener listener);

/// Unregisters a listener; arenas it was given stay as they are.
void remove_arena_listener(std::size_t id);

}  // namespace kolosal::parallel::detail
