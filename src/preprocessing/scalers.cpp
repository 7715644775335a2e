// SPDX-License-Identifier: MIT
// Scalers and monotone column transforms; statistics follow scikit-learn 1.2 (population
// variance with its correction term, numpy percentiles, numpy.interp, Brent's method for lambda).
#include "kolosal/preprocessing/scalers.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <nlohmann/json.hpp>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/core/rng.hpp"

#include "preprocessing/column_util.hpp"

namespace kolosal::preprocessing {

using detail::NumericValues;

namespace {

using Columns = std::span<const data::Column* const>;

bool is_numeric(data::ColumnType type) noexcept { return type == data::ColumnType::kNumeric; }

// Applies f to every value of every column (missing values stay NaN), in parallel over columns.
template <class F>
std::vector<data::Column> map_columns(const Context& ctx, Columns columns, F&& f) {
  std::vector<data::Column> out(columns.size());
  parallel::for_each_index(ctx, columns.size(), [&](std::size_t j) {
    const NumericValues in(*columns[j]);
    std::vector<double> values(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
      const double v = in[i];
      values[i] = std::isnan(v) ? v : f(j, i, v);
    }
    out[j] = data::Column::numeric(columns[j]->name(), std::move(values));
  });
  return out;
}

std::vector<double> checked_non_missing(const data::Column& column, std::string_view who) {
  auto values = detail::non_missing(column);
  KOLOSAL_CHECK(!values.empty(), DataError, who, "::fit: column '", column.name(),
                "' has no non-missing values");
  return values;
}

// Mean and population variance as scikit-learn's _incremental_mean_and_var on one batch: the
// variance carries the correction term sum(x - mean)^2 / n of the two-pass algorithm.
std::pair<double, double> mean_and_variance(std::span<const double> values) {
  const auto n = static_cast<double>(values.size());
  double sum = 0.0;
  for (const double v : values) sum += v;
  const double mean = sum / n;
  double squares = 0.0;
  double correction = 0.0;
  for (const double v : values) {
    squares += (v - mean) * (v - mean);
    correction += v - mean;
  }
  return {mean, (squares - correction * correction / n) / n};
}

// scikit-learn's _handle_zeros_in_scale: a scale below 10 eps (a constant column) becomes 1.
double safe_scale(double scale) {
  return scale < 10.0 * std::numeric_limits<double>::epsilon() ? 1.0 : scale;
}

nlohmann::json pair_state(const char* a, const std::vector<double>& va, const char* b,
                          const std::vector<double>& vb) {
  return {{a, va}, {b, vb}};
}

}  // namespace

// ---------------------------------------------------------------------------- configs

void MinMaxScalerConfig::check() const {
  KOLOSAL_CHECK(feature_min < feature_max, ConfigError,
                "MinMaxScaler: feature_min must be below feature_max, got ", feature_min, " and ",
                feature_max);
}

void RobustScalerConfig::check() const {
  KOLOSAL_CHECK(quantile_low < quantile_high, ConfigError,
                "RobustScaler: quantile_low must be below quantile_high, got ", quantile_low,
                " and ", quantile_high);
}

// ---------------------------------------------------------------------------- standard

nlohmann::json StandardScaler::config() const { return config::to_json(config_); }
bool StandardScaler::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void StandardScaler::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  mean_.assign(columns.size(), 0.0);
  scale_.assign(columns.size(), 1.0);
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    // Straight from the column, skipping NaN, without copying it.
    const NumericValues in(*columns[j]);
    std::size_t count = 0;
    double sum = 0.0;
    for (const double v : in.values()) {
      if (!std::isnan(v)) {
        sum += v;
        ++count;
      }
    }
    KOLOSAL_CHECK(count > 0, DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                  "' has no non-missing values");
    const auto n = static_cast<double>(count);
    const double mean = sum / n;
    double squares = 0.0;
    double correction = 0.0;
    for (const double v : in.values()) {
      if (!std::isnan(v)) {
        squares += (v - mean) * (v - mean);
        correction += v - mean;
      }
    }
    const double variance = (squares - correction * correction / n) / n;
    mean_[j] = config_.with_mean ? mean : 0.0;
    if (config_.with_std) {
      // A variance within rounding of zero (relative to the mean) is a constant column.
      const double eps = std::numeric_limits<double>::epsilon();
      // scikit-learn's _is_constant_feature: the bound on the variance's rounding error.
      const double bound = n * eps * variance + (n * mean * eps) * (n * mean * eps);
      scale_[j] = variance <= bound ? 1.0 : safe_scale(std::sqrt(variance));
    }
  });
}

