// SPDX-License-Identifier: MIT
// GBDT objectives: losses, their first and (diagonal) second derivatives in the raw score, the
// optimal starting score and the residual quantiles that L1-type losses put in their leaves.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/training/gbdt.hpp"

#include "training/gbdt/engine.hpp"

namespace kolosal::training {
namespace {

// Floor on hessians, so a saturated probability never yields a zero-curvature leaf.
constexpr double kMinHessian = 1e-16;

double sigmoid(double z) noexcept {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// log(1 + exp(z)) without overflow.
double softplus(double z) noexcept {
  return z > 0.0 ? z + std::log1p(std::exp(-z)) : std::log1p(std::exp(z));
}

double sign(double z) noexcept { return static_cast<double>((z > 0.0) - (z < 0.0)); }

// First derivative of a one-output regression loss at raw score f; used by the derivatives and
// by the search for the optimal constant.
double regression_gradient(const GbdtConfig& c, double f, double y) noexcept {
  const double z = f - y;
  switch (c.objective) {
    case GbdtObjective::kAbsoluteError:
      return sign(z);
    case GbdtObjective::kHuber:
      return std::clamp(z, -c.huber_delta, c.huber_delta);
    case GbdtObjective::kPseudoHuber:
      return z / std::sqrt(1.0 + (z / c.huber_delta) * (z / c.huber_delta));
    case GbdtObjective::kQuantile:
      // scikit-learn's convention at a tie: the side of f > y.
      return y > f ? -c.quantile_alpha : 1.0 - c.quantile_alpha;
    case GbdtObjective::kPoisson:
      return std::exp(f) - y;
    default:
      return z;
  }
}

}  // namespace

void gbdt_gradients(const GbdtConfig& config, std::size_t n_classes, std::span<const double> raw,
                    std::span<const double> y, std::span<double> grad, std::span<double> hess) {
  const GbdtObjective objective = config.objective;
  KOLOSAL_CHECK(objective != GbdtObjective::kCustom, InvalidArgument,
                "gbdt_gradients: the custom objective's derivatives come from its callback");
  const std::size_t k = objective == GbdtObjective::kSoftmax ? n_classes : 1;
  KOLOSAL_CHECK(k >= 1 && raw.size() == y.size() * k && grad.size() == raw.size() &&
                    hess.size() == raw.size(),
                InvalidArgument, "gbdt_gradients: ", y.size(), " targets need ", y.size() * k,
                " raw scores, gradients and hessians; got ", raw.size(), ", ", grad.size(), ", ",
                hess.size());
  switch (objective) {
    case GbdtObjective::kBinaryLogloss:
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double p = sigmoid(raw[i]);
        grad[i] = p - y[i];
        hess[i] = std::max(p * (1.0 - p), kMinHessian);
      }
      break;
    case GbdtObjective::kSoftmax:
      // XGBoost's hessian 2 p (1 - p): twice the exact diagonal, a majorant of the full Hessian's
      // curvature along a class direction that damps the one-tree-per-class Newton steps (which
      // ignore the coupling between classes), so trees match XGBoost's.
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double* f = raw.data() + i * k;
        const double top = *std::max_element(f, f + k);
        double total = 0.0;
        for (std::size_t c = 0; c < k; ++c) total += std::exp(f[c] - top);
        const auto label = static_cast<std::size_t>(y[i]);
        for (std::size_t c = 0; c < k; ++c) {
          const double p = std::exp(f[c] - top) / total;
          grad[i * k + c] = p - (c == label ? 1.0 : 0.0);
          hess[i * k + c] = std::max(2.0 * p * (1.0 - p), kMinHessian);
        }
      }
      break;
    case GbdtObjective::kPseudoHuber:
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double z = (raw[i] - y[i]) / config.huber_delta;
        const double s = std::sqrt(1.0 + z * z);
        grad[i] = (raw[i] - y[i]) / s;
        hess[i] = 1.0 / (s * s * s);
      }
      break;
    case GbdtObjective::kPoisson:
      for (std::size_t i = 0; i < y.size(); ++i) {
        grad[i] = std::exp(raw[i]) - y[i];
        hess[i] = std::exp(raw[i] + config.poisson_max_delta_step);
      }
      break;
    default:  // squared error and the unit-hessian losses
      for (std::size_t i = 0; i < y.size(); ++i) {
        grad[i] = regression_gradient(config, raw[i], y[i]);
        hess[i] = 1.0;
      }
      break;
  }
}

double gbdt_loss(const GbdtConfig& config, std::span<const double> raw, double y) {
  const double z = raw[0] - y;
  const double delta = config.huber_delta;
  switch (config.objective) {
    case GbdtObjective::kSquaredError:
      return 0.5 * z * z;
    case GbdtObjective::kBinaryLogloss:
      return softplus(raw[0]) - y * raw[0];
    case GbdtObjective::kSoftmax: {
      const double top = *std::max_element(raw.begin(), raw.end());
      double total = 0.0;
      for (double f : raw) total += std::exp(f - top);
      return top + std::log(total) - raw[static_cast<std::size_t>(y)];
    }
    case GbdtObjective::kAbsoluteError:
      return std::abs(z);
    case GbdtObjective::kHuber:
      return std::abs(z) <= delta ? 0.5 * z * z : delta * (std::abs(z) - 0.5 * delta);
    case GbdtObjective::kPseudoHuber:
      return delta * delta * (std::sqrt(1.0 + (z / delta) * (z / delta)) - 1.0);
    case GbdtObjective::kQuantile:
      return y > raw[0] ? config.quantile_alpha * (y - raw[0])
                        : (1.0 - config.quantile_alpha) * (raw[0] - y);
    case GbdtObjective::kPoisson:
      return std::exp(raw[0]) - y * raw[0];
    case GbdtObjective::kCustom:
      break;
  }
  KOLOSAL_THROW(InvalidArgument, "gbdt_loss: the custom objective has no known loss");
}

