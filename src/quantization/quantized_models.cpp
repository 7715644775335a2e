// SPDX-License-Identifier: MIT
// Int8 linear models and perceptrons (int32 accumulation on the per-ISA dot kernel) and tree
// ensembles on integer feature codes.
#include "kolosal/quantization/quantized_models.hpp"

#include <algorithm>
#include <cmath>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/training/forest.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"

#include "simd/lowp.hpp"

namespace kolosal::quantization {
namespace {

constexpr std::size_t kRowGrain = 64;
constexpr std::size_t kTreeGrain = 1024;  // rows per block of the tree-major walk

void check_feature_count(std::size_t n) {
  KOLOSAL_CHECK(n <= 32767, UnsupportedError, "QuantizedTreeEnsemble: ", n,
                " features exceed the 32767 a node can name");
}

void require_fitted(const Model& model, const char* who) {
  KOLOSAL_CHECK(model.fitted(), NotFitted, who, ": ", model.name(), " is not fitted");
}

void check_rows(MatrixView<const double> x, std::size_t features, const char* who) {
  KOLOSAL_CHECK(x.cols() == features, ShapeMismatch, who, ": x has ", x.cols(),
                " columns but the model was fitted on ", features);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (double v : x.row(r)) {
      KOLOSAL_CHECK(!std::isnan(v), InvalidArgument, who, ": x holds NaN in row ", r);
    }
  }
}

/// Input parameters of a layer calibrated on `rows` (n x in, row-major).
QuantParams calibrate_input(MatrixView<const double> rows, const Int8InferenceConfig& config,
                            Granularity granularity) {
  KOLOSAL_CHECK(rows.rows() > 0, InvalidArgument, "int8 inference: no calibration rows");
  QuantizationConfig qc;
  qc.type = QuantType::kInt8;
  qc.scheme = config.activation_scheme;
  qc.granularity = granularity;
  qc.calibration = config.calibration;
  qc.percentile = config.percentile;
  // Eigen is column-major: the row-major rows map to the transpose, so columns become rows.
  Eigen::MatrixXd m(static_cast<Eigen::Index>(rows.rows()), static_cast<Eigen::Index>(rows.cols()));
  for (std::size_t r = 0; r < rows.rows(); ++r) {
    for (std::size_t c = 0; c < rows.cols(); ++c) {
      m(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(c)) = rows(r, c);
    }
  }
  return Quantizer(qc).calibrate(m);
}

std::int8_t to_i8(double v, double lo, double hi) {
  v = v < lo ? lo : (v > hi ? hi : v);
  return static_cast<std::int8_t>(v);
}

double sigmoid(double z) { return 1.0 / (1.0 + std::exp(-z)); }

void softmax(std::span<double> z) {
  const double top = *std::max_element(z.begin(), z.end());
  double total = 0.0;
  for (double& v : z) total += v = std::exp(v - top);
  for (double& v : z) v /= total;
}

std::size_t argmax(std::span<const double> v) {
  return static_cast<std::size_t>(std::max_element(v.begin(), v.end()) - v.begin());
}

}  // namespace

void Int8InferenceConfig::check() const {
  KOLOSAL_CHECK(input_granularity != Granularity::kPerRow, ConfigError,
                "Int8InferenceConfig: input_granularity must be per_tensor or per_column, got ",
                config::enum_name(input_granularity));
}

// ---------------------------------------------------------------------------- Int8Dense

