// SPDX-License-Identifier: MIT
// Forest fitting shared by the four forest models: per-tree bootstrap and Rng streams, trees
// grown in parallel on one binned copy of the features, out-of-bag scores, averaged predictions.
#include "kolosal/training/forest.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"

#include "training/tree/tree_builder.hpp"

namespace kolosal::training {
namespace {

constexpr std::size_t kPredictGrain = 1024;  // rows per block of the tree-major predict loop

template <class Config>
void check_forest_config(const Config& c) {
  KOLOSAL_CHECK(!c.oob_score || c.bootstrap, ConfigError, Config::kName,
                ": oob_score needs bootstrap = true");
  KOLOSAL_CHECK(!c.max_samples || c.bootstrap, ConfigError, Config::kName,
                ": max_samples needs bootstrap = true");
}

template <class Config>
tree::BuildParams build_params(const Config& c, tree::Criterion criterion, std::size_t n_classes,
                               std::size_t n_features, double total_weight, bool extra) {
  return {.criterion = criterion,
          .n_classes = n_classes,
          .max_depth = c.max_depth,
          .min_samples_split = static_cast<std::size_t>(c.min_samples_split),
          .min_samples_leaf = static_cast<std::size_t>(c.min_samples_leaf),
          .min_weight_leaf = c.min_weight_fraction_leaf * total_weight,
          .min_impurity_decrease = c.min_impurity_decrease,
          .max_features =
              tree::resolve_max_features(c.max_features, c.max_features_fraction, n_features),
          .random_splits = extra};
}

struct Grown {
  std::vector<Tree> trees;
  std::vector<std::vector<char>> in_bag;  // per tree, per row (only with oob)
};

// Grows `n_trees` trees; tree t uses Rng(seed).split(t) for its bootstrap draw and its splits.
Grown grow(const Context& ctx, MatrixView<const double> x, std::span<const double> y,
           std::span<const double> w, std::size_t n_trees, bool bootstrap,
           std::optional<double> max_samples, bool keep_in_bag, std::size_t max_bins,
           const tree::BuildParams& params, double ccp_alpha) {
  const auto binned = tree::bin_features(x, max_bins, ctx);
  const std::size_t n = x.rows();
  const std::size_t draws =
      max_samples
          ? std::max<std::size_t>(
                1, static_cast<std::size_t>(std::round(*max_samples * static_cast<double>(n))))
          : n;
  Grown out;
  out.trees.resize(n_trees);
  if (keep_in_bag) out.in_bag.resize(n_trees);
  const Rng root(ctx.seed);
  // Trees run in parallel; each builder is sequential.
  parallel::for_each_index(ctx, n_trees, [&](std::size_t t) {
    Rng rng = root.split(t);
    std::vector<std::uint32_t> rows;
    std::vector<double> tw;
    if (bootstrap) {
      std::vector<std::uint32_t> counts(n, 0);
      for (std::size_t d = 0; d < draws; ++d) ++counts[rng.uniform_index(n)];
      tw.resize(n);
      rows.reserve(n);
      for (std::size_t i = 0; i < n; ++i) {
        tw[i] = w[i] * static_cast<double>(counts[i]);
        if (tw[i] > 0.0) rows.push_back(static_cast<std::uint32_t>(i));
      }
      if (keep_in_bag) {
        out.in_bag[t].resize(n);
        for (std::size_t i = 0; i < n; ++i) out.in_bag[t][i] = counts[i] > 0;
      }
    } else {
      tw.assign(w.begin(), w.end());
      for (std::size_t i = 0; i < n; ++i) {
        if (tw[i] > 0.0) rows.push_back(static_cast<std::uint32_t>(i));
      }
    }
    if (rows.empty()) {  // every drawn row had zero weight: fall back to the whole weighted set
      tw.assign(w.begin(), w.end());
      for (std::size_t i = 0; i < n; ++i) {
        if (tw[i] > 0.0) rows.push_back(static_cast<std::uint32_t>(i));
      }
      if (keep_in_bag) std::fill(out.in_bag[t].begin(), out.in_bag[t].end(), char{1});
    }
    Tree grown = tree::build_tree(binned, y, tw, rows, params, rng);
    if (ccp_alpha > 0.0) tree::prune(grown, ccp_alpha);
    out.trees[t] = std::move(grown);
  });
  return out;
}

// Mean of the trees' leaf values for every row of x: n x n_values. Within a block of rows the
// loop runs tree by tree, so each tree's nodes stay in cache across the block; every row still
// sums its trees in index order, so results do not depend on the blocking or the threads.
Matrix<double> average(const Context& ctx, const std::vector<Tree>& trees,
                       MatrixView<const double> x, std::size_t n_values) {
  Matrix<double> out(x.rows(), n_values, 0.0);
  const double scale = 1.0 / static_cast<double>(trees.size());
  parallel::for_blocks(ctx, x.rows(), kPredictGrain, [&](std::size_t begin, std::size_t end) {
    for (const auto& t : trees) {
      for (std::size_t r = begin; r < end; ++r) {
        const auto v = t.leaf_value(x.row(r));
        auto dst = out.row(r);
        for (std::size_t k = 0; k < n_values; ++k) dst[k] += v[k];
      }
    }
    for (std::size_t r = begin; r < end; ++r) {
      for (auto& d : out.row(r)) d *= scale;
    }
  });
  return out;
}

// Out-of-bag mean of leaf values per row (rows never out of bag get all zeros and count 0).
Matrix<double> out_of_bag(const Context& ctx, const Grown& g, MatrixView<const double> x,
                          std::size_t n_values, std::vector<std::size_t>& count) {
  Matrix<double> out(x.rows(), n_values, 0.0);
  count.assign(x.rows(), 0);
  parallel::for_blocks(ctx, x.rows(), kPredictGrain, [&](std::size_t begin, std::size_t end) {
    for (std::size_t t = 0; t < g.trees.size(); ++t) {
      for (std::size_t r = begin; r < end; ++r) {
        if (g.in_bag[t][r]) continue;
        const auto v = g.trees[t].leaf_value(x.row(r));
        auto dst = out.row(r);
        for (std::size_t k = 0; k < n_values; ++k) dst[k] += v[k];
        ++count[r];
      }
    }
    for (std::size_t r = begin; r < end; ++r) {
      if (count[r] == 0) continue;
      for (auto& d : out.row(r)) d /= static_cast<double>(count[r]);
    }
  });
  return out;
}

nlohmann::json trees_to_json(const std::vector<Tree>& trees, std::optional<double> oob) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& t : trees) list.push_back(tree::tree_to_json(t));
  return {{"trees", std::move(list)}, {"oob_score", oob ? nlohmann::json(*oob) : nlohmann::json()}};
}

