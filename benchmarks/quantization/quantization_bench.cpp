// SPDX-License-Identifier: MIT
// Quantized against float inference on the classic datasets (accuracy or R² change, speed-up)
// for linear models, perceptrons and tree ensembles, the mixed-precision choice per model, and
// FP16 / BF16 conversion and int8 quantization throughput. One JSON object per line.
//
//   build/r/benchmarks/quantization/kolosal_bench_quantization [repeats]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <functional>
#include <numeric>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kolosal/core/simd.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/precision/half.hpp"
#include "kolosal/precision/mixed_precision.hpp"
#include "kolosal/quantization/quantized_models.hpp"
#include "kolosal/training/forest.hpp"
#include "kolosal/training/gbdt.hpp"
#include "kolosal/training/linear.hpp"
#include "kolosal/training/mlp.hpp"

#include "common/bench_util.hpp"

namespace {

using kolosal::Matrix;
namespace q = kolosal::quantization;
namespace t = kolosal::training;
namespace p = kolosal::precision;

struct Split {
  Matrix<double> x_train, x_test, x_big;  // x_big: test rows tiled for timing
  std::vector<double> y_train, y_test;
  bool classifier = true;
};

Split load(const std::string& file, const std::string& target, bool classifier) {
  const auto frame = kolosal::data::read_csv(std::string(KOLOSAL_BENCH_DATA_DIR) + "/" + file);
  const auto x = frame.drop({target}).to_matrix();
  const auto y = frame.column(target).to_doubles();
  std::vector<std::size_t> perm(x.rows());
  std::iota(perm.begin(), perm.end(), 0);
  std::shuffle(perm.begin(), perm.end(), std::mt19937(42));
  const std::size_t n_train = perm.size() * 7 / 10;
  const std::size_t cols = x.cols();
  std::vector<double> mean(cols, 0.0), scale(cols, 1.0);
  for (std::size_t j = 0; j < cols; ++j) {
    double s = 0.0, ss = 0.0;
    for (std::size_t i = 0; i < n_train; ++i) s += x(perm[i], j);
    mean[j] = s / static_cast<double>(n_train);
    for (std::size_t i = 0; i < n_train; ++i) ss += std::pow(x(perm[i], j) - mean[j], 2);
    scale[j] = ss > 0.0 ? std::sqrt(ss / static_cast<double>(n_train)) : 1.0;
  }
  Split s;
  s.classifier = classifier;
  s.x_train = Matrix<double>(n_train, cols);
  s.x_test = Matrix<double>(perm.size() - n_train, cols);
  for (std::size_t i = 0; i < perm.size(); ++i) {
    auto& m = i < n_train ? s.x_train : s.x_test;
    const std::size_t r = i < n_train ? i : i - n_train;
    for (std::size_t j = 0; j < cols; ++j) m(r, j) = (x(perm[i], j) - mean[j]) / scale[j];
    (i < n_train ? s.y_train : s.y_test).push_back(y[perm[i]]);
  }
  if (!classifier) {
    // Standardised targets let the perceptron train (R² does not depend on the target scale).
    const double n = static_cast<double>(s.y_train.size());
    const double mu = std::accumulate(s.y_train.begin(), s.y_train.end(), 0.0) / n;
    double ss = 0.0;
    for (double v : s.y_train) ss += (v - mu) * (v - mu);
    const double sd = std::sqrt(ss / n);
    for (double& v : s.y_train) v = (v - mu) / sd;
    for (double& v : s.y_test) v = (v - mu) / sd;
  }
  const std::size_t big = 20000;
  s.x_big = Matrix<double>(big, cols);
  for (std::size_t r = 0; r < big; ++r) {
    for (std::size_t j = 0; j < cols; ++j) s.x_big(r, j) = s.x_test(r % s.x_test.rows(), j);
  }
  return s;
}

double score(const std::vector<double>& pred, const std::vector<double>& y, bool classifier) {
  if (classifier) {
    std::size_t hits = 0;
    for (std::size_t i = 0; i < y.size(); ++i) hits += pred[i] == y[i] ? 1 : 0;
    return static_cast<double>(hits) / static_cast<double>(y.size());
  }
  const double mean = std::accumulate(y.begin(), y.end(), 0.0) / static_cast<double>(y.size());
  double res = 0.0, tot = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    res += (y[i] - pred[i]) * (y[i] - pred[i]);
    tot += (y[i] - mean) * (y[i] - mean);
  }
  return 1.0 - res / tot;
}

