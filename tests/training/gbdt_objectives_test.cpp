// SPDX-License-Identifier: MIT
// Tests of the GBDT's robust and count objectives, custom objectives, residual-quantile leaves,
// min_data_in_leaf, column sampling by level and node, GOSS and oblivious trees: finite
// differences, known answers, parity with XGBoost 1.7 and scikit-learn 1.2, determinism.
#include <algorithm>
#include <bit>
#include <cmath>
#include <fstream>
#include <limits>
#include <map>
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

TEST_CASE("gbdt objectives: a custom objective equal to squared error gives the same model",
          "[training][gbdt]") {
  auto p = make_problem(800, 4, 0);
  // Targets in pairs (v, -v), so the built-in mean starting score is exactly the custom 0.
  for (std::size_t r = 0; r + 1 < p.y.size(); r += 2) {
    p.y[r + 1] = -p.y[r];
    for (std::size_t c = 0; c < 4; ++c) p.x(r + 1, c) = -p.x(r, c);
  }
  const kt::GbdtConfig cfg{.n_estimators = 15, .max_depth = 4};
  kt::Gbdt builtin(cfg);
  builtin.fit(p.x.view(), p.y);
  REQUIRE(builtin.forest().base_score[0] == 0.0);
  int calls = 0;
  kt::Gbdt custom(cfg, [&](std::span<const double> raw, std::span<const double> y,
                           std::span<double> grad, std::span<double> hess) {
    ++calls;
    for (std::size_t i = 0; i < y.size(); ++i) {
      grad[i] = raw[i] - y[i];
      hess[i] = 1.0;
    }
  });
  CHECK(custom.gbdt_config().objective == kt::GbdtObjective::kCustom);
  CHECK_FALSE(custom.is_classifier());
  custom.fit(p.x.view(), p.y);
  CHECK(calls == 15);
  CHECK(custom.predict(p.x.view()) == builtin.predict(p.x.view()));
  CHECK(custom.state() == builtin.state());
  // Saved and loaded, it still predicts; refitting needs the callback again.
  const auto loaded = kt::model_from_json(json::parse(kt::model_to_json(custom).dump()));
  CHECK(loaded->predict(p.x.view()) == custom.predict(p.x.view()));
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { loaded->fit(p.x.view(), p.y); },
                                                        "objective custom needs a callback");
  kt::Gbdt broken(cfg, [](std::span<const double>, std::span<const double>, std::span<double> grad,
                          std::span<double> hess) {
    std::fill(grad.begin(), grad.end(), kNaN);
    std::fill(hess.begin(), hess.end(), 1.0);
  });
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { broken.fit(p.x.view(), p.y); },
                                                        "the custom objective gave gradient");
}

TEST_CASE("gbdt sampling: min_data_in_leaf bounds every leaf's rows", "[training][gbdt]") {
  const auto p = make_problem(600, 4, 0);
  for (auto growth : {kt::GbdtGrowth::kDepthwise, kt::GbdtGrowth::kLeafwise}) {
    kt::Gbdt model({.growth = growth,
                    .n_estimators = 5,
                    .max_depth = 8,
                    .num_leaves = 40,
                    .min_child_weight = 0.0,
                    .min_data_in_leaf = 37});
    model.fit(p.x.view(), p.y);
    const auto& forest = model.forest();
    std::size_t smallest = p.y.size();
    for (std::size_t t = 0; t < forest.n_trees(); ++t) {
      std::map<std::size_t, std::size_t> counts;
      for (std::size_t r = 0; r < p.y.size(); ++r) ++counts[leaf_of(forest, t, p.x.row(r))];
      CHECK(counts.size() > 4);
      for (const auto& [leaf, count] : counts) smallest = std::min(smallest, count);
    }
    CHECK(smallest >= 37);
    CHECK(smallest < 2 * 37);  // the bound binds
  }
  kt::Gbdt all({.n_estimators = 1, .min_data_in_leaf = 301});
  all.fit(p.x.view(), p.y);
  CHECK(all.forest().nodes.size() == 1);
}

