// SPDX-License-Identifier: MIT
// Vectorised reductions (xsimd kernels per instruction set, chosen once at run time, with a scalar
// fallback), the hot loops of distances, linear models and metrics.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <string_view>

namespace kolosal::simd {

/// Instruction-set levels with a kernel build, from slowest to fastest.
enum class Level { kScalar, kSse2, kAvx2 };

[[nodiscard]] std::string_view to_string(Level level) noexcept;

/// The best level this CPU supports among those compiled in.
[[nodiscard]] Level detected_level() noexcept;

/// The level kernels currently run at: the forced one, else detected_level().
[[nodiscard]] Level active_level() noexcept;

/// Forces every kernel to `level` (tests compare each level with the scalar path); nullopt
/// restores detection. Throws UnsupportedError when the CPU or build lacks the level.
void force_level(std::optional<Level> level);

/// Σ a[i]·b[i]. Throws ShapeMismatch when the lengths differ.
[[nodiscard]] double dot(std::span<const double> a, std::span<const double> b);
[[nodiscard]] float dot(std::span<const float> a, std::span<const float> b);

/// Σ a[i].
[[nodiscard]] double sum(std::span<const double> a) noexcept;
[[nodiscard]] float sum(std::span<const float> a) noexcept;

/// Σ (a[i] − b[i])². Throws ShapeMismatch when the lengths differ.
[[nodiscard]] double squared_distance(std::span<const double> a, std::span<const double> b);
[[nodiscard]] float squared_distance(std::span<const float> a, std::span<const float> b);

/// Smallest / largest value; NaN when any value is NaN (as numpy.min / max). Throws
/// InvalidArgument on an empty span.
[[nodiscard]] double min(std::span<const double> a);
[[nodiscard]] float min(std::span<const float> a);
[[nodiscard]] double max(std::span<const double> a);
[[nodiscard]] float max(std::span<const float> a);

/// Index of the first largest value; the index of the first NaN when any is NaN (as
/// numpy.argmax). Throws InvalidArgument on an empty span.
[[nodiscard]] std::size_t argmax(std::span<const double> a);
[[nodiscard]] std::size_t argmax(std::span<const float> a);

}  // namespace kolosal::simd
