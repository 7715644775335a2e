// SPDX-License-Identifier: MIT
// Tree-structured Parzen estimator: univariate kernels windowed over sorted centres, so a
// suggestion costs O(n + candidates x nearby kernels) per parameter, the kernel sums in
// vectorisable float loops over scratch buffers reused across calls; multivariate joint kernels.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numbers>

#include <nlohmann/json.hpp>
#include <xsimd/xsimd.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/optimizer/samplers.hpp"

namespace kolosal::optimizer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Bound on the relative error of a mixture density from the kernels it skips (see
// Mixture::cutoff), at the float rounding the window sums carry anyway.
constexpr double kSkippedMass = 1e-7;
constexpr std::size_t kRampAfter = 25;  // Optuna's default_weights: flat for the newest 25
constexpr double kMultivariateSigma0 = 0.2;
constexpr int kMaxRejections = 64;
constexpr double kInvSqrt2Pi = 0.3989422804014327;

enum Group : char { kAbsent = 0, kGood = 1, kBad = 2 };

double normal_cdf(double z) { return 0.5 * std::erfc(-z * (1.0 / std::numbers::sqrt2)); }

// Mass of N(mu, sigma) on [0, 1] for mu in [0, 1]: one minus the two tails, each skipped beyond
// 6 bandwidths (< 1e-9), so most kernels need no erfc and the others one.
double unit_mass(double mu, double sigma) {
  constexpr double kTailSigmas = 6.0;
  double mass = 1.0;
  if (mu < kTailSigmas * sigma) mass -= normal_cdf(-mu / sigma);
  if (1.0 - mu < kTailSigmas * sigma) mass -= normal_cdf((mu - 1.0) / sigma);
  return std::max(mass, 1e-300);
}

// exp(t) for the kernels' t <= 0 (clamped well above the subnormal range).
inline double exp_nonpositive(double t) { return std::exp(std::max(t, -700.0)); }

double truncated_normal(double mu, double sigma, Rng& rng) {
  for (int k = 0; k < kMaxRejections; ++k) {
    const double x = rng.normal(mu, sigma);
    if (x >= 0.0 && x <= 1.0) return x;
  }
  return std::clamp(mu, 0.0, 1.0);
}

using FloatBatch = xsimd::batch<float>;
// Kernel arrays are padded with this many zero-weight entries, so windows run in whole batches.
constexpr std::size_t kPad = 2 * FloatBatch::size;

// exp(t) for t <= 0 on a float batch: t clamped at -87, Cody-Waite reduction t = n ln 2 + r, a
// degree-6 Taylor polynomial in r (|r| <= ln 2 / 2, relative error < 2e-7), 2^n through the
// exponent bits. Cheaper than xsimd::exp, whose range checks the kernels do not need.
FloatBatch exp_nonpositive(FloatBatch t) {
  using IntBatch = xsimd::batch<std::int32_t>;
  t = xsimd::max(t, FloatBatch(-87.0F));
  const IntBatch n = xsimd::to_int(t * FloatBatch(1.44269504F) - FloatBatch(0.5F));
  const FloatBatch nf = xsimd::to_float(n);
  const FloatBatch r = (t - nf * FloatBatch(0.693145752F)) - nf * FloatBatch(1.42860677e-6F);
  FloatBatch p(1.0F / 720.0F);
  p = p * r + FloatBatch(1.0F / 120.0F);
  p = p * r + FloatBatch(1.0F / 24.0F);
  p = p * r + FloatBatch(1.0F / 6.0F);
  p = p * r + FloatBatch(0.5F);
  p = p * r + FloatBatch(1.0F);
  p = p * r + FloatBatch(1.0F);
  return p * xsimd::bitwise_cast<FloatBatch>((n + IntBatch(127)) << 23);
}

// Sigma over k in [begin, end) of coef[k] exp(-(x - mu[k])^2 inv_sigma[k]^2 / 2), in float
// batches of the build's instruction set (xsimd), `end` rounded up into the zero padding.
float window_sum(const float* mu, const float* inv_sigma, const float* coef, std::size_t begin,
                 std::size_t end, float x) {
  constexpr std::size_t w = FloatBatch::size;
  FloatBatch acc0(0.0F);
  FloatBatch acc1(0.0F);
  const FloatBatch xb(x);
  const FloatBatch minus_half(-0.5F);
  for (std::size_t k = begin; k < end; k += 2 * w) {
    const FloatBatch z0 =
        (xb - FloatBatch::load_unaligned(mu + k)) * FloatBatch::load_unaligned(inv_sigma + k);
    const FloatBatch z1 = (xb - FloatBatch::load_unaligned(mu + k + w)) *
                          FloatBatch::load_unaligned(inv_sigma + k + w);
    acc0 += FloatBatch::load_unaligned(coef + k) * exp_nonpositive(minus_half * z0 * z0);
    acc1 += FloatBatch::load_unaligned(coef + k + w) * exp_nonpositive(minus_half * z1 * z1);
  }
  return xsimd::hadd(acc0 + acc1);
}

// A univariate mixture of truncated normals on [0, 1], centres sorted ascending. Buffers are
// reused from call to call.
struct Mixture {
  std::vector<double> mu, sigma, weight;
  std::vector<double> left_max, right_max;  // max sigma over [0, k] and [k, n)
  std::vector<double> coef;       // weight / (mass * sqrt(2 pi)), divided by sigma unless scaled
  std::vector<double> cell_coef;  // weight / mass, for the mass of an int's cell
  std::vector<double> inv_sigma;  // 1 / sigma
  std::vector<float> mu_f, inv_sigma_f, coef_f;  // float copies for window_sum
  double total = 0.0;
  double cutoff = 0.0;  // kernels further than this many bandwidths are skipped

  // Builds from sorted centres and weights plus a prior at 0.5 with bandwidth 1, as Optuna 3.1:
  // each kernel's bandwidth is its larger neighbour gap among the centres and the prior (the
  // domain ends count as neighbours, except for the outermost kernels), clipped to
  // [1 / min(100, 1 + kernels), 1] (the magic clip); the prior keeps bandwidth 1.
  // With `scale_by_bandwidth` each kernel's density is multiplied by its bandwidth, as Optuna 3.1
  // evaluates it (its truncnorm.logpdf standardises x without the 1/sigma Jacobian): wide kernels
  // (the prior, isolated trials) count for more than dense clusters of narrow ones.
  void build(std::span<const double> centres, std::span<const double> weights, double prior_weight,
             bool magic_clip, bool scale_by_bandwidth) {
    const std::size_t n = centres.size() + 1;
    const auto at = static_cast<std::size_t>(std::lower_bound(centres.begin(), centres.end(), 0.5) -
                                             centres.begin());
    mu.resize(n);
    weight.resize(n);
    for (std::size_t k = 0, j = 0; k < n; ++k) {
      if (k == at) {
        mu[k] = 0.5;
        weight[k] = prior_weight;
      } else {
        mu[k] = centres[j];
        weight[k] = weights[j];
        ++j;
      }
    }
    sigma.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      const double left = mu[k] - (k == 0 ? 0.0 : mu[k - 1]);
      const double right = (k + 1 == n ? 1.0 : mu[k + 1]) - mu[k];
      sigma[k] = std::max(left, right);
    }
    if (n >= 2) {
      sigma[0] = mu[1] - mu[0];
      sigma[n - 1] = mu[n - 1] - mu[n - 2];
    }
    const double min_sigma =
        magic_clip ? 1.0 / std::min(100.0, 1.0 + static_cast<double>(n)) : 1e-12;
    for (auto& s : sigma) s = std::clamp(s, min_sigma, 1.0);
    sigma[at] = 1.0;
    left_max.resize(n);
    right_max.resize(n);
    double widest = 0.0;
    for (std::size_t k = 0; k < n; ++k) {
      left_max[k] = widest = std::max(widest, k == at ? 0.0 : sigma[k]);
    }
    widest = 0.0;
    for (std::size_t k = n; k-- > 0;) {
      right_max[k] = widest = std::max(widest, k == at ? 0.0 : sigma[k]);
    }
    coef.resize(n);
    cell_coef.resize(n);
    inv_sigma.resize(n);
    mu_f.assign(n + kPad, 0.0F);
    inv_sigma_f.assign(n + kPad, 0.0F);
    coef_f.assign(n + kPad, 0.0F);
    for (std::size_t k = 0; k < n; ++k) {
      inv_sigma[k] = 1.0 / sigma[k];
      cell_coef[k] = weight[k] / unit_mass(mu[k], sigma[k]);
      coef[k] = cell_coef[k] * kInvSqrt2Pi * (scale_by_bandwidth ? 1.0 : inv_sigma[k]);
      mu_f[k] = static_cast<float>(mu[k]);
      inv_sigma_f[k] = static_cast<float>(inv_sigma[k]);
      coef_f[k] = static_cast<float>(coef[k]);
    }
    coef_f[at] = 0.0F;
    total = 0.0;
    for (double w : weight) total += w;
    prior_ = at;
    // A kernel k at c bandwidths from x adds at most w_k exp(-c^2 / 2) / (mass_k sqrt(2 pi)),
    // divided by sigma_k >= min_sigma unless scaled, and mass_k >= 0.34 for a centre in [0, 1] and
    // sigma_k <= 1; the prior (centre 0.5, bandwidth 1) adds at least 0.92 prior_weight /
    // sqrt(2 pi) everywhere. Skipping all kernels beyond c therefore changes the density by less
    // than kSkippedMass of itself when exp(-c^2 / 2) <= kSkippedMass 0.313 prior_weight
    // [min_sigma] / total.
    const double ratio = total / (0.313 * prior_weight * (scale_by_bandwidth ? 1.0 : min_sigma));
    cutoff = std::sqrt(2.0 * std::log(std::max(ratio, 1.0) / kSkippedMass));
  }

  // Kernel k's mass on the cell [a, b].
  double cell_term(std::size_t k, double a, double b) const {
    const double mass =
        normal_cdf((b - mu[k]) * inv_sigma[k]) - normal_cdf((a - mu[k]) * inv_sigma[k]);
    return cell_coef[k] * mass;
  }

  // log of the normalised mixture density at x (or mass of the cell [a, b] when a < b). Only
  // kernels within `cutoff` bandwidths of the point (or cell) are visited. The running maxima of
  // the bandwidths make "kernel k may reach the point" monotone in k on either side, so the
  // window's ends are found by binary search.
  double log_density(double x, double a, double b) const {
    const std::size_t n = mu.size();
    const double lo = a < b ? a : x;
    const double hi = a < b ? b : x;
    const auto first = [&](std::size_t from, std::size_t to, auto&& past) {
      while (from < to) {
        const std::size_t mid = from + (to - from) / 2;
        if (past(mid)) {
          to = mid;
        } else {
          from = mid + 1;
        }
      }
      return from;
    };
    const std::size_t start = first(0, n, [&](std::size_t k) { return mu[k] >= lo; });
    const std::size_t end =
        first(start, n, [&](std::size_t k) { return mu[k] - hi > cutoff * right_max[k]; });
    const std::size_t begin =
        first(0, start, [&](std::size_t k) { return lo - mu[k] <= cutoff * left_max[k]; });
    double sum = 0.0;
    if (a < b) {
      sum = cell_term(prior_, a, b);
      for (std::size_t k = begin; k < end; ++k) {
        if (k != prior_) sum += cell_term(k, a, b);
      }
    } else {
      // The prior (bandwidth 1) reaches every point and is added in double (its float weight is
      // 0); the window's kernels in float (relative rounding ~1e-7, immaterial to the argmax of
      // log l - log g).
      const double z0 = (x - mu[prior_]) * inv_sigma[prior_];
      sum = coef[prior_] * exp_nonpositive(-0.5 * z0 * z0);
      sum += static_cast<double>(window_sum(mu_f.data(), inv_sigma_f.data(), coef_f.data(), begin,
                                            end, static_cast<float>(x)));
    }
    return std::log(std::max(sum, 1e-300) / total);
  }

  double sample(Rng& rng) const {
    double u = rng.uniform() * total;
    std::size_t k = 0;
    for (; k + 1 < mu.size(); ++k) {
      if (u < weight[k]) break;
      u -= weight[k];
    }
    return truncated_normal(mu[k], sigma[k], rng);
  }

 private:
  std::size_t prior_ = 0;
};