std::vector<data::Column> StandardScaler::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t, double v) {
    return (v - mean_[j]) / scale_[j];
  });
}

// The owned path rewrites each double column in place (same arithmetic as transform_columns):
// a pipeline step then allocates no new column.
std::vector<data::Column> StandardScaler::transform_columns_owned(
    std::vector<data::Column> columns) const {
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto& column = columns[j];
    std::string name = column.name();
    std::vector<double> values =
        column.is_float32() ? column.to_doubles() : std::move(column).release_doubles();
    const double mean = mean_[j];
    const double scale = scale_[j];
    for (double& v : values) {
      if (!std::isnan(v)) v = (v - mean) / scale;
    }
    column = data::Column::numeric(std::move(name), std::move(values));
  });
  return columns;
}

std::vector<data::Column> StandardScaler::fit_transform_columns_owned(
    std::vector<data::Column> columns, std::span<const double> y) {
  std::vector<const data::Column*> view;
  for (const auto& c : columns) view.push_back(&c);
  fit_columns(view, y);
  return transform_columns_owned(std::move(columns));
}

nlohmann::json StandardScaler::columns_state() const {
  return pair_state("mean", mean_, "scale", scale_);
}

void StandardScaler::load_columns_state(const nlohmann::json& state) {
  mean_ = detail::read_doubles(state, "mean", input_columns().size(), kDisplayName);
  scale_ = detail::read_doubles(state, "scale", input_columns().size(), kDisplayName);
}

// ---------------------------------------------------------------------------- min-max

nlohmann::json MinMaxScaler::config() const { return config::to_json(config_); }
bool MinMaxScaler::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void MinMaxScaler::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t k = columns.size();
  data_min_.assign(k, 0.0);
  data_max_.assign(k, 0.0);
  parallel::for_each_index(context(), k, [&](std::size_t j) {
    const auto values = checked_non_missing(*columns[j], kDisplayName);
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    data_min_[j] = *lo;
    data_max_[j] = *hi;
  });
  scale_.resize(k);
  min_.resize(k);
  for (std::size_t j = 0; j < k; ++j) {
    const double range = data_max_[j] - data_min_[j];
    scale_[j] = (config_.feature_max - config_.feature_min) / safe_scale(range);
    min_[j] = config_.feature_min - data_min_[j] * scale_[j];
  }
}

std::vector<data::Column> MinMaxScaler::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t, double v) {
    double out = v * scale_[j] + min_[j];
    if (config_.clip) out = std::clamp(out, config_.feature_min, config_.feature_max);
    return out;
  });
}

nlohmann::json MinMaxScaler::columns_state() const {
  return pair_state("data_min", data_min_, "data_max", data_max_);
}

void MinMaxScaler::load_columns_state(const nlohmann::json& state) {
  const std::size_t k = input_columns().size();
  data_min_ = detail::read_doubles(state, "data_min", k, kDisplayName);
  data_max_ = detail::read_doubles(state, "data_max", k, kDisplayName);
  scale_.resize(k);
  min_.resize(k);
  for (std::size_t j = 0; j < k; ++j) {
    scale_[j] =
        (config_.feature_max - config_.feature_min) / safe_scale(data_max_[j] - data_min_[j]);
    min_[j] = config_.feature_min - data_min_[j] * scale_[j];
  }
}

