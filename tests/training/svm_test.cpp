// SPDX-License-Identifier: MIT
// Tests of SVC and SVR against scikit-learn's LIBSVM (tests/reference/svm.json, written by
// scripts/reference/svm_reference.py), of the kernel cache and shrinking paths, and of persistence.
#include "kolosal/training/svm.hpp"

#include <cmath>
#include <fstream>
#include <iomanip>
#include <map>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/simd.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/zoo_data.hpp"

namespace kt = kolosal::training;
using kolosal::Matrix;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("svm.json"));
    return json::parse(in);
  }();
  return ref;
}

Matrix<double> to_matrix(const json& rows) {
  Matrix<double> m(rows.size(), rows[0].size());
  for (std::size_t i = 0; i < m.rows(); ++i) {
    for (std::size_t j = 0; j < m.cols(); ++j) m(i, j) = rows[i][j].get<double>();
  }
  return m;
}

// The reference script's data: bundled sets split by zoo_data.hpp and standardised with the
// training mean and population standard deviation; generated sets read from the JSON.
const kolosal::test::ZooSplit& dataset(const std::string& name) {
  static std::map<std::string, kolosal::test::ZooSplit> cache;
  if (auto it = cache.find(name); it != cache.end()) return it->second;
  kolosal::test::ZooSplit s;
  if (reference()["generated"].contains(name)) {
    const json& g = reference()["generated"][name];
    s = {to_matrix(g["x_train"]), g["y_train"].get<std::vector<double>>(), to_matrix(g["x_test"]),
         g["y_test"].get<std::vector<double>>()};
  } else {
    s = kolosal::test::load_zoo(name);
    if (name != "diabetes") {
      for (std::size_t j = 0; j < s.x_train.cols(); ++j) {
        const auto n = static_cast<double>(s.x_train.rows());
        double mean = 0.0;
        for (std::size_t i = 0; i < s.x_train.rows(); ++i) mean += s.x_train(i, j);
        mean /= n;
        double var = 0.0;
        for (std::size_t i = 0; i < s.x_train.rows(); ++i) {
          var += (s.x_train(i, j) - mean) * (s.x_train(i, j) - mean);
        }
        const double sd = var > 0.0 ? std::sqrt(var / n) : 1.0;
        for (std::size_t i = 0; i < s.x_train.rows(); ++i) {
          s.x_train(i, j) = (s.x_train(i, j) - mean) / sd;
        }
        for (std::size_t i = 0; i < s.x_test.rows(); ++i) {
          s.x_test(i, j) = (s.x_test(i, j) - mean) / sd;
        }
      }
    }
  }
  return cache.emplace(name, std::move(s)).first->second;
}

std::vector<double> case_weights(std::size_t n) {
  std::vector<double> w(n);
  for (std::size_t i = 0; i < n; ++i) {
    w[i] = i % 7 == 0 ? 0.0 : 0.5 + 0.5 * static_cast<double>(i % 3);
  }
  return w;
}

// The solver follows LIBSVM's path (same working sets and shrinking), so solutions agree far
// inside the 1e-4: the largest relative gap seen is ~6e-12; 1e-6 leaves room for other
// SIMD levels' rounding.
constexpr double kRel = 1e-6;

// |a − b| <= rel · max(|b|, floor): relative, with an absolute floor for values near zero.
void check_close(double a, double b, double rel, double floor) {
  INFO("kolosal " << std::setprecision(17) << a << " vs scikit-learn " << b);
  CHECK(std::abs(a - b) <= rel * std::max(std::abs(b), floor));
}

std::unique_ptr<kolosal::Model> fit_case(const json& c) {
  const auto& d = dataset(c["dataset"].get<std::string>());
  auto model = kt::make_model(c["model"].get<std::string>(), c["config"]);
  const auto w = case_weights(d.y_train.size());
  model->fit(d.x_train.view(), d.y_train,
             {.sample_weight = c["weighted"].get<bool>() ? std::span<const double>(w)
                                                         : std::span<const double>()});
  return model;
}

