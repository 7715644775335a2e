// SPDX-License-Identifier: MIT
// Random over/under-sampling and the SMOTE family, following the published algorithms (and
// imbalanced-learn's class targets: every smaller class grows to the majority count).
#include "kolosal/synthetic/resampling.hpp"

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

namespace kolosal::synthetic {
namespace {

constexpr std::string_view kWho = "Resampler";

// The features the SMOTE family works on: numeric values (row-major) and, for SMOTE-NC,
// categorical codes (row-major, one dictionary per column).
struct Features {
  std::size_t rows = 0;
  std::vector<std::size_t> numeric;      // frame column of each numeric feature
  std::vector<std::size_t> categorical;  // frame column of each categorical feature
  std::vector<double> values;            // rows x numeric.size()
  std::vector<std::int32_t> codes;       // rows x categorical.size()
  std::vector<std::vector<std::string>> labels;
  double penalty = 0.0;  // squared distance added per categorical mismatch
};

Features read_features(const data::Frame& x, bool mixed) {
  Features f;
  f.rows = x.rows();
  for (std::size_t c = 0; c < x.cols(); ++c) {
    const auto& column = x.column(c);
    const auto type = column.type();
    if (type == data::ColumnType::kNumeric) {
      f.numeric.push_back(c);
    } else if (mixed && preprocessing::detail::is_label_type(type)) {
      f.categorical.push_back(c);
    } else {
      KOLOSAL_THROW(DataError, kWho, ": column '", column.name(), "' is ", data::to_string(type),
                    mixed ? "; smote_nc takes numeric, categorical, text and boolean columns"
                          : "; this method needs numeric columns (use smote_nc for categories)");
    }
    KOLOSAL_CHECK(!column.has_missing(), DataError, kWho, ": column '", column.name(),
                  "' has missing values (impute before resampling)");
  }
  if (mixed) {
    KOLOSAL_CHECK(!f.numeric.empty() && !f.categorical.empty(), DataError, kWho,
                  ": smote_nc needs at least one numeric and one categorical column");
  }
  const std::size_t d = f.numeric.size();
  f.values.resize(f.rows * d);
  for (std::size_t j = 0; j < d; ++j) {
    const preprocessing::detail::NumericValues in(x.column(f.numeric[j]));
    for (std::size_t i = 0; i < f.rows; ++i) f.values[i * d + j] = in[i];
  }
  const std::size_t q = f.categorical.size();
  f.codes.resize(f.rows * q);
  for (std::size_t j = 0; j < q; ++j) {
    auto lc = preprocessing::detail::label_codes(x.column(f.categorical[j]));
    for (std::size_t i = 0; i < f.rows; ++i) f.codes[i * q + j] = lc.codes[i];
    f.labels.push_back(std::move(lc.labels));
  }
  return f;
}

double distance2(const Features& f, std::size_t a, std::size_t b) {
  const std::size_t d = f.numeric.size();
  double sum = 0.0;
  for (std::size_t j = 0; j < d; ++j) {
    const double diff = f.values[a * d + j] - f.values[b * d + j];
    sum += diff * diff;
  }
  const std::size_t q = f.categorical.size();
  for (std::size_t j = 0; j < q; ++j) {
    if (f.codes[a * q + j] != f.codes[b * q + j]) sum += f.penalty;
  }
  return sum;
}

// For each row in `queries`, the k nearest rows among `candidates` other than itself (ties by
// row index), computed in parallel.
std::vector<std::vector<std::size_t>> nearest(const Context& ctx, const Features& f,
                                              const std::vector<std::size_t>& queries,
                                              const std::vector<std::size_t>& candidates,
                                              std::size_t k) {
  std::vector<std::vector<std::size_t>> out(queries.size());
  parallel::for_blocks(ctx, queries.size(), 16, [&](std::size_t begin, std::size_t end) {
    std::vector<std::pair<double, std::size_t>> scored;
    for (std::size_t q = begin; q < end; ++q) {
      scored.clear();
      for (const std::size_t c : candidates) {
        if (c != queries[q]) scored.emplace_back(distance2(f, queries[q], c), c);
      }
      const std::size_t take = std::min(k, scored.size());
      std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(take),
                        scored.end());
      for (std::size_t r = 0; r < take; ++r) out[q].push_back(scored[r].second);
    }
  });
  return out;
}

// New rows accumulated by the SMOTE family.
struct Synthesis {
  std::vector<double> values;       // new rows x numeric features
  std::vector<std::int32_t> codes;  // new rows x categorical features
  std::vector<double> y;
  std::vector<std::size_t> origin;
  std::vector<std::size_t> partner;
  std::vector<double> gap;
};

// One synthetic row between `from` and `to`: numeric features interpolated by `gap`;
// categorical ones the most frequent code among `voters`, ties broken at random (as
// imbalanced-learn's SMOTENC, which permutes the tied maxima).
void synthesize(const Features& f, std::size_t from, std::size_t to, double gap,
                const std::vector<std::size_t>& voters, double label, Rng& rng, Synthesis& out) {
  const std::size_t d = f.numeric.size();
  for (std::size_t j = 0; j < d; ++j) {
    const double a = f.values[from * d + j];
    out.values.push_back(a + gap * (f.values[to * d + j] - a));
  }
  const std::size_t q = f.categorical.size();
  std::vector<std::size_t> tied;
  for (std::size_t j = 0; j < q; ++j) {
    std::vector<std::size_t> votes(f.labels[j].size(), 0);
    for (const std::size_t v : voters) ++votes[static_cast<std::size_t>(f.codes[v * q + j])];
    const std::size_t most = *std::max_element(votes.begin(), votes.end());
    tied.clear();
    for (std::size_t c = 0; c < votes.size(); ++c) {
      if (votes[c] == most) tied.push_back(c);
    }
    const std::size_t best = tied.size() == 1 ? tied[0] : tied[rng.uniform_index(tied.size())];
    out.codes.push_back(static_cast<std::int32_t>(best));
  }
  out.y.push_back(label);
  out.origin.push_back(from);
  out.partner.push_back(to);
  out.gap.push_back(gap);
}

// A Beta(a, b) deviate for integer a, b >= 1: the a-th smallest of a + b - 1 uniforms.
double beta_integer(Rng& rng, int a, int b) {
  std::vector<double> u(static_cast<std::size_t>(a + b - 1));
  for (double& v : u) v = rng.uniform();
  const auto at = u.begin() + (a - 1);
  std::nth_element(u.begin(), at, u.end());
  return *at;
}

data::Frame append_rows(const data::Frame& x, const Features& f, const Synthesis& s) {
  const std::size_t added = s.y.size();
  std::vector<data::Column> columns;
  for (std::size_t c = 0; c < x.cols(); ++c) {
    const auto& column = x.column(c);
    const auto numeric = std::find(f.numeric.begin(), f.numeric.end(), c);
    if (numeric != f.numeric.end()) {
      const auto j = static_cast<std::size_t>(numeric - f.numeric.begin());
      const std::size_t d = f.numeric.size();
      std::vector<double> values = column.to_doubles();
      for (std::size_t r = 0; r < added; ++r) values.push_back(s.values[r * d + j]);
      columns.push_back(data::Column::numeric(column.name(), std::move(values)));
      continue;
    }
    const auto j = static_cast<std::size_t>(
        std::find(f.categorical.begin(), f.categorical.end(), c) - f.categorical.begin());
    const std::size_t q = f.categorical.size();
    std::vector<std::int32_t> codes(f.rows + added);
    for (std::size_t i = 0; i < f.rows; ++i) codes[i] = f.codes[i * q + j];
    for (std::size_t r = 0; r < added; ++r) codes[f.rows + r] = s.codes[r * q + j];
    const auto& labels = f.labels[j];
    switch (column.type()) {
      case data::ColumnType::kCategorical:
        columns.push_back(data::Column::categorical(column.name(), std::move(codes), labels));
        break;
      case data::ColumnType::kBoolean: {
        std::vector<std::uint8_t> values(codes.size());
        for (std::size_t i = 0; i < codes.size(); ++i) {
          values[i] = labels[static_cast<std::size_t>(codes[i])] == "true" ? 1 : 0;
        }
        columns.push_back(data::Column::boolean(column.name(), std::move(values)));
        break;
      }
      default: {
        std::vector<std::string> values(codes.size());
        for (std::size_t i = 0; i < codes.size(); ++i) {
          values[i] = labels[static_cast<std::size_t>(codes[i])];
        }
        columns.push_back(data::Column::text(column.name(), std::move(values)));
        break;
      }
    }
  }
  return data::Frame(std::move(columns));
}

}  // namespace

