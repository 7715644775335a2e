// SPDX-License-Identifier: MIT
// Tests of the k-NN models against scikit-learn (tests/reference/knn.json, written by
// scripts/reference/knn_reference.py), of the KD-tree against brute force, and of persistence.
#include "kolosal/training/knn.hpp"

#include <fstream>
#include <map>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("knn.json"));
    return json::parse(in);
  }();
  return ref;
}

struct Split {
  kolosal::Matrix<double> x_train;
  std::vector<double> y_train;
  kolosal::Matrix<double> x_test;
  std::vector<double> y_test;
};

const Split& split(const std::string& name) {
  static std::map<std::string, Split> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  const json& d = reference()["datasets"][name];
  const auto target = d["target"].get<std::string>();
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path(d["file"]));
  const auto x = frame.drop({target}).to_matrix();
  const auto y = frame.column(target).to_doubles();
  const auto perm = d["permutation"].get<std::vector<std::size_t>>();
  const auto n_train = d["n_train"].get<std::size_t>();
  const std::size_t p = x.cols();
  std::vector<double> mean(p, 0.0);
  std::vector<double> scale(p, 1.0);
  if (d["standardize"].get<bool>()) {
    for (std::size_t j = 0; j < p; ++j) {
      for (std::size_t i = 0; i < n_train; ++i) mean[j] += x(perm[i], j);
      mean[j] /= static_cast<double>(n_train);
      double v = 0.0;
      for (std::size_t i = 0; i < n_train; ++i) {
        v += (x(perm[i], j) - mean[j]) * (x(perm[i], j) - mean[j]);
      }
      scale[j] = v > 0.0 ? std::sqrt(v / static_cast<double>(n_train)) : 1.0;
    }
  }
  Split s;
  s.x_train = kolosal::Matrix<double>(n_train, p);
  s.x_test = kolosal::Matrix<double>(perm.size() - n_train, p);
  for (std::size_t i = 0; i < perm.size(); ++i) {
    auto& m = i < n_train ? s.x_train : s.x_test;
    for (std::size_t j = 0; j < p; ++j) {
      m(i < n_train ? i : i - n_train, j) = (x(perm[i], j) - mean[j]) / scale[j];
    }
    (i < n_train ? s.y_train : s.y_test).push_back(y[perm[i]]);
  }
  return cache.emplace(name, std::move(s)).first->second;
}

}  // namespace

TEST_CASE("k-NN: matches scikit-learn's brute-force neighbours and votes", "[training][knn]") {
  for (const auto& c : reference()["cases"]) {
    // Low-dimensional Lp cases run both searches; the rest (auto) run brute force.
    const bool tree_ok = c["config"].value("metric", "") != "cosine" &&
                         split(c["dataset"].get<std::string>()).x_train.cols() <= 20;
    for (const char* algorithm : {"auto", "brute", "kd_tree"}) {
      if (tree_ok == (std::string(algorithm) == "auto")) continue;
      json config = c["config"];
      config["algorithm"] = algorithm;
      INFO(c["dataset"].get<std::string>() << " " << config.dump());
      const Split& s = split(c["dataset"].get<std::string>());
      auto model = kt::make_model(c["model"].get<std::string>(), config);
      model->fit(s.x_train.view(), s.y_train);
      const auto pred = model->predict(s.x_test.view());
      const auto expected = c["predict"].get<std::vector<double>>();
      REQUIRE(pred.size() == expected.size());
      for (std::size_t i = 0; i < pred.size(); ++i) {
        CHECK(pred[i] == Approx(expected[i]).epsilon(1e-12));
      }
      const auto& knn = dynamic_cast<const kt::KnnBase&>(*model);
      const auto nb = knn.kneighbors(s.x_test.view());
      const auto dist = c["kneighbors_distance"].get<std::vector<std::vector<double>>>();
      const auto index = c["kneighbors_index"].get<std::vector<std::vector<std::size_t>>>();
      for (std::size_t q = 0; q < dist.size(); ++q) {
        for (std::size_t t = 0; t < dist[q].size(); ++t) {
          CHECK(nb.distances(q, t) == Approx(dist[q][t]).margin(1e-9));
          // Equidistant rows (duplicates) come in an unspecified order from numpy's
          // argpartition, while kolosal breaks ties by training index: a different index must
          // be a row at the same distance.
          if (nb.indices(q, t) != index[q][t]) {
            const auto row = s.x_test.view().row_range(q, q + 1);
            const auto everyone = knn.kneighbors(row, s.y_train.size());
            for (std::size_t u = 0; u < s.y_train.size(); ++u) {
              if (everyone.indices(0, u) == index[q][t]) {
                CHECK(everyone.distances(0, u) == Approx(nb.distances(q, t)).margin(1e-9));
              }
            }
          }
        }
      }
      if (c.contains("predict_proba")) {
        const auto proba_ref = c["predict_proba"].get<std::vector<std::vector<double>>>();
        const auto proba = model->predict_proba(s.x_test.view());
        for (std::size_t q = 0; q < proba_ref.size(); ++q) {
          for (std::size_t k = 0; k < proba_ref[q].size(); ++k) {
            CHECK(proba(q, k) == Approx(proba_ref[q][k]).margin(1e-12));
          }
        }
      }
    }
  }
}