TEST_CASE("gbdt sampling: column draws per level and per node compose", "[training][gbdt]") {
  const auto p = make_problem(2000, 8, 0);
  // Level sampling: every node of a depth-wise level splits on the level's draw.
  const kt::GbdtConfig base{.n_estimators = 12, .max_depth = 3, .min_child_weight = 0.0};
  auto by_level = base;
  by_level.colsample_bytree = 0.5;
  by_level.colsample_bylevel = 0.5;  // 2 of the tree's 4 features per level
  kt::Gbdt level_model(by_level);
  level_model.set_context({.n_threads = 1, .seed = 3});
  level_model.fit(p.x.view(), p.y);
  const auto& forest = level_model.forest();
  std::set<int> all_features;
  for (std::size_t t = 0; t < forest.n_trees(); ++t) {
    const std::size_t end = t + 1 < forest.n_trees() ? forest.roots[t + 1] : forest.nodes.size();
    std::vector<std::set<int>> per_level(3);
    std::set<int> per_tree;
    // Nodes of one tree with their depths, by walking from the root.
    std::vector<std::pair<std::size_t, std::size_t>> stack{{forest.roots[t], 0}};
    while (!stack.empty()) {
      const auto [id, depth] = stack.back();
      stack.pop_back();
      const auto& node = forest.nodes[id];
      if (node.feature < 0) continue;
      per_level[depth].insert(node.feature);
      per_tree.insert(node.feature);
      all_features.insert(node.feature);
      stack.push_back({static_cast<std::size_t>(node.left), depth + 1});
      stack.push_back({static_cast<std::size_t>(node.left) + 1, depth + 1});
    }
    CHECK(end > forest.roots[t]);
    for (const auto& level : per_level) CHECK(level.size() <= 2);
    CHECK(per_tree.size() <= 4);
  }
  CHECK(all_features.size() >= 5);  // different draws across trees
  // Node sampling with one feature per node: nodes of a level disagree somewhere.
  auto by_node = base;
  by_node.colsample_bynode = 0.125;
  kt::Gbdt node_model(by_node);
  node_model.fit(p.x.view(), p.y);
  bool differs = false;
  const auto& nf = node_model.forest();
  for (std::size_t t = 0; t < nf.n_trees(); ++t) {
    const auto& root = nf.nodes[nf.roots[t]];
    if (root.feature < 0) continue;
    const auto& a = nf.nodes[static_cast<std::size_t>(root.left)];
    const auto& b = nf.nodes[static_cast<std::size_t>(root.left) + 1];
    differs = differs || (a.feature >= 0 && b.feature >= 0 && a.feature != b.feature);
  }
  CHECK(differs);
  // Draws of 1.0 change nothing.
  auto full = base;
  full.colsample_bylevel = 1.0;
  full.colsample_bynode = 1.0;
  kt::Gbdt plain(base);
  kt::Gbdt same(full);
  plain.fit(p.x.view(), p.y);
  same.fit(p.x.view(), p.y);
  CHECK(plain.state() == same.state());
}