// ---------------------------------------------------------------------------- robust

nlohmann::json RobustScaler::config() const { return config::to_json(config_); }
bool RobustScaler::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void RobustScaler::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  center_.assign(columns.size(), 0.0);
  scale_.assign(columns.size(), 1.0);
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    auto values = checked_non_missing(*columns[j], kDisplayName);
    std::sort(values.begin(), values.end());
    if (config_.with_centering) center_[j] = detail::percentile_sorted(values, 50.0);
    if (config_.with_scaling) {
      const double range = detail::percentile_sorted(values, config_.quantile_high) -
                           detail::percentile_sorted(values, config_.quantile_low);
      scale_[j] = safe_scale(range);
    }
  });
}

std::vector<data::Column> RobustScaler::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t, double v) {
    return (v - center_[j]) / scale_[j];
  });
}

nlohmann::json RobustScaler::columns_state() const {
  return pair_state("center", center_, "scale", scale_);
}

void RobustScaler::load_columns_state(const nlohmann::json& state) {
  center_ = detail::read_doubles(state, "center", input_columns().size(), kDisplayName);
  scale_ = detail::read_doubles(state, "scale", input_columns().size(), kDisplayName);
}

// ---------------------------------------------------------------------------- max-abs

nlohmann::json MaxAbsScaler::config() const { return config::to_json(config_); }
bool MaxAbsScaler::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void MaxAbsScaler::fit_columns(Columns columns, std::span<const double>) {
  max_abs_.assign(columns.size(), 0.0);
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    const auto values = checked_non_missing(*columns[j], kDisplayName);
    double m = 0.0;
    for (const double v : values) m = std::max(m, std::abs(v));
    max_abs_[j] = m;
  });
}

std::vector<data::Column> MaxAbsScaler::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t, double v) {
    return v / safe_scale(max_abs_[j]);
  });
}

nlohmann::json MaxAbsScaler::columns_state() const { return {{"max_abs", max_abs_}}; }

void MaxAbsScaler::load_columns_state(const nlohmann::json& state) {
  max_abs_ = detail::read_doubles(state, "max_abs", input_columns().size(), kDisplayName);
}

// ---------------------------------------------------------------------------- normalizer

nlohmann::json Normalizer::config() const { return config::to_json(config_); }
bool Normalizer::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }
void Normalizer::fit_columns(Columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
}

std::vector<data::Column> Normalizer::transform_columns(Columns columns) const {
  const std::size_t k = columns.size();
  const std::size_t n = columns.empty() ? 0 : columns[0]->size();
  std::vector<std::unique_ptr<NumericValues>> in;
  in.reserve(k);
  for (const auto* c : columns) in.push_back(std::make_unique<NumericValues>(*c));
  std::vector<std::vector<double>> out(k, std::vector<double>(n));
  parallel::for_blocks(context(), n, 4096, [&](std::size_t begin, std::size_t end) {
    for (std::size_t i = begin; i < end; ++i) {
      double norm = 0.0;
      for (std::size_t j = 0; j < k; ++j) {
        const double v = (*in[j])[i];
        KOLOSAL_CHECK(!std::isnan(v), DataError, kDisplayName, "::transform: column '",
                      columns[j]->name(), "' is missing at row ", i,
                      " (impute before normalising rows)");
        switch (config_.norm) {
          case Norm::kL1:
            norm += std::abs(v);
            break;
          case Norm::kL2:
            norm += v * v;
            break;
          case Norm::kMax:
            norm = std::max(norm, std::abs(v));
            break;
        }
      }
      if (config_.norm == Norm::kL2) norm = std::sqrt(norm);
      if (norm == 0.0) norm = 1.0;
      for (std::size_t j = 0; j < k; ++j) out[j][i] = (*in[j])[i] / norm;
    }
  });
  std::vector<data::Column> result;
  result.reserve(k);
  for (std::size_t j = 0; j < k; ++j) {
    result.push_back(data::Column::numeric(columns[j]->name(), std::move(out[j])));
  }
  return result;
}

