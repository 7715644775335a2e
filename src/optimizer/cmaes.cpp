// SPDX-License-Identifier: MIT
// CMA-ES over the unit cube, its state replayed generation by generation from the history.
#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <Eigen/Eigenvalues>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/optimizer/samplers.hpp"

namespace kolosal::optimizer {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr int kMaxResamples = 100;

}  // namespace

struct CmaEsState {
  std::vector<std::size_t> dims;  // parameters modelled
  std::size_t lambda = 0;
  std::size_t mu = 0;
  Eigen::VectorXd weights;
  double mu_eff = 0.0;
  double c_sigma = 0.0;
  double d_sigma = 0.0;
  double c_c = 0.0;
  double c_1 = 0.0;
  double c_mu = 0.0;
  double chi_n = 0.0;
  Eigen::VectorXd mean;
  double sigma = 0.0;
  Eigen::MatrixXd c;
  Eigen::MatrixXd b;  // eigenvectors of C
  Eigen::VectorXd d;  // square roots of its eigenvalues
  Eigen::VectorXd p_sigma;
  Eigen::VectorXd p_c;
  std::size_t generations = 0;  // generations folded into the state
  bool ready = false;

  void init(const SearchSpace& space, const CmaEsConfig& config) {
    dims.clear();
    for (std::size_t i = 0; i < space.size(); ++i) {
      if (!space.parent_of(i) && space.param(i).kind != ParamKind::kCategorical) dims.push_back(i);
    }
    const auto n = static_cast<double>(dims.size());
    const auto dn = static_cast<Eigen::Index>(dims.size());
    lambda = config.population != 0
                 ? config.population
                 : 4 + static_cast<std::size_t>(std::floor(3.0 * std::log(std::max(n, 1.0))));
    lambda = std::max<std::size_t>(lambda, 2);
    mu = lambda / 2;
    weights.resize(static_cast<Eigen::Index>(mu));
    for (std::size_t i = 0; i < mu; ++i) {
      weights[static_cast<Eigen::Index>(i)] =
          std::log(static_cast<double>(mu) + 0.5) - std::log(static_cast<double>(i) + 1.0);
    }
    weights /= weights.sum();
    mu_eff = 1.0 / weights.squaredNorm();
    c_sigma = (mu_eff + 2.0) / (n + mu_eff + 5.0);
    d_sigma = 1.0 + 2.0 * std::max(0.0, std::sqrt((mu_eff - 1.0) / (n + 1.0)) - 1.0) + c_sigma;
    c_c = (4.0 + mu_eff / n) / (n + 4.0 + 2.0 * mu_eff / n);
    c_1 = 2.0 / ((n + 1.3) * (n + 1.3) + mu_eff);
    c_mu =
        std::min(1.0 - c_1, 2.0 * (mu_eff - 2.0 + 1.0 / mu_eff) / ((n + 2.0) * (n + 2.0) + mu_eff));
    chi_n = std::sqrt(n) * (1.0 - 1.0 / (4.0 * n) + 1.0 / (21.0 * n * n));
    mean = Eigen::VectorXd::Constant(dn, 0.5);
    sigma = config.sigma0;
    c = Eigen::MatrixXd::Identity(dn, dn);
    b = Eigen::MatrixXd::Identity(dn, dn);
    d = Eigen::VectorXd::Ones(dn);
    p_sigma = Eigen::VectorXd::Zero(dn);
    p_c = Eigen::VectorXd::Zero(dn);
    generations = 0;
    ready = true;
  }

