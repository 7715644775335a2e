// SPDX-License-Identifier: MIT
// Tests of the Quantizer: error bounds of every scheme, clipping, round trips of every format,
// per-channel against per-tensor, calibration on known distributions, JSON round trips.
#include "kolosal/quantization/quantizer.hpp"

#include <random>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/simd.hpp"
#include "kolosal/precision/half.hpp"

#include "test_util.hpp"

namespace {

namespace q = kolosal::quantization;
using q::Granularity;
using q::QuantType;
using q::Scheme;

/// 40 x 6 values whose columns live on very different scales, one column all positive.
Eigen::MatrixXd sample_matrix(unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<double> normal;
  Eigen::MatrixXd m(40, 6);
  const double scales[] = {1e-3, 0.5, 1.0, 20.0, 1e3, 3.0};
  for (Eigen::Index j = 0; j < m.cols(); ++j) {
    for (Eigen::Index i = 0; i < m.rows(); ++i) m(i, j) = scales[j] * normal(gen);
  }
  m.col(5) = m.col(5).cwiseAbs().array() + 2.0;
  return m;
}

std::size_t channel_of(Granularity g, Eigen::Index i, Eigen::Index j) {
  if (g == Granularity::kPerRow) return static_cast<std::size_t>(i);
  if (g == Granularity::kPerColumn) return static_cast<std::size_t>(j);
  return 0;
}

}  // namespace

TEST_CASE("Quantizer: config JSON round trip and validation", "[quantization]") {
  q::QuantizationConfig c;
  c.type = QuantType::kUint8;
  c.scheme = Scheme::kAsymmetric;
  c.granularity = Granularity::kPerColumn;
  c.calibration = q::Calibration::kEntropy;
  c.percentile = 99.5;
  c.histogram_bins = 1024;
  const auto json = kolosal::config::to_json(c);
  CHECK(json.at("type") == "uint8");
  CHECK(json.at("calibration") == "entropy");
  CHECK(kolosal::config::from_json<q::QuantizationConfig>(json) == c);
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<q::QuantizationConfig>({{"type", "int4"}});
      },
      "int4");
  q::QuantizationConfig bad;
  bad.percentile = 30.0;
  kolosal::test::expect_error<kolosal::ConfigError>([&] { q::Quantizer{bad}; }, "percentile");
}

TEST_CASE("Quantizer: code ranges and parameters from a range", "[quantization]") {
  CHECK(q::code_range(QuantType::kInt8, Scheme::kSymmetric) == std::pair{-127, 127});
  CHECK(q::code_range(QuantType::kInt8, Scheme::kAsymmetric) == std::pair{-128, 127});
  CHECK(q::code_range(QuantType::kUint8, Scheme::kAsymmetric) == std::pair{0, 255});
  CHECK(q::code_range(QuantType::kInt16, Scheme::kSymmetric) == std::pair{-32767, 32767});
  // Symmetric int8 over [-2, 1]: scale = 2 / 127, zero 0.
  auto [s, z] = q::QuantParams::from_range(QuantType::kInt8, Scheme::kSymmetric, -2.0, 1.0);
  CHECK(s == Approx(2.0 / 127.0));
  CHECK(z == 0.0);
  // Symmetric uint8 centres at 128.
  std::tie(s, z) = q::QuantParams::from_range(QuantType::kUint8, Scheme::kSymmetric, -1.0, 1.0);
  CHECK(s == Approx(1.0 / 127.0));
  CHECK(z == 128.0);
  // Asymmetric uint8 over [0, 255]: scale 1, zero 0; over [-1, 3]: scale 4 / 255, zero 64.
  std::tie(s, z) = q::QuantParams::from_range(QuantType::kUint8, Scheme::kAsymmetric, 0.0, 255.0);
  CHECK(s == 1.0);
  CHECK(z == 0.0);
  std::tie(s, z) = q::QuantParams::from_range(QuantType::kUint8, Scheme::kAsymmetric, -1.0, 3.0);
  CHECK(s == Approx(4.0 / 255.0));
  CHECK(z == 64.0);
  // A range that excludes zero is widened to contain it: [2, 4] -> [0, 4].
  std::tie(s, z) = q::QuantParams::from_range(QuantType::kInt8, Scheme::kAsymmetric, 2.0, 4.0);
  CHECK(s == Approx(4.0 / 255.0));
  CHECK(z == -128.0);
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [] { (void)q::QuantParams::from_range(QuantType::kInt8, Scheme::kSymmetric, 1.0, -1.0); },
      "lo <= hi");
}

