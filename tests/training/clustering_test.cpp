// SPDX-License-Identifier: MIT
// Tests of k-means, DBSCAN and Gaussian mixtures against scikit-learn 1.2.1
// (tests/reference/clustering.json).
#include "kolosal/clustering/clustering.hpp"

#include <fstream>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/data/csv.hpp"

#include "test_util.hpp"

namespace kc = kolosal::clustering;
using nlohmann::json;

namespace {

json clustering_reference() {
  std::ifstream in(kolosal::test::reference_path("clustering.json"));
  return json::parse(in);
}

kolosal::Matrix<double> dataset(const std::string& name, const json& ref) {
  if (name == "blobs") {
    const auto& rows = ref["blobs"];
    kolosal::Matrix<double> x(rows.size(), 2);
    for (std::size_t i = 0; i < rows.size(); ++i) {
      x(i, 0) = rows[i][0].get<double>();
      x(i, 1) = rows[i][1].get<double>();
    }
    return x;
  }
  const bool wine = name == "wine_scaled";
  const auto frame =
      kolosal::data::read_csv(kolosal::test::data_path(wine ? "wine.csv" : "iris.csv"));
  auto x = frame.drop({wine ? "class" : "species"}).to_matrix();
  if (wine) {  // standardised with the population standard deviation, as the script
    for (std::size_t j = 0; j < x.cols(); ++j) {
      double mean = 0.0;
      for (std::size_t i = 0; i < x.rows(); ++i) mean += x(i, j);
      mean /= static_cast<double>(x.rows());
      double var = 0.0;
      for (std::size_t i = 0; i < x.rows(); ++i) var += (x(i, j) - mean) * (x(i, j) - mean);
      const double sd = std::sqrt(var / static_cast<double>(x.rows()));
      for (std::size_t i = 0; i < x.rows(); ++i) x(i, j) = (x(i, j) - mean) / sd;
    }
  }
  return x;
}

// Rows sorted lexicographically, to compare centers or means up to a relabelling.
std::vector<std::vector<double>> sorted_rows(const kolosal::Matrix<double>& m) {
  std::vector<std::vector<double>> rows;
  for (std::size_t r = 0; r < m.rows(); ++r) rows.emplace_back(m.row(r).begin(), m.row(r).end());
  std::sort(rows.begin(), rows.end());
  return rows;
}

}  // namespace

TEST_CASE("k-means: reaches scikit-learn's inertia and centers", "[clustering]") {
  const json ref = clustering_reference();
  for (const auto& c : ref["kmeans"]) {
    INFO(c.dump().substr(0, 120));
    const auto x = dataset(c["dataset"].get<std::string>(), ref);
    kc::KMeans model({.n_clusters = c["n_clusters"].get<int>(),
                      .algorithm = c["algorithm"] == "elkan" ? kc::KMeansAlgorithm::kElkan
                                                             : kc::KMeansAlgorithm::kLloyd});
    model.fit(x.view());
    // The best of scikit-learn's five seeds: the same local optimum, to rounding.
    CHECK(model.inertia() == Approx(c["inertia"].get<double>()).epsilon(1e-6));
    const auto centers = sorted_rows(model.cluster_centers());
    const auto expected = c["centers"].get<std::vector<std::vector<double>>>();
    if (model.inertia() == Approx(c["inertia"].get<double>()).epsilon(1e-9)) {
      for (std::size_t r = 0; r < centers.size(); ++r) {
        for (std::size_t j = 0; j < centers[r].size(); ++j) {
          CHECK(centers[r][j] == Approx(expected[r][j]).margin(1e-6));
        }
      }
    }
    CHECK(model.predict(x.view()) == model.labels());
  }
}

