// SPDX-License-Identifier: MIT
// Resampling for class imbalance, applied to training data only: random over- and
// under-sampling, SMOTE, Borderline-SMOTE, ADASYN and SMOTE-NC.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::synthetic {

enum class ResampleMethod {
  kRandomOver,       ///< duplicate random rows of the smaller classes
  kRandomUnder,      ///< keep a random subset of the larger classes
  kSmote,            ///< N. V. Chawla et al., "SMOTE: Synthetic Minority Over-sampling
                     ///< Technique", JAIR 16, 2002
  kBorderlineSmote,  ///< H. Han, W.-Y. Wang and B.-H. Mao, "Borderline-SMOTE", ICIC 2005
  kAdasyn,           ///< H. He et al., "ADASYN: Adaptive synthetic sampling", IJCNN 2008
  kSmoteNc,          ///< SMOTE for mixed numeric and categorical columns (Chawla et al. 2002,
                     ///< section 6.1)
};
enum class BorderlineKind {
  kBorderline1,  ///< neighbours from the same class only
  kBorderline2,  ///< also from other classes, with the gap in [0, 0.5)
};

}  // namespace kolosal::synthetic

namespace kolosal::config {
template <>
struct EnumNames<synthetic::ResampleMethod> {
  using M = synthetic::ResampleMethod;
  static constexpr std::array kValues{std::pair{M::kRandomOver, "random_over"},
                                      std::pair{M::kRandomUnder, "random_under"},
                                      std::pair{M::kSmote, "smote"},
                                      std::pair{M::kBorderlineSmote, "borderline_smote"},
                                      std::pair{M::kAdasyn, "adasyn"},
                                      std::pair{M::kSmoteNc, "smote_nc"}};
};
template <>
struct EnumNames<synthetic::BorderlineKind> {
  using K = synthetic::BorderlineKind;
  static constexpr std::array kValues{std::pair{K::kBorderline1, "borderline-1"},
                                      std::pair{K::kBorderline2, "borderline-2"}};
};
}  // namespace kolosal::config

namespace kolosal::synthetic {

struct ResamplerConfig {
  static constexpr std::string_view kName = "ResamplerConfig";
  ResampleMethod method = ResampleMethod::kSmote;
  /// Over-sampling: each smaller class grows to ratio x the majority count; under-sampling:
  /// each larger class shrinks to the minority count / ratio. In (0, 1].
  double ratio = 1.0;
  int k_neighbors = 5;   ///< neighbours to interpolate towards (and ADASYN's hardness)
  int m_neighbors = 10;  ///< neighbours deciding danger (Borderline-SMOTE)
  BorderlineKind kind = BorderlineKind::kBorderline1;

  static constexpr auto fields() {
    return std::tuple{
        config::field("method", &ResamplerConfig::method)
            .doc("random_over, random_under, smote, borderline_smote, adasyn or smote_nc"),
        config::field("ratio", &ResamplerConfig::ratio).greater_than(0.0).at_most(1.0),
        config::field("k_neighbors", &ResamplerConfig::k_neighbors).at_least(1),
        config::field("m_neighbors", &ResamplerConfig::m_neighbors).at_least(1),
        config::field("kind", &ResamplerConfig::kind).doc("borderline-1 or borderline-2")};
  }
  friend bool operator==(const ResamplerConfig&, const ResamplerConfig&) = default;
};

/// A resampled training set: the kept original rows first (in their order), then new rows.
struct Resampled {
  data::Frame x;
  std::vector<double> y;
  /// For each new row (in order): the input row it was made from, the row it was interpolated
  /// towards and the gap, so that new = x[origin] + gap (x[partner] - x[origin]) for the numeric
  /// columns. Random over-sampling copies: partner = origin, gap 0. Empty for under-sampling.
  std::vector<std::size_t> origin{};
  std::vector<std::size_t> partner{};
  std::vector<double> gap{};
};

/// Rebalances the classes of a training set. Stateless: there is no transform, since new rows
/// must never be made at prediction time. y holds class indices 0..k-1 (as Model::fit takes).
/// Policy: random over/under-sampling take any column types; SMOTE, Borderline-SMOTE and ADASYN
/// need numeric columns without missing values; SMOTE-NC takes numeric plus categorical, text
/// or boolean columns (at least one of each) without missing values. Anything else is a
/// DataError naming the column. k_neighbors is capped at the class size minus one. The methods
/// follow imbalanced-learn 0.10 (its random streams aside):
/// - Borderline-SMOTE: rows in danger have at least half, but not all, of their m_neighbors
///   nearest rows in other classes; kind borderline-2 sends a Beta(10, 10) share of the new rows
///   towards same-class neighbours and the rest towards the k_neighbors nearest other-class rows
///   with the gap in [0, 0.5) (Han et al. 2005);
/// - ADASYN uses k_neighbors both for the hardness and for interpolation (m_neighbors is
///   Borderline's only);
/// - SMOTE-NC adds m^2 / 2 to the squared distance per differing category, m the median of the
///   numeric standard deviations of the smallest class, and gives new rows the most frequent
///   category among the k neighbours (ties at random).
/// Same seed, same rows, for any thread count.
class Resampler {
 public:
  using Config = ResamplerConfig;
  explicit Resampler(Config config = {}) : config_(std::move(config)) {}

  /// @throws ShapeMismatch, InvalidArgument (y not class indices), DataError, ConfigError
  [[nodiscard]] Resampled fit_resample(const data::Frame& x, std::span<const double> y) const;

  [[nodiscard]] nlohmann::json config() const;
  [[nodiscard]] const Config& settings() const noexcept { return config_; }
  [[nodiscard]] const Context& context() const noexcept { return context_; }
  Resampler& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 private:
  Config config_;
  Context context_;
};

}  // namespace kolosal::synthetic