TEST_CASE("Quantizer: error within scale / 2 inside the range, clipping outside",
          "[quantization]") {
  const Eigen::MatrixXd x = sample_matrix(3);
  for (QuantType type : {QuantType::kInt8, QuantType::kUint8, QuantType::kInt16}) {
    for (Scheme scheme : {Scheme::kSymmetric, Scheme::kAsymmetric}) {
      for (Granularity g :
           {Granularity::kPerTensor, Granularity::kPerRow, Granularity::kPerColumn}) {
        INFO(kolosal::config::enum_name(type)
             << " " << kolosal::config::enum_name(scheme) << " " << kolosal::config::enum_name(g));
        q::QuantizationConfig c;
        c.type = type;
        c.scheme = scheme;
        c.granularity = g;
        const q::Quantizer quantizer(c);
        const q::QuantParams params = quantizer.calibrate(x);
        const q::QuantizedMatrix codes = q::Quantizer::quantize(x, params);
        const Eigen::MatrixXd back = q::Quantizer::dequantize(codes);
        const auto [qmin, qmax] = q::code_range(type, scheme);
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
          for (Eigen::Index j = 0; j < x.cols(); ++j) {
            const std::size_t ch = channel_of(g, i, j);
            const double scale = params.scale[ch];
            REQUIRE(std::abs(x(i, j) - back(i, j)) <= scale / 2 * (1 + 1e-9));
          }
        }
        // Values far beyond every channel's range clip to its end codes exactly.
        const Eigen::MatrixXd far = x * 1e4;
        const Eigen::MatrixXd clipped =
            q::Quantizer::dequantize(q::Quantizer::quantize(far, params));
        for (Eigen::Index i = 0; i < x.rows(); ++i) {
          for (Eigen::Index j = 0; j < x.cols(); ++j) {
            const auto [lo, hi] = params.representable(channel_of(g, i, j));
            if (far(i, j) > hi) REQUIRE(clipped(i, j) == Approx(hi).epsilon(1e-12));
            if (far(i, j) < lo) REQUIRE(clipped(i, j) == Approx(lo).epsilon(1e-12));
          }
        }
        // The codes lie in the scheme's range.
        for (std::int8_t v : codes.i8) REQUIRE((v >= qmin && v <= qmax));
        for (std::uint8_t v : codes.u8) REQUIRE((v >= qmin && v <= qmax));
        for (std::int16_t v : codes.i16) REQUIRE((v >= qmin && v <= qmax));
        CHECK(codes.bytes() ==
              static_cast<std::size_t>(x.size()) * (type == QuantType::kInt16 ? 2 : 1));
      }
    }
  }
}

TEST_CASE("Quantizer: per-channel scales track each column, per-tensor does not",
          "[quantization]") {
  const Eigen::MatrixXd x = sample_matrix(5);
  q::QuantizationConfig c;
  c.granularity = Granularity::kPerColumn;
  const q::QuantParams col = q::Quantizer(c).calibrate(x);
  c.granularity = Granularity::kPerTensor;
  const q::QuantParams all = q::Quantizer(c).calibrate(x);
  REQUIRE(col.scale.size() == 6);
  REQUIRE(all.scale.size() == 1);
  // One tensor scale is set by the 1e3 column; it is the largest column scale.
  CHECK(all.scale[0] == Approx(*std::max_element(col.scale.begin(), col.scale.end())));
  const Eigen::MatrixXd by_col = q::Quantizer::dequantize(q::Quantizer::quantize(x, col));
  const Eigen::MatrixXd by_all = q::Quantizer::dequantize(q::Quantizer::quantize(x, all));
  // The 1e-3 column: per column keeps ~1% error; per tensor rounds it all to zero.
  const double err_col = (x.col(0) - by_col.col(0)).cwiseAbs().maxCoeff();
  const double err_all = (x.col(0) - by_all.col(0)).cwiseAbs().maxCoeff();
  CHECK(err_col <= col.scale[0] / 2 * (1 + 1e-9));
  CHECK(by_all.col(0).isZero());
  CHECK(err_all > 100 * err_col);
}

