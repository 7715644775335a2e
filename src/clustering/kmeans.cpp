// SPDX-License-Identifier: MIT
// k-means: k-means++ seeding, Lloyd and Elkan iterations, restarts in parallel; follows
// scikit-learn's KMeans (tolerance scaled by the mean feature variance, empty clusters relocated
// to the farthest points, a final assignment after the last update).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/clustering/clustering.hpp"
#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::clustering {
namespace {

double squared_distance(std::span<const double> a, std::span<const double> b) noexcept {
  double s = 0.0;
  for (std::size_t j = 0; j < a.size(); ++j) {
    const double d = a[j] - b[j];
    s += d * d;
  }
  return s;
}

struct Run {
  Matrix<double> centers;
  std::vector<int> labels;
  double inertia = std::numeric_limits<double>::infinity();
  int n_iter = 0;
};

// Greedy k-means++: each new center is the best of 2 + log(k) candidates drawn with probability
// proportional to the squared distance to the nearest chosen center.
Matrix<double> plus_plus(MatrixView<const double> x, std::span<const double> w, std::size_t k,
                         Rng& rng) {
  const std::size_t n = x.rows();
  Matrix<double> centers(k, x.cols());
  const std::size_t first = rng.uniform_index(n);
  std::copy(x.row(first).begin(), x.row(first).end(), centers.row(0).begin());
  std::vector<double> closest(n);
  for (std::size_t i = 0; i < n; ++i) closest[i] = squared_distance(x.row(i), x.row(first));
  const std::size_t trials = 2 + static_cast<std::size_t>(std::log(static_cast<double>(k)));
  std::vector<double> cumulative(n);
  std::vector<double> candidate(n);
  std::vector<double> best_closest(n);
  for (std::size_t c = 1; c < k; ++c) {
    for (std::size_t i = 0; i < n; ++i) {
      cumulative[i] = (i ? cumulative[i - 1] : 0.0) + w[i] * closest[i];
    }
    const double potential = cumulative.back();
    double best_potential = std::numeric_limits<double>::infinity();
    std::size_t best = 0;
    for (std::size_t t = 0; t < trials; ++t) {
      const double u = rng.uniform() * potential;
      auto id = static_cast<std::size_t>(std::lower_bound(cumulative.begin(), cumulative.end(), u) -
                                         cumulative.begin());
      id = std::min(id, n - 1);
      double pot = 0.0;
      for (std::size_t i = 0; i < n; ++i) {
        candidate[i] = std::min(closest[i], squared_distance(x.row(i), x.row(id)));
        pot += w[i] * candidate[i];
      }
      if (pot < best_potential) {
        best_potential = pot;
        best = id;
        best_closest = candidate;
      }
    }
    std::copy(x.row(best).begin(), x.row(best).end(), centers.row(c).begin());
    closest = best_closest;
  }
  return centers;
}

Matrix<double> random_init(MatrixView<const double> x, std::size_t k, Rng& rng) {
  const auto order = rng.permutation(x.rows());
  Matrix<double> centers(k, x.cols());
  for (std::size_t c = 0; c < k; ++c) {
    std::copy(x.row(order[c]).begin(), x.row(order[c]).end(), centers.row(c).begin());
  }
  return centers;
}

// Weighted means of the assigned rows; an empty cluster takes the row farthest from its center.
void update_centers(MatrixView<const double> x, std::span<const double> w,
                    const std::vector<int>& labels, Matrix<double>& centers) {
  const std::size_t k = centers.rows();
  const std::size_t d = x.cols();
  Matrix<double> sums(k, d, 0.0);
  std::vector<double> weight(k, 0.0);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const auto c = static_cast<std::size_t>(labels[i]);
    weight[c] += w[i];
    for (std::size_t j = 0; j < d; ++j) sums(c, j) += w[i] * x(i, j);
  }
  std::vector<std::size_t> empty;
  for (std::size_t c = 0; c < k; ++c) {
    if (weight[c] <= 0.0) empty.push_back(c);
  }
  if (!empty.empty()) {
    std::vector<std::pair<double, std::size_t>> far(x.rows());
    for (std::size_t i = 0; i < x.rows(); ++i) {
      far[i] = {-squared_distance(x.row(i), centers.row(static_cast<std::size_t>(labels[i]))), i};
    }
    std::sort(far.begin(), far.end());
    for (std::size_t e = 0; e < empty.size() && e < far.size(); ++e) {
      const std::size_t i = far[e].second;
      const auto old = static_cast<std::size_t>(labels[i]);
      for (std::size_t j = 0; j < d; ++j) {
        sums(old, j) -= w[i] * x(i, j);
        sums(empty[e], j) = w[i] * x(i, j);
      }
      weight[old] -= w[i];
      weight[empty[e]] = w[i];
    }
  }
  for (std::size_t c = 0; c < k; ++c) {
    if (weight[c] <= 0.0) continue;
    for (std::size_t j = 0; j < d; ++j) centers(c, j) = sums(c, j) / weight[c];
  }
}

