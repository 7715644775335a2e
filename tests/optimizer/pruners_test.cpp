// SPDX-License-Identifier: MIT
// Tests of the median / percentile, successive halving and Hyperband pruners.
#include "kolosal/optimizer/pruners.hpp"

#include "kolosal/core/error.hpp"
#include "kolosal/optimizer/samplers.hpp"

#include "test_util.hpp"

namespace ko = kolosal::optimizer;
using kolosal::test::expect_error;

namespace {

ko::Trial finished_trial(std::size_t number, std::vector<double> curve) {
  ko::Trial t;
  t.number = number;
  t.state = ko::TrialState::kComplete;
  for (std::size_t s = 0; s < curve.size(); ++s) {
    t.intermediate.emplace_back(static_cast<std::int64_t>(s + 1), curve[s]);
  }
  t.value = curve.back();
  return t;
}

ko::Trial running_trial(std::size_t number, std::vector<double> curve) {
  ko::Trial t = finished_trial(number, std::move(curve));
  t.state = ko::TrialState::kRunning;
  t.value.reset();
  return t;
}

}  // namespace

TEST_CASE("MedianPruner: prunes a trial worse than the median at its step", "[optimizer]") {
  std::vector<ko::Trial> trials;
  for (std::size_t i = 0; i < 5; ++i) {
    trials.push_back(
        finished_trial(i, {1.0 + static_cast<double>(i), 0.5 + static_cast<double>(i)}));
  }
  const ko::MedianPruner pruner(5, 0);
  // Median at step 2 is 2.5.
  CHECK(pruner.prune(trials, running_trial(5, {9.0, 3.0}), ko::Direction::kMinimize));
  CHECK_FALSE(pruner.prune(trials, running_trial(5, {9.0, 2.0}), ko::Direction::kMinimize));
  // Maximising flips the comparison.
  CHECK_FALSE(pruner.prune(trials, running_trial(5, {0.0, 3.0}), ko::Direction::kMaximize));
  CHECK(pruner.prune(trials, running_trial(5, {0.0, 2.0}), ko::Direction::kMaximize));
  // Warm-up and start-up.
  CHECK_FALSE(
      ko::MedianPruner(5, 3).prune(trials, running_trial(5, {9.0, 9.0}), ko::Direction::kMinimize));
  CHECK_FALSE(
      ko::MedianPruner(6, 0).prune(trials, running_trial(5, {9.0, 9.0}), ko::Direction::kMinimize));
  // The 90th percentile is more lenient.
  const ko::PercentilePruner lenient(90.0, 5, 0);
  CHECK_FALSE(lenient.prune(trials, running_trial(5, {9.0, 3.0}), ko::Direction::kMinimize));
  expect_error<kolosal::InvalidArgument>([] { ko::PercentilePruner bad(101.0); },
                                         "percentile must be in [0, 100]");
}

TEST_CASE("SuccessiveHalvingPruner: keeps the best 1/eta at each rung", "[optimizer]") {
  std::vector<ko::Trial> trials;
  for (std::size_t i = 0; i < 6; ++i) {
    trials.push_back(finished_trial(
        i, {static_cast<double>(i), static_cast<double>(i), static_cast<double>(i)}));
  }
  const ko::SuccessiveHalvingPruner sha(1, 3, 0);
  // At rung step 1 the competitors are 0..5 plus the trial: keep 7 / 3 = 2 best.
  CHECK_FALSE(sha.prune(trials, running_trial(6, {0.5}), ko::Direction::kMinimize));
  CHECK(sha.prune(trials, running_trial(6, {1.5}), ko::Direction::kMinimize));
  // Step 2 is between rungs (1 and 3): no decision.
  CHECK_FALSE(sha.prune(trials, running_trial(6, {0.5, 9.0}), ko::Direction::kMinimize));
  // Step 3 is rung 1.
  CHECK(sha.prune(trials, running_trial(6, {0.5, 9.0, 9.0}), ko::Direction::kMinimize));
  // With min_early_stopping_rate 1 the first rung is step 3.
  CHECK_FALSE(ko::SuccessiveHalvingPruner(1, 3, 1).prune(trials, running_trial(6, {9.0}),
                                                         ko::Direction::kMinimize));
  expect_error<kolosal::InvalidArgument>([] { ko::SuccessiveHalvingPruner bad(1, 1); },
                                         "reduction_factor must be >= 2");
}

TEST_CASE("HyperbandPruner: brackets from the resource range", "[optimizer]") {
  CHECK(ko::HyperbandPruner(1, 81, 3).n_brackets() == 5);
  CHECK(ko::HyperbandPruner(1, 1, 3).n_brackets() == 1);
  expect_error<kolosal::InvalidArgument>([] { ko::HyperbandPruner bad(5, 2, 3); },
                                         "min_resource <= max_resource");
}