namespace gbdt_detail {

double residual_quantile(std::span<std::pair<double, double>> values, double alpha,
                         bool interpolate) {
  const std::size_t n = values.size();
  if (n == 0) return 0.0;
  std::sort(values.begin(), values.end());
  if (interpolate) {
    // Linear between the order statistics around alpha (n - 1), as numpy.percentile (used by
    // scikit-learn without weights) and LightGBM; alpha 0.5 gives the usual median, as XGBoost.
    const double position = alpha * static_cast<double>(n - 1);
    const auto i = std::min(static_cast<std::size_t>(position), n - 1);
    if (i + 1 >= n) return values[i].first;
    const double t = position - static_cast<double>(i);
    const double a = values[i].first;
    const double b = values[i + 1].first;
    // numpy's lerp, bit for bit: from the nearer end.
    return t >= 0.5 ? b - (b - a) * (1.0 - t) : a + (b - a) * t;
  }
  // The first value whose cumulative weight reaches alpha of the total (scikit-learn's
  // _weighted_percentile and XGBoost's weighted quantile).
  double total = 0.0;
  for (const auto& v : values) total += v.second;
  const double target = alpha * total;
  double cumulative = 0.0;
  for (const auto& v : values) {
    cumulative += v.second;
    if (cumulative >= target) return v.first;
  }
  return values.back().first;
}

std::vector<double> base_score(const GbdtConfig& config, std::size_t n_classes,
                               std::span<const double> y, std::span<const double> weight) {
  const std::size_t n = y.size();
  const auto w = [&](std::size_t i) { return weight.empty() ? 1.0 : weight[i]; };
  double total_weight = 0.0;
  for (std::size_t i = 0; i < n; ++i) total_weight += w(i);
  KOLOSAL_CHECK(total_weight > 0.0, InvalidArgument, "gbdt: sample weights sum to 0");
  switch (config.objective) {
    case GbdtObjective::kSquaredError: {
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) sum += w(i) * y[i];
      return {sum / total_weight};
    }
    case GbdtObjective::kBinaryLogloss:
    case GbdtObjective::kSoftmax: {
      std::vector<double> prior(n_classes, 0.0);
      for (std::size_t i = 0; i < n; ++i) prior[static_cast<std::size_t>(y[i])] += w(i);
      const auto clamp = [&](double p) { return std::clamp(p / total_weight, 1e-15, 1.0 - 1e-15); };
      if (config.objective == GbdtObjective::kBinaryLogloss) {
        const double p = clamp(prior[1]);
        return {std::log(p / (1.0 - p))};
      }
      std::vector<double> base(n_classes);
      for (std::size_t c = 0; c < n_classes; ++c) base[c] = std::log(clamp(prior[c]));
      return base;
    }
    case GbdtObjective::kAbsoluteError:
    case GbdtObjective::kQuantile: {
      std::vector<std::pair<double, double>> values(n);
      for (std::size_t i = 0; i < n; ++i) values[i] = {y[i], w(i)};
      const bool l1 = config.objective == GbdtObjective::kAbsoluteError;
      return {residual_quantile(values, l1 ? 0.5 : config.quantile_alpha, weight.empty())};
    }
    case GbdtObjective::kPoisson: {
      double sum = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        KOLOSAL_CHECK(y[i] >= 0.0, InvalidArgument, "gbdt: objective poisson needs y >= 0, row ", i,
                      " has ", y[i]);
        sum += w(i) * y[i];
      }
      KOLOSAL_CHECK(sum > 0.0, InvalidArgument,
                    "gbdt: objective poisson needs a positive mean of y, got 0");
      return {std::log(sum / total_weight)};
    }
    case GbdtObjective::kHuber:
    case GbdtObjective::kPseudoHuber: {
      // The weighted gradient sum is nondecreasing in the constant: bisect for its root between
      // the smallest and largest target.
      double lo = *std::min_element(y.begin(), y.end());
      double hi = *std::max_element(y.begin(), y.end());
      for (int step = 0; step < 200; ++step) {
        const double mid = lo + (hi - lo) / 2.0;
        if (mid <= lo || mid >= hi) break;
        double g = 0.0;
        for (std::size_t i = 0; i < n; ++i) g += w(i) * regression_gradient(config, mid, y[i]);
        (g > 0.0 ? hi : lo) = mid;
      }
      return {lo + (hi - lo) / 2.0};
    }
    case GbdtObjective::kCustom:
      break;
  }
  return {0.0};
}

}  // namespace gbdt_detail
}  // namespace kolosal::training