TEST_CASE("k-means: Elkan equals Lloyd, restarts are thread-independent", "[clustering]") {
  const json ref = clustering_reference();
  const auto x = dataset("wine_scaled", ref);
  kc::KMeans lloyd({.n_clusters = 4, .n_init = 4});
  kc::KMeans elkan({.n_clusters = 4, .n_init = 4, .algorithm = kc::KMeansAlgorithm::kElkan});
  lloyd.fit(x.view());
  elkan.fit(x.view());
  CHECK(lloyd.labels() == elkan.labels());
  CHECK(lloyd.inertia() == Approx(elkan.inertia()).epsilon(1e-12));
  kc::KMeans one({.n_clusters = 4, .n_init = 6});
  kc::KMeans two = one;
  one.set_context({.n_threads = 1, .seed = 4});
  two.set_context({.n_threads = 2, .seed = 4});
  one.fit(x.view());
  two.fit(x.view());
  CHECK(one.cluster_centers() == two.cluster_centers());
  const auto t = one.transform(x.view());
  CHECK(t.cols() == 4);

  // Weights act as repeated rows.
  const kolosal::Matrix<double> small = [] {
    kolosal::Matrix<double> m(4, 1);
    m(0, 0) = 0.0;
    m(1, 0) = 1.0;
    m(2, 0) = 10.0;
    m(3, 0) = 11.0;
    return m;
  }();
  kc::KMeans weighted({.n_clusters = 1, .n_init = 1});
  weighted.fit(small.view(), std::vector<double>{3.0, 1.0, 0.0, 0.0});
  CHECK(weighted.cluster_centers()(0, 0) == Approx(0.25));

  kc::KMeans restored;
  restored.load_state(one.state());
  CHECK(restored.predict(x.view()) == one.predict(x.view()));
  CHECK(restored.inertia() == one.inertia());

  kc::KMeansConfig c{.n_clusters = 3,
                     .init = kc::KMeansInit::kRandom,
                     .tol = 0.0,
                     .algorithm = kc::KMeansAlgorithm::kElkan};
  CHECK(kolosal::config::from_json<kc::KMeansConfig>(kolosal::config::to_json(c)) == c);
  CHECK_THROWS_WITH(kolosal::config::from_json<kc::KMeansConfig>(json{{"n_init", 0}}),
                    "KMeansConfig: n_init must be >= 1, got 0");
  kc::KMeans too_many({.n_clusters = 5});
  CHECK_THROWS_WITH(too_many.fit(small.view()),
                    "KMeans::fit: n_clusters is 5 but x has only 4 rows");
  CHECK_THROWS_AS(kc::KMeans().predict(small.view()), kolosal::NotFitted);
  CHECK_THROWS_AS(restored.predict(small.view()), kolosal::ShapeMismatch);
}

TEST_CASE("DBSCAN: the same labels and core samples as scikit-learn", "[clustering]") {
  const json ref = clustering_reference();
  for (const auto& c : ref["dbscan"]) {
    INFO(c["dataset"].get<std::string>() << " eps " << c["eps"].get<double>());
    const auto x = dataset(c["dataset"].get<std::string>(), ref);
    kc::Dbscan model({.eps = c["eps"].get<double>(), .min_samples = c["min_samples"].get<int>()});
    model.set_context({.n_threads = 2, .seed = 1});
    model.fit(x.view());
    CHECK(model.labels() == c["labels"].get<std::vector<int>>());
    CHECK(model.core_sample_indices() == c["core_sample_indices"].get<std::vector<std::size_t>>());
  }
  kc::DbscanConfig c{.eps = 0.25, .min_samples = 3};
  CHECK(kolosal::config::from_json<kc::DbscanConfig>(kolosal::config::to_json(c)) == c);
  CHECK_THROWS_WITH(kolosal::config::from_json<kc::DbscanConfig>(json{{"eps", 0.0}}),
                    "DbscanConfig: eps must be > 0, got 0");
}

