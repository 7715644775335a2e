// SPDX-License-Identifier: MIT
// The GBDT model: the boosting loop, early stopping, the flattened forest and its prediction.
#include "kolosal/training/gbdt.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <type_traits>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/metrics/registry.hpp"

#include "training/gbdt/engine.hpp"

namespace kolosal::training {
namespace {

using gbdt_detail::GradPair;

constexpr std::size_t kRowGrain = 4096;     // rows per block in training loops
constexpr std::size_t kPredictGrain = 256;  // rows per block in batch prediction
constexpr std::size_t kLanes = 8;           // rows walking one tree together
constexpr std::uint64_t kBinStream = 0;
constexpr std::uint64_t kRowStream = 1;
constexpr std::uint64_t kColumnStream = 2;
constexpr std::uint64_t kTreeStream = 3;  // per-tree column draws by level and node
constexpr std::uint64_t kGossStream = 4;

double sigmoid(double z) noexcept {
  if (z >= 0.0) return 1.0 / (1.0 + std::exp(-z));
  const double e = std::exp(z);
  return e / (1.0 + e);
}

// Probabilities from raw scores, in place: one column of raw scores becomes two of probabilities.
Matrix<double> to_proba(const Matrix<double>& raw) {
  const std::size_t n = raw.rows();
  if (raw.cols() == 1) {
    Matrix<double> out(n, 2);
    for (std::size_t r = 0; r < n; ++r) {
      const double p = sigmoid(raw(r, 0));
      out(r, 0) = 1.0 - p;
      out(r, 1) = p;
    }
    return out;
  }
  Matrix<double> out(n, raw.cols());
  for (std::size_t r = 0; r < n; ++r) {
    const auto in = raw.row(r);
    const double top = *std::max_element(in.begin(), in.end());
    double total = 0.0;
    for (std::size_t c = 0; c < in.size(); ++c) total += out(r, c) = std::exp(in[c] - top);
    for (std::size_t c = 0; c < in.size(); ++c) out(r, c) /= total;
  }
  return out;
}

std::string default_metric(GbdtObjective objective) {
  switch (objective) {
    case GbdtObjective::kBinaryLogloss:
    case GbdtObjective::kSoftmax:
      return "log_loss";
    case GbdtObjective::kAbsoluteError:
    case GbdtObjective::kQuantile:
      return "mean_absolute_error";
    default:
      return "root_mean_squared_error";
  }
}

// Leaves of L1-type losses hold a quantile of their rows' residuals (Friedman 2001's
// LAD_TreeBoost; XGBoost's reg:absoluteerror, LightGBM's and scikit-learn's quantile losses).
bool reestimates_leaves(GbdtObjective objective) {
  return objective == GbdtObjective::kAbsoluteError || objective == GbdtObjective::kQuantile;
}

}  // namespace

void GbdtConfig::check() const {
  KOLOSAL_CHECK(num_leaves != 1, ConfigError, "GbdtConfig: num_leaves must be 0 or >= 2, got 1");
  KOLOSAL_CHECK(max_depth > 0 || num_leaves > 0, ConfigError,
                "GbdtConfig: max_depth and num_leaves are both 0 (unlimited); limit one of them");
  KOLOSAL_CHECK(growth != GbdtGrowth::kOblivious || (max_depth >= 1 && max_depth <= 16),
                ConfigError, "GbdtConfig: growth oblivious needs max_depth in [1, 16], got ",
                max_depth);
  KOLOSAL_CHECK(growth != GbdtGrowth::kOblivious || categorical_features.empty(), ConfigError,
                "GbdtConfig: categorical_features need depthwise or leafwise growth, not "
                "oblivious");
  if (sampling == GbdtSampling::kGoss) {
    KOLOSAL_CHECK(goss_top_rate + goss_other_rate <= 1.0, ConfigError,
                  "GbdtConfig: goss_top_rate + goss_other_rate must be <= 1, got ", goss_top_rate,
                  " + ", goss_other_rate);
    KOLOSAL_CHECK(subsample == 1.0, ConfigError,
                  "GbdtConfig: sampling goss draws its own rows; subsample must be 1, got ",
                  subsample);
  }
}

void GbdtForest::truncate(std::size_t n_trees) {
  if (n_trees >= roots.size()) return;
  if (oblivious) {
    levels.resize(roots[n_trees]);
    leaf_values.resize(leaf_begin[n_trees]);
    depth.resize(n_trees);
    leaf_begin.resize(n_trees);
  } else {
    nodes.resize(roots[n_trees]);
  }
  roots.resize(n_trees);
}

void GbdtForest::accumulate(const double* row, std::size_t n_trees, double* out) const noexcept {
  if (oblivious) {
    for (std::size_t t = 0; t < n_trees; ++t) {
      const Level* level = levels.data() + roots[t];
      std::size_t index = 0;
      for (std::size_t l = 0; l < depth[t]; ++l) {
        const double v = row[level[l].feature];
        const auto right = static_cast<std::size_t>(!(v <= level[l].threshold)) &
                           static_cast<std::size_t>(!(std::isnan(v) && level[l].default_left != 0));
        index = 2 * index + right;
      }
      out[t % n_outputs] += leaf_values[leaf_begin[t] + index];
    }
    return;
  }
  // Numeric-only forests take a loop without the categorical test.
  const auto walk = [&](auto categorical) {
    const Node* base = nodes.data();
    for (std::size_t t = 0; t < n_trees; ++t) {
      const Node* node = base + roots[t];
      while (node->feature >= 0) {
        const double v = row[node->feature];
        bool left = std::isnan(v) ? node->default_left != 0 : v <= node->threshold;
        if constexpr (decltype(categorical)::value) {
          if (node->categorical != 0) left = categorical_left(*node, v);
        }
        node = base + node->left + (left ? 0 : 1);
      }
      out[t % n_outputs] += node->threshold;
    }
  };
  if (category_sets.empty()) {
    walk(std::false_type{});
  } else {
    walk(std::true_type{});
  }
}

nlohmann::json Gbdt::config() const { return config::to_json(config_); }

std::size_t Gbdt::n_rounds() const noexcept {
  return forest_.n_outputs == 0 ? 0 : forest_.n_trees() / forest_.n_outputs;
}

void Gbdt::do_fit(MatrixView<const double> x, std::span<const double> y,
                  const FitOptions& options) {
  const std::string who(name());
  config::validate(config_, who);
  const Context& ctx = context();
  const std::size_t n = x.rows();
  const std::size_t cols = x.cols();
  const GbdtObjective objective = config_.objective;
  const std::size_t k = objective == GbdtObjective::kSoftmax ? n_classes() : 1;
  if (objective == GbdtObjective::kBinaryLogloss) {
    KOLOSAL_CHECK(n_classes() == 2, ConfigError, who,
                  ": objective binary_logloss needs 2 classes, y has ", n_classes(),
                  " (use softmax)");
  }
  const bool custom = objective == GbdtObjective::kCustom;
  KOLOSAL_CHECK(!custom || custom_, InvalidArgument, who,
                ": objective custom needs a callback (Gbdt::set_custom_objective)");
  const bool has_eval = options.eval_x.has_value();
  KOLOSAL_CHECK(config_.early_stopping_rounds == 0 || has_eval, InvalidArgument, who,
                ": early_stopping_rounds is ", config_.early_stopping_rounds,
                " but FitOptions has no eval_x / eval_y");
  const std::string metric =
      config_.eval_metric.empty() ? default_metric(objective) : config_.eval_metric;
  const auto& info = metrics::metric_info(metric);
  KOLOSAL_CHECK((info.task == metrics::Task::kClassification) == is_classifier(), ConfigError, who,
                ": eval_metric ", metric, " does not score a ",
                is_classifier() ? "classifier" : "regressor");
  const auto weight = [&](std::size_t i) {
    return options.sample_weight.empty() ? 1.0 : options.sample_weight[i];
  };

  // Starting scores: the optimal constant of the objective.
  const std::vector<double> base =
      custom ? std::vector<double>{0.0}
             : gbdt_detail::base_score(config_, n_classes(), y, options.sample_weight);

  const Rng rng(ctx.seed);
  const gbdt_detail::BinnedData data =
      gbdt_detail::bin_data(ctx, x, config_.max_bin, config_.bin_sample_rows, rng.split(kBinStream),
                            config_.categorical_features);
  gbdt_detail::TreeBuilder builder(ctx, config_, data);

  forest_ = GbdtForest{};
  forest_.n_outputs = k;
  forest_.base_score = base;
  forest_.oblivious = config_.growth == GbdtGrowth::kOblivious;
  history_.clear();
  std::vector<double> gain(cols, 0.0);
  std::vector<double> splits(cols, 0.0);
  gain_importance_ = gain;
  split_importance_ = splits;

  Matrix<double> raw(n, k);
  for (std::size_t r = 0; r < n; ++r) std::copy(base.begin(), base.end(), raw.row(r).begin());
  Matrix<double> eval_raw;
  std::vector<int> eval_labels;
  std::vector<double> eval_pred;
  if (has_eval) {
    eval_raw = Matrix<double>(options.eval_x->rows(), k);
    for (std::size_t r = 0; r < eval_raw.rows(); ++r) {
      std::copy(base.begin(), base.end(), eval_raw.row(r).begin());
    }
    if (is_classifier()) {
      for (double v : options.eval_y) eval_labels.push_back(static_cast<int>(v));
    }
  }

  std::vector<double> grad(n * k);
  std::vector<double> hess(n * k);
  std::vector<GradPair> gh(n);
  std::vector<std::uint32_t> rows(n);
  std::iota(rows.begin(), rows.end(), std::uint32_t{0});
  std::vector<std::uint8_t> allowed(cols, 1);
  const bool goss = config_.sampling == GbdtSampling::kGoss;
  // GOSS: per-row gradient magnitude, its selection buffer and the amplification of drawn rows.
  std::vector<double> magnitude(goss ? n : 0);
  std::vector<double> order_buf(goss ? n : 0);
  std::vector<double> amplify(goss ? n : 0, 1.0);
  // Residuals of leaf re-estimation, sorted within each leaf's row range.
  std::vector<std::pair<double, double>> residuals(reestimates_leaves(objective) ? n : 0);
  double best_score = 0.0;
  std::size_t best_round = 0;
  std::size_t since_best = 0;

  for (std::size_t round = 0; round < static_cast<std::size_t>(config_.n_estimators); ++round) {
    if (custom) {
      custom_(raw.values(), y, grad, hess);
      for (std::size_t i = 0; i < n; ++i) {
        KOLOSAL_CHECK(std::isfinite(grad[i]) && std::isfinite(hess[i]) && hess[i] >= 0.0,
                      InvalidArgument, who, ": the custom objective gave gradient ", grad[i],
                      " and hessian ", hess[i], " for row ", i, " in round ", round);
      }
    } else {
      parallel::for_blocks(ctx, n, kRowGrain, [&](std::size_t lo, std::size_t hi) {
        gbdt_gradients(config_, k, {raw.data() + lo * k, (hi - lo) * k}, y.subspan(lo, hi - lo),
                       {grad.data() + lo * k, (hi - lo) * k},
                       {hess.data() + lo * k, (hi - lo) * k});
      });
    }
    // GOSS skips the first 1 / learning_rate rounds, as LightGBM does, while gradients are
    // large everywhere.
    const bool goss_round =
        goss && static_cast<double>(round) >= std::floor(1.0 / config_.learning_rate);
    const bool sampled = config_.subsample < 1.0 || goss_round;
    if (config_.subsample < 1.0) {
      Rng row_rng = rng.split(kRowStream).split(round);
      rows.clear();
      for (std::size_t i = 0; i < n; ++i) {
        if (row_rng.uniform() < config_.subsample) rows.push_back(static_cast<std::uint32_t>(i));
      }
      if (rows.empty()) rows.push_back(static_cast<std::uint32_t>(row_rng.uniform_index(n)));
    } else if (goss_round) {
      // Gradient-based one-side sampling (Ke et al. 2017, algorithm 2): keep the top_rate
      // fraction of rows by |gradient| (summed over outputs), draw other_rate of all rows from
      // the rest and weight those by (1 - a) / b, so the split gains stay unbiased.
      parallel::for_blocks(ctx, n, kRowGrain, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
          double m = 0.0;
          for (std::size_t c = 0; c < k; ++c) m += std::abs(grad[i * k + c] * weight(i));
          magnitude[i] = m;
        }
      });
      const double a = config_.goss_top_rate;
      const double b = config_.goss_other_rate;
      const auto top = std::clamp<std::size_t>(
          static_cast<std::size_t>(std::lround(a * static_cast<double>(n))), 1, n);
      const std::size_t other = std::min<std::size_t>(
          static_cast<std::size_t>(std::lround(b * static_cast<double>(n))), n - top);
      std::copy(magnitude.begin(), magnitude.end(), order_buf.begin());
      std::nth_element(order_buf.begin(), order_buf.begin() + static_cast<std::ptrdiff_t>(top - 1),
                       order_buf.end(), std::greater<>());
      const double threshold = order_buf[top - 1];
      // Rows above the threshold, then rows at it in index order, fill the top set.
      std::size_t at_threshold = top;
      for (std::size_t i = 0; i < n; ++i) at_threshold -= magnitude[i] > threshold ? 1 : 0;
      Rng goss_rng = rng.split(kGossStream).split(round);
      const double boost = (1.0 - a) / b;
      std::size_t rest_left = n - top;
      std::size_t need = other;
      rows.clear();
      for (std::size_t i = 0; i < n; ++i) {
        bool keep_top = magnitude[i] > threshold;
        if (!keep_top && magnitude[i] == threshold && at_threshold > 0) {
          keep_top = true;
          --at_threshold;
        }
        if (keep_top) {
          amplify[i] = 1.0;
          rows.push_back(static_cast<std::uint32_t>(i));
          continue;
        }
        // Selection sampling (Knuth, algorithm S): exactly `other` of the rest.
        if (need > 0 &&
            static_cast<double>(rest_left) * goss_rng.uniform() < static_cast<double>(need)) {
          amplify[i] = boost;
          rows.push_back(static_cast<std::uint32_t>(i));
          --need;
        }
        --rest_left;
      }
    } else if (goss) {
      rows.resize(n);
      std::iota(rows.begin(), rows.end(), std::uint32_t{0});
      std::fill(amplify.begin(), amplify.end(), 1.0);
    }
    if (config_.colsample_bytree < 1.0) {
      Rng column_rng = rng.split(kColumnStream).split(round);
      const auto keep = std::max<std::size_t>(
          1, static_cast<std::size_t>(
                 std::lround(config_.colsample_bytree * static_cast<double>(cols))));
      const auto order = column_rng.permutation(cols);
      std::fill(allowed.begin(), allowed.end(), std::uint8_t{0});
      for (std::size_t j = 0; j < keep; ++j) allowed[order[j]] = 1;
    }
    for (std::size_t c = 0; c < k; ++c) {
      parallel::for_blocks(ctx, n, kRowGrain, [&](std::size_t lo, std::size_t hi) {
        for (std::size_t i = lo; i < hi; ++i) {
          const double w = goss ? weight(i) * amplify[i] : weight(i);
          gh[i] = {grad[i * k + c] * w, hess[i * k + c] * w};
        }
      });
      auto& tree = builder.grow(rows, gh, allowed, rng.split(kTreeStream).split(round * k + c),
                                gain, splits);
      const auto order = builder.row_order();
      if (reestimates_leaves(objective)) {
        // Each leaf's value becomes the shrunk quantile of its rows' residuals y - f.
        const double alpha = objective == GbdtObjective::kQuantile ? config_.quantile_alpha : 0.5;
        const bool interpolate = options.sample_weight.empty();
        parallel::for_each_index(ctx, tree.size(), [&](std::size_t id) {
          auto& node = tree[id];
          if (node.feature >= 0 || node.end == node.begin) return;
          for (std::size_t i = node.begin; i < node.end; ++i) {
            const std::uint32_t r = order[i];
            residuals[i] = {y[r] - raw(r, 0), weight(r)};
          }
          node.value =
              config_.learning_rate *
              gbdt_detail::residual_quantile({residuals.data() + node.begin, node.end - node.begin},
                                             alpha, interpolate);
        });
      }
      // Flatten into the forest: children indices become absolute.
      if (forest_.oblivious) {
        // Level l's nodes are [2^l - 1, 2^(l + 1) - 1); the leaves are the last level.
        std::size_t depth = 0;
        while ((std::size_t{2} << depth) - 1 < tree.size()) ++depth;
        forest_.roots.push_back(static_cast<std::uint32_t>(forest_.levels.size()));
        forest_.depth.push_back(static_cast<std::uint8_t>(depth));
        forest_.leaf_begin.push_back(static_cast<std::uint32_t>(forest_.leaf_values.size()));
        for (std::size_t l = 0; l < depth; ++l) {
          const auto& node = tree[(std::size_t{1} << l) - 1];
          forest_.levels.push_back(
              {data.upper[static_cast<std::size_t>(node.feature)][node.bin - 1], node.feature,
               static_cast<std::uint8_t>(node.default_left ? 1 : 0)});
        }
        for (std::size_t i = (std::size_t{1} << depth) - 1; i < tree.size(); ++i) {
          forest_.leaf_values.push_back(tree[i].value);
        }
      } else {
        const auto offset = static_cast<std::int32_t>(forest_.nodes.size());
        forest_.roots.push_back(static_cast<std::uint32_t>(offset));
        for (const auto& node : tree) {
          GbdtForest::Node flat;
          if (node.feature >= 0) {
            flat.feature = node.feature;
            flat.left = node.left + offset;
            flat.default_left = node.default_left ? 1 : 0;
            if (node.categorical) {
              flat.categorical = 1;
              flat.set = static_cast<std::uint32_t>(forest_.category_sets.size() / 8);
              auto& sets = forest_.category_sets;
              sets.insert(sets.end(), node.left_set.begin(), node.left_set.end());
              sets.insert(sets.end(), node.right_set.begin(), node.right_set.end());
            } else {
              flat.threshold = data.upper[static_cast<std::size_t>(node.feature)][node.bin - 1];
            }
          } else {
            flat.threshold = node.value;
          }
          forest_.nodes.push_back(flat);
        }
      }
      // Training scores: sampled rows sit in their leaves' ranges; others walk the binned tree.
      if (!sampled) {
        parallel::for_each_index(ctx, tree.size(), [&](std::size_t id) {
          const auto& node = tree[id];
          if (node.feature >= 0) return;
          for (std::size_t i = node.begin; i < node.end; ++i) raw(order[i], c) += node.value;
        });
      } else {
        parallel::for_blocks(ctx, n, kRowGrain, [&](std::size_t lo, std::size_t hi) {
          for (std::size_t r = lo; r < hi; ++r) {
            std::size_t id = 0;
            while (tree[id].feature >= 0) {
              const auto& node = tree[id];
              const std::size_t at = r * cols + static_cast<std::size_t>(node.feature);
              const std::uint32_t code = data.wide() ? data.codes16[at] : data.codes8[at];
              const bool left = code == 0 ? node.default_left
                                : node.categorical
                                    ? gbdt_detail::has_category(node.left_set, code - 1)
                                    : code <= node.bin;
              id = static_cast<std::size_t>(node.left) + (left ? 0 : 1);
            }
            raw(r, c) += tree[id].value;
          }
        });
      }
      if (has_eval) {
        const auto ex = *options.eval_x;
        const std::size_t t = forest_.n_trees() - 1;
        parallel::for_blocks(ctx, ex.rows(), kRowGrain, [&](std::size_t lo, std::size_t hi) {
          for (std::size_t r = lo; r < hi; ++r) {
            // The newest tree alone adds to output c.
            const GbdtForest& f = forest_;
            if (f.oblivious) {
              const GbdtForest::Level* level = f.levels.data() + f.roots[t];
              std::size_t index = 0;
              for (std::size_t l = 0; l < f.depth[t]; ++l) {
                const double v = ex(r, static_cast<std::size_t>(level[l].feature));
                const bool right =
                    std::isnan(v) ? level[l].default_left == 0 : !(v <= level[l].threshold);
                index = 2 * index + (right ? 1 : 0);
              }
              eval_raw(r, c) += f.leaf_values[f.leaf_begin[t] + index];
              continue;
            }
            const GbdtForest::Node* nodes = f.nodes.data();
            const GbdtForest::Node* node = nodes + f.roots[t];
            while (node->feature >= 0) {
              const double v = ex(r, static_cast<std::size_t>(node->feature));
              const bool left = node->categorical != 0 ? f.categorical_left(*node, v)
                                : std::isnan(v)        ? node->default_left != 0
                                                       : v <= node->threshold;
              node = nodes + node->left + (left ? 0 : 1);
            }
            eval_raw(r, c) += node->threshold;
          }
        });
      }
    }
    if (has_eval) {
      double s = 0.0;
      if (is_classifier()) {
        const Matrix<double> proba = to_proba(eval_raw);
        s = metrics::score(metric, eval_labels, proba.view());
      } else {
        eval_pred.assign(eval_raw.values().begin(), eval_raw.values().end());
        if (objective == GbdtObjective::kPoisson) {
          for (auto& v : eval_pred) v = std::exp(v);
        }
        s = metrics::score(metric, options.eval_y, eval_pred);
      }
      history_.push_back(s);
      const bool better = round == 0 || (info.greater_is_better ? s > best_score : s < best_score);
      if (better) {
        best_score = s;
        best_round = round;
        since_best = 0;
        gain_importance_ = gain;
        split_importance_ = splits;
      } else if (config_.early_stopping_rounds > 0 &&
                 ++since_best >= static_cast<std::size_t>(config_.early_stopping_rounds)) {
        break;
      }
    }
  }
  if (config_.early_stopping_rounds > 0) {
    // Keep the rounds up to the best one.
    forest_.truncate((best_round + 1) * k);
  } else {
    gain_importance_ = gain;
    split_importance_ = splits;
  }
}