  // Folds one finished generation (unit-cube points with their losses) into the state.
  void update(std::vector<std::pair<double, Eigen::VectorXd>> members) {
    std::stable_sort(members.begin(), members.end(),
                     [](const auto& a, const auto& b2) { return a.first < b2.first; });
    const auto dn = mean.size();
    const std::size_t m = std::min(mu, members.size());
    Eigen::VectorXd w = weights.head(static_cast<Eigen::Index>(m));
    w /= w.sum();
    const double mueff = 1.0 / w.squaredNorm();
    Eigen::VectorXd y_w = Eigen::VectorXd::Zero(dn);
    std::vector<Eigen::VectorXd> ys;
    for (std::size_t i = 0; i < m; ++i) {
      ys.push_back((members[i].second - mean) / sigma);
      y_w += w[static_cast<Eigen::Index>(i)] * ys.back();
    }
    mean += sigma * y_w;
    // C^{-1/2} y_w = B D^{-1} B^T y_w
    const Eigen::VectorXd c_inv_sqrt_y =
        b * (b.transpose() * y_w).cwiseQuotient(d.cwiseMax(1e-300));
    p_sigma =
        (1.0 - c_sigma) * p_sigma + std::sqrt(c_sigma * (2.0 - c_sigma) * mueff) * c_inv_sqrt_y;
    const double norm = p_sigma.norm();
    const double g = static_cast<double>(generations + 1);
    const bool h_sigma = norm / std::sqrt(1.0 - std::pow(1.0 - c_sigma, 2.0 * g)) <
                         (1.4 + 2.0 / (static_cast<double>(dn) + 1.0)) * chi_n;
    p_c = (1.0 - c_c) * p_c + (h_sigma ? std::sqrt(c_c * (2.0 - c_c) * mueff) : 0.0) * y_w;
    Eigen::MatrixXd rank_mu = Eigen::MatrixXd::Zero(dn, dn);
    for (std::size_t i = 0; i < m; ++i) {
      rank_mu += w[static_cast<Eigen::Index>(i)] * ys[i] * ys[i].transpose();
    }
    c = (1.0 - c_1 - c_mu) * c +
        c_1 * (p_c * p_c.transpose() + (h_sigma ? 0.0 : c_c * (2.0 - c_c)) * c) + c_mu * rank_mu;
    sigma *= std::exp((c_sigma / d_sigma) * (norm / chi_n - 1.0));
    sigma = std::clamp(sigma, 1e-12, 1.0);
    c = 0.5 * (c + c.transpose());
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(c);
    b = eig.eigenvectors();
    d = eig.eigenvalues().cwiseMax(1e-20).cwiseSqrt();
    ++generations;
  }
};

CmaEsSampler::CmaEsSampler(Config config)
    : config_(config), state_(std::make_unique<CmaEsState>()) {
  config::validate(config_, "CmaEsSampler");
}
CmaEsSampler::~CmaEsSampler() = default;
CmaEsSampler::CmaEsSampler(CmaEsSampler&&) noexcept = default;
CmaEsSampler& CmaEsSampler::operator=(CmaEsSampler&&) noexcept = default;

nlohmann::json CmaEsSampler::config() const { return config::to_json(config_); }

double CmaEsSampler::sigma() const noexcept { return state_->sigma; }

std::vector<double> CmaEsSampler::sample(const SearchSpace& space,
                                         std::span<const Observation> history, std::size_t number,
                                         Rng& rng) {
  CmaEsState& s = *state_;
  if (!s.ready) s.init(space, config_);
  std::vector<double> values(space.size(), kNaN);
  if (!s.dims.empty()) {
    // Fold every generation that is over (all its trials asked and none running).
    while ((s.generations + 1) * s.lambda <= number) {
      const std::size_t lo = s.generations * s.lambda;
      const std::size_t hi = lo + s.lambda;
      std::vector<std::pair<double, Eigen::VectorXd>> members;
      bool running = false;
      for (const auto& o : history) {
        if (o.number < lo || o.number >= hi) continue;
        if (o.state == TrialState::kRunning) running = true;
        if (!std::isfinite(o.loss)) continue;
        Eigen::VectorXd x(static_cast<Eigen::Index>(s.dims.size()));
        for (std::size_t t = 0; t < s.dims.size(); ++t) {
          x[static_cast<Eigen::Index>(t)] = space.to_unit(s.dims[t], (*o.values)[s.dims[t]]);
        }
        members.emplace_back(o.loss, std::move(x));
      }
      if (running) break;
      if (members.size() >= 2) {
        s.update(std::move(members));
      } else {
        ++s.generations;  // too few results to learn from: keep the distribution
      }
    }
    const auto dn = static_cast<Eigen::Index>(s.dims.size());
    Eigen::VectorXd x(dn);
    for (int attempt = 0; attempt < kMaxResamples; ++attempt) {
      Eigen::VectorXd z(dn);
      for (Eigen::Index t = 0; t < dn; ++t) z[t] = rng.normal();
      x = s.mean + s.sigma * (s.b * s.d.cwiseProduct(z));
      if ((x.array() >= 0.0).all() && (x.array() <= 1.0).all()) break;
    }
    for (std::size_t t = 0; t < s.dims.size(); ++t) {
      values[s.dims[t]] =
          space.from_unit(s.dims[t], std::clamp(x[static_cast<Eigen::Index>(t)], 0.0, 1.0));
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
