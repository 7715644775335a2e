// SPDX-License-Identifier: MIT
// Tests of quantized inference against the float models on the classic datasets: int8 linear
// models and perceptrons, and tree ensembles on feature codes.
#include "kolosal/quantization/quantized_models.hpp"

#include <random>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/training/forest.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"

#include "test_util.hpp"

namespace {

namespace q = kolosal::quantization;
namespace t = kolosal::training;
using kolosal::Matrix;

struct Split {
  Matrix<double> x_train;
  std::vector<double> y_train;
  Matrix<double> x_test;
  std::vector<double> y_test;
};

/// A seeded 70 / 30 split of a bundled dataset, features standardised on the training rows
/// unless `raw`.
Split load(const std::string& file, const std::string& target, bool raw = false) {
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path(file));
  const auto x = frame.drop({target}).to_matrix();
  const auto y = frame.column(target).to_doubles();
  std::vector<std::size_t> perm(x.rows());
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(42));
  const std::size_t n_train = perm.size() * 7 / 10;
  const std::size_t p = x.cols();
  std::vector<double> mean(p, 0.0), scale(p, 1.0);
  if (!raw) {
    for (std::size_t j = 0; j < p; ++j) {
      double s = 0.0, ss = 0.0;
      for (std::size_t i = 0; i < n_train; ++i) s += x(perm[i], j);
      mean[j] = s / static_cast<double>(n_train);
      for (std::size_t i = 0; i < n_train; ++i) ss += std::pow(x(perm[i], j) - mean[j], 2);
      scale[j] = std::sqrt(ss / static_cast<double>(n_train));
      if (scale[j] == 0.0) scale[j] = 1.0;
    }
  }
  Split s{Matrix<double>(n_train, p), {}, Matrix<double>(perm.size() - n_train, p), {}};
  for (std::size_t i = 0; i < perm.size(); ++i) {
    auto& m = i < n_train ? s.x_train : s.x_test;
    const std::size_t r = i < n_train ? i : i - n_train;
    for (std::size_t j = 0; j < p; ++j) m(r, j) = (x(perm[i], j) - mean[j]) / scale[j];
    (i < n_train ? s.y_train : s.y_test).push_back(y[perm[i]]);
  }
  return s;
}

double accuracy(const std::vector<double>& pred, const std::vector<double>& y) {
  std::size_t hits = 0;
  for (std::size_t i = 0; i < y.size(); ++i) hits += pred[i] == y[i] ? 1 : 0;
  return static_cast<double>(hits) / static_cast<double>(y.size());
}

double r2(const std::vector<double>& pred, const std::vector<double>& y) {
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  double res = 0.0, tot = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    res += (y[i] - pred[i]) * (y[i] - pred[i]);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  return 1.0 - res / tot;
}

double max_abs_diff(const Matrix<double>& a, const Matrix<double>& b) {
  double m = 0.0;
  for (std::size_t i = 0; i < a.values().size(); ++i) {
    m = std::max(m, std::abs(a.values()[i] - b.values()[i]));
  }
  return m;
}

double mean_abs_diff(const Matrix<double>& a, const Matrix<double>& b) {
  double total = 0.0;
  for (std::size_t i = 0; i < a.values().size(); ++i) {
    total += std::abs(a.values()[i] - b.values()[i]);
  }
  return total / static_cast<double>(a.values().size());
}

}  // namespace

TEST_CASE("Int8 inference: config JSON round trip", "[quantization][int8]") {
  q::Int8InferenceConfig c;
  c.calibration = q::Calibration::kPercentile;
  c.percentile = 99.0;
  c.activation_scheme = q::Scheme::kSymmetric;
  c.input_granularity = q::Granularity::kPerColumn;
  CHECK(kolosal::config::from_json<q::Int8InferenceConfig>(kolosal::config::to_json(c)) == c);
  q::QuantizedTreeConfig tc;
  tc.type = q::QuantType::kInt16;
  CHECK(kolosal::config::from_json<q::QuantizedTreeConfig>(kolosal::config::to_json(tc)) == tc);
  kolosal::test::expect_error<kolosal::ConfigError>(
      [] {
        (void)kolosal::config::from_json<q::Int8InferenceConfig>(
            {{"input_granularity", "per_row"}});
      },
      "per_row");
}

