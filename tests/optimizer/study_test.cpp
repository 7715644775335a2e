// SPDX-License-Identifier: MIT
// Tests of Study: ask/tell, trial states, budgets, batches, determinism and save/resume.
#include "kolosal/optimizer/study.hpp"

#include <stdexcept>

#include "kolosal/core/error.hpp"
#include "kolosal/optimizer/pruners.hpp"
#include "kolosal/optimizer/samplers.hpp"

#include "benchmark_functions.hpp"
#include "test_util.hpp"

namespace ko = kolosal::optimizer;
using kolosal::test::expect_error;
using nlohmann::json;

namespace {

void check_same_trials(const std::vector<ko::Trial>& a, const std::vector<ko::Trial>& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("trial " << i);
    CHECK(a[i].state == b[i].state);
    CHECK(a[i].value == b[i].value);
    REQUIRE(a[i].values.size() == b[i].values.size());
    for (std::size_t k = 0; k < a[i].values.size(); ++k) {
      const bool both_nan = std::isnan(a[i].values[k]) && std::isnan(b[i].values[k]);
      CHECK((both_nan || a[i].values[k] == b[i].values[k]));
    }
  }
}

}  // namespace

TEST_CASE("Study: ask/tell tracks states and the best trial", "[optimizer]") {
  ko::Study study(kolosal::test::branin_space(), nullptr, nullptr,
                  {.direction = ko::Direction::kMaximize, .seed = 3, .batch_size = 1});
  const std::size_t a = study.ask().number;
  const std::size_t b = study.ask().number;
  const std::size_t c = study.ask().number;
  const std::size_t d = study.ask().number;
  CHECK(study.trial(a).state == ko::TrialState::kRunning);
  study.tell(a, 1.0);
  study.tell(b, 5.0);
  study.report(c, 1, 0.5);
  study.tell_pruned(c);
  study.tell(d, std::numeric_limits<double>::quiet_NaN());
  CHECK(study.trial(c).state == ko::TrialState::kPruned);
  CHECK(study.trial(d).state == ko::TrialState::kFailed);
  CHECK(study.best_trial().number == b);
  CHECK(study.best_value() == 5.0);
  CHECK(study.best_params().size() == 2);
  expect_error<kolosal::InvalidArgument>([&] { study.tell(a, 2.0); },
                                         "trial 0 is already complete");
  expect_error<kolosal::InvalidArgument>([&] { study.tell(99, 2.0); }, "no trial 99");
  const std::size_t e = study.ask().number;
  study.report(e, 3, 1.0);
  expect_error<kolosal::InvalidArgument>([&] { study.report(e, 2, 1.0); }, "steps must increase");
  ko::Study empty(kolosal::test::branin_space());
  expect_error<kolosal::InvalidArgument>([&] { (void)empty.best_trial(); }, "no trial is complete");
  expect_error<kolosal::InvalidArgument>([] { ko::Study bad{ko::SearchSpace{}}; },
                                         "search space is empty");
}

TEST_CASE("Study: optimize honours budgets and records failures and pruning", "[optimizer]") {
  ko::Study study(kolosal::test::branin_space());
  int calls = 0;
  study.optimize(
      [&](ko::TrialContext& t) -> double {
        ++calls;
        if (t.number() == 3) throw std::runtime_error("boom");
        if (t.number() == 4) throw ko::TrialPruned();
        if (t.number() == 5) return std::numeric_limits<double>::quiet_NaN();
        return kolosal::test::branin_objective(t);
      },
      {.n_trials = 12, .timeout_s = std::nullopt}, {.n_threads = 1, .seed = 1});
  CHECK(calls == 12);
  CHECK(study.n_trials() == 12);
  CHECK(study.trial(3).state == ko::TrialState::kFailed);
  CHECK(study.trial(3).message == "boom");
  CHECK(study.trial(4).state == ko::TrialState::kPruned);
  CHECK(study.trial(5).state == ko::TrialState::kFailed);
  // A zero timeout runs nothing more.
  study.optimize(kolosal::test::branin_objective, {.n_trials = 10, .timeout_s = 0.0});
  CHECK(study.n_trials() == 12);
}

