// SPDX-License-Identifier: MIT
// The CART builder: binned features, histogram or sort-based split search per node, depth-first
// growth in preorder (as scikit-learn's DepthFirstTreeBuilder) and cost-complexity pruning.
#include "training/tree/tree_builder.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

namespace kolosal::training {

// ---------------------------------------------------------------------------- Tree

std::size_t Tree::leaf_count() const noexcept {
  return static_cast<std::size_t>(std::count(feature.begin(), feature.end(), -1));
}

std::size_t Tree::depth() const {
  if (feature.empty()) return 0;
  std::vector<std::size_t> d(feature.size(), 0);
  std::size_t best = 0;
  for (std::size_t i = 0; i < feature.size(); ++i) {  // preorder: parents precede children
    best = std::max(best, d[i]);
    if (feature[i] >= 0) {
      d[static_cast<std::size_t>(left[i])] = d[i] + 1;
      d[static_cast<std::size_t>(right[i])] = d[i] + 1;
    }
  }
  return best;
}

void Tree::pack() {
  packed.resize(feature.size());
  for (std::size_t i = 0; i < feature.size(); ++i) {
    packed[i] = {threshold[i], feature[i], left[i], right[i]};
  }
}

std::size_t Tree::apply(std::span<const double> row) const noexcept {
  if (!packed.empty()) {
    const PackedNode* nodes = packed.data();
    std::int32_t i = 0;
    while (nodes[i].feature >= 0) {
      const PackedNode& n = nodes[i];
      i = row[static_cast<std::size_t>(n.feature)] <= n.threshold ? n.left : n.right;
    }
    return static_cast<std::size_t>(i);
  }
  std::size_t node = 0;
  while (feature[node] >= 0) {
    node = static_cast<std::size_t>(
        row[static_cast<std::size_t>(feature[node])] <= threshold[node] ? left[node] : right[node]);
  }
  return node;
}

std::vector<double> Tree::impurity_decrease(std::size_t n_features) const {
  std::vector<double> out(n_features, 0.0);
  for (std::size_t i = 0; i < feature.size(); ++i) {
    if (feature[i] < 0) continue;
    const auto l = static_cast<std::size_t>(left[i]);
    const auto r = static_cast<std::size_t>(right[i]);
    out[static_cast<std::size_t>(feature[i])] +=
        weighted_n[i] * impurity[i] - weighted_n[l] * impurity[l] - weighted_n[r] * impurity[r];
  }
  return out;
}

void Tree::check(std::string_view who, std::size_t n_features) const {
  const std::size_t n = feature.size();
  KOLOSAL_CHECK(n > 0 && threshold.size() == n && left.size() == n && right.size() == n &&
                    impurity.size() == n && n_samples.size() == n && weighted_n.size() == n &&
                    n_values > 0 && value.size() == n * n_values,
                SerializationError, who, ": tree arrays have inconsistent lengths");
  for (std::size_t i = 0; i < n; ++i) {
    if (feature[i] < 0) {
      KOLOSAL_CHECK(feature[i] == -1 && left[i] == -1 && right[i] == -1, SerializationError, who,
                    ": leaf ", i, " has children");
      continue;
    }
    // Children follow their parent (preorder), which also rules out cycles.
    KOLOSAL_CHECK(static_cast<std::size_t>(feature[i]) < n_features &&
                      left[i] > static_cast<int>(i) && right[i] > static_cast<int>(i) &&
                      static_cast<std::size_t>(left[i]) < n &&
                      static_cast<std::size_t>(right[i]) < n,
                  SerializationError, who, ": node ", i, " has an invalid feature or child");
  }
}

namespace tree {
namespace {

constexpr double kEpsilon = std::numeric_limits<double>::epsilon();

double xlog2x(double c) { return c > 0.0 ? c * std::log2(c) : 0.0; }

// Median (as scikit-learn's WeightedMedianCalculator: the first value whose cumulative weight
// reaches half the total, averaged with the next when it reaches exactly half) and weighted
// absolute deviation of values sorted by y.
std::pair<double, double> sorted_median_deviation(std::span<const std::pair<double, double>> yw) {
  double total = 0.0;
  for (const auto& p : yw) total += p.second;
  const double half = total / 2.0;
  double cumulative = 0.0;
  double median = yw.empty() ? 0.0 : yw.back().first;
  for (std::size_t i = 0; i < yw.size(); ++i) {
    cumulative += yw[i].second;
    if (cumulative >= half) {
      median = (cumulative == half && i + 1 < yw.size()) ? (yw[i].first + yw[i + 1].first) / 2.0
                                                         : yw[i].first;
      break;
    }
  }
  double deviation = 0.0;
  for (const auto& p : yw) deviation += p.second * std::abs(p.first - median);
  return {median, deviation};
}

struct Split {
  bool found = false;
  std::size_t feature = 0;
  std::uint32_t code = 0;  // rows with code <= this go left
  double threshold = 0.0;
  double proxy = -std::numeric_limits<double>::infinity();
};

class Builder {
 public:
  Builder(const BinnedFeatures& x, std::span<const double> y, std::span<const double> w,
          const BuildParams& p, Rng& rng)
      : x_(x),
        y_(y),
        w_(w),
        p_(p),
        rng_(rng),
        classify_(p.n_classes > 0),
        k_(classify_ ? p.n_classes : 1) {
    if (classify_) {
      yk_.resize(y.size());
      for (std::size_t i = 0; i < y.size(); ++i) yk_[i] = static_cast<std::uint32_t>(y[i]);
    }
    features_.resize(x.cols);
    std::iota(features_.begin(), features_.end(), std::size_t{0});
    max_features_ = p.max_features == 0 ? x.cols : std::min(p.max_features, x.cols);
    stat_width_ = classify_ ? k_ : 2;
    left_.resize(stat_width_);
    total_.resize(stat_width_);
  }