TEST_CASE("Int8Dense: outputs are the int32 accumulation of the stored codes",
          "[quantization][int8]") {
  // 3 outputs x 5 inputs.
  const std::vector<double> w{0.5, -1.0, 0.25, 2.0, -0.75, 1.5,  0.1,  -0.2,
                              0.0, 0.3,  -2.0, 1.0, 0.5,   -0.5, 0.125};
  const std::vector<double> b{0.1, -0.2, 0.3};
  const auto [s, z] =
      q::QuantParams::from_range(q::QuantType::kInt8, q::Scheme::kAsymmetric, -1.0, 3.0);
  q::QuantParams in{
      q::QuantType::kInt8, q::Scheme::kAsymmetric, q::Granularity::kPerTensor, {s}, {z}};
  const q::Int8Dense layer(w, 5, 3, b, in);
  const std::vector<double> x{0.3, -0.9, 2.5, 1.1, 0.0};
  std::vector<std::int8_t> codes(5);
  layer.quantize_input(x, codes);
  std::vector<double> y(3);
  layer.apply(codes, y);
  for (std::size_t o = 0; o < 3; ++o) {
    std::int64_t acc = 0;
    double exact = b[o];
    for (std::size_t j = 0; j < 5; ++j) {
      REQUIRE(codes[j] == static_cast<std::int8_t>(std::nearbyint(x[j] / s) + z));
      acc += (codes[j] - static_cast<std::int64_t>(z)) *
             layer.weight_codes()[o * layer.padded_inputs() + j];
      exact += w[o * 5 + j] * x[j];
    }
    CHECK(y[o] ==
          Approx(layer.weight_scales()[o] * static_cast<double>(acc) + b[o]).epsilon(1e-12));
    // Error bound: input rounding s/2 per term times |w|, weight rounding w_scale/2 times |code|.
    double bound = 0.0;
    for (std::size_t j = 0; j < 5; ++j) {
      bound +=
          std::abs(w[o * 5 + j]) * s / 2 + layer.weight_scales()[o] / 2 * std::abs(codes[j] - z);
    }
    CHECK(std::abs(y[o] - exact) <= bound + 1e-12);
  }
  // Per-output scales: the largest |w| of each row maps to 127.
  CHECK(layer.weight_scales()[1] == Approx(1.5 * s / 127.0));
}

TEST_CASE("Int8 linear models agree with float on the classic datasets", "[quantization][int8]") {
  struct Case {
    std::string file, target;
  };
  for (const Case& c : {Case{"iris.csv", "species"}, Case{"wine.csv", "class"},
                        Case{"breast_cancer.csv", "diagnosis"}, Case{"digits.csv", "digit"}}) {
    INFO(c.file);
    const Split s = load(c.file, c.target);
    t::LogisticRegression model;
    model.fit(s.x_train.view(), s.y_train);
    const q::QuantizedLinearModel qm(model, s.x_train.view());
    const auto pf = model.predict(s.x_test.view());
    const auto pq = qm.predict(s.x_test.view());
    CHECK(accuracy(pq, pf) >= 0.97);
    CHECK(std::abs(accuracy(pq, s.y_test) - accuracy(pf, s.y_test)) <= 0.02);
    CHECK(max_abs_diff(qm.predict_proba(s.x_test.view()), model.predict_proba(s.x_test.view())) <
          0.15);
  }
  // Regression: ridge on diabetes keeps R² within 0.005.
  const Split d = load("diabetes.csv", "progression");
  t::Ridge ridge;
  ridge.fit(d.x_train.view(), d.y_train);
  const q::QuantizedLinearModel qr(ridge, d.x_train.view());
  CHECK_FALSE(qr.is_classifier());
  const double r2f = r2(ridge.predict(d.x_test.view()), d.y_test);
  const double r2q = r2(qr.predict(d.x_test.view()), d.y_test);
  CHECK(std::abs(r2q - r2f) < 0.005);
  kolosal::test::expect_error<kolosal::UnsupportedError>(
      [&] { (void)qr.predict_proba(d.x_test.view()); }, "logistic");
}

