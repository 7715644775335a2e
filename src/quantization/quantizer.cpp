// SPDX-License-Identifier: MIT
// Calibration (min-max, percentile, KL entropy), parameter derivation, and the quantize /
// dequantize loops over the per-ISA kernels.
#include "kolosal/quantization/quantizer.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/precision/half.hpp"

#include "simd/lowp.hpp"

namespace kolosal::quantization {
namespace {

void require_finite(std::span<const double> samples, const char* who) {
  KOLOSAL_CHECK(!samples.empty(), InvalidArgument, who, ": no samples");
  for (double v : samples) {
    KOLOSAL_CHECK(std::isfinite(v), InvalidArgument, who, ": samples must be finite, got ", v);
  }
}

/// KL(P‖Q) of two histograms normalised here; Q is smoothed where it is zero and P is not, as
/// calibrators do (a zero there would make the divergence infinite for an otherwise fine Q).
double kl_divergence(std::vector<double> p, std::vector<double> q) {
  constexpr double kEps = 1e-4;
  auto normalise = [](std::vector<double>& h) {
    double total = 0.0;
    for (double v : h) total += v;
    if (total > 0.0) {
      for (double& v : h) v /= total;
    }
  };
  normalise(p);
  normalise(q);
  std::size_t zeros = 0;
  for (std::size_t i = 0; i < q.size(); ++i) zeros += (q[i] == 0.0 && p[i] > 0.0) ? 1 : 0;
  if (zeros > 0) {
    const std::size_t nonzero =
        q.size() - static_cast<std::size_t>(std::count(q.begin(), q.end(), 0.0));
    const double take =
        nonzero > 0 ? kEps * static_cast<double>(zeros) / static_cast<double>(nonzero) : 0.0;
    for (std::size_t i = 0; i < q.size(); ++i) {
      if (q[i] == 0.0) {
        if (p[i] > 0.0) q[i] = kEps;
      } else {
        q[i] = std::max(q[i] - take, kEps * 1e-3);
      }
    }
  }
  double kl = 0.0;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i] > 0.0) kl += p[i] * std::log(p[i] / q[i]);
  }
  return kl;
}

template <class T>
std::vector<double> channel_values(const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& x,
                                   Granularity g, Eigen::Index c) {
  std::vector<double> out;
  if (g == Granularity::kPerTensor) {
    out.assign(x.data(), x.data() + x.size());
  } else if (g == Granularity::kPerColumn) {
    out.assign(x.col(c).data(), x.col(c).data() + x.rows());
  } else {
    out.resize(static_cast<std::size_t>(x.cols()));
    for (Eigen::Index j = 0; j < x.cols(); ++j) out[static_cast<std::size_t>(j)] = x(c, j);
  }
  return out;
}

std::size_t channel_count(Granularity g, Eigen::Index rows, Eigen::Index cols) {
  switch (g) {
    case Granularity::kPerRow:
      return static_cast<std::size_t>(rows);
    case Granularity::kPerColumn:
      return static_cast<std::size_t>(cols);
    case Granularity::kPerTensor:
      break;
  }
  return 1;
}

template <class T>
QuantParams calibrate_impl(const QuantizationConfig& config,
                           const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& samples) {
  KOLOSAL_CHECK(samples.size() > 0, InvalidArgument, "Quantizer::calibrate: no samples");
  QuantParams params;
  params.type = config.type;
  params.scheme = config.scheme;
  params.granularity = config.granularity;
  if (!is_integer(config.type)) return params;
  const std::size_t channels = channel_count(config.granularity, samples.rows(), samples.cols());
  const auto [qmin, qmax] = code_range(config.type, config.scheme);
  for (std::size_t c = 0; c < channels; ++c) {
    const auto values = channel_values(samples, config.granularity, static_cast<Eigen::Index>(c));
    require_finite(values, "Quantizer::calibrate");
    Range r;
    switch (config.calibration) {
      case Calibration::kMinMax:
        r = calibrate_min_max(values);
        break;
      case Calibration::kPercentile:
        r = calibrate_percentile(values, config.percentile, config.scheme);
        break;
      case Calibration::kEntropy:
        // Levels on one side of zero: 128 for INT8 (TensorRT), half the codes in general.
        r = calibrate_entropy(values, config.histogram_bins, (qmax - qmin) / 2 + 1);
        break;
    }
    const auto [scale, zero] = QuantParams::from_range(config.type, config.scheme, r.lo, r.hi);
    params.scale.push_back(scale);
    params.zero_point.push_back(zero);
  }
  return params;
}