  Tree build(std::span<const std::uint32_t> samples) {
    samples_.assign(samples.begin(), samples.end());
    tree_.n_values = k_;
    struct Item {
      std::size_t begin, end, depth;
      int parent;
      bool is_left;
    };
    std::vector<Item> stack{{0, samples_.size(), 0, -1, false}};
    while (!stack.empty()) {
      const Item item = stack.back();
      stack.pop_back();
      const int id = add_node(item.begin, item.end, item.parent, item.is_left);
      const std::size_t n = item.end - item.begin;
      const double wn = tree_.weighted_n[static_cast<std::size_t>(id)];
      const double impurity = tree_.impurity[static_cast<std::size_t>(id)];
      bool leaf = (p_.max_depth && item.depth >= static_cast<std::size_t>(*p_.max_depth)) ||
                  n < p_.min_samples_split || n < 2 * p_.min_samples_leaf ||
                  wn < 2.0 * p_.min_weight_leaf || impurity <= kEpsilon;
      std::size_t mid = item.begin;
      Split split;
      if (!leaf) {
        split = find_split(item.begin, item.end);
        leaf = !split.found;
      }
      if (!leaf) {
        const auto col = x_.column(split.feature);
        mid = static_cast<std::size_t>(
            std::partition(samples_.begin() + static_cast<std::ptrdiff_t>(item.begin),
                           samples_.begin() + static_cast<std::ptrdiff_t>(item.end),
                           [&](std::uint32_t s) { return col[s] <= split.code; }) -
            samples_.begin());
        const auto [wl, il] = weight_impurity(item.begin, mid);
        const auto [wr, ir] = weight_impurity(mid, item.end);
        const double improvement = (wn / root_weight_) * (impurity - wr / wn * ir - wl / wn * il);
        leaf = mid == item.begin || mid == item.end ||
               improvement + kEpsilon < p_.min_impurity_decrease;
      }
      if (leaf) continue;
      const auto u = static_cast<std::size_t>(id);
      tree_.feature[u] = static_cast<int>(split.feature);
      tree_.threshold[u] = split.threshold;
      stack.push_back({mid, item.end, item.depth + 1, id, false});
      stack.push_back({item.begin, mid, item.depth + 1, id, true});
    }
    tree_.pack();
    return std::move(tree_);
  }

 private:
  [[nodiscard]] double weight(std::uint32_t s) const noexcept { return w_[s]; }

  // Weight and impurity of samples_[begin, end).
  std::pair<double, double> weight_impurity(std::size_t begin, std::size_t end) {
    summarize(begin, end, nullptr);
    return {summary_weight_, summary_impurity_};
  }