TEST_CASE("gbdt sampling: GOSS keeps the top gradients and amplifies the rest",
          "[training][gbdt]") {
  const auto train = make_problem(6000, 6, 2, 1);
  const auto test = make_problem(2000, 6, 2, 2);
  const kt::GbdtConfig cfg{.objective = kt::GbdtObjective::kBinaryLogloss,
                           .n_estimators = 60,
                           .learning_rate = 0.2,
                           .max_depth = 4};
  // Rates summing to 1 draw every row with weight (1 - a) / b = 1: the unsampled model exactly.
  auto whole = cfg;
  whole.sampling = kt::GbdtSampling::kGoss;
  whole.goss_top_rate = 0.25;
  whole.goss_other_rate = 0.75;
  kt::Gbdt plain(cfg);
  kt::Gbdt everything(whole);
  plain.fit(train.x.view(), train.y);
  everything.fit(train.x.view(), train.y);
  CHECK(everything.state() == plain.state());
  // The default rates (0.2, 0.1) train on 30% of the rows yet score close to the full model.
  auto goss = cfg;
  goss.sampling = kt::GbdtSampling::kGoss;
  kt::Gbdt sampled(goss);
  sampled.fit(train.x.view(), train.y);
  CHECK(sampled.state() != plain.state());
  const auto labels = std::vector<int>(test.y.begin(), test.y.end());
  const double full_auc =
      kolosal::metrics::score("roc_auc", labels, plain.predict_proba(test.x.view()).view());
  const double goss_auc =
      kolosal::metrics::score("roc_auc", labels, sampled.predict_proba(test.x.view()).view());
  UNSCOPED_INFO("auc full " << full_auc << " goss " << goss_auc);
  CHECK(goss_auc > full_auc - 0.01);
  // Without amplification the sampled rows would be outweighed: the rate matters.
  auto unbalanced = goss;
  unbalanced.goss_other_rate = 0.5;
  kt::Gbdt other(unbalanced);
  other.fit(train.x.view(), train.y);
  CHECK(other.state() != sampled.state());
}

TEST_CASE("gbdt sampling: every new option is bit-identical for any thread count",
          "[training][gbdt]") {
  const auto p = make_problem(30000, 6, 0);
  std::vector<kt::GbdtConfig> configs{{.n_estimators = 15,
                                       .max_depth = 5,
                                       .colsample_bytree = 0.8,
                                       .min_data_in_leaf = 20,
                                       .colsample_bylevel = 0.7,
                                       .colsample_bynode = 0.6,
                                       .sampling = kt::GbdtSampling::kGoss},
                                      {.objective = kt::GbdtObjective::kQuantile,
                                       .growth = kt::GbdtGrowth::kLeafwise,
                                       .n_estimators = 8,
                                       .max_depth = 0,
                                       .num_leaves = 20,
                                       .subsample = 0.7,
                                       .quantile_alpha = 0.3,
                                       .colsample_bynode = 0.5},
                                      {.objective = kt::GbdtObjective::kHuber,
                                       .growth = kt::GbdtGrowth::kOblivious,
                                       .n_estimators = 10,
                                       .max_depth = 5,
                                       .colsample_bylevel = 0.5,
                                       .sampling = kt::GbdtSampling::kGoss}};
  for (const auto& cfg : configs) {
    INFO(kolosal::config::to_json(cfg).dump());
    std::vector<json> states;
    for (int threads : {1, 2}) {
      kt::Gbdt model(cfg);
      model.set_context({.n_threads = threads, .seed = 21});
      model.fit(p.x.view(), p.y);
      states.push_back(model.state());
    }
    CHECK(states[0] == states[1]);
  }
}