// scikit-learn's support_ indexes the rows left after dropping zero weights; kolosal's indexes
// the rows given to fit.
std::vector<std::size_t> reference_support(const json& c) {
  auto support = c["support"].get<std::vector<std::size_t>>();
  if (!c["weighted"].get<bool>()) return support;
  const auto w = case_weights(dataset(c["dataset"].get<std::string>()).y_train.size());
  std::vector<std::size_t> kept;
  for (std::size_t i = 0; i < w.size(); ++i) {
    if (w[i] > 0.0) kept.push_back(i);
  }
  for (auto& s : support) s = kept[s];
  return support;
}

}  // namespace

static_assert(std::is_base_of_v<kolosal::Model, kt::Svc>);

TEST_CASE("SVC: support vectors, dual coefficients and decisions match LIBSVM", "[training][svm]") {
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != "svc") continue;
    INFO(c["dataset"].get<std::string>() << " " << c["config"].dump());
    const auto model = fit_case(c);
    const auto& svc = dynamic_cast<const kt::Svc&>(*model);
    const auto& d = dataset(c["dataset"].get<std::string>());
    const double C = c["config"].value("C", 1.0);
    CHECK(svc.kernel_params().gamma == Approx(c["gamma"].get<double>()).epsilon(1e-12));
    CHECK(svc.n_support() == c["n_support"].get<std::vector<std::size_t>>());
    CHECK(svc.support() == reference_support(c));
    const auto dual = svc.dual_coef();
    const auto ref_dual = to_matrix(c["dual_coef"]);
    REQUIRE(dual.rows() == ref_dual.rows());
    REQUIRE(dual.cols() == ref_dual.cols());
    for (std::size_t r = 0; r < dual.rows(); ++r) {
      for (std::size_t s = 0; s < dual.cols(); ++s) {
        check_close(dual(r, s), ref_dual(r, s), kRel, 1e-2 * C);
      }
    }
    const auto intercept = svc.intercept();
    const auto ref_intercept = c["intercept"].get<std::vector<double>>();
    REQUIRE(intercept.size() == ref_intercept.size());
    for (std::size_t i = 0; i < intercept.size(); ++i) {
      check_close(intercept[i], ref_intercept[i], kRel, 1e-2);
    }
    CHECK(model->predict(d.x_test.view()) == c["predict"].get<std::vector<double>>());
    const auto dec = model->decision_function(d.x_test.view());
    const auto& ref_dec = c["decision_function"];
    const bool ovo = c["config"].value("decision_function_shape", "ovr") == "ovo";
    for (std::size_t q = 0; q < dec.rows(); ++q) {
      if (dec.cols() == 1) {
        check_close(dec(q, 0), ref_dec[q].get<double>(), kRel, 1e-2);
      } else {
        for (std::size_t k = 0; k < dec.cols(); ++k) {
          check_close(dec(q, k), ref_dec[q][k].get<double>(), kRel, 1e-2);
        }
      }
    }
    if (c.contains("decision_function_ovo") && !ovo) {
      // The other shape through a fresh config on the same fitted state.
      auto config = c["config"];
      config["decision_function_shape"] = "ovo";
      auto other = kt::make_model("svc", config);
      other->fit(d.x_train.view(), d.y_train,
                 {.sample_weight = c["weighted"].get<bool>()
                                       ? std::span<const double>(case_weights(d.y_train.size()))
                                       : std::span<const double>()});
      const auto ovo_dec = other->decision_function(d.x_test.view());
      const auto ref_ovo = to_matrix(c["decision_function_ovo"]);
      REQUIRE(ovo_dec.cols() == ref_ovo.cols());
      for (std::size_t q = 0; q < ovo_dec.rows(); ++q) {
        for (std::size_t k = 0; k < ovo_dec.cols(); ++k) {
          check_close(ovo_dec(q, k), ref_ovo(q, k), kRel, 1e-2);
        }
      }
    }
  }
}