TEST_CASE("Int8 linear models: per-column input ranges rescue unscaled features",
          "[quantization][int8]") {
  // Raw wine: proline reaches ~1700 while hue stays near 1, so one input range loses the small
  // features; a range per column folded into the weights keeps them.
  const Split s = load("wine.csv", "class", /*raw=*/true);
  t::LogisticRegression raw_model(t::LogisticRegressionConfig{.C = 1e-2, .max_iter = 20000});
  raw_model.fit(s.x_train.view(), s.y_train);
  const auto pf = raw_model.predict(s.x_test.view());
  q::Int8InferenceConfig per_column;
  per_column.input_granularity = q::Granularity::kPerColumn;
  const q::QuantizedLinearModel col(raw_model, s.x_train.view(), per_column);
  const q::QuantizedLinearModel tensor(raw_model, s.x_train.view());
  const Matrix<double> df = raw_model.decision_function(s.x_test.view());
  const double err_col = max_abs_diff(col.decision_function(s.x_test.view()), df);
  const double err_tensor = max_abs_diff(tensor.decision_function(s.x_test.view()), df);
  INFO("per-column error " << err_col << ", per-tensor error " << err_tensor);
  CHECK(err_col < err_tensor);
  CHECK(accuracy(col.predict(s.x_test.view()), pf) >= 0.95);
}

TEST_CASE("Int8 perceptrons agree with float on the classic datasets", "[quantization][int8]") {
  t::MlpConfig config;
  config.hidden_layer_sizes = {32, 16};
  config.max_iter = 120;
  for (const auto& [file, target] : std::vector<std::pair<std::string, std::string>>{
           {"iris.csv", "species"}, {"breast_cancer.csv", "diagnosis"}, {"digits.csv", "digit"}}) {
    INFO(file);
    const Split s = load(file, target);
    t::MlpClassifier model(config);
    model.fit(s.x_train.view(), s.y_train);
    const q::QuantizedMlp qm(model, s.x_train.view());
    REQUIRE(qm.layers().size() == 3);
    const auto pf = model.predict(s.x_test.view());
    const auto pq = qm.predict(s.x_test.view());
    CHECK(accuracy(pq, pf) >= 0.96);
    CHECK(std::abs(accuracy(pq, s.y_test) - accuracy(pf, s.y_test)) <= 0.02);
    CHECK(mean_abs_diff(qm.predict_proba(s.x_test.view()), model.predict_proba(s.x_test.view())) <
          0.01);
  }
  const Split d = load("diabetes.csv", "progression");
  config.max_iter = 300;
  config.learning_rate_init = 1e-2;
  t::MlpRegressor reg(config);
  reg.fit(d.x_train.view(), d.y_train);
  const q::QuantizedMlp qr(reg, d.x_train.view());
  const double r2f = r2(reg.predict(d.x_test.view()), d.y_test);
  const double r2q = r2(qr.predict(d.x_test.view()), d.y_test);
  INFO("float r2 " << r2f << " int8 r2 " << r2q);
  CHECK(std::abs(r2q - r2f) < 0.02);
}

namespace {

/// Every split decision differs between float and codes only for a value within one step of
/// the threshold above it (0 < x − t <= s); returns the rows with no such value anywhere.
std::vector<bool> check_decisions(const q::QuantizedTreeEnsemble& qe, const Matrix<double>& x) {
  const auto codes = qe.codes(x.view());
  const auto& nodes = qe.nodes();
  const auto& params = qe.feature_params();
  std::vector<bool> clean(x.rows(), true);
  std::size_t changed = 0;
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t i = 0; i < nodes.size(); ++i) {
      const int f = nodes[i].feature;
      if (f < 0) continue;
      const double v = x(r, static_cast<std::size_t>(f));
      const double th = qe.thresholds()[i];
      const bool left_float = v <= th;
      const bool left_code = codes[r * x.cols() + static_cast<std::size_t>(f)] <= nodes[i].code;
      if (left_float != left_code) {
        ++changed;
        REQUIRE(v > th);
        REQUIRE(v - th <= params.scale[static_cast<std::size_t>(f)] * (1 + 1e-9));
        clean[r] = false;
      }
    }
  }
  INFO("decisions changed: " << changed);
  return clean;
}

}  // namespace