  // Computes weight, impurity and (when `value` is set) the node value of samples_[begin, end).
  void summarize(std::size_t begin, std::size_t end, double* value) {
    double wn = 0.0;
    if (classify_) {
      std::fill(total_.begin(), total_.end(), 0.0);
      for (std::size_t i = begin; i < end; ++i) {
        const auto s = samples_[i];
        total_[yk_[s]] += weight(s);
      }
      for (double c : total_) wn += c;
      double impurity = 0.0;
      if (p_.criterion == Criterion::kGini) {
        double sq = 0.0;
        for (double c : total_) sq += c * c;
        impurity = 1.0 - sq / (wn * wn);
      } else {
        for (double c : total_) impurity -= xlog2x(c / wn);
      }
      summary_impurity_ = impurity;
      if (value) {
        for (std::size_t k = 0; k < k_; ++k) value[k] = total_[k] / wn;
      }
    } else if (p_.criterion == Criterion::kSquaredError) {
      double sy = 0.0;
      double syy = 0.0;
      for (std::size_t i = begin; i < end; ++i) {
        const auto s = samples_[i];
        const double ws = weight(s);
        wn += ws;
        sy += ws * y_[s];
        syy += ws * y_[s] * y_[s];
      }
      const double mean = sy / wn;
      summary_impurity_ = std::max(0.0, syy / wn - mean * mean);
      if (value) value[0] = mean;
    } else {
      yw_.clear();
      for (std::size_t i = begin; i < end; ++i) {
        const auto s = samples_[i];
        yw_.emplace_back(y_[s], weight(s));
        wn += weight(s);
      }
      std::sort(yw_.begin(), yw_.end());
      const auto [median, deviation] = sorted_median_deviation(yw_);
      summary_impurity_ = deviation / wn;
      if (value) value[0] = median;
    }
    summary_weight_ = wn;
  }

  int add_node(std::size_t begin, std::size_t end, int parent, bool is_left) {
    const auto id = static_cast<int>(tree_.feature.size());
    tree_.feature.push_back(-1);
    tree_.threshold.push_back(0.0);
    tree_.left.push_back(-1);
    tree_.right.push_back(-1);
    tree_.value.resize(tree_.value.size() + k_);
    summarize(begin, end, tree_.value.data() + static_cast<std::size_t>(id) * k_);
    tree_.impurity.push_back(summary_impurity_);
    tree_.n_samples.push_back(static_cast<double>(end - begin));
    tree_.weighted_n.push_back(summary_weight_);
    if (parent < 0) {
      root_weight_ = summary_weight_;
    } else {
      (is_left ? tree_.left : tree_.right)[static_cast<std::size_t>(parent)] = id;
    }
    return id;
  }

  // Tries features in a random order until `max_features_` non-constant ones were evaluated.
  Split find_split(std::size_t begin, std::size_t end) {
    Split best;
    // Node totals for the proxy computations.
    std::fill(total_.begin(), total_.end(), 0.0);
    for (std::size_t i = begin; i < end; ++i) add_stats(total_.data(), samples_[i]);
    std::size_t evaluated = 0;
    const std::size_t f_count = features_.size();
    for (std::size_t i = 0; i < f_count && evaluated < max_features_; ++i) {
      const std::size_t j = i + static_cast<std::size_t>(rng_.uniform_index(f_count - i));
      std::swap(features_[i], features_[j]);
      const std::size_t f = features_[i];
      bool constant = false;
      if (p_.criterion == Criterion::kAbsoluteError) {
        constant = !absolute_error_feature(f, begin, end, best);
      } else if (p_.random_splits) {
        constant = !random_feature(f, begin, end, best);
      } else {
        constant = !best_feature(f, begin, end, best);
      }
      if (!constant) ++evaluated;
    }
    return best;
  }

  void add_stats(double* stats, std::uint32_t s) const noexcept {
    if (classify_) {
      stats[yk_[s]] += weight(s);
    } else {
      stats[0] += weight(s);
      stats[1] += weight(s) * y_[s];
    }
  }

