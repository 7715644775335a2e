// SPDX-License-Identifier: MIT
// ASHT: a GP + random-forest surrogate ensemble with UCB -> EI -> Thompson switching; HyperOptX:
// Hyperband brackets of successive halving fed by ASHT.
#include "kolosal/optimizer/asht.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <map>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/optimizer/samplers.hpp"

#include "forest.hpp"
#include "gp_model.hpp"

namespace kolosal::optimizer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInactive = -0.5;  // encoding of an inactive parameter for the surrogates
constexpr std::size_t kLocalParents = 5;
constexpr double kLocalStep = 0.08;

// Surrogate inputs: unit-cube coordinates, inactive parameters at kInactive.
std::vector<double> encode(const SearchSpace& space, const std::vector<double>& values) {
  std::vector<double> out(space.size());
  for (std::size_t i = 0; i < space.size(); ++i) {
    out[i] = std::isnan(values[i]) ? kInactive : space.to_unit(i, values[i]);
  }
  return out;
}

struct Data {
  std::vector<std::vector<double>> x;  // encoded points
  std::vector<double> y;               // losses
};

// The training set: at the highest intermediate step with enough reports when trials report
// intermediate values (multi-fidelity), the final losses otherwise.
Data training_data(const SearchSpace& space, std::span<const Observation> history,
                   std::size_t min_points) {
  Data data;
  std::map<std::int64_t, std::size_t> per_step;
  for (const auto& o : history) {
    if (!o.trial) continue;
    for (const auto& [s, v] : o.trial->intermediate) ++per_step[s];
  }
  std::optional<std::int64_t> level;
  for (auto it = per_step.rbegin(); it != per_step.rend(); ++it) {
    if (it->second >= min_points) {
      level = it->first;
      break;
    }
  }
  double worst = -std::numeric_limits<double>::infinity();
  for (const auto& o : history) {
    double y = o.loss;
    if (level) {
      if (o.state == TrialState::kRunning || !o.trial) continue;  // pending: added below
      bool found = false;
      for (const auto& [s, v] : o.trial->intermediate) {
        if (s == *level) {
          y = o.sign * v;
          found = true;
        }
      }
      if (!found) continue;
    } else if (o.state == TrialState::kRunning) {
      continue;
    }
    if (!std::isfinite(y)) continue;
    worst = std::max(worst, y);
    data.x.push_back(encode(space, *o.values));
    data.y.push_back(y);
  }
  // Constant liar for pending trials: the worst value at the modelled level.
  for (const auto& o : history) {
    if (o.state == TrialState::kRunning && std::isfinite(worst)) {
      data.x.push_back(encode(space, *o.values));
      data.y.push_back(worst);
    }
  }
  return data;
}

// GP + forest fitted on (x, y) standardised.
struct Ensemble {
  std::size_t d = 0;
  detail::Forest forest;
  std::optional<detail::Gp> gp;
  double w_gp = 0.5;

  void fit(const std::vector<std::vector<double>>& x, const std::vector<double>& y, Rng& rng,
           std::size_t n_trees) {
    d = x.front().size();
    const auto n = static_cast<Eigen::Index>(x.size());
    Eigen::MatrixXd xm(n, static_cast<Eigen::Index>(d));
    std::vector<double> flat;
    flat.reserve(x.size() * d);
    for (Eigen::Index j = 0; j < n; ++j) {
      for (std::size_t t = 0; t < d; ++t) {
        xm(j, static_cast<Eigen::Index>(t)) = x[static_cast<std::size_t>(j)][t];
        flat.push_back(x[static_cast<std::size_t>(j)][t]);
      }
    }
    gp.emplace(xm, Eigen::Map<const Eigen::VectorXd>(y.data(), n));
    gp->fit();
    forest.fit(flat, d, y, rng, {.n_trees = n_trees, .min_samples_leaf = 2, .max_features = 0.8});
  }

  void predict_parts(const std::vector<double>& p, double& m_gp, double& s_gp, double& m_rf,
                     double& v_rf) const {
    gp->predict(p, m_gp, s_gp, nullptr, nullptr);
    forest.predict(p.data(), m_rf, v_rf);
  }

  // Blended mean and standard deviation (law of total variance over the two members).
  void predict(const std::vector<double>& p, double& mean, double& sd) const {
    double m_gp = 0.0;
    double s_gp = 0.0;
    double m_rf = 0.0;
    double v_rf = 0.0;
    predict_parts(p, m_gp, s_gp, m_rf, v_rf);
    mean = w_gp * m_gp + (1.0 - w_gp) * m_rf;
    const double second = w_gp * (s_gp * s_gp + m_gp * m_gp) + (1.0 - w_gp) * (v_rf + m_rf * m_rf);
    sd = std::sqrt(std::max(second - mean * mean, 1e-12));
  }
};

}  // namespace

AshtSampler::AshtSampler(Config config) : config_(config) {
  config::validate(config_, "AshtSampler");
}

nlohmann::json AshtSampler::config() const { return config::to_json(config_); }

