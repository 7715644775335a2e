// SPDX-License-Identifier: MIT
// Tests of the samplers: Sobol against SciPy, grid coverage, configs, and TPE / GP-BO against
// random search on benchmark functions.
#include "kolosal/optimizer/samplers.hpp"

#include <algorithm>
#include <fstream>
#include <set>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

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

// Median over seeds of the best value after `n_trials`.
double median_best(const std::string& sampler, const json& config, const ko::SearchSpace& space,
                   const ko::Study::Objective& objective, std::size_t n_trials,
                   std::size_t n_seeds) {
  std::vector<double> best;
  for (std::size_t seed = 0; seed < n_seeds; ++seed) {
    ko::Study study(space, ko::make_sampler(sampler, config), nullptr,
                    {.direction = ko::Direction::kMinimize, .seed = 100 + seed, .batch_size = 1});
    study.optimize(objective, {.n_trials = n_trials, .timeout_s = std::nullopt},
                   {.n_threads = 1, .seed = 0});
    best.push_back(study.best_value());
  }
  return median(best);
}

// A mixed space: a categorical branch choice with conditional children and a shared float.
ko::SearchSpace mixed_space() {
  ko::SearchSpace space;
  space.add_categorical("kind", {"a", "b", "c"})
      .add_float("xa", -5.0, 5.0, false, {.parent = "kind", .values = {"a"}})
      .add_int("nb", 1, 100, true, 1, {.parent = "kind", .values = {"b"}})
      .add_float("y", 0.0, 1.0);
  return space;
}

double mixed_objective(ko::TrialContext& t) {
  const double y = t.number("y");
  const std::string& kind = t.category("kind");
  if (kind == "a") return 1.0 + std::pow(t.number("xa") - 1.0, 2) + std::pow(y - 0.3, 2);
  if (kind == "b")
    return std::pow(std::log(static_cast<double>(t.integer("nb")) / 20.0), 2) +
           std::pow(y - 0.7, 2);
  return 2.0 + y;
}

}  // namespace

TEST_CASE("SobolSampler: points match scipy.stats.qmc.Sobol", "[optimizer]") {
  std::ifstream in(kolosal::test::reference_path("sobol.json"));
  const json ref = json::parse(in);
  for (const auto& c : ref["cases"]) {
    const auto dim = c["dim"].get<std::size_t>();
    INFO("dim " << dim);
    const auto& points = c["points"];
    for (std::size_t n = 0; n < points.size(); ++n) {
      const auto p = ko::sobol_point(n, dim);
      for (std::size_t d = 0; d < points[n].size(); ++d) {
        CHECK(p[d] == points[n][d].get<double>());
      }
    }
  }
  expect_error<kolosal::InvalidArgument>([] { (void)ko::sobol_point(0, 257); },
                                         "dimension 257 is outside [1, 256]");
}

TEST_CASE("SobolSampler: trial n takes Sobol point n + 1", "[optimizer]") {
  ko::SearchSpace space;
  space.add_float("a", 0.0, 1.0).add_float("b", 0.0, 1.0);
  ko::Study study(space, ko::make_sampler("sobol", nullptr));
  for (std::size_t n = 0; n < 8; ++n) {
    const auto& t = study.ask();
    const auto p = ko::sobol_point(n + 1, 2);
    CHECK(t.values[0] == p[0]);
    CHECK(t.values[1] == p[1]);
  }
}

TEST_CASE("GridSampler: visits every grid point once, conditions collapsed", "[optimizer]") {
  ko::SearchSpace space;
  space.add_categorical("kind", {"a", "b"})
      .add_int("n", 1, 3, false, 1, {.parent = "kind", .values = {"a"}})
      .add_float("x", 0.0, 1.0);
  ko::GridSampler grid({.points_per_float = 3, .shuffle = true});
  const auto points = grid.grid(space);
  CHECK(points.size() == (3 + 1) * 3);  // a x n x x, plus b x x
  ko::Study study(space, std::make_unique<ko::GridSampler>(
                             ko::GridConfig{.points_per_float = 3, .shuffle = true}));
  std::set<std::vector<std::string>> seen;
  for (std::size_t i = 0; i < points.size(); ++i)
    seen.insert({study.params_json(study.ask()).dump()});
  CHECK(seen.size() == points.size());
}

TEST_CASE("samplers: configs round-trip through JSON and reject bad values", "[optimizer]") {
  const ko::TpeConfig tpe{.n_startup_trials = 4,
                          .n_ei_candidates = 8,
                          .multivariate = true,
                          .prior_weight = 0.5,
                          .consider_magic_clip = false,
                          .gamma = 0.2,
                          .max_good = 10,
                          .scale_by_bandwidth = false};
  CHECK(kolosal::config::from_json<ko::TpeConfig>(kolosal::config::to_json(tpe)) == tpe);
  const ko::GpConfig gp{.n_startup_trials = 5,
                        .acquisition = ko::Acquisition::kUpperConfidenceBound,
                        .ucb_beta = 1.5,
                        .n_restarts = 3,
                        .n_candidates = 64};
  CHECK(kolosal::config::from_json<ko::GpConfig>(kolosal::config::to_json(gp)) == gp);
  const ko::CmaEsConfig cma{.sigma0 = 0.2, .population = 6};
  CHECK(kolosal::config::from_json<ko::CmaEsConfig>(kolosal::config::to_json(cma)) == cma);
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("cmaes", {{"sigma0", 0.0}});
      },
      "sigma0");
  const ko::GridConfig grid{.points_per_float = 7, .shuffle = false};
  CHECK(kolosal::config::from_json<ko::GridConfig>(kolosal::config::to_json(grid)) == grid);
  CHECK(ko::make_sampler("tpe", kolosal::config::to_json(tpe))->config() ==
        kolosal::config::to_json(tpe));
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("tpe", {{"gamma", 0.0}});
      },
      "gamma");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("gp", {{"acquisition", "pi"}});
      },
      "unknown value 'pi'");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("grid", {{"points_per_float", 1}});
      },
      "points_per_float");
  expect_error<kolosal::ConfigError>(
      [] {
        (void)ko::make_sampler("sobol", {{"scrambled", true}});
      },
      "unknown key 'scrambled'");
  expect_error<kolosal::InvalidArgument>([] { (void)ko::make_sampler("anneal", nullptr); },
                                         "unknown sampler 'anneal'");
}