Int8Dense::Int8Dense(std::span<const double> weight, std::size_t in, std::size_t out,
                     std::span<const double> bias, const QuantParams& input)
    : in_(in),
      pad_((in + 15) / 16 * 16),
      out_(out),
      input_(input),
      bias_(bias.begin(), bias.end()) {
  KOLOSAL_CHECK(weight.size() == in * out && bias.size() == out, ShapeMismatch,
                "Int8Dense: ", weight.size(), " weights and ", bias.size(), " biases for ", out,
                " x ", in);
  KOLOSAL_CHECK(
      input.type == QuantType::kInt8 && (input.scale.size() == 1 || input.scale.size() == in),
      InvalidArgument, "Int8Dense: input parameters must be int8 with 1 or ", in, " channels");
  KOLOSAL_CHECK(in < (std::size_t{1} << 16), InvalidArgument, "Int8Dense: ", in,
                " inputs could overflow the int32 accumulator");
  in_scale_.resize(in);
  in_zero_.resize(in);
  for (std::size_t j = 0; j < in; ++j) {
    const std::size_t c = input.scale.size() == 1 ? 0 : j;
    in_scale_[j] = input.scale[c];
    in_zero_[j] = input.zero_point[c];
  }
  w_.assign(pad_ * out, 0);  // zero padding adds nothing to the products
  w_scale_.resize(out);
  zero_term_.resize(out);
  std::vector<double> folded(in);
  for (std::size_t o = 0; o < out; ++o) {
    double amax = 0.0;
    for (std::size_t j = 0; j < in; ++j) {
      folded[j] = weight[o * in + j] * in_scale_[j];
      amax = std::max(amax, std::abs(folded[j]));
    }
    const double s = amax > 0.0 ? amax / 127.0 : 1.0;
    w_scale_[o] = s;
    std::int32_t zero_term = 0;
    for (std::size_t j = 0; j < in; ++j) {
      const std::int8_t q = to_i8(std::nearbyint(folded[j] / s), -127.0, 127.0);
      w_[o * pad_ + j] = q;
      zero_term += static_cast<std::int32_t>(in_zero_[j]) * q;
    }
    zero_term_[o] = zero_term;
  }
}

void Int8Dense::quantize_input(std::span<const double> x, std::span<std::int8_t> codes) const {
  if (input_.scale.size() == 1) {
    simd::detail::lowp().f64.quantize_i8(x.data(), in_, in_scale_[0], in_zero_[0], -128.0, 127.0,
                                         codes.data());
    return;
  }
  for (std::size_t j = 0; j < in_; ++j) {
    codes[j] = to_i8(std::nearbyint(x[j] / in_scale_[j]) + in_zero_[j], -128.0, 127.0);
  }
}

void Int8Dense::apply(std::span<const std::int8_t> codes, std::span<double> y) const {
  const auto dot = simd::detail::lowp().dot_i8;
  for (std::size_t o = 0; o < out_; ++o) {
    const std::int32_t acc = dot(codes.data(), w_.data() + o * pad_, in_) - zero_term_[o];
    y[o] = w_scale_[o] * static_cast<double>(acc) + bias_[o];
  }
}

void Int8Dense::forward(MatrixView<const double> x, std::vector<std::int8_t>& codes,
                        MatrixView<double> y) const {
  const std::size_t rows = x.rows();
  // Rows padded with zero codes to a multiple of 16 so that the vector loop covers them whole.
  codes.assign(rows * pad_, 0);
  const auto& kernels = simd::detail::lowp();
  if (input_.scale.size() == 1 && x.contiguous() && pad_ == in_) {
    kernels.f64.quantize_i8(x.data(), rows * in_, in_scale_[0], in_zero_[0], -128.0, 127.0,
                            codes.data());
  } else {
    for (std::size_t r = 0; r < rows; ++r) quantize_input(x.row(r), {codes.data() + r * pad_, in_});
  }
  const auto dot = kernels.dot_i8;
  for (std::size_t r = 0; r < rows; ++r) {
    const std::int8_t* c = codes.data() + r * pad_;
    for (std::size_t o = 0; o < out_; ++o) {
      const std::int32_t acc = dot(c, w_.data() + o * pad_, pad_) - zero_term_[o];
      y(r, o) = w_scale_[o] * static_cast<double>(acc) + bias_[o];
    }
  }
}

// ---------------------------------------------------------------------------- linear

QuantizedLinearModel::QuantizedLinearModel(const training::LinearClassifierBase& model,
                                           MatrixView<const double> calibration,
                                           Int8InferenceConfig config)
    : classifier_(true), context_(model.context()) {
  config::validate(config, "QuantizedLinearModel");
  require_fitted(model, "QuantizedLinearModel");
  check_rows(calibration, model.n_features(), "QuantizedLinearModel");
  const Matrix<double>& coef = model.coef();
  layer_ =
      Int8Dense({coef.data(), coef.rows() * coef.cols()}, coef.cols(), coef.rows(),
                model.intercept(), calibrate_input(calibration, config, config.input_granularity));
  n_classes_ = model.n_classes();
  has_proba_ = model.name() == training::LogisticRegression::kName;
  if (has_proba_) multinomial_ = model.state().at("learned").at("multinomial").get<bool>();
}

