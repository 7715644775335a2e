// SPDX-License-Identifier: MIT
// Naive Bayes fitting (weighted class statistics with additive smoothing) and prediction through
// the joint log-likelihood, following scikit-learn's sklearn.naive_bayes.
#include "kolosal/training/naive_bayes.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"

namespace kolosal::training {
namespace {

constexpr double kMinAlpha = 1e-10;
// log(0), kept finite so that saved states stay valid JSON.
constexpr double kLogZero = -1e300;

double weight_of(std::span<const double> w, std::size_t i) { return w.empty() ? 1.0 : w[i]; }

std::size_t label(double v) { return static_cast<std::size_t>(v); }

std::vector<double> class_counts(std::span<const double> y, std::span<const double> w,
                                 std::size_t k) {
  std::vector<double> out(k, 0.0);
  for (std::size_t i = 0; i < y.size(); ++i) out[label(y[i])] += weight_of(w, i);
  return out;
}

nlohmann::json matrix_json(const Matrix<double>& m) { return m.values(); }

Matrix<double> matrix_from(const nlohmann::json& state, const char* key, std::size_t rows,
                           std::size_t cols, std::string_view who) {
  const auto values = state.at(key).get<std::vector<double>>();
  KOLOSAL_CHECK(values.size() == rows * cols, SerializationError, who, "::load_state: ", key,
                " has ", values.size(), " values, expected ", rows * cols);
  Matrix<double> m(rows, cols);
  std::copy(values.begin(), values.end(), m.data());
  return m;
}

void check_counts(MatrixView<const double> x, std::string_view who) {
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      KOLOSAL_CHECK(x(r, j) >= 0.0, InvalidArgument, who, ": x[", r, ", ", j, "] is ", x(r, j),
                    " (counts must be >= 0)");
    }
  }
}

}  // namespace

// ---------------------------------------------------------------------------- shared base

void NaiveBayesBase::set_priors(const std::vector<double>& class_count,
                                const std::vector<double>& fixed, bool fit_prior,
                                std::string_view who) {
  const std::size_t k = class_count.size();
  class_log_prior_.assign(k, 0.0);
  if (!fixed.empty()) {
    KOLOSAL_CHECK(fixed.size() == k, ConfigError, who, ": ", fixed.size(), " class priors for ", k,
                  " classes");
    double total = 0.0;
    for (double p : fixed) total += p;
    KOLOSAL_CHECK(std::abs(total - 1.0) < 1e-8, ConfigError, who,
                  ": class priors must sum to 1, got ", total);
    for (std::size_t c = 0; c < k; ++c) {
      class_log_prior_[c] = fixed[c] > 0.0 ? std::log(fixed[c]) : kLogZero;
    }
  } else if (fit_prior) {
    double total = 0.0;
    for (double v : class_count) total += v;
    for (std::size_t c = 0; c < k; ++c) {
      class_log_prior_[c] = class_count[c] > 0.0 ? std::log(class_count[c] / total) : kLogZero;
    }
  } else {
    std::fill(class_log_prior_.begin(), class_log_prior_.end(), -std::log(static_cast<double>(k)));
  }
}

Matrix<double> NaiveBayesBase::joint_log_likelihood(MatrixView<const double> x) const {
  KOLOSAL_CHECK(fitted(), NotFitted, name(), "::joint_log_likelihood: the model is not fitted");
  KOLOSAL_CHECK(x.cols() == n_features(), ShapeMismatch, name(), "::joint_log_likelihood: x has ",
                x.cols(), " features but the model was fitted on ", n_features());
  Matrix<double> out(x.rows(), class_log_prior_.size());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    std::copy(class_log_prior_.begin(), class_log_prior_.end(), out.row(r).begin());
  }
  add_log_likelihood(x, out);
  return out;
}

std::vector<double> NaiveBayesBase::do_predict(MatrixView<const double> x) const {
  const Matrix<double> jll = joint_log_likelihood(x);
  std::vector<double> out(x.rows());
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const auto row = jll.row(r);
    out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
  }
  return out;
}

