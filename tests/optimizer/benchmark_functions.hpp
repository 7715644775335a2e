// SPDX-License-Identifier: MIT
// Standard optimisation test functions shared by the optimizer's tests.
#pragma once

#include <cmath>
#include <numbers>
#include <string>

#include "kolosal/optimizer/study.hpp"

namespace kolosal::test {

/// Branin on [-5, 10] x [0, 15]; global minimum 0.397887.
inline double branin(double x1, double x2) {
  const double pi = std::numbers::pi;
  const double b = 5.1 / (4.0 * pi * pi);
  const double c = 5.0 / pi;
  const double t = 1.0 / (8.0 * pi);
  const double a = x2 - b * x1 * x1 + c * x1 - 6.0;
  return a * a + 10.0 * (1.0 - t) * std::cos(x1) + 10.0;
}

inline optimizer::SearchSpace branin_space() {
  optimizer::SearchSpace space;
  space.add_float("x1", -5.0, 10.0).add_float("x2", 0.0, 15.0);
  return space;
}

inline double branin_objective(optimizer::TrialContext& t) {
  return branin(t.number("x1"), t.number("x2"));
}

}  // namespace kolosal::test