  // Proxy of the children's impurity (larger is better) from left stats and node totals.
  [[nodiscard]] double proxy(const double* left, double wl, double wr) const noexcept {
    if (!classify_) {
      const double sl = left[1];
      const double sr = total_[1] - sl;
      return sl * sl / wl + sr * sr / wr;
    }
    if (p_.criterion == Criterion::kGini) {
      double ql = 0.0;
      double qr = 0.0;
      for (std::size_t k = 0; k < k_; ++k) {
        const double r = total_[k] - left[k];
        ql += left[k] * left[k];
        qr += r * r;
      }
      return ql / wl + qr / wr;
    }
    // -(wl * H_l + wr * H_r) with w * H = w log2 w - sum c log2 c.
    double el = 0.0;
    double er = 0.0;
    for (std::size_t k = 0; k < k_; ++k) {
      el += xlog2x(left[k]);
      er += xlog2x(total_[k] - left[k]);
    }
    return el - xlog2x(wl) + er - xlog2x(wr);
  }

  [[nodiscard]] double weight_of_stats(const double* stats) const noexcept {
    if (!classify_) return stats[0];
    double w = 0.0;
    for (std::size_t k = 0; k < k_; ++k) w += stats[k];
    return w;
  }

  [[nodiscard]] double midpoint(std::size_t f, std::uint32_t lo, std::uint32_t hi) const noexcept {
    const double a = x_.bin_max[f][lo];
    const double b = x_.bin_min[f][hi];
    double t = a / 2.0 + b / 2.0;
    if (t >= b || !std::isfinite(t)) t = a;
    return t;
  }

  // Exhaustive search over the bins of feature f; returns false when f is constant in the node.
  bool best_feature(std::size_t f, std::size_t begin, std::size_t end, Split& best) {
    const auto col = x_.column(f);
    const std::size_t n = end - begin;
    const std::size_t nb = x_.bins(f);
    const std::size_t width = stat_width_;
    entry_code_.clear();
    entry_count_.clear();
    entry_stats_.clear();
    if (nb <= 8 * n) {
      hist_count_.assign(nb, 0);
      hist_stats_.assign(nb * width, 0.0);
      for (std::size_t i = begin; i < end; ++i) {
        const auto s = samples_[i];
        const std::uint32_t b = col[s];
        ++hist_count_[b];
        add_stats(hist_stats_.data() + b * width, s);
      }
      for (std::size_t b = 0; b < nb; ++b) {
        if (hist_count_[b] == 0) continue;
        entry_code_.push_back(static_cast<std::uint32_t>(b));
        entry_count_.push_back(hist_count_[b]);
        entry_stats_.insert(entry_stats_.end(), hist_stats_.begin() + static_cast<long>(b * width),
                            hist_stats_.begin() + static_cast<long>((b + 1) * width));
      }
    } else {
      keys_.resize(n);
      for (std::size_t i = begin; i < end; ++i) {
        keys_[i - begin] = (static_cast<std::uint64_t>(col[samples_[i]]) << 32) | samples_[i];
      }
      std::sort(keys_.begin(), keys_.end());
      for (std::size_t i = 0; i < n; ++i) {
        const auto code = static_cast<std::uint32_t>(keys_[i] >> 32);
        const auto s = static_cast<std::uint32_t>(keys_[i] & 0xFFFFFFFFULL);
        if (entry_code_.empty() || entry_code_.back() != code) {
          entry_code_.push_back(code);
          entry_count_.push_back(0);
          entry_stats_.resize(entry_stats_.size() + width, 0.0);
        }
        ++entry_count_.back();
        add_stats(entry_stats_.data() + entry_stats_.size() - width, s);
      }
    }
    const std::size_t m = entry_code_.size();
    if (m < 2) return false;
    const double wn = weight_of_stats(total_.data());
    std::fill(left_.begin(), left_.end(), 0.0);
    std::size_t nl = 0;
    for (std::size_t e = 0; e + 1 < m; ++e) {
      const double* st = entry_stats_.data() + e * width;
      for (std::size_t k = 0; k < width; ++k) left_[k] += st[k];
      nl += entry_count_[e];
      const std::size_t nr = n - nl;
      if (nl < p_.min_samples_leaf) continue;
      if (nr < p_.min_samples_leaf) break;
      const double wl = weight_of_stats(left_.data());
      const double wr = wn - wl;
      if (wl < p_.min_weight_leaf || wr < p_.min_weight_leaf || wl <= 0.0 || wr <= 0.0) continue;
      const double score = proxy(left_.data(), wl, wr);
      if (score > best.proxy) {
        best.found = true;
        best.proxy = score;
        best.feature = f;
        best.code = entry_code_[e];
        best.threshold = midpoint(f, entry_code_[e], entry_code_[e + 1]);
      }
    }
    return true;
  }

