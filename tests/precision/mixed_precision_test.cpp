// SPDX-License-Identifier: MIT
// Tests of FP16 / BF16 storage with FP32 accumulation and of the precision manager.
#include "kolosal/precision/mixed_precision.hpp"

#include <random>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"

#include "test_util.hpp"

namespace {

namespace p = kolosal::precision;
using p::Precision;

Eigen::MatrixXf random_matrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::mt19937 gen(seed);
  std::normal_distribution<float> normal;
  Eigen::MatrixXf m(rows, cols);
  for (Eigen::Index i = 0; i < m.size(); ++i) m(i) = normal(gen);
  return m;
}

}  // namespace

TEST_CASE("StoredMatrix: storage rounds each value once and widens exactly", "[precision][mixed]") {
  const Eigen::MatrixXf m = random_matrix(7, 5, 1);
  for (Precision prec : {Precision::kFp32, Precision::kFp16, Precision::kBf16}) {
    const p::StoredMatrix s(m, prec);
    CHECK(s.bytes() == static_cast<std::size_t>(m.size()) * (prec == Precision::kFp32 ? 4 : 2));
    const Eigen::MatrixXf back = s.to_float();
    for (Eigen::Index i = 0; i < m.size(); ++i) REQUIRE(back(i) == p::round_to(prec, m(i)));
    CHECK(s.columns(2, 2) == back.middleCols(2, 2));
  }
}

TEST_CASE("matmul and matvec: products of stored operands accumulated in FP32",
          "[precision][mixed]") {
  const Eigen::MatrixXf a = random_matrix(33, 300, 2);
  const Eigen::MatrixXf b = random_matrix(300, 270, 3);  // more columns than one panel
  for (Precision prec : {Precision::kFp16, Precision::kBf16}) {
    const p::StoredMatrix sa(a, prec);
    const p::StoredMatrix sb(b, prec);
    // Exactly the FP32 product of the rounded operands.
    const Eigen::MatrixXd exact = sa.to_float().cast<double>() * sb.to_float().cast<double>();
    const Eigen::MatrixXf got = p::matmul(sa, sb);
    CHECK((got.cast<double>() - exact).cwiseAbs().maxCoeff() < 1e-3);
    // Against the unrounded product the error is the storage rounding: relative 2^-11 (FP16) or
    // 2^-8 (BF16) per operand, summed over 300 terms of unit size.
    const Eigen::MatrixXd full = a.cast<double>() * b.cast<double>();
    const double unit = prec == Precision::kFp16 ? std::ldexp(1.0, -11) : std::ldexp(1.0, -8);
    const Eigen::MatrixXd bound =
        2 * unit * (a.cwiseAbs().cast<double>() * b.cwiseAbs().cast<double>()).array() + 1e-3;
    CHECK(((got.cast<double>() - full).cwiseAbs().array() <= bound.array()).all());
    const p::StoredMatrix v(b.col(0), prec);
    CHECK((p::matvec(sa, v) - got.col(0)).cwiseAbs().maxCoeff() < 1e-4);
  }
  kolosal::test::expect_error<kolosal::ShapeMismatch>(
      [&] {
        (void)p::matmul(p::StoredMatrix(a, Precision::kFp16), p::StoredMatrix(a, Precision::kFp16));
      },
      "matmul");
}

TEST_CASE("MixedPrecisionNetwork: 16-bit storage tracks FP32 on the classic datasets",
          "[precision][mixed]") {
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path("digits.csv"));
  const auto x = frame.drop({"digit"}).to_matrix();
  const auto y = frame.column("digit").to_doubles();
  kolosal::Matrix<double> xs(x.rows(), x.cols());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) xs(i, j) = x(i, j) / 16.0;
  }
  kolosal::training::MlpConfig config;
  config.hidden_layer_sizes = {32};
  config.max_iter = 40;
  kolosal::training::MlpClassifier mlp(config);
  mlp.fit(xs.view(), y);
  const p::MixedPrecisionNetwork net(mlp);
  const auto ref = mlp.predict(xs.view());
  CHECK(net.predict(xs.view(), Precision::kFp32) == ref);
  const auto proba = mlp.predict_proba(xs.view());
  for (Precision prec : {Precision::kFp32, Precision::kFp16, Precision::kBf16}) {
    const auto pr = net.predict_proba(xs.view(), prec);
    double worst = 0.0;
    for (std::size_t i = 0; i < pr.values().size(); ++i) {
      worst = std::max(worst, std::abs(pr.values()[i] - proba.values()[i]));
    }
    INFO(kolosal::config::enum_name(prec) << " worst probability change " << worst);
    CHECK(worst < (prec == Precision::kFp32 ? 1e-4 : prec == Precision::kFp16 ? 0.02 : 0.2));
  }
  CHECK(net.weight_bytes(Precision::kBf16) * 2 == net.weight_bytes(Precision::kFp32));

  kolosal::training::LogisticRegression logistic;
  logistic.fit(xs.view(), y);
  const p::MixedPrecisionNetwork lnet(logistic);
  CHECK(lnet.predict(xs.view(), Precision::kFp32) == logistic.predict(xs.view()));
  kolosal::training::Ridge ridge;
  ridge.fit(xs.view(), y);
  const p::MixedPrecisionNetwork rnet(ridge);
  const auto ry = ridge.predict(xs.view());
  const auto ry16 = rnet.predict(xs.view(), Precision::kFp16);
  for (std::size_t i = 0; i < ry.size(); ++i) REQUIRE(ry16[i] == Approx(ry[i]).margin(0.02));
  kolosal::test::expect_error<kolosal::UnsupportedError>(
      [&] { (void)rnet.predict_proba(xs.view(), Precision::kFp16); }, "regressor");
}

