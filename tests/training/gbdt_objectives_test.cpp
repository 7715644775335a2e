// SPDX-License-Identifier: MIT
// Tests of the GBDT's robust and count objectives, custom objectives, residual-quantile leaves,
// min_data_in_leaf, column sampling by level and node, GOSS and oblivious trees: finite
// differences, known answers, parity with XGBoost 1.7 and scikit-learn 1.2, determinism.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <numeric>
#include <set>
#include <string>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/metrics/registry.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/gbdt/engine.hpp"

namespace kt = kolosal::training;
using kolosal::Matrix;
using nlohmann::json;

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

struct Problem {
  Matrix<double> x;
  std::vector<double> y;
};

// Signal in the first three features, a few missing values; `kind` 0 real, 1 count, 2 binary.
Problem make_problem(std::size_t n, std::size_t cols, int kind, std::uint64_t seed = 5) {
  kolosal::Rng rng(seed);
  Problem p{Matrix<double>(n, cols), std::vector<double>(n)};
  for (std::size_t r = 0; r < n; ++r) {
    for (std::size_t c = 0; c < cols; ++c) p.x(r, c) = rng.normal();
    const double signal =
        2.0 * p.x(r, 0) - p.x(r, 1) + (p.x(r, 2) > 0.5 ? 1.5 : 0.0) + 0.5 * rng.normal();
    if (rng.bernoulli(0.03)) p.x(r, 1) = kNaN;
    p.y[r] = kind == 0   ? signal
             : kind == 1 ? std::floor(std::exp(0.4 * signal) * 2.0 * rng.uniform())
                         : (signal > 0.3 ? 1.0 : 0.0);
  }
  return p;
}

// The leaf (node index) of row `r` in tree `t` of a node forest.
std::size_t leaf_of(const kt::GbdtForest& forest, std::size_t t, std::span<const double> row) {
  std::size_t id = forest.roots[t];
  while (forest.nodes[id].feature >= 0) {
    const auto& node = forest.nodes[id];
    const double v = row[static_cast<std::size_t>(node.feature)];
    const bool left = std::isnan(v) ? node.default_left != 0 : v <= node.threshold;
    id = static_cast<std::size_t>(node.left) + (left ? 0 : 1);
  }
  return id;
}

double total_loss(const kt::GbdtConfig& cfg, const std::vector<double>& y, double c) {
  double sum = 0.0;
  for (double v : y) sum += kt::gbdt_loss(cfg, std::vector<double>{c}, v);
  return sum;
}

}  // namespace

TEST_CASE("gbdt objectives: robust losses' derivatives match finite differences",
          "[training][gbdt]") {
  constexpr double kStep = 1e-6;
  kolosal::Rng rng(9);
  for (auto objective :
       {kt::GbdtObjective::kAbsoluteError, kt::GbdtObjective::kHuber, kt::GbdtObjective::kQuantile,
        kt::GbdtObjective::kPseudoHuber, kt::GbdtObjective::kPoisson}) {
    INFO(kolosal::config::enum_name(objective));
    const kt::GbdtConfig cfg{.objective = objective, .huber_delta = 0.8, .quantile_alpha = 0.3};
    for (int trial = 0; trial < 200; ++trial) {
      const double f = rng.normal(0.0, 2.0);
      const double y = objective == kt::GbdtObjective::kPoisson
                           ? static_cast<double>(rng.uniform_index(8))
                           : rng.normal(0.0, 2.0);
      if (std::abs(f - y) < 1e-3) continue;  // the kinks of the piecewise losses
      std::vector<double> grad(1);
      std::vector<double> hess(1);
      kt::gbdt_gradients(cfg, 1, std::vector<double>{f}, std::vector<double>{y}, grad, hess);
      const double numeric = (kt::gbdt_loss(cfg, std::vector<double>{f + kStep}, y) -
                              kt::gbdt_loss(cfg, std::vector<double>{f - kStep}, y)) /
                             (2 * kStep);
      CHECK(grad[0] == Approx(numeric).epsilon(1e-6).margin(1e-6));
      std::vector<double> gp(1), hp(1), gm(1), hm(1);
      kt::gbdt_gradients(cfg, 1, std::vector<double>{f + kStep}, std::vector<double>{y}, gp, hp);
      kt::gbdt_gradients(cfg, 1, std::vector<double>{f - kStep}, std::vector<double>{y}, gm, hm);
      const double curvature = (gp[0] - gm[0]) / (2 * kStep);
      switch (objective) {
        case kt::GbdtObjective::kAbsoluteError:
        case kt::GbdtObjective::kQuantile:
          // Piecewise linear: zero curvature; the unit hessian is XGBoost's and LightGBM's.
          CHECK(curvature == Approx(0.0).margin(1e-6));
          CHECK(hess[0] == 1.0);
          break;
        case kt::GbdtObjective::kHuber:
          // Exact inside the quadratic zone; LightGBM's unit hessian outside.
          CHECK(hess[0] == 1.0);
          if (std::abs(f - y) < 0.8 - 1e-3) CHECK(curvature == Approx(1.0).epsilon(1e-5));
          break;
        case kt::GbdtObjective::kPoisson:
          // XGBoost's safeguard: exp(f + 0.7) = e^0.7 times the exact exp(f).
          CHECK(hess[0] == Approx(std::exp(0.7) * curvature).epsilon(1e-5));
          break;
        default:
          CHECK(hess[0] == Approx(curvature).epsilon(1e-5).margin(1e-8));
          break;
      }
    }
  }
  // Known values.
  const kt::GbdtConfig q{.objective = kt::GbdtObjective::kQuantile, .quantile_alpha = 0.3};
  CHECK(kt::gbdt_loss(q, std::vector<double>{1.0}, 3.0) == Approx(0.6));
  CHECK(kt::gbdt_loss(q, std::vector<double>{3.0}, 1.0) == Approx(1.4));
  const kt::GbdtConfig h{.objective = kt::GbdtObjective::kHuber, .huber_delta = 2.0};
  CHECK(kt::gbdt_loss(h, std::vector<double>{1.0}, 0.0) == 0.5);
  CHECK(kt::gbdt_loss(h, std::vector<double>{5.0}, 0.0) == 8.0);
  std::vector<double> g(1), hs(1);
  CHECK_THROWS_AS(kt::gbdt_gradients(kt::GbdtConfig{.objective = kt::GbdtObjective::kCustom}, 1,
                                     std::vector<double>{0.0}, std::vector<double>{0.0}, g, hs),
                  kolosal::InvalidArgument);
}