AshtPhase AshtSampler::phase(std::size_t finished) const noexcept {
  const double progress = static_cast<double>(finished) / static_cast<double>(config_.horizon);
  if (progress < config_.ucb_until) return AshtPhase::kUcb;
  if (progress < config_.ei_until) return AshtPhase::kExpectedImprovement;
  return AshtPhase::kThompson;
}

std::vector<double> AshtSampler::sample(const SearchSpace& space,
                                        std::span<const Observation> history, std::size_t number,
                                        Rng& rng) {
  std::size_t finished = 0;
  for (const auto& o : history) finished += o.state != TrialState::kRunning;
  const std::size_t min_points =
      config_.min_points_per_level != 0 ? config_.min_points_per_level : space.size() + 2;
  Data data;
  if (finished >= config_.n_initial) data = training_data(space, history, min_points);
  if (data.y.size() < std::max<std::size_t>(config_.n_initial / 2, 3) ||
      space.size() > kSobolMaxDim) {
    // Scrambled Sobol design (a digital shift shared by the study through its seed).
    std::vector<double> u = sobol_point(number + 1, std::min(space.size(), kSobolMaxDim));
    Rng shift(rng.seed(), 0xA547);
    std::vector<double> values(space.size(), kNaN);
    for (std::size_t i = 0; i < space.size(); ++i) {
      const double ui = i < u.size() ? std::fmod(u[i] + shift.uniform(), 1.0) : rng.uniform();
      if (space.is_active(values, i)) values[i] = space.from_unit(i, ui);
    }
    return values;
  }

  // Standardise the losses.
  const auto n = data.y.size();
  double mean = 0.0;
  for (double v : data.y) mean += v;
  mean /= static_cast<double>(n);
  double var = 0.0;
  for (double v : data.y) var += (v - mean) * (v - mean);
  const double sd = var > 0.0 ? std::sqrt(var / static_cast<double>(n)) : 1.0;
  std::vector<double> y(n);
  for (std::size_t j = 0; j < n; ++j) y[j] = (data.y[j] - mean) / sd;

  // Ensemble weights from each member's error on the newest trials when fitted on the rest.
  Ensemble model;
  {
    const std::size_t held = std::max<std::size_t>(3, n / 5);
    if (n >= held + 6) {
      std::vector<std::vector<double>> x_old(data.x.begin(),
                                             data.x.end() - static_cast<std::ptrdiff_t>(held));
      std::vector<double> y_old(y.begin(), y.end() - static_cast<std::ptrdiff_t>(held));
      Ensemble probe;
      Rng probe_rng = rng.split(1);
      probe.fit(x_old, y_old, probe_rng, config_.n_trees);
      double err_gp = 1e-9;
      double err_rf = 1e-9;
      for (std::size_t j = n - held; j < n; ++j) {
        double m_gp = 0.0;
        double s_gp = 0.0;
        double m_rf = 0.0;
        double v_rf = 0.0;
        probe.predict_parts(data.x[j], m_gp, s_gp, m_rf, v_rf);
        err_gp += (m_gp - y[j]) * (m_gp - y[j]);
        err_rf += (m_rf - y[j]) * (m_rf - y[j]);
      }
      // Clamp so neither member is ever switched off entirely.
      model.w_gp = std::clamp((1.0 / err_gp) / (1.0 / err_gp + 1.0 / err_rf), 0.1, 0.9);
    }
    Rng fit_rng = rng.split(2);
    model.fit(data.x, y, fit_rng, config_.n_trees);
  }

  // Candidates: uniform draws plus Gaussian moves around the best observed points.
  std::vector<std::vector<double>> candidates;
  candidates.reserve(config_.n_candidates + kLocalParents * 8);
  for (std::size_t c = 0; c < config_.n_candidates; ++c) {
    std::vector<double> v(space.size(), kNaN);
    for (std::size_t i = 0; i < space.size(); ++i) {
      if (space.is_active(v, i)) v[i] = space.from_unit(i, rng.uniform());
    }
    candidates.push_back(std::move(v));
  }
  {
    std::vector<std::pair<double, const Observation*>> ranked;
    for (const auto& o : history) {
      if (o.state == TrialState::kComplete) ranked.emplace_back(o.loss, &o);
    }
    std::sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      return a.first < b.first || (a.first == b.first && a.second->number < b.second->number);
    });
    const std::size_t parents = std::min(kLocalParents, ranked.size());
    for (std::size_t p = 0; p < parents; ++p) {
      const auto& base = *ranked[p].second->values;
      for (int k = 0; k < 8; ++k) {
        std::vector<double> v(space.size(), kNaN);
        for (std::size_t i = 0; i < space.size(); ++i) {
          if (!space.is_active(v, i)) continue;
          const Param& prm = space.param(i);
          if (std::isnan(base[i])) {
            v[i] = space.from_unit(i, rng.uniform());
          } else if (prm.kind == ParamKind::kCategorical) {
            v[i] = rng.bernoulli(0.2) ? static_cast<double>(rng.uniform_index(prm.choices.size()))
                                      : base[i];
          } else {
            const double u = space.to_unit(i, base[i]) + rng.normal(0.0, kLocalStep);
            v[i] = space.from_unit(i, u);
          }
        }
        candidates.push_back(std::move(v));
      }
    }
  }

  const AshtPhase ph = phase(finished);
  const double best = *std::min_element(y.begin(), y.end());
  const std::size_t tree = rng.uniform_index(model.forest.n_trees());
  double best_score = -std::numeric_limits<double>::infinity();
  std::size_t best_index = 0;
  for (std::size_t c = 0; c < candidates.size(); ++c) {
    const std::vector<double> p = encode(space, candidates[c]);
    double score = 0.0;
    if (ph == AshtPhase::kThompson) {
      // One posterior draw: a random forest tree (a coherent function) blended with a GP draw.
      double m_gp = 0.0;
      double s_gp = 0.0;
      double m_rf = 0.0;
      double v_rf = 0.0;
      model.predict_parts(p, m_gp, s_gp, m_rf, v_rf);
      const double draw = model.w_gp * (m_gp + s_gp * rng.normal()) +
                          (1.0 - model.w_gp) * model.forest.predict_tree(tree, p.data());
      score = -draw;
    } else {
      double m = 0.0;
      double s = 0.0;
      model.predict(p, m, s);
      if (ph == AshtPhase::kUcb) {
        score = -(m - config_.ucb_beta * s);
      } else {
        const double z = (best - m) / s;
        score = s * (z * detail::normal_cdf(z) + detail::normal_pdf(z));
      }
    }
    if (score > best_score) {
      best_score = score;
      best_index = c;
    }
  }
  return candidates[best_index];
}