TEST_CASE("Quantizer: FP16 and BF16 round trips store each value at that precision",
          "[quantization]") {
  const Eigen::MatrixXd xd = sample_matrix(9);
  const Eigen::MatrixXf xf = xd.cast<float>();
  for (QuantType type : {QuantType::kFp16, QuantType::kBf16}) {
    q::QuantizationConfig c;
    c.type = type;
    const q::Quantizer quantizer(c);
    const auto p = type == QuantType::kFp16 ? kolosal::precision::Precision::kFp16
                                            : kolosal::precision::Precision::kBf16;
    const q::QuantizedMatrix codes = quantizer.quantize(xf);
    CHECK(codes.params.scale.empty());
    CHECK(codes.bytes() == static_cast<std::size_t>(xf.size()) * 2);
    const Eigen::MatrixXf back = q::Quantizer::dequantize_float(codes);
    const Eigen::MatrixXd back_d = q::Quantizer::dequantize(quantizer.quantize(xd));
    const float rel = type == QuantType::kFp16 ? std::ldexp(1.0f, -11) : std::ldexp(1.0f, -8);
    for (Eigen::Index i = 0; i < xf.size(); ++i) {
      REQUIRE(back(i) == kolosal::precision::round_to(p, xf(i)));
      REQUIRE(std::abs(back(i) - xf(i)) <= rel * std::abs(xf(i)) + 1e-7f);  // 1e-7: fp16 subnormals
      REQUIRE(std::abs(back_d(i) - xd(i)) <= rel * std::abs(xd(i)) + 1e-7);
    }
    // Stored values are fixed points: a second round trip changes nothing.
    CHECK(q::Quantizer::dequantize_float(quantizer.quantize(back)) == back);
  }
}

TEST_CASE("Quantizer: float and double inputs and every SIMD level give the same codes",
          "[quantization]") {
  const Eigen::MatrixXd xd = sample_matrix(13);
  const Eigen::MatrixXf xf = xd.cast<float>();
  for (QuantType type : {QuantType::kInt8, QuantType::kUint8, QuantType::kInt16}) {
    q::QuantizationConfig c;
    c.type = type;
    c.scheme = Scheme::kAsymmetric;
    c.granularity = Granularity::kPerColumn;
    const q::QuantParams params = q::Quantizer(c).calibrate(xd);
    kolosal::simd::force_level(kolosal::simd::Level::kScalar);
    const q::QuantizedMatrix ref = q::Quantizer::quantize(xd, params);
    const Eigen::MatrixXd ref_back = q::Quantizer::dequantize(ref);
    for (auto level : {kolosal::simd::Level::kSse2, kolosal::simd::Level::kAvx2}) {
      try {
        kolosal::simd::force_level(level);
      } catch (const kolosal::UnsupportedError&) {
        continue;
      }
      const q::QuantizedMatrix got = q::Quantizer::quantize(xd, params);
      CHECK(got.i8 == ref.i8);
      CHECK(got.u8 == ref.u8);
      CHECK(got.i16 == ref.i16);
      CHECK(q::Quantizer::dequantize(got) == ref_back);
      // Float input: codes differ from double's only where x / scale sits on a rounding tie.
      const q::QuantizedMatrix f = q::Quantizer::quantize(xf, params);
      std::size_t differ = 0;
      for (std::size_t i = 0; i < f.i8.size(); ++i) differ += f.i8[i] != ref.i8[i];
      for (std::size_t i = 0; i < f.u8.size(); ++i) differ += f.u8[i] != ref.u8[i];
      for (std::size_t i = 0; i < f.i16.size(); ++i) differ += f.i16[i] != ref.i16[i];
      CHECK(differ <= 2);
    }
    kolosal::simd::force_level(std::nullopt);
  }
}

TEST_CASE("Quantizer: percentile calibration is exact on known data", "[quantization]") {
  std::vector<double> v(1001);
  std::iota(v.begin(), v.end(), 0.0);
  std::shuffle(v.begin(), v.end(), std::mt19937(1));
  CHECK(q::percentile(v, 99.0) == 990.0);
  CHECK(q::percentile(v, 99.95) == Approx(999.5));
  CHECK(q::percentile(v, 0.0) == 0.0);
  CHECK(q::percentile(v, 100.0) == 1000.0);
  const q::Range asym = q::calibrate_percentile(v, 90.0, Scheme::kAsymmetric);
  CHECK(asym.lo == Approx(100.0));
  CHECK(asym.hi == Approx(900.0));
  std::vector<double> signed_values;
  for (double x : v) signed_values.push_back(-x);
  for (double x : v) signed_values.push_back(x);
  // |x| holds 0 twice, then 1..1000 twice: the 99th percentile of 2002 values is 990.
  const q::Range sym = q::calibrate_percentile(signed_values, 99.0, Scheme::kSymmetric);
  CHECK(sym.hi == Approx(990.0 + 0.01 * 1.0).margin(0.02));
  CHECK(sym.lo == -sym.hi);
  const q::Range mm = q::calibrate_min_max(signed_values);
  CHECK(mm.lo == -1000.0);
  CHECK(mm.hi == 1000.0);
}

