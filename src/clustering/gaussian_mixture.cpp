// SPDX-License-Identifier: MIT
// Gaussian mixture by EM with full, tied, diagonal or spherical covariances, following
// scikit-learn's GaussianMixture (k-means initialisation, reg_covar, lower bound = mean
// log-likelihood, precision Cholesky factors).
#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <Eigen/Cholesky>
#include <Eigen/Core>
#include <nlohmann/json.hpp>

#include "kolosal/clustering/clustering.hpp"
#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

namespace kolosal::clustering {
namespace {

using Mat = Eigen::MatrixXd;
using RowMat = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

Eigen::Map<const RowMat, 0, Eigen::OuterStride<>> as_eigen(MatrixView<const double> x) {
  return {x.data(), static_cast<Eigen::Index>(x.rows()), static_cast<Eigen::Index>(x.cols()),
          Eigen::OuterStride<>(static_cast<Eigen::Index>(x.stride()))};
}

struct Params {
  std::vector<double> weights;
  Mat means;                     // k x d
  std::vector<Mat> covariances;  // k (or 1 when tied) d x d
  std::vector<Mat> prec_chol;    // upper-triangular U with U U^T = covariance^-1
};

// Precision Cholesky factors: cov = L L^T, U = (L^-1)^T.
void precision_cholesky(Params& p, std::string_view who) {
  p.prec_chol.clear();
  for (const auto& cov : p.covariances) {
    Eigen::LLT<Mat> llt(cov);
    KOLOSAL_CHECK(llt.info() == Eigen::Success, InvalidArgument, who,
                  ": a covariance matrix is not positive definite; increase reg_covar or reduce "
                  "n_components");
    const Mat l = llt.matrixL();
    const Mat inv = l.triangularView<Eigen::Lower>().solve(Mat::Identity(cov.rows(), cov.cols()));
    p.prec_chol.push_back(inv.transpose());
  }
}

// M step: weights, means and covariances from responsibilities (n x k).
Params estimate(const RowMat& x, const Mat& resp, double reg, CovarianceType type,
                std::string_view who) {
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  const Eigen::Index k = resp.cols();
  const Eigen::VectorXd nk =
      resp.colwise().sum().transpose().array() + 10.0 * std::numeric_limits<double>::epsilon();
  Params p;
  p.means = (resp.transpose() * x).array().colwise() / nk.array();
  switch (type) {
    case CovarianceType::kFull:
      for (Eigen::Index c = 0; c < k; ++c) {
        const RowMat diff = x.rowwise() - p.means.row(c);
        Mat cov =
            (diff.array().colwise() * resp.col(c).array()).matrix().transpose() * diff / nk(c);
        cov.diagonal().array() += reg;
        p.covariances.push_back(std::move(cov));
      }
      break;
    case CovarianceType::kTied: {
      const Mat avg_x2 = x.transpose() * x;
      const Mat avg_means2 = p.means.transpose() * nk.asDiagonal() * p.means;
      Mat cov = (avg_x2 - avg_means2) / nk.sum();
      cov.diagonal().array() += reg;
      p.covariances.push_back(std::move(cov));
      break;
    }
    case CovarianceType::kDiag:
    case CovarianceType::kSpherical: {
      const Mat avg_x2 =
          (resp.transpose() * x.array().square().matrix()).array().colwise() / nk.array();
      const Mat avg_means2 = p.means.array().square();
      const Mat avg_x_means =
          p.means.array() * ((resp.transpose() * x).array().colwise() / nk.array());
      const Mat diag = (avg_x2 - 2.0 * avg_x_means + avg_means2).array() + reg;
      for (Eigen::Index c = 0; c < k; ++c) {
        Mat cov = Mat::Zero(d, d);
        if (type == CovarianceType::kDiag) {
          cov.diagonal() = diag.row(c).transpose();
        } else {
          cov.diagonal().setConstant(diag.row(c).mean());
        }
        p.covariances.push_back(std::move(cov));
      }
      break;
    }
  }
  p.weights.resize(static_cast<std::size_t>(k));
  for (Eigen::Index c = 0; c < k; ++c) {
    p.weights[static_cast<std::size_t>(c)] = nk(c) / static_cast<double>(n);
  }
  precision_cholesky(p, who);
  return p;
}

// log(weight_c) + log N(x | mean_c, cov_c), n x k.
Mat log_prob_matrix(const RowMat& x, const Params& p) {
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  const auto k = static_cast<Eigen::Index>(p.weights.size());
  Mat out(n, k);
  for (Eigen::Index c = 0; c < k; ++c) {
    const Mat& u = p.prec_chol[p.prec_chol.size() == 1 ? 0 : static_cast<std::size_t>(c)];
    const double log_det = u.diagonal().array().log().sum();
    const Mat y = (x.rowwise() - p.means.row(c)) * u;
    out.col(c) = (-0.5 * (static_cast<double>(d) * std::log(2.0 * std::numbers::pi) +
                          y.rowwise().squaredNorm().array()) +
                  log_det + std::log(p.weights[static_cast<std::size_t>(c)]))
                     .matrix();
  }
  return out;
}

// Per-row log-sum-exp and the log responsibilities (in place).
Eigen::VectorXd normalise(Mat& wlp) {
  Eigen::VectorXd norm(wlp.rows());
  for (Eigen::Index i = 0; i < wlp.rows(); ++i) {
    const double top = wlp.row(i).maxCoeff();
    norm(i) = top + std::log((wlp.row(i).array() - top).exp().sum());
    wlp.row(i).array() -= norm(i);
  }
  return norm;
}

}  // namespace

void GaussianMixture::check_input(MatrixView<const double> x, std::string_view who) const {
  KOLOSAL_CHECK(fitted(), NotFitted, "GaussianMixture::", who, ": not fitted; call fit first");
  KOLOSAL_CHECK(x.cols() == static_cast<std::size_t>(means_.cols()), ShapeMismatch,
                "GaussianMixture::", who, ": x has ", x.cols(),
                " features but the model was fitted on ", means_.cols());
}

GaussianMixture& GaussianMixture::fit(MatrixView<const double> x) {
  config::validate(config_, "GaussianMixture");
  const auto k = static_cast<std::size_t>(config_.n_components);
  KOLOSAL_CHECK(x.rows() >= k && x.rows() >= 2, InvalidArgument,
                "GaussianMixture::fit: n_components is ", k, " but x has only ", x.rows(), " rows");
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      KOLOSAL_CHECK(std::isfinite(x(i, j)), InvalidArgument, "GaussianMixture::fit: x[", i, ", ", j,
                    "] is ", x(i, j), " (features must be finite)");
    }
  }
  const RowMat data = as_eigen(x);
  const Rng root(context_.seed);
  double best_bound = -std::numeric_limits<double>::infinity();
  Params best;
  for (int init = 0; init < config_.n_init; ++init) {
    // Responsibilities from one k-means run.
    KMeans kmeans({.n_clusters = config_.n_components, .n_init = 1});
    kmeans.set_context({.n_threads = 1, .seed = root.split(static_cast<std::uint64_t>(init))()});
    kmeans.fit(x);
    Mat resp = Mat::Zero(data.rows(), static_cast<Eigen::Index>(k));
    for (std::size_t i = 0; i < x.rows(); ++i) {
      resp(static_cast<Eigen::Index>(i), kmeans.labels()[i]) = 1.0;
    }
    Params p =
        estimate(data, resp, config_.reg_covar, config_.covariance_type, "GaussianMixture::fit");
    double bound = -std::numeric_limits<double>::infinity();
    bool converged = false;
    int iter = 0;
    for (iter = 1; iter <= config_.max_iter; ++iter) {
      const double previous = bound;
      Mat log_resp = log_prob_matrix(data, p);
      bound = normalise(log_resp).mean();
      p = estimate(data, log_resp.array().exp().matrix(), config_.reg_covar,
                   config_.covariance_type, "GaussianMixture::fit");
      if (std::abs(bound - previous) < config_.tol) {
        converged = true;
        break;
      }
    }
    if (bound > best_bound || init == 0) {
      best_bound = bound;
      best = std::move(p);
      converged_ = converged;
      n_iter_ = std::min(iter, config_.max_iter);
    }
  }
  lower_bound_ = best_bound;
  const auto d = x.cols();
  weights_ = best.weights;
  means_ = Matrix<double>(k, d);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < d; ++j) {
      means_(c, j) = best.means(static_cast<Eigen::Index>(c), static_cast<Eigen::Index>(j));
    }
  }
  covariances_.clear();
  precision_cholesky_.clear();
  for (std::size_t c = 0; c < best.covariances.size(); ++c) {
    for (std::size_t a = 0; a < d; ++a) {
      for (std::size_t b = 0; b < d; ++b) {
        const auto ia = static_cast<Eigen::Index>(a);
        const auto ib = static_cast<Eigen::Index>(b);
        covariances_.push_back(best.covariances[c](ia, ib));
        precision_cholesky_.push_back(best.prec_chol[c](ia, ib));
      }
    }
  }
  return *this;
}

