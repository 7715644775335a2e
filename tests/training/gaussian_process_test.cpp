// SPDX-License-Identifier: MIT
// Tests of Gaussian process regression against scikit-learn 1.2.1
// (tests/reference/gaussian_process.json).
#include "kolosal/training/gaussian_process.hpp"

#include <fstream>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/training/registry.hpp"

#include "test_util.hpp"
#include "training/zoo_data.hpp"

namespace kt = kolosal::training;
using nlohmann::json;

namespace {

struct GpData {
  kolosal::Matrix<double> x;
  std::vector<double> y;
  kolosal::Matrix<double> x_query;
};

GpData gp_data(const std::string& name, const json& ref) {
  GpData out;
  if (name == "sine") {
    const auto xs = ref["sine"]["x"].get<std::vector<double>>();
    const auto xq = ref["sine"]["x_query"].get<std::vector<double>>();
    out.x = kolosal::Matrix<double>(xs.size(), 1);
    for (std::size_t i = 0; i < xs.size(); ++i) out.x(i, 0) = xs[i];
    out.y = ref["sine"]["y"].get<std::vector<double>>();
    out.x_query = kolosal::Matrix<double>(xq.size(), 1);
    for (std::size_t i = 0; i < xq.size(); ++i) out.x_query(i, 0) = xq[i];
    return out;
  }
  const auto data = kolosal::test::load_zoo("diabetes");
  const std::size_t d = data.x_train.cols();
  out.x = kolosal::Matrix<double>(120, d);
  for (std::size_t i = 0; i < 120; ++i) {
    std::copy(data.x_train.row(i).begin(), data.x_train.row(i).end(), out.x.row(i).begin());
  }
  out.y.assign(data.y_train.begin(), data.y_train.begin() + 120);
  out.x_query = kolosal::Matrix<double>(40, d);
  for (std::size_t i = 0; i < 40; ++i) {
    std::copy(data.x_test.row(i).begin(), data.x_test.row(i).end(), out.x_query.row(i).begin());
  }
  return out;
}

json gp_reference() {
  std::ifstream in(kolosal::test::reference_path("gaussian_process.json"));
  return json::parse(in);
}

void check_gp_cases(bool slow) {
  const json ref = gp_reference();
  for (const auto& c : ref["cases"]) {
    // One length scale per feature makes the anisotropic fit the slowest: the slow suite runs it.
    if (c["config"].value("anisotropic", false) != slow) continue;
    INFO(c["dataset"].get<std::string>()
         << " " << c["config"].dump() << " sklearn " << c["kernel"].get<std::string>());
    const auto data = gp_data(c["dataset"].get<std::string>(), ref);
    kt::GaussianProcessRegressor model(
        kolosal::config::from_json<kt::GaussianProcessRegressorConfig>(c["config"]));
    model.fit(data.x.view(), data.y);
    const bool flat = c["config"].value("anisotropic", false);
    // The same maximum of the marginal likelihood (both optimisers stop at about 1e-5 gradients;
    // the anisotropic case has length scales on a flat ridge, hence its looser tolerance).
    CHECK(model.log_marginal_likelihood() ==
          Approx(c["log_marginal_likelihood"].get<double>()).margin(flat ? 0.05 : 1e-3));
    const auto mean = model.predict(data.x_query.view());
    const auto std = model.predict_std(data.x_query.view());
    const auto ref_mean = c["predict"].get<std::vector<double>>();
    const auto ref_std = c["std"].get<std::vector<double>>();
    const double scale = c["dataset"] == "sine" ? 1.0 : 70.0;  // diabetes targets span ~300
    for (std::size_t i = 0; i < mean.size(); ++i) {
      CHECK(mean[i] == Approx(ref_mean[i]).margin((flat ? 0.05 : 0.005) * scale));
      CHECK(std[i] == Approx(ref_std[i]).margin((flat ? 0.05 : 0.005) * scale));
    }
  }
}

}  // namespace

