// SPDX-License-Identifier: MIT
// Baseline classifier and regressor; statistics follow scikit-learn's DummyClassifier and
// DummyRegressor (numpy.percentile without weights, _weighted_percentile with them).
#include "kolosal/training/dummy.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/rng.hpp"

#include "core/statistics.hpp"

namespace kolosal::training {
namespace {

double weight_of(std::span<const double> w, std::size_t i) { return w.empty() ? 1.0 : w[i]; }

}  // namespace

// ---------------------------------------------------------------------------- classifier

nlohmann::json DummyClassifier::config() const { return config::to_json(config_); }

void DummyClassifier::do_fit(MatrixView<const double>, std::span<const double> y,
                             const FitOptions& options) {
  config::validate(config_, "DummyClassifier");
  const std::size_t k = n_classes();
  if (config_.strategy == DummyClassifierStrategy::kConstant) {
    KOLOSAL_CHECK(static_cast<std::size_t>(config_.constant) < k, ConfigError,
                  "DummyClassifier: constant is class ", config_.constant, " but y has only ", k,
                  " classes");
  }
  prior_.assign(k, 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < y.size(); ++i) {
    const double w = weight_of(options.sample_weight, i);
    prior_[static_cast<std::size_t>(y[i])] += w;
    total += w;
  }
  for (auto& p : prior_) p /= total;
}

std::vector<double> DummyClassifier::do_predict(MatrixView<const double> x) const {
  std::vector<double> out(x.rows());
  switch (config_.strategy) {
    case DummyClassifierStrategy::kMostFrequent:
    case DummyClassifierStrategy::kPrior: {
      const auto best = std::max_element(prior_.begin(), prior_.end()) - prior_.begin();
      std::fill(out.begin(), out.end(), static_cast<double>(best));
      break;
    }
    case DummyClassifierStrategy::kConstant:
      std::fill(out.begin(), out.end(), static_cast<double>(config_.constant));
      break;
    case DummyClassifierStrategy::kUniform: {
      Rng rng(context().seed);
      for (auto& v : out) v = static_cast<double>(rng.uniform_index(prior_.size()));
      break;
    }
    case DummyClassifierStrategy::kStratified: {
      // The class of each row's random one-hot draw, as scikit-learn.
      const Matrix<double> proba = do_predict_proba(x);
      for (std::size_t r = 0; r < x.rows(); ++r) {
        const auto row = proba.row(r);
        out[r] = static_cast<double>(std::max_element(row.begin(), row.end()) - row.begin());
      }
      break;
    }
  }
  return out;
}

Matrix<double> DummyClassifier::do_predict_proba(MatrixView<const double> x) const {
  const std::size_t k = prior_.size();
  Matrix<double> proba(x.rows(), k, 0.0);
  Rng rng(context().seed);
  for (std::size_t r = 0; r < x.rows(); ++r) {
    auto row = proba.row(r);
    switch (config_.strategy) {
      case DummyClassifierStrategy::kMostFrequent:
        row[static_cast<std::size_t>(std::max_element(prior_.begin(), prior_.end()) -
                                     prior_.begin())] = 1.0;
        break;
      case DummyClassifierStrategy::kPrior:
        std::copy(prior_.begin(), prior_.end(), row.begin());
        break;
      case DummyClassifierStrategy::kConstant:
        row[static_cast<std::size_t>(config_.constant)] = 1.0;
        break;
      case DummyClassifierStrategy::kUniform:
        std::fill(row.begin(), row.end(), 1.0 / static_cast<double>(k));
        break;
      case DummyClassifierStrategy::kStratified: {
        // One draw from the class prior: the first class whose cumulative prior exceeds u.
        const double u = rng.uniform();
        double cumulative = 0.0;
        std::size_t chosen = k - 1;
        for (std::size_t c = 0; c < k; ++c) {
          cumulative += prior_[c];
          if (u < cumulative) {
            chosen = c;
            break;
          }
        }
        row[chosen] = 1.0;
        break;
      }
    }
  }
  return proba;
}

nlohmann::json DummyClassifier::do_state() const { return {{"class_prior", prior_}}; }

void DummyClassifier::do_load_state(const nlohmann::json& state) {
  auto prior = state.at("class_prior").get<std::vector<double>>();
  KOLOSAL_CHECK(prior.size() == n_classes(), SerializationError,
                "DummyClassifier::load_state: class_prior has ", prior.size(), " entries for ",
                n_classes(), " classes");
  prior_ = std::move(prior);
}

// ---------------------------------------------------------------------------- regressor

nlohmann::json DummyRegressor::config() const { return config::to_json(config_); }

void DummyRegressor::do_fit(MatrixView<const double>, std::span<const double> y,
                            const FitOptions& options) {
  config::validate(config_, "DummyRegressor");
  const auto w = options.sample_weight;
  switch (config_.strategy) {
    case DummyRegressorStrategy::kMean: {
      double sum = 0.0;
      double total = 0.0;
      for (std::size_t i = 0; i < y.size(); ++i) {
        sum += weight_of(w, i) * y[i];
        total += weight_of(w, i);
      }
      value_ = sum / total;
      break;
    }
    case DummyRegressorStrategy::kMedian:
      value_ =
          w.empty() ? detail::median({y.begin(), y.end()}) : detail::weighted_percentile(y, w, 0.5);
      break;
    case DummyRegressorStrategy::kQuantile:
      value_ = w.empty() ? detail::percentile({y.begin(), y.end()}, config_.quantile)
                         : detail::weighted_percentile(y, w, config_.quantile);
      break;
    case DummyRegressorStrategy::kConstant:
      value_ = config_.constant;
      break;
  }
}

std::vector<double> DummyRegressor::do_predict(MatrixView<const double> x) const {
  return std::vector<double>(x.rows(), value_);
}

nlohmann::json DummyRegressor::do_state() const { return {{"constant", value_}}; }

void DummyRegressor::do_load_state(const nlohmann::json& state) {
  value_ = state.at("constant").get<double>();
}

}  // namespace kolosal::training