std::size_t nearest(std::span<const double> row, const Matrix<double>& centers,
                    double* distance = nullptr) {
  std::size_t best = 0;
  double best_d = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < centers.rows(); ++c) {
    const double dc = squared_distance(row, centers.row(c));
    if (dc < best_d) {
      best_d = dc;
      best = c;
    }
  }
  if (distance) *distance = best_d;
  return best;
}

double shift(const Matrix<double>& a, const Matrix<double>& b) {
  double s = 0.0;
  for (std::size_t c = 0; c < a.rows(); ++c) s += squared_distance(a.row(c), b.row(c));
  return s;
}

void finish(MatrixView<const double> x, std::span<const double> w, Run& run) {
  run.inertia = 0.0;
  for (std::size_t i = 0; i < x.rows(); ++i) {
    double d = 0.0;
    run.labels[i] = static_cast<int>(nearest(x.row(i), run.centers, &d));
    run.inertia += w[i] * d;
  }
}

Run lloyd(MatrixView<const double> x, std::span<const double> w, Matrix<double> centers,
          int max_iter, double tol) {
  Run run;
  run.labels.assign(x.rows(), -1);
  std::vector<int> previous;
  for (run.n_iter = 1; run.n_iter <= max_iter; ++run.n_iter) {
    previous = run.labels;
    for (std::size_t i = 0; i < x.rows(); ++i) {
      run.labels[i] = static_cast<int>(nearest(x.row(i), centers));
    }
    if (run.labels == previous) break;  // strict convergence: the centers would not move
    Matrix<double> old = centers;
    update_centers(x, w, run.labels, centers);
    if (shift(old, centers) <= tol) break;
  }
  run.n_iter = std::min(run.n_iter, max_iter);
  run.centers = std::move(centers);
  finish(x, w, run);
  return run;
}

// Elkan's algorithm with one upper bound per row and one lower bound per (row, center).
Run elkan(MatrixView<const double> x, std::span<const double> w, Matrix<double> centers,
          int max_iter, double tol) {
  const std::size_t n = x.rows();
  const std::size_t k = centers.rows();
  Run run;
  run.labels.assign(n, 0);
  std::vector<double> upper(n);
  Matrix<double> lower(n, k, 0.0);
  Matrix<double> cc(k, k, 0.0);
  std::vector<double> half_min(k);
  auto center_distances = [&] {
    for (std::size_t a = 0; a < k; ++a) {
      half_min[a] = std::numeric_limits<double>::infinity();
      for (std::size_t b = 0; b < k; ++b) {
        cc(a, b) = a == b ? 0.0 : std::sqrt(squared_distance(centers.row(a), centers.row(b)));
        if (a != b) half_min[a] = std::min(half_min[a], 0.5 * cc(a, b));
      }
    }
  };
  center_distances();
  for (std::size_t i = 0; i < n; ++i) {
    std::size_t best = 0;
    double best_d = std::sqrt(squared_distance(x.row(i), centers.row(0)));
    lower(i, 0) = best_d;
    for (std::size_t c = 1; c < k; ++c) {
      if (best_d <= 0.5 * cc(best, c)) continue;
      const double dc = std::sqrt(squared_distance(x.row(i), centers.row(c)));
      lower(i, c) = dc;
      if (dc < best_d) {
        best_d = dc;
        best = c;
      }
    }
    run.labels[i] = static_cast<int>(best);
    upper[i] = best_d;
  }
  std::vector<int> previous;
  for (run.n_iter = 1; run.n_iter <= max_iter; ++run.n_iter) {
    Matrix<double> old = centers;
    update_centers(x, w, run.labels, centers);
    std::vector<double> moved(k);
    for (std::size_t c = 0; c < k; ++c) {
      moved[c] = std::sqrt(squared_distance(old.row(c), centers.row(c)));
    }
    for (std::size_t i = 0; i < n; ++i) {
      upper[i] += moved[static_cast<std::size_t>(run.labels[i])];
      for (std::size_t c = 0; c < k; ++c) lower(i, c) = std::max(0.0, lower(i, c) - moved[c]);
    }
    center_distances();
    previous = run.labels;
    for (std::size_t i = 0; i < n; ++i) {
      auto a = static_cast<std::size_t>(run.labels[i]);
      if (upper[i] <= half_min[a]) continue;
      bool tight = false;
      for (std::size_t c = 0; c < k; ++c) {
        if (c == a || upper[i] <= lower(i, c) || upper[i] <= 0.5 * cc(a, c)) continue;
        if (!tight) {
          upper[i] = std::sqrt(squared_distance(x.row(i), centers.row(a)));
          lower(i, a) = upper[i];
          tight = true;
          if (upper[i] <= lower(i, c) || upper[i] <= 0.5 * cc(a, c)) continue;
        }
        const double dc = std::sqrt(squared_distance(x.row(i), centers.row(c)));
        lower(i, c) = dc;
        if (dc < upper[i]) {
          a = c;
          upper[i] = dc;
        }
      }
      run.labels[i] = static_cast<int>(a);
    }
    if (run.labels == previous) break;
    if (shift(old, centers) <= tol) break;
  }
  run.n_iter = std::min(run.n_iter, max_iter);
  run.centers = std::move(centers);
  finish(x, w, run);
  return run;
}