Matrix<double> Gbdt::raw_scores(MatrixView<const double> x) const {
  const std::size_t k = forest_.n_outputs;
  Matrix<double> out(x.rows(), k);
  const std::size_t trees = forest_.n_trees();
  parallel::for_blocks(context(), x.rows(), kPredictGrain, [&](std::size_t lo, std::size_t hi) {
    for (std::size_t r = lo; r < hi; ++r) {
      auto row = out.row(r);
      std::copy(forest_.base_score.begin(), forest_.base_score.end(), row.begin());
    }
    if (forest_.oblivious) {
      // A leaf index from comparison bits, tree-major as below.
      for (std::size_t t = 0; t < trees; ++t) {
        const GbdtForest::Level* level = forest_.levels.data() + forest_.roots[t];
        const double* leaves = forest_.leaf_values.data() + forest_.leaf_begin[t];
        const std::size_t depth = forest_.depth[t];
        const std::size_t c = t % k;
        for (std::size_t r = lo; r < hi; ++r) {
          const double* row = &x(r, 0);
          std::size_t index = 0;
          for (std::size_t l = 0; l < depth; ++l) {
            const double v = row[level[l].feature];
            const auto right =
                static_cast<std::size_t>(!(v <= level[l].threshold)) &
                static_cast<std::size_t>(!(std::isnan(v) && level[l].default_left != 0));
            index = 2 * index + right;
          }
          out(r, c) += leaves[index];
        }
      }
      return;
    }
    // Tree-major within the block keeps one tree hot in cache; each row still sums its trees in
    // order, so the result equals the single-row path bit for bit. Rows walk a tree in lockstep
    // groups with branch-free child selection, so their independent loads overlap.
    const GbdtForest::Node* nodes = forest_.nodes.data();
    const auto walk = [&](auto categorical) {
      for (std::size_t t = 0; t < trees; ++t) {
        const std::uint32_t root = forest_.roots[t];
        const std::size_t c = t % k;
        for (std::size_t r0 = lo; r0 < hi; r0 += kLanes) {
          const std::size_t lanes = std::min(kLanes, hi - r0);
          std::array<std::uint32_t, kLanes> at{};
          std::array<const double*, kLanes> rows{};
          for (std::size_t j = 0; j < lanes; ++j) {
            at[j] = root;
            rows[j] = &x(r0 + j, 0);
          }
          for (bool active = true; active;) {
            active = false;
            for (std::size_t j = 0; j < lanes; ++j) {
              const GbdtForest::Node& node = nodes[at[j]];
              if (node.feature < 0) continue;
              active = true;
              const double v = rows[j][node.feature];
              [[maybe_unused]] unsigned right =
                  static_cast<unsigned>(!(v <= node.threshold)) &
                  static_cast<unsigned>(!(std::isnan(v) && node.default_left != 0));
              if constexpr (decltype(categorical)::value) {
                if (node.categorical != 0) right = forest_.categorical_left(node, v) ? 0U : 1U;
              }
              at[j] = static_cast<std::uint32_t>(node.left) + right;
            }
          }
          for (std::size_t j = 0; j < lanes; ++j) out(r0 + j, c) += nodes[at[j]].threshold;
        }
      }
    };
    if (forest_.category_sets.empty()) {
      walk(std::false_type{});
    } else {
      walk(std::true_type{});
    }
  });
  return out;
}