void check_params(const QuantParams& p, std::size_t rows, std::size_t cols, const char* who) {
  if (!is_integer(p.type)) return;
  const std::size_t want = p.granularity == Granularity::kPerRow      ? rows
                           : p.granularity == Granularity::kPerColumn ? cols
                                                                      : 1;
  KOLOSAL_CHECK(p.scale.size() == want && p.zero_point.size() == want, ShapeMismatch, who,
                ": parameters have ", p.scale.size(), " channels but a ", rows, " x ", cols,
                " matrix needs ", want, " (", config::enum_name(p.granularity), ")");
}

template <class T, class Code>
void quantize_codes(const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& x, const QuantParams& p,
                    std::vector<Code>& out, simd::detail::QuantizeFn<T, Code> kernel) {
  const auto [qmin, qmax] = code_range(p.type, p.scheme);
  const auto rows = static_cast<std::size_t>(x.rows());
  const auto cols = static_cast<std::size_t>(x.cols());
  out.resize(rows * cols);
  const T lo = static_cast<T>(qmin);
  const T hi = static_cast<T>(qmax);
  if (p.granularity == Granularity::kPerRow) {
    // Channels run across the contiguous columns: gather each row, quantize, scatter.
    std::vector<T> row(cols);
    std::vector<Code> codes(cols);
    for (std::size_t r = 0; r < rows; ++r) {
      for (std::size_t j = 0; j < cols; ++j)
        row[j] = x(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j));
      kernel(row.data(), cols, static_cast<T>(p.scale[r]), static_cast<T>(p.zero_point[r]), lo, hi,
             codes.data());
      for (std::size_t j = 0; j < cols; ++j) out[j * rows + r] = codes[j];
    }
    return;
  }
  const bool per_column = p.granularity == Granularity::kPerColumn;
  const std::size_t run = per_column ? rows : rows * cols;
  for (std::size_t c = 0; c * run < rows * cols; ++c) {
    const std::size_t k = per_column ? c : 0;
    kernel(x.data() + c * run, run, static_cast<T>(p.scale[k]), static_cast<T>(p.zero_point[k]), lo,
           hi, out.data() + c * run);
  }
}

template <class T, class Code>
void dequantize_codes(const QuantizedMatrix& q, const std::vector<Code>& codes,
                      Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& out,
                      simd::detail::DequantizeFn<T, Code> kernel) {
  const QuantParams& p = q.params;
  const std::size_t rows = q.rows;
  const std::size_t cols = q.cols;
  if (p.granularity == Granularity::kPerRow) {
    for (std::size_t j = 0; j < cols; ++j) {
      for (std::size_t r = 0; r < rows; ++r) {
        out(static_cast<Eigen::Index>(r), static_cast<Eigen::Index>(j)) =
            (static_cast<T>(codes[j * rows + r]) - static_cast<T>(p.zero_point[r])) *
            static_cast<T>(p.scale[r]);
      }
    }
    return;
  }
  const bool per_column = p.granularity == Granularity::kPerColumn;
  const std::size_t run = per_column ? rows : rows * cols;
  for (std::size_t c = 0; c * run < rows * cols; ++c) {
    const std::size_t k = per_column ? c : 0;
    kernel(codes.data() + c * run, run, static_cast<T>(p.scale[k]), static_cast<T>(p.zero_point[k]),
           out.data() + c * run);
  }
}

template <class T>
QuantizedMatrix quantize_impl(const Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic>& x,
                              const QuantParams& p) {
  const auto rows = static_cast<std::size_t>(x.rows());
  const auto cols = static_cast<std::size_t>(x.cols());
  check_params(p, rows, cols, "Quantizer::quantize");
  KOLOSAL_CHECK(!x.hasNaN(), InvalidArgument, "Quantizer::quantize: x holds NaN");
  QuantizedMatrix q;
  q.params = p;
  q.rows = rows;
  q.cols = cols;
  const auto& k = [] {
    if constexpr (std::is_same_v<T, float>) {
      return simd::detail::lowp().f32;
    } else {
      return simd::detail::lowp().f64;
    }
  }();
  switch (p.type) {
    case QuantType::kInt8:
      quantize_codes<T>(x, p, q.i8, k.quantize_i8);
      break;
    case QuantType::kUint8:
      quantize_codes<T>(x, p, q.u8, k.quantize_u8);
      break;
    case QuantType::kInt16:
      quantize_codes<T>(x, p, q.i16, k.quantize_i16);
      break;
    case QuantType::kFp16:
    case QuantType::kBf16: {
      q.half.resize(rows * cols);
      const bool fp16 = p.type == QuantType::kFp16;
      if constexpr (std::is_same_v<T, float>) {
        const std::span<const float> in(x.data(), rows * cols);
        fp16 ? precision::float_to_fp16(in, q.half) : precision::float_to_bf16(in, q.half);
      } else {
        for (std::size_t i = 0; i < rows * cols; ++i) {
          q.half[i] = fp16 ? precision::double_to_fp16(x.data()[i])
                           : precision::double_to_bf16(x.data()[i]);
        }
      }
      break;
    }
  }
  return q;
}

