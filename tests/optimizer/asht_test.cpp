// SPDX-License-Identifier: MIT
// Tests of ASHT and HyperOptX: phases, configs, and wins over random search.
#include "kolosal/optimizer/asht.hpp"

#include <algorithm>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/optimizer/samplers.hpp"

#include "benchmark_functions.hpp"
#include "test_util.hpp"

namespace ko = kolosal::optimizer;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double hartmann3(ko::TrialContext& t) {
  static constexpr double kA[4][3] = {{3, 10, 30}, {0.1, 10, 35}, {3, 10, 30}, {0.1, 10, 35}};
  static constexpr double kP[4][3] = {{0.3689, 0.1170, 0.2673},
                                      {0.4699, 0.4387, 0.7470},
                                      {0.1091, 0.8732, 0.5547},
                                      {0.0381, 0.5743, 0.8828}};
  static constexpr double kAlpha[4] = {1.0, 1.2, 3.0, 3.2};
  const double x[3] = {t.number("x0"), t.number("x1"), t.number("x2")};
  double sum = 0.0;
  for (int k = 0; k < 4; ++k) {
    double e = 0.0;
    for (int i = 0; i < 3; ++i) e += kA[k][i] * (x[i] - kP[k][i]) * (x[i] - kP[k][i]);
    sum += kAlpha[k] * std::exp(-e);
  }
  return -sum;
}

double median_best(const std::string& sampler, const json& config, const ko::SearchSpace& space,
                   const ko::Study::Objective& objective, std::size_t n_trials,
                   std::size_t n_seeds) {
  std::vector<double> best;
  for (std::size_t seed = 0; seed < n_seeds; ++seed) {
    ko::Study study(space, ko::make_sampler(sampler, config), nullptr,
                    {.direction = ko::Direction::kMinimize, .seed = 7 + seed, .batch_size = 1});
    study.optimize(objective, {.n_trials = n_trials, .timeout_s = std::nullopt},
                   {.n_threads = 1, .seed = 0});
    best.push_back(study.best_value());
  }
  return median(best);
}

}  // namespace

TEST_CASE("AshtSampler: switches UCB -> EI -> Thompson as the search matures", "[optimizer]") {
  const ko::AshtSampler asht({.horizon = 100, .ucb_until = 0.3, .ei_until = 0.7});
  CHECK(asht.phase(0) == ko::AshtPhase::kUcb);
  CHECK(asht.phase(29) == ko::AshtPhase::kUcb);
  CHECK(asht.phase(30) == ko::AshtPhase::kExpectedImprovement);
  CHECK(asht.phase(69) == ko::AshtPhase::kExpectedImprovement);
  CHECK(asht.phase(70) == ko::AshtPhase::kThompson);
}

TEST_CASE("AshtConfig and HyperOptXConfig: JSON round-trip and rejection", "[optimizer]") {
  const ko::AshtConfig a{.n_initial = 6,
                         .horizon = 40,
                         .ucb_until = 0.2,
                         .ei_until = 0.5,
                         .ucb_beta = 1.0,
                         .n_candidates = 64,
                         .n_trees = 10,
                         .min_points_per_level = 4};
  CHECK(kolosal::config::from_json<ko::AshtConfig>(kolosal::config::to_json(a)) == a);
  const ko::HyperOptXConfig h{.min_resource = 2, .max_resource = 50, .eta = 2, .asht = a};
  CHECK(kolosal::config::from_json<ko::HyperOptXConfig>(
            json::parse(kolosal::config::to_json(h).dump())) == h);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("asht", {{"ucb_until", 0.8}, {"ei_until", 0.5}});
      },
      "ucb_until (0.8) must not exceed ei_until (0.5)");
  expect_error<kolosal::ConfigError>(
      [] {
        ko::HyperOptX bad(kolosal::test::branin_space(),
                          {.min_resource = 9, .max_resource = 3, .eta = 3, .asht = {}});
      },
      "min_resource (9) exceeds max_resource (3)");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<ko::HyperOptXConfig>(json{{"asht", {{"horizon", 0}}}});
      },
      "horizon");
}

