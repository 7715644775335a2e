// SPDX-License-Identifier: MIT
// Storage at FP16 / BF16 with FP32 accumulation, and the validation-driven precision choice.
#include "kolosal/precision/mixed_precision.hpp"

#include <algorithm>
#include <cmath>

#include <Eigen/Dense>
#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"

namespace kolosal::precision {
namespace {

constexpr Eigen::Index kPanel = 256;  // columns of B widened at a time

float sigmoid(float z) { return 1.0f / (1.0f + std::exp(-z)); }

}  // namespace

// ---------------------------------------------------------------------------- StoredMatrix

StoredMatrix::StoredMatrix(const Eigen::MatrixXf& m, Precision p)
    : precision_(p), rows_(m.rows()), cols_(m.cols()) {
  if (p == Precision::kFp32) {
    full_ = m;
    return;
  }
  bits_.resize(static_cast<std::size_t>(m.size()));
  const std::span<const float> in(m.data(), bits_.size());
  if (p == Precision::kFp16) {
    float_to_fp16(in, bits_);
  } else {
    float_to_bf16(in, bits_);
  }
}

std::size_t StoredMatrix::bytes() const noexcept {
  return precision_ == Precision::kFp32 ? static_cast<std::size_t>(full_.size()) * sizeof(float)
                                        : bits_.size() * sizeof(std::uint16_t);
}

Eigen::MatrixXf StoredMatrix::columns(Eigen::Index begin, Eigen::Index count) const {
  KOLOSAL_CHECK(begin >= 0 && count >= 0 && begin + count <= cols_, InvalidArgument,
                "StoredMatrix::columns: [", begin, ", ", begin + count, ") outside ", cols_,
                " columns");
  if (precision_ == Precision::kFp32) return full_.middleCols(begin, count);
  Eigen::MatrixXf out(rows_, count);
  const auto n = static_cast<std::size_t>(rows_ * count);
  const std::span<const std::uint16_t> in(bits_.data() + begin * rows_, n);
  const std::span<float> o(out.data(), n);
  if (precision_ == Precision::kFp16) {
    fp16_to_float(in, o);
  } else {
    bf16_to_float(in, o);
  }
  return out;
}

Eigen::MatrixXf StoredMatrix::to_float() const { return columns(0, cols_); }

Eigen::VectorXf matvec(const StoredMatrix& a, const StoredMatrix& b) {
  KOLOSAL_CHECK(b.cols() == 1 && a.cols() == b.rows(), ShapeMismatch,
                "precision::matvec: ", a.rows(), " x ", a.cols(), " times ", b.rows(), " x ",
                b.cols());
  return a.to_float() * b.to_float();
}

Eigen::MatrixXf matmul(const StoredMatrix& a, const StoredMatrix& b) {
  KOLOSAL_CHECK(a.cols() == b.rows(), ShapeMismatch, "precision::matmul: ", a.rows(), " x ",
                a.cols(), " times ", b.rows(), " x ", b.cols());
  const Eigen::MatrixXf af = a.to_float();
  Eigen::MatrixXf out(a.rows(), b.cols());
  for (Eigen::Index c = 0; c < b.cols(); c += kPanel) {
    const Eigen::Index count = std::min(kPanel, b.cols() - c);
    out.middleCols(c, count).noalias() = af * b.columns(c, count);
  }
  return out;
}

// ---------------------------------------------------------------------------- network

MixedPrecisionNetwork::MixedPrecisionNetwork(const Model& model) {
  KOLOSAL_CHECK(model.fitted(), NotFitted, "MixedPrecisionNetwork: ", model.name(),
                " is not fitted");
  n_features_ = model.n_features();
  n_classes_ = model.n_classes();
  classifier_ = model.is_classifier();
  const training::MlpWeights* mlp = nullptr;
  if (const auto* m = dynamic_cast<const training::MlpClassifier*>(&model)) mlp = &m->weights();
  if (const auto* m = dynamic_cast<const training::MlpRegressor*>(&model)) mlp = &m->weights();
  if (mlp != nullptr) {
    activation_ = static_cast<int>(config::parse_enum<training::MlpActivation>(
        model.config().at("activation").get<std::string>(), "MixedPrecisionNetwork"));
    for (std::size_t l = 0; l + 1 < mlp->sizes.size(); ++l) {
      const auto in = static_cast<Eigen::Index>(mlp->sizes[l]);
      const auto out = static_cast<Eigen::Index>(mlp->sizes[l + 1]);
      Eigen::MatrixXf w(out, in);
      for (Eigen::Index j = 0; j < in; ++j) {
        for (Eigen::Index o = 0; o < out; ++o) {
          w(o, j) = static_cast<float>(mlp->coefs[l][static_cast<std::size_t>(j * out + o)]);
        }
      }
      weights_.push_back(std::move(w));
      biases_.push_back(
          Eigen::Map<const Eigen::VectorXd>(mlp->intercepts[l].data(), out).cast<float>());
    }
    softmax_ = classifier_ && n_classes_ > 2;
    return;
  }
  if (const auto* m = dynamic_cast<const training::LinearRegressorBase*>(&model)) {
    const auto in = static_cast<Eigen::Index>(m->coef().size());
    weights_.push_back(
        Eigen::Map<const Eigen::VectorXd>(m->coef().data(), in).cast<float>().transpose());
    biases_.push_back(Eigen::VectorXf::Constant(1, static_cast<float>(m->intercept())));
    return;
  }
  const auto* logistic = dynamic_cast<const training::LogisticRegression*>(&model);
  KOLOSAL_CHECK(logistic != nullptr, UnsupportedError, "MixedPrecisionNetwork: ", model.name(),
                " is not a perceptron, logistic regression or linear regressor");
  const Matrix<double>& coef = logistic->coef();
  Eigen::MatrixXf w(static_cast<Eigen::Index>(coef.rows()), static_cast<Eigen::Index>(coef.cols()));
  for (std::size_t r = 0; r < coef.rows(); ++r) {
    for (std::size_t c = 0; c < coef.cols(); ++c) {
      w(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) =
          static_cast<float>(coef(r, c));
    }
  }
  weights_.push_back(std::move(w));
  const auto& b = logistic->intercept();
  biases_.push_back(Eigen::Map<const Eigen::VectorXd>(b.data(), static_cast<Eigen::Index>(b.size()))
                        .cast<float>());
  const bool multinomial = logistic->state().at("learned").at("multinomial").get<bool>();
  softmax_ = coef.rows() > 1 && multinomial;
  ovr_ = coef.rows() > 1 && !multinomial;
}

Eigen::MatrixXf MixedPrecisionNetwork::raw(MatrixView<const double> x, Precision p) const {
  KOLOSAL_CHECK(x.cols() == n_features_, ShapeMismatch, "MixedPrecisionNetwork: x has ", x.cols(),
                " columns but the model has ", n_features_, " features");
  // Activations are columns (features x rows) so each layer is one stored GEMM.
  Eigen::MatrixXf a(static_cast<Eigen::Index>(x.cols()), static_cast<Eigen::Index>(x.rows()));
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t c = 0; c < x.cols(); ++c) {
      a(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(r)) = static_cast<float>(x(r, c));
    }
  }
  const auto f = static_cast<training::MlpActivation>(activation_);
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    // Weights and activations are stored at p; the product accumulates in FP32 and the bias is
    // added in FP32 before the result is stored at p again.
    Eigen::MatrixXf z = matmul(StoredMatrix(weights_[l], p), StoredMatrix(a, p));
    const Eigen::VectorXf bias = StoredMatrix(biases_[l], p).to_float();
    z.colwise() += bias;
    if (l + 1 < weights_.size()) {
      switch (f) {
        case training::MlpActivation::kIdentity:
          break;
        case training::MlpActivation::kLogistic:
          z = z.unaryExpr([](float v) { return sigmoid(v); });
          break;
        case training::MlpActivation::kTanh:
          z = z.array().tanh();
          break;
        case training::MlpActivation::kRelu:
          z = z.cwiseMax(0.0f);
          break;
      }
    }
    a = std::move(z);
  }
  return a.transpose();
}

