// SPDX-License-Identifier: MIT
// Plain stochastic gradient descent for linear models, following the update order of
// scikit-learn's _plain_sgd: step size, L2 shrinkage, gradient step, cumulative L1 penalty.
#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"
#include "kolosal/training/linear.hpp"

#include "training/linear/common.hpp"

namespace kolosal::training {

void SgdConfig::check() const {
  KOLOSAL_CHECK(learning_rate != SgdLearningRate::kOptimal || alpha > 0.0, ConfigError, kName,
                ": alpha must be > 0 with learning_rate 'optimal' (it sets the step size)");
  KOLOSAL_CHECK(learning_rate == SgdLearningRate::kOptimal || eta0 > 0.0, ConfigError, kName,
                ": eta0 must be > 0 with learning_rate '", config::enum_name(learning_rate), "'");
}

namespace {

constexpr double kMaxDloss = 1e12;

bool is_regression_loss(SgdLoss loss) {
  return loss == SgdLoss::kSquaredError || loss == SgdLoss::kHuber ||
         loss == SgdLoss::kEpsilonInsensitive || loss == SgdLoss::kSquaredEpsilonInsensitive;
}

// Loss and its derivative in the prediction p for target y (±1 for the margin losses).
struct LossFunction {
  SgdLoss kind = SgdLoss::kHinge;
  double epsilon = 0.1;

  [[nodiscard]] double loss(double p, double y) const {
    const double z = p * y;
    switch (kind) {
      case SgdLoss::kHinge:
        return std::max(0.0, 1.0 - z);
      case SgdLoss::kPerceptron:
        return std::max(0.0, -z);
      case SgdLoss::kSquaredHinge:
        return z < 1.0 ? (1.0 - z) * (1.0 - z) : 0.0;
      case SgdLoss::kLogLoss:
        if (z > 18.0) return std::exp(-z);
        if (z < -18.0) return -z;
        return std::log1p(std::exp(-z));
      case SgdLoss::kModifiedHuber:
        if (z >= 1.0) return 0.0;
        if (z >= -1.0) return (1.0 - z) * (1.0 - z);
        return -4.0 * z;
      case SgdLoss::kSquaredError:
        return 0.5 * (p - y) * (p - y);
      case SgdLoss::kHuber: {
        const double r = std::abs(p - y);
        return r <= epsilon ? 0.5 * r * r : epsilon * r - 0.5 * epsilon * epsilon;
      }
      case SgdLoss::kEpsilonInsensitive:
        return std::max(0.0, std::abs(y - p) - epsilon);
      case SgdLoss::kSquaredEpsilonInsensitive: {
        const double r = std::max(0.0, std::abs(y - p) - epsilon);
        return r * r;
      }
    }
    return 0.0;
  }

