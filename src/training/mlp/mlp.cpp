// SPDX-License-Identifier: MIT
// MLP training on Eigen: forward and backward passes over mini-batches, Adam or SGD with
// momentum, L2, loss- or validation-based stopping; follows scikit-learn's
// BaseMultilayerPerceptron.
#include "kolosal/training/mlp.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::training {
namespace {

using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowVec = Eigen::RowVectorXd;

enum class Output { kIdentity, kLogistic, kSoftmax };

struct Net {
  std::vector<RowMat> w;
  std::vector<RowVec> b;
};

void activate(RowMat& a, MlpActivation f) {
  switch (f) {
    case MlpActivation::kIdentity:
      break;
    case MlpActivation::kLogistic:
      a = (1.0 / (1.0 + (-a.array()).exp())).matrix();
      break;
    case MlpActivation::kTanh:
      a = a.array().tanh().matrix();
      break;
    case MlpActivation::kRelu:
      a = a.cwiseMax(0.0);
      break;
  }
}

void activate_output(RowMat& a, Output out) {
  if (out == Output::kLogistic) {
    a = (1.0 / (1.0 + (-a.array()).exp())).matrix();
  } else if (out == Output::kSoftmax) {
    for (Eigen::Index i = 0; i < a.rows(); ++i) {
      a.row(i).array() -= a.row(i).maxCoeff();
      a.row(i) = a.row(i).array().exp().matrix();
      a.row(i) /= a.row(i).sum();
    }
  }
}

// Activations of every layer, input first.
std::vector<RowMat> forward(const Net& net, const RowMat& x, MlpActivation f, Output out) {
  std::vector<RowMat> a{x};
  for (std::size_t l = 0; l < net.w.size(); ++l) {
    RowMat z = a.back() * net.w[l];
    z.rowwise() += net.b[l];
    if (l + 1 < net.w.size()) {
      activate(z, f);
    } else {
      activate_output(z, out);
    }
    a.push_back(std::move(z));
  }
  return a;
}

double data_loss(const RowMat& p, const RowMat& y, Output out) {
  constexpr double kClip = 1e-15;  // probabilities clipped as scikit-learn's log_loss
  const auto n = static_cast<double>(p.rows());
  if (out == Output::kIdentity) return (y - p).array().square().sum() / n / 2.0;
  const Eigen::ArrayXXd q = p.array().max(kClip).min(1.0 - kClip);
  if (out == Output::kLogistic) {
    return -(y.array() * q.log() + (1.0 - y.array()) * (1.0 - q).log()).sum() / n;
  }
  return -(y.array() * q.log()).sum() / n;
}

RowMat rows_of(const RowMat& m, std::span<const std::size_t> idx) {
  RowMat out(static_cast<Eigen::Index>(idx.size()), m.cols());
  for (std::size_t i = 0; i < idx.size(); ++i) {
    out.row(static_cast<Eigen::Index>(i)) = m.row(static_cast<Eigen::Index>(idx[i]));
  }
  return out;
}

struct Trained {
  Net net;
  std::vector<double> loss_curve;
};

// Validation score: accuracy for classifiers, R^2 for regressors.
double score(const Net& net, const RowMat& x, const RowMat& y, MlpActivation f, Output out) {
  const RowMat p = forward(net, x, f, out).back();
  if (out == Output::kIdentity) {
    const double mean = y.mean();
    const double res = (y - p).array().square().sum();
    const double tot = (y.array() - mean).square().sum();
    return tot > 0.0 ? 1.0 - res / tot : 0.0;
  }
  double correct = 0.0;
  for (Eigen::Index i = 0; i < p.rows(); ++i) {
    if (out == Output::kLogistic) {
      correct += ((p(i, 0) > 0.5) == (y(i, 0) > 0.5)) ? 1.0 : 0.0;
    } else {
      Eigen::Index a = 0;
      Eigen::Index b = 0;
      p.row(i).maxCoeff(&a);
      y.row(i).maxCoeff(&b);
      correct += a == b ? 1.0 : 0.0;
    }
  }
  return correct / static_cast<double>(p.rows());
}

Trained train(const MlpConfig& c, const Context& ctx, const RowMat& x_all, const RowMat& y_all,
              Output out, const std::optional<std::pair<RowMat, RowMat>>& eval,
              std::string_view who) {
  Rng rng(ctx.seed);
  RowMat x = x_all;
  RowMat y = y_all;
  RowMat x_val;
  RowMat y_val;
  if (c.early_stopping) {
    if (eval) {
      x_val = eval->first;
      y_val = eval->second;
    } else {
      const auto n = static_cast<std::size_t>(x_all.rows());
      const auto n_val =
          static_cast<std::size_t>(std::ceil(c.validation_fraction * static_cast<double>(n)));
      KOLOSAL_CHECK(n_val >= 1 && n_val < n, InvalidArgument, who,
                    ": too few rows for a validation split of ", c.validation_fraction);
      const auto order = rng.split(1).permutation(n);
      x_val = rows_of(x_all, std::span(order).first(n_val));
      y_val = rows_of(y_all, std::span(order).first(n_val));
      x = rows_of(x_all, std::span(order).subspan(n_val));
      y = rows_of(y_all, std::span(order).subspan(n_val));
    }
  }
  const auto n = static_cast<std::size_t>(x.rows());
  // Layer sizes and Glorot-uniform initialisation.
  std::vector<std::size_t> sizes{static_cast<std::size_t>(x.cols())};
  for (int h : c.hidden_layer_sizes) sizes.push_back(static_cast<std::size_t>(h));
  sizes.push_back(static_cast<std::size_t>(y.cols()));
  Net net;
  Rng init = rng.split(0);
  const double factor = c.activation == MlpActivation::kLogistic ? 2.0 : 6.0;
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const double bound = std::sqrt(factor / static_cast<double>(sizes[l] + sizes[l + 1]));
    RowMat w(static_cast<Eigen::Index>(sizes[l]), static_cast<Eigen::Index>(sizes[l + 1]));
    for (Eigen::Index i = 0; i < w.size(); ++i) w.data()[i] = init.uniform(-bound, bound);
    RowVec b(static_cast<Eigen::Index>(sizes[l + 1]));
    for (Eigen::Index i = 0; i < b.size(); ++i) b(i) = init.uniform(-bound, bound);
    net.w.push_back(std::move(w));
    net.b.push_back(std::move(b));
  }
  const std::size_t layers = net.w.size();
  // Optimiser state: first moments / velocities and second moments.
  Net m1;
  Net m2;
  for (std::size_t l = 0; l < layers; ++l) {
    m1.w.push_back(RowMat::Zero(net.w[l].rows(), net.w[l].cols()));
    m1.b.push_back(RowVec::Zero(net.b[l].size()));
  }
  m2 = m1;
  const std::size_t batch =
      c.batch_size ? std::clamp<std::size_t>(static_cast<std::size_t>(*c.batch_size), 1, n)
                   : std::min<std::size_t>(200, n);
  double lr = c.learning_rate_init;
  std::size_t adam_t = 0;
  std::size_t seen = 0;
  Trained result;
  double best_loss = std::numeric_limits<double>::infinity();
  double best_score = -std::numeric_limits<double>::infinity();
  Net best_net = net;
  int no_improvement = 0;
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  Rng shuffler = rng.split(2);
  std::vector<RowMat> grad_w(layers);
  std::vector<RowVec> grad_b(layers);
  for (int epoch = 0; epoch < c.max_iter; ++epoch) {
    if (c.shuffle) shuffler.shuffle(std::span<std::size_t>(order));
    double accumulated = 0.0;
    for (std::size_t start = 0; start < n; start += batch) {
      const std::size_t end = std::min(n, start + batch);
      const auto idx = std::span<const std::size_t>(order).subspan(start, end - start);
      const RowMat xb = rows_of(x, idx);
      const RowMat yb = rows_of(y, idx);
      const auto bs = static_cast<double>(end - start);
      const auto acts = forward(net, xb, c.activation, out);
      double loss = data_loss(acts.back(), yb, out);
      double penalty = 0.0;
      for (const auto& w : net.w) penalty += w.squaredNorm();
      loss += 0.5 * c.alpha * penalty / bs;
      accumulated += loss * bs;
      // Backward pass: the canonical output/loss pairs give delta = p - y.
      RowMat delta = acts.back() - yb;
      for (std::size_t l = layers; l-- > 0;) {
        grad_w[l] = (acts[l].transpose() * delta + c.alpha * net.w[l]) / bs;
        grad_b[l] = delta.colwise().sum() / bs;
        if (l == 0) break;
        RowMat back = delta * net.w[l].transpose();
        const RowMat& a = acts[l];
        switch (c.activation) {
          case MlpActivation::kIdentity:
            break;
          case MlpActivation::kLogistic:
            back.array() *= a.array() * (1.0 - a.array());
            break;
          case MlpActivation::kTanh:
            back.array() *= 1.0 - a.array().square();
            break;
          case MlpActivation::kRelu:
            back = (a.array() > 0.0).select(back, 0.0);
            break;
        }
        delta = std::move(back);
      }
      // Parameter update.
      if (c.solver == MlpSolver::kAdam) {
        ++adam_t;
        const double t = static_cast<double>(adam_t);
        const double step = c.learning_rate_init * std::sqrt(1.0 - std::pow(c.beta_2, t)) /
                            (1.0 - std::pow(c.beta_1, t));
        for (std::size_t l = 0; l < layers; ++l) {
          m1.w[l] = c.beta_1 * m1.w[l] + (1.0 - c.beta_1) * grad_w[l];
          m2.w[l] = c.beta_2 * m2.w[l] + (1.0 - c.beta_2) * grad_w[l].cwiseAbs2();
          net.w[l].array() -= step * m1.w[l].array() / (m2.w[l].array().sqrt() + c.epsilon);
          m1.b[l] = c.beta_1 * m1.b[l] + (1.0 - c.beta_1) * grad_b[l];
          m2.b[l] = c.beta_2 * m2.b[l] + (1.0 - c.beta_2) * grad_b[l].cwiseAbs2();
          net.b[l].array() -= step * m1.b[l].array() / (m2.b[l].array().sqrt() + c.epsilon);
        }
      } else {
        for (std::size_t l = 0; l < layers; ++l) {
          m1.w[l] = c.momentum * m1.w[l] - lr * grad_w[l];
          m1.b[l] = c.momentum * m1.b[l] - lr * grad_b[l];
          if (c.nesterovs_momentum) {
            net.w[l] += c.momentum * m1.w[l] - lr * grad_w[l];
            net.b[l] += c.momentum * m1.b[l] - lr * grad_b[l];
          } else {
            net.w[l] += m1.w[l];
            net.b[l] += m1.b[l];
          }
        }
      }
    }
    seen += n;
    const double epoch_loss = accumulated / static_cast<double>(n);
    KOLOSAL_CHECK(std::isfinite(epoch_loss), InvalidArgument, who, ": the loss diverged at epoch ",
                  epoch + 1, "; lower learning_rate_init or scale the features");
    result.loss_curve.push_back(epoch_loss);
    if (c.solver == MlpSolver::kSgd && c.learning_rate == MlpLearningRate::kInvScaling) {
      lr = c.learning_rate_init / std::pow(static_cast<double>(seen) + 1.0, c.power_t);
    }
    if (c.early_stopping) {
      const double s = score(net, x_val, y_val, c.activation, out);
      no_improvement = s < best_score + c.tol ? no_improvement + 1 : 0;
      if (s > best_score) {
        best_score = s;
        best_net = net;
      }
    } else {
      no_improvement = epoch_loss > best_loss - c.tol ? no_improvement + 1 : 0;
      best_loss = std::min(best_loss, epoch_loss);
    }
    if (no_improvement > c.n_iter_no_change) {
      if (c.solver == MlpSolver::kSgd && c.learning_rate == MlpLearningRate::kAdaptive &&
          lr > 1e-6) {
        lr /= 5.0;
        no_improvement = 0;
        continue;
      }
      break;
    }
  }
  result.net = c.early_stopping ? std::move(best_net) : std::move(net);
  return result;
}