QuantizedLinearModel::QuantizedLinearModel(const training::LinearRegressorBase& model,
                                           MatrixView<const double> calibration,
                                           Int8InferenceConfig config)
    : context_(model.context()) {
  config::validate(config, "QuantizedLinearModel");
  require_fitted(model, "QuantizedLinearModel");
  check_rows(calibration, model.n_features(), "QuantizedLinearModel");
  const double intercept = model.intercept();
  layer_ = Int8Dense(model.coef(), model.coef().size(), 1, {&intercept, 1},
                     calibrate_input(calibration, config, config.input_granularity));
}

Matrix<double> QuantizedLinearModel::decision_function(MatrixView<const double> x) const {
  check_rows(x, layer_.inputs(), "QuantizedLinearModel::decision_function");
  Matrix<double> out(x.rows(), layer_.outputs());
  parallel::for_blocks(context_, x.rows(), kRowGrain, [&](std::size_t lo, std::size_t hi) {
    std::vector<std::int8_t> codes;
    layer_.forward(x.row_range(lo, hi), codes, out.view().row_range(lo, hi));
  });
  return out;
}

std::vector<double> QuantizedLinearModel::predict(MatrixView<const double> x) const {
  const Matrix<double> scores = decision_function(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (!classifier_) {
      out[r] = scores(r, 0);
    } else if (scores.cols() == 1) {
      out[r] = scores(r, 0) > 0.0 ? 1.0 : 0.0;
    } else {
      out[r] = static_cast<double>(argmax(scores.row(r)));
    }
  }
  return out;
}

Matrix<double> QuantizedLinearModel::predict_proba(MatrixView<const double> x) const {
  KOLOSAL_CHECK(has_proba_, UnsupportedError,
                "QuantizedLinearModel::predict_proba: only logistic regression gives "
                "probabilities");
  const Matrix<double> scores = decision_function(x);
  Matrix<double> proba(x.rows(), n_classes_);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (scores.cols() == 1) {
      const double p = sigmoid(scores(r, 0));
      proba(r, 0) = 1.0 - p;
      proba(r, 1) = p;
    } else if (multinomial_) {
      auto row = proba.row(r);
      std::copy(scores.row(r).begin(), scores.row(r).end(), row.begin());
      softmax(row);
    } else {
      double total = 0.0;
      for (std::size_t c = 0; c < n_classes_; ++c) total += proba(r, c) = sigmoid(scores(r, c));
      for (std::size_t c = 0; c < n_classes_; ++c) proba(r, c) /= total;
    }
  }
  return proba;
}

// ---------------------------------------------------------------------------- MLP

namespace {

void activate(std::span<double> z, training::MlpActivation f) {
  using A = training::MlpActivation;
  for (double& v : z) {
    switch (f) {
      case A::kIdentity:
        break;
      case A::kLogistic:
        v = sigmoid(v);
        break;
      case A::kTanh:
        v = std::tanh(v);
        break;
      case A::kRelu:
        v = v > 0.0 ? v : 0.0;
        break;
    }
  }
}

training::MlpActivation activation_of(const Model& model) {
  return config::parse_enum<training::MlpActivation>(
      model.config().at("activation").get<std::string>(), "QuantizedMlp");
}

}  // namespace

QuantizedMlp::QuantizedMlp(const training::MlpClassifier& model,
                           MatrixView<const double> calibration, Int8InferenceConfig config)
    : activation_(static_cast<int>(activation_of(model))),
      classifier_(true),
      n_classes_(model.n_classes()),
      context_(model.context()) {
  require_fitted(model, "QuantizedMlp");
  const auto& w = model.weights();
  init(w.sizes, w.coefs, w.intercepts, calibration, config);
}