TEST_CASE("k-NN: the KD-tree finds exactly the brute-force neighbours", "[training][knn]") {
  kolosal::Rng rng(3);
  // Coarse integer grid values make many exact distance ties, which break by training index.
  kolosal::Matrix<double> x(400, 3);
  kolosal::Matrix<double> q(60, 3);
  for (auto* m : {&x, &q}) {
    for (std::size_t r = 0; r < m->rows(); ++r) {
      for (std::size_t j = 0; j < 3; ++j) (*m)(r, j) = static_cast<double>(rng.uniform_int(0, 6));
    }
  }
  std::vector<double> y(400);
  for (auto& v : y) v = rng.normal();
  for (const auto& metric : {json{{"metric", "euclidean"}}, json{{"metric", "manhattan"}},
                             json{{"metric", "minkowski"}, {"p", 3.5}}}) {
    INFO(metric.dump());
    json brute_cfg = metric;
    brute_cfg["algorithm"] = "brute";
    brute_cfg["n_neighbors"] = 11;
    json tree_cfg = brute_cfg;
    tree_cfg["algorithm"] = "kd_tree";
    tree_cfg["leaf_size"] = 4;
    kt::KnnRegressor brute(kolosal::config::from_json<kt::KnnConfig>(brute_cfg));
    kt::KnnRegressor tree(kolosal::config::from_json<kt::KnnConfig>(tree_cfg));
    brute.fit(x.view(), y);
    tree.fit(x.view(), y);
    const auto a = brute.kneighbors(q.view());
    const auto b = tree.kneighbors(q.view());
    CHECK(a.indices == b.indices);
    CHECK(a.distances == b.distances);
    CHECK(brute.predict(q.view()) == tree.predict(q.view()));
  }
}

TEST_CASE("k-NN: threads, persistence, clone and configs", "[training][knn]") {
  const Split& s = split("wine");
  std::vector<double> first;
  for (int threads : {1, 2, 3}) {
    kt::KnnClassifier model({.weights = kt::KnnWeights::kDistance});
    model.set_context({.n_threads = threads});
    model.fit(s.x_train.view(), s.y_train);
    const auto proba = model.predict_proba(s.x_test.view()).values();
    if (first.empty()) first = proba;
    CHECK(proba == first);
  }
  for (const char* name : {"knn_classifier", "knn_regressor"}) {
    INFO(name);
    auto model = kt::make_model(name, json{{"metric", "cosine"}, {"n_neighbors", 4}});
    kolosal::FitOptions options;
    const std::vector<double> weights(s.y_train.size(), 2.0);
    options.sample_weight = weights;
    model->fit(s.x_train.view(), s.y_train, options);
    kolosal::test::TempDir dir;
    kt::save_model(*model, dir / "knn.kolosal", kolosal::serialization::Encoding::kBinary);
    const auto loaded = kt::load_model(dir / "knn.kolosal");
    CHECK(loaded->predict(s.x_test.view()) == model->predict(s.x_test.view()));
    CHECK(model->clone()->predict(s.x_test.view()) == model->predict(s.x_test.view()));
  }
  const kt::KnnConfig config{.n_neighbors = 3,
                             .weights = kt::KnnWeights::kDistance,
                             .metric = kt::KnnMetric::kMinkowski,
                             .p = 1.5,
                             .algorithm = kt::KnnAlgorithm::kKdTree,
                             .leaf_size = 7};
  CHECK(kolosal::config::from_json<kt::KnnConfig>(kolosal::config::to_json(config)) == config);
  CHECK_THROWS_WITH(kt::make_model("knn_classifier", json{{"n_neighbors", 0}}),
                    "KnnConfig: n_neighbors must be >= 1, got 0");
  CHECK_THROWS_WITH(kt::make_model("knn_regressor", json{{"p", 0.5}}),
                    "KnnConfig: p must be >= 1, got 0.5");
  CHECK_THROWS_WITH(
      kt::make_model("knn_regressor", json{{"metric", "cosine"}, {"algorithm", "kd_tree"}}),
      "KnnConfig: algorithm kd_tree needs an Lp metric, not cosine");
  kt::KnnClassifier too_many({.n_neighbors = 500});
  CHECK_THROWS_WITH(too_many.fit(s.x_train.view(), s.y_train),
                    "KnnClassifier: n_neighbors is 500 but x has only 124 rows");
}
