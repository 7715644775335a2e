// SPDX-License-Identifier: MIT
// Quantized inference for fitted models: linear models and perceptrons with int8 products
// accumulated in int32, and tree ensembles whose splits compare integer feature codes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <tuple>
#include <vector>

#include "kolosal/core/config.hpp"
#include "kolosal/core/context.hpp"
#include "kolosal/core/matrix_view.hpp"
#include "kolosal/core/model.hpp"
#include "kolosal/quantization/quantizer.hpp"

namespace kolosal::training {
class LinearClassifierBase;
class LinearRegressorBase;
class MlpClassifier;
class MlpRegressor;
class Gbdt;
template <bool Extra>
class ForestClassifier;
template <bool Extra>
class ForestRegressor;
}  // namespace kolosal::training

namespace kolosal::quantization {

/// How the int8 networks quantize what flows into each layer.
struct Int8InferenceConfig {
  static constexpr std::string_view kName = "Int8InferenceConfig";

  /// Range of every layer's input, calibrated on the rows given to the constructor.
  Calibration calibration = Calibration::kMinMax;
  double percentile = 99.99;  ///< for calibration = percentile
  /// Activations with a zero point (suits ReLU and unscaled features) or symmetric around 0.
  Scheme activation_scheme = Scheme::kAsymmetric;
  /// The first layer's input: one range for the whole row (per_tensor), or one per feature
  /// (per_column), folded into the weights before they are quantized so that features on very
  /// different scales keep their resolution. Hidden layers are always per tensor.
  Granularity input_granularity = Granularity::kPerTensor;

  static constexpr auto fields() {
    using C = Int8InferenceConfig;
    return std::tuple{
        config::field("calibration", &C::calibration).doc("min_max, percentile or entropy"),
        config::field("percentile", &C::percentile).greater_than(50.0).at_most(100.0),
        config::field("activation_scheme", &C::activation_scheme)
            .doc("symmetric or asymmetric activations"),
        config::field("input_granularity", &C::input_granularity)
            .doc("per_tensor or per_column input ranges")};
  }
  void check() const;
  friend bool operator==(const Int8InferenceConfig&, const Int8InferenceConfig&) = default;
};

/// One dense layer y = W x + b with W quantized symmetrically per output channel (int8 in
/// [-127, 127]) and x per tensor (or per column for the first layer), accumulated in int32:
/// y_o = s_o · (Σ_j q_j w_oj − Σ_j z_j w_oj) + b_o, the input scales folded into s_o and w.
class Int8Dense {
 public:
  Int8Dense() = default;
  /// `weight` is out x in, row-major; `input` the calibrated input parameters (one channel, or
  /// one per input column).
  Int8Dense(std::span<const double> weight, std::size_t in, std::size_t out,
            std::span<const double> bias, const QuantParams& input);

  [[nodiscard]] std::size_t inputs() const noexcept { return in_; }
  [[nodiscard]] std::size_t outputs() const noexcept { return out_; }
  [[nodiscard]] const QuantParams& input_params() const noexcept { return input_; }
  /// Row length of weight_codes(): inputs() rounded up to a multiple of 16, zero padded.
  [[nodiscard]] std::size_t padded_inputs() const noexcept { return pad_; }
  /// Quantized weights, out x padded_inputs() row-major, and the per-output scales.
  [[nodiscard]] const std::vector<std::int8_t>& weight_codes() const noexcept { return w_; }
  [[nodiscard]] const std::vector<double>& weight_scales() const noexcept { return w_scale_; }

  /// Quantizes one input row to int8 codes (`codes` has inputs() entries).
  void quantize_input(std::span<const double> x, std::span<std::int8_t> codes) const;
  /// Outputs of one quantized row (`y` has outputs() entries).
  void apply(std::span<const std::int8_t> codes, std::span<double> y) const;
  /// Outputs of a block of rows: quantizes `x` (rows x inputs(), one kernel call when the input
  /// range is per tensor) into `codes` and writes rows x outputs() to `y`.
  void forward(MatrixView<const double> x, std::vector<std::int8_t>& codes,
               MatrixView<double> y) const;