TEST_CASE("Gaussian mixture: scikit-learn's likelihood, BIC and means", "[clustering]") {
  const json ref = clustering_reference();
  int same_optimum = 0;
  for (const auto& c : ref["gaussian_mixture"]) {
    INFO(c["dataset"].get<std::string>() << " " << c["covariance_type"].get<std::string>());
    const auto x = dataset(c["dataset"].get<std::string>(), ref);
    const auto type = kolosal::config::parse_enum<kc::CovarianceType>(
        c["covariance_type"].get<std::string>(), "test");
    kc::GaussianMixture model(
        {.n_components = c["n_components"].get<int>(), .covariance_type = type, .n_init = 5});
    model.fit(x.view());
    CHECK(model.converged());
    const double best = c["lower_bound"].get<double>();
    // EM finds local optima: the best of five k-means-initialised runs must do at least as well
    // as scikit-learn's worst single initialisation (over ten seeds) and never beat its best
    // (over 5 x 5 initialisations) by more than the EM tolerance.
    CHECK(model.lower_bound() >= c["single_init_lower_bound_min"].get<double>() - 2e-3);
    CHECK(model.lower_bound() <= best + 2e-3);
    CHECK(model.score(x.view()) == Approx(model.lower_bound()).margin(2e-3));
    if (model.lower_bound() == Approx(best).margin(2e-3)) {
      // The same optimum: the same criteria and means.
      CHECK(model.bic(x.view()) == Approx(c["bic"].get<double>()).margin(1.0));
      CHECK(model.aic(x.view()) == Approx(c["aic"].get<double>()).margin(1.0));
      const auto means = sorted_rows(model.means());
      const auto ref_means = c["means"].get<std::vector<std::vector<double>>>();
      for (std::size_t r = 0; r < means.size(); ++r) {
        for (std::size_t j = 0; j < means[r].size(); ++j) {
          CHECK(means[r][j] == Approx(ref_means[r][j]).margin(0.05));
        }
      }
      ++same_optimum;
    }
    const auto proba = model.predict_proba(x.view());
    for (std::size_t r = 0; r < 5; ++r) {
      double total = 0.0;
      for (double v : proba.row(r)) total += v;
      CHECK(total == Approx(1.0));
    }
  }
  CHECK(same_optimum >= 8);  // most of the twelve cases reach scikit-learn's best optimum
}

TEST_CASE("Gaussian mixture: state round-trip and configs", "[clustering]") {
  const json ref = clustering_reference();
  const auto x = dataset("blobs", ref);
  kc::GaussianMixture model({.n_components = 4, .covariance_type = kc::CovarianceType::kTied});
  model.fit(x.view());
  kc::GaussianMixture restored;
  restored.load_state(model.state());
  CHECK(restored.score_samples(x.view()) == model.score_samples(x.view()));
  CHECK(restored.predict(x.view()) == model.predict(x.view()));
  json broken = model.state();
  broken["weights"].push_back(0.5);
  CHECK_THROWS_AS(restored.load_state(broken), kolosal::SerializationError);

  kc::GaussianMixtureConfig c{.n_components = 2,
                              .covariance_type = kc::CovarianceType::kSpherical,
                              .reg_covar = 1e-3,
                              .n_init = 2};
  CHECK(kolosal::config::from_json<kc::GaussianMixtureConfig>(kolosal::config::to_json(c)) == c);
  CHECK_THROWS_WITH(
      kolosal::config::from_json<kc::GaussianMixtureConfig>(json{{"covariance_type", "banded"}}),
      Catch::Contains("unknown value 'banded'"));
  kc::GaussianMixture a({.n_components = 3, .n_init = 2});
  kc::GaussianMixture b = a;
  a.set_context({.n_threads = 1, .seed = 2});
  b.set_context({.n_threads = 2, .seed = 2});
  a.fit(x.view());
  b.fit(x.view());
  CHECK(a.means() == b.means());
  CHECK_THROWS_AS(kc::GaussianMixture().predict(x.view()), kolosal::NotFitted);
}