TEST_CASE("AshtSampler: beats random search on Branin and Hartmann-3", "[optimizer]") {
  const json config = {{"horizon", 30}, {"n_candidates", 64}, {"n_trees", 8}};
  const auto branin = kolosal::test::branin_space();
  const double random_b =
      median_best("random", nullptr, branin, kolosal::test::branin_objective, 30, 3);
  const double asht_b = median_best("asht", config, branin, kolosal::test::branin_objective, 30, 3);
  INFO("branin: random " << random_b << " asht " << asht_b);
  CHECK(asht_b < random_b);

  ko::SearchSpace h3;
  h3.add_float("x0", 0.0, 1.0).add_float("x1", 0.0, 1.0).add_float("x2", 0.0, 1.0);
  const double random_h = median_best("random", nullptr, h3, hartmann3, 30, 3);
  const double asht_h = median_best("asht", config, h3, hartmann3, 30, 3);
  INFO("hartmann3: random " << random_h << " asht " << asht_h);
  CHECK(asht_h < random_h);
}

TEST_CASE("HyperOptX: beats random search with the same total resource, deterministically",
          "[optimizer]") {
  // A multi-fidelity Branin: low resources see a biased, noisy version of the full objective.
  const auto objective = [](ko::TrialContext& t, std::int64_t resource) {
    const double x1 = t.number("x1");
    const double x2 = t.number("x2");
    const double r = static_cast<double>(resource);
    return kolosal::test::branin(x1, x2) + 8.0 / r * (1.0 + std::sin(3.0 * x1 + 2.0 * x2));
  };
  std::vector<double> hx;
  std::vector<double> rs;
  for (std::uint64_t seed = 0; seed < 3; ++seed) {
    ko::HyperOptX opt(kolosal::test::branin_space(),
                      {.min_resource = 1,
                       .max_resource = 27,
                       .eta = 3,
                       .asht = {.n_initial = 8, .horizon = 60, .n_candidates = 96, .n_trees = 8}},
                      {.direction = ko::Direction::kMinimize, .seed = seed, .batch_size = 1});
    CHECK(opt.n_brackets() == 4);
    opt.optimize(objective, 1, std::nullopt, {.n_threads = 1, .seed = 0});
    hx.push_back(opt.study().best_value());
    // Random search spending the same resource on full-budget evaluations.
    const auto n_full = static_cast<std::size_t>(opt.resource_used() / 27);
    ko::Study random(kolosal::test::branin_space(), nullptr, nullptr,
                     {.direction = ko::Direction::kMinimize, .seed = seed, .batch_size = 1});
    random.optimize([&](ko::TrialContext& t) { return objective(t, 27); },
                    {.n_trials = n_full, .timeout_s = std::nullopt});
    rs.push_back(random.best_value());
    if (seed == 0) {
      // Pruned trials stopped at a lower rung; complete ones reached the full resource.
      std::size_t pruned = 0;
      for (const auto& t : opt.study().trials()) {
        if (t.state == ko::TrialState::kPruned) {
          ++pruned;
          CHECK(*t.last_step() < 27);
        } else {
          CHECK(t.state == ko::TrialState::kComplete);
          CHECK(*t.last_step() == 27);
        }
      }
      CHECK(pruned > 0);
      // Same seed, two threads: identical history.
      ko::HyperOptX again(kolosal::test::branin_space(), opt.config(), opt.study().options());
      again.optimize(objective, 1, std::nullopt, {.n_threads = 2, .seed = 0});
      const auto a = opt.study().trials();
      const auto b = again.study().trials();
      REQUIRE(a.size() == b.size());
      for (std::size_t i = 0; i < a.size(); ++i) {
        CHECK(a[i].values == b[i].values);
        CHECK(a[i].intermediate == b[i].intermediate);
      }
    }
  }
  INFO("hyperoptx " << median(hx) << " random " << median(rs));
  CHECK(median(hx) < median(rs));
}

TEST_CASE("AshtSampler: beats random search over more seeds and trials", "[.slow][asht]") {
  const json config = {{"horizon", 50}, {"n_candidates", 128}, {"n_trees", 12}};
  const auto branin = kolosal::test::branin_space();
  const double random_b =
      median_best("random", nullptr, branin, kolosal::test::branin_objective, 50, 9);
  const double asht_b = median_best("asht", config, branin, kolosal::test::branin_objective, 50, 9);
  INFO("branin: random " << random_b << " asht " << asht_b);
  CHECK(asht_b < random_b);
  ko::SearchSpace h3;
  h3.add_float("x0", 0.0, 1.0).add_float("x1", 0.0, 1.0).add_float("x2", 0.0, 1.0);
  const double random_h = median_best("random", nullptr, h3, hartmann3, 50, 9);
  const double asht_h = median_best("asht", config, h3, hartmann3, 50, 9);
  INFO("hartmann3: random " << random_h << " asht " << asht_h);
  CHECK(asht_h < random_h);
}