void check_rows(MatrixView<const double> x, std::span<const double> w, std::string_view who) {
  KOLOSAL_CHECK(x.rows() > 0 && x.cols() > 0, InvalidArgument, who, ": x is empty");
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      KOLOSAL_CHECK(std::isfinite(x(i, j)), InvalidArgument, who, ": x[", i, ", ", j, "] is ",
                    x(i, j), " (features must be finite)");
    }
  }
  if (w.empty()) return;
  KOLOSAL_CHECK(w.size() == x.rows(), ShapeMismatch, who, ": sample_weight has ", w.size(),
                " values but x has ", x.rows(), " rows");
  double total = 0.0;
  for (std::size_t i = 0; i < w.size(); ++i) {
    KOLOSAL_CHECK(std::isfinite(w[i]) && w[i] >= 0.0, InvalidArgument, who, ": sample_weight[", i,
                  "] is ", w[i], " (weights must be finite and >= 0)");
    total += w[i];
  }
  KOLOSAL_CHECK(total > 0.0, InvalidArgument, who, ": sample weights sum to zero");
}

}  // namespace

KMeans& KMeans::fit(MatrixView<const double> x, std::span<const double> sample_weight) {
  config::validate(config_, "KMeans");
  check_rows(x, sample_weight, "KMeans::fit");
  const auto k = static_cast<std::size_t>(config_.n_clusters);
  KOLOSAL_CHECK(x.rows() >= k, InvalidArgument, "KMeans::fit: n_clusters is ", k,
                " but x has only ", x.rows(), " rows");
  std::vector<double> w(x.rows(), 1.0);
  if (!sample_weight.empty()) std::copy(sample_weight.begin(), sample_weight.end(), w.begin());
  // Tolerance relative to the mean variance of the features, as scikit-learn.
  double variance = 0.0;
  for (std::size_t j = 0; j < x.cols(); ++j) {
    double mean = 0.0;
    for (std::size_t i = 0; i < x.rows(); ++i) mean += x(i, j);
    mean /= static_cast<double>(x.rows());
    double v = 0.0;
    for (std::size_t i = 0; i < x.rows(); ++i) v += (x(i, j) - mean) * (x(i, j) - mean);
    variance += v / static_cast<double>(x.rows());
  }
  const double tol = config_.tol * variance / static_cast<double>(x.cols());
  const auto restarts = static_cast<std::size_t>(config_.n_init);
  std::vector<Run> runs(restarts);
  const Rng root(context_.seed);
  parallel::for_each_index(context_, restarts, [&](std::size_t r) {
    Rng rng = root.split(r);
    Matrix<double> init = config_.init == KMeansInit::kKMeansPlusPlus ? plus_plus(x, w, k, rng)
                                                                      : random_init(x, k, rng);
    runs[r] = config_.algorithm == KMeansAlgorithm::kLloyd
                  ? lloyd(x, w, std::move(init), config_.max_iter, tol)
                  : elkan(x, w, std::move(init), config_.max_iter, tol);
  });
  std::size_t best = 0;
  for (std::size_t r = 1; r < restarts; ++r) {
    if (runs[r].inertia < runs[best].inertia) best = r;
  }
  centers_ = std::move(runs[best].centers);
  labels_ = std::move(runs[best].labels);
  inertia_ = runs[best].inertia;
  n_iter_ = runs[best].n_iter;
  return *this;
}