TEST_CASE("gbdt oblivious: trees are symmetric and evaluated from comparison bits",
          "[training][gbdt]") {
  // Known answer: y = 10 x0 + 5 x1 on the four corners; depth 2 puts x0 first (larger gain).
  Matrix<double> x(4, 2);
  const std::vector<double> corners{0, 0, 0, 1, 1, 0, 1, 1};
  for (std::size_t i = 0; i < corners.size(); ++i) x(i / 2, i % 2) = corners[i];
  const std::vector<double> y{0, 5, 10, 15};
  kt::Gbdt stump({.growth = kt::GbdtGrowth::kOblivious,
                  .n_estimators = 1,
                  .learning_rate = 1.0,
                  .max_depth = 2,
                  .lambda = 0.0,
                  .min_child_weight = 0.0});
  stump.fit(x.view(), y);
  const auto& f = stump.forest();
  REQUIRE(f.oblivious);
  REQUIRE(f.n_trees() == 1);
  CHECK(f.depth[0] == 2);
  CHECK(f.levels[0].feature == 0);
  CHECK(f.levels[0].threshold == 0.5);
  CHECK(f.levels[1].feature == 1);
  CHECK(f.base_score[0] == 7.5);
  CHECK(f.leaf_values == std::vector<double>{-7.5, -2.5, 2.5, 7.5});
  CHECK(stump.predict(x.view()) == y);

  // The shared split maximises the summed gain even where a node alone would choose otherwise:
  // in the left half only x2 matters, in the right half x1 matters twice as much; x1 wins.
  Matrix<double> z(8, 3);
  std::vector<double> target(8);
  for (std::size_t r = 0; r < 8; ++r) {
    const double a = static_cast<double>(r >> 2);
    const double b = static_cast<double>((r >> 1) & 1);
    const double c = static_cast<double>(r & 1);
    z(r, 0) = a;
    z(r, 1) = b;
    z(r, 2) = c;
    target[r] = a == 0.0 ? 3.0 * c : 20.0 + 8.0 * b;
  }
  kt::Gbdt shared({.growth = kt::GbdtGrowth::kOblivious,
                   .n_estimators = 1,
                   .learning_rate = 1.0,
                   .max_depth = 2,
                   .lambda = 0.0,
                   .min_child_weight = 0.0});
  shared.fit(z.view(), target);
  CHECK(shared.forest().levels[0].feature == 0);
  // x1 cuts the squared error by 64 in the right half, x2 by 9 in the left: the level takes x1
  // although the left node alone would take x2.
  CHECK(shared.forest().levels[1].feature == 1);
  kt::Gbdt greedy({.n_estimators = 1,
                   .learning_rate = 1.0,
                   .max_depth = 2,
                   .lambda = 0.0,
                   .min_child_weight = 0.0});
  greedy.fit(z.view(), target);
  const auto& g = greedy.forest();
  CHECK(g.nodes[static_cast<std::size_t>(g.nodes[0].left)].feature == 2);  // the left half's own

  // Deeper trees with missing values: batch, single-row and saved paths agree.
  const auto p = make_problem(3000, 5, 0);
  kt::Gbdt deep({.growth = kt::GbdtGrowth::kOblivious, .n_estimators = 20, .max_depth = 6});
  deep.fit(p.x.view(), p.y);
  const auto& d = deep.forest();
  for (std::size_t t = 0; t < d.n_trees(); ++t) {
    CHECK(d.leaf_begin[t] + (std::size_t{1} << d.depth[t]) <=
          (t + 1 < d.n_trees() ? d.leaf_begin[t + 1] : d.leaf_values.size()));
  }
  const auto batch = deep.predict(p.x.view());
  std::vector<double> one(1);
  for (std::size_t r = 0; r < p.y.size(); r += 7) {
    deep.predict_raw_row(p.x.row(r), one);
    CHECK(one[0] == batch[r]);
  }
  const auto loaded = kt::model_from_json(json::parse(kt::model_to_json(deep).dump()));
  CHECK(loaded->predict(p.x.view()) == batch);
  const json good = deep.state();
  auto state = good;
  state["learned"]["level_feature"][0] = 99;
  CHECK_THROWS_AS(deep.load_state(state), kolosal::SerializationError);
  state = good;
  state["learned"]["depth"][0] = 7;
  CHECK_THROWS_AS(deep.load_state(state), kolosal::SerializationError);
}

