// SPDX-License-Identifier: MIT
// A Gaussian process with an ARD Matérn 5/2 kernel on standardised targets, shared by the GP and
// ASHT samplers; private to src/optimizer.
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

#include <Eigen/Cholesky>
#include <Eigen/Core>

#include "lbfgs.hpp"

namespace kolosal::optimizer::detail {

inline double normal_pdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2.0 * std::numbers::pi);
}
inline double normal_cdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

inline const double kSqrt5 = std::sqrt(5.0);

/// A fitted GP on standardised targets.
class Gp {
 public:
  // theta = (log lengthscale_1..d, log signal variance, log noise variance).
  Gp(Eigen::MatrixXd x, Eigen::VectorXd y) : x_(std::move(x)), y_(std::move(y)) {}

  [[nodiscard]] std::size_t dim() const { return static_cast<std::size_t>(x_.cols()); }

  // Negative log marginal likelihood and its gradient in theta (Rasmussen & Williams, 2006,
  // eq. 5.9).
  double nll(const std::vector<double>& theta, std::vector<double>& grad) const {
    const auto n = x_.rows();
    const auto d = x_.cols();
    const double s2 = std::exp(theta[d]);
    const double noise = std::exp(theta[d + 1]);
    Eigen::MatrixXd k(n, n);
    std::vector<Eigen::MatrixXd> dk(d, Eigen::MatrixXd(n, n));
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j) {
        double r2 = 0.0;
        for (Eigen::Index t = 0; t < d; ++t) {
          const double u = (x_(i, t) - x_(j, t)) / std::exp(theta[t]);
          r2 += u * u;
        }
        const double r = std::sqrt(r2);
        const double e = std::exp(-kSqrt5 * r);
        k(i, j) = k(j, i) = s2 * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * e;
        const double common = 5.0 / 3.0 * s2 * (1.0 + kSqrt5 * r) * e;
        for (Eigen::Index t = 0; t < d; ++t) {
          const double u = (x_(i, t) - x_(j, t)) / std::exp(theta[t]);
          dk[t](i, j) = dk[t](j, i) = common * u * u;
        }
      }
    }
    Eigen::MatrixXd ks = k;
    k.diagonal().array() += noise + 1e-10;
    const Eigen::LLT<Eigen::MatrixXd> llt(k);
    if (llt.info() != Eigen::Success) {
      std::fill(grad.begin(), grad.end(), 0.0);
      return std::numeric_limits<double>::infinity();
    }
    const Eigen::VectorXd alpha = llt.solve(y_);
    const Eigen::MatrixXd kinv = llt.solve(Eigen::MatrixXd::Identity(n, n));
    const Eigen::MatrixXd w = alpha * alpha.transpose() - kinv;
    double logdet = 0.0;
    for (Eigen::Index i = 0; i < n; ++i) logdet += 2.0 * std::log(llt.matrixL()(i, i));
    for (Eigen::Index t = 0; t < d; ++t) grad[t] = -0.5 * (w.cwiseProduct(dk[t])).sum();
    grad[d] = -0.5 * (w.cwiseProduct(ks)).sum();
    grad[d + 1] = -0.5 * noise * w.trace();
    return 0.5 * y_.dot(alpha) + 0.5 * logdet +
           0.5 * static_cast<double>(n) * std::log(2.0 * std::numbers::pi);
  }

  void fit() {
    const auto d = static_cast<std::size_t>(x_.cols());
    std::vector<double> theta(d + 2, std::log(0.5));
    theta[d] = 0.0;
    theta[d + 1] = std::log(1e-3);
    std::vector<double> lo(d + 2, std::log(0.03));
    std::vector<double> hi(d + 2, std::log(5.0));
    lo[d] = std::log(0.05);
    hi[d] = std::log(20.0);
    lo[d + 1] = std::log(1e-6);
    hi[d + 1] = std::log(0.5);
    minimize_lbfgs([&](const auto& th, auto& g) { return nll(th, g); }, theta, lo, hi, 60);
    set_theta(theta);
  }

  void set_theta(const std::vector<double>& theta) {
    const auto n = x_.rows();
    const auto d = x_.cols();
    inv_l2_.resize(d);
    for (Eigen::Index t = 0; t < d; ++t) inv_l2_[t] = std::exp(-2.0 * theta[t]);
    s2_ = std::exp(theta[d]);
    Eigen::MatrixXd k(n, n);
    for (Eigen::Index i = 0; i < n; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j) k(i, j) = k(j, i) = kernel(x_.row(i), x_.row(j));
    }
    k.diagonal().array() += std::exp(theta[d + 1]) + 1e-8;
    llt_.compute(k);
    alpha_ = llt_.solve(y_);
  }

  // Posterior mean and standard deviation at x with their gradients.
  void predict(const std::vector<double>& x, double& mean, double& sd, std::vector<double>* dmean,
               std::vector<double>* dsd) const {
    const auto n = x_.rows();
    const auto d = x_.cols();
    Eigen::VectorXd ks(n);
    Eigen::MatrixXd dks(n, d);
    for (Eigen::Index i = 0; i < n; ++i) {
      double r2 = 0.0;
      for (Eigen::Index t = 0; t < d; ++t) {
        const double u = x[static_cast<std::size_t>(t)] - x_(i, t);
        r2 += u * u * inv_l2_[t];
      }
      const double r = std::sqrt(r2);
      const double e = std::exp(-kSqrt5 * r);
      ks[i] = s2_ * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * e;
      const double common = -5.0 / 3.0 * s2_ * (1.0 + kSqrt5 * r) * e;
      for (Eigen::Index t = 0; t < d; ++t) {
        dks(i, t) = common * (x[static_cast<std::size_t>(t)] - x_(i, t)) * inv_l2_[t];
      }
    }
    mean = ks.dot(alpha_);
    const Eigen::VectorXd v = llt_.solve(ks);
    const double var = std::max(s2_ - ks.dot(v), 1e-12);
    sd = std::sqrt(var);
    if (dmean && dsd) {
      const Eigen::VectorXd dm = dks.transpose() * alpha_;
      const Eigen::VectorXd dv = -2.0 * dks.transpose() * v;
      for (Eigen::Index t = 0; t < d; ++t) {
        (*dmean)[static_cast<std::size_t>(t)] = dm[t];
        (*dsd)[static_cast<std::size_t>(t)] = dv[t] / (2.0 * sd);
      }
    }
  }

 private:
  double kernel(const Eigen::RowVectorXd& a, const Eigen::RowVectorXd& b) const {
    double r2 = 0.0;
    for (Eigen::Index t = 0; t < a.size(); ++t) r2 += (a[t] - b[t]) * (a[t] - b[t]) * inv_l2_[t];
    const double r = std::sqrt(r2);
    return s2_ * (1.0 + kSqrt5 * r + 5.0 / 3.0 * r2) * std::exp(-kSqrt5 * r);
  }

  Eigen::MatrixXd x_;
  Eigen::VectorXd y_;
  Eigen::VectorXd inv_l2_;
  double s2_ = 1.0;
  Eigen::LLT<Eigen::MatrixXd> llt_;
  Eigen::VectorXd alpha_;
};

}  // namespace kolosal::optimizer::detail