std::vector<double> MixedPrecisionNetwork::predict(MatrixView<const double> x, Precision p) const {
  const Eigen::MatrixXf z = raw(x, p);
  std::vector<double> out(x.rows());
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    if (!classifier_) {
      out[static_cast<std::size_t>(r)] = z(r, 0);
    } else if (z.cols() == 1) {
      out[static_cast<std::size_t>(r)] = z(r, 0) > 0.0f ? 1.0 : 0.0;
    } else {
      Eigen::Index best = 0;
      z.row(r).maxCoeff(&best);
      out[static_cast<std::size_t>(r)] = static_cast<double>(best);
    }
  }
  return out;
}

Matrix<double> MixedPrecisionNetwork::predict_proba(MatrixView<const double> x, Precision p) const {
  KOLOSAL_CHECK(classifier_, UnsupportedError,
                "MixedPrecisionNetwork::predict_proba: a regressor has no probabilities");
  const Eigen::MatrixXf z = raw(x, p);
  Matrix<double> proba(x.rows(), n_classes_);
  for (Eigen::Index r = 0; r < z.rows(); ++r) {
    const auto i = static_cast<std::size_t>(r);
    if (z.cols() == 1) {
      const double q = sigmoid(z(r, 0));
      proba(i, 0) = 1.0 - q;
      proba(i, 1) = q;
      continue;
    }
    double total = 0.0;
    const double top = softmax_ ? z.row(r).maxCoeff() : 0.0;
    for (std::size_t c = 0; c < n_classes_; ++c) {
      const double v = z(r, static_cast<Eigen::Index>(c));
      total += proba(i, c) = softmax_ ? std::exp(v - top) : 1.0 / (1.0 + std::exp(-v));
    }
    for (std::size_t c = 0; c < n_classes_; ++c) proba(i, c) /= total;
  }
  return proba;
}