TEST_CASE("gbdt objectives: the starting score is each loss's optimum", "[training][gbdt]") {
  const std::vector<double> y{4, -1, 7, 2, 30, 0};
  const std::vector<double> none;
  const auto base = [&](kt::GbdtObjective o, const std::vector<double>& w = {}) {
    return kt::gbdt_detail::base_score(
        kt::GbdtConfig{.objective = o, .huber_delta = 1.5, .quantile_alpha = 0.75}, 1, y, w)[0];
  };
  CHECK(base(kt::GbdtObjective::kSquaredError) == Approx(42.0 / 6.0));
  CHECK(base(kt::GbdtObjective::kAbsoluteError) == 3.0);  // sorted -1 0 2 4 7 30: (2 + 4) / 2
  CHECK(base(kt::GbdtObjective::kQuantile) == 6.25);      // 4 + 0.75 (7 - 4) at 0.75 * 5
  CHECK(kt::gbdt_detail::base_score(kt::GbdtConfig{.objective = kt::GbdtObjective::kPoisson}, 1,
                                    std::vector<double>{0, 3, 9},
                                    none)[0] == Approx(std::log(4.0)).epsilon(1e-15));
  // Weighted: the lowest value whose cumulative weight reaches half the total.
  CHECK(base(kt::GbdtObjective::kAbsoluteError, {1, 1, 1, 1, 1, 10}) == 0.0);
  for (auto o : {kt::GbdtObjective::kHuber, kt::GbdtObjective::kPseudoHuber}) {
    const kt::GbdtConfig cfg{.objective = o, .huber_delta = 1.5};
    const double c = base(o);
    CHECK(total_loss(cfg, y, c) < total_loss(cfg, y, c + 1e-4));
    CHECK(total_loss(cfg, y, c) < total_loss(cfg, y, c - 1e-4));
  }
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] {
        (void)kt::gbdt_detail::base_score(kt::GbdtConfig{.objective = kt::GbdtObjective::kPoisson},
                                          1, std::vector<double>{1, -2}, none);
      },
      "needs y >= 0");
  // Residual quantiles: XGBoost's interpolation and the lower weighted percentile.
  std::vector<std::pair<double, double>> v{{4, 1}, {1, 1}, {3, 1}, {2, 1}};
  CHECK(kt::gbdt_detail::residual_quantile(v, 0.5, true) == 2.5);
  CHECK(kt::gbdt_detail::residual_quantile(v, 0.75, true) == 3.25);
  CHECK(kt::gbdt_detail::residual_quantile(v, 0.5, false) == 2.0);
  CHECK(kt::gbdt_detail::residual_quantile(v, 0.75, false) == 3.0);
  std::vector<std::pair<double, double>> odd{{5, 1}, {-1, 1}, {2, 1}};
  CHECK(kt::gbdt_detail::residual_quantile(odd, 0.5, true) == 2.0);
}