TEST_CASE("Quantized trees: decisions differ only within one step of a threshold",
          "[quantization][trees]") {
  const Split s = load("breast_cancer.csv", "diagnosis", /*raw=*/true);
  t::RandomForestClassifier forest(t::RandomForestClassifierConfig{.n_estimators = 30});
  forest.fit(s.x_train.view(), s.y_train);
  for (q::QuantType type : {q::QuantType::kUint8, q::QuantType::kInt8, q::QuantType::kInt16}) {
    INFO(kolosal::config::enum_name(type));
    q::QuantizedTreeConfig c;
    c.type = type;
    const q::QuantizedTreeEnsemble qe(forest, s.x_train.view(), c);
    const auto clean = check_decisions(qe, s.x_test);
    const auto pf = forest.predict(s.x_test.view());
    const auto pq = qe.predict(s.x_test.view());
    const Matrix<double> prf = forest.predict_proba(s.x_test.view());
    const Matrix<double> prq = qe.predict_proba(s.x_test.view());
    std::size_t n_clean = 0;
    for (std::size_t r = 0; r < clean.size(); ++r) {
      if (!clean[r]) continue;
      ++n_clean;
      REQUIRE(pq[r] == pf[r]);
      for (std::size_t k = 0; k < prf.cols(); ++k)
        REQUIRE(prq(r, k) == Approx(prf(r, k)).margin(1e-12));
    }
    CHECK(accuracy(pq, pf) >= 0.97);
    // With 65,536 codes a value rarely falls within a step of a threshold.
    if (type == q::QuantType::kInt16) CHECK(n_clean + 2 >= clean.size());
  }
}

TEST_CASE("Quantized trees agree with float forests and GBDT on the classic datasets",
          "[quantization][trees]") {
  const Split wine = load("wine.csv", "class", true);
  const Split cancer = load("breast_cancer.csv", "diagnosis", true);
  const Split diabetes = load("diabetes.csv", "progression", true);

  t::GbdtConfig soft;
  soft.objective = t::GbdtObjective::kSoftmax;
  soft.n_estimators = 50;
  t::Gbdt gbdt_wine(soft);
  gbdt_wine.fit(wine.x_train.view(), wine.y_train);
  const q::QuantizedTreeEnsemble qw(gbdt_wine, wine.x_train.view());
  check_decisions(qw, wine.x_test);
  CHECK(accuracy(qw.predict(wine.x_test.view()), gbdt_wine.predict(wine.x_test.view())) >= 0.95);
  CHECK(max_abs_diff(qw.predict_proba(wine.x_test.view()),
                     gbdt_wine.predict_proba(wine.x_test.view())) < 0.5);

  t::GbdtConfig binary;
  binary.objective = t::GbdtObjective::kBinaryLogloss;
  binary.n_estimators = 50;
  t::Gbdt gbdt_cancer(binary);
  gbdt_cancer.fit(cancer.x_train.view(), cancer.y_train);
  q::QuantizedTreeConfig i16;
  i16.type = q::QuantType::kInt16;
  const q::QuantizedTreeEnsemble qc(gbdt_cancer, cancer.x_train.view(), i16);
  const auto clean = check_decisions(qc, cancer.x_test);
  const Matrix<double> pf = gbdt_cancer.predict_proba(cancer.x_test.view());
  const Matrix<double> pq = qc.predict_proba(cancer.x_test.view());
  for (std::size_t r = 0; r < clean.size(); ++r) {
    if (clean[r]) REQUIRE(pq(r, 1) == Approx(pf(r, 1)).margin(1e-12));
  }

  t::GbdtConfig reg;
  reg.n_estimators = 50;
  t::Gbdt gbdt_reg(reg);
  gbdt_reg.fit(diabetes.x_train.view(), diabetes.y_train);
  const q::QuantizedTreeEnsemble qg(gbdt_reg, diabetes.x_train.view());
  check_decisions(qg, diabetes.x_test);
  CHECK(std::abs(r2(qg.predict(diabetes.x_test.view()), diabetes.y_test) -
                 r2(gbdt_reg.predict(diabetes.x_test.view()), diabetes.y_test)) < 0.03);
  kolosal::test::expect_error<kolosal::UnsupportedError>(
      [&] { (void)qg.predict_proba(diabetes.x_test.view()); }, "regressor");

  t::ExtraTreesRegressor extra(t::ExtraTreesRegressorConfig{.n_estimators = 20});
  extra.fit(diabetes.x_train.view(), diabetes.y_train);
  const q::QuantizedTreeEnsemble qx(extra, diabetes.x_train.view());
  check_decisions(qx, diabetes.x_test);
  CHECK(std::abs(r2(qx.predict(diabetes.x_test.view()), diabetes.y_test) -
                 r2(extra.predict(diabetes.x_test.view()), diabetes.y_test)) < 0.03);

  Matrix<double> with_nan = diabetes.x_test;
  with_nan(0, 0) = std::nan("");
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { (void)qx.predict(with_nan.view()); },
                                                        "NaN");
  kolosal::test::expect_error<kolosal::ShapeMismatch>([&] { (void)qx.predict(wine.x_test.view()); },
                                                      "columns");
}