std::size_t MixedPrecisionNetwork::weight_bytes(Precision p) const {
  std::size_t values = 0;
  for (std::size_t l = 0; l < weights_.size(); ++l) {
    values += static_cast<std::size_t>(weights_[l].size() + biases_[l].size());
  }
  return values * (p == Precision::kFp32 ? 4 : 2);
}

// ---------------------------------------------------------------------------- manager

MixedPrecisionManager::MixedPrecisionManager(MixedPrecisionConfig config)
    : config_(std::move(config)) {
  config::validate(config_, "MixedPrecisionManager");
}

PrecisionReport MixedPrecisionManager::select(FunctionRef<double(Precision)> metric,
                                              std::string metric_name) const {
  PrecisionReport report;
  report.metric_name = std::move(metric_name);
  report.fp32_metric = metric(Precision::kFp32);
  const PrecisionReport::Trial* best = nullptr;
  for (Precision p : config_.candidates) {
    if (p == Precision::kFp32) continue;
    PrecisionReport::Trial t;
    t.precision = p;
    t.metric = metric(p);
    t.degradation = report.fp32_metric - t.metric;
    // NaN (a metric that broke down at low precision) is never accepted.
    t.accepted = t.degradation <= config_.tolerance;
    report.trials.push_back(t);
  }
  for (const auto& t : report.trials) {
    if (t.accepted && (best == nullptr || t.degradation < best->degradation)) best = &t;
  }
  if (best != nullptr) {
    report.chosen = best->precision;
    report.reason =
        detail::concat(config::enum_name(best->precision), " keeps ", report.metric_name, " at ",
                       best->metric, " against ", report.fp32_metric, " in fp32 (loss ",
                       best->degradation, " <= tolerance ", config_.tolerance, ")");
  } else {
    report.chosen = Precision::kFp32;
    report.reason = report.trials.empty()
                        ? std::string("no 16-bit candidate was given")
                        : detail::concat("every 16-bit candidate loses more than the tolerance ",
                                         config_.tolerance, " of ", report.metric_name,
                                         " against fp32 (", report.fp32_metric, ")");
  }
  return report;
}

PrecisionReport MixedPrecisionManager::select(const MixedPrecisionNetwork& network,
                                              MatrixView<const double> x,
                                              std::span<const double> y) const {
  KOLOSAL_CHECK(x.rows() == y.size() && !y.empty(), ShapeMismatch,
                "MixedPrecisionManager::select: x has ", x.rows(), " rows but y has ", y.size(),
                " values");
  const bool classifier = network.is_classifier();
  auto score = [&](Precision p) {
    const std::vector<double> pred = network.predict(x, p);
    if (classifier) {
      std::size_t hits = 0;
      for (std::size_t i = 0; i < y.size(); ++i) hits += pred[i] == y[i] ? 1 : 0;
      return static_cast<double>(hits) / static_cast<double>(y.size());
    }
    double mean = 0.0;
    for (double v : y) mean += v;
    mean /= static_cast<double>(y.size());
    double ss_res = 0.0;
    double ss_tot = 0.0;
    for (std::size_t i = 0; i < y.size(); ++i) {
      ss_res += (y[i] - pred[i]) * (y[i] - pred[i]);
      ss_tot += (y[i] - mean) * (y[i] - mean);
    }
    return ss_tot > 0.0 ? 1.0 - ss_res / ss_tot : (ss_res == 0.0 ? 1.0 : 0.0);
  };
  return select(score, classifier ? "accuracy" : "r2");
}

}  // namespace kolosal::precision

namespace kolosal::config {
template nlohmann::json to_json<precision::MixedPrecisionConfig>(
    const precision::MixedPrecisionConfig&);
template precision::MixedPrecisionConfig from_json<precision::MixedPrecisionConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