Matrix<double> NaiveBayesBase::do_predict_proba(MatrixView<const double> x) const {
  Matrix<double> proba = joint_log_likelihood(x);
  for (std::size_t r = 0; r < proba.rows(); ++r) {
    auto row = proba.row(r);
    const double top = *std::max_element(row.begin(), row.end());
    double sum = 0.0;
    for (auto& v : row) sum += v = std::exp(v - top);
    for (auto& v : row) v /= sum;
  }
  return proba;
}

// ---------------------------------------------------------------------------- Gaussian

nlohmann::json GaussianNb::config() const { return config::to_json(config_); }

void GaussianNb::do_fit(MatrixView<const double> x, std::span<const double> y,
                        const FitOptions& options) {
  config::validate(config_, "GaussianNb");
  const std::size_t k = n_classes();
  const std::size_t p = x.cols();
  const std::size_t n = x.rows();
  const auto w = options.sample_weight;
  // Smoothing: a share of the largest (unweighted) feature variance.
  double max_var = 0.0;
  for (std::size_t j = 0; j < p; ++j) {
    double mean = 0.0;
    for (std::size_t r = 0; r < n; ++r) mean += x(r, j);
    mean /= static_cast<double>(n);
    double var = 0.0;
    for (std::size_t r = 0; r < n; ++r) var += (x(r, j) - mean) * (x(r, j) - mean);
    max_var = std::max(max_var, var / static_cast<double>(n));
  }
  const double epsilon = config_.var_smoothing * max_var;
  const std::vector<double> count = class_counts(y, w, k);
  theta_ = Matrix<double>(k, p, 0.0);
  var_ = Matrix<double>(k, p, 0.0);
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t c = label(y[r]);
    for (std::size_t j = 0; j < p; ++j) theta_(c, j) += weight_of(w, r) * x(r, j);
  }
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < p; ++j)
      theta_(c, j) = count[c] > 0.0 ? theta_(c, j) / count[c] : 0.0;
  }
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t c = label(y[r]);
    for (std::size_t j = 0; j < p; ++j) {
      const double d = x(r, j) - theta_(c, j);
      var_(c, j) += weight_of(w, r) * d * d;
    }
  }
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < p; ++j) {
      var_(c, j) = (count[c] > 0.0 ? var_(c, j) / count[c] : 0.0) + epsilon;
      // A constant feature with no smoothing would give an infinite density.
      KOLOSAL_CHECK(var_(c, j) > 0.0, InvalidArgument, "GaussianNb::fit: feature ", j,
                    " has zero variance in class ", c, "; set var_smoothing > 0");
    }
  }
  set_priors(count, config_.priors, true, "GaussianNb");
}

void GaussianNb::add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const {
  const std::size_t k = theta_.rows();
  const std::size_t p = theta_.cols();
  std::vector<double> norm(k, 0.0);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < p; ++j)
      norm[c] -= 0.5 * std::log(2.0 * std::numbers::pi * var_(c, j));
  }
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t c = 0; c < k; ++c) {
      double quad = 0.0;
      for (std::size_t j = 0; j < p; ++j) {
        const double d = x(r, j) - theta_(c, j);
        quad += d * d / var_(c, j);
      }
      out(r, c) += norm[c] - 0.5 * quad;
    }
  }
}

nlohmann::json GaussianNb::do_state() const {
  return {{"class_log_prior", class_log_prior_},
          {"theta", matrix_json(theta_)},
          {"var", matrix_json(var_)}};
}

void GaussianNb::do_load_state(const nlohmann::json& state) {
  theta_ = matrix_from(state, "theta", n_classes(), n_features(), name());
  var_ = matrix_from(state, "var", n_classes(), n_features(), name());
  class_log_prior_ = matrix_from(state, "class_log_prior", 1, n_classes(), name()).values();
}

// ---------------------------------------------------------------------------- multinomial

nlohmann::json MultinomialNb::config() const { return config::to_json(config_); }