TEST_CASE("gbdt oblivious: quality near depth-wise trees and the catboost preset",
          "[training][gbdt]") {
  std::ifstream in(kolosal::test::data_path("diabetes.csv"));
  std::string line;
  std::getline(in, line);
  std::vector<std::vector<double>> rows;
  while (std::getline(in, line)) {
    std::vector<double> row;
    std::size_t start = 0;
    while (start <= line.size()) {
      const std::size_t comma = std::min(line.find(',', start), line.size());
      row.push_back(std::stod(line.substr(start, comma - start)));
      start = comma + 1;
    }
    rows.push_back(row);
  }
  const std::size_t cols = rows[0].size() - 1;
  std::vector<std::size_t> train_rows;
  std::vector<std::size_t> test_rows;
  for (std::size_t r = 0; r < rows.size(); ++r) (r % 4 == 0 ? test_rows : train_rows).push_back(r);
  const auto take = [&](const std::vector<std::size_t>& which, Matrix<double>& xs,
                        std::vector<double>& ys) {
    xs = Matrix<double>(which.size(), cols);
    for (std::size_t i = 0; i < which.size(); ++i) {
      std::copy(rows[which[i]].begin(), rows[which[i]].begin() + static_cast<std::ptrdiff_t>(cols),
                xs.row(i).begin());
      ys.push_back(rows[which[i]][cols]);
    }
  };
  Matrix<double> xtr, xte;
  std::vector<double> ytr, yte;
  take(train_rows, xtr, ytr);
  take(test_rows, xte, yte);
  const auto rmse = [&](kolosal::Model& m) {
    m.fit(xtr.view(), ytr);
    return kolosal::metrics::score("root_mean_squared_error", yte, m.predict(xte.view()));
  };
  kt::Gbdt depthwise({.n_estimators = 100, .learning_rate = 0.05, .max_depth = 3});
  kt::Gbdt oblivious({.growth = kt::GbdtGrowth::kOblivious,
                      .n_estimators = 100,
                      .learning_rate = 0.05,
                      .max_depth = 3});
  const double a = rmse(depthwise);
  const double b = rmse(oblivious);
  UNSCOPED_INFO("diabetes rmse depth-wise " << a << " oblivious " << b);
  CHECK(b < a * 1.05);
  auto catboost = kt::make_model("catboost");
  CHECK(catboost->config()["growth"] == "oblivious");
  CHECK(catboost->config()["lambda"] == 3.0);
  const double c = rmse(*catboost);
  UNSCOPED_INFO("catboost preset rmse " << c);
  CHECK(c < a * 1.10);
  CHECK(dynamic_cast<const kt::Gbdt&>(*catboost).forest().oblivious);
}

TEST_CASE("gbdt options: new keys round-trip and bad values are rejected by name",
          "[training][gbdt]") {
  const kt::GbdtConfig cfg{.objective = kt::GbdtObjective::kQuantile,
                           .growth = kt::GbdtGrowth::kOblivious,
                           .max_depth = 4,
                           .huber_delta = 2.5,
                           .quantile_alpha = 0.9,
                           .poisson_max_delta_step = 0.3,
                           .min_data_in_leaf = 7,
                           .colsample_bylevel = 0.6,
                           .colsample_bynode = 0.4,
                           .sampling = kt::GbdtSampling::kGoss,
                           .goss_top_rate = 0.3,
                           .goss_other_rate = 0.2};
  const json j = kolosal::config::to_json(cfg);
  CHECK(j["growth"] == "oblivious");
  CHECK(j["sampling"] == "goss");
  CHECK(j["objective"] == "quantile");
  CHECK(kolosal::config::from_json<kt::GbdtConfig>(json::parse(j.dump())) == cfg);
  for (const char* name : {"absolute_error", "huber", "pseudo_huber", "poisson", "custom"}) {
    CHECK(kolosal::config::from_json<kt::GbdtConfig>({{"objective", name}}).objective !=
          kt::GbdtObjective::kSquaredError);
  }
  const std::vector<std::pair<json, std::string>> bad{
      {{{"huber_delta", 0.0}}, "huber_delta"},
      {{{"quantile_alpha", 1.0}}, "quantile_alpha"},
      {{{"quantile_alpha", 0.0}}, "quantile_alpha"},
      {{{"poisson_max_delta_step", -1.0}}, "poisson_max_delta_step"},
      {{{"min_data_in_leaf", -1}}, "min_data_in_leaf"},
      {{{"colsample_bylevel", 0.0}}, "colsample_bylevel"},
      {{{"colsample_bynode", 1.5}}, "colsample_bynode"},
      {{{"sampling", "bagging"}}, "sampling"},
      {{{"goss_top_rate", 1.0}}, "goss_top_rate"},
      {{{"goss_other_rate", 0.0}}, "goss_other_rate"},
      {{{"growth", "symmetric"}}, "growth"}};
  for (const auto& [input, key] : bad) {
    INFO(input.dump());
    kolosal::test::expect_error<kolosal::ConfigError>(
        [&] { (void)kolosal::config::from_json<kt::GbdtConfig>(input); }, key);
  }
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        kolosal::config::validate(
            kt::GbdtConfig{
                .sampling = kt::GbdtSampling::kGoss, .goss_top_rate = 0.6, .goss_other_rate = 0.5},
            "gbdt");
      },
      "goss_top_rate + goss_other_rate");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        kolosal::config::validate(
            kt::GbdtConfig{.subsample = 0.5, .sampling = kt::GbdtSampling::kGoss}, "gbdt");
      },
      "subsample must be 1");
  for (int depth : {0, 17}) {
    kolosal::test::expect_error<kolosal::ConfigError>(
        [&] {
          kolosal::config::validate(
              kt::GbdtConfig{
                  .growth = kt::GbdtGrowth::kOblivious, .max_depth = depth, .num_leaves = 8},
              "gbdt");
        },
        "growth oblivious needs max_depth in [1, 16]");
  }
  // Poisson rejects negative counts when fitting.
  const auto p = make_problem(100, 3, 0);  // make_problem reads three features
  kt::Gbdt poisson({.objective = kt::GbdtObjective::kPoisson});
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { poisson.fit(p.x.view(), p.y); },
                                                        "needs y >= 0");
}