// Weights of the bad group by recency (Optuna's default_weights): the newest 25 weigh 1, older
// ones ramp linearly from 1/n.
double recency_weight(std::size_t rank, std::size_t n) {
  if (n < kRampAfter || rank + kRampAfter >= n) return 1.0;
  const std::size_t ramp = n - kRampAfter;
  const double lo = 1.0 / static_cast<double>(n);
  if (ramp == 1) return lo;
  return lo + (1.0 - lo) * static_cast<double>(rank) / static_cast<double>(ramp - 1);
}

// Unit-space cell [a, b] of an int value (a == b for floats).
std::pair<double, double> cell(const SearchSpace& space, std::size_t i, double value) {
  const Param& p = space.param(i);
  if (p.kind != ParamKind::kInt) return {0.0, 0.0};
  const double lo = p.log ? std::log(p.low - 0.5) : p.low - 0.5 * p.step;
  const double hi = p.log ? std::log(p.high + 0.5) : p.high + 0.5 * p.step;
  const double a = p.log ? std::log(value - 0.5) : value - 0.5 * p.step;
  const double b = p.log ? std::log(value + 0.5) : value + 0.5 * p.step;
  return {(a - lo) / (hi - lo), (b - lo) / (hi - lo)};
}

// Smoothed category frequencies as Optuna 3.1: with nk = observations + 1 kernels, observation j's
// kernel puts (prior_weight / nk + [c == obs_j]) / (K prior_weight / nk + 1) on choice c; the
// prior kernel is uniform. Kernels mix with the observation weights and prior_weight.
double category_smoothing(std::size_t n_obs, double prior_weight) {
  return prior_weight / static_cast<double>(n_obs + 1);
}