TEST_CASE("SVC: Platt probabilities agree with LIBSVM's up to the random CV folds",
          "[training][svm]") {
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != "svc" || !c["config"].value("probability", false)) continue;
    INFO(c["dataset"].get<std::string>() << " " << c["config"].dump());
    const auto model = fit_case(c);
    const auto& d = dataset(c["dataset"].get<std::string>());
    const auto proba = model->predict_proba(d.x_test.view());
    const auto ref = to_matrix(c["predict_proba"]);
    REQUIRE(proba.cols() == ref.cols());
    double worst = 0.0;
    double mean_abs = 0.0;
    for (std::size_t q = 0; q < proba.rows(); ++q) {
      double sum = 0.0;
      for (std::size_t k = 0; k < proba.cols(); ++k) {
        sum += proba(q, k);
        worst = std::max(worst, std::abs(proba(q, k) - ref(q, k)));
        mean_abs += std::abs(proba(q, k) - ref(q, k));
      }
      CHECK(sum == Approx(1.0).epsilon(1e-9));
    }
    mean_abs /= static_cast<double>(proba.rows() * proba.cols());
    // Platt sigmoids are fitted on decision values of random 5-fold CV (different folds here
    // than in LIBSVM's rand()), so probabilities agree only loosely.
    INFO("max |Δp| " << worst << ", mean |Δp| " << mean_abs);
    CHECK(worst < 0.06);
    CHECK(mean_abs < 0.01);
    // The sigmoids slope the right way: A < 0 (positive decision, first class of the pair).
    const auto& svc = dynamic_cast<const kt::Svc&>(*model);
    for (double a : svc.prob_a()) CHECK(a < 0.0);
  }
}

TEST_CASE("SVR: support vectors, dual coefficients and predictions match LIBSVM",
          "[training][svm]") {
  for (const auto& c : reference()["cases"]) {
    if (c["model"] != "svr") continue;
    INFO(c["dataset"].get<std::string>() << " " << c["config"].dump());
    const auto model = fit_case(c);
    const auto& svr = dynamic_cast<const kt::Svr&>(*model);
    const auto& d = dataset(c["dataset"].get<std::string>());
    const double C = c["config"].value("C", 1.0);
    CHECK(svr.support() == reference_support(c));
    const auto ref_dual = c["dual_coef"][0].get<std::vector<double>>();
    REQUIRE(svr.dual_coef().size() == ref_dual.size());
    for (std::size_t s = 0; s < ref_dual.size(); ++s) {
      check_close(svr.dual_coef()[s], ref_dual[s], kRel, 1e-2 * C);
    }
    check_close(svr.intercept(), c["intercept"][0].get<double>(), kRel, 1e-2);
    const auto pred = model->predict(d.x_test.view());
    const auto ref = c["predict"].get<std::vector<double>>();
    for (std::size_t q = 0; q < pred.size(); ++q) check_close(pred[q], ref[q], kRel, 1e-2);
  }
}

TEST_CASE("SVM: save, load and clone predict identically; configs round-trip", "[training][svm]") {
  const auto& iris = dataset("iris");
  const auto& diabetes = dataset("diabetes");
  kolosal::test::TempDir dir;
  for (const auto& [name, config] : std::vector<std::pair<std::string, json>>{
           {"svc", {{"probability", true}}},
           {"svc", {{"kernel", "poly"}, {"decision_function_shape", "ovo"}}},
           {"svr", {{"C", 100.0}, {"epsilon", 5.0}, {"kernel", "sigmoid"}}}}) {
    INFO(name << " " << config.dump());
    const auto& d = name == "svc" ? iris : diabetes;
    auto model = kt::make_model(name, config);
    model->fit(d.x_train.view(), d.y_train);
    for (auto encoding :
         {kolosal::serialization::Encoding::kJson, kolosal::serialization::Encoding::kBinary}) {
      kt::save_model(*model, dir / "svm.kolosal", encoding);
      const auto loaded = kt::load_model(dir / "svm.kolosal");
      CHECK(loaded->config() == model->config());
      CHECK(loaded->predict(d.x_test.view()) == model->predict(d.x_test.view()));
      CHECK(loaded->decision_function(d.x_test.view()) ==
            model->decision_function(d.x_test.view()));
      if (model->has_predict_proba()) {
        CHECK(loaded->predict_proba(d.x_test.view()) == model->predict_proba(d.x_test.view()));
      }
    }
    const auto copy = model->clone();
    CHECK(copy->predict(d.x_test.view()) == model->predict(d.x_test.view()));
  }

  kt::SvcConfig svc{.C = 2.5,
                    .kernel = kt::SvmKernel::kPoly,
                    .degree = 4,
                    .gamma = kt::SvmGamma::kValue,
                    .gamma_value = 0.3,
                    .coef0 = 1.5,
                    .tol = 1e-4,
                    .shrinking = false,
                    .cache_size_mb = 10.0,
                    .max_iter = 500,
                    .class_weight = kt::ClassWeight::kExplicit,
                    .class_weight_values = {1.0, 2.0},
                    .probability = true,
                    .decision_function_shape = kt::DecisionShape::kOvo};
  CHECK(kolosal::config::from_json<kt::SvcConfig>(kolosal::config::to_json(svc)) == svc);
  kt::SvrConfig svr{.C = 3.0,
                    .kernel = kt::SvmKernel::kLinear,
                    .gamma = kt::SvmGamma::kAuto,
                    .epsilon = 0.25,
                    .shrinking = false,
                    .max_iter = 7};
  CHECK(kolosal::config::from_json<kt::SvrConfig>(kolosal::config::to_json(svr)) == svr);
  CHECK(kt::model_info("svc").classification);
  CHECK(kt::model_info("svr").regression);
}