 private:
  std::size_t in_ = 0;
  std::size_t pad_ = 0;
  std::size_t out_ = 0;
  QuantParams input_;
  std::vector<double> in_scale_;  // per input column, zero points too
  std::vector<double> in_zero_;
  std::vector<std::int8_t> w_;
  std::vector<double> w_scale_;
  std::vector<std::int32_t> zero_term_;  // Σ_j z_j w_oj
  std::vector<double> bias_;
};

/// Int8 inference for a fitted linear model: the decision function as one Int8Dense layer.
/// predict / predict_proba follow the float model (argmax or the sign for two classes; the
/// sigmoid, softmax or normalised one-vs-rest sigmoids of logistic regression).
class QuantizedLinearModel {
 public:
  /// @param calibration rows whose feature range calibrates the input quantization
  /// @throws NotFitted, ShapeMismatch, InvalidArgument, ConfigError
  QuantizedLinearModel(const training::LinearClassifierBase& model,
                       MatrixView<const double> calibration, Int8InferenceConfig config = {});
  QuantizedLinearModel(const training::LinearRegressorBase& model,
                       MatrixView<const double> calibration, Int8InferenceConfig config = {});

  [[nodiscard]] bool is_classifier() const noexcept { return classifier_; }
  [[nodiscard]] const Int8Dense& layer() const noexcept { return layer_; }
  /// n x 1 (regressors, binary) or n x n_classes scores.
  [[nodiscard]] Matrix<double> decision_function(MatrixView<const double> x) const;
  [[nodiscard]] std::vector<double> predict(MatrixView<const double> x) const;
  /// @throws UnsupportedError unless the model is a logistic regression
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x) const;
  /// Threads used by the row loops.
  QuantizedLinearModel& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 private:
  Int8Dense layer_;
  bool classifier_ = false;
  bool has_proba_ = false;
  bool multinomial_ = false;
  std::size_t n_classes_ = 0;
  Context context_;
};

/// Int8 inference for a fitted perceptron: each layer an Int8Dense whose input range is
/// calibrated on the float network's activations for the calibration rows; activations are
/// applied in float between layers.
class QuantizedMlp {
 public:
  QuantizedMlp(const training::MlpClassifier& model, MatrixView<const double> calibration,
               Int8InferenceConfig config = {});
  QuantizedMlp(const training::MlpRegressor& model, MatrixView<const double> calibration,
               Int8InferenceConfig config = {});

  [[nodiscard]] bool is_classifier() const noexcept { return classifier_; }
  [[nodiscard]] const std::vector<Int8Dense>& layers() const noexcept { return layers_; }
  [[nodiscard]] std::vector<double> predict(MatrixView<const double> x) const;
  /// @throws UnsupportedError for a regressor
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x) const;
  QuantizedMlp& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 private:
  void init(const std::vector<std::size_t>& sizes, const std::vector<std::vector<double>>& coefs,
            const std::vector<std::vector<double>>& intercepts,
            MatrixView<const double> calibration, const Int8InferenceConfig& config);
  /// Raw network outputs (before the output function).
  [[nodiscard]] Matrix<double> outputs(MatrixView<const double> x) const;

  std::vector<Int8Dense> layers_;
  int activation_ = 0;  // training::MlpActivation
  bool classifier_ = false;
  std::size_t n_classes_ = 0;
  Context context_;
};

struct QuantizedTreeConfig {
  static constexpr std::string_view kName = "QuantizedTreeConfig";
  QuantType type = QuantType::kUint8;  ///< int8, uint8 or int16 feature codes
  static constexpr auto fields() {
    return std::tuple{
        config::field("type", &QuantizedTreeConfig::type).doc("int8, uint8 or int16")};
  }
  void check() const;
  friend bool operator==(const QuantizedTreeConfig&, const QuantizedTreeConfig&) = default;
};