TEST_CASE("gbdt options: every objective and growth saves, loads and clones identically",
          "[training][gbdt]") {
  kolosal::test::TempDir dir;
  for (auto objective : {kt::GbdtObjective::kAbsoluteError, kt::GbdtObjective::kHuber,
                         kt::GbdtObjective::kPseudoHuber, kt::GbdtObjective::kQuantile,
                         kt::GbdtObjective::kPoisson}) {
    for (const char* name : {"gbdt", "lightgbm", "catboost"}) {
      INFO(name << " " << kolosal::config::enum_name(objective));
      const auto p = make_problem(500, 4, objective == kt::GbdtObjective::kPoisson ? 1 : 0, 4);
      auto model = kt::make_model(name, {{"objective", kolosal::config::enum_name(objective)},
                                         {"n_estimators", 6},
                                         {"min_data_in_leaf", 5},
                                         {"colsample_bynode", 0.8}});
      CHECK_FALSE(model->is_classifier());
      model->fit(p.x.view(), p.y);
      const auto path = dir / (std::string(name) + ".json");
      kt::save_model(*model, path);
      const auto loaded = kt::load_model(path);
      CHECK(loaded->predict(p.x.view()) == model->predict(p.x.view()));
      CHECK(loaded->decision_function(p.x.view()) == model->decision_function(p.x.view()));
      CHECK(model->clone()->predict(p.x.view()) == model->predict(p.x.view()));
      if (objective == kt::GbdtObjective::kPoisson) {
        // Predictions are means: exp of the raw score.
        const auto raw = model->decision_function(p.x.view());
        CHECK(model->predict(p.x.view())[0] == std::exp(raw(0, 0)));
      }
    }
  }
}

