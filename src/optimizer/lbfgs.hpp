// SPDX-License-Identifier: MIT
// Box-constrained L-BFGS (projected, with an Armijo backtracking line search) for the optimizer's
// acquisition and surrogate fits; private to src/optimizer.
#pragma once

#include <algorithm>
#include <cmath>
#include <deque>
#include <functional>
#include <vector>

namespace kolosal::optimizer::detail {

/// Minimises f over the box [lo, hi] from x (updated in place) with the two-loop recursion of
/// Liu & Nocedal ("On the limited memory BFGS method for large scale optimization", 1989); steps
/// are projected onto the box. `f` returns the value and writes the gradient. Returns f(x).
inline double minimize_lbfgs(
    const std::function<double(const std::vector<double>&, std::vector<double>&)>& f,
    std::vector<double>& x, const std::vector<double>& lo, const std::vector<double>& hi,
    int max_iter = 50, std::size_t memory = 6) {
  const std::size_t n = x.size();
  for (std::size_t i = 0; i < n; ++i) x[i] = std::clamp(x[i], lo[i], hi[i]);
  std::vector<double> g(n);
  double fx = f(x, g);
  std::deque<std::vector<double>> s_hist;
  std::deque<std::vector<double>> y_hist;
  std::deque<double> rho;
  std::vector<double> d(n);
  std::vector<double> xn(n);
  std::vector<double> gn(n);
  for (int iter = 0; iter < max_iter; ++iter) {
    // Projected gradient norm: stop at a box-constrained stationary point.
    double pg = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      pg = std::max(pg, std::abs(std::clamp(x[i] - g[i], lo[i], hi[i]) - x[i]));
    }
    if (!(pg > 1e-9)) break;
    d = g;
    std::vector<double> alpha(s_hist.size());
    for (std::size_t k = s_hist.size(); k-- > 0;) {
      double a = 0.0;
      for (std::size_t i = 0; i < n; ++i) a += s_hist[k][i] * d[i];
      alpha[k] = rho[k] * a;
      for (std::size_t i = 0; i < n; ++i) d[i] -= alpha[k] * y_hist[k][i];
    }
    if (!s_hist.empty()) {
      double sy = 0.0;
      double yy = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        sy += s_hist.back()[i] * y_hist.back()[i];
        yy += y_hist.back()[i] * y_hist.back()[i];
      }
      const double gamma = sy / yy;
      for (double& v : d) v *= gamma;
    }
    for (std::size_t k = 0; k < s_hist.size(); ++k) {
      double b = 0.0;
      for (std::size_t i = 0; i < n; ++i) b += y_hist[k][i] * d[i];
      b *= rho[k];
      for (std::size_t i = 0; i < n; ++i) d[i] += s_hist[k][i] * (alpha[k] - b);
    }
    for (double& v : d) v = -v;
    double slope = 0.0;
    for (std::size_t i = 0; i < n; ++i) slope += d[i] * g[i];
    if (!(slope < 0.0)) {  // not a descent direction: fall back to steepest descent
      for (std::size_t i = 0; i < n; ++i) d[i] = -g[i];
      s_hist.clear();
      y_hist.clear();
      rho.clear();
    }
    double step = 1.0;
    double fn = fx;
    bool moved = false;
    for (int ls = 0; ls < 30; ++ls) {
      double decrease = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        xn[i] = std::clamp(x[i] + step * d[i], lo[i], hi[i]);
        decrease += g[i] * (xn[i] - x[i]);
      }
      fn = f(xn, gn);
      if (std::isfinite(fn) && fn <= fx + 1e-4 * decrease) {
        moved = true;
        break;
      }
      step *= 0.5;
    }
    if (!moved) break;
    std::vector<double> s(n);
    std::vector<double> y(n);
    double sy = 0.0;
    for (std::size_t i = 0; i < n; ++i) {
      s[i] = xn[i] - x[i];
      y[i] = gn[i] - g[i];
      sy += s[i] * y[i];
    }
    const bool converged = std::abs(fx - fn) <= 1e-12 * (1.0 + std::abs(fx));
    x = xn;
    g = gn;
    fx = fn;
    if (converged) break;
    if (sy > 1e-12) {
      s_hist.push_back(std::move(s));
      y_hist.push_back(std::move(y));
      rho.push_back(1.0 / sy);
      if (s_hist.size() > memory) {
        s_hist.pop_front();
        y_hist.pop_front();
        rho.pop_front();
      }
    }
  }
  return fx;
}

}  // namespace kolosal::optimizer::detail
