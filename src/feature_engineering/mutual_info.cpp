// SPDX-License-Identifier: MIT
// Mutual information estimators following scikit-learn 1.2's feature_selection._mutual_info: the
// same scaling, the same k-th neighbour radius (one ulp below the k-th distance, so counts are of
// points strictly closer) and the same digamma sums.
#include "kolosal/feature_engineering/mutual_info.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <numeric>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::feature_engineering {

double digamma(double x) noexcept {
  double result = 0.0;
  while (x < 12.0) {
    result -= 1.0 / x;
    x += 1.0;
  }
  // ψ(x) ~ ln x - 1/(2x) - Σ B_2n / (2n x^2n); at x >= 12 the omitted terms are below 1e-17.
  const double f = 1.0 / (x * x);
  const double series =
      f *
      (1.0 / 12 -
       f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132 - f * (691.0 / 32760))))));
  return result + std::log(x) - 0.5 / x - series;
}

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// A 2-d tree answering "distance to the k-th nearest other point" in the max-norm (the joint
/// space of estimator 1 of Kraskov et al.). Median splits on the wider side, leaves of 16.
class ChebyshevTree {
 public:
  ChebyshevTree(std::span<const double> x, std::span<const double> y) : x_(x), y_(y) {
    order_.resize(x.size());
    std::iota(order_.begin(), order_.end(), std::size_t{0});
    nodes_.reserve(2 * (x.size() / kLeaf + 1));
    (void)build(0, order_.size());
    px_.resize(order_.size());
    py_.resize(order_.size());
    for (std::size_t p = 0; p < order_.size(); ++p) {
      px_[p] = x_[order_[p]];
      py_[p] = y_[order_[p]];
    }
  }

  /// The k smallest distances from point i to the other points, ascending, in `best` (size k).
  void nearest(std::size_t i, std::vector<double>& best) const {
    std::fill(best.begin(), best.end(), kInf);
    search(0, x_[i], y_[i], i, best);
  }

 private:
  static constexpr std::size_t kLeaf = 16;
  struct Node {
    std::size_t begin = 0;
    std::size_t end = 0;
    double lo[2] = {0, 0};  // NOLINT(modernize-avoid-c-arrays)
    double hi[2] = {0, 0};  // NOLINT(modernize-avoid-c-arrays)
    std::int64_t left = -1;
    std::int64_t right = -1;
  };

  std::int64_t build(std::size_t begin, std::size_t end) {
    Node node;
    node.begin = begin;
    node.end = end;
    node.lo[0] = node.lo[1] = kInf;
    node.hi[0] = node.hi[1] = -kInf;
    for (std::size_t p = begin; p < end; ++p) {
      const double a = x_[order_[p]];
      const double b = y_[order_[p]];
      node.lo[0] = std::min(node.lo[0], a);
      node.hi[0] = std::max(node.hi[0], a);
      node.lo[1] = std::min(node.lo[1], b);
      node.hi[1] = std::max(node.hi[1], b);
    }
    const auto id = static_cast<std::int64_t>(nodes_.size());
    nodes_.push_back(node);
    if (end - begin <= kLeaf) return id;
    const bool on_x = node.hi[0] - node.lo[0] >= node.hi[1] - node.lo[1];
    const std::size_t mid = begin + (end - begin) / 2;
    std::nth_element(
        order_.begin() + static_cast<std::ptrdiff_t>(begin),
        order_.begin() + static_cast<std::ptrdiff_t>(mid),
        order_.begin() + static_cast<std::ptrdiff_t>(end),
        [&](std::size_t a, std::size_t b) { return on_x ? x_[a] < x_[b] : y_[a] < y_[b]; });
    const auto left = build(begin, mid);
    const auto right = build(mid, end);
    nodes_[static_cast<std::size_t>(id)].left = left;
    nodes_[static_cast<std::size_t>(id)].right = right;
    return id;
  }

  [[nodiscard]] double box_distance(const Node& node, double qx, double qy) const noexcept {
    const double dx = std::max({0.0, node.lo[0] - qx, qx - node.hi[0]});
    const double dy = std::max({0.0, node.lo[1] - qy, qy - node.hi[1]});
    return std::max(dx, dy);
  }