TEST_CASE("pruners: a study prunes bad learning curves and stays deterministic", "[optimizer]") {
  ko::SearchSpace space;
  space.add_float("rate", 0.0, 1.0);
  auto run = [&](std::unique_ptr<ko::Pruner> pruner, int threads) {
    ko::Study study(space, nullptr, std::move(pruner),
                    {.direction = ko::Direction::kMinimize, .seed = 9, .batch_size = 3});
    study.optimize(
        [](ko::TrialContext& t) {
          const double rate = t.number("rate");
          double loss = 1.0;
          for (int step = 1; step <= 27; ++step) {
            loss = rate + 1.0 / step;
            t.report(step, loss);
            if (t.should_prune()) throw ko::TrialPruned();
          }
          return loss;
        },
        {.n_trials = 30, .timeout_s = std::nullopt}, {.n_threads = threads, .seed = 0});
    return study.trials();
  };
  for (int kind = 0; kind < 3; ++kind) {
    auto make = [&]() -> std::unique_ptr<ko::Pruner> {
      if (kind == 0) return std::make_unique<ko::MedianPruner>(3, 2);
      if (kind == 1) return std::make_unique<ko::SuccessiveHalvingPruner>(1, 3, 0);
      return std::make_unique<ko::HyperbandPruner>(1, 27, 3);
    };
    const auto a = run(make(), 1);
    const auto b = run(make(), 2);
    std::size_t pruned = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].state == b[i].state);
      CHECK(a[i].intermediate == b[i].intermediate);
      pruned += a[i].state == ko::TrialState::kPruned;
      // Pruned trials are the worse ones: each has a rate above the best complete trial's.
    }
    INFO("pruner " << kind);
    CHECK(pruned > 0);
    CHECK(pruned < a.size());
  }
}

TEST_CASE("pruners: settings round-trip through make_pruner and reject bad keys", "[optimizer]") {
  const ko::HyperbandPruner hb(2, 54, 3);
  const auto again = ko::make_pruner("hyperband", hb.config());
  CHECK(again->name() == "hyperband");
  CHECK(again->config() == hb.config());
  CHECK(dynamic_cast<const ko::HyperbandPruner&>(*again).n_brackets() == 4);
  const ko::SuccessiveHalvingPruner sh(2, 4, 1);
  CHECK(ko::make_pruner("successive_halving", sh.config())->config() == sh.config());
  const ko::PercentilePruner pc(25.0, 4, 2, 3);
  CHECK(ko::make_pruner("percentile", pc.config())->config() == pc.config());
  const ko::MedianPruner md(7, 3);
  const auto md2 = ko::make_pruner("median", md.config());
  CHECK(md2->name() == "median");
  CHECK(md2->config() == md.config());
  CHECK(ko::make_pruner("hyperband", nullptr)->config() == ko::HyperbandPruner().config());
  expect_error<kolosal::InvalidArgument>(
      [] {
        (void)ko::make_pruner("hyperband", {{"eta", 3}});
      },
      "unknown key 'eta' for pruner 'hyperband'");
  expect_error<kolosal::InvalidArgument>([] { (void)ko::make_pruner("asha", nullptr); },
                                         "unknown pruner 'asha'");
  expect_error<kolosal::InvalidArgument>(
      [] {
        (void)ko::make_pruner("hyperband", {{"max_resource", 0}});
      },
      "min_resource");
}

TEST_CASE("pruners: a study resumed from JSON rebuilds its pruner and decides identically",
          "[optimizer]") {
  ko::SearchSpace space;
  space.add_float("rate", 0.0, 1.0);
  const ko::Study::Objective curve = [](ko::TrialContext& t) {
    const double rate = t.number("rate");
    double loss = 1.0;
    for (int step = 1; step <= 27; ++step) {
      loss = rate + 1.0 / step;
      t.report(step, loss);
      if (t.should_prune()) throw ko::TrialPruned();
    }
    return loss;
  };
  for (int kind = 0; kind < 3; ++kind) {
    INFO("pruner " << kind);
    auto make = [&]() -> std::unique_ptr<ko::Pruner> {
      if (kind == 0) return std::make_unique<ko::PercentilePruner>(40.0, 3, 2, 2);
      if (kind == 1) return std::make_unique<ko::SuccessiveHalvingPruner>(1, 3, 1);
      return std::make_unique<ko::HyperbandPruner>(1, 27, 3);
    };
    const ko::StudyOptions options{
        .direction = ko::Direction::kMinimize, .seed = 4, .batch_size = 2};
    ko::Study whole(space, ko::make_sampler("tpe", {{"n_startup_trials", 5}}), make(), options);
    whole.optimize(curve, {.n_trials = 40, .timeout_s = std::nullopt});

    ko::Study first(space, ko::make_sampler("tpe", {{"n_startup_trials", 5}}), make(), options);
    first.optimize(curve, {.n_trials = 20, .timeout_s = std::nullopt});
    const auto saved = first.to_json();
    CHECK(saved["pruner"]["name"] == make()->name());
    CHECK(saved["pruner"]["config"] == make()->config());
    // Neither sampler nor pruner is passed: both come back from the document.
    ko::Study resumed = ko::Study::from_json(nlohmann::json::parse(saved.dump()));
    REQUIRE(resumed.to_json()["pruner"] == saved["pruner"]);
    resumed.optimize(curve, {.n_trials = 20, .timeout_s = std::nullopt});

    const auto a = whole.trials();
    const auto b = resumed.trials();
    REQUIRE(a.size() == b.size());
    std::size_t pruned = 0;
    for (std::size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].values == b[i].values);
      CHECK(a[i].state == b[i].state);
      CHECK(a[i].intermediate == b[i].intermediate);
      pruned += b[i].state == ko::TrialState::kPruned && i >= 20;
    }
    CHECK(pruned > 0);  // the resumed half did prune
  }
  // A document from before pruner configs (a bare name) still loads with default settings.
  ko::Study old(space, nullptr, std::make_unique<ko::HyperbandPruner>());
  auto doc = old.to_json();
  doc["pruner"] = "hyperband";
  CHECK(ko::Study::from_json(doc).to_json()["pruner"]["config"] == ko::HyperbandPruner().config());
}