/// Tree-ensemble inference on integer feature codes. Each feature column is quantized
/// asymmetrically over the range of the calibration rows and the ensemble's thresholds on it,
/// code(x) = clamp(round(x · (1/s)) + z); each threshold t becomes code(t) and a row goes left when
/// code(x) <= code(t). Since code() is non-decreasing, x <= t implies code(x) <= code(t): a row
/// left of a split in float is left in codes. A row right of a split (x > t) goes left in codes
/// only when code(x) = code(t), that is when x lies in the quantisation step of t, x − t <= s.
/// So every decision is identical except for values within one step s of a threshold (beyond
/// the calibrated range, values clip to the end codes and keep the decisions of the range's
/// ends). NaN is rejected: the code space has no missing value.
class QuantizedTreeEnsemble {
 public:
  using Config = QuantizedTreeConfig;
  /// One split of the flattened ensemble in 8 bytes (a third of a float node); the right child
  /// is `left + 1`. A leaf has feature -1 and `left` indexes its values.
  struct Node {
    std::int32_t left = -1;
    std::int16_t feature = -1;
    std::int16_t code = 0;  ///< threshold code
  };

  QuantizedTreeEnsemble(const training::ForestClassifier<false>& model,
                        MatrixView<const double> calibration, Config config = {});
  QuantizedTreeEnsemble(const training::ForestClassifier<true>& model,
                        MatrixView<const double> calibration, Config config = {});
  QuantizedTreeEnsemble(const training::ForestRegressor<false>& model,
                        MatrixView<const double> calibration, Config config = {});
  QuantizedTreeEnsemble(const training::ForestRegressor<true>& model,
                        MatrixView<const double> calibration, Config config = {});
  QuantizedTreeEnsemble(const training::Gbdt& model, MatrixView<const double> calibration,
                        Config config = {});

  [[nodiscard]] bool is_classifier() const noexcept { return classifier_; }
  /// Per-column parameters of the feature codes.
  [[nodiscard]] const QuantParams& feature_params() const noexcept { return features_; }
  [[nodiscard]] const std::vector<Node>& nodes() const noexcept { return nodes_; }
  /// The float threshold each node was built from (parallel to nodes()).
  [[nodiscard]] const std::vector<double>& thresholds() const noexcept { return thresholds_; }
  /// Feature codes of rows (n x n_features, row-major, as int32).
  [[nodiscard]] std::vector<std::int32_t> codes(MatrixView<const double> x) const;

  [[nodiscard]] std::vector<double> predict(MatrixView<const double> x) const;
  /// @throws UnsupportedError for a regressor
  [[nodiscard]] Matrix<double> predict_proba(MatrixView<const double> x) const;
  QuantizedTreeEnsemble& set_context(const Context& context) noexcept {
    context_ = context;
    return *this;
  }

 private:
  enum class Kind {
    kForestClassifier,
    kForestRegressor,
    kGbdtRegressor,
    kGbdtBinary,
    kGbdtSoftmax
  };
  template <class Forest>
  void init_forest(const Forest& model, MatrixView<const double> calibration, bool classifier);
  void finish(MatrixView<const double> calibration, std::size_t n_features);
  /// Sums of the leaf values over trees, n x n_values (before averaging / the link).
  [[nodiscard]] Matrix<double> accumulate(MatrixView<const double> x) const;
  template <class Code>
  void walk(MatrixView<const double> x, Matrix<double>& out) const;

  Config config_;
  Kind kind_ = Kind::kForestRegressor;
  bool classifier_ = false;
  std::size_t n_features_ = 0;
  std::size_t n_values_ = 1;  // values per leaf / outputs
  std::vector<std::uint32_t> roots_;
  std::vector<std::uint32_t> tree_output_;  // output each tree adds to (GBDT)
  std::vector<Node> nodes_;
  std::vector<double> thresholds_;
  std::vector<double> leaf_values_;
  std::vector<double> base_score_;
  QuantParams features_;
  std::vector<double> inv_scale_;  // 1 / scale per column: one multiply per feature
  Context context_;
};

}  // namespace kolosal::quantization