nlohmann::json Resampler::config() const { return config::to_json(config_); }

Resampled Resampler::fit_resample(const data::Frame& x, std::span<const double> y) const {
  config::validate(config_, kWho);
  KOLOSAL_CHECK(y.size() == x.rows(), ShapeMismatch, kWho, "::fit_resample: x has ", x.rows(),
                " rows but y has ", y.size(), " values");
  std::vector<std::size_t> counts;
  for (std::size_t i = 0; i < y.size(); ++i) {
    KOLOSAL_CHECK(y[i] >= 0.0 && y[i] == std::floor(y[i]) && y[i] < 1e9, InvalidArgument, kWho,
                  "::fit_resample: y[", i, "] is ", y[i], " (expected a class index 0..k-1)");
    const auto c = static_cast<std::size_t>(y[i]);
    if (c >= counts.size()) counts.resize(c + 1, 0);
    ++counts[c];
  }
  std::vector<std::vector<std::size_t>> members(counts.size());
  for (std::size_t i = 0; i < y.size(); ++i) members[static_cast<std::size_t>(y[i])].push_back(i);
  std::size_t major = 0;
  std::size_t minor = std::numeric_limits<std::size_t>::max();
  std::size_t present = 0;
  for (const std::size_t n : counts) {
    if (n == 0) continue;
    ++present;
    major = std::max(major, n);
    minor = std::min(minor, n);
  }
  KOLOSAL_CHECK(present >= 2, InvalidArgument, kWho,
                "::fit_resample: y has a single class; there is nothing to balance");
  const Rng root(context_.seed);
  const std::vector<double> y_in(y.begin(), y.end());

  if (config_.method == ResampleMethod::kRandomUnder) {
    const auto target =
        static_cast<std::size_t>(std::floor(static_cast<double>(minor) / config_.ratio));
    std::vector<std::size_t> kept;
    for (std::size_t c = 0; c < members.size(); ++c) {
      const auto& rows = members[c];
      if (rows.size() <= target) {
        kept.insert(kept.end(), rows.begin(), rows.end());
        continue;
      }
      Rng rng = root.split(c);
      const auto order = rng.permutation(rows.size());
      for (std::size_t r = 0; r < target; ++r) kept.push_back(rows[order[r]]);
    }
    std::sort(kept.begin(), kept.end());
    Resampled out{x.take(kept), {}, {}, {}, {}};
    for (const std::size_t i : kept) out.y.push_back(y[i]);
    return out;
  }

  const auto goal =
      static_cast<std::size_t>(std::floor(config_.ratio * static_cast<double>(major)));
  std::vector<std::size_t> need(counts.size(), 0);
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (counts[c] > 0 && counts[c] < goal) need[c] = goal - counts[c];
  }

  if (config_.method == ResampleMethod::kRandomOver) {
    std::vector<std::size_t> rows(x.rows());
    std::iota(rows.begin(), rows.end(), std::size_t{0});
    Resampled out{{}, y_in, {}, {}, {}};
    for (std::size_t c = 0; c < counts.size(); ++c) {
      Rng rng = root.split(c);
      for (std::size_t s = 0; s < need[c]; ++s) {
        rows.push_back(members[c][rng.uniform_index(members[c].size())]);
        out.y.push_back(static_cast<double>(c));
        out.origin.push_back(rows.back());
        out.partner.push_back(rows.back());
        out.gap.push_back(0.0);
      }
    }
    out.x = x.take(rows);
    return out;
  }

  Features f = read_features(x, config_.method == ResampleMethod::kSmoteNc);
  std::vector<std::size_t> everyone(x.rows());
  std::iota(everyone.begin(), everyone.end(), std::size_t{0});
  Synthesis synthesis;
  if (config_.method == ResampleMethod::kSmoteNc) {
    // Chawla et al. (2002, 6.1) and imbalanced-learn: m, the median of the numeric standard
    // deviations of the minority class (the smallest; among equals the one seen first in y), is
    // the one-hot value of each category, so a differing category adds 2 (m/2)^2 = m^2/2 to the
    // squared distance. One penalty for every class resampled.
    std::size_t minority = 0;
    std::size_t first_seen = std::numeric_limits<std::size_t>::max();
    for (std::size_t c = 0; c < counts.size(); ++c) {
      if (counts[c] == minor && members[c].front() < first_seen) {
        minority = c;
        first_seen = members[c].front();
      }
    }
    const auto& rows = members[minority];
    const std::size_t d = f.numeric.size();
    std::vector<double> stds(d);
    for (std::size_t j = 0; j < d; ++j) {
      double mean = 0.0;
      for (const std::size_t i : rows) mean += f.values[i * d + j];
      mean /= static_cast<double>(rows.size());
      double sq = 0.0;
      for (const std::size_t i : rows)
        sq += (f.values[i * d + j] - mean) * (f.values[i * d + j] - mean);
      stds[j] = std::sqrt(sq / static_cast<double>(rows.size()));
    }
    std::sort(stds.begin(), stds.end());
    const double median = d % 2 == 1 ? stds[d / 2] : 0.5 * (stds[d / 2 - 1] + stds[d / 2]);
    f.penalty = 0.5 * median * median;
  }
  for (std::size_t c = 0; c < counts.size(); ++c) {
    if (need[c] == 0) continue;
    const auto& rows = members[c];
    KOLOSAL_CHECK(rows.size() >= 2, DataError, kWho, ": class ", c,
                  " has a single row; interpolation needs at least two");
    const std::size_t k = std::min(static_cast<std::size_t>(config_.k_neighbors), rows.size() - 1);
    const auto neighbors = nearest(context_, f, rows, rows, k);
    Rng rng = root.split(c);
    const auto label = static_cast<double>(c);
    switch (config_.method) {
      case ResampleMethod::kSmote:
      case ResampleMethod::kSmoteNc:
        for (std::size_t s = 0; s < need[c]; ++s) {
          const std::size_t i = rng.uniform_index(rows.size());
          const std::size_t to = neighbors[i][rng.uniform_index(neighbors[i].size())];
          synthesize(f, rows[i], to, rng.uniform(), neighbors[i], label, rng, synthesis);
        }
        break;
      case ResampleMethod::kBorderlineSmote: {
        const auto m = static_cast<std::size_t>(config_.m_neighbors);
        const auto around = nearest(context_, f, rows, everyone, m);
        std::vector<std::size_t> danger;
        for (std::size_t i = 0; i < rows.size(); ++i) {
          std::size_t others = 0;
          for (const std::size_t nb : around[i]) others += y[nb] != label ? 1 : 0;
          const auto total = static_cast<double>(around[i].size());
          if (static_cast<double>(others) >= total / 2.0 && others < around[i].size()) {
            danger.push_back(i);
          }
        }
        if (danger.empty()) break;
        std::vector<std::vector<std::size_t>> foreign;
        if (config_.kind == BorderlineKind::kBorderline2) {
          std::vector<std::size_t> outside;
          for (std::size_t i = 0; i < x.rows(); ++i) {
            if (y[i] != label) outside.push_back(i);
          }
          std::vector<std::size_t> queries;
          for (const std::size_t i : danger) queries.push_back(rows[i]);
          foreign = nearest(context_, f, queries, outside, k);
        }
        // Borderline-1: interpolate towards same-class neighbours. Borderline-2 (as
        // imbalanced-learn): a Beta(10, 10) fraction of the rows goes towards same-class
        // neighbours, the rest towards the k nearest rows of the other classes with the gap in
        // [0, 0.5). imbalanced-learn 0.10 asks for floor(f (n + 1)) + floor((1 - f) n) rows,
        // which can be one short, and indexes the other classes with the same-class neighbour
        // indices; here the two parts sum to n and the neighbours are the true nearest ones.
        std::size_t towards_own = need[c];
        if (config_.kind == BorderlineKind::kBorderline2) {
          const double fraction = beta_integer(rng, 10, 10);
          towards_own = std::min(
              need[c],
              static_cast<std::size_t>(std::floor(fraction * static_cast<double>(need[c] + 1))));
        }
        for (std::size_t s = 0; s < need[c]; ++s) {
          const std::size_t di = rng.uniform_index(danger.size());
          const std::size_t i = danger[di];
          if (s >= towards_own) {
            const std::size_t to = foreign[di][rng.uniform_index(foreign[di].size())];
            synthesize(f, rows[i], to, 0.5 * rng.uniform(), neighbors[i], label, rng, synthesis);
          } else {
            const std::size_t to = neighbors[i][rng.uniform_index(neighbors[i].size())];
            synthesize(f, rows[i], to, rng.uniform(), neighbors[i], label, rng, synthesis);
          }
        }
        break;
      }
      case ResampleMethod::kAdasyn: {
        // He et al. (2008) as imbalanced-learn: the hardness of a row is the share of other
        // classes among its k_neighbors nearest rows of any class; rounded shares of the rows to
        // make (round half to even) decide each row's count, so the class may miss the target by
        // the rounding.
        const auto m = static_cast<std::size_t>(config_.k_neighbors);
        const auto around = nearest(context_, f, rows, everyone, m);
        // Shares from integer counts: others_i / sum(others), what imbalanced-learn's
        // (others_i / k) / sum(others / k) is before rounding.
        std::vector<std::size_t> others(rows.size(), 0);
        std::size_t total = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
          for (const std::size_t nb : around[i]) others[i] += y[nb] != label ? 1 : 0;
          total += others[i];
        }
        KOLOSAL_CHECK(total > 0, DataError, kWho, ": adasyn found no neighbour of class ", c,
                      " in another class; use smote");
        std::size_t made = 0;
        for (std::size_t i = 0; i < rows.size(); ++i) {
          const auto count = static_cast<std::size_t>(
              std::nearbyint(static_cast<double>(others[i]) / static_cast<double>(total) *
                             static_cast<double>(need[c])));
          made += count;
          for (std::size_t s = 0; s < count; ++s) {
            const std::size_t to = neighbors[i][rng.uniform_index(neighbors[i].size())];
            synthesize(f, rows[i], to, rng.uniform(), neighbors[i], label, rng, synthesis);
          }
        }
        KOLOSAL_CHECK(made > 0, DataError, kWho, ": adasyn rounds every row of class ", c,
                      " to no new rows; use smote or a larger ratio");
        break;
      }
      default:
        KOLOSAL_ASSERT(false);
    }
  }
  Resampled out{append_rows(x, f, synthesis), y_in, std::move(synthesis.origin),
                std::move(synthesis.partner), std::move(synthesis.gap)};
  out.y.insert(out.y.end(), synthesis.y.begin(), synthesis.y.end());
  return out;
}

}  // namespace kolosal::synthetic