// ---------------------------------------------------------------------------- HyperOptX

HyperOptX::HyperOptX(SearchSpace space, Config config, StudyOptions options)
    : config_(config),
      study_((config::validate(config, "HyperOptX"), std::move(space)),
             std::make_unique<AshtSampler>(config.asht), nullptr, options) {}

std::size_t HyperOptX::n_brackets() const noexcept {
  std::size_t n = 1;
  for (std::int64_t r = config_.min_resource * config_.eta; r <= config_.max_resource;
       r *= config_.eta) {
    ++n;
  }
  return n;
}

void HyperOptX::optimize(const Objective& objective, std::size_t max_iterations,
                         std::optional<double> timeout_s, const Context& ctx) {
  const auto start = std::chrono::steady_clock::now();
  auto out_of_time = [&] {
    return timeout_s &&
           std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count() >=
               *timeout_s;
  };
  const auto s_max = static_cast<std::int64_t>(n_brackets()) - 1;
  const auto eta = config_.eta;
  auto power = [](std::int64_t b, std::int64_t e) {
    std::int64_t r = 1;
    for (std::int64_t k = 0; k < e; ++k) r *= b;
    return r;
  };
  const double sign = study_.direction() == Direction::kMinimize ? 1.0 : -1.0;
  for (std::size_t iteration = 0; iteration < max_iterations; ++iteration) {
    for (std::int64_t s = s_max; s >= 0; --s) {
      if (out_of_time()) return;
      // Hyperband's bracket s: n configurations at resource max / eta^s.
      const auto n = static_cast<std::size_t>(
          std::ceil(static_cast<double>(s_max + 1) / static_cast<double>(s + 1) *
                    static_cast<double>(power(eta, s))));
      std::vector<std::size_t> alive = study_.ask_batch(n);
      for (std::int64_t rung = 0; rung <= s; ++rung) {
        const std::int64_t resource =
            std::max(config_.min_resource, config_.max_resource / power(eta, s - rung));
        std::vector<std::optional<double>> results(alive.size());
        std::vector<std::string> errors(alive.size());
        parallel::for_each_index(ctx, alive.size(), [&](std::size_t i) {
          TrialContext trial(study_, alive[i]);
          try {
            results[i] = objective(trial, resource);
            if (std::isnan(*results[i])) errors[i] = "objective returned NaN";
          } catch (const std::exception& e) {
            errors[i] = e.what();
            if (errors[i].empty()) errors[i] = "exception";
          }
        });
        std::vector<std::pair<double, std::size_t>> ranked;
        for (std::size_t i = 0; i < alive.size(); ++i) {
          resource_used_ += resource;
          if (!errors[i].empty()) {
            study_.tell_failed(alive[i], errors[i]);
            continue;
          }
          study_.report(alive[i], resource, *results[i]);
          ranked.emplace_back(sign * *results[i], alive[i]);
        }
        std::sort(ranked.begin(), ranked.end());
        if (rung == s) {
          for (const auto& [loss, number] : ranked) study_.tell(number, sign * loss);
          break;
        }
        const std::size_t keep =
            std::max<std::size_t>(1, ranked.size() / static_cast<std::size_t>(eta));
        alive.clear();
        for (std::size_t k = 0; k < ranked.size(); ++k) {
          if (k < keep) {
            alive.push_back(ranked[k].second);
          } else {
            study_.tell_pruned(ranked[k].second);
          }
        }
        std::sort(alive.begin(), alive.end());
        if (alive.empty() || out_of_time()) {
          for (std::size_t number : alive) study_.tell_pruned(number);
          return;
        }
      }
    }
  }
}

}  // namespace kolosal::optimizer