  void search(std::int64_t id, double qx, double qy, std::size_t self,
              std::vector<double>& best) const {
    const Node& node = nodes_[static_cast<std::size_t>(id)];
    if (node.left < 0) {
      for (std::size_t p = node.begin; p < node.end; ++p) {
        if (order_[p] == self) continue;
        const double d = std::max(std::abs(px_[p] - qx), std::abs(py_[p] - qy));
        if (d < best.back()) {
          auto at = best.end() - 1;
          while (at != best.begin() && *(at - 1) > d) {
            *at = *(at - 1);
            --at;
          }
          *at = d;
        }
      }
      return;
    }
    const Node& l = nodes_[static_cast<std::size_t>(node.left)];
    const Node& r = nodes_[static_cast<std::size_t>(node.right)];
    const double dl = box_distance(l, qx, qy);
    const double dr = box_distance(r, qx, qy);
    const auto first = dl <= dr ? node.left : node.right;
    const auto second = dl <= dr ? node.right : node.left;
    if (std::min(dl, dr) < best.back()) search(first, qx, qy, self, best);
    if (std::max(dl, dr) < best.back()) search(second, qx, qy, self, best);
  }

  std::span<const double> x_;
  std::span<const double> y_;
  std::vector<std::size_t> order_;
  std::vector<double> px_;
  std::vector<double> py_;
  std::vector<Node> nodes_;
};

/// Number of values of `sorted` within distance r of v (|s - v| <= r), by two binary searches.
std::size_t count_within(std::span<const double> sorted, double v, double r) {
  const auto lo = std::partition_point(sorted.begin(), sorted.end(),
                                       [&](double s) { return s < v && v - s > r; });
  const auto hi =
      std::partition_point(lo, sorted.end(), [&](double s) { return !(s > v && s - v > r); });
  return static_cast<std::size_t>(hi - lo);
}

double below(double d) { return std::nextafter(d, 0.0); }

/// Kraskov et al. (2004), estimator 1: ψ(n) + ψ(k) - <ψ(n_x + 1)> - <ψ(n_y + 1)>, where n_x and
/// n_y count the other points strictly within the k-th neighbour's max-norm distance.
double mi_continuous_continuous(std::span<const double> x, std::span<const double> y, int k) {
  const std::size_t n = x.size();
  const ChebyshevTree tree(x, y);
  std::vector<double> sx(x.begin(), x.end());
  std::vector<double> sy(y.begin(), y.end());
  std::sort(sx.begin(), sx.end());
  std::sort(sy.begin(), sy.end());
  std::vector<double> best(static_cast<std::size_t>(k));
  double sum_x = 0.0;
  double sum_y = 0.0;
  for (std::size_t i = 0; i < n; ++i) {
    tree.nearest(i, best);
    const double radius = below(best.back());
    // count_within includes the point itself, so it is n_x + 1.
    sum_x += digamma(static_cast<double>(count_within(sx, x[i], radius)));
    sum_y += digamma(static_cast<double>(count_within(sy, y[i], radius)));
  }
  const auto nn = static_cast<double>(n);
  const double mi = digamma(nn) + digamma(k) - sum_x / nn - sum_y / nn;
  return std::max(0.0, mi);
}

