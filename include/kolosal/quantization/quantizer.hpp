// SPDX-License-Identifier: MIT
// Affine quantization of Eigen matrices to INT8, UINT8 and INT16 codes (symmetric or with a zero
// point, per tensor or per row / column channel) and storage in FP16 or BF16, with the ranges
// calibrated from samples by min-max, percentile or entropy (KL divergence).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <nlohmann/json_fwd.hpp>

#include "kolosal/core/config.hpp"

namespace kolosal::quantization {

/// Storage type of quantized values.
enum class QuantType {
  kInt8,   ///< codes in [-128, 127] (symmetric: [-127, 127])
  kUint8,  ///< codes in [0, 255] (symmetric: zero point 128, codes [1, 255])
  kInt16,  ///< codes in [-32768, 32767] (symmetric: [-32767, 32767])
  kFp16,   ///< IEEE binary16 bits, no scale
  kBf16,   ///< bfloat16 bits, no scale
};

/// How the real range maps onto the codes.
enum class Scheme {
  kSymmetric,   ///< x = scale·(q − zero) with zero fixed at the type's centre (0 for signed)
  kAsymmetric,  ///< the range [min(lo, 0), max(hi, 0)] spans every code; zero point rounded
};

/// Which values share one scale and zero point.
enum class Granularity {
  kPerTensor,  ///< the whole matrix
  kPerRow,     ///< one channel per row
  kPerColumn,  ///< one channel per column
};

/// How the range of each channel is chosen from samples.
enum class Calibration {
  kMinMax,      ///< the smallest and largest sample
  kPercentile,  ///< symmetric: the `percentile` of |x|; asymmetric: the (100 − p, p) percentiles
  kEntropy,     ///< the |x| threshold minimising KL(P‖Q) between the clipped histogram and its
                ///< quantized version (Migacz, "8-bit Inference with TensorRT", GTC 2017)
};

}  // namespace kolosal::quantization

namespace kolosal::config {
template <>
struct EnumNames<quantization::QuantType> {
  using T = quantization::QuantType;
  static constexpr std::array kValues{std::pair{T::kInt8, "int8"}, std::pair{T::kUint8, "uint8"},
                                      std::pair{T::kInt16, "int16"}, std::pair{T::kFp16, "fp16"},
                                      std::pair{T::kBf16, "bf16"}};
};
template <>
struct EnumNames<quantization::Scheme> {
  using S = quantization::Scheme;
  static constexpr std::array kValues{std::pair{S::kSymmetric, "symmetric"},
                                      std::pair{S::kAsymmetric, "asymmetric"}};
};
template <>
struct EnumNames<quantization::Granularity> {
  using G = quantization::Granularity;
  static constexpr std::array kValues{std::pair{G::kPerTensor, "per_tensor"},
                                      std::pair{G::kPerRow, "per_row"},
                                      std::pair{G::kPerColumn, "per_column"}};
};
template <>
struct EnumNames<quantization::Calibration> {
  using C = quantization::Calibration;
  static constexpr std::array kValues{std::pair{C::kMinMax, "min_max"},
                                      std::pair{C::kPercentile, "percentile"},
                                      std::pair{C::kEntropy, "entropy"}};
};
}  // namespace kolosal::config

namespace kolosal::quantization {

struct QuantizationConfig {
  static constexpr std::string_view kName = "QuantizationConfig";

  QuantType type = QuantType::kInt8;
  Scheme scheme = Scheme::kSymmetric;
  Granularity granularity = Granularity::kPerTensor;
  Calibration calibration = Calibration::kMinMax;
  double percentile = 99.99;  ///< for calibration = percentile, in (50, 100]
  int histogram_bins = 2048;  ///< for calibration = entropy (TensorRT uses 2048)

  static constexpr auto fields() {
    using C = QuantizationConfig;
    return std::tuple{
        config::field("type", &C::type).doc("int8, uint8, int16, fp16 or bf16"),
        config::field("scheme", &C::scheme).doc("symmetric or asymmetric"),
        config::field("granularity", &C::granularity).doc("per_tensor, per_row or per_column"),
        config::field("calibration", &C::calibration).doc("min_max, percentile or entropy"),
        config::field("percentile", &C::percentile)
            .greater_than(50.0)
            .at_most(100.0)
            .doc("percentile kept by percentile calibration"),
        config::field("histogram_bins", &C::histogram_bins)
            .at_least(16)
            .at_most(1 << 20)
            .doc("histogram bins of entropy calibration")};
  }
  friend bool operator==(const QuantizationConfig&, const QuantizationConfig&) = default;
};

/// Smallest and largest code of an integer type under a scheme; (0, 0) for FP16 / BF16.
[[nodiscard]] std::pair<int, int> code_range(QuantType type, Scheme scheme) noexcept;

/// Whether `type` is one of the scaled integer types.
[[nodiscard]] constexpr bool is_integer(QuantType type) noexcept {
  return type == QuantType::kInt8 || type == QuantType::kUint8 || type == QuantType::kInt16;
}

/// The learned mapping: x ≈ scale[c]·(q − zero_point[c]) for channel c. FP16 and BF16 carry no
/// channels. Round-trips through to_json / params_from_json.
struct QuantParams {
  QuantType type = QuantType::kInt8;
  Scheme scheme = Scheme::kSymmetric;
  Granularity granularity = Granularity::kPerTensor;
  std::vector<double> scale;       ///< one per channel, > 0
  std::vector<double> zero_point;  ///< one per channel, an integer inside the code range