double agreement(const std::vector<double>& a, const std::vector<double>& b, bool classifier) {
  if (!classifier) {
    double worst = 0.0;
    for (std::size_t i = 0; i < a.size(); ++i) worst = std::max(worst, std::abs(a[i] - b[i]));
    return worst;
  }
  std::size_t same = 0;
  for (std::size_t i = 0; i < a.size(); ++i) same += a[i] == b[i] ? 1 : 0;
  return static_cast<double>(same) / static_cast<double>(a.size());
}

/// Best of `repeats` wall times of `f`.
double best_time(int repeats, const std::function<void()>& f) {
  double best = 1e300;
  for (int r = 0; r < repeats; ++r) {
    const auto start = std::chrono::steady_clock::now();
    f();
    best = std::min(best, kolosal::bench::seconds_since(start));
  }
  return best;
}

template <class FloatModel, class QuantModel>
void report(const std::string& dataset, const std::string& family, const std::string& model,
            const Split& s, const FloatModel& fm, const QuantModel& qm, int repeats) {
  const auto pf = fm.predict(s.x_test.view());
  const auto pq = qm.predict(s.x_test.view());
  volatile double sink = 0.0;
  const double tf = best_time(repeats, [&] { sink = sink + fm.predict(s.x_big.view())[0]; });
  const double tq = best_time(repeats, [&] { sink = sink + qm.predict(s.x_big.view())[0]; });
  nlohmann::json j{{"bench", "quantized_inference"},
                   {"dataset", dataset},
                   {"family", family},
                   {"model", model},
                   {"metric", s.classifier ? "accuracy" : "r2"},
                   {"float_metric", score(pf, s.y_test, s.classifier)},
                   {"quantized_metric", score(pq, s.y_test, s.classifier)},
                   {s.classifier ? "prediction_agreement" : "max_abs_prediction_change",
                    agreement(pf, pq, s.classifier)},
                   {"rows_timed", s.x_big.rows()},
                   {"float_s", tf},
                   {"quantized_s", tq},
                   {"speedup", tf / tq}};
  std::printf("%s\n", j.dump().c_str());
  std::fflush(stdout);
}

void conversions(int repeats) {
  const std::size_t n = std::size_t{1} << 24;
  std::vector<float> f(n), back(n);
  std::vector<std::uint16_t> h(n);
  std::mt19937 gen(1);
  std::normal_distribution<float> normal;
  for (float& v : f) v = normal(gen);
  for (auto level : {kolosal::simd::Level::kScalar, kolosal::simd::Level::kAvx2}) {
    try {
      kolosal::simd::force_level(level);
    } catch (const kolosal::UnsupportedError&) {
      continue;
    }
    auto rate = [&](const std::function<void()>& body) {
      return static_cast<double>(n) / best_time(repeats, body) / 1e9;
    };
    nlohmann::json j{{"bench", "conversion"},
                     {"level", kolosal::simd::to_string(level)},
                     {"fp16_hardware", p::fp16_hardware()},
                     {"values", n},
                     {"float_to_fp16_gvals", rate([&] { p::float_to_fp16(f, h); })},
                     {"fp16_to_float_gvals", rate([&] { p::fp16_to_float(h, back); })},
                     {"float_to_bf16_gvals", rate([&] { p::float_to_bf16(f, h); })},
                     {"bf16_to_float_gvals", rate([&] { p::bf16_to_float(h, back); })}};
    const Eigen::MatrixXf m = Eigen::Map<const Eigen::MatrixXf>(f.data(), 4096, 4096);
    q::QuantizationConfig c;
    const q::QuantParams params = q::Quantizer(c).calibrate(m);
    q::QuantizedMatrix qm;
    j["quantize_int8_gvals"] = rate([&] { qm = q::Quantizer::quantize(m, params); });
    Eigen::MatrixXf deq;
    j["dequantize_int8_gvals"] = rate([&] { deq = q::Quantizer::dequantize_float(qm); });
    std::printf("%s\n", j.dump().c_str());
    std::fflush(stdout);
  }
  kolosal::simd::force_level(std::nullopt);
}

}  // namespace