namespace {

// A stump's problem: one categorical feature with `m` categories (some rows missing), targets
// and weights random.
struct CategoryCase {
  Matrix<double> x;
  std::vector<double> y;
  std::vector<double> w;
};

CategoryCase category_case(std::size_t m, bool missing, std::uint64_t seed) {
  kolosal::Rng rng(seed);
  const std::size_t n = 12 * m + 6;
  CategoryCase c{Matrix<double>(n, 1), std::vector<double>(n), std::vector<double>(n)};
  std::vector<double> effect(m);
  for (auto& e : effect) e = rng.normal(0.0, 2.0);
  for (std::size_t r = 0; r < n; ++r) {
    const bool is_missing = missing && r % 7 == 3;
    const std::size_t cat = r % m;
    // Codes spread out (0, 3, 6, ...) so unused codes lie between them.
    c.x(r, 0) = is_missing ? kNaN : static_cast<double>(3 * cat);
    c.y[r] = (is_missing ? 1.0 : effect[cat]) + rng.normal(0.0, 1.0);
    c.w[r] = 0.5 + rng.uniform();
  }
  return c;
}

// The largest gain G_L^2 / H_L + G_R^2 / H_R - G^2 / H (lambda 0) over every partition of the
// seen categories and side of the missing values; `singletons` only one category against the
// rest.
double brute_force_gain(const CategoryCase& c, double base, bool singletons) {
  std::map<int, std::pair<double, double>> sums;  // code -> (G, H); -1 missing
  double g_total = 0.0;
  double h_total = 0.0;
  for (std::size_t r = 0; r < c.y.size(); ++r) {
    const double v = c.x(r, 0);
    auto& s = sums[std::isnan(v) ? -1 : static_cast<int>(v)];
    s.first += c.w[r] * (base - c.y[r]);
    s.second += c.w[r];
    g_total += c.w[r] * (base - c.y[r]);
    h_total += c.w[r];
  }
  std::vector<std::pair<double, double>> cats;
  std::pair<double, double> missing{0.0, 0.0};
  for (const auto& [code, s] : sums) (code < 0 ? missing : cats.emplace_back(s)) = s;
  const std::size_t m = cats.size();
  double best = 0.0;
  // Every category on one side is a split only against missing values.
  const std::uint64_t last = (std::uint64_t{1} << m) - (missing.second > 0.0 ? 1 : 2);
  for (std::uint64_t mask = 1; mask <= last; ++mask) {
    if (singletons && std::popcount(mask) != 1) continue;
    for (int side = 0; side < 2; ++side) {
      double gl = side == 1 ? missing.first : 0.0;
      double hl = side == 1 ? missing.second : 0.0;
      for (std::size_t i = 0; i < m; ++i) {
        if ((mask >> i) & 1) {
          gl += cats[i].first;
          hl += cats[i].second;
        }
      }
      const double gr = g_total - gl;
      const double hr = h_total - hl;
      if (hl <= 1e-9 || hr <= 1e-9) continue;
      best = std::max(best, gl * gl / hl + gr * gr / hr - g_total * g_total / h_total);
    }
  }
  return best;
}

}  // namespace

TEST_CASE("gbdt categorical: splits are optimal against every partition", "[training][gbdt]") {
  for (std::size_t m = 2; m <= 9; ++m) {
    for (bool missing : {false, true}) {
      for (std::uint64_t seed = 1; seed <= 3; ++seed) {
        INFO("categories " << m << " missing " << missing << " seed " << seed);
        const auto c = category_case(m, missing, seed * 100 + m);
        for (int onehot : {1, 100}) {
          kt::Gbdt stump({.n_estimators = 1,
                          .learning_rate = 1.0,
                          .max_depth = 1,
                          .lambda = 0.0,
                          .min_child_weight = 0.0,
                          .categorical_features = {0},
                          .max_cat_to_onehot = onehot,
                          .cat_smooth = 0.0});
          kolosal::FitOptions options;
          options.sample_weight = c.w;
          stump.fit(c.x.view(), c.y, options);
          const double found = stump.feature_importance(kt::GbdtImportance::kGain)[0];
          const double expected =
              brute_force_gain(c, stump.forest().base_score[0], onehot >= static_cast<int>(m));
          CHECK(found == Approx(expected).epsilon(1e-9));

          // The node's two sets split the seen codes; rows follow them.
          const auto& root = stump.forest().nodes[0];
          REQUIRE(root.categorical == 1);
          const auto pred = stump.predict(c.x.view());
          for (std::size_t r = 0; r < c.y.size(); ++r) {
            const bool left = stump.forest().categorical_left(root, c.x(r, 0));
            CHECK(pred[r] ==
                  stump.forest().base_score[0] + stump.forest().nodes[left ? 1 : 2].threshold);
          }
        }
      }
    }
  }
}