void trees_from_json(const nlohmann::json& state, std::string_view who, std::size_t n_features,
                     std::size_t n_values, std::vector<Tree>& trees, std::optional<double>& oob) {
  KOLOSAL_CHECK(state.is_object() && state.contains("trees") && state["trees"].is_array() &&
                    !state["trees"].empty(),
                SerializationError, who, ": expected a non-empty array of trees");
  std::vector<Tree> loaded;
  for (const auto& t : state["trees"]) {
    loaded.push_back(tree::tree_from_json(t, who, n_features, n_values));
  }
  const auto& o = state.contains("oob_score") ? state["oob_score"] : nlohmann::json();
  KOLOSAL_CHECK(o.is_null() || o.is_number(), SerializationError, who,
                ": oob_score must be a number or null");
  oob = o.is_null() ? std::nullopt : std::optional<double>(o.get<double>());
  trees = std::move(loaded);
}

double r2(std::span<const double> y, std::span<const double> pred,
          const std::vector<std::size_t>& count) {
  double mean = 0.0;
  double used = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (count[i] == 0) continue;
    mean += y[i];
    used += 1.0;
  }
  mean /= used;
  double ss_res = 0.0;
  double ss_tot = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (count[i] == 0) continue;
    ss_res += (y[i] - pred[i]) * (y[i] - pred[i]);
    ss_tot += (y[i] - mean) * (y[i] - mean);
  }
  return ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : 0.0;
}

}  // namespace

template <bool Extra>
void ForestClassifierConfig<Extra>::check() const {
  check_forest_config(*this);
  KOLOSAL_CHECK(class_weight != ClassWeight::kExplicit || !class_weight_values.empty(), ConfigError,
                kName, ": class_weight is explicit but class_weight_values is empty");
}

template <bool Extra>
void ForestRegressorConfig<Extra>::check() const {
  check_forest_config(*this);
}

// ---------------------------------------------------------------------------- classifier

template <bool Extra>
nlohmann::json ForestClassifier<Extra>::config() const {
  return config::to_json(config_);
}