template <class T>
Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> dequantize_impl(const QuantizedMatrix& q) {
  const std::size_t n = q.rows * q.cols;
  check_params(q.params, q.rows, q.cols, "Quantizer::dequantize");
  const std::size_t held = q.params.type == QuantType::kInt8    ? q.i8.size()
                           : q.params.type == QuantType::kUint8 ? q.u8.size()
                           : q.params.type == QuantType::kInt16 ? q.i16.size()
                                                                : q.half.size();
  KOLOSAL_CHECK(held == n, InvalidArgument, "Quantizer::dequantize: ", held, " codes of type ",
                config::enum_name(q.params.type), " for a ", q.rows, " x ", q.cols, " matrix");
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic> out(static_cast<Eigen::Index>(q.rows),
                                                       static_cast<Eigen::Index>(q.cols));
  const auto& k = [] {
    if constexpr (std::is_same_v<T, float>) {
      return simd::detail::lowp().f32;
    } else {
      return simd::detail::lowp().f64;
    }
  }();
  switch (q.params.type) {
    case QuantType::kInt8:
      dequantize_codes<T>(q, q.i8, out, k.dequantize_i8);
      break;
    case QuantType::kUint8:
      dequantize_codes<T>(q, q.u8, out, k.dequantize_u8);
      break;
    case QuantType::kInt16:
      dequantize_codes<T>(q, q.i16, out, k.dequantize_i16);
      break;
    case QuantType::kFp16:
    case QuantType::kBf16: {
      const bool fp16 = q.params.type == QuantType::kFp16;
      if constexpr (std::is_same_v<T, float>) {
        const std::span<float> o(out.data(), n);
        fp16 ? precision::fp16_to_float(q.half, o) : precision::bf16_to_float(q.half, o);
      } else {
        for (std::size_t i = 0; i < n; ++i) {
          out.data()[i] =
              fp16 ? precision::fp16_to_double(q.half[i]) : precision::bf16_to_double(q.half[i]);
        }
      }
      break;
    }
  }
  return out;
}

}  // namespace

std::pair<int, int> code_range(QuantType type, Scheme scheme) noexcept {
  const bool sym = scheme == Scheme::kSymmetric;
  switch (type) {
    case QuantType::kInt8:
      return {sym ? -127 : -128, 127};
    case QuantType::kUint8:
      return {sym ? 1 : 0, 255};
    case QuantType::kInt16:
      return {sym ? -32767 : -32768, 32767};
    case QuantType::kFp16:
    case QuantType::kBf16:
      break;
  }
  return {0, 0};
}

std::pair<double, double> QuantParams::from_range(QuantType type, Scheme scheme, double lo,
                                                  double hi) {
  KOLOSAL_CHECK(std::isfinite(lo) && std::isfinite(hi) && lo <= hi, InvalidArgument,
                "QuantParams::from_range: need finite lo <= hi, got [", lo, ", ", hi, "]");
  KOLOSAL_CHECK(is_integer(type), InvalidArgument,
                "QuantParams::from_range: ", config::enum_name(type), " has no scale");
  const auto [qmin, qmax] = code_range(type, scheme);
  if (scheme == Scheme::kSymmetric) {
    // Symmetric codes [-m, m] around the centre; unsigned types centre at 128.
    const double centre = type == QuantType::kUint8 ? 128.0 : 0.0;
    const double m = static_cast<double>(qmax) - centre;
    const double amax = std::max(std::abs(lo), std::abs(hi));
    return {amax > 0.0 ? amax / m : 1.0, centre};
  }
  // The range always covers 0 so that zero (padding, ReLU output) is exact.
  const double a = std::min(lo, 0.0);
  const double b = std::max(hi, 0.0);
  const double levels = static_cast<double>(qmax - qmin);
  const double scale = b > a ? (b - a) / levels : 1.0;
  double zero = static_cast<double>(qmin) - std::nearbyint(a / scale);
  zero = std::clamp(zero, static_cast<double>(qmin), static_cast<double>(qmax));
  return {scale, zero};
}