Matrix<double> GaussianMixture::weighted_log_prob(MatrixView<const double> x) const {
  const std::size_t k = weights_.size();
  const auto d = static_cast<Eigen::Index>(means_.cols());
  Params p;
  p.weights = weights_;
  p.means = Eigen::Map<const RowMat>(means_.data(), static_cast<Eigen::Index>(k), d);
  const std::size_t blocks = precision_cholesky_.size() / static_cast<std::size_t>(d * d);
  for (std::size_t c = 0; c < blocks; ++c) {
    p.prec_chol.push_back(Eigen::Map<const RowMat>(
        precision_cholesky_.data() + c * static_cast<std::size_t>(d * d), d, d));
  }
  const Mat wlp = log_prob_matrix(RowMat(as_eigen(x)), p);
  Matrix<double> out(x.rows(), k);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    for (std::size_t c = 0; c < k; ++c) {
      out(i, c) = wlp(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c));
    }
  }
  return out;
}

std::vector<double> GaussianMixture::score_samples(MatrixView<const double> x) const {
  check_input(x, "score_samples");
  const auto wlp = weighted_log_prob(x);
  std::vector<double> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const auto row = wlp.row(i);
    const double top = *std::max_element(row.begin(), row.end());
    double s = 0.0;
    for (double v : row) s += std::exp(v - top);
    out[i] = top + std::log(s);
  }
  return out;
}