void Gbdt::predict_raw_row(std::span<const double> row, std::span<double> out) const {
  KOLOSAL_CHECK(fitted(), NotFitted, name(), "::predict_raw_row: the model is not fitted");
  KOLOSAL_CHECK(row.size() == n_features() && out.size() == forest_.n_outputs, ShapeMismatch,
                name(), "::predict_raw_row: expected ", n_features(), " features and ",
                forest_.n_outputs, " outputs, got ", row.size(), " and ", out.size());
  std::copy(forest_.base_score.begin(), forest_.base_score.end(), out.begin());
  forest_.accumulate(row.data(), forest_.n_trees(), out.data());
}

std::vector<double> Gbdt::do_predict(MatrixView<const double> x) const {
  const Matrix<double> raw = raw_scores(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = raw.row(r);
    if (config_.objective == GbdtObjective::kPoisson) {
      out[r] = std::exp(row[0]);  // the mean count through the log link
    } else if (!is_classifier()) {
      out[r] = row[0];
    } else if (row.size() == 1) {
      out[r] = row[0] > 0.0 ? 1.0 : 0.0;
    } else {
      out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
    }
  }
  return out;
}

Matrix<double> Gbdt::do_predict_proba(MatrixView<const double> x) const {
  return to_proba(raw_scores(x));
}