/// Ross (2014): ψ(N) + <ψ(k_i)> - <ψ(N_label)> - <ψ(m_i)>, with k_i = min(k, N_label - 1), the
/// radius the k_i-th neighbour's distance within the point's label, and m_i the points of every
/// label within it. Points whose label occurs once are left out.
double mi_continuous_discrete(std::span<const double> c, std::span<const double> d, int k) {
  const std::size_t n = c.size();
  std::map<double, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < n; ++i) groups[d[i]].push_back(i);
  std::vector<double> radius(n, 0.0);
  std::vector<int> k_all(n, 0);
  std::vector<double> label_count(n, 0.0);
  std::vector<double> kept;
  std::vector<std::size_t> kept_index;
  for (auto& [label, rows] : groups) {
    (void)label;
    for (const std::size_t i : rows) label_count[i] = static_cast<double>(rows.size());
    if (rows.size() < 2) continue;
    const int kk = std::min(k, static_cast<int>(rows.size()) - 1);
    std::sort(rows.begin(), rows.end(), [&](std::size_t a, std::size_t b) { return c[a] < c[b]; });
    const std::size_t m = rows.size();
    for (std::size_t p = 0; p < m; ++p) {
      // Merge the neighbours on both sides in order of distance; the kk-th is the radius.
      std::size_t left = p;
      std::size_t right = p + 1;
      double dist = 0.0;
      for (int step = 0; step < kk; ++step) {
        const double dl = left > 0 ? c[rows[p]] - c[rows[left - 1]] : kInf;
        const double dr = right < m ? c[rows[right]] - c[rows[p]] : kInf;
        if (dl <= dr) {
          dist = dl;
          --left;
        } else {
          dist = dr;
          ++right;
        }
      }
      radius[rows[p]] = below(dist);
      k_all[rows[p]] = kk;
    }
    for (const std::size_t i : rows) {
      kept.push_back(c[i]);
      kept_index.push_back(i);
    }
  }
  if (kept.empty()) return 0.0;
  std::vector<double> sorted = kept;
  std::sort(sorted.begin(), sorted.end());
  double sum_k = 0.0;
  double sum_label = 0.0;
  double sum_m = 0.0;
  for (const std::size_t i : kept_index) {
    sum_k += digamma(k_all[i]);
    sum_label += digamma(label_count[i]);
    sum_m += digamma(static_cast<double>(count_within(sorted, c[i], radius[i])));
  }
  const auto nn = static_cast<double>(kept.size());
  const double mi = digamma(nn) + sum_k / nn - sum_label / nn - sum_m / nn;
  return std::max(0.0, mi);
}

/// The plug-in estimate Σ p(a,b) log(p(a,b) / (p(a) p(b))) from the contingency table, as
/// scikit-learn's mutual_info_score (terms below machine epsilon dropped, the sum clipped at 0).
double mi_discrete_discrete(std::span<const double> a, std::span<const double> b) {
  std::map<double, std::size_t> a_codes;
  std::map<double, std::size_t> b_codes;
  for (const double v : a) a_codes.emplace(v, 0);
  for (const double v : b) b_codes.emplace(v, 0);
  if (a_codes.size() < 2 || b_codes.size() < 2) return 0.0;
  std::size_t next = 0;
  for (auto& [v, code] : a_codes) code = next++;
  next = 0;
  for (auto& [v, code] : b_codes) code = next++;
  const std::size_t na = a_codes.size();
  const std::size_t nb = b_codes.size();
  std::vector<double> table(na * nb, 0.0);
  std::vector<double> row(na, 0.0);
  std::vector<double> col(nb, 0.0);
  for (std::size_t i = 0; i < a.size(); ++i) {
    const std::size_t r = a_codes[a[i]];
    const std::size_t s = b_codes[b[i]];
    table[r * nb + s] += 1.0;
    row[r] += 1.0;
    col[s] += 1.0;
  }
  const auto total = static_cast<double>(a.size());
  const double log_total = std::log(total);
  double mi = 0.0;
  for (std::size_t r = 0; r < na; ++r) {
    for (std::size_t s = 0; s < nb; ++s) {
      const double count = table[r * nb + s];
      if (count == 0.0) continue;
      const double p = count / total;
      const double term =
          p * (std::log(count) - log_total) + p * (-std::log(row[r] * col[s]) + 2.0 * log_total);
      if (std::abs(term) >= std::numeric_limits<double>::epsilon()) mi += term;
    }
  }
  return std::max(0.0, mi);
}

/// x / std(x) (population), a constant column left as is; then the optional jitter.
std::vector<double> scaled(std::span<const double> x, bool noise, Rng rng) {
  const auto n = static_cast<double>(x.size());
  const double mean = std::accumulate(x.begin(), x.end(), 0.0) / n;
  double squares = 0.0;
  for (const double v : x) squares += (v - mean) * (v - mean);
  double sd = std::sqrt(squares / n);
  if (sd < 10.0 * std::numeric_limits<double>::epsilon()) sd = 1.0;
  std::vector<double> out(x.size());
  double abs_sum = 0.0;
  for (std::size_t i = 0; i < x.size(); ++i) {
    out[i] = x[i] / sd;
    abs_sum += std::abs(out[i]);
  }
  if (noise) {
    const double amplitude = 1e-10 * std::max(1.0, abs_sum / n);
    for (double& v : out) v += amplitude * rng.normal();
  }
  return out;
}

