// SPDX-License-Identifier: MIT
// Replays tests/reference/metrics.json: every metric against scikit-learn 1.2.1's values.
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "kolosal/metrics/classification.hpp"
#include "kolosal/metrics/regression.hpp"

#include "test_util.hpp"

namespace {

using nlohmann::json;
namespace km = kolosal::metrics;

/// Relative tolerance against scikit-learn. Both sides evaluate the same formulas in double, but
/// numpy sums pairwise and sorts in its own order, so the last bits may differ: in practice all
/// cases agree within 1e-15 relative except micro-averaged one-vs-rest AUC (a long sum in a
/// different order). Metrics of the form 1 − ratio (Cohen's kappa, R²) that are 0 up to rounding
/// carry an error of an ulp of 1 (kolosal 1.1e-16 where scikit-learn has 0), which no relative
/// tolerance covers: an absolute floor of 1e-15 does. Non-finite values compare exactly.
constexpr double kRelTol = 1e-12;
constexpr double kAbsTol = 1e-15;

/// A reference value: a number, or "nan", "inf", "-inf".
double reference_value(const json& value) {
  if (!value.is_string()) return value.get<double>();
  const std::string text = value.get<std::string>();
  if (text == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (text == "inf") return std::numeric_limits<double>::infinity();
  if (text == "-inf") return -std::numeric_limits<double>::infinity();
  FAIL("bad reference value " << text);
  return 0.0;
}

bool close(double actual, double expected) {
  if (std::isnan(expected)) return std::isnan(actual);
  if (std::isinf(expected)) return actual == expected;
  return std::abs(actual - expected) <=
         kRelTol * std::max(std::abs(actual), std::abs(expected)) + kAbsTol;
}

/// Inputs of one case, owning their storage.
class Inputs {
 public:
  Inputs(const json& arrays, const json& roles) {
    for (const auto& [role, id] : roles.items()) values_[role] = arrays.at(id.get<std::string>());
  }

  [[nodiscard]] bool has(const std::string& role) const { return values_.count(role) > 0; }

  [[nodiscard]] std::vector<int> ints(const std::string& role) const {
    return values_.at(role).get<std::vector<int>>();
  }
  [[nodiscard]] std::vector<double> doubles(const std::string& role) const {
    if (!has(role)) return {};
    return values_.at(role).get<std::vector<double>>();
  }
  /// A list of rows as a row-major matrix.
  [[nodiscard]] kolosal::Matrix<double> matrix(const std::string& role) const {
    const json& rows = values_.at(role);
    kolosal::Matrix<double> m(rows.size(), rows.at(0).size());
    for (std::size_t r = 0; r < m.rows(); ++r) {
      for (std::size_t c = 0; c < m.cols(); ++c) m(r, c) = rows[r][c].get<double>();
    }
    return m;
  }

 private:
  std::map<std::string, json> values_;
};

km::Average parse_average(const json& params) {
  const std::string name = params.value("average", "binary");
  if (name == "binary") return km::Average::kBinary;
  if (name == "micro") return km::Average::kMicro;
  if (name == "macro") return km::Average::kMacro;
  if (name == "weighted") return km::Average::kWeighted;
  FAIL("unknown average " << name);
  return km::Average::kBinary;
}

/// The value kolosal computes for a case: a 1 × 1 matrix for scalar metrics.
kolosal::Matrix<double> evaluate(const std::string& metric, const Inputs& in, const json& params) {
  const auto scalar = [](double v) { return kolosal::Matrix<double>(1, 1, v); };
  const std::vector<double> w = in.doubles("sample_weight");
  std::vector<int> labels;
  if (params.contains("labels")) labels = params["labels"].get<std::vector<int>>();

  if (metric == "precision" || metric == "recall" || metric == "f1" || metric == "fbeta") {
    km::PrfOptions options;
    options.average = parse_average(params);
    options.pos_label = params.value("pos_label", 1);
    options.labels = labels;
    const json& zd = params.at("zero_division");
    options.zero_division = zd.is_string() ? 0.0 : zd.get<double>();
    const auto yt = in.ints("y_true");
    const auto yp = in.ints("y_pred");
    if (metric == "precision") return scalar(km::precision(yt, yp, w, options));
    if (metric == "recall") return scalar(km::recall(yt, yp, w, options));
    if (metric == "f1") return scalar(km::f1(yt, yp, w, options));
    return scalar(km::fbeta(yt, yp, params.at("beta").get<double>(), w, options));
  }
  if (metric == "accuracy") return scalar(km::accuracy(in.ints("y_true"), in.ints("y_pred"), w));
  if (metric == "balanced_accuracy") {
    return scalar(km::balanced_accuracy(in.ints("y_true"), in.ints("y_pred"), w,
                                        params.at("adjusted").get<bool>()));
  }
  if (metric == "matthews_corrcoef") {
    return scalar(km::matthews_corrcoef(in.ints("y_true"), in.ints("y_pred"), w));
  }
  if (metric == "cohen_kappa") {
    const std::string weights = params.value("weights", "none");
    const km::KappaWeights kw = weights == "linear"      ? km::KappaWeights::kLinear
                                : weights == "quadratic" ? km::KappaWeights::kQuadratic
                                                         : km::KappaWeights::kNone;
    return scalar(km::cohen_kappa(in.ints("y1"), in.ints("y2"), w, kw, labels));
  }
  if (metric == "confusion_matrix") {
    const std::string normalize = params.value("normalize", "none");
    const km::Normalize nz = normalize == "true"   ? km::Normalize::kTrue
                             : normalize == "pred" ? km::Normalize::kPred
                             : normalize == "all"  ? km::Normalize::kAll
                                                   : km::Normalize::kNone;
    return km::confusion_matrix(in.ints("y_true"), in.ints("y_pred"), w, labels, nz);
  }
  if (metric == "roc_auc") return scalar(km::roc_auc(in.ints("y_true"), in.doubles("y_score"), w));
  if (metric == "average_precision") {
    return scalar(km::average_precision(in.ints("y_true"), in.doubles("y_score"), w,
                                        params.at("pos_label").get<int>()));
  }
  if (metric == "roc_auc_ovr") {
    const kolosal::Matrix<double> proba = in.matrix("y_proba");
    return scalar(km::roc_auc_ovr(in.ints("y_true"), proba.view(), w, parse_average(params)));
  }
  if (metric == "log_loss") {
    const kolosal::Matrix<double> proba = in.matrix("y_proba");
    return scalar(km::log_loss(in.ints("y_true"), proba.view(), w,
                               params.value("eps", km::kLogLossEps),
                               params.at("normalize").get<bool>()));
  }
  if (metric == "log_loss_binary") {
    return scalar(km::log_loss(in.ints("y_true"), in.doubles("y_proba"), w));
  }
  if (metric == "brier_score_loss") {
    std::optional<int> pos_label;
    if (params.contains("pos_label")) pos_label = params["pos_label"].get<int>();
    return scalar(km::brier_score_loss(in.ints("y_true"), in.doubles("y_prob"), w, pos_label));
  }

  const auto yt = in.doubles("y_true");
  const auto yp = in.doubles("y_pred");
  if (metric == "mean_squared_error") return scalar(km::mean_squared_error(yt, yp, w));
  if (metric == "root_mean_squared_error") return scalar(km::root_mean_squared_error(yt, yp, w));
  if (metric == "mean_absolute_error") return scalar(km::mean_absolute_error(yt, yp, w));
  if (metric == "mean_absolute_percentage_error") {
    return scalar(km::mean_absolute_percentage_error(yt, yp, w));
  }
  if (metric == "median_absolute_error") return scalar(km::median_absolute_error(yt, yp, w));
  if (metric == "r2") return scalar(km::r2(yt, yp, w, params.at("force_finite").get<bool>()));
  if (metric == "explained_variance") {
    return scalar(km::explained_variance(yt, yp, w, params.at("force_finite").get<bool>()));
  }
  FAIL("no kolosal function for reference metric " << metric);
  return {};
}

json load_reference() {
  std::ifstream file(kolosal::test::reference_path("metrics.json"));
  REQUIRE(file.good());
  return json::parse(file);
}

}  // namespace

TEST_CASE("metrics: every metric matches scikit-learn's reference values", "[metrics]") {
  const json reference = load_reference();
  CHECK(reference.at("sklearn_version") == "1.2.1");
  const json& arrays = reference.at("arrays");
  const json& cases = reference.at("cases");
  REQUIRE(cases.size() > 500);
  std::map<std::string, int> checked;
  for (const json& c : cases) {
    const std::string name = c.at("name");
    const std::string metric = c.at("metric");
    INFO("case " << name);
    const Inputs inputs(arrays, c.at("inputs"));
    const kolosal::Matrix<double> actual = evaluate(metric, inputs, c.at("params"));
    const json& expected = c.at("expected");
    if (expected.is_array()) {
      REQUIRE(actual.rows() == expected.size());
      for (std::size_t r = 0; r < actual.rows(); ++r) {
        REQUIRE(actual.cols() == expected[r].size());
        for (std::size_t col = 0; col < actual.cols(); ++col) {
          INFO("cell (" << r << ", " << col << ")");
          CHECK(close(actual(r, col), reference_value(expected[r][col])));
        }
      }
    } else {
      const double want = reference_value(expected);
      INFO("kolosal " << actual(0, 0) << " vs scikit-learn " << want);
      CHECK(close(actual(0, 0), want));
    }
    ++checked[metric];
  }
  // Every metric the generator knows is exercised, so a renamed metric cannot silently vanish.
  for (const char* metric : {"accuracy",
                             "balanced_accuracy",
                             "precision",
                             "recall",
                             "f1",
                             "fbeta",
                             "matthews_corrcoef",
                             "cohen_kappa",
                             "confusion_matrix",
                             "roc_auc",
                             "roc_auc_ovr",
                             "average_precision",
                             "log_loss",
                             "log_loss_binary",
                             "brier_score_loss",
                             "mean_squared_error",
                             "root_mean_squared_error",
                             "mean_absolute_error",
                             "mean_absolute_percentage_error",
                             "median_absolute_error",
                             "r2",
                             "explained_variance"}) {
    INFO("metric " << metric);
    CHECK(checked[metric] > 0);
  }
}