Matrix<double> Gbdt::do_decision_function(MatrixView<const double> x) const {
  return raw_scores(x);
}

std::vector<double> Gbdt::feature_importance(GbdtImportance type) const {
  KOLOSAL_CHECK(fitted(), NotFitted, name(), "::feature_importance: the model is not fitted");
  return type == GbdtImportance::kGain ? gain_importance_ : split_importance_;
}

std::optional<std::vector<double>> Gbdt::do_feature_importances() const {
  auto values = feature_importance(config_.importance_type);
  const double total = std::accumulate(values.begin(), values.end(), 0.0);
  if (total > 0.0) {
    for (auto& v : values) v /= total;
  }
  return values;
}

nlohmann::json Gbdt::do_state() const {
  std::vector<int> feature;
  std::vector<int> left;
  std::vector<int> default_left;
  nlohmann::json threshold = nlohmann::json::array();
  std::vector<int> set;
  for (const auto& node : forest_.nodes) {
    set.push_back(node.categorical != 0 ? static_cast<int>(node.set) : -1);
    feature.push_back(node.feature);
    left.push_back(node.left);
    default_left.push_back(node.default_left);
    // JSON has no infinity: a split sending every non-missing value left is written as null.
    threshold.push_back(std::isinf(node.threshold) ? nlohmann::json(nullptr)
                                                   : nlohmann::json(node.threshold));
  }
  if (forest_.oblivious) {
    std::vector<int> level_feature;
    std::vector<int> level_default_left;
    nlohmann::json level_threshold = nlohmann::json::array();
    for (const auto& level : forest_.levels) {
      level_feature.push_back(level.feature);
      level_default_left.push_back(level.default_left);
      level_threshold.push_back(std::isinf(level.threshold) ? nlohmann::json(nullptr)
                                                            : nlohmann::json(level.threshold));
    }
    return {{"n_outputs", forest_.n_outputs},
            {"base_score", forest_.base_score},
            {"oblivious", true},
            {"roots", forest_.roots},
            {"depth", forest_.depth},
            {"leaf_begin", forest_.leaf_begin},
            {"leaf_values", forest_.leaf_values},
            {"level_feature", level_feature},
            {"level_threshold", level_threshold},
            {"level_default_left", level_default_left},
            {"gain_importance", gain_importance_},
            {"split_importance", split_importance_},
            {"eval_history", history_}};
  }
  return {{"n_outputs", forest_.n_outputs},
          {"base_score", forest_.base_score},
          {"roots", forest_.roots},
          {"feature", feature},
          {"threshold", threshold},
          {"left", left},
          {"default_left", default_left},
          {"category_set", set},
          {"category_sets", forest_.category_sets},
          {"gain_importance", gain_importance_},
          {"split_importance", split_importance_},
          {"eval_history", history_}};
}