TEST_CASE("Quantizer: entropy calibration clips heavy tails and keeps bounded data",
          "[quantization]") {
  std::mt19937 gen(17);
  // Heavy-tailed: Student's t with 2 degrees of freedom, 200k samples; max |x| is in the
  // hundreds while 99.9% of the mass lies within about 22.
  std::student_t_distribution<double> t2(2.0);
  std::vector<double> heavy(200000);
  for (double& x : heavy) x = t2(gen);
  const q::Range mm = q::calibrate_min_max(heavy);
  const double amax = std::max(-mm.lo, mm.hi);
  const q::Range kl = q::calibrate_entropy(heavy, 2048, 128);
  std::vector<double> magnitude;
  for (double x : heavy) magnitude.push_back(std::abs(x));
  INFO("max " << amax << " KL threshold " << kl.hi);
  CHECK(kl.hi < 0.25 * amax);
  CHECK(kl.hi > q::percentile(magnitude, 99.0));
  CHECK(kl.lo == Approx(-kl.hi));
  // The clipped range resolves the bulk (|x| below the threshold, over 99% of the samples) with
  // a step 14 times finer than min-max's, so its squared error there is far lower.
  auto bulk_mse = [&](const q::Range& r) {
    const auto [s, z] =
        q::QuantParams::from_range(QuantType::kInt8, Scheme::kSymmetric, r.lo, r.hi);
    double total = 0.0;
    for (double x : heavy) {
      if (std::abs(x) > kl.hi) continue;
      const double c = std::clamp(std::nearbyint(x / s) + z, -127.0, 127.0);
      total += (x - (c - z) * s) * (x - (c - z) * s);
    }
    return total / static_cast<double>(heavy.size());
  };
  CHECK(bulk_mse(kl) * 50 < bulk_mse(mm));
  // Uniform data has no tail to clip: the threshold stays near the maximum.
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  std::vector<double> flat(100000);
  for (double& x : flat) x = uniform(gen);
  const q::Range kl_flat = q::calibrate_entropy(flat, 2048, 128);
  CHECK(kl_flat.hi > 0.95);
  // Through the Quantizer: a per-tensor entropy calibration of the heavy sample.
  q::QuantizationConfig c;
  c.calibration = q::Calibration::kEntropy;
  const Eigen::MatrixXd m = Eigen::Map<const Eigen::MatrixXd>(heavy.data(), 1000, 200);
  const q::QuantParams params = q::Quantizer(c).calibrate(m);
  CHECK(params.scale[0] == Approx(kl.hi / 127.0));
}

TEST_CASE("Quantizer: parameters round-trip through JSON and bad ones are refused",
          "[quantization]") {
  q::QuantizationConfig c;
  c.type = QuantType::kUint8;
  c.scheme = Scheme::kAsymmetric;
  c.granularity = Granularity::kPerRow;
  const q::QuantParams params = q::Quantizer(c).calibrate(sample_matrix(21));
  const nlohmann::json json = q::to_json(params);
  CHECK(q::params_from_json(json) == params);
  nlohmann::json bad = json;
  bad["scale"][0] = -1.0;
  kolosal::test::expect_error<kolosal::SerializationError>([&] { (void)q::params_from_json(bad); },
                                                           "scale[0]");
  bad = json;
  bad["zero_point"][1] = 300.0;
  kolosal::test::expect_error<kolosal::SerializationError>([&] { (void)q::params_from_json(bad); },
                                                           "zero_point[1]");
  bad = json;
  bad.erase("scheme");
  kolosal::test::expect_error<kolosal::SerializationError>([&] { (void)q::params_from_json(bad); },
                                                           "scheme");
}

TEST_CASE("Quantizer: bad inputs are clear errors", "[quantization]") {
  Eigen::MatrixXd x = sample_matrix(1);
  q::QuantizationConfig c;
  c.granularity = Granularity::kPerColumn;
  const q::QuantParams params = q::Quantizer(c).calibrate(x);
  kolosal::test::expect_error<kolosal::ShapeMismatch>(
      [&] { (void)q::Quantizer::quantize(Eigen::MatrixXd(x.leftCols(3)), params); }, "6 channels");
  x(2, 2) = std::nan("");
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { (void)q::Quantizer::quantize(x, params); }, "NaN");
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { (void)q::Quantizer(c).calibrate(x); },
                                                        "finite");
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { (void)q::Quantizer(c).calibrate(Eigen::MatrixXd(0, 3)); }, "no samples");
}