TEST_CASE("MixedPrecisionManager: picks 16-bit within tolerance, falls back to FP32",
          "[precision][mixed]") {
  p::MixedPrecisionConfig config;
  config.tolerance = 0.01;
  const p::MixedPrecisionManager manager(config);
  // A metric that loses 0.002 in FP16 and 0.05 in BF16: FP16 is chosen.
  auto metric = [](Precision prec) {
    return prec == Precision::kFp32 ? 0.9 : prec == Precision::kFp16 ? 0.898 : 0.85;
  };
  const p::PrecisionReport r = manager.select(metric, "accuracy");
  CHECK(r.chosen == Precision::kFp16);
  REQUIRE(r.trials.size() == 2);
  CHECK(r.trials[0].precision == Precision::kBf16);
  CHECK_FALSE(r.trials[0].accepted);
  CHECK(r.trials[1].accepted);
  CHECK(r.trials[1].degradation == Approx(0.002));
  CHECK_THAT(r.reason, Catch::Contains("fp16 keeps accuracy"));
  // Both within tolerance and equal: the earlier candidate (BF16) wins the tie.
  const p::PrecisionReport tie = manager.select([](Precision) { return 0.5; }, "accuracy");
  CHECK(tie.chosen == Precision::kBf16);
  // Nothing within tolerance: FP32, and the reason says why.
  const p::PrecisionReport none =
      manager.select([](Precision prec) { return prec == Precision::kFp32 ? 1.0 : 0.5; }, "r2");
  CHECK(none.chosen == Precision::kFp32);
  CHECK_THAT(none.reason, Catch::Contains("loses more than the tolerance"));
  // A NaN metric is never accepted.
  const p::PrecisionReport nan = manager.select(
      [](Precision prec) { return prec == Precision::kFp32 ? 1.0 : std::nan(""); }, "r2");
  CHECK(nan.chosen == Precision::kFp32);

  const auto json = kolosal::config::to_json(config);
  CHECK(kolosal::config::from_json<p::MixedPrecisionConfig>(json) == config);
}

TEST_CASE("MixedPrecisionManager: chooses per model from validation data", "[precision][mixed]") {
  const auto frame = kolosal::data::read_csv(kolosal::test::data_path("breast_cancer.csv"));
  auto x = frame.drop({"diagnosis"}).to_matrix();
  const auto y = frame.column("diagnosis").to_doubles();
  // Unscaled features (areas near 2500) make a logistic model's logits large; FP16 holds them.
  kolosal::training::LogisticRegression model(
      kolosal::training::LogisticRegressionConfig{.max_iter = 2000});
  model.fit(x.view(), y);
  const p::MixedPrecisionNetwork net(model);
  const p::MixedPrecisionManager manager;
  const p::PrecisionReport report = manager.select(net, x.view(), y);
  INFO(report.reason);
  CHECK(report.metric_name == "accuracy");
  CHECK(report.fp32_metric > 0.9);
  for (const auto& t : report.trials) {
    CHECK(t.accepted == (t.degradation <= 1e-3));
    const auto pred = net.predict(x.view(), t.precision);
    std::size_t hits = 0;
    for (std::size_t i = 0; i < y.size(); ++i) hits += pred[i] == y[i] ? 1 : 0;
    CHECK(t.metric == Approx(static_cast<double>(hits) / static_cast<double>(y.size())));
  }
  // Zero tolerance with an exact-FP32 demand: picks 16-bit only when nothing changes.
  p::MixedPrecisionConfig strict;
  strict.tolerance = 0.0;
  const p::PrecisionReport s = p::MixedPrecisionManager(strict).select(net, x.view(), y);
  for (const auto& t : s.trials) CHECK(t.accepted == (t.metric >= s.fp32_metric));
}