void Gbdt::do_load_state(const nlohmann::json& state) {
  const std::string who = std::string(name()) + "::load_state";
  GbdtForest forest;
  forest.n_outputs = state.at("n_outputs").get<std::size_t>();
  forest.base_score = state.at("base_score").get<std::vector<double>>();
  forest.roots = state.at("roots").get<std::vector<std::uint32_t>>();
  const std::size_t expected_outputs =
      config_.objective == GbdtObjective::kSoftmax ? n_classes() : 1;
  KOLOSAL_CHECK(
      forest.n_outputs == expected_outputs && forest.base_score.size() == expected_outputs,
      SerializationError, who, ": expected ", expected_outputs, " outputs, got ", forest.n_outputs,
      " and ", forest.base_score.size(), " base scores");
  KOLOSAL_CHECK(forest.roots.size() % forest.n_outputs == 0, SerializationError, who, ": ",
                forest.roots.size(), " trees is not a multiple of ", forest.n_outputs, " outputs");
  if (state.value("oblivious", false)) {
    load_oblivious(state, forest, who);
  } else {
    load_nodes(state, forest, who);
  }
  auto gain = state.at("gain_importance").get<std::vector<double>>();
  auto splits = state.at("split_importance").get<std::vector<double>>();
  KOLOSAL_CHECK(gain.size() == n_features() && splits.size() == n_features(), SerializationError,
                who, ": importances need ", n_features(), " values");
  forest_ = std::move(forest);
  gain_importance_ = std::move(gain);
  split_importance_ = std::move(splits);
  history_ = state.at("eval_history").get<std::vector<double>>();
}