std::pair<double, double> QuantParams::representable(std::size_t c) const {
  KOLOSAL_CHECK(c < scale.size(), InvalidArgument, "QuantParams::representable: channel ", c,
                " of ", scale.size());
  const auto [qmin, qmax] = code_range(type, scheme);
  return {scale[c] * (qmin - zero_point[c]), scale[c] * (qmax - zero_point[c])};
}

nlohmann::json to_json(const QuantParams& params) {
  return {{"type", config::enum_name(params.type)},
          {"scheme", config::enum_name(params.scheme)},
          {"granularity", config::enum_name(params.granularity)},
          {"scale", params.scale},
          {"zero_point", params.zero_point}};
}

QuantParams params_from_json(const nlohmann::json& json) {
  constexpr const char* kWho = "quantization::params_from_json";
  QuantParams p;
  try {
    p.type = config::parse_enum<QuantType>(json.at("type").get<std::string>(), kWho);
    p.scheme = config::parse_enum<Scheme>(json.at("scheme").get<std::string>(), kWho);
    p.granularity =
        config::parse_enum<Granularity>(json.at("granularity").get<std::string>(), kWho);
    p.scale = json.at("scale").get<std::vector<double>>();
    p.zero_point = json.at("zero_point").get<std::vector<double>>();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, kWho, ": ", e.what());
  } catch (const ConfigError& e) {
    KOLOSAL_THROW(SerializationError, e.what());
  }
  KOLOSAL_CHECK(p.scale.size() == p.zero_point.size(), SerializationError, kWho, ": ",
                p.scale.size(), " scales but ", p.zero_point.size(), " zero points");
  KOLOSAL_CHECK(is_integer(p.type) || p.scale.empty(), SerializationError, kWho, ": ",
                config::enum_name(p.type), " takes no scales");
  KOLOSAL_CHECK(
      !is_integer(p.type) || p.granularity != Granularity::kPerTensor || p.scale.size() == 1,
      SerializationError, kWho, ": per_tensor needs one scale, got ", p.scale.size());
  const auto [qmin, qmax] = code_range(p.type, p.scheme);
  for (std::size_t c = 0; c < p.scale.size(); ++c) {
    KOLOSAL_CHECK(std::isfinite(p.scale[c]) && p.scale[c] > 0.0, SerializationError, kWho,
                  ": scale[", c, "] must be positive, got ", p.scale[c]);
    const double z = p.zero_point[c];
    KOLOSAL_CHECK(z == std::nearbyint(z) && z >= qmin && z <= qmax, SerializationError, kWho,
                  ": zero_point[", c, "] = ", z, " is not a code in [", qmin, ", ", qmax, "]");
  }
  return p;
}

Range calibrate_min_max(std::span<const double> samples) {
  require_finite(samples, "calibrate_min_max");
  const auto [lo, hi] = std::minmax_element(samples.begin(), samples.end());
  return {*lo, *hi};
}

double percentile(std::span<const double> values, double p) {
  KOLOSAL_CHECK(!values.empty(), InvalidArgument, "percentile: no values");
  KOLOSAL_CHECK(p >= 0.0 && p <= 100.0, InvalidArgument, "percentile: p must be in [0, 100], got ",
                p);
  std::vector<double> v(values.begin(), values.end());
  const double pos = p / 100.0 * static_cast<double>(v.size() - 1);
  const auto below = static_cast<std::size_t>(std::floor(pos));
  const std::size_t above = std::min(below + 1, v.size() - 1);
  std::nth_element(v.begin(), v.begin() + static_cast<std::ptrdiff_t>(below), v.end());
  const double a = v[below];
  // The next order statistic is the smallest value above position `below`.
  const double b = above == below
                       ? a
                       : *std::min_element(v.begin() + static_cast<std::ptrdiff_t>(above), v.end());
  return a + (pos - static_cast<double>(below)) * (b - a);
}

Range calibrate_percentile(std::span<const double> samples, double p, Scheme scheme) {
  require_finite(samples, "calibrate_percentile");
  if (scheme == Scheme::kSymmetric) {
    std::vector<double> magnitude(samples.size());
    std::transform(samples.begin(), samples.end(), magnitude.begin(),
                   [](double v) { return std::abs(v); });
    const double t = percentile(magnitude, p);
    return {-t, t};
  }
  return {percentile(samples, 100.0 - p), percentile(samples, p)};
}

