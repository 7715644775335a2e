// SPDX-License-Identifier: MIT
// Input checks shared by the metrics.
#include "metrics/validation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <sstream>

#include "kolosal/core/error.hpp"
#include "kolosal/core/simd.hpp"

namespace kolosal::metrics::detail {

void check_same_length(std::string_view metric, std::string_view a_name, std::size_t a,
                       std::string_view b_name, std::size_t b) {
  KOLOSAL_CHECK(a == b, ShapeMismatch, metric, ": ", a_name, " has ", a, " values but ", b_name,
                " has ", b);
}

void check_not_empty(std::string_view metric, std::string_view name, std::size_t n) {
  KOLOSAL_CHECK(n > 0, InvalidArgument, metric, ": empty input (", name, " has no values)");
}

void check_finite(std::string_view metric, std::string_view name, std::span<const double> values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (!std::isfinite(values[i])) [[unlikely]] {
      KOLOSAL_THROW(InvalidArgument, metric, ": ", name, "[", i, "] is ",
                    std::isnan(values[i]) ? "NaN" : "infinite", "; inputs must be finite");
    }
  }
}

void check_finite(std::string_view metric, std::string_view name, MatrixView<const double> values) {
  for (std::size_t r = 0; r < values.rows(); ++r) {
    for (std::size_t c = 0; c < values.cols(); ++c) {
      const double v = values(r, c);
      if (!std::isfinite(v)) [[unlikely]] {
        KOLOSAL_THROW(InvalidArgument, metric, ": ", name, "(", r, ", ", c, ") is ",
                      std::isnan(v) ? "NaN" : "infinite", "; inputs must be finite");
      }
    }
  }
}

void check_weights(std::string_view metric, std::span<const double> sample_weight, std::size_t n) {
  if (sample_weight.empty()) return;
  check_same_length(metric, "y_true", n, "sample_weight", sample_weight.size());
  check_finite(metric, "sample_weight", sample_weight);
  for (std::size_t i = 0; i < sample_weight.size(); ++i) {
    KOLOSAL_CHECK(sample_weight[i] >= 0.0, InvalidArgument, metric, ": sample_weight[", i,
                  "] is negative (", sample_weight[i], "); weights must be non-negative");
  }
}

void check_inputs(std::string_view metric, std::size_t n_true, std::string_view pred_name,
                  std::size_t n_pred, std::span<const double> sample_weight) {
  check_same_length(metric, "y_true", n_true, pred_name, n_pred);
  check_not_empty(metric, "y_true", n_true);
  check_weights(metric, sample_weight, n_true);
}

double total_weight(std::string_view metric, std::span<const double> sample_weight, std::size_t n) {
  const double total = sample_weight.empty() ? static_cast<double>(n) : simd::sum(sample_weight);
  KOLOSAL_CHECK(total > 0.0, InvalidArgument, metric,
                ": sample weights sum to zero, so the weighted mean is undefined");
  return total;
}

double average(std::string_view metric, std::span<const double> values,
               std::span<const double> sample_weight) {
  const double total = total_weight(metric, sample_weight, values.size());
  const double weighted =
      sample_weight.empty() ? simd::sum(values) : simd::dot(values, sample_weight);
  return weighted / total;
}

std::vector<int> unique_labels(std::span<const int> a, std::span<const int> b) {
  if (a.empty() && b.empty()) return {};
  // Class labels are usually a small dense range: mark them in a table instead of sorting.
  int lo = a.empty() ? b[0] : a[0];
  int hi = lo;
  for (const int v : a) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  for (const int v : b) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const auto range = static_cast<std::int64_t>(hi) - static_cast<std::int64_t>(lo) + 1;
  if (range <= static_cast<std::int64_t>(a.size() + b.size()) + 1024) {
    std::vector<char> seen(static_cast<std::size_t>(range), 0);
    for (const int v : a) seen[static_cast<std::size_t>(static_cast<std::int64_t>(v) - lo)] = 1;
    for (const int v : b) seen[static_cast<std::size_t>(static_cast<std::int64_t>(v) - lo)] = 1;
    std::vector<int> labels;
    for (std::int64_t i = 0; i < range; ++i) {
      if (seen[static_cast<std::size_t>(i)]) labels.push_back(static_cast<int>(lo + i));
    }
    return labels;
  }
  std::vector<int> labels;
  labels.reserve(a.size() + b.size());
  labels.insert(labels.end(), a.begin(), a.end());
  labels.insert(labels.end(), b.begin(), b.end());
  std::sort(labels.begin(), labels.end());
  labels.erase(std::unique(labels.begin(), labels.end()), labels.end());
  return labels;
}

std::string format_labels(std::span<const int> labels) {
  std::ostringstream out;
  out << '[';
  for (std::size_t i = 0; i < labels.size(); ++i) out << (i ? ", " : "") << labels[i];
  out << ']';
  return out.str();
}

}  // namespace kolosal::metrics::detail
