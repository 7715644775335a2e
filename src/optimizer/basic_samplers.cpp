// SPDX-License-Identifier: MIT
// Random, grid and Sobol samplers, and make_sampler.
#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/optimizer/asht.hpp"
#include "kolosal/optimizer/samplers.hpp"

namespace kolosal::optimizer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kSobolBits = 32;
constexpr std::size_t kMaxIntGridValues = 16;

struct SobolRow {
  unsigned degree;
  unsigned coefficients;
  std::array<std::uint32_t, 18> m;
};

constexpr SobolRow kSobolRows[] = {
#include "sobol_directions.inc"
};
static_assert(std::size(kSobolRows) == kSobolMaxDim);

// Direction numbers V_1..V_32 of one dimension, scaled to 32 bits (Bratley & Fox, 1988).
std::array<std::uint32_t, kSobolBits> directions(std::size_t dim) {
  std::array<std::uint32_t, kSobolBits> v{};
  if (dim == 0) {
    for (int k = 0; k < kSobolBits; ++k) v[k] = std::uint32_t{1} << (kSobolBits - 1 - k);
    return v;
  }
  const SobolRow& row = kSobolRows[dim];
  const unsigned s = row.degree;
  for (unsigned k = 0; k < s && k < kSobolBits; ++k) v[k] = row.m[k] << (kSobolBits - 1 - k);
  for (unsigned k = s; k < kSobolBits; ++k) {
    std::uint32_t x = v[k - s] ^ (v[k - s] >> s);
    for (unsigned i = 1; i < s; ++i) {
      if ((row.coefficients >> (s - 1 - i)) & 1U) x ^= v[k - i];
    }
    v[k] = x;
  }
  return v;
}

std::vector<double> random_values(const SearchSpace& space, Rng& rng) {
  std::vector<double> values(space.size(), kNaN);
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (space.is_active(values, i)) values[i] = space.from_unit(i, rng.uniform());
  }
  return values;
}

}  // namespace

std::vector<double> sobol_point(std::uint64_t index, std::size_t dim) {
  KOLOSAL_CHECK(dim >= 1 && dim <= kSobolMaxDim, InvalidArgument, "sobol_point: dimension ", dim,
                " is outside [1, ", kSobolMaxDim, "]");
  KOLOSAL_CHECK(index < (std::uint64_t{1} << kSobolBits), InvalidArgument, "sobol_point: index ",
                index, " exceeds 2^32 - 1");
  const std::uint64_t gray = index ^ (index >> 1);
  std::vector<double> out(dim);
  for (std::size_t d = 0; d < dim; ++d) {
    const auto v = directions(d);
    std::uint32_t x = 0;
    for (int k = 0; k < kSobolBits; ++k) {
      if ((gray >> k) & 1U) x ^= v[k];
    }
    out[d] = std::ldexp(static_cast<double>(x), -kSobolBits);
  }
  return out;
}

// ---------------------------------------------------------------------------- random

std::vector<double> RandomSampler::sample(const SearchSpace& space, std::span<const Observation>,
                                          std::size_t, Rng& rng) {
  return random_values(space, rng);
}

// ---------------------------------------------------------------------------- Sobol

nlohmann::json SobolSampler::config() const { return {{"scramble", scramble_}}; }

std::vector<double> SobolSampler::sample(const SearchSpace& space, std::span<const Observation>,
                                         std::size_t number, Rng& rng) {
  KOLOSAL_CHECK(space.size() <= kSobolMaxDim, UnsupportedError, "SobolSampler: ", space.size(),
                " parameters exceed the ", kSobolMaxDim, " bundled dimensions");
  std::vector<double> u = sobol_point(number + 1, space.size());
  if (scramble_) {
    // A random digital shift shared by every trial of the study (seeded by the study's seed).
    Rng shift(rng.seed(), 0x50B01);
    for (double& x : u) {
      const auto bits = static_cast<std::uint32_t>(std::ldexp(x, kSobolBits));
      const auto mask = static_cast<std::uint32_t>(shift());
      x = std::ldexp(static_cast<double>(bits ^ mask), -kSobolBits);
    }
  }
  std::vector<double> values(space.size(), kNaN);
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (space.is_active(values, i)) values[i] = space.from_unit(i, u[i]);
  }
  return values;
}