TEST_CASE("gbdt categorical: unseen codes go the default way; quality beats numeric codes",
          "[training][gbdt]") {
  // Category effects unordered in their codes: a numeric split needs many cuts, a set one.
  kolosal::Rng rng(17);
  const std::size_t n = 4000;
  std::vector<double> effect(30);
  for (auto& e : effect) e = rng.normal(0.0, 3.0);
  Matrix<double> x(n, 2);
  std::vector<double> y(n);
  for (std::size_t r = 0; r < n; ++r) {
    const auto cat = rng.uniform_index(30);
    x(r, 0) = static_cast<double>(cat);
    x(r, 1) = rng.normal();
    if (r % 50 == 0) x(r, 0) = kNaN;
    y[r] = (std::isnan(x(r, 0)) ? 0.0 : effect[cat]) + x(r, 1) + 0.3 * rng.normal();
  }
  const kt::GbdtConfig numeric{.n_estimators = 30, .learning_rate = 0.3, .max_depth = 2};
  auto categorical = numeric;
  categorical.categorical_features = {0};
  kt::Gbdt a(numeric);
  kt::Gbdt b(categorical);
  a.fit(x.view(), y);
  b.fit(x.view(), y);
  const double rmse_numeric =
      kolosal::metrics::score("root_mean_squared_error", y, a.predict(x.view()));
  const double rmse_categorical =
      kolosal::metrics::score("root_mean_squared_error", y, b.predict(x.view()));
  UNSCOPED_INFO("rmse numeric " << rmse_numeric << " categorical " << rmse_categorical);
  CHECK(rmse_categorical < 0.8 * rmse_numeric);
  // Codes never seen in training (31, 200), non-integers and NaN all take the default way.
  const auto& forest = b.forest();
  for (const auto& node : forest.nodes) {
    if (node.categorical == 0) continue;
    for (double v : {31.0, 200.0, 2.5, -1.0, kNaN}) {
      CHECK(forest.categorical_left(node, v) == (node.default_left != 0));
    }
  }
  // Thread counts, save and load.
  std::vector<json> states;
  for (int threads : {1, 2}) {
    kt::Gbdt model(categorical);
    model.set_context({.n_threads = threads, .seed = 4});
    model.fit(x.view(), y);
    states.push_back(model.state());
  }
  CHECK(states[0] == states[1]);
  const auto loaded = kt::model_from_json(json::parse(kt::model_to_json(b).dump()));
  CHECK(loaded->predict(x.view()) == b.predict(x.view()));
  std::vector<double> one(1);
  b.predict_raw_row(x.row(7), one);
  CHECK(one[0] == b.decision_function(x.view())(7, 0));
  // Bad codes and declarations are named.
  Matrix<double> bad = x;
  bad(5, 0) = 2.5;
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { b.fit(bad.view(), y); }, "categorical feature 0 has value 2.5 in row 5");
  bad(5, 0) = 255.0;
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { b.fit(bad.view(), y); },
                                                        "expected an integer code in [0, 254]");
  kt::Gbdt out_of_range({.categorical_features = {5}});
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { out_of_range.fit(x.view(), y); },
                                                        "categorical feature 5 out of 2 features");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        kolosal::config::validate(
            kt::GbdtConfig{.growth = kt::GbdtGrowth::kOblivious, .categorical_features = {0}},
            "gbdt");
      },
      "categorical_features need depthwise or leafwise growth");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::GbdtConfig>({{"categorical_features", {-1}}});
      },
      "categorical_features");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::GbdtConfig>({{"max_cat_to_onehot", 0}});
      },
      "max_cat_to_onehot");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<kt::GbdtConfig>({{"cat_smooth", -1.0}});
      },
      "cat_smooth");
  const auto j = kolosal::config::to_json(categorical);
  CHECK(kolosal::config::from_json<kt::GbdtConfig>(json::parse(j.dump())) == categorical);
}