TEST_CASE("samplers: every sampler respects the domain and conditions", "[optimizer]") {
  const auto space = mixed_space();
  for (const std::string name : {"random", "sobol", "grid", "tpe", "gp", "cmaes", "asht"}) {
    INFO(name);
    json config = json::object();
    if (name == "tpe") config = {{"multivariate", true}, {"n_startup_trials", 5}};
    if (name == "gp") config = {{"n_startup_trials", 5}, {"n_candidates", 32}, {"n_restarts", 2}};
    if (name == "asht") config = {{"n_initial", 5}, {"n_candidates", 32}, {"horizon", 14}};
    ko::Study study(space, ko::make_sampler(name, config));
    // Study::ask checks every value against the space; a violation would throw here.
    study.optimize(mixed_objective, {.n_trials = 14, .timeout_s = std::nullopt});
    CHECK(study.n_trials() == 14);
  }
}

TEST_CASE("TpeSampler: beats random search on Branin and a mixed conditional space",
          "[optimizer]") {
  const auto branin = kolosal::test::branin_space();
  const double random_b =
      median_best("random", nullptr, branin, kolosal::test::branin_objective, 60, 7);
  const double tpe_b = median_best("tpe", nullptr, branin, kolosal::test::branin_objective, 60, 7);
  const double mtpe_b =
      median_best("tpe", {{"multivariate", true}}, branin, kolosal::test::branin_objective, 60, 7);
  INFO("random " << random_b << " tpe " << tpe_b << " multivariate tpe " << mtpe_b);
  CHECK(tpe_b < random_b);
  CHECK(mtpe_b < random_b);
  CHECK(tpe_b < 0.9);

  const auto mixed = mixed_space();
  const double random_m = median_best("random", nullptr, mixed, mixed_objective, 60, 7);
  const double tpe_m = median_best("tpe", nullptr, mixed, mixed_objective, 60, 7);
  INFO("mixed: random " << random_m << " tpe " << tpe_m);
  CHECK(tpe_m < random_m);
}

TEST_CASE("GpSampler: beats random search on Branin with EI and UCB", "[optimizer]") {
  const auto branin = kolosal::test::branin_space();
  const json fast = {{"n_candidates", 128}, {"n_restarts", 3}};
  const double random_b =
      median_best("random", nullptr, branin, kolosal::test::branin_objective, 30, 3);
  const double ei = median_best("gp", fast, branin, kolosal::test::branin_objective, 30, 3);
  json ucb = fast;
  ucb["acquisition"] = "ucb";
  const double lcb = median_best("gp", ucb, branin, kolosal::test::branin_objective, 30, 3);
  INFO("random " << random_b << " gp-ei " << ei << " gp-ucb " << lcb);
  CHECK(ei < random_b);
  CHECK(lcb < random_b);
  CHECK(ei < 0.6);
}

TEST_CASE("GpSampler: beats random search on a mixed categorical and conditional space",
          "[optimizer]") {
  // One-hot categoricals, imputed inactive parameters and enumerated branches let the GP learn
  // that branch b with nb near 20 and y near 0.7 is best (value 0); random search rarely gets
  // all three right.
  const auto mixed = mixed_space();
  const json fast = {{"n_candidates", 128}, {"n_restarts", 3}};
  const double random_m = median_best("random", nullptr, mixed, mixed_objective, 30, 5);
  const double gp_m = median_best("gp", fast, mixed, mixed_objective, 30, 5);
  INFO("mixed: random " << random_m << " gp " << gp_m);
  CHECK(gp_m < random_m);
  CHECK(gp_m < 0.5 * random_m);
}

TEST_CASE("CmaEsSampler: converges on a rotated ellipsoid and beats random search", "[optimizer]") {
  ko::SearchSpace space;
  for (int i = 0; i < 4; ++i) space.add_float("x" + std::to_string(i), -5.0, 5.0);
  const ko::Study::Objective ellipsoid = [](ko::TrialContext& t) {
    double s = 0.0;
    double prev = 0.0;
    for (int i = 0; i < 4; ++i) {
      const double x = t.number("x" + std::to_string(i)) - 1.0;
      s += std::pow(10.0, i) * (x + 0.5 * prev) * (x + 0.5 * prev);
      prev = x;
    }
    return s;
  };
  const double random_e = median_best("random", nullptr, space, ellipsoid, 200, 3);
  const double cma_e = median_best("cmaes", nullptr, space, ellipsoid, 200, 3);
  INFO("random " << random_e << " cmaes " << cma_e);
  CHECK(cma_e < random_e / 10.0);
}