  // Extremely randomised trees: one uniform threshold between the node's min and max of f.
  bool random_feature(std::size_t f, std::size_t begin, std::size_t end, Split& best) {
    const auto col = x_.column(f);
    std::uint32_t lo = std::numeric_limits<std::uint32_t>::max();
    std::uint32_t hi = 0;
    for (std::size_t i = begin; i < end; ++i) {
      lo = std::min(lo, col[samples_[i]]);
      hi = std::max(hi, col[samples_[i]]);
    }
    if (lo == hi) return false;
    const double vmin = x_.bin_min[f][lo];
    const double vmax = x_.bin_max[f][hi];
    const double t = rng_.uniform(vmin, vmax);
    const auto& upper = x_.bin_max[f];
    auto code =
        static_cast<std::uint32_t>(std::upper_bound(upper.begin(), upper.end(), t) - upper.begin());
    code = code == 0 ? lo : std::max(lo, code - 1);
    code = std::min(code, hi - 1);
    std::fill(left_.begin(), left_.end(), 0.0);
    std::size_t nl = 0;
    std::uint32_t next = hi;
    for (std::size_t i = begin; i < end; ++i) {
      const auto s = samples_[i];
      if (col[s] <= code) {
        add_stats(left_.data(), s);
        ++nl;
      } else {
        next = std::min(next, col[s]);
      }
    }
    const std::size_t nr = end - begin - nl;
    if (nl < p_.min_samples_leaf || nr < p_.min_samples_leaf) return true;
    const double wn = weight_of_stats(total_.data());
    const double wl = weight_of_stats(left_.data());
    const double wr = wn - wl;
    if (wl < p_.min_weight_leaf || wr < p_.min_weight_leaf || wl <= 0.0 || wr <= 0.0) return true;
    const double score = proxy(left_.data(), wl, wr);
    if (score > best.proxy) {
      best.found = true;
      best.proxy = score;
      best.feature = f;
      best.code = code;
      // With exact bins the drawn threshold separates the rows as it did in training.
      const bool exact = x_.bin_min[f][code] == x_.bin_max[f][code] &&
                         x_.bin_min[f][next] == x_.bin_max[f][next] && t >= x_.bin_max[f][code] &&
                         t < x_.bin_min[f][next];
      best.threshold = exact ? t : midpoint(f, code, next);
    }
    return true;
  }