std::vector<double> category_probs(std::size_t k, std::span<const double> obs,
                                   std::span<const double> weights, double prior_weight) {
  const double eps = category_smoothing(obs.size(), prior_weight);
  const double row = eps * static_cast<double>(k) + 1.0;
  std::vector<double> p(k, prior_weight / static_cast<double>(k));
  double total = prior_weight;
  double spread = 0.0;
  for (std::size_t j = 0; j < obs.size(); ++j) {
    p[static_cast<std::size_t>(obs[j])] += weights[j] / row;
    spread += weights[j] * eps / row;
    total += weights[j];
  }
  for (double& v : p) v = (v + spread) / total;
  return p;
}

}  // namespace

struct TpeCache {
  // Per parameter: (unit value, trial number) of every trial seen, sorted by value.
  std::vector<std::vector<std::pair<double, std::size_t>>> sorted;
  std::vector<char> seen;
  std::size_t n_params = 0;
  // Scratch reused by every suggestion, so a warm sampler allocates only its result.
  std::vector<std::pair<double, std::size_t>> order;
  std::vector<char> group;
  std::vector<double> weight_of;
  std::vector<double> good_mu, good_w, bad_mu, bad_w, candidates;
  Mixture good, bad;
};

TpeSampler::TpeSampler(Config config) : config_(config), cache_(std::make_unique<TpeCache>()) {
  config::validate(config_, "TpeSampler");
}
TpeSampler::~TpeSampler() = default;
TpeSampler::TpeSampler(TpeSampler&&) noexcept = default;
TpeSampler& TpeSampler::operator=(TpeSampler&&) noexcept = default;