template <bool Extra>
void ForestClassifier<Extra>::do_fit(MatrixView<const double> x, std::span<const double> y,
                                     const FitOptions& options) {
  config::validate(config_, kName);
  const auto w = tree::class_weighted(y, options.sample_weight, n_classes(), config_.class_weight,
                                      config_.class_weight_values, kName);
  double total = 0.0;
  for (double v : w) total += v;
  const auto params =
      build_params(config_,
                   config_.criterion == ClassificationCriterion::kGini ? tree::Criterion::kGini
                                                                       : tree::Criterion::kEntropy,
                   n_classes(), x.cols(), total, Extra);
  auto grown = grow(context(), x, y, w, static_cast<std::size_t>(config_.n_estimators),
                    config_.bootstrap, config_.max_samples, config_.oob_score,
                    static_cast<std::size_t>(config_.max_bins), params, config_.ccp_alpha);
  oob_score_.reset();
  if (config_.oob_score) {
    std::vector<std::size_t> count;
    const auto proba = out_of_bag(context(), grown, x, n_classes(), count);
    double correct = 0.0;
    double used = 0.0;
    for (std::size_t r = 0; r < x.rows(); ++r) {
      if (count[r] == 0) continue;
      const auto row = proba.row(r);
      const auto best = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
      correct += best == y[r] ? 1.0 : 0.0;
      used += 1.0;
    }
    KOLOSAL_CHECK(used > 0.0, InvalidArgument, kName,
                  "::fit: no row was out of bag; use more trees for oob_score");
    oob_score_ = correct / used;
  }
  trees_ = std::move(grown.trees);
}

template <bool Extra>
Matrix<double> ForestClassifier<Extra>::do_predict_proba(MatrixView<const double> x) const {
  return average(context(), trees_, x, n_classes());
}

template <bool Extra>
std::vector<double> ForestClassifier<Extra>::do_predict(MatrixView<const double> x) const {
  const auto proba = do_predict_proba(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = proba.row(r);
    out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

template <bool Extra>
std::optional<std::vector<double>> ForestClassifier<Extra>::do_feature_importances() const {
  return tree::mean_importances(trees_, n_features());
}

template <bool Extra>
nlohmann::json ForestClassifier<Extra>::do_state() const {
  return trees_to_json(trees_, oob_score_);
}

template <bool Extra>
void ForestClassifier<Extra>::do_load_state(const nlohmann::json& state) {
  trees_from_json(state, std::string(kName) + "::load_state", n_features(), n_classes(), trees_,
                  oob_score_);
}

// ---------------------------------------------------------------------------- regressor

template <bool Extra>
nlohmann::json ForestRegressor<Extra>::config() const {
  return config::to_json(config_);
}

template <bool Extra>
void ForestRegressor<Extra>::do_fit(MatrixView<const double> x, std::span<const double> y,
                                    const FitOptions& options) {
  config::validate(config_, kName);
  std::vector<double> w(y.size(), 1.0);
  if (!options.sample_weight.empty()) {
    std::copy(options.sample_weight.begin(), options.sample_weight.end(), w.begin());
  }
  double total = 0.0;
  for (double v : w) total += v;
  const auto params = build_params(config_,
                                   config_.criterion == RegressionCriterion::kSquaredError
                                       ? tree::Criterion::kSquaredError
                                       : tree::Criterion::kAbsoluteError,
                                   0, x.cols(), total, Extra);
  auto grown = grow(context(), x, y, w, static_cast<std::size_t>(config_.n_estimators),
                    config_.bootstrap, config_.max_samples, config_.oob_score,
                    static_cast<std::size_t>(config_.max_bins), params, config_.ccp_alpha);
  oob_score_.reset();
  if (config_.oob_score) {
    std::vector<std::size_t> count;
    const auto pred = out_of_bag(context(), grown, x, 1, count);
    KOLOSAL_CHECK(std::any_of(count.begin(), count.end(), [](std::size_t c) { return c > 0; }),
                  InvalidArgument, kName,
                  "::fit: no row was out of bag; use more trees for oob_score");
    oob_score_ = r2(y, pred.values(), count);
  }
  trees_ = std::move(grown.trees);
}

template <bool Extra>
std::vector<double> ForestRegressor<Extra>::do_predict(MatrixView<const double> x) const {
  return average(context(), trees_, x, 1).values();
}

template <bool Extra>
std::optional<std::vector<double>> ForestRegressor<Extra>::do_feature_importances() const {
  return tree::mean_importances(trees_, n_features());
}

template <bool Extra>
nlohmann::json ForestRegressor<Extra>::do_state() const {
  return trees_to_json(trees_, oob_score_);
}

template <bool Extra>
void ForestRegressor<Extra>::do_load_state(const nlohmann::json& state) {
  trees_from_json(state, std::string(kName) + "::load_state", n_features(), 1, trees_, oob_score_);
}

template struct ForestClassifierConfig<false>;
template struct ForestClassifierConfig<true>;
template struct ForestRegressorConfig<false>;
template struct ForestRegressorConfig<true>;
template class ForestClassifier<false>;
template class ForestClassifier<true>;
template class ForestRegressor<false>;
template class ForestRegressor<true>;

}  // namespace kolosal::training