void Gbdt::load_oblivious(const nlohmann::json& state, GbdtForest& forest,
                          const std::string& who) const {
  forest.oblivious = true;
  forest.depth = state.at("depth").get<std::vector<std::uint8_t>>();
  forest.leaf_begin = state.at("leaf_begin").get<std::vector<std::uint32_t>>();
  forest.leaf_values = state.at("leaf_values").get<std::vector<double>>();
  const auto feature = state.at("level_feature").get<std::vector<int>>();
  const auto default_left = state.at("level_default_left").get<std::vector<int>>();
  const auto& threshold = state.at("level_threshold");
  const std::size_t trees = forest.roots.size();
  KOLOSAL_CHECK(forest.depth.size() == trees && forest.leaf_begin.size() == trees &&
                    default_left.size() == feature.size() && threshold.size() == feature.size(),
                SerializationError, who,
                ": oblivious trees need one depth and leaf offset per tree and one feature, "
                "threshold and direction per level");
  std::size_t levels = 0;
  std::size_t leaves = 0;
  for (std::size_t t = 0; t < trees; ++t) {
    KOLOSAL_CHECK(
        forest.depth[t] <= 16 && forest.roots[t] == levels && forest.leaf_begin[t] == leaves,
        SerializationError, who, ": oblivious tree ", t, " has depth ",
        static_cast<int>(forest.depth[t]), ", first level ", forest.roots[t], " and first leaf ",
        forest.leaf_begin[t], " out of sequence");
    levels += forest.depth[t];
    leaves += std::size_t{1} << forest.depth[t];
  }
  KOLOSAL_CHECK(levels == feature.size() && leaves == forest.leaf_values.size(), SerializationError,
                who, ": ", feature.size(), " levels and ", forest.leaf_values.size(),
                " leaves, expected ", levels, " and ", leaves);
  forest.levels.resize(levels);
  for (std::size_t i = 0; i < levels; ++i) {
    KOLOSAL_CHECK(feature[i] >= 0 && static_cast<std::size_t>(feature[i]) < n_features(),
                  SerializationError, who, ": level ", i, " splits on feature ", feature[i]);
    forest.levels[i] = {threshold[i].is_null() ? std::numeric_limits<double>::infinity()
                                               : threshold[i].get<double>(),
                        feature[i], static_cast<std::uint8_t>(default_left[i] != 0 ? 1 : 0)};
  }
  for (double v : forest.leaf_values) {
    KOLOSAL_CHECK(std::isfinite(v), SerializationError, who, ": a leaf value is not finite");
  }
}