TEST_CASE("gbdt objectives: absolute error and quantile leaves hold residual quantiles",
          "[training][gbdt]") {
  const auto p = make_problem(500, 3, 0);
  for (auto objective : {kt::GbdtObjective::kAbsoluteError, kt::GbdtObjective::kQuantile}) {
    INFO(kolosal::config::enum_name(objective));
    const kt::GbdtConfig cfg{.objective = objective,
                             .n_estimators = 1,
                             .learning_rate = 0.5,
                             .max_depth = 2,
                             .quantile_alpha = 0.8};
    kt::Gbdt model(cfg);
    model.fit(p.x.view(), p.y);
    const auto& forest = model.forest();
    const double base = forest.base_score[0];
    std::map<std::size_t, std::vector<std::pair<double, double>>> residuals;
    for (std::size_t r = 0; r < p.y.size(); ++r) {
      residuals[leaf_of(forest, 0, p.x.row(r))].push_back({p.y[r] - base, 1.0});
    }
    CHECK(residuals.size() == 4);
    for (auto& [leaf, values] : residuals) {
      std::sort(values.begin(), values.end());
      double expected = 0.0;
      if (objective == kt::GbdtObjective::kAbsoluteError) {
        const std::size_t m = values.size();
        expected = m % 2 == 1 ? values[m / 2].first
                              : (values[m / 2 - 1].first + values[m / 2].first) / 2.0;
      } else {
        const double position = 0.8 * static_cast<double>(values.size() - 1);
        const auto at = static_cast<std::size_t>(position);
        expected = values[at].first +
                   (position - static_cast<double>(at)) * (values[at + 1].first - values[at].first);
      }
      CHECK(forest.nodes[leaf].threshold == Approx(0.5 * expected).epsilon(1e-12));
    }
    // The fitted quantile: about 80% of the targets below it after a few rounds.
    if (objective == kt::GbdtObjective::kQuantile) {
      kt::Gbdt more(
          {.objective = objective, .n_estimators = 50, .max_depth = 3, .quantile_alpha = 0.8});
      more.fit(p.x.view(), p.y);
      const auto pred = more.predict(p.x.view());
      std::size_t below = 0;
      for (std::size_t r = 0; r < p.y.size(); ++r) below += p.y[r] <= pred[r] ? 1 : 0;
      CHECK(static_cast<double>(below) / static_cast<double>(p.y.size()) ==
            Approx(0.8).margin(0.05));
    }
  }
}

TEST_CASE("gbdt objectives: predictions match XGBoost 1.7 and scikit-learn 1.2",
          "[training][gbdt]") {
  std::ifstream in(kolosal::test::reference_path("gbdt_objectives.json"));
  const json ref = json::parse(in);
  const auto& params = ref["params"];
  const std::size_t n_train = ref["n_train"];
  for (const auto& c : ref["cases"]) {
    const std::string objective = c["objective"];
    INFO(objective << " against " << c["peer"].get<std::string>());
    const auto rows = c["x"].get<std::vector<std::vector<double>>>();
    const auto y = c["y"].get<std::vector<double>>();
    Matrix<double> train(n_train, rows[0].size());
    Matrix<double> test(rows.size() - n_train, rows[0].size());
    for (std::size_t r = 0; r < rows.size(); ++r) {
      auto dest = r < n_train ? train.row(r) : test.row(r - n_train);
      std::copy(rows[r].begin(), rows[r].end(), dest.begin());
    }
    json cfg{{"objective", objective},
             {"n_estimators", params["rounds"]},
             {"learning_rate", c.value("eta", params["eta"].get<double>())},
             {"max_depth", params["max_depth"]},
             {"lambda", params["lambda"]},
             {"min_child_weight", params["min_child_weight"]},
             {"max_bin", params["max_bin"]}};
    if (c.contains("huber_delta")) cfg["huber_delta"] = c["huber_delta"];
    if (c.contains("quantile_alpha")) cfg["quantile_alpha"] = c["quantile_alpha"];
    auto model = kt::make_model("gbdt", cfg);
    model->fit(train.view(), std::span<const double>(y).first(n_train));
    const auto& gbdt = dynamic_cast<const kt::Gbdt&>(*model);
    const auto base = c["base_score"].get<std::vector<double>>();
    for (std::size_t k = 0; k < base.size(); ++k) {
      CHECK(gbdt.forest().base_score[k] == Approx(base[k]).epsilon(1e-7));
    }
    if (c.contains("sklearn_baseline")) CHECK(base[0] == c["sklearn_baseline"].get<double>());
    const auto expected = c["pred"].get<std::vector<double>>();
    std::vector<double> got;
    if (objective == "softmax") {
      const auto proba = model->predict_proba(test.view());
      got.assign(proba.values().begin(), proba.values().end());
    } else {
      got = model->predict(test.view());
    }
    REQUIRE(got.size() == expected.size());
    double worst = 0.0;
    for (std::size_t i = 0; i < got.size(); ++i) {
      worst = std::max(worst, std::abs(got[i] - expected[i]) / (1.0 + std::abs(expected[i])));
    }
    UNSCOPED_INFO("largest relative difference " << worst);
    CHECK(worst < 1e-5);  // XGBoost's float32 gradients and scores
  }
}
