// SPDX-License-Identifier: MIT
// GBDT objectives: losses and their first and (diagonal) second derivatives in the raw score.
#include <algorithm>
#include <cmath>
#include <limits>

#include "kolosal/core/error.hpp"
#include "kolosal/training/gbdt.hpp"

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

}  // namespace

void gbdt_gradients(GbdtObjective objective, std::size_t n_classes, std::span<const double> raw,
                    std::span<const double> y, std::span<double> grad, std::span<double> hess) {
  const std::size_t k = objective == GbdtObjective::kSoftmax ? n_classes : 1;
  KOLOSAL_CHECK(k >= 1 && raw.size() == y.size() * k && grad.size() == raw.size() &&
                    hess.size() == raw.size(),
                InvalidArgument, "gbdt_gradients: ", y.size(), " targets need ", y.size() * k,
                " raw scores, gradients and hessians; got ", raw.size(), ", ", grad.size(), ", ",
                hess.size());
  switch (objective) {
    case GbdtObjective::kSquaredError:
      for (std::size_t i = 0; i < y.size(); ++i) {
        grad[i] = raw[i] - y[i];
        hess[i] = 1.0;
      }
      break;
    case GbdtObjective::kBinaryLogloss:
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double p = sigmoid(raw[i]);
        grad[i] = p - y[i];
        hess[i] = std::max(p * (1.0 - p), kMinHessian);
      }
      break;
    case GbdtObjective::kSoftmax:
      for (std::size_t i = 0; i < y.size(); ++i) {
        const double* f = raw.data() + i * k;
        const double top = *std::max_element(f, f + k);
        double total = 0.0;
        for (std::size_t c = 0; c < k; ++c) total += std::exp(f[c] - top);
        const auto label = static_cast<std::size_t>(y[i]);
        for (std::size_t c = 0; c < k; ++c) {
          const double p = std::exp(f[c] - top) / total;
          grad[i * k + c] = p - (c == label ? 1.0 : 0.0);
          hess[i * k + c] = std::max(p * (1.0 - p), kMinHessian);
        }
      }
      break;
  }
}

double gbdt_loss(GbdtObjective objective, std::span<const double> raw, double y) {
  switch (objective) {
    case GbdtObjective::kSquaredError:
      return 0.5 * (raw[0] - y) * (raw[0] - y);
    case GbdtObjective::kBinaryLogloss:
      return softplus(raw[0]) - y * raw[0];
    case GbdtObjective::kSoftmax: {
      const double top = *std::max_element(raw.begin(), raw.end());
      double total = 0.0;
      for (double f : raw) total += std::exp(f - top);
      return top + std::log(total) - raw[static_cast<std::size_t>(y)];
    }
  }
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace kolosal::training