RowMat to_eigen(MatrixView<const double> x) {
  RowMat out(static_cast<Eigen::Index>(x.rows()), static_cast<Eigen::Index>(x.cols()));
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      out(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = x(i, j);
    }
  }
  return out;
}

RowMat class_targets(std::span<const double> y, std::size_t k) {
  RowMat t =
      RowMat::Zero(static_cast<Eigen::Index>(y.size()), static_cast<Eigen::Index>(k == 2 ? 1 : k));
  for (std::size_t i = 0; i < y.size(); ++i) {
    if (k == 2) {
      t(static_cast<Eigen::Index>(i), 0) = y[i];
    } else {
      t(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(y[i])) = 1.0;
    }
  }
  return t;
}

MlpWeights export_net(const Net& net) {
  MlpWeights w;
  w.sizes.push_back(static_cast<std::size_t>(net.w.front().rows()));
  for (std::size_t l = 0; l < net.w.size(); ++l) {
    w.sizes.push_back(static_cast<std::size_t>(net.w[l].cols()));
    w.coefs.emplace_back(net.w[l].data(), net.w[l].data() + net.w[l].size());
    w.intercepts.emplace_back(net.b[l].data(), net.b[l].data() + net.b[l].size());
  }
  return w;
}

Net import_net(const MlpWeights& w) {
  Net net;
  for (std::size_t l = 0; l + 1 < w.sizes.size(); ++l) {
    net.w.push_back(Eigen::Map<const RowMat>(w.coefs[l].data(),
                                             static_cast<Eigen::Index>(w.sizes[l]),
                                             static_cast<Eigen::Index>(w.sizes[l + 1])));
    net.b.push_back(Eigen::Map<const RowVec>(w.intercepts[l].data(),
                                             static_cast<Eigen::Index>(w.sizes[l + 1])));
  }
  return net;
}