QuantizedMlp::QuantizedMlp(const training::MlpRegressor& model,
                           MatrixView<const double> calibration, Int8InferenceConfig config)
    : activation_(static_cast<int>(activation_of(model))), context_(model.context()) {
  require_fitted(model, "QuantizedMlp");
  const auto& w = model.weights();
  init(w.sizes, w.coefs, w.intercepts, calibration, config);
}

void QuantizedMlp::init(const std::vector<std::size_t>& sizes,
                        const std::vector<std::vector<double>>& coefs,
                        const std::vector<std::vector<double>>& intercepts,
                        MatrixView<const double> calibration, const Int8InferenceConfig& config) {
  config::validate(config, "QuantizedMlp");
  check_rows(calibration, sizes.front(), "QuantizedMlp");
  const auto f = static_cast<training::MlpActivation>(activation_);
  // The float network's activations on the calibration rows calibrate each layer's input.
  Matrix<double> a(calibration.rows(), calibration.cols());
  for (std::size_t r = 0; r < calibration.rows(); ++r) {
    std::copy(calibration.row(r).begin(), calibration.row(r).end(), a.row(r).begin());
  }
  for (std::size_t l = 0; l + 1 < sizes.size(); ++l) {
    const std::size_t in = sizes[l];
    const std::size_t out = sizes[l + 1];
    std::vector<double> w(in * out);  // out x in
    for (std::size_t j = 0; j < in; ++j) {
      for (std::size_t o = 0; o < out; ++o) w[o * in + j] = coefs[l][j * out + o];
    }
    const Granularity g = l == 0 ? config.input_granularity : Granularity::kPerTensor;
    layers_.emplace_back(w, in, out, intercepts[l], calibrate_input(a.view(), config, g));
    Matrix<double> next(a.rows(), out);
    for (std::size_t r = 0; r < a.rows(); ++r) {
      for (std::size_t o = 0; o < out; ++o) {
        double z = intercepts[l][o];
        for (std::size_t j = 0; j < in; ++j) z += a(r, j) * w[o * in + j];
        next(r, o) = z;
      }
      if (l + 2 < sizes.size()) activate(next.row(r), f);
    }
    a = std::move(next);
  }
}

Matrix<double> QuantizedMlp::outputs(MatrixView<const double> x) const {
  check_rows(x, layers_.front().inputs(), "QuantizedMlp");
  const auto f = static_cast<training::MlpActivation>(activation_);
  Matrix<double> out(x.rows(), layers_.back().outputs());
  // A block of rows goes through the network layer by layer.
  parallel::for_blocks(context_, x.rows(), kRowGrain, [&](std::size_t lo, std::size_t hi) {
    std::vector<std::int8_t> codes;
    Matrix<double> a;
    Matrix<double> z;
    for (std::size_t l = 0; l < layers_.size(); ++l) {
      const Int8Dense& layer = layers_[l];
      const MatrixView<const double> in = l == 0 ? x.row_range(lo, hi) : a.view();
      if (l + 1 == layers_.size()) {
        layer.forward(in, codes, out.view().row_range(lo, hi));
        break;
      }
      z = Matrix<double>(hi - lo, layer.outputs());
      layer.forward(in, codes, z.view());
      activate({z.data(), z.rows() * z.cols()}, f);
      std::swap(a, z);
    }
  });
  return out;
}

std::vector<double> QuantizedMlp::predict(MatrixView<const double> x) const {
  if (!classifier_) return outputs(x).values();
  const Matrix<double> proba = predict_proba(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) out[r] = static_cast<double>(argmax(proba.row(r)));
  return out;
}

Matrix<double> QuantizedMlp::predict_proba(MatrixView<const double> x) const {
  KOLOSAL_CHECK(classifier_, UnsupportedError,
                "QuantizedMlp::predict_proba: a regressor has no probabilities");
  const Matrix<double> raw = outputs(x);
  Matrix<double> proba(x.rows(), n_classes_);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    if (raw.cols() == 1) {
      const double p = sigmoid(raw(r, 0));
      proba(r, 0) = 1.0 - p;
      proba(r, 1) = p;
    } else {
      auto row = proba.row(r);
      std::copy(raw.row(r).begin(), raw.row(r).end(), row.begin());
      softmax(row);
    }
  }
  return proba;
}