// ---------------------------------------------------------------------------- grid

GridSampler::GridSampler(Config config) : config_(config) {
  config::validate(config_, "GridSampler");
}

nlohmann::json GridSampler::config() const { return config::to_json(config_); }

std::vector<std::vector<double>> GridSampler::grid(const SearchSpace& space) const {
  // Candidate values per parameter.
  std::vector<std::vector<double>> axis(space.size());
  for (std::size_t i = 0; i < space.size(); ++i) {
    const std::size_t card = space.cardinality(i);
    const Param& p = space.param(i);
    if (p.kind != ParamKind::kFloat &&
        card <= std::max(kMaxIntGridValues, config_.points_per_float)) {
      for (std::size_t k = 0; k < card; ++k)
        axis[i].push_back(p.low + static_cast<double>(k) * p.step);
    } else {
      const std::size_t n = config_.points_per_float;
      for (std::size_t k = 0; k < n; ++k) {
        const double u = static_cast<double>(k) / static_cast<double>(n - 1);
        double v = 0.0;
        if (p.kind == ParamKind::kFloat) {
          v = p.log ? p.low * std::exp(u * std::log(p.high / p.low)) : p.low + u * (p.high - p.low);
        } else {
          v = space.snap(i, p.log ? std::exp(std::log(p.low) + u * std::log(p.high / p.low))
                                  : p.low + u * (p.high - p.low));
        }
        if (axis[i].empty() || axis[i].back() != v) axis[i].push_back(v);
      }
    }
  }
  std::vector<std::vector<double>> out;
  std::vector<double> current(space.size(), kNaN);
  // Depth-first product; an inactive parameter contributes the single value NaN.
  auto recurse = [&](auto&& self, std::size_t i) -> void {
    if (i == space.size()) {
      out.push_back(current);
      return;
    }
    if (!space.is_active(current, i)) {
      current[i] = kNaN;
      self(self, i + 1);
      return;
    }
    for (double v : axis[i]) {
      current[i] = v;
      self(self, i + 1);
    }
    current[i] = kNaN;
  };
  recurse(recurse, 0);
  return out;
}

std::vector<double> GridSampler::sample(const SearchSpace& space, std::span<const Observation>,
                                        std::size_t number, Rng& rng) {
  const auto points = grid(space);
  std::size_t index = number % points.size();
  if (config_.shuffle) {
    Rng order(rng.seed(), 0x6121D);
    index = order.permutation(points.size())[index];
  }
  return points[index];
}

// ---------------------------------------------------------------------------- factory

std::unique_ptr<Sampler> make_sampler(std::string_view name, const nlohmann::json& config) {
  const nlohmann::json cfg = config.is_null() ? nlohmann::json::object() : config;
  if (name == RandomSampler::kName) return std::make_unique<RandomSampler>();
  if (name == SobolSampler::kName) {
    KOLOSAL_CHECK(cfg.is_object(), ConfigError, "make_sampler: sobol config must be an object");
    for (const auto& [key, unused] : cfg.items()) {
      KOLOSAL_CHECK(key == "scramble", ConfigError, "SobolSampler: unknown key '", key, "'");
    }
    KOLOSAL_CHECK(!cfg.contains("scramble") || cfg["scramble"].is_boolean(), ConfigError,
                  "SobolSampler: scramble must be a boolean");
    return std::make_unique<SobolSampler>(cfg.value("scramble", false));
  }
  if (name == GridSampler::kName) {
    return std::make_unique<GridSampler>(config::from_json<GridConfig>(cfg));
  }
  if (name == TpeSampler::kName) {
    return std::make_unique<TpeSampler>(config::from_json<TpeConfig>(cfg));
  }
  if (name == GpSampler::kName)
    return std::make_unique<GpSampler>(config::from_json<GpConfig>(cfg));
  if (name == AshtSampler::kName) {
    return std::make_unique<AshtSampler>(config::from_json<AshtConfig>(cfg));
  }
  if (name == CmaEsSampler::kName) {
    return std::make_unique<CmaEsSampler>(config::from_json<CmaEsConfig>(cfg));
  }
  KOLOSAL_THROW(InvalidArgument, "make_sampler: unknown sampler '", name,
                "' (known: random, grid, sobol, tpe, gp, cmaes, asht)");
}

}  // namespace kolosal::optimizer