int main(int argc, char** argv) {
  const int repeats = argc > 1 ? std::stoi(argv[1]) : 5;
  const kolosal::Context one_thread{.n_threads = 1};
  struct Data {
    std::string file, target;
    bool classifier;
  };
  const std::vector<Data> datasets{{"iris.csv", "species", true},
                                   {"wine.csv", "class", true},
                                   {"breast_cancer.csv", "diagnosis", true},
                                   {"digits.csv", "digit", true},
                                   {"diabetes.csv", "progression", false}};
  for (const Data& d : datasets) {
    const Split s = load(d.file, d.target, d.classifier);
    const std::string name = d.file.substr(0, d.file.size() - 4);
    t::MlpConfig mc;
    mc.hidden_layer_sizes = {64, 32};
    mc.max_iter = 300;
    p::MixedPrecisionConfig mpc;
    mpc.tolerance = 0.005;
    const p::MixedPrecisionManager manager(mpc);
    auto precision_choice = [&](const kolosal::Model& m, const std::string& model) {
      const p::MixedPrecisionNetwork net(m);
      const p::PrecisionReport r = manager.select(net, s.x_test.view(), s.y_test);
      nlohmann::json trials = nlohmann::json::array();
      for (const auto& tr : r.trials) {
        trials.push_back({{"precision", kolosal::config::enum_name(tr.precision)},
                          {"metric", tr.metric},
                          {"accepted", tr.accepted}});
      }
      nlohmann::json j{{"bench", "mixed_precision"},
                       {"dataset", name},
                       {"model", model},
                       {"fp32_metric", r.fp32_metric},
                       {"trials", trials},
                       {"chosen", kolosal::config::enum_name(r.chosen)},
                       {"reason", r.reason}};
      std::printf("%s\n", j.dump().c_str());
    };
    if (d.classifier) {
      t::LogisticRegression lr;
      lr.set_context(one_thread);
      lr.fit(s.x_train.view(), s.y_train);
      report(name, "linear", "logistic_regression", s, lr,
             q::QuantizedLinearModel(lr, s.x_train.view()).set_context(one_thread), repeats);
      precision_choice(lr, "logistic_regression");
      t::MlpClassifier mlp(mc);
      mlp.set_context(one_thread);
      mlp.fit(s.x_train.view(), s.y_train);
      report(name, "mlp", "mlp_classifier", s, mlp,
             q::QuantizedMlp(mlp, s.x_train.view()).set_context(one_thread), repeats);
      precision_choice(mlp, "mlp_classifier");
      t::RandomForestClassifier rf;
      rf.set_context(one_thread);
      rf.fit(s.x_train.view(), s.y_train);
      report(name, "trees", "random_forest_classifier", s, rf,
             q::QuantizedTreeEnsemble(rf, s.x_train.view()).set_context(one_thread), repeats);
      t::GbdtConfig gc;
      gc.objective = s.y_train.end() != std::find_if(s.y_train.begin(), s.y_train.end(),
                                                     [](double v) { return v > 1.0; })
                         ? t::GbdtObjective::kSoftmax
                         : t::GbdtObjective::kBinaryLogloss;
      t::Gbdt gb(gc);
      gb.set_context(one_thread);
      gb.fit(s.x_train.view(), s.y_train);
      report(name, "trees", "gbdt", s, gb,
             q::QuantizedTreeEnsemble(gb, s.x_train.view()).set_context(one_thread), repeats);
    } else {
      t::Ridge ridge;
      ridge.set_context(one_thread);
      ridge.fit(s.x_train.view(), s.y_train);
      report(name, "linear", "ridge", s, ridge,
             q::QuantizedLinearModel(ridge, s.x_train.view()).set_context(one_thread), repeats);
      precision_choice(ridge, "ridge");
      mc.max_iter = 2000;
      mc.learning_rate_init = 1e-2;
      t::MlpRegressor mlp(mc);
      mlp.set_context(one_thread);
      mlp.fit(s.x_train.view(), s.y_train);
      report(name, "mlp", "mlp_regressor", s, mlp,
             q::QuantizedMlp(mlp, s.x_train.view()).set_context(one_thread), repeats);
      precision_choice(mlp, "mlp_regressor");
      t::RandomForestRegressor rf;
      rf.set_context(one_thread);
      rf.fit(s.x_train.view(), s.y_train);
      report(name, "trees", "random_forest_regressor", s, rf,
             q::QuantizedTreeEnsemble(rf, s.x_train.view()).set_context(one_thread), repeats);
      t::Gbdt gb;
      gb.set_context(one_thread);
      gb.fit(s.x_train.view(), s.y_train);
      report(name, "trees", "gbdt", s, gb,
             q::QuantizedTreeEnsemble(gb, s.x_train.view()).set_context(one_thread), repeats);
    }
  }
  conversions(repeats);
  return 0;
}