// ---------------------------------------------------------------------------- trees

void QuantizedTreeConfig::check() const {
  KOLOSAL_CHECK(is_integer(type), ConfigError,
                "QuantizedTreeEnsemble: type must be int8, uint8 or int16, got ",
                config::enum_name(type));
}

template <class Forest>
void QuantizedTreeEnsemble::init_forest(const Forest& model, MatrixView<const double> calibration,
                                        bool classifier) {
  config::validate(config_, "QuantizedTreeEnsemble");
  require_fitted(model, "QuantizedTreeEnsemble");
  classifier_ = classifier;
  kind_ = classifier ? Kind::kForestClassifier : Kind::kForestRegressor;
  n_values_ = model.trees().front().n_values;
  check_feature_count(model.n_features());
  for (const training::Tree& tree : model.trees()) {
    // Re-laid out breadth first so that siblings are adjacent (right = left + 1).
    roots_.push_back(static_cast<std::uint32_t>(nodes_.size()));
    tree_output_.push_back(0);
    std::vector<std::pair<int, std::size_t>> queue{{0, nodes_.size()}};  // (source, slot)
    nodes_.emplace_back();
    thresholds_.push_back(0.0);
    for (std::size_t head = 0; head < queue.size(); ++head) {
      const auto [i, slot] = queue[head];
      const auto src = static_cast<std::size_t>(i);
      Node& node = nodes_[slot];
      node.feature = static_cast<std::int16_t>(tree.feature[src]);
      thresholds_[slot] = tree.threshold[src];
      if (node.feature < 0) {
        node.left = static_cast<std::int32_t>(leaf_values_.size() / n_values_);
        leaf_values_.insert(
            leaf_values_.end(), tree.value.begin() + static_cast<std::ptrdiff_t>(src * n_values_),
            tree.value.begin() + static_cast<std::ptrdiff_t>((src + 1) * n_values_));
        continue;
      }
      const std::size_t left = nodes_.size();
      node.left = static_cast<std::int32_t>(left);  // `node` may dangle after the resize below
      nodes_.resize(left + 2);
      thresholds_.resize(left + 2, 0.0);
      queue.emplace_back(tree.left[src], left);
      queue.emplace_back(tree.right[src], left + 1);
    }
  }
  finish(calibration, model.n_features());
}

QuantizedTreeEnsemble::QuantizedTreeEnsemble(const training::ForestClassifier<false>& model,
                                             MatrixView<const double> calibration, Config config)
    : config_(config), context_(model.context()) {
  init_forest(model, calibration, true);
}
QuantizedTreeEnsemble::QuantizedTreeEnsemble(const training::ForestClassifier<true>& model,
                                             MatrixView<const double> calibration, Config config)
    : config_(config), context_(model.context()) {
  init_forest(model, calibration, true);
}
QuantizedTreeEnsemble::QuantizedTreeEnsemble(const training::ForestRegressor<false>& model,
                                             MatrixView<const double> calibration, Config config)
    : config_(config), context_(model.context()) {
  init_forest(model, calibration, false);
}
QuantizedTreeEnsemble::QuantizedTreeEnsemble(const training::ForestRegressor<true>& model,
                                             MatrixView<const double> calibration, Config config)
    : config_(config), context_(model.context()) {
  init_forest(model, calibration, false);
}