nlohmann::json Normalizer::columns_state() const { return nlohmann::json::object(); }
void Normalizer::load_columns_state(const nlohmann::json&) {}

// ---------------------------------------------------------------------------- log1p

nlohmann::json Log1pTransformer::config() const { return config::to_json(config_); }
bool Log1pTransformer::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }
void Log1pTransformer::fit_columns(Columns, std::span<const double>) {}

std::vector<data::Column> Log1pTransformer::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t i, double v) {
    KOLOSAL_CHECK(v >= -1.0, DataError, kDisplayName, "::transform: column '", columns[j]->name(),
                  "' has ", v, " at row ", i, " (log1p needs values >= -1)");
    return std::log1p(v);
  });
}

nlohmann::json Log1pTransformer::columns_state() const { return nlohmann::json::object(); }
void Log1pTransformer::load_columns_state(const nlohmann::json&) {}

// ---------------------------------------------------------------------------- power

namespace {

double yeo_johnson(double x, double lambda) {
  const double eps = std::numeric_limits<double>::epsilon();
  if (x >= 0.0) {
    return std::abs(lambda) < eps ? std::log1p(x) : (std::pow(x + 1.0, lambda) - 1.0) / lambda;
  }
  return std::abs(lambda - 2.0) > eps ? -(std::pow(-x + 1.0, 2.0 - lambda) - 1.0) / (2.0 - lambda)
                                      : -std::log1p(-x);
}

double box_cox(double x, double lambda) {
  return lambda == 0.0 ? std::log(x) : (std::pow(x, lambda) - 1.0) / lambda;
}

double population_variance(std::span<const double> values) {
  return mean_and_variance(values).second;
}

// Negative Gaussian log-likelihood of the transformed values, up to a constant.
double neg_log_likelihood(std::span<const double> x, double lambda, PowerMethod method,
                          double log_jacobian_sum) {
  std::vector<double> t(x.size());
  if (method == PowerMethod::kYeoJohnson) {
    for (std::size_t i = 0; i < x.size(); ++i) t[i] = yeo_johnson(x[i], lambda);
  } else {
    for (std::size_t i = 0; i < x.size(); ++i) t[i] = box_cox(x[i], lambda);
  }
  const double variance = population_variance(t);
  if (!(variance >= std::numeric_limits<double>::min())) {
    return std::numeric_limits<double>::infinity();
  }
  const auto n = static_cast<double>(x.size());
  return -(-n / 2.0 * std::log(variance) + (lambda - 1.0) * log_jacobian_sum);
}

// Brent's minimiser (R. P. Brent, "Algorithms for Minimization without Derivatives", 1973):
// first expands (a, b) downhill into a bracket, then combines golden-section steps with parabolic
// interpolation until the bracket is within tol.
template <class F>
double brent_minimize(F&& f, double a, double b) {
  constexpr double kGolden = 1.618033988749895;
  constexpr double kCGold = 0.3819660112501051;
  double fa = f(a);
  double fb = f(b);
  if (fb > fa) {
    std::swap(a, b);
    std::swap(fa, fb);
  }
  double c = b + kGolden * (b - a);
  double fc = f(c);
  for (int iter = 0; iter < 200 && fb > fc; ++iter) {
    a = b;
    fa = fb;
    b = c;
    fb = fc;
    c = b + kGolden * (b - a);
    fc = f(c);
  }
  double lo = std::min(a, c);
  double hi = std::max(a, c);
  double x = b;
  double w = b;
  double v = b;
  double fx = fb;
  double fw = fb;
  double fv = fb;
  double d = 0.0;
  double e = 0.0;
  constexpr double kTol = 1e-12;
  for (int iter = 0; iter < 500; ++iter) {
    const double mid = 0.5 * (lo + hi);
    const double tol1 = kTol * std::abs(x) + 1e-14;
    const double tol2 = 2.0 * tol1;
    if (std::abs(x - mid) <= tol2 - 0.5 * (hi - lo)) break;
    bool golden = true;
    if (std::abs(e) > tol1) {
      const double r = (x - w) * (fx - fv);
      double q = (x - v) * (fx - fw);
      double p = (x - v) * q - (x - w) * r;
      q = 2.0 * (q - r);
      if (q > 0.0) p = -p;
      q = std::abs(q);
      if (std::abs(p) < std::abs(0.5 * q * e) && p > q * (lo - x) && p < q * (hi - x)) {
        e = d;
        d = p / q;
        const double u = x + d;
        if (u - lo < tol2 || hi - u < tol2) d = mid >= x ? tol1 : -tol1;
        golden = false;
      }
    }
    if (golden) {
      e = (x >= mid ? lo : hi) - x;
      d = kCGold * e;
    }
    const double u = std::abs(d) >= tol1 ? x + d : x + (d > 0 ? tol1 : -tol1);
    const double fu = f(u);
    if (fu <= fx) {
      (u >= x ? lo : hi) = x;
      v = w;
      fv = fw;
      w = x;
      fw = fx;
      x = u;
      fx = fu;
    } else {
      (u < x ? lo : hi) = u;
      if (fu <= fw || w == x) {
        v = w;
        fv = fw;
        w = u;
        fw = fu;
      } else if (fu <= fv || v == x || v == w) {
        v = u;
        fv = fu;
      }
    }
  }
  return x;
}

}  // namespace

