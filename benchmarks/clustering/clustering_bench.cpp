// SPDX-License-Identifier: MIT
// Fit / predict timing of k-means, DBSCAN and Gaussian mixtures on a raw float64 dataset whose last
// column holds the true blob labels; prints one JSON line (driven by clustering_compare.py, which
// runs the scikit-learn peer side by side on the same data).
#include <chrono>
#include <cstddef>
#include <iostream>
#include <map>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/clustering/clustering.hpp"
#include "kolosal/core/detail/config_json.hpp"

#include "common/bench_util.hpp"

namespace {

using kolosal::bench::read_table;
using kolosal::bench::seconds_since;
namespace kc = kolosal::clustering;

double pairs(double n) { return n * (n - 1.0) / 2.0; }

/// Adjusted Rand index (Hubert & Arabie, "Comparing partitions", J. Classification 2, 1985) of
/// `labels` against the true classes, from the contingency table; noise (-1) counts as one more
/// cluster, as scikit-learn's adjusted_rand_score does.
double adjusted_rand_index(std::span<const double> truth, std::span<const int> labels) {
  std::map<std::pair<long, int>, double> cells;
  std::map<long, double> rows;
  std::map<int, double> cols;
  for (std::size_t i = 0; i < truth.size(); ++i) {
    const auto t = static_cast<long>(truth[i]);
    cells[{t, labels[i]}] += 1.0;
    rows[t] += 1.0;
    cols[labels[i]] += 1.0;
  }
  double index = 0.0;
  for (const auto& [key, n] : cells) index += pairs(n);
  double sum_rows = 0.0;
  for (const auto& [key, n] : rows) sum_rows += pairs(n);
  double sum_cols = 0.0;
  for (const auto& [key, n] : cols) sum_cols += pairs(n);
  const double expected = sum_rows * sum_cols / pairs(static_cast<double>(truth.size()));
  const double maximum = 0.5 * (sum_rows + sum_cols);
  // Both partitions trivial (one cluster each, or all singletons): identical, as scikit-learn.
  if (maximum == expected) return 1.0;
  return (index - expected) / (maximum - expected);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 7) {
    std::cerr << "usage: kolosal_bench_clustering TRAIN.bin TEST.bin COLS THREADS MODEL "
                 "CONFIG_JSON\n  MODEL: kmeans, dbscan or gaussian_mixture\n";
    return 2;
  }
  kolosal::Matrix<double> x_train;
  kolosal::Matrix<double> x_test;
  std::vector<double> y_train;
  std::vector<double> y_test;
  const std::size_t cols = std::stoul(argv[3]);
  read_table(argv[1], cols, x_train, y_train);
  read_table(argv[2], cols, x_test, y_test);
  const kolosal::Context context{.n_threads = std::stoi(argv[4]), .seed = 0};
  const std::string model = argv[5];
  const auto config = nlohmann::json::parse(argv[6]);
  nlohmann::json out;
  if (model == "kmeans") {
    kc::KMeans km(kolosal::config::from_json<kc::KMeansConfig>(config));
    km.set_context(context);
    auto start = std::chrono::steady_clock::now();
    km.fit(x_train.view());
    out["fit_s"] = seconds_since(start);
    start = std::chrono::steady_clock::now();
    const auto pred = km.predict(x_test.view());
    out["predict_s"] = seconds_since(start);
    out["inertia"] = km.inertia();
    out["n_iter"] = km.n_iter();
    out["ari"] = adjusted_rand_index(y_test, pred);
  } else if (model == "dbscan") {
    kc::Dbscan db(kolosal::config::from_json<kc::DbscanConfig>(config));
    db.set_context(context);
    const auto start = std::chrono::steady_clock::now();
    db.fit(x_train.view());
    out["fit_s"] = seconds_since(start);
    out["predict_s"] = nullptr;
    int noise = 0;
    for (int label : db.labels()) noise += label < 0 ? 1 : 0;
    out["n_clusters"] = db.n_clusters();
    out["n_noise"] = noise;
    out["ari"] = adjusted_rand_index(y_train, db.labels());
  } else if (model == "gaussian_mixture") {
    kc::GaussianMixture gm(kolosal::config::from_json<kc::GaussianMixtureConfig>(config));
    gm.set_context(context);
    auto start = std::chrono::steady_clock::now();
    gm.fit(x_train.view());
    out["fit_s"] = seconds_since(start);
    start = std::chrono::steady_clock::now();
    const auto pred = gm.predict(x_test.view());
    out["predict_s"] = seconds_since(start);
    out["score"] = gm.score(x_test.view());
    out["n_iter"] = gm.n_iter();
    out["ari"] = adjusted_rand_index(y_test, pred);
  } else {
    std::cerr << "unknown model '" << model << "': expected kmeans, dbscan or gaussian_mixture\n";
    return 2;
  }
  std::cout << out.dump() << "\n";
  return 0;
}