QuantizedTreeEnsemble::QuantizedTreeEnsemble(const training::Gbdt& model,
                                             MatrixView<const double> calibration, Config config)
    : config_(config), context_(model.context()) {
  config::validate(config_, "QuantizedTreeEnsemble");
  require_fitted(model, "QuantizedTreeEnsemble");
  const training::GbdtForest& forest = model.forest();
  classifier_ = model.is_classifier();
  n_values_ = forest.n_outputs;
  kind_ = !classifier_ ? Kind::kGbdtRegressor
                       : (n_values_ == 1 ? Kind::kGbdtBinary : Kind::kGbdtSoftmax);
  base_score_ = forest.base_score;
  check_feature_count(model.n_features());
  for (const auto& src : forest.nodes) {
    // GBDT already stores siblings side by side.
    Node node;
    node.feature = static_cast<std::int16_t>(src.feature);
    if (src.feature < 0) {
      node.left = static_cast<std::int32_t>(leaf_values_.size());
      leaf_values_.push_back(src.threshold);
    } else {
      node.left = src.left;
    }
    nodes_.push_back(node);
    thresholds_.push_back(src.threshold);
  }
  for (std::size_t t = 0; t < forest.n_trees(); ++t) {
    roots_.push_back(forest.roots[t]);
    tree_output_.push_back(static_cast<std::uint32_t>(t % n_values_));
  }
  finish(calibration, model.n_features());
}

void QuantizedTreeEnsemble::finish(MatrixView<const double> calibration, std::size_t n_features) {
  n_features_ = n_features;
  check_rows(calibration, n_features, "QuantizedTreeEnsemble");
  KOLOSAL_CHECK(calibration.rows() > 0, InvalidArgument,
                "QuantizedTreeEnsemble: no calibration rows");
  // Each column's range covers the calibration rows and every threshold on it, so no threshold
  // is clipped.
  std::vector<double> lo(n_features), hi(n_features);
  for (std::size_t j = 0; j < n_features; ++j) lo[j] = hi[j] = calibration(0, j);
  for (std::size_t r = 0; r < calibration.rows(); ++r) {
    for (std::size_t j = 0; j < n_features; ++j) {
      lo[j] = std::min(lo[j], calibration(r, j));
      hi[j] = std::max(hi[j], calibration(r, j));
    }
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].feature < 0) continue;
    const auto j = static_cast<std::size_t>(nodes_[i].feature);
    KOLOSAL_CHECK(std::isfinite(thresholds_[i]), InvalidArgument, "QuantizedTreeEnsemble: node ", i,
                  " has a non-finite threshold");
    lo[j] = std::min(lo[j], thresholds_[i]);
    hi[j] = std::max(hi[j], thresholds_[i]);
  }
  features_.type = config_.type;
  features_.scheme = Scheme::kAsymmetric;
  features_.granularity = Granularity::kPerColumn;
  for (std::size_t j = 0; j < n_features; ++j) {
    // Codes span [lo, hi] only (features need no exact zero). One code is kept spare so that
    // rounding lo / s and hi / s separately cannot push hi past the top code.
    const auto [qmin, qmax] = code_range(config_.type, Scheme::kAsymmetric);
    const double scale =
        hi[j] > lo[j] ? (hi[j] - lo[j]) / static_cast<double>(qmax - qmin - 1) : 1.0;
    const double zero = static_cast<double>(qmin) - std::nearbyint(lo[j] / scale);
    features_.scale.push_back(scale);
    inv_scale_.push_back(1.0 / scale);
    features_.zero_point.push_back(zero);
  }
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    if (nodes_[i].feature < 0) continue;
    const auto j = static_cast<std::size_t>(nodes_[i].feature);
    const auto [qmin, qmax] = code_range(config_.type, Scheme::kAsymmetric);
    const double c =
        std::clamp(std::nearbyint(thresholds_[i] * inv_scale_[j]) + features_.zero_point[j],
                   static_cast<double>(qmin), static_cast<double>(qmax));
    nodes_[i].code = static_cast<std::int16_t>(c);
  }
}

std::vector<std::int32_t> QuantizedTreeEnsemble::codes(MatrixView<const double> x) const {
  check_rows(x, n_features_, "QuantizedTreeEnsemble::codes");
  const auto [qmin, qmax] = code_range(config_.type, Scheme::kAsymmetric);
  std::vector<std::int32_t> out(x.rows() * n_features_);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t j = 0; j < n_features_; ++j) {
      const double c = std::clamp(std::nearbyint(x(r, j) * inv_scale_[j]) + features_.zero_point[j],
                                  static_cast<double>(qmin), static_cast<double>(qmax));
      out[r * n_features_ + j] = static_cast<std::int32_t>(c);
    }
  }
  return out;
}