nlohmann::json PowerTransformer::config() const { return config::to_json(config_); }
bool PowerTransformer::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void PowerTransformer::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t k = columns.size();
  lambdas_.assign(k, 1.0);
  mean_.assign(k, 0.0);
  scale_.assign(k, 1.0);
  parallel::for_each_index(context(), k, [&](std::size_t j) {
    const auto x = checked_non_missing(*columns[j], kDisplayName);
    double jacobian = 0.0;
    if (config_.method == PowerMethod::kBoxCox) {
      for (const double v : x) {
        KOLOSAL_CHECK(v > 0.0, DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                      "' has ", v, "; box-cox needs strictly positive values");
        jacobian += std::log(v);
      }
    } else {
      for (const double v : x) jacobian += std::copysign(std::log1p(std::abs(v)), v);
    }
    const double lambda = brent_minimize(
        [&](double l) { return neg_log_likelihood(x, l, config_.method, jacobian); }, -2.0, 2.0);
    lambdas_[j] = lambda;
    if (config_.standardize) {
      std::vector<double> t(x.size());
      for (std::size_t i = 0; i < x.size(); ++i) {
        t[i] = config_.method == PowerMethod::kYeoJohnson ? yeo_johnson(x[i], lambda)
                                                          : box_cox(x[i], lambda);
      }
      const auto [mean, variance] = mean_and_variance(t);
      mean_[j] = mean;
      scale_[j] = safe_scale(std::sqrt(variance));
    }
  });
}

std::vector<data::Column> PowerTransformer::transform_columns(Columns columns) const {
  return map_columns(context(), columns, [&](std::size_t j, std::size_t i, double v) {
    double t = 0.0;
    if (config_.method == PowerMethod::kYeoJohnson) {
      t = yeo_johnson(v, lambdas_[j]);
    } else {
      KOLOSAL_CHECK(v > 0.0, DataError, kDisplayName, "::transform: column '", columns[j]->name(),
                    "' has ", v, " at row ", i, "; box-cox needs strictly positive values");
      t = box_cox(v, lambdas_[j]);
    }
    return (t - mean_[j]) / scale_[j];
  });
}

nlohmann::json PowerTransformer::columns_state() const {
  return {{"lambdas", lambdas_}, {"mean", mean_}, {"scale", scale_}};
}

void PowerTransformer::load_columns_state(const nlohmann::json& state) {
  const std::size_t k = input_columns().size();
  lambdas_ = detail::read_doubles(state, "lambdas", k, kDisplayName);
  mean_ = detail::read_doubles(state, "mean", k, kDisplayName);
  scale_ = detail::read_doubles(state, "scale", k, kDisplayName);
}