  /// Parameters of one channel from its real range [lo, hi] (lo <= hi, both finite).
  /// @throws InvalidArgument
  [[nodiscard]] static std::pair<double, double> from_range(QuantType type, Scheme scheme,
                                                            double lo, double hi);
  /// The real interval the codes of channel `c` represent: [scale·(qmin − z), scale·(qmax − z)].
  [[nodiscard]] std::pair<double, double> representable(std::size_t c) const;
  friend bool operator==(const QuantParams&, const QuantParams&) = default;
};

[[nodiscard]] nlohmann::json to_json(const QuantParams& params);
/// @throws SerializationError for a malformed or inconsistent object
[[nodiscard]] QuantParams params_from_json(const nlohmann::json& json);

/// A quantized matrix: codes in Eigen's column-major order, of the element type params.type
/// names (int8, uint8, int16, or the uint16 bits of FP16 / BF16).
struct QuantizedMatrix {
  QuantParams params;
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<std::int8_t> i8;
  std::vector<std::uint8_t> u8;
  std::vector<std::int16_t> i16;
  std::vector<std::uint16_t> half;  ///< FP16 or BF16 bits

  /// Bytes held by the codes.
  [[nodiscard]] std::size_t bytes() const noexcept {
    return i8.size() + u8.size() + 2 * (i16.size() + half.size());
  }
};

/// Range of one channel chosen by calibration.
struct Range {
  double lo = 0.0;
  double hi = 0.0;
};

// Calibration of one channel from its samples (finite values, at least one). Each returns the
// range the scheme then maps onto the codes.

/// [min, max].
[[nodiscard]] Range calibrate_min_max(std::span<const double> samples);
/// Symmetric: [−t, t] with t the p-th percentile of |x|; asymmetric: the (100 − p)-th and p-th
/// percentiles of x. Percentiles interpolate linearly between order statistics (numpy's default).
[[nodiscard]] Range calibrate_percentile(std::span<const double> samples, double p, Scheme scheme);
/// The KL-optimal clipping threshold t of |x| (TensorRT's entropy calibration), as [−t, t]
/// intersected with [min, max]. `quant_bins` is the number of quantized levels on one side (128
/// for INT8).
[[nodiscard]] Range calibrate_entropy(std::span<const double> samples, int histogram_bins,
                                      int quant_bins);

/// The p-th percentile (0..100) of `values` with linear interpolation. @throws InvalidArgument
[[nodiscard]] double percentile(std::span<const double> values, double p);

/// Calibrates, quantizes and dequantizes Eigen matrices under one QuantizationConfig.
class Quantizer {
 public:
  using Config = QuantizationConfig;

  /// @throws ConfigError for an invalid config
  explicit Quantizer(Config config = {});

  [[nodiscard]] const Config& config() const noexcept { return config_; }

  /// Parameters for matrices shaped like `samples` (the channel count follows the granularity).
  /// @throws InvalidArgument (empty, NaN or infinite samples)
  [[nodiscard]] QuantParams calibrate(const Eigen::MatrixXd& samples) const;
  [[nodiscard]] QuantParams calibrate(const Eigen::MatrixXf& samples) const;

  /// Codes of `x` under `params`; values outside a channel's range are clipped to its end
  /// codes. @throws ShapeMismatch (channel count), InvalidArgument (NaN)
  [[nodiscard]] static QuantizedMatrix quantize(const Eigen::MatrixXd& x,
                                                const QuantParams& params);
  [[nodiscard]] static QuantizedMatrix quantize(const Eigen::MatrixXf& x,
                                                const QuantParams& params);
  /// calibrate(x) then quantize(x, ...).
  [[nodiscard]] QuantizedMatrix quantize(const Eigen::MatrixXd& x) const;
  [[nodiscard]] QuantizedMatrix quantize(const Eigen::MatrixXf& x) const;

  /// Real values of the codes. @throws InvalidArgument for an inconsistent QuantizedMatrix
  [[nodiscard]] static Eigen::MatrixXd dequantize(const QuantizedMatrix& q);
  [[nodiscard]] static Eigen::MatrixXf dequantize_float(const QuantizedMatrix& q);

 private:
  Config config_;
};

}  // namespace kolosal::quantization