nlohmann::json weights_to_json(const MlpWeights& w, const std::vector<double>& curve) {
  return {
      {"sizes", w.sizes}, {"coefs", w.coefs}, {"intercepts", w.intercepts}, {"loss_curve", curve}};
}

MlpWeights weights_from_json(const nlohmann::json& state, std::string_view who, std::size_t n_in,
                             std::size_t n_out, std::vector<double>& curve) {
  MlpWeights w;
  try {
    w.sizes = state.at("sizes").get<std::vector<std::size_t>>();
    w.coefs = state.at("coefs").get<std::vector<std::vector<double>>>();
    w.intercepts = state.at("intercepts").get<std::vector<std::vector<double>>>();
    curve = state.at("loss_curve").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, who, ": malformed weights (", e.what(), ")");
  }
  bool ok = w.sizes.size() >= 2 && w.sizes.front() == n_in && w.sizes.back() == n_out &&
            w.coefs.size() == w.sizes.size() - 1 && w.intercepts.size() == w.coefs.size();
  for (std::size_t l = 0; ok && l < w.coefs.size(); ++l) {
    ok = w.coefs[l].size() == w.sizes[l] * w.sizes[l + 1] &&
         w.intercepts[l].size() == w.sizes[l + 1];
  }
  KOLOSAL_CHECK(ok, SerializationError, who, ": layer sizes do not match the weights");
  return w;
}

}  // namespace