// ---------------------------------------------------------------------------- quantile

double normal_quantile(double p) noexcept {
  if (!(p > 0.0)) return p == 0.0 ? -std::numeric_limits<double>::infinity() : std::nan("");
  if (!(p < 1.0)) return p == 1.0 ? std::numeric_limits<double>::infinity() : std::nan("");
  // P. J. Acklam's rational approximation (relative error 1.15e-9), refined by two Halley steps
  // on the exact CDF 0.5 erfc(-x / sqrt 2) to full double precision.
  static constexpr double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                                 -2.759285104469687e+02, 1.383577518672690e+02,
                                 -3.066479806614716e+01, 2.506628277459239e+00};
  static constexpr double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                                 -1.556989798598866e+02, 6.680131188771972e+01,
                                 -1.328068155288572e+01};
  static constexpr double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                                 -2.400758277161838e+00, -2.549732539343734e+00,
                                 4.374664141464968e+00,  2.938163982698783e+00};
  static constexpr double d[] = {7.784695709041462e-03, 3.224671290700398e-01,
                                 2.445134137142996e+00, 3.754408661907416e+00};
  constexpr double kLow = 0.02425;
  double x = 0.0;
  if (p < kLow) {
    const double q = std::sqrt(-2.0 * std::log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  } else if (p <= 1.0 - kLow) {
    const double q = p - 0.5;
    const double r = q * q;
    x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
        (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
  } else {
    const double q = std::sqrt(-2.0 * std::log1p(-p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
        ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
  }
  constexpr double kSqrt2 = 1.4142135623730951;
  constexpr double kSqrt2Pi = 2.5066282746310002;
  for (int step = 0; step < 2; ++step) {
    // Work on the smaller tail so the residual keeps its relative precision.
    const double cdf = x < 0 ? 0.5 * std::erfc(-x / kSqrt2) : 1.0 - 0.5 * std::erfc(x / kSqrt2);
    const double e = x < 0 ? cdf - p : (0.5 * std::erfc(x / kSqrt2)) - (1.0 - p);
    const double u = (x < 0 ? e : -e) * kSqrt2Pi * std::exp(x * x / 2.0);
    x = x - u / (1.0 + x * u / 2.0);
  }
  return x;
}

namespace {

// numpy.interp for increasing xp (ties allowed): clamps outside [xp[0], xp[last]].
double interp(double x, std::span<const double> xp, std::span<const double> fp) {
  const std::size_t n = xp.size();
  if (x > xp[n - 1]) return fp[n - 1];
  if (x < xp[0]) return fp[0];
  if (x == xp[n - 1]) return fp[n - 1];
  const auto j =
      static_cast<std::size_t>(std::upper_bound(xp.begin(), xp.end(), x) - xp.begin()) - 1;
  const double slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
  double out = slope * (x - xp[j]) + fp[j];
  if (std::isnan(out)) {
    out = slope * (x - xp[j + 1]) + fp[j + 1];
    if (std::isnan(out) && fp[j] == fp[j + 1]) out = fp[j];
  }
  return out;
}

}  // namespace

nlohmann::json QuantileTransformer::config() const { return config::to_json(config_); }
bool QuantileTransformer::accepts(data::ColumnType type) const noexcept { return is_numeric(type); }

void QuantileTransformer::fit_columns(Columns columns, std::span<const double>) {
  config::validate(config_, kDisplayName);
  const std::size_t rows = columns[0]->size();
  const std::size_t n_quantiles = std::min(static_cast<std::size_t>(config_.n_quantiles), rows);
  references_.resize(n_quantiles);
  // numpy.linspace(0, 1, n): i * step, with the last value exactly 1.
  const double step = 1.0 / static_cast<double>(n_quantiles - 1);
  for (std::size_t k = 0; k < n_quantiles; ++k) references_[k] = static_cast<double>(k) * step;
  references_.back() = 1.0;
  // A seeded subsample shared by every column when there are more rows than `subsample`.
  std::vector<std::size_t> subset;
  const auto limit = static_cast<std::size_t>(config_.subsample);
  if (rows > limit) {
    Rng rng(context().seed);
    subset = rng.permutation(rows);
    subset.resize(limit);
    std::sort(subset.begin(), subset.end());
  }
  quantiles_.assign(columns.size(), {});
  parallel::for_each_index(context(), columns.size(), [&](std::size_t j) {
    std::vector<double> values;
    if (subset.empty()) {
      values = checked_non_missing(*columns[j], kDisplayName);
    } else {
      const NumericValues all(*columns[j]);
      for (const std::size_t i : subset) {
        if (!std::isnan(all[i])) values.push_back(all[i]);
      }
      KOLOSAL_CHECK(!values.empty(), DataError, kDisplayName, "::fit: column '", columns[j]->name(),
                    "' has no non-missing values in the subsample");
    }
    std::sort(values.begin(), values.end());
    auto& q = quantiles_[j];
    q.resize(n_quantiles);
    for (std::size_t k = 0; k < n_quantiles; ++k) {
      q[k] = detail::percentile_sorted(values, references_[k] * 100.0);
    }
    // Interpolation can break monotonicity by an ulp; scikit-learn restores it the same way.
    for (std::size_t k = 1; k < n_quantiles; ++k) q[k] = std::max(q[k], q[k - 1]);
  });
}

std::vector<data::Column> QuantileTransformer::transform_columns(Columns columns) const {
  constexpr double kBoundsThreshold = 1e-7;
  const bool normal = config_.output_distribution == QuantileOutput::kNormal;
  const double eps = std::numeric_limits<double>::epsilon();
  const double clip_min = normal_quantile(kBoundsThreshold - eps);
  const double clip_max = normal_quantile(1.0 - (kBoundsThreshold - eps));
  std::vector<double> neg_refs(references_.rbegin(), references_.rend());
  for (auto& r : neg_refs) r = -r;
  // The reversed, negated landmarks of each column, for the interpolation from above.
  std::vector<std::vector<double>> neg_quantiles(quantiles_.size());
  for (std::size_t j = 0; j < quantiles_.size(); ++j) {
    neg_quantiles[j].assign(quantiles_[j].rbegin(), quantiles_[j].rend());
    for (auto& n : neg_quantiles[j]) n = -n;
  }
  return map_columns(context(), columns, [&](std::size_t j, std::size_t, double v) {
    const auto& q = quantiles_[j];
    double out = 0.0;
    // As scikit-learn, the lower bound wins when both apply (a constant column).
    if (v - kBoundsThreshold < q.front()) {
      out = 0.0;
    } else if (v + kBoundsThreshold > q.back()) {
      out = 1.0;
    } else {
      out = 0.5 * (interp(v, q, references_) - interp(-v, neg_quantiles[j], neg_refs));
    }
    if (normal) out = std::clamp(normal_quantile(out), clip_min, clip_max);
    return out;
  });
}

nlohmann::json QuantileTransformer::columns_state() const {
  return {{"references", references_}, {"quantiles", quantiles_}};
}

void QuantileTransformer::load_columns_state(const nlohmann::json& state) {
  references_ = state.at("references").get<std::vector<double>>();
  auto quantiles = state.at("quantiles").get<std::vector<std::vector<double>>>();
  KOLOSAL_CHECK(quantiles.size() == input_columns().size() && references_.size() >= 2,
                SerializationError, kDisplayName, "::load_state: quantiles do not match columns");
  for (const auto& q : quantiles) {
    KOLOSAL_CHECK(q.size() == references_.size(), SerializationError, kDisplayName,
                  "::load_state: a quantile row has the wrong length");
  }
  quantiles_ = std::move(quantiles);
}

}  // namespace kolosal::preprocessing