  // Absolute error: candidates scored by the children's summed absolute deviations from their
  // weighted medians, O(n^2) per feature as scikit-learn's MAE criterion.
  bool absolute_error_feature(std::size_t f, std::size_t begin, std::size_t end, Split& best) {
    const auto col = x_.column(f);
    const std::size_t n = end - begin;
    keys_.resize(n);
    for (std::size_t i = begin; i < end; ++i) {
      keys_[i - begin] = (static_cast<std::uint64_t>(col[samples_[i]]) << 32) | samples_[i];
    }
    std::sort(keys_.begin(), keys_.end());
    const auto code_of = [&](std::size_t i) { return static_cast<std::uint32_t>(keys_[i] >> 32); };
    const auto sample_of = [&](std::size_t i) {
      return static_cast<std::uint32_t>(keys_[i] & 0xFFFFFFFFULL);
    };
    if (code_of(0) == code_of(n - 1)) return false;
    std::vector<std::pair<double, double>> left_set;
    std::vector<std::pair<double, double>> right_set;
    left_set.reserve(n);
    right_set.reserve(n);
    for (std::size_t i = 0; i < n; ++i)
      right_set.emplace_back(y_[sample_of(i)], weight(sample_of(i)));
    std::sort(right_set.begin(), right_set.end());
    double wl = 0.0;
    const double wn = [&] {
      double s = 0.0;
      for (const auto& p : right_set) s += p.second;
      return s;
    }();
    std::uint32_t drawn = 0;
    if (p_.random_splits) {
      const double t = rng_.uniform(x_.bin_min[f][code_of(0)], x_.bin_max[f][code_of(n - 1)]);
      const auto& upper = x_.bin_max[f];
      auto code = static_cast<std::uint32_t>(std::upper_bound(upper.begin(), upper.end(), t) -
                                             upper.begin());
      code = code == 0 ? code_of(0) : std::max(code_of(0), code - 1);
      drawn = std::min(code, code_of(n - 1) - 1);
    }
    for (std::size_t i = 0; i + 1 < n; ++i) {
      const std::pair<double, double> item{y_[sample_of(i)], weight(sample_of(i))};
      left_set.insert(std::upper_bound(left_set.begin(), left_set.end(), item), item);
      right_set.erase(std::lower_bound(right_set.begin(), right_set.end(), item));
      wl += item.second;
      if (code_of(i) == code_of(i + 1)) continue;
      if (p_.random_splits && !(code_of(i) <= drawn && code_of(i + 1) > drawn)) continue;
      const std::size_t nl = i + 1;
      const std::size_t nr = n - nl;
      const double wr = wn - wl;
      const bool valid = nl >= p_.min_samples_leaf && nr >= p_.min_samples_leaf &&
                         wl >= p_.min_weight_leaf && wr >= p_.min_weight_leaf && wl > 0.0 &&
                         wr > 0.0;
      if (valid) {
        const double score =
            -(sorted_median_deviation(left_set).second + sorted_median_deviation(right_set).second);
        if (score > best.proxy) {
          best.found = true;
          best.proxy = score;
          best.feature = f;
          best.code = code_of(i);
          best.threshold = midpoint(f, code_of(i), code_of(i + 1));
        }
      }
      if (p_.random_splits) break;  // the one boundary at or after the drawn threshold
    }
    return true;
  }