// ---------------------------------------------------------------------------- classifier

nlohmann::json MlpClassifier::config() const { return config::to_json(config_); }

void MlpClassifier::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  config::validate(config_, "MlpClassifier");
  KOLOSAL_CHECK(options.sample_weight.empty(), InvalidArgument,
                "MlpClassifier::fit: sample weights are not supported");
  const std::size_t k = n_classes();
  const Output out = k == 2 ? Output::kLogistic : Output::kSoftmax;
  std::optional<std::pair<RowMat, RowMat>> eval;
  if (options.eval_x) eval.emplace(to_eigen(*options.eval_x), class_targets(options.eval_y, k));
  auto trained =
      train(config_, context(), to_eigen(x), class_targets(y, k), out, eval, "MlpClassifier::fit");
  weights_ = export_net(trained.net);
  loss_curve_ = std::move(trained.loss_curve);
}

Matrix<double> MlpClassifier::do_predict_proba(MatrixView<const double> x) const {
  const std::size_t k = n_classes();
  const RowMat p = forward(import_net(weights_), to_eigen(x), config_.activation,
                           k == 2 ? Output::kLogistic : Output::kSoftmax)
                       .back();
  Matrix<double> proba(x.rows(), k);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const auto r = static_cast<Eigen::Index>(i);
    if (k == 2) {
      proba(i, 0) = 1.0 - p(r, 0);
      proba(i, 1) = p(r, 0);
    } else {
      for (std::size_t c = 0; c < k; ++c) proba(i, c) = p(r, static_cast<Eigen::Index>(c));
    }
  }
  return proba;
}