TEST_CASE("SVC: multiclass through predict, decision_function and predict_proba",
          "[training][svm]") {
  const auto& d = dataset("blobs4");
  auto model = kt::make_model("svc", {{"probability", true}, {"C", 2.0}});
  model->fit(d.x_train.view(), d.y_train);
  const auto pred = model->predict(d.x_test.view());
  const auto proba = model->predict_proba(d.x_test.view());
  const auto ovr = model->decision_function(d.x_test.view());
  REQUIRE(proba.cols() == 4);
  REQUIRE(ovr.cols() == 4);
  std::size_t agree = 0;
  for (std::size_t q = 0; q < pred.size(); ++q) {
    // ovr scores rank the voted class first (votes dominate the squashed confidences).
    const auto row = ovr.row(q);
    CHECK(static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin()) == pred[q]);
    const auto prow = proba.row(q);
    agree +=
        static_cast<double>(std::max_element(prow.begin(), prow.end()) - prow.begin()) == pred[q];
  }
  CHECK(agree >= pred.size() * 9 / 10);
  CHECK(kolosal::test::accuracy(d.y_test, pred) > 0.9);

  // A class absent from y (n_classes = 5): zero probability, lowest ovr score, never predicted.
  auto wide = kt::make_model("svc", {{"probability", true}, {"C", 2.0}});
  wide->fit(d.x_train.view(), d.y_train, {.n_classes = 5});
  const auto wide_proba = wide->predict_proba(d.x_test.view());
  const auto wide_dec = wide->decision_function(d.x_test.view());
  REQUIRE(wide_proba.cols() == 5);
  CHECK(wide->predict(d.x_test.view()) == pred);
  for (std::size_t q = 0; q < d.x_test.rows(); ++q) {
    CHECK(wide_proba(q, 4) == 0.0);
    CHECK(wide_dec(q, 4) < *std::min_element(wide_dec.row(q).begin(), wide_dec.row(q).end() - 1));
  }
}

TEST_CASE("SVM: kernel cache size, shrinking and thread count leave the solution unchanged",
          "[training][svm]") {
  const auto& d = dataset("breast_cancer");
  auto fit = [&](json config, int threads) {
    auto m = kt::make_model("svc", std::move(config));
    m->set_context({.n_threads = threads});
    m->fit(d.x_train.view(), d.y_train);
    return m;
  };
  const auto base = fit({{"C", 3.0}}, 1);
  const auto tiny = fit({{"C", 3.0}, {"cache_size_mb", 0.001}}, 2);  // rows evicted constantly
  // The cached rows are the same floats whether kept or recomputed, and rows fill in parallel
  // entry by entry: identical solutions.
  CHECK(dynamic_cast<const kt::Svc&>(*tiny).dual_coef().values() ==
        dynamic_cast<const kt::Svc&>(*base).dual_coef().values());
  CHECK(tiny->decision_function(d.x_test.view()) == base->decision_function(d.x_test.view()));
  // Without shrinking the path differs but the optimum agrees to the tolerance.
  const auto plain = fit({{"C", 3.0}, {"shrinking", false}, {"tol", 1e-6}}, 2);
  const auto tight = fit({{"C", 3.0}, {"tol", 1e-6}}, 2);
  const auto a = plain->decision_function(d.x_test.view());
  const auto b = tight->decision_function(d.x_test.view());
  for (std::size_t q = 0; q < a.rows(); ++q) CHECK(a(q, 0) == Approx(b(q, 0)).margin(1e-4));
}

