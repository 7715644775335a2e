// SPDX-License-Identifier: MIT
// The GBDT model: the boosting loop, early stopping, the flattened forest and its prediction.
#include "kolosal/training/gbdt.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>

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
  return objective == GbdtObjective::kSquaredError ? "root_mean_squared_error" : "log_loss";
}

}  // namespace

void GbdtConfig::check() const {
  KOLOSAL_CHECK(num_leaves != 1, ConfigError, "GbdtConfig: num_leaves must be 0 or >= 2, got 1");
  KOLOSAL_CHECK(max_depth > 0 || num_leaves > 0, ConfigError,
                "GbdtConfig: max_depth and num_leaves are both 0 (unlimited); limit one of them");
}

void GbdtForest::accumulate(const double* row, std::size_t n_trees, double* out) const noexcept {
  const Node* base = nodes.data();
  for (std::size_t t = 0; t < n_trees; ++t) {
    const Node* node = base + roots[t];
    while (node->feature >= 0) {
      const double v = row[node->feature];
      const bool left = std::isnan(v) ? node->default_left != 0 : v <= node->threshold;
      node = base + node->left + (left ? 0 : 1);
    }
    out[t % n_outputs] += node->threshold;
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
  const std::size_t k = config_.objective == GbdtObjective::kSoftmax ? n_classes() : 1;
  if (config_.objective == GbdtObjective::kBinaryLogloss) {
    KOLOSAL_CHECK(n_classes() == 2, ConfigError, who,
                  ": objective binary_logloss needs 2 classes, y has ", n_classes(),
                  " (use softmax)");
  }
  const bool has_eval = options.eval_x.has_value();
  KOLOSAL_CHECK(config_.early_stopping_rounds == 0 || has_eval, InvalidArgument, who,
                ": early_stopping_rounds is ", config_.early_stopping_rounds,
                " but FitOptions has no eval_x / eval_y");
  const std::string metric =
      config_.eval_metric.empty() ? default_metric(config_.objective) : config_.eval_metric;
  const auto& info = metrics::metric_info(metric);
  KOLOSAL_CHECK((info.task == metrics::Task::kClassification) == is_classifier(), ConfigError, who,
                ": eval_metric ", metric, " does not score a ",
                is_classifier() ? "classifier" : "regressor");
  const auto weight = [&](std::size_t i) {
    return options.sample_weight.empty() ? 1.0 : options.sample_weight[i];
  };

  // Starting scores: the optimal constant of the objective.
  std::vector<double> base(k, 0.0);
  double total_weight = 0.0;
  for (std::size_t i = 0; i < n; ++i) total_weight += weight(i);
  KOLOSAL_CHECK(total_weight > 0.0, InvalidArgument, who, ": sample weights sum to 0");
  if (config_.objective == GbdtObjective::kSquaredError) {
    for (std::size_t i = 0; i < n; ++i) base[0] += weight(i) * y[i];
    base[0] /= total_weight;
  } else {
    std::vector<double> prior(n_classes(), 0.0);
    for (std::size_t i = 0; i < n; ++i) prior[static_cast<std::size_t>(y[i])] += weight(i);
    const auto clamp = [&](double p) { return std::clamp(p / total_weight, 1e-15, 1.0 - 1e-15); };
    if (k == 1) {
      const double p = clamp(prior[1]);
      base[0] = std::log(p / (1.0 - p));
    } else {
      for (std::size_t c = 0; c < k; ++c) base[c] = std::log(clamp(prior[c]));
    }
  }

  const Rng rng(ctx.seed);
  const gbdt_detail::BinnedData data = gbdt_detail::bin_data(
      ctx, x, config_.max_bin, config_.bin_sample_rows, rng.split(kBinStream));
  gbdt_detail::TreeBuilder builder(ctx, config_, data);

  forest_ = GbdtForest{};
  forest_.n_outputs = k;
  forest_.base_score = base;
  history_.clear();
  std::vector<double> gain(cols, 0.0);
  std::vector<double> splits(cols, 0.0);
  gain_importance_ = gain;
  split_importance_ = splits;

  Matrix<double> raw(n, k);
  for (std::size_t r = 0; r < n; ++r) std::copy(base.begin(), base.end(), raw.row(r).begin());
  Matrix<double> eval_raw;
  std::vector<int> eval_labels;
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
  const bool sampled = config_.subsample < 1.0;
  double best_score = 0.0;
  std::size_t best_round = 0;
  std::size_t since_best = 0;

  for (std::size_t round = 0; round < static_cast<std::size_t>(config_.n_estimators); ++round) {
    parallel::for_blocks(ctx, n, kRowGrain, [&](std::size_t lo, std::size_t hi) {
      gbdt_gradients(config_.objective, k, {raw.data() + lo * k, (hi - lo) * k},
                     y.subspan(lo, hi - lo), {grad.data() + lo * k, (hi - lo) * k},
                     {hess.data() + lo * k, (hi - lo) * k});
    });
    if (sampled) {
      Rng row_rng = rng.split(kRowStream).split(round);
      rows.clear();
      for (std::size_t i = 0; i < n; ++i) {
        if (row_rng.uniform() < config_.subsample) rows.push_back(static_cast<std::uint32_t>(i));
      }
      if (rows.empty()) rows.push_back(static_cast<std::uint32_t>(row_rng.uniform_index(n)));
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
          const double w = weight(i);
          gh[i] = {grad[i * k + c] * w, hess[i * k + c] * w};
        }
      });
      const auto& tree = builder.grow(rows, gh, allowed, gain, splits);
      // Flatten into the forest: children indices become absolute.
      const auto offset = static_cast<std::int32_t>(forest_.nodes.size());
      forest_.roots.push_back(static_cast<std::uint32_t>(offset));
      for (const auto& node : tree) {
        GbdtForest::Node flat;
        if (node.feature >= 0) {
          flat.feature = node.feature;
          flat.threshold = data.upper[static_cast<std::size_t>(node.feature)][node.bin - 1];
          flat.left = node.left + offset;
          flat.default_left = node.default_left ? 1 : 0;
        } else {
          flat.threshold = node.value;
        }
        forest_.nodes.push_back(flat);
      }
      // Training scores: sampled rows sit in their leaves' ranges; others walk the binned tree.
      if (!sampled) {
        const auto order = builder.row_order();
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
              const bool left = code == 0 ? node.default_left : code <= node.bin;
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
            const GbdtForest::Node* nodes = forest_.nodes.data();
            const GbdtForest::Node* node = nodes + forest_.roots[t];
            while (node->feature >= 0) {
              const double v = ex(r, static_cast<std::size_t>(node->feature));
              const bool left = std::isnan(v) ? node->default_left != 0 : v <= node->threshold;
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
        s = metrics::score(metric, options.eval_y, eval_raw.values());
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
    const std::size_t keep = (best_round + 1) * k;
    if (keep < forest_.n_trees()) {
      forest_.nodes.resize(forest_.roots[keep]);
      forest_.roots.resize(keep);
    }
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
    // Tree-major within the block keeps one tree hot in cache; each row still sums its trees in
    // order, so the result equals the single-row path bit for bit. Rows walk a tree in lockstep
    // groups with branch-free child selection, so their independent loads overlap.
    const GbdtForest::Node* nodes = forest_.nodes.data();
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
            const unsigned right =
                static_cast<unsigned>(!(v <= node.threshold)) &
                static_cast<unsigned>(!(std::isnan(v) && node.default_left != 0));
            at[j] = static_cast<std::uint32_t>(node.left) + right;
          }
        }
        for (std::size_t j = 0; j < lanes; ++j) out(r0 + j, c) += nodes[at[j]].threshold;
      }
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
    if (!is_classifier()) {
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
  for (const auto& node : forest_.nodes) {
    feature.push_back(node.feature);
    left.push_back(node.left);
    default_left.push_back(node.default_left);
    // JSON has no infinity: a split sending every non-missing value left is written as null.
    threshold.push_back(std::isinf(node.threshold) ? nlohmann::json(nullptr)
                                                   : nlohmann::json(node.threshold));
  }
  return {{"n_outputs", forest_.n_outputs},
          {"base_score", forest_.base_score},
          {"roots", forest_.roots},
          {"feature", feature},
          {"threshold", threshold},
          {"left", left},
          {"default_left", default_left},
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
  const auto feature = state.at("feature").get<std::vector<int>>();
  const auto left = state.at("left").get<std::vector<int>>();
  const auto default_left = state.at("default_left").get<std::vector<int>>();
  const auto& threshold = state.at("threshold");
  const std::size_t expected_outputs =
      config_.objective == GbdtObjective::kSoftmax ? n_classes() : 1;
  KOLOSAL_CHECK(
      forest.n_outputs == expected_outputs && forest.base_score.size() == expected_outputs,
      SerializationError, who, ": expected ", expected_outputs, " outputs, got ", forest.n_outputs,
      " and ", forest.base_score.size(), " base scores");
  const std::size_t m = feature.size();
  KOLOSAL_CHECK(left.size() == m && default_left.size() == m && threshold.size() == m,
                SerializationError, who,
                ": feature, left, default_left and threshold differ in length");
  KOLOSAL_CHECK(forest.roots.size() % forest.n_outputs == 0, SerializationError, who, ": ",
                forest.roots.size(), " trees is not a multiple of ", forest.n_outputs, " outputs");
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
  auto gain = state.at("gain_importance").get<std::vector<double>>();
  auto splits = state.at("split_importance").get<std::vector<double>>();
  KOLOSAL_CHECK(gain.size() == n_features() && splits.size() == n_features(), SerializationError,
                who, ": importances need ", n_features(), " values");
  forest_ = std::move(forest);
  gain_importance_ = std::move(gain);
  split_importance_ = std::move(splits);
  history_ = state.at("eval_history").get<std::vector<double>>();
}

}  // namespace kolosal::training