Matrix<double> KMeans::transform(MatrixView<const double> x) const {
  KOLOSAL_CHECK(fitted(), NotFitted, "KMeans::transform: not fitted; call fit first");
  KOLOSAL_CHECK(x.cols() == centers_.cols(), ShapeMismatch, "KMeans::transform: x has ", x.cols(),
                " features but the model was fitted on ", centers_.cols());
  Matrix<double> out(x.rows(), centers_.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t c = 0; c < centers_.rows(); ++c) {
      out(i, c) = std::sqrt(squared_distance(x.row(i), centers_.row(c)));
    }
  }
  return out;
}

std::vector<int> KMeans::predict(MatrixView<const double> x) const {
  KOLOSAL_CHECK(fitted(), NotFitted, "KMeans::predict: not fitted; call fit first");
  KOLOSAL_CHECK(x.cols() == centers_.cols(), ShapeMismatch, "KMeans::predict: x has ", x.cols(),
                " features but the model was fitted on ", centers_.cols());
  std::vector<int> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) out[i] = static_cast<int>(nearest(x.row(i), centers_));
  return out;
}

nlohmann::json KMeans::state() const {
  KOLOSAL_CHECK(fitted(), NotFitted, "KMeans::state: not fitted; call fit first");
  return {{"config", config::to_json(config_)},
          {"n_features", centers_.cols()},
          {"centers", centers_.values()},
          {"inertia", inertia_},
          {"n_iter", n_iter_}};
}

void KMeans::load_state(const nlohmann::json& state) {
  try {
    auto cfg = config::from_json<KMeansConfig>(state.at("config"));
    const auto d = state.at("n_features").get<std::size_t>();
    const auto values = state.at("centers").get<std::vector<double>>();
    KOLOSAL_CHECK(d > 0 && values.size() == d * static_cast<std::size_t>(cfg.n_clusters),
                  SerializationError, "KMeans::load_state: ", values.size(), " center values for ",
                  cfg.n_clusters, " clusters of ", d, " features");
    Matrix<double> centers(static_cast<std::size_t>(cfg.n_clusters), d);
    std::copy(values.begin(), values.end(), centers.data());
    config_ = cfg;
    centers_ = std::move(centers);
    inertia_ = state.at("inertia").get<double>();
    n_iter_ = state.at("n_iter").get<int>();
    labels_.clear();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, "KMeans::load_state: malformed state (", e.what(), ")");
  }
}

// ---------------------------------------------------------------------------- DBSCAN

Dbscan& Dbscan::fit(MatrixView<const double> x, std::span<const double> sample_weight) {
  config::validate(config_, "Dbscan");
  check_rows(x, sample_weight, "Dbscan::fit");
  const std::size_t n = x.rows();
  const double eps2 = config_.eps * config_.eps;
  // Neighbourhoods (each row's own included), computed per row in parallel.
  std::vector<std::vector<std::uint32_t>> neighbours(n);
  parallel::for_blocks(context_, n, 64, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      for (std::size_t j = 0; j < n; ++j) {
        if (squared_distance(x.row(i), x.row(j)) <= eps2) {
          neighbours[i].push_back(static_cast<std::uint32_t>(j));
        }
      }
    }
  });
  std::vector<char> core(n);
  core_.clear();
  for (std::size_t i = 0; i < n; ++i) {
    double mass = 0.0;
    for (auto j : neighbours[i]) mass += sample_weight.empty() ? 1.0 : sample_weight[j];
    core[i] = mass >= static_cast<double>(config_.min_samples);
    if (core[i]) core_.push_back(i);
  }
  labels_.assign(n, -1);
  int label = 0;
  std::vector<std::size_t> stack;
  for (std::size_t start = 0; start < n; ++start) {
    if (labels_[start] != -1 || !core[start]) continue;
    stack.push_back(start);
    while (!stack.empty()) {
      const std::size_t i = stack.back();
      stack.pop_back();
      if (labels_[i] != -1) continue;
      labels_[i] = label;
      if (!core[i]) continue;
      for (auto j : neighbours[i]) {
        if (labels_[j] == -1) stack.push_back(j);
      }
    }
    ++label;
  }
  n_clusters_ = label;
  return *this;
}

}  // namespace kolosal::clustering