void MultinomialNb::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  config::validate(config_, "MultinomialNb");
  check_counts(x, "MultinomialNb::fit");
  const std::size_t k = n_classes();
  const std::size_t p = x.cols();
  const double alpha = std::max(config_.alpha, kMinAlpha);
  Matrix<double> count(k, p, 0.0);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const std::size_t c = label(y[r]);
    for (std::size_t j = 0; j < p; ++j)
      count(c, j) += weight_of(options.sample_weight, r) * x(r, j);
  }
  log_prob_ = Matrix<double>(k, p);
  for (std::size_t c = 0; c < k; ++c) {
    double total = 0.0;
    for (std::size_t j = 0; j < p; ++j) total += count(c, j) + alpha;
    for (std::size_t j = 0; j < p; ++j)
      log_prob_(c, j) = std::log(count(c, j) + alpha) - std::log(total);
  }
  set_priors(class_counts(y, options.sample_weight, k), config_.class_prior, config_.fit_prior,
             "MultinomialNb");
}

void MultinomialNb::add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const {
  check_counts(x, "multinomial_nb::predict");
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t c = 0; c < log_prob_.rows(); ++c) {
      double s = 0.0;
      for (std::size_t j = 0; j < log_prob_.cols(); ++j) s += x(r, j) * log_prob_(c, j);
      out(r, c) += s;
    }
  }
}

nlohmann::json MultinomialNb::do_state() const {
  return {{"class_log_prior", class_log_prior_}, {"feature_log_prob", matrix_json(log_prob_)}};
}

void MultinomialNb::do_load_state(const nlohmann::json& state) {
  log_prob_ = matrix_from(state, "feature_log_prob", n_classes(), n_features(), name());
  class_log_prior_ = matrix_from(state, "class_log_prior", 1, n_classes(), name()).values();
}

// ---------------------------------------------------------------------------- Bernoulli

nlohmann::json BernoulliNb::config() const { return config::to_json(config_); }

double BernoulliNb::binary(double v, std::size_t r, std::size_t j, std::string_view who) const {
  if (config_.binarize) return v > *config_.binarize ? 1.0 : 0.0;
  KOLOSAL_CHECK(v == 0.0 || v == 1.0, InvalidArgument, who, ": x[", r, ", ", j, "] is ", v,
                " but binarize is null, so features must be 0 or 1");
  return v;
}

void BernoulliNb::do_fit(MatrixView<const double> x, std::span<const double> y,
                         const FitOptions& options) {
  config::validate(config_, "BernoulliNb");
  const std::size_t k = n_classes();
  const std::size_t p = x.cols();
  const double alpha = std::max(config_.alpha, kMinAlpha);
  const std::vector<double> class_count = class_counts(y, options.sample_weight, k);
  Matrix<double> count(k, p, 0.0);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    const std::size_t c = label(y[r]);
    for (std::size_t j = 0; j < p; ++j) {
      count(c, j) +=
          weight_of(options.sample_weight, r) * binary(x(r, j), r, j, "BernoulliNb::fit");
    }
  }
  log_prob_ = Matrix<double>(k, p);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < p; ++j) {
      log_prob_(c, j) = std::log(count(c, j) + alpha) - std::log(class_count[c] + 2.0 * alpha);
    }
  }
  set_priors(class_count, config_.class_prior, config_.fit_prior, "BernoulliNb");
}

void BernoulliNb::add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const {
  const std::size_t k = log_prob_.rows();
  const std::size_t p = log_prob_.cols();
  Matrix<double> neg(k, p);
  std::vector<double> neg_sum(k, 0.0);
  for (std::size_t c = 0; c < k; ++c) {
    for (std::size_t j = 0; j < p; ++j)
      neg_sum[c] += neg(c, j) = std::log1p(-std::exp(log_prob_(c, j)));
  }
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t c = 0; c < k; ++c) {
      double s = neg_sum[c];
      for (std::size_t j = 0; j < p; ++j) {
        s += binary(x(r, j), r, j, "bernoulli_nb::predict") * (log_prob_(c, j) - neg(c, j));
      }
      out(r, c) += s;
    }
  }
}

nlohmann::json BernoulliNb::do_state() const {
  return {{"class_log_prior", class_log_prior_}, {"feature_log_prob", matrix_json(log_prob_)}};
}

void BernoulliNb::do_load_state(const nlohmann::json& state) {
  log_prob_ = matrix_from(state, "feature_log_prob", n_classes(), n_features(), name());
  class_log_prior_ = matrix_from(state, "class_log_prior", 1, n_classes(), name()).values();
}