void check_finite(std::span<const double> v, const char* what, std::size_t index) {
  for (std::size_t i = 0; i < v.size(); ++i) {
    KOLOSAL_CHECK(std::isfinite(v[i]), InvalidArgument, "mutual_info: ", what, " ", index,
                  " has the non-finite value ", v[i], " at row ", i);
  }
}

}  // namespace

std::vector<double> mutual_info(std::span<const std::span<const double>> columns,
                                std::span<const double> y, bool discrete_target,
                                const MutualInfoOptions& options, const Context& context) {
  const std::size_t m = columns.size();
  const std::size_t n = y.size();
  const int k = options.n_neighbors;
  KOLOSAL_CHECK(k >= 1, InvalidArgument, "mutual_info: n_neighbors must be >= 1, got ", k);
  KOLOSAL_CHECK(options.discrete_features.empty() || options.discrete_features.size() == m,
                ShapeMismatch, "mutual_info: discrete_features has ",
                options.discrete_features.size(), " flags for ", m, " columns");
  check_finite(y, "target", 0);
  for (std::size_t j = 0; j < m; ++j) {
    KOLOSAL_CHECK(columns[j].size() == n, ShapeMismatch, "mutual_info: column ", j, " has ",
                  columns[j].size(), " rows but y has ", n, " values");
    check_finite(columns[j], "column", j);
  }
  const auto discrete = [&](std::size_t j) {
    return !options.discrete_features.empty() && options.discrete_features[j] != 0;
  };
  bool any_continuous = !discrete_target;
  for (std::size_t j = 0; j < m && !any_continuous; ++j) any_continuous = !discrete(j);
  KOLOSAL_CHECK(!any_continuous || n > static_cast<std::size_t>(k), InvalidArgument,
                "mutual_info: ", n, " rows are too few for n_neighbors = ", k);

  // Streams: column j draws from split(j), the target from split(m), whatever the thread count.
  const Rng root(context.seed, 0x6D75747561ULL);
  std::vector<double> target;
  if (discrete_target) {
    target.assign(y.begin(), y.end());
  } else {
    target = scaled(y, options.add_noise, root.split(m));
  }
  std::vector<double> mi(m, 0.0);
  parallel::for_each_index(context, m, [&](std::size_t j) {
    if (discrete(j)) {
      mi[j] = discrete_target ? mi_discrete_discrete(columns[j], target)
                              : mi_continuous_discrete(target, columns[j], k);
      return;
    }
    const auto x = scaled(columns[j], options.add_noise, root.split(j));
    mi[j] = discrete_target ? mi_continuous_discrete(x, target, k)
                            : mi_continuous_continuous(x, target, k);
  });
  return mi;
}

namespace {
std::vector<double> mutual_info_matrix(MatrixView<const double> x, std::span<const double> y,
                                       bool discrete_target, const MutualInfoOptions& options,
                                       const Context& context) {
  KOLOSAL_CHECK(x.rows() == y.size(), ShapeMismatch, "mutual_info: x has ", x.rows(),
                " rows but y has ", y.size(), " values");
  std::vector<std::vector<double>> storage(x.cols(), std::vector<double>(x.rows()));
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) storage[j][i] = x(i, j);
  }
  std::vector<std::span<const double>> columns(storage.begin(), storage.end());
  return mutual_info(columns, y, discrete_target, options, context);
}
}  // namespace

std::vector<double> mutual_info_regression(MatrixView<const double> x, std::span<const double> y,
                                           const MutualInfoOptions& options,
                                           const Context& context) {
  return mutual_info_matrix(x, y, false, options, context);
}

std::vector<double> mutual_info_classif(MatrixView<const double> x, std::span<const double> y,
                                        const MutualInfoOptions& options, const Context& context) {
  return mutual_info_matrix(x, y, true, options, context);
}

}  // namespace kolosal::feature_engineering