TEST_CASE("Study: same seed gives bit-identical trials for any thread count", "[optimizer]") {
  auto run = [](int threads) {
    ko::Study study(kolosal::test::branin_space(), ko::make_sampler("tpe", nullptr), nullptr,
                    {.direction = ko::Direction::kMinimize, .seed = 11, .batch_size = 4});
    study.optimize(kolosal::test::branin_objective, {.n_trials = 40, .timeout_s = std::nullopt},
                   {.n_threads = threads, .seed = 0});
    return study.trials();
  };
  const auto one = run(1);
  const auto two = run(2);
  check_same_trials(one, two);
}

TEST_CASE("Study: a batch spreads out through the constant liar", "[optimizer]") {
  ko::Study study(kolosal::test::branin_space(), ko::make_sampler("tpe", nullptr));
  study.optimize(kolosal::test::branin_objective, {.n_trials = 20, .timeout_s = std::nullopt});
  const auto batch = study.ask_batch(4);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    for (std::size_t j = i + 1; j < batch.size(); ++j) {
      CHECK(study.trial(batch[i]).values != study.trial(batch[j]).values);
    }
  }
}

TEST_CASE("Study: save, load and resume continue exactly where the run stopped", "[optimizer]") {
  for (const std::string sampler : {"random", "sobol", "tpe", "grid", "cmaes", "asht"}) {
    INFO(sampler);
    ko::StudyOptions options{.direction = ko::Direction::kMinimize, .seed = 5, .batch_size = 1};
    ko::Study full(kolosal::test::branin_space(), ko::make_sampler(sampler, nullptr), nullptr,
                   options);
    full.optimize(kolosal::test::branin_objective, {.n_trials = 30, .timeout_s = std::nullopt});

    ko::Study first(kolosal::test::branin_space(), ko::make_sampler(sampler, nullptr), nullptr,
                    options);
    first.optimize(kolosal::test::branin_objective, {.n_trials = 17, .timeout_s = std::nullopt});
    kolosal::test::TempDir dir;
    first.save(dir / "study.json");
    ko::Study resumed = ko::Study::load(dir / "study.json");
    CHECK(resumed.sampler().name() == sampler);
    resumed.optimize(kolosal::test::branin_objective, {.n_trials = 13, .timeout_s = std::nullopt});
    check_same_trials(full.trials(), resumed.trials());
  }
}

TEST_CASE("Study: JSON keeps states, values and intermediate reports", "[optimizer]") {
  ko::Study study(kolosal::test::branin_space());
  const auto a = study.ask().number;
  study.report(a, 1, 3.0);
  study.report(a, 2, 2.0);
  study.tell(a, 1.5);
  const auto b = study.ask().number;  // left running: comes back failed ("interrupted")
  const json j = json::parse(study.to_json().dump());
  const ko::Study back = ko::Study::from_json(j);
  REQUIRE(back.n_trials() == 2);
  CHECK(back.trial(a).intermediate.size() == 2);
  CHECK(back.trial(a).intermediate_at(1) == 3.0);
  CHECK(back.trial(a).value == 1.5);
  CHECK(back.trial(b).state == ko::TrialState::kFailed);
  CHECK(back.trial(b).message == "interrupted");
  json broken = j;
  broken["trials"][0]["state"] = "sleeping";
  expect_error<kolosal::SerializationError>([&] { (void)ko::Study::from_json(broken); },
                                            "unknown trial state 'sleeping'");
  broken = j;
  broken["trials"][0]["params"]["x1"] = 99.0;
  expect_error<kolosal::SerializationError>([&] { (void)ko::Study::from_json(broken); },
                                            "'x1' value 99 is outside its domain");
  broken = j;
  broken["sampler"]["name"] = "annealing";
  expect_error<kolosal::SerializationError>([&] { (void)ko::Study::from_json(broken); },
                                            "unknown sampler 'annealing'");
}

TEST_CASE("Study: enqueue runs a given configuration", "[optimizer]") {
  ko::Study study(kolosal::test::branin_space());
  const auto& t = study.enqueue({std::numbers::pi, 2.275});
  study.tell(t.number, kolosal::test::branin(std::numbers::pi, 2.275));
  CHECK(study.best_value() == Approx(0.397887).margin(1e-5));
  expect_error<kolosal::InvalidArgument>([&] { study.enqueue({0.0}); },
                                         "expected 2 parameter values, got 1");
}