nlohmann::json TpeSampler::config() const { return config::to_json(config_); }

std::vector<double> TpeSampler::sample(const SearchSpace& space,
                                       std::span<const Observation> history, std::size_t /*number*/,
                                       Rng& rng) {
  std::vector<double> values(space.size(), kNaN);
  std::size_t finished = 0;
  for (const auto& o : history) finished += o.state != TrialState::kRunning;
  if (finished < std::max<std::size_t>(config_.n_startup_trials, 1) || history.size() < 2) {
    for (std::size_t i = 0; i < space.size(); ++i) {
      if (space.is_active(values, i)) values[i] = space.from_unit(i, rng.uniform());
    }
    return values;
  }

  // Split into the good and bad groups by loss (ties by trial number).
  const std::size_t n = history.size();
  const std::size_t n_good = std::clamp<std::size_t>(
      static_cast<std::size_t>(std::ceil(config_.gamma * static_cast<double>(n))), 1,
      std::min(config_.max_good, n - 1));
  TpeCache& cache = *cache_;
  auto& order = cache.order;
  order.resize(n);
  for (std::size_t j = 0; j < n; ++j) order[j] = {history[j].loss, j};
  std::nth_element(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(n_good) - 1,
                   order.end());
  std::size_t max_number = 0;
  for (const auto& o : history) max_number = std::max(max_number, o.number);
  auto& group = cache.group;
  auto& weight_of = cache.weight_of;
  group.assign(max_number + 1, kAbsent);
  weight_of.assign(max_number + 1, 1.0);
  for (std::size_t j = 0; j < n; ++j) group[history[j].number] = kBad;
  for (std::size_t j = 0; j < n_good; ++j) group[history[order[j].second].number] = kGood;
  {
    const std::size_t n_bad = n - n_good;
    std::size_t rank = 0;
    for (const auto& o : history) {
      if (group[o.number] == kBad) weight_of[o.number] = recency_weight(rank++, n_bad);
    }
  }

  // Keep every parameter's values sorted across calls: trials only ever add values.
  if (cache.n_params != space.size()) {
    cache.sorted.assign(space.size(), {});
    cache.seen.clear();
    cache.n_params = space.size();
  }
  if (cache.seen.size() <= max_number) cache.seen.resize(max_number + 1, 0);
  for (const auto& o : history) {
    if (cache.seen[o.number]) continue;
    cache.seen[o.number] = 1;
    for (std::size_t i = 0; i < space.size(); ++i) {
      const double v = (*o.values)[i];
      if (std::isnan(v) || space.param(i).kind == ParamKind::kCategorical) continue;
      auto& list = cache.sorted[i];
      const std::pair<double, std::size_t> item{space.to_unit(i, v), o.number};
      list.insert(std::upper_bound(list.begin(), list.end(), item), item);
    }
  }

  // Multivariate: unconditional parameters drawn jointly from one Parzen estimator.
  std::vector<std::size_t> joint;
  if (config_.multivariate) {
    for (std::size_t i = 0; i < space.size(); ++i) {
      if (!space.parent_of(i)) joint.push_back(i);
    }
    if (joint.size() >= 2) {
      sample_joint(space, history, group, weight_of, joint, rng, values);
    } else {
      joint.clear();
    }
  }

  auto& good_mu = cache.good_mu;
  auto& good_w = cache.good_w;
  auto& bad_mu = cache.bad_mu;
  auto& bad_w = cache.bad_w;
  Mixture& good = cache.good;
  Mixture& bad = cache.bad;
  auto& candidates = cache.candidates;
  candidates.resize(config_.n_ei_candidates);
  for (std::size_t i = 0; i < space.size(); ++i) {
    if (!space.is_active(values, i)) {
      values[i] = kNaN;
      continue;
    }
    if (std::find(joint.begin(), joint.end(), i) != joint.end()) continue;
    const Param& p = space.param(i);
    good_mu.clear();
    good_w.clear();
    bad_mu.clear();
    bad_w.clear();
    if (p.kind == ParamKind::kCategorical) {
      for (const auto& o : history) {
        const double v = (*o.values)[i];
        if (std::isnan(v)) continue;
        auto& mus = group[o.number] == kGood ? good_mu : bad_mu;
        auto& ws = group[o.number] == kGood ? good_w : bad_w;
        mus.push_back(v);
        ws.push_back(weight_of[o.number]);
      }
      const std::size_t k = p.choices.size();
      const auto l = category_probs(k, good_mu, good_w, config_.prior_weight);
      const auto g = category_probs(k, bad_mu, bad_w, config_.prior_weight);
      double best_score = -std::numeric_limits<double>::infinity();
      double best = 0.0;
      for (std::size_t c = 0; c < config_.n_ei_candidates; ++c) {
        double u = rng.uniform();
        std::size_t choice = 0;
        while (choice + 1 < k && u >= l[choice]) u -= l[choice++];
        const double score = std::log(l[choice]) - std::log(g[choice]);
        if (score > best_score) {
          best_score = score;
          best = static_cast<double>(choice);
        }
      }
      values[i] = best;
      continue;
    }
    for (const auto& [u, num] : cache.sorted[i]) {
      if (num >= group.size() || group[num] == kAbsent) continue;
      if (group[num] == kGood) {
        good_mu.push_back(u);
        good_w.push_back(1.0);
      } else {
        bad_mu.push_back(u);
        bad_w.push_back(weight_of[num]);
      }
    }
    good.build(good_mu, good_w, config_.prior_weight, config_.consider_magic_clip,
               config_.scale_by_bandwidth);
    bad.build(bad_mu, bad_w, config_.prior_weight, config_.consider_magic_clip,
              config_.scale_by_bandwidth);
    double best_score = -std::numeric_limits<double>::infinity();
    double best = 0.5;
    for (double& c : candidates) c = good.sample(rng);
    for (double c : candidates) {
      double x = c;
      double a = 0.0;
      double b = 0.0;
      if (p.kind == ParamKind::kInt) {
        const double v = space.from_unit(i, c);
        x = space.to_unit(i, v);
        std::tie(a, b) = cell(space, i, v);
      }
      const double score = good.log_density(x, a, b) - bad.log_density(x, a, b);
      if (score > best_score) {
        best_score = score;
        best = x;
      }
    }
    values[i] = space.from_unit(i, best);
  }
  return values;
}