void Gbdt::load_nodes(const nlohmann::json& state, GbdtForest& forest,
                      const std::string& who) const {
  const auto feature = state.at("feature").get<std::vector<int>>();
  const auto left = state.at("left").get<std::vector<int>>();
  const auto default_left = state.at("default_left").get<std::vector<int>>();
  const auto& threshold = state.at("threshold");
  // Models saved before categorical splits existed have neither key.
  const auto set = state.contains("category_set") ? state.at("category_set").get<std::vector<int>>()
                                                  : std::vector<int>(feature.size(), -1);
  if (state.contains("category_sets")) {
    forest.category_sets = state.at("category_sets").get<std::vector<std::uint64_t>>();
  }
  const std::size_t m = feature.size();
  KOLOSAL_CHECK(set.size() == m && forest.category_sets.size() % 8 == 0, SerializationError, who,
                ": category_set needs one entry per node and category_sets 8 words per set");
  KOLOSAL_CHECK(left.size() == m && default_left.size() == m && threshold.size() == m,
                SerializationError, who,
                ": feature, left, default_left and threshold differ in length");
  for (auto root : forest.roots) {
    KOLOSAL_CHECK(root < m, SerializationError, who, ": tree root ", root, " out of ", m, " nodes");
  }
  forest.nodes.resize(m);
  for (std::size_t i = 0; i < m; ++i) {
    auto& node = forest.nodes[i];
    node.feature = feature[i];
    node.threshold = threshold[i].is_null() ? std::numeric_limits<double>::infinity()
                                            : threshold[i].get<double>();
    node.left = left[i];
    node.default_left = default_left[i] != 0 ? 1 : 0;
    if (set[i] >= 0) {
      KOLOSAL_CHECK(
          node.feature >= 0 && static_cast<std::size_t>(set[i]) < forest.category_sets.size() / 8,
          SerializationError, who, ": node ", i, " has category set ", set[i]);
      node.categorical = 1;
      node.set = static_cast<std::uint32_t>(set[i]);
    }
    if (node.feature >= 0) {
      // Children come after their parent, so every walk ends at a leaf.
      KOLOSAL_CHECK(static_cast<std::size_t>(node.feature) < n_features() &&
                        node.left > static_cast<int>(i) &&
                        static_cast<std::size_t>(node.left) + 1 < m,
                    SerializationError, who, ": node ", i, " has feature ", node.feature,
                    " and left child ", node.left);
    } else {
      KOLOSAL_CHECK(std::isfinite(node.threshold), SerializationError, who, ": leaf ", i,
                    " has no finite value");
    }
  }
}

}  // namespace kolosal::training
