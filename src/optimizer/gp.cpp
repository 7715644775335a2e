// SPDX-License-Identifier: MIT
// Gaussian-process Bayesian optimisation: ARD Matérn 5/2 GP fitted by maximum marginal
// likelihood, EI / UCB maximised by multi-start projected L-BFGS.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/optimizer/samplers.hpp"

#include "gp_model.hpp"
#include "lbfgs.hpp"

namespace kolosal::optimizer {
namespace {

using detail::Gp;
using detail::normal_cdf;
using detail::normal_pdf;
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
}  // namespace

GpSampler::GpSampler(Config config) : config_(config) { config::validate(config_, "GpSampler"); }

nlohmann::json GpSampler::config() const { return config::to_json(config_); }

std::vector<double> GpSampler::sample(const SearchSpace& space,
                                      std::span<const Observation> history, std::size_t number,
                                      Rng& rng) {
  std::vector<double> values(space.size(), kNaN);
  std::vector<std::size_t> dims;
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (!space.parent_of(i)) dims.push_back(i);
  }
  std::size_t finished = 0;
  for (const auto& o : history) finished += o.state != TrialState::kRunning;
  const bool model = finished >= config_.n_startup_trials && dims.size() <= kSobolMaxDim;
  if (!model) {
    // Sobol initialisation over the unconditional parameters (scrambled by the study's seed).
    const std::vector<double> u = sobol_point(number + 1, std::max<std::size_t>(dims.size(), 1));
    Rng shift(rng.seed(), 0x6B5);
    for (std::size_t t = 0; t < dims.size(); ++t) {
      values[dims[t]] = space.from_unit(dims[t], std::fmod(u[t] + shift.uniform(), 1.0));
    }
  } else {
    const auto n = static_cast<Eigen::Index>(history.size());
    const auto d = static_cast<Eigen::Index>(dims.size());
    Eigen::MatrixXd x(n, d);
    Eigen::VectorXd y(n);
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto& o = history[static_cast<std::size_t>(j)];
      for (Eigen::Index t = 0; t < d; ++t) {
        const std::size_t i = dims[static_cast<std::size_t>(t)];
        x(j, t) = space.to_unit(i, (*o.values)[i]);
      }
      y[j] = std::isfinite(o.loss) ? o.loss : kNaN;
    }
    // Standardise; infinite losses (pruned before any report) take the worst finite one.
    double worst = -std::numeric_limits<double>::infinity();
    for (Eigen::Index j = 0; j < n; ++j) {
      if (!std::isnan(y[j])) worst = std::max(worst, y[j]);
    }
    for (Eigen::Index j = 0; j < n; ++j) {
      if (std::isnan(y[j])) y[j] = worst;
    }
    const double mean = y.mean();
    const double sd = std::sqrt((y.array() - mean).square().mean());
    y = (y.array() - mean) / (sd > 0.0 ? sd : 1.0);
    const double best = y.minCoeff();
    Gp gp(x, y);
    gp.fit();

    const bool ei = config_.acquisition == Acquisition::kExpectedImprovement;
    const double beta = config_.ucb_beta;
    // Negative acquisition (to minimise) and its gradient.
    auto objective = [&](const std::vector<double>& p, std::vector<double>& g) {
      double m = 0.0;
      double s = 0.0;
      std::vector<double> dm(p.size());
      std::vector<double> ds(p.size());
      gp.predict(p, m, s, &dm, &ds);
      if (ei) {
        const double z = (best - m) / s;
        const double cdf = normal_cdf(z);
        const double pdf = normal_pdf(z);
        for (std::size_t t = 0; t < p.size(); ++t) g[t] = -(-cdf * dm[t] + pdf * ds[t]);
        return -(s * (z * cdf + pdf));
      }
      for (std::size_t t = 0; t < p.size(); ++t) g[t] = dm[t] - beta * ds[t];
      return m - beta * s;
    };
    std::vector<std::pair<double, std::vector<double>>> starts;
    std::vector<double> grad(dims.size());
    for (std::size_t c = 0; c < config_.n_candidates; ++c) {
      std::vector<double> p(dims.size());
      for (double& v : p) v = rng.uniform();
      const double f = objective(p, grad);
      starts.emplace_back(f, std::move(p));
    }
    // The incumbent is a natural start too.
    {
      Eigen::Index arg = 0;
      y.minCoeff(&arg);
      std::vector<double> p(dims.size());
      for (Eigen::Index t = 0; t < d; ++t) p[static_cast<std::size_t>(t)] = x(arg, t);
      const double f = objective(p, grad);
      starts.emplace_back(f, std::move(p));
    }
    const std::size_t keep = std::min(config_.n_restarts, starts.size());
    std::partial_sort(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(keep),
                      starts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    const std::vector<double> lo(dims.size(), 0.0);
    const std::vector<double> hi(dims.size(), 1.0);
    double best_f = std::numeric_limits<double>::infinity();
    std::vector<double> best_p;
    for (std::size_t s = 0; s < keep; ++s) {
      std::vector<double> p = starts[s].second;
      const double f = detail::minimize_lbfgs(objective, p, lo, hi, 40);
      if (f < best_f) {
        best_f = f;
        best_p = std::move(p);
      }
    }
    for (std::size_t t = 0; t < dims.size(); ++t)
      values[dims[t]] = space.from_unit(dims[t], best_p[t]);
  }
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (!space.is_active(values, i)) {
      values[i] = kNaN;
    } else if (std::isnan(values[i])) {
      values[i] = space.from_unit(i, rng.uniform());
    }
  }
  return values;
}

}  // namespace kolosal::optimizer
