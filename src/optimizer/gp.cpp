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

namespace {

// How a trial's values become GP inputs: a float or int parameter is one coordinate (its unit
// value), a categorical one coordinate per choice (one-hot, so no order is implied between
// choices). An inactive parameter is imputed consistently: -1 for a number (outside the unit
// range, so trials of another branch sit apart from all of this branch's values), all zeros for a
// categorical.
struct Encoding {
  std::vector<std::size_t> offset;  // first coordinate of each parameter
  std::size_t width = 0;

  explicit Encoding(const SearchSpace& space) {
    for (std::size_t i = 0; i < space.size(); ++i) {
      offset.push_back(width);
      const Param& p = space.param(i);
      width += p.kind == ParamKind::kCategorical ? p.choices.size() : 1;
    }
  }

  void encode(const SearchSpace& space, std::span<const double> values, double* out) const {
    for (std::size_t i = 0; i < space.size(); ++i) {
      const Param& p = space.param(i);
      double* o = out + offset[i];
      if (p.kind == ParamKind::kCategorical) {
        std::fill(o, o + p.choices.size(), 0.0);
        if (!std::isnan(values[i])) o[static_cast<std::size_t>(values[i])] = 1.0;
      } else {
        o[0] = std::isnan(values[i]) ? -1.0 : space.to_unit(i, values[i]);
      }
    }
  }
};

// The categorical choices of one branch of a conditional space: every combination of the active
// categoricals' values (inactive ones NaN), as full value vectors with the numbers left NaN.
std::vector<std::vector<double>> branches(const SearchSpace& space, std::size_t limit, Rng& rng) {
  std::vector<std::vector<double>> out{std::vector<double>(space.size(), kNaN)};
  for (std::size_t i = 0; i < space.size(); ++i) {
    const Param& p = space.param(i);
    if (p.kind != ParamKind::kCategorical) continue;
    std::vector<std::vector<double>> next;
    for (auto& b : out) {
      if (!space.is_active(b, i)) {
        next.push_back(b);
        continue;
      }
      for (std::size_t c = 0; c < p.choices.size(); ++c) {
        b[i] = static_cast<double>(c);
        next.push_back(b);
      }
    }
    out = std::move(next);
    if (out.size() > limit) {
      // Too many to enumerate: a seeded random subset.
      rng.shuffle(std::span<std::vector<double>>(out));
      out.resize(limit);
    }
  }
  return out;
}

}  // namespace

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
    const Encoding enc(space);
    const auto n = static_cast<Eigen::Index>(history.size());
    const auto d = static_cast<Eigen::Index>(enc.width);
    Eigen::MatrixXd x(n, d);
    Eigen::VectorXd y(n);
    std::vector<double> row(enc.width);
    for (Eigen::Index j = 0; j < n; ++j) {
      const auto& o = history[static_cast<std::size_t>(j)];
      enc.encode(space, *o.values, row.data());
      for (Eigen::Index t = 0; t < d; ++t) x(j, t) = row[static_cast<std::size_t>(t)];
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

    // Categorical choices are enumerated (each combination is a branch of the space, with its
    // own active numbers); the acquisition is maximised over each branch's numbers in the unit
    // cube by multi-start L-BFGS, inactive coordinates held at their imputed values.
    struct Branch {
      std::vector<double> values;     // categoricals set, numbers NaN
      std::vector<std::size_t> cont;  // active numeric parameters
      std::vector<double> base;       // encoded point with the numbers imputed
    };
    constexpr std::size_t kMaxBranches = 32;
    std::vector<Branch> all;
    for (auto& v : branches(space, kMaxBranches, rng)) {
      Branch br;
      br.values = std::move(v);
      for (std::size_t i = 0; i < space.size(); ++i) {
        if (space.param(i).kind != ParamKind::kCategorical && space.is_active(br.values, i)) {
          br.cont.push_back(i);
        }
      }
      br.base.resize(enc.width);
      enc.encode(space, br.values, br.base.data());
      all.push_back(std::move(br));
    }

    const bool ei = config_.acquisition == Acquisition::kExpectedImprovement;
    const double beta = config_.ucb_beta;
    std::vector<double> z(enc.width);
    std::vector<double> dm(enc.width);
    std::vector<double> ds(enc.width);
    // Negative acquisition (to minimise) at branch b's numbers p, and its gradient in p.
    auto acquisition = [&](const Branch& br, const std::vector<double>& p, std::vector<double>& g) {
      z = br.base;
      for (std::size_t t = 0; t < br.cont.size(); ++t) z[enc.offset[br.cont[t]]] = p[t];
      double m = 0.0;
      double sdev = 0.0;
      gp.predict(z, m, sdev, &dm, &ds);
      double f = 0.0;
      double cm = 0.0;  // d f / d m
      double cs = 0.0;  // d f / d s
      if (ei) {
        const double zz = (best - m) / sdev;
        const double cdf = normal_cdf(zz);
        const double pdf = normal_pdf(zz);
        f = -(sdev * (zz * cdf + pdf));
        cm = cdf;
        cs = -pdf;
      } else {
        f = m - beta * sdev;
        cm = 1.0;
        cs = -beta;
      }
      g.resize(br.cont.size());
      for (std::size_t t = 0; t < br.cont.size(); ++t) {
        const std::size_t c = enc.offset[br.cont[t]];
        g[t] = cm * dm[c] + cs * ds[c];
      }
      return f;
    };
    struct Start {
      double f;
      std::size_t branch;
      std::vector<double> p;
    };
    std::vector<Start> starts;
    std::vector<double> grad;
    const std::size_t per_branch =
        std::max<std::size_t>(16, config_.n_candidates / std::max<std::size_t>(all.size(), 1));
    for (std::size_t bi = 0; bi < all.size(); ++bi) {
      const std::size_t count = all[bi].cont.empty() ? 1 : per_branch;
      for (std::size_t c = 0; c < count; ++c) {
        std::vector<double> p(all[bi].cont.size());
        for (double& v : p) v = rng.uniform();
        const double f = acquisition(all[bi], p, grad);
        starts.push_back({f, bi, std::move(p)});
      }
    }
    // The incumbent is a natural start too, in its own branch when that was enumerated.
    {
      Eigen::Index arg = 0;
      y.minCoeff(&arg);
      const auto& inc = *history[static_cast<std::size_t>(arg)].values;
      for (std::size_t bi = 0; bi < all.size(); ++bi) {
        bool same = true;
        for (std::size_t i = 0; i < space.size(); ++i) {
          if (space.param(i).kind != ParamKind::kCategorical) continue;
          const double a = all[bi].values[i];
          same = same && ((std::isnan(a) && std::isnan(inc[i])) || a == inc[i]);
        }
        if (!same) continue;
        std::vector<double> p;
        for (std::size_t i : all[bi].cont) p.push_back(space.to_unit(i, inc[i]));
        const double f = acquisition(all[bi], p, grad);
        starts.push_back({f, bi, std::move(p)});
        break;
      }
    }
    const std::size_t keep = std::min(config_.n_restarts, starts.size());
    std::partial_sort(starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(keep),
                      starts.end(), [](const Start& a, const Start& b) { return a.f < b.f; });
    double best_f = std::numeric_limits<double>::infinity();
    std::size_t best_branch = 0;
    std::vector<double> best_p;
    for (std::size_t k = 0; k < keep; ++k) {
      const Branch& br = all[starts[k].branch];
      std::vector<double> p = starts[k].p;
      double f = starts[k].f;
      if (!p.empty()) {
        const std::vector<double> lo(p.size(), 0.0);
        const std::vector<double> hi(p.size(), 1.0);
        f = detail::minimize_lbfgs([&](const std::vector<double>& q,
                                       std::vector<double>& g) { return acquisition(br, q, g); },
                                   p, lo, hi, 40);
      }
      if (f < best_f) {
        best_f = f;
        best_branch = starts[k].branch;
        best_p = std::move(p);
      }
    }
    const Branch& br = all[best_branch];
    values = br.values;
    for (std::size_t t = 0; t < br.cont.size(); ++t) {
      values[br.cont[t]] = space.from_unit(br.cont[t], best_p[t]);
    }
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