template <class Code>
void QuantizedTreeEnsemble::walk(MatrixView<const double> x, Matrix<double>& out) const {
  const auto [qmin, qmax] = code_range(config_.type, Scheme::kAsymmetric);
  const Node* nodes = nodes_.data();
  parallel::for_blocks(context_, x.rows(), kTreeGrain, [&](std::size_t lo, std::size_t hi) {
    std::vector<Code> codes((hi - lo) * n_features_);
    const double* inv = inv_scale_.data();
    const double* zero = features_.zero_point.data();
    for (std::size_t r = lo; r < hi; ++r) {
      Code* row = codes.data() + (r - lo) * n_features_;
      for (std::size_t j = 0; j < n_features_; ++j) {
        double c = std::nearbyint(x(r, j) * inv[j]) + zero[j];
        c = c < qmin ? qmin : (c > qmax ? qmax : c);
        row[j] = static_cast<Code>(c);
      }
      auto acc = out.row(r);
      std::fill(acc.begin(), acc.end(), 0.0);
    }
    // Tree-major within the block keeps one tree in cache.
    for (std::size_t t = 0; t < roots_.size(); ++t) {
      for (std::size_t r = lo; r < hi; ++r) {
        const Code* row = codes.data() + (r - lo) * n_features_;
        const Node* node = nodes + roots_[t];
        while (node->feature >= 0) {
          node = nodes + node->left + (row[node->feature] <= node->code ? 0 : 1);
        }
        const double* value =
            leaf_values_.data() +
            static_cast<std::size_t>(node->left) *
                (kind_ == Kind::kForestClassifier || kind_ == Kind::kForestRegressor ? n_values_
                                                                                     : 1);
        if (kind_ == Kind::kForestClassifier || kind_ == Kind::kForestRegressor) {
          for (std::size_t c = 0; c < n_values_; ++c) out(r, c) += value[c];
        } else {
          out(r, tree_output_[t]) += value[0];
        }
      }
    }
  });
}

Matrix<double> QuantizedTreeEnsemble::accumulate(MatrixView<const double> x) const {
  check_rows(x, n_features_, "QuantizedTreeEnsemble");
  Matrix<double> out(x.rows(), n_values_);
  switch (config_.type) {
    case QuantType::kInt8:
      walk<std::int8_t>(x, out);
      break;
    case QuantType::kUint8:
      walk<std::uint8_t>(x, out);
      break;
    default:
      walk<std::int16_t>(x, out);
      break;
  }
  const bool forest = kind_ == Kind::kForestClassifier || kind_ == Kind::kForestRegressor;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t c = 0; c < n_values_; ++c) {
      out(r, c) =
          forest ? out(r, c) / static_cast<double>(roots_.size()) : out(r, c) + base_score_[c];
    }
  }
  return out;
}

std::vector<double> QuantizedTreeEnsemble::predict(MatrixView<const double> x) const {
  const Matrix<double> acc = accumulate(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    switch (kind_) {
      case Kind::kForestRegressor:
      case Kind::kGbdtRegressor:
        out[r] = acc(r, 0);
        break;
      case Kind::kGbdtBinary:
        out[r] = acc(r, 0) > 0.0 ? 1.0 : 0.0;
        break;
      default:
        out[r] = static_cast<double>(argmax(acc.row(r)));
    }
  }
  return out;
}

Matrix<double> QuantizedTreeEnsemble::predict_proba(MatrixView<const double> x) const {
  KOLOSAL_CHECK(classifier_, UnsupportedError,
                "QuantizedTreeEnsemble::predict_proba: a regressor has no probabilities");
  Matrix<double> acc = accumulate(x);
  if (kind_ == Kind::kForestClassifier) return acc;
  if (kind_ == Kind::kGbdtBinary) {
    Matrix<double> proba(x.rows(), 2);
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const double p = sigmoid(acc(r, 0));
      proba(r, 0) = 1.0 - p;
      proba(r, 1) = p;
    }
    return proba;
  }
  for (std::size_t r = 0; r < x.rows(); ++r) softmax(acc.row(r));
  return acc;
}

}  // namespace kolosal::quantization