double GaussianMixture::score(MatrixView<const double> x) const {
  const auto s = score_samples(x);
  double total = 0.0;
  for (double v : s) total += v;
  return total / static_cast<double>(s.size());
}

Matrix<double> GaussianMixture::predict_proba(MatrixView<const double> x) const {
  check_input(x, "predict_proba");
  auto wlp = weighted_log_prob(x);
  for (std::size_t i = 0; i < x.rows(); ++i) {
    auto row = wlp.row(i);
    const double top = *std::max_element(row.begin(), row.end());
    double s = 0.0;
    for (double& v : row) s += v = std::exp(v - top);
    for (double& v : row) v /= s;
  }
  return wlp;
}

std::vector<int> GaussianMixture::predict(MatrixView<const double> x) const {
  check_input(x, "predict");
  const auto wlp = weighted_log_prob(x);
  std::vector<int> out(x.rows());
  for (std::size_t i = 0; i < x.rows(); ++i) {
    const auto row = wlp.row(i);
    out[i] = static_cast<int>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

std::size_t GaussianMixture::parameter_count() const noexcept {
  const std::size_t k = weights_.size();
  const auto d = static_cast<std::size_t>(means_.cols());
  std::size_t cov = 0;
  switch (config_.covariance_type) {
    case CovarianceType::kFull:
      cov = k * d * (d + 1) / 2;
      break;
    case CovarianceType::kTied:
      cov = d * (d + 1) / 2;
      break;
    case CovarianceType::kDiag:
      cov = k * d;
      break;
    case CovarianceType::kSpherical:
      cov = k;
      break;
  }
  return cov + k * d + k - 1;
}

double GaussianMixture::bic(MatrixView<const double> x) const {
  const auto n = static_cast<double>(x.rows());
  return -2.0 * score(x) * n + static_cast<double>(parameter_count()) * std::log(n);
}

double GaussianMixture::aic(MatrixView<const double> x) const {
  return -2.0 * score(x) * static_cast<double>(x.rows()) +
         2.0 * static_cast<double>(parameter_count());
}

nlohmann::json GaussianMixture::state() const {
  KOLOSAL_CHECK(fitted(), NotFitted, "GaussianMixture::state: not fitted; call fit first");
  return {{"config", config::to_json(config_)},
          {"n_features", means_.cols()},
          {"weights", weights_},
          {"means", means_.values()},
          {"covariances", covariances_},
          {"precision_cholesky", precision_cholesky_},
          {"converged", converged_},
          {"n_iter", n_iter_},
          {"lower_bound", lower_bound_}};
}

void GaussianMixture::load_state(const nlohmann::json& state) {
  try {
    const auto cfg = config::from_json<GaussianMixtureConfig>(state.at("config"));
    const auto d = state.at("n_features").get<std::size_t>();
    const auto k = static_cast<std::size_t>(cfg.n_components);
    auto weights = state.at("weights").get<std::vector<double>>();
    const auto means = state.at("means").get<std::vector<double>>();
    auto cov = state.at("covariances").get<std::vector<double>>();
    auto prec = state.at("precision_cholesky").get<std::vector<double>>();
    const std::size_t blocks = cfg.covariance_type == CovarianceType::kTied ? 1 : k;
    KOLOSAL_CHECK(d > 0 && weights.size() == k && means.size() == k * d &&
                      cov.size() == blocks * d * d && prec.size() == blocks * d * d,
                  SerializationError, "GaussianMixture::load_state: parameter sizes do not match ",
                  k, " components of ", d, " features");
    config_ = cfg;
    weights_ = std::move(weights);
    means_ = Matrix<double>(k, d);
    std::copy(means.begin(), means.end(), means_.data());
    covariances_ = std::move(cov);
    precision_cholesky_ = std::move(prec);
    converged_ = state.at("converged").get<bool>();
    n_iter_ = state.at("n_iter").get<int>();
    lower_bound_ = state.at("lower_bound").get<double>();
  } catch (const nlohmann::json::exception& e) {
    KOLOSAL_THROW(SerializationError, "GaussianMixture::load_state: malformed state (", e.what(),
                  ")");
  }
}

}  // namespace kolosal::clustering