void TpeSampler::sample_joint(const SearchSpace& space, std::span<const Observation> history,
                              std::span<const char> group, std::span<const double> weight_of,
                              std::span<const std::size_t> joint, Rng& rng,
                              std::vector<double>& values) const {
  // Kernels: one per observation of each group (in unit space) plus the prior (index 0).
  struct Joint {
    std::vector<std::vector<double>> centre;  // kernel -> per joint dim (unit or category)
    std::vector<double> weight;
    std::vector<double> sigma;  // per dim, shared by observation kernels
  };
  const std::size_t d = joint.size();
  auto build = [&](char which) {
    Joint m;
    m.centre.emplace_back(d, 0.5);
    m.weight.push_back(config_.prior_weight);
    for (const auto& o : history) {
      if (group[o.number] != which) continue;
      std::vector<double> c(d);
      for (std::size_t t = 0; t < d; ++t) {
        const std::size_t i = joint[t];
        const double v = (*o.values)[i];
        c[t] = space.param(i).kind == ParamKind::kCategorical ? v : space.to_unit(i, v);
      }
      m.centre.push_back(std::move(c));
      m.weight.push_back(which == kGood ? 1.0 : weight_of[o.number]);
    }
    const double n_obs = static_cast<double>(m.centre.size());
    const double s = kMultivariateSigma0 * std::pow(n_obs, -1.0 / (static_cast<double>(d) + 4.0));
    const double min_sigma =
        config_.consider_magic_clip ? 1.0 / std::min(100.0, 1.0 + n_obs) : 1e-12;
    m.sigma.assign(d, std::clamp(s, min_sigma, 1.0));
    return m;
  };
  const Joint good = build(kGood);
  const Joint bad = build(kBad);
  const double pw = config_.prior_weight;

  // log of kernel j's density in dim t at point x (unit value, or category index).
  auto log_kernel = [&](const Joint& m, std::size_t j, std::size_t t, double x) {
    const std::size_t i = joint[t];
    const Param& p = space.param(i);
    if (p.kind == ParamKind::kCategorical) {
      const auto k = static_cast<double>(p.choices.size());
      if (j == 0) return -std::log(k);
      const double eps = category_smoothing(m.centre.size() - 1, pw);
      return std::log((eps + (x == m.centre[j][t] ? 1.0 : 0.0)) / (eps * k + 1.0));
    }
    const double mu = m.centre[j][t];
    const double sigma = j == 0 ? 1.0 : m.sigma[t];
    const double mass = unit_mass(mu, sigma);
    if (p.kind == ParamKind::kInt) {
      const auto [a, b] = cell(space, i, space.from_unit(i, x));
      const double cm = normal_cdf((b - mu) / sigma) - normal_cdf((a - mu) / sigma);
      return std::log(std::max(cm, 1e-300) / mass);
    }
    const double z = (x - mu) / sigma;
    // Exact joint densities: the bandwidth scaling of the univariate kernels, applied to a
    // product over dimensions, would let the prior kernel swamp the observations.
    return -0.5 * z * z - std::log(sigma * mass) - 0.5 * std::log(2.0 * std::numbers::pi);
  };
  auto log_density = [&](const Joint& m, std::span<const double> x) {
    double total = 0.0;
    for (double w : m.weight) total += w;
    double peak = -std::numeric_limits<double>::infinity();
    std::vector<double> terms(m.weight.size());
    for (std::size_t j = 0; j < m.weight.size(); ++j) {
      double s = std::log(m.weight[j] / total);
      for (std::size_t t = 0; t < d; ++t) s += log_kernel(m, j, t, x[t]);
      terms[j] = s;
      peak = std::max(peak, s);
    }
    double sum = 0.0;
    for (double s : terms) sum += std::exp(s - peak);
    return peak + std::log(sum);
  };

  double good_total = 0.0;
  for (double w : good.weight) good_total += w;
  double best_score = -std::numeric_limits<double>::infinity();
  std::vector<double> best(d);
  std::vector<double> x(d);
  for (std::size_t c = 0; c < config_.n_ei_candidates; ++c) {
    double u = rng.uniform() * good_total;
    std::size_t j = 0;
    for (; j + 1 < good.weight.size(); ++j) {
      if (u < good.weight[j]) break;
      u -= good.weight[j];
    }
    for (std::size_t t = 0; t < d; ++t) {
      const std::size_t i = joint[t];
      const Param& p = space.param(i);
      if (p.kind == ParamKind::kCategorical) {
        const auto k = p.choices.size();
        // The prior kernel, or an observation kernel's smoothing mass.
        const double eps = category_smoothing(good.centre.size() - 1, pw);
        const double smooth = eps * static_cast<double>(k) / (eps * static_cast<double>(k) + 1.0);
        if (j == 0 || rng.uniform() < smooth) {
          x[t] = static_cast<double>(rng.uniform_index(k));
        } else {
          x[t] = good.centre[j][t];
        }
      } else {
        x[t] = truncated_normal(good.centre[j][t], j == 0 ? 1.0 : good.sigma[t], rng);
        if (p.kind == ParamKind::kInt) x[t] = space.to_unit(i, space.from_unit(i, x[t]));
      }
    }
    const double score = log_density(good, x) - log_density(bad, x);
    if (score > best_score) {
      best_score = score;
      best = x;
    }
  }
  for (std::size_t t = 0; t < d; ++t) {
    const std::size_t i = joint[t];
    values[i] =
        space.param(i).kind == ParamKind::kCategorical ? best[t] : space.from_unit(i, best[t]);
  }
}

}  // namespace kolosal::optimizer