std::vector<double> MlpClassifier::do_predict(MatrixView<const double> x) const {
  const auto proba = do_predict_proba(x);
  std::vector<double> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const auto row = proba.row(i);
    out[i] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

nlohmann::json MlpClassifier::do_state() const { return weights_to_json(weights_, loss_curve_); }

void MlpClassifier::do_load_state(const nlohmann::json& state) {
  weights_ = weights_from_json(state, "MlpClassifier::load_state", n_features(),
                               n_classes() == 2 ? 1 : n_classes(), loss_curve_);
}

// ---------------------------------------------------------------------------- regressor

nlohmann::json MlpRegressor::config() const { return config::to_json(config_); }

void MlpRegressor::do_fit(MatrixView<const double> x, std::span<const double> y,
                          const FitOptions& options) {
  config::validate(config_, "MlpRegressor");
  KOLOSAL_CHECK(options.sample_weight.empty(), InvalidArgument,
                "MlpRegressor::fit: sample weights are not supported");
  auto column = [](std::span<const double> v) {
    return RowMat(Eigen::Map<const RowMat>(v.data(), static_cast<Eigen::Index>(v.size()), 1));
  };
  std::optional<std::pair<RowMat, RowMat>> eval;
  if (options.eval_x) eval.emplace(to_eigen(*options.eval_x), column(options.eval_y));
  auto trained = train(config_, context(), to_eigen(x), column(y), Output::kIdentity, eval,
                       "MlpRegressor::fit");
  weights_ = export_net(trained.net);
  loss_curve_ = std::move(trained.loss_curve);
}

std::vector<double> MlpRegressor::do_predict(MatrixView<const double> x) const {
  const RowMat p =
      forward(import_net(weights_), to_eigen(x), config_.activation, Output::kIdentity).back();
  return {p.data(), p.data() + p.rows()};
}

nlohmann::json MlpRegressor::do_state() const { return weights_to_json(weights_, loss_curve_); }

void MlpRegressor::do_load_state(const nlohmann::json& state) {
  weights_ = weights_from_json(state, "MlpRegressor::load_state", n_features(), 1, loss_curve_);
}

}  // namespace kolosal::training