  [[nodiscard]] double dloss(double p, double y) const {
    const double z = p * y;
    switch (kind) {
      case SgdLoss::kHinge:
        return z <= 1.0 ? -y : 0.0;
      case SgdLoss::kPerceptron:
        return z <= 0.0 ? -y : 0.0;
      case SgdLoss::kSquaredHinge:
        return z < 1.0 ? -2.0 * y * (1.0 - z) : 0.0;
      case SgdLoss::kLogLoss:
        if (z > 18.0) return -y * std::exp(-z);
        if (z < -18.0) return -y;
        return -y / (std::exp(z) + 1.0);
      case SgdLoss::kModifiedHuber:
        if (z >= 1.0) return 0.0;
        if (z >= -1.0) return -2.0 * y * (1.0 - z);
        return -4.0 * y;
      case SgdLoss::kSquaredError:
        return p - y;
      case SgdLoss::kHuber: {
        const double r = p - y;
        if (std::abs(r) <= epsilon) return r;
        return r > 0.0 ? epsilon : -epsilon;
      }
      case SgdLoss::kEpsilonInsensitive:
        if (y - p > epsilon) return -1.0;
        if (p - y > epsilon) return 1.0;
        return 0.0;
      case SgdLoss::kSquaredEpsilonInsensitive: {
        const double r = y - p;
        if (r > epsilon) return -2.0 * (r - epsilon);
        if (r < -epsilon) return 2.0 * (-r - epsilon);
        return 0.0;
      }
    }
    return 0.0;
  }
};

struct SgdResult {
  std::vector<double> w;
  double intercept = 0.0;
  int epochs = 0;
};

// One linear model y ≈ x·w + b by SGD over the rows of x (targets already ±1 for margin losses).
SgdResult plain_sgd(MatrixView<const double> x, std::span<const double> y,
                    std::span<const double> sample_weight, const SgdConfig& c, Rng rng) {
  const std::size_t n = x.rows();
  const std::size_t p = x.cols();
  const LossFunction loss{.kind = c.loss, .epsilon = c.epsilon};
  SgdResult out{.w = std::vector<double>(p, 0.0)};
  const bool l2 = c.penalty == SgdPenalty::kL2 || c.penalty == SgdPenalty::kElasticNet;
  const bool l1 = c.penalty == SgdPenalty::kL1 || c.penalty == SgdPenalty::kElasticNet;
  const double l1_ratio = c.penalty == SgdPenalty::kL1   ? 1.0
                          : c.penalty == SgdPenalty::kL2 ? 0.0
                                                         : c.l1_ratio;
  double optimal_init = 0.0;
  if (c.learning_rate == SgdLearningRate::kOptimal) {
    // Bottou's heuristic: the step a typical weight of size 1/sqrt(sqrt(alpha)) would take.
    const double typw = std::sqrt(1.0 / std::sqrt(c.alpha));
    const double initial_eta0 = typw / std::max(1.0, loss.dloss(-typw, 1.0));
    optimal_init = 1.0 / (initial_eta0 * c.alpha);
  }
  std::vector<double> q(l1 ? p : 0, 0.0);
  double u = 0.0;
  double eta = c.eta0;
  double t = 1.0;
  double best_loss = std::numeric_limits<double>::infinity();
  int no_improvement = 0;
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  for (int epoch = 0; epoch < c.max_iter; ++epoch) {
    out.epochs = epoch + 1;
    if (c.shuffle) rng.shuffle(std::span<std::size_t>(order));
    double sumloss = 0.0;
    for (const std::size_t i : order) {
      const auto row = x.row(i);
      if (c.learning_rate == SgdLearningRate::kOptimal) {
        eta = 1.0 / (c.alpha * (optimal_init + t - 1.0));
      } else if (c.learning_rate == SgdLearningRate::kInvscaling) {
        eta = c.eta0 / std::pow(t, c.power_t);
      }
      double prediction = out.intercept;
      for (std::size_t j = 0; j < p; ++j) prediction += out.w[j] * row[j];
      sumloss += loss.loss(prediction, y[i]);
      const double dloss = std::clamp(loss.dloss(prediction, y[i]), -kMaxDloss, kMaxDloss);
      const double update = -eta * dloss * (sample_weight.empty() ? 1.0 : sample_weight[i]);
      if (l2) {
        // Never scale to negative values when eta or alpha are too big.
        const double shrink = std::max(0.0, 1.0 - (1.0 - l1_ratio) * eta * c.alpha);
        for (auto& v : out.w) v *= shrink;
      }
      if (update != 0.0) {
        for (std::size_t j = 0; j < p; ++j) out.w[j] += update * row[j];
        if (c.fit_intercept) out.intercept += update;
      }
      if (l1) {
        // Cumulative L1 penalty (Tsuruoka et al., 2009): clip each weight towards zero by the
        // penalty it has not yet received.
        u += l1_ratio * eta * c.alpha;
        for (std::size_t j = 0; j < p; ++j) {
          const double before = out.w[j];
          if (before > 0.0) {
            out.w[j] = std::max(0.0, before - (u + q[j]));
          } else if (before < 0.0) {
            out.w[j] = std::min(0.0, before + (u - q[j]));
          }
          q[j] += out.w[j] - before;
        }
      }
      t += 1.0;
    }
    if (!std::isfinite(sumloss) || !std::isfinite(out.intercept)) {
      KOLOSAL_THROW(InvalidArgument,
                    "SGD: the weights diverged (non-finite loss); scale the features or lower "
                    "eta0 / alpha");
    }
    if (c.tol > 0.0) {
      no_improvement =
          sumloss > best_loss - c.tol * static_cast<double>(n) ? no_improvement + 1 : 0;
      best_loss = std::min(best_loss, sumloss);
      if (no_improvement >= c.n_iter_no_change) {
        if (c.learning_rate == SgdLearningRate::kAdaptive && eta > 1e-6) {
          eta /= 5.0;
          no_improvement = 0;
        } else {
          break;
        }
      }
    }
  }
  return out;
}

}  // namespace

// ---------------------------------------------------------------------------- regressor

nlohmann::json SgdRegressor::config() const { return config::to_json(config_); }

void SgdRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                          const FitOptions& options) {
  config::validate(config_, "SgdRegressor");
  KOLOSAL_CHECK(is_regression_loss(config_.loss), ConfigError,
                "SgdRegressor: loss must be squared_error, huber, epsilon_insensitive or "
                "squared_epsilon_insensitive, got ",
                config::enum_name(config_.loss));
  KOLOSAL_CHECK(config_.class_weight == ClassWeight::kNone, ConfigError,
                "SgdRegressor: class_weight applies to classifiers only");
  auto result = plain_sgd(x, y, options.sample_weight, config_, Rng(context().seed));
  coef_ = std::move(result.w);
  intercept_ = result.intercept;
  n_iter_ = result.epochs;
}