// TensorRT's entropy calibration (Migacz, 2017): a histogram of |x| over [0, max|x|]; for each
// candidate threshold i (in bins), P is the first i bins with the clipped tail folded into the
// last, Q merges those i bins into `quant_bins` levels and spreads each level's count evenly over
// the bins that were non-empty; the threshold minimising KL(P‖Q) is kept.
Range calibrate_entropy(std::span<const double> samples, int histogram_bins, int quant_bins) {
  require_finite(samples, "calibrate_entropy");
  KOLOSAL_CHECK(histogram_bins >= 16 && quant_bins >= 2, InvalidArgument,
                "calibrate_entropy: need at least 16 histogram bins and 2 levels, got ",
                histogram_bins, " and ", quant_bins);
  const Range full = calibrate_min_max(samples);
  const double amax = std::max(std::abs(full.lo), std::abs(full.hi));
  if (amax == 0.0) return full;
  const auto bins = static_cast<std::size_t>(histogram_bins);
  const auto levels = static_cast<std::size_t>(quant_bins);
  const double width = amax / static_cast<double>(bins);
  std::vector<double> hist(bins, 0.0);
  for (double v : samples) {
    const auto b = static_cast<std::size_t>(std::abs(v) / width);
    hist[std::min(b, bins - 1)] += 1.0;
  }
  std::size_t best = bins;
  if (levels < bins) {
    double best_kl = std::numeric_limits<double>::infinity();
    double tail = 0.0;  // count beyond the candidate threshold
    for (std::size_t i = bins; i-- > levels;) tail += hist[i];
    for (std::size_t i = levels; i <= bins; ++i) {
      tail -= hist[i - 1];  // now the count in bins [i, bins)
      std::vector<double> p(hist.begin(), hist.begin() + static_cast<std::ptrdiff_t>(i));
      p[i - 1] += tail;
      std::vector<double> q(i, 0.0);
      for (std::size_t g = 0; g < levels; ++g) {
        const std::size_t begin = g * i / levels;
        const std::size_t end = (g + 1) * i / levels;
        double count = 0.0;
        std::size_t nonzero = 0;
        for (std::size_t j = begin; j < end; ++j) {
          count += hist[j];
          nonzero += p[j] > 0.0 ? 1 : 0;
        }
        if (nonzero == 0) continue;
        for (std::size_t j = begin; j < end; ++j) {
          if (p[j] > 0.0) q[j] = count / static_cast<double>(nonzero);
        }
      }
      const double kl = kl_divergence(std::move(p), std::move(q));
      if (kl < best_kl) {
        best_kl = kl;
        best = i;
      }
    }
  }
  const double t = static_cast<double>(best) * width;
  return {std::max(full.lo, -t), std::min(full.hi, t)};
}

Quantizer::Quantizer(Config config) : config_(config) { config::validate(config_, "Quantizer"); }

QuantParams Quantizer::calibrate(const Eigen::MatrixXd& samples) const {
  return calibrate_impl(config_, samples);
}
QuantParams Quantizer::calibrate(const Eigen::MatrixXf& samples) const {
  return calibrate_impl(config_, samples);
}
QuantizedMatrix Quantizer::quantize(const Eigen::MatrixXd& x, const QuantParams& params) {
  return quantize_impl(x, params);
}
QuantizedMatrix Quantizer::quantize(const Eigen::MatrixXf& x, const QuantParams& params) {
  return quantize_impl(x, params);
}
QuantizedMatrix Quantizer::quantize(const Eigen::MatrixXd& x) const {
  return quantize_impl(x, calibrate(x));
}
QuantizedMatrix Quantizer::quantize(const Eigen::MatrixXf& x) const {
  return quantize_impl(x, calibrate(x));
}
Eigen::MatrixXd Quantizer::dequantize(const QuantizedMatrix& q) {
  return dequantize_impl<double>(q);
}
Eigen::MatrixXf Quantizer::dequantize_float(const QuantizedMatrix& q) {
  return dequantize_impl<float>(q);
}

}  // namespace kolosal::quantization

namespace kolosal::config {
template nlohmann::json to_json<quantization::QuantizationConfig>(
    const quantization::QuantizationConfig&);
template quantization::QuantizationConfig from_json<quantization::QuantizationConfig>(
    const nlohmann::json&);
}  // namespace kolosal::config