// ---------------------------------------------------------------------------- categorical

nlohmann::json CategoricalNb::config() const { return config::to_json(config_); }

namespace {

std::size_t category(double v, std::size_t r, std::size_t j, std::string_view who) {
  KOLOSAL_CHECK(v >= 0.0 && v == std::floor(v) && v < 1e9, InvalidArgument, who, ": x[", r, ", ", j,
                "] is ", v, " but categorical features must be indices 0, 1, 2, ...");
  return static_cast<std::size_t>(v);
}

}  // namespace

void CategoricalNb::do_fit(MatrixView<const double> x, std::span<const double> y,
                           const FitOptions& options) {
  config::validate(config_, "CategoricalNb");
  const std::size_t k = n_classes();
  const std::size_t p = x.cols();
  const double alpha = std::max(config_.alpha, kMinAlpha);
  n_categories_.assign(p, static_cast<std::size_t>(config_.min_categories));
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t j = 0; j < p; ++j) {
      n_categories_[j] =
          std::max(n_categories_[j], category(x(r, j), r, j, "CategoricalNb::fit") + 1);
    }
  }
  const std::vector<double> class_count = class_counts(y, options.sample_weight, k);
  log_prob_.assign(p, {});
  for (std::size_t j = 0; j < p; ++j) {
    const std::size_t m = n_categories_[j];
    std::vector<double> count(k * m, 0.0);
    for (std::size_t r = 0; r < x.rows(); ++r) {
      count[label(y[r]) * m + static_cast<std::size_t>(x(r, j))] +=
          weight_of(options.sample_weight, r);
    }
    auto& lp = log_prob_[j];
    lp.resize(k * m);
    for (std::size_t c = 0; c < k; ++c) {
      const double denominator = std::log(class_count[c] + alpha * static_cast<double>(m));
      for (std::size_t v = 0; v < m; ++v)
        lp[c * m + v] = std::log(count[c * m + v] + alpha) - denominator;
    }
  }
  set_priors(class_count, config_.class_prior, config_.fit_prior, "CategoricalNb");
}

void CategoricalNb::add_log_likelihood(MatrixView<const double> x, Matrix<double>& out) const {
  const std::size_t k = n_classes();
  for (std::size_t r = 0; r < x.rows(); ++r) {
    for (std::size_t j = 0; j < x.cols(); ++j) {
      const std::size_t v = category(x(r, j), r, j, "categorical_nb::predict");
      KOLOSAL_CHECK(v < n_categories_[j], InvalidArgument, "categorical_nb::predict: x[", r, ", ",
                    j, "] is category ", v, " but feature ", j, " has only ", n_categories_[j],
                    " categories (raise min_categories)");
      for (std::size_t c = 0; c < k; ++c) out(r, c) += log_prob_[j][c * n_categories_[j] + v];
    }
  }
}

nlohmann::json CategoricalNb::do_state() const {
  return {{"class_log_prior", class_log_prior_},
          {"n_categories", n_categories_},
          {"feature_log_prob", log_prob_}};
}

void CategoricalNb::do_load_state(const nlohmann::json& state) {
  auto categories = state.at("n_categories").get<std::vector<std::size_t>>();
  auto log_prob = state.at("feature_log_prob").get<std::vector<std::vector<double>>>();
  KOLOSAL_CHECK(categories.size() == n_features() && log_prob.size() == n_features(),
                SerializationError, "categorical_nb::load_state: expected ", n_features(),
                " features");
  for (std::size_t j = 0; j < categories.size(); ++j) {
    KOLOSAL_CHECK(log_prob[j].size() == categories[j] * n_classes(), SerializationError,
                  "categorical_nb::load_state: feature ", j, " has ", log_prob[j].size(),
                  " log-probabilities, expected ", categories[j] * n_classes());
  }
  n_categories_ = std::move(categories);
  log_prob_ = std::move(log_prob);
  class_log_prior_ = matrix_from(state, "class_log_prior", 1, n_classes(), name()).values();
}

}  // namespace kolosal::training