// ---------------------------------------------------------------------------- classifier

nlohmann::json SgdClassifier::config() const { return config::to_json(config_); }

bool SgdClassifier::has_predict_proba() const noexcept {
  return config_.loss == SgdLoss::kLogLoss || config_.loss == SgdLoss::kModifiedHuber;
}

void SgdClassifier::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  config::validate(config_, "SgdClassifier");
  const std::size_t k = n_classes();
  const std::size_t rows = k == 2 ? 1 : k;
  coef_ = Matrix<double>(rows, x.cols());
  intercept_.assign(rows, 0.0);
  std::vector<int> epochs(rows, 0);
  KOLOSAL_CHECK(
      config_.class_weight != ClassWeight::kExplicit || !config_.class_weight_values.empty(),
      ConfigError, "SgdClassifier: class_weight is explicit but class_weight_values ", "is empty");
  const auto cw = linear_detail::class_weights(y, k, config_.class_weight,
                                               config_.class_weight_values, "SgdClassifier");
  const Rng root(context().seed);
  // One-vs-rest problems in parallel; each has its own random stream, so results do not
  // depend on the thread count.
  parallel::for_each_index(context(), rows, [&](std::size_t c) {
    const double positive = rows == 1 ? 1.0 : static_cast<double>(c);
    std::vector<double> target(y.size());
    for (std::size_t i = 0; i < y.size(); ++i) target[i] = y[i] == positive ? 1.0 : -1.0;
    // scikit-learn's pos_weight / neg_weight scale the update, as a sample weight does.
    std::vector<double> weights;
    if (config_.class_weight != ClassWeight::kNone) {
      const double pos = cw[rows == 1 ? 1 : c];
      const double neg = rows == 1 ? cw[0] : 1.0;
      weights.resize(y.size());
      for (std::size_t i = 0; i < y.size(); ++i) {
        weights[i] = (options.sample_weight.empty() ? 1.0 : options.sample_weight[i]) *
                     (target[i] > 0 ? pos : neg);
      }
    }
    const auto result = plain_sgd(
        x, target, weights.empty() ? options.sample_weight : std::span<const double>(weights),
        config_, root.split(c));
    std::copy(result.w.begin(), result.w.end(), coef_.row(c).begin());
    intercept_[c] = result.intercept;
    epochs[c] = result.epochs;
  });
  n_iter_ = *std::max_element(epochs.begin(), epochs.end());
}

Matrix<double> SgdClassifier::do_predict_proba(MatrixView<const double> x) const {
  KOLOSAL_CHECK(has_predict_proba(), UnsupportedError,
                "sgd_classifier::predict_proba: needs loss log_loss or modified_huber, got ",
                config::enum_name(config_.loss));
  const Matrix<double> scores = do_decision_function(x);
  const std::size_t k = n_classes();
  Matrix<double> proba(x.rows(), k);
  const auto link = [&](double d) {
    if (config_.loss == SgdLoss::kLogLoss) {
      return d >= 0.0 ? 1.0 / (1.0 + std::exp(-d)) : std::exp(d) / (1.0 + std::exp(d));
    }
    return (std::clamp(d, -1.0, 1.0) + 1.0) / 2.0;
  };
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (scores.cols() == 1) {
      proba(r, 1) = link(scores(r, 0));
      proba(r, 0) = 1.0 - proba(r, 1);
      continue;
    }
    double sum = 0.0;
    for (std::size_t c = 0; c < k; ++c) sum += proba(r, c) = link(scores(r, c));
    for (std::size_t c = 0; c < k; ++c) {
      proba(r, c) = sum > 0.0 ? proba(r, c) / sum : 1.0 / static_cast<double>(k);
    }
  }
  return proba;
}

}  // namespace kolosal::training