  const BinnedFeatures& x_;
  std::span<const double> y_;
  std::span<const double> w_;
  const BuildParams& p_;
  Rng& rng_;
  bool classify_;
  std::size_t k_;
  std::size_t stat_width_ = 0;
  std::size_t max_features_ = 0;
  double root_weight_ = 1.0;
  double summary_weight_ = 0.0;
  double summary_impurity_ = 0.0;
  Tree tree_;
  std::vector<std::uint32_t> yk_;
  std::vector<std::uint32_t> samples_;
  std::vector<std::size_t> features_;
  std::vector<double> left_;
  std::vector<double> total_;
  std::vector<std::uint32_t> hist_count_;
  std::vector<double> hist_stats_;
  std::vector<std::uint32_t> entry_code_;
  std::vector<std::size_t> entry_count_;
  std::vector<double> entry_stats_;
  std::vector<std::uint64_t> keys_;
  std::vector<std::pair<double, double>> yw_;
};

}  // namespace

BinnedFeatures bin_features(MatrixView<const double> x, std::size_t max_bins, const Context& ctx) {
  KOLOSAL_CHECK(x.rows() < std::numeric_limits<std::uint32_t>::max(), InvalidArgument,
                "trees: at most 2^32 - 1 rows are supported, got ", x.rows());
  BinnedFeatures out;
  out.rows = x.rows();
  out.cols = x.cols();
  out.codes.resize(out.rows * out.cols);
  out.bin_min.resize(out.cols);
  out.bin_max.resize(out.cols);
  parallel::for_each_index(ctx, out.cols, [&](std::size_t f) {
    std::vector<std::pair<double, std::uint32_t>> sorted(out.rows);
    for (std::size_t r = 0; r < out.rows; ++r) sorted[r] = {x(r, f), static_cast<std::uint32_t>(r)};
    std::sort(sorted.begin(), sorted.end());
    std::size_t distinct = 0;
    for (std::size_t r = 0; r < out.rows; ++r) {
      if (r == 0 || sorted[r].first != sorted[r - 1].first) ++distinct;
    }
    const bool exact = max_bins == 0 || distinct <= max_bins;
    auto& lo = out.bin_min[f];
    auto& hi = out.bin_max[f];
    std::uint32_t* codes = out.codes.data() + f * out.rows;
    std::size_t target = 0;  // bin id before compaction
    for (std::size_t r = 0; r < out.rows; ++r) {
      const double v = sorted[r].first;
      if (r == 0 || v != sorted[r - 1].first) {
        const std::size_t bin = exact ? lo.size() : std::min(max_bins - 1, r * max_bins / out.rows);
        if (lo.empty() || bin != target) {
          lo.push_back(v);
          hi.push_back(v);
          target = bin;
        } else {
          hi.back() = v;
        }
      }
      codes[sorted[r].second] = static_cast<std::uint32_t>(lo.size() - 1);
    }
  });
  return out;
}

Tree build_tree(const BinnedFeatures& x, std::span<const double> y, std::span<const double> weight,
                std::span<const std::uint32_t> samples, const BuildParams& params, Rng& rng) {
  Builder builder(x, y, weight, params, rng);
  return builder.build(samples);
}

void prune(Tree& tree, double ccp_alpha) {
  const std::size_t n = tree.node_count();
  if (n <= 1) return;
  const double root = tree.weighted_n[0];
  std::vector<double> r_node(n);
  for (std::size_t i = 0; i < n; ++i) r_node[i] = tree.weighted_n[i] / root * tree.impurity[i];
  std::vector<char> leaf(n);
  for (std::size_t i = 0; i < n; ++i) leaf[i] = tree.feature[i] < 0;
  std::vector<double> r_branch(n);
  std::vector<std::size_t> leaves(n);
  std::vector<char> reachable(n);
  for (;;) {
    for (std::size_t i = n; i-- > 0;) {  // children after parents in preorder
      if (leaf[i]) {
        r_branch[i] = r_node[i];
        leaves[i] = 1;
      } else {
        const auto l = static_cast<std::size_t>(tree.left[i]);
        const auto r = static_cast<std::size_t>(tree.right[i]);
        r_branch[i] = r_branch[l] + r_branch[r];
        leaves[i] = leaves[l] + leaves[r];
      }
    }
    std::fill(reachable.begin(), reachable.end(), 0);
    reachable[0] = 1;
    double weakest = std::numeric_limits<double>::infinity();
    std::size_t weakest_node = 0;
    for (std::size_t i = 0; i < n; ++i) {
      if (!reachable[i] || leaf[i]) continue;
      reachable[static_cast<std::size_t>(tree.left[i])] = 1;
      reachable[static_cast<std::size_t>(tree.right[i])] = 1;
      const double alpha = (r_node[i] - r_branch[i]) / static_cast<double>(leaves[i] - 1);
      if (alpha < weakest) {
        weakest = alpha;
        weakest_node = i;
      }
    }
    if (!(weakest <= ccp_alpha)) break;
    leaf[weakest_node] = 1;
  }
  // Rebuild with the reachable nodes, keeping preorder.
  std::vector<int> new_id(n, -1);
  Tree out;
  out.n_values = tree.n_values;
  std::vector<std::size_t> stack{0};
  std::vector<std::size_t> order;
  while (!stack.empty()) {
    const std::size_t i = stack.back();
    stack.pop_back();
    new_id[i] = static_cast<int>(order.size());
    order.push_back(i);
    if (!leaf[i]) {
      stack.push_back(static_cast<std::size_t>(tree.right[i]));
      stack.push_back(static_cast<std::size_t>(tree.left[i]));
    }
  }
  for (std::size_t i : order) {
    const bool is_leaf = leaf[i] != 0;
    out.feature.push_back(is_leaf ? -1 : tree.feature[i]);
    out.threshold.push_back(is_leaf ? 0.0 : tree.threshold[i]);
    out.left.push_back(is_leaf ? -1 : new_id[static_cast<std::size_t>(tree.left[i])]);
    out.right.push_back(is_leaf ? -1 : new_id[static_cast<std::size_t>(tree.right[i])]);
    out.impurity.push_back(tree.impurity[i]);
    out.n_samples.push_back(tree.n_samples[i]);
    out.weighted_n.push_back(tree.weighted_n[i]);
    out.value.insert(out.value.end(), tree.value.begin() + static_cast<long>(i * tree.n_values),
                     tree.value.begin() + static_cast<long>((i + 1) * tree.n_values));
  }
  out.pack();
  tree = std::move(out);
}

std::size_t resolve_max_features(MaxFeatures mode, double fraction, std::size_t n_features) {
  const auto nf = static_cast<double>(n_features);
  double count = nf;
  switch (mode) {
    case MaxFeatures::kAll:
      break;
    case MaxFeatures::kSqrt:
      count = std::floor(std::sqrt(nf));
      break;
    case MaxFeatures::kLog2:
      count = std::floor(std::log2(nf));
      break;
    case MaxFeatures::kFraction:
      count = std::floor(fraction * nf);
      break;
  }
  return std::clamp<std::size_t>(static_cast<std::size_t>(count), 1, n_features);
}

std::vector<double> class_weighted(std::span<const double> y, std::span<const double> sample_weight,
                                   std::size_t n_classes, ClassWeight mode,
                                   std::span<const double> explicit_weights, std::string_view who) {
  std::vector<double> w(y.size(), 1.0);
  if (!sample_weight.empty()) std::copy(sample_weight.begin(), sample_weight.end(), w.begin());
  std::vector<double> per_class(n_classes, 1.0);
  if (mode == ClassWeight::kBalanced) {
    // scikit-learn's compute_class_weight("balanced") counts rows, ignoring sample weights.
    std::vector<double> counts(n_classes, 0.0);
    for (double v : y) counts[static_cast<std::size_t>(v)] += 1.0;
    std::size_t present = 0;
    for (double c : counts) present += c > 0.0;
    for (std::size_t k = 0; k < n_classes; ++k) {
      per_class[k] = counts[k] > 0.0 ? static_cast<double>(y.size()) /
                                           (static_cast<double>(present) * counts[k])
                                     : 1.0;
    }
  } else if (mode == ClassWeight::kExplicit) {
    KOLOSAL_CHECK(explicit_weights.size() == n_classes, ConfigError, who,
                  ": class_weight_values has ", explicit_weights.size(), " entries for ", n_classes,
                  " classes");
    std::copy(explicit_weights.begin(), explicit_weights.end(), per_class.begin());
  }
  for (std::size_t i = 0; i < y.size(); ++i) w[i] *= per_class[static_cast<std::size_t>(y[i])];
  return w;
}

nlohmann::json tree_to_json(const Tree& tree) {
  return {
      {"feature", tree.feature},       {"threshold", tree.threshold}, {"left", tree.left},
      {"right", tree.right},           {"impurity", tree.impurity},   {"n_samples", tree.n_samples},
      {"weighted_n", tree.weighted_n}, {"value", tree.value},         {"n_values", tree.n_values}};
}

Tree tree_from_json(const nlohmann::json& json, std::string_view who, std::size_t n_features,
                    std::size_t n_values) {
  Tree tree;
  try {
    tree.feature = json.at("feature").get<std::vector<int>>();
    tree.threshold = json.at("threshold").get<std::vector<double>>();
    tree.left = json.at("left").get<std::vector<int>>();
    tree.right = json.at("right").get<std::vector<int>>();
    tree.impurity = json.at("impurity").get<std::vector<double>>();
    tree.n_samples = json.at("n_samples").get<std::vector<double>>();
    tree.weighted_n = json.at("weighted_n").get<std::vector<double>>();
    tree.value = json.at("value").get<std::vector<double>>();
    tree.n_values = json.at("n_values").get<std::size_t>();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, who, ": malformed tree (", e.what(), ")");
  }
  KOLOSAL_CHECK(tree.n_values == n_values, SerializationError, who, ": tree has ", tree.n_values,
                " values per node, expected ", n_values);
  tree.check(who, n_features);
  tree.pack();
  return tree;
}

std::vector<double> mean_importances(std::span<const Tree> trees, std::size_t n_features) {
  std::vector<double> total(n_features, 0.0);
  for (const auto& t : trees) {
    auto imp = t.impurity_decrease(n_features);
    const double sum = std::accumulate(imp.begin(), imp.end(), 0.0);
    if (sum <= 0.0) continue;  // a single-leaf tree contributes nothing, as in scikit-learn
    for (std::size_t f = 0; f < n_features; ++f) total[f] += imp[f] / sum;
  }
  const double sum = std::accumulate(total.begin(), total.end(), 0.0);
  if (sum > 0.0) {
    for (double& v : total) v /= sum;
  }
  return total;
}

}  // namespace tree
}  // namespace kolosal::training