TEST_CASE("SVM: bad configs and inputs are refused clearly", "[training][svm]") {
  const auto& d = dataset("iris");
  CHECK_THROWS_WITH(kt::make_model("svc", {{"C", 0.0}}), "SvcConfig: C must be > 0, got 0");
  CHECK_THROWS_WITH(kt::make_model("svc", {{"kernel", "cubic"}}),
                    Catch::Contains("unknown value 'cubic'"));
  CHECK_THROWS_WITH(kt::make_model("svr", {{"epsilon", -0.1}}),
                    "SvrConfig: epsilon must be >= 0, got -0.1");
  CHECK_THROWS_WITH(kt::make_model("svr", {{"gamma_value", 0.0}}),
                    "SvrConfig: gamma_value must be > 0, got 0");
  CHECK_THROWS_WITH(kt::make_model("svc", {{"max_iter", 0}}), Catch::Contains("max_iter"));
  CHECK_THROWS_WITH(kt::make_model("svc", {{"gamma", 0.1}}), Catch::Contains("expects a string"));
  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] {
        kt::make_model("svc", {{"class_weight", "explicit"}, {"class_weight_values", {1.0, 2.0}}})
            ->fit(d.x_train.view(), d.y_train);
      },
      "class_weight_values has 2 entries for 3 classes");
  kolosal::test::expect_error<kolosal::ConfigError>(
      [&] { kt::Svc(kt::SvcConfig{.tol = -1.0}).fit(d.x_train.view(), d.y_train); },
      "tol must be > 0");

  kt::Svc svc;
  kolosal::test::expect_error<kolosal::NotFitted>([&] { (void)svc.predict(d.x_test.view()); },
                                                  "not fitted");
  svc.fit(d.x_train.view(), d.y_train);
  kolosal::test::expect_error<kolosal::UnsupportedError>(
      [&] { (void)svc.predict_proba(d.x_test.view()); }, "does not predict probabilities");
  Matrix<double> narrow(2, 3, 0.0);
  kolosal::test::expect_error<kolosal::ShapeMismatch>([&] { (void)svc.predict(narrow.view()); },
                                                      "x has 3 features");
  Matrix<double> nan_rows = d.x_test;
  nan_rows(1, 2) = std::nan("");
  kolosal::test::expect_error<kolosal::InvalidArgument>([&] { (void)svc.predict(nan_rows.view()); },
                                                        "is nan");
  Matrix<double> nan_train = d.x_train;
  nan_train(0, 0) = std::nan("");
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { kt::Svr().fit(nan_train.view(), d.y_train); }, "is nan");
  // All weight on one class: nothing to separate.
  std::vector<double> w(d.y_train.size(), 0.0);
  for (std::size_t i = 0; i < w.size(); ++i) w[i] = d.y_train[i] == 0.0 ? 1.0 : 0.0;
  kolosal::test::expect_error<kolosal::InvalidArgument>(
      [&] { kt::Svc().fit(d.x_train.view(), d.y_train, {.sample_weight = w}); },
      "at least two classes");
  // A corrupted state is refused.
  auto state = svc.state();
  state["learned"]["rho"] = json::array({1.0});
  kt::Svc other;
  other.fit(d.x_train.view(), d.y_train);
  kolosal::test::expect_error<kolosal::SerializationError>([&] { other.load_state(state); },
                                                           "inconsistent");
}

TEST_CASE("SVM: the scalar kernel path gives the same solution as the SIMD one",
          "[training][svm]") {
  for (const auto& c : reference()["cases"]) {
    if (c["dataset"] != "breast_cancer" || c["config"].size() != 0) continue;
    const auto simd_model = fit_case(c);
    kolosal::simd::force_level(kolosal::simd::Level::kScalar);
    const auto scalar_model = fit_case(c);
    kolosal::simd::force_level(std::nullopt);
    const auto& a = dynamic_cast<const kt::Svc&>(*simd_model);
    const auto& b = dynamic_cast<const kt::Svc&>(*scalar_model);
    CHECK(a.support() == b.support());
    for (std::size_t s = 0; s < a.dual_coef().cols(); ++s) {
      check_close(a.dual_coef()(0, s), b.dual_coef()(0, s), kRel, 1e-2);
    }
  }
}