TEST_CASE("Gaussian process: scikit-learn's likelihood, predictions and std", "[training][gp]") {
  check_gp_cases(false);
}

TEST_CASE("Gaussian process: scikit-learn's fit with one length scale per feature",
          "[training][gp][.slow]") {
  check_gp_cases(true);
}

TEST_CASE("Gaussian process: fixed kernels, save, load and configs", "[training][gp]") {
  const json ref = gp_reference();
  const auto data = gp_data("sine", ref);
  // A fixed kernel on two points against the closed form: K = [[1 + s, e], [e, 1 + s]] with
  // e = exp(-1/2); y = (1, -1) is an eigenvector, so weights = y / (1 + s - e).
  const double noise = 0.01;
  kt::GaussianProcessRegressor fixed({.noise_level = noise, .optimize = false});
  kolosal::Matrix<double> two(2, 1);
  two(1, 0) = 1.0;
  fixed.fit(two.view(), std::vector<double>{1.0, -1.0});
  CHECK(fixed.hyperparameters() == std::vector<double>{1.0, 1.0, noise});
  const double e = std::exp(-0.5);
  const double scale = 1.0 / (1.0 + noise + 1e-10 - e);
  kolosal::Matrix<double> query(2, 1);
  query(0, 0) = 0.5;
  const auto mean = fixed.predict(query.view());
  CHECK(mean[0] == Approx(0.0).margin(1e-12));
  CHECK(mean[1] == Approx((1.0 - e) * scale).epsilon(1e-9));
  // var(0) = 1 + s - k^T K^-1 k with k = (1, e): K^-1 k via the eigen-decomposition of K.
  const double plus = 1.0 + noise + 1e-10 + e;
  const double minus = 1.0 + noise + 1e-10 - e;
  const double quad = (1.0 + e) * (1.0 + e) / (2.0 * plus) + (1.0 - e) * (1.0 - e) / (2.0 * minus);
  CHECK(fixed.predict_std(query.view())[1] == Approx(std::sqrt(1.0 + noise - quad)).epsilon(1e-6));

  kt::GaussianProcessRegressor model(
      {.kernel = kt::GpKernel::kMatern, .nu = 2.5, .n_restarts_optimizer = 2});
  model.fit(data.x.view(), data.y);
  kolosal::test::TempDir dir;
  kt::save_model(model, dir / "gp.kolosal");
  const auto loaded = kt::load_model(dir / "gp.kolosal");
  CHECK(loaded->predict(data.x_query.view()) == model.predict(data.x_query.view()));
  CHECK(dynamic_cast<const kt::GaussianProcessRegressor&>(*loaded).predict_std(
            data.x_query.view()) == model.predict_std(data.x_query.view()));
  CHECK(model.clone()->predict(data.x_query.view()) == model.predict(data.x_query.view()));

  kt::GaussianProcessRegressorConfig c{.kernel = kt::GpKernel::kMatern,
                                       .nu = 0.5,
                                       .anisotropic = true,
                                       .alpha = 1e-6,
                                       .normalize_y = true,
                                       .n_restarts_optimizer = 3};
  CHECK(kolosal::config::from_json<kt::GaussianProcessRegressorConfig>(
            kolosal::config::to_json(c)) == c);
  CHECK_THROWS_WITH(
      kt::make_model("gaussian_process_regressor", json{{"kernel", "matern"}, {"nu", 2.0}}),
      "GaussianProcessRegressorConfig: nu must be 0.5, 1.5 or 2.5, got 2");
  CHECK_THROWS_WITH(kt::make_model("gaussian_process_regressor", json{{"length_scale", -1}}),
                    "GaussianProcessRegressorConfig: length_scale must be > 0, got -1");
  std::vector<double> w(data.y.size(), 1.0);
  CHECK_THROWS_WITH(model.fit(data.x.view(), data.y, {.sample_weight = w}),
                    "GaussianProcessRegressor::fit: sample weights are not supported");
}
