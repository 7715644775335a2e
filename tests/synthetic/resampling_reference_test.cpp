// SPDX-License-Identifier: MIT
// Resampling parity with imbalanced-learn 0.10 (scripts/reference/resampling_reference.py): the
// random streams differ, so the tests compare what is decided deterministically (class counts,
// Borderline's danger rows, ADASYN's per-row counts, SMOTE-NC's penalty and category votes) and
// check every new row against the algorithm's geometry.
#include <fstream>
#include <map>
#include <numeric>
#include <set>

#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/synthetic/resampling.hpp"

#include "test_util.hpp"

namespace ks = kolosal::synthetic;
namespace kd = kolosal::data;
using nlohmann::json;

namespace {

const json& reference() {
  static const json ref = [] {
    std::ifstream in(kolosal::test::reference_path("resampling.json"));
    return json::parse(in);
  }();
  return ref;
}

// Row-major numeric features with a categorical-mismatch penalty (SMOTE-NC's metric).
struct Points {
  std::size_t d = 0;
  std::vector<double> values;
  std::vector<std::vector<std::string>> categories;  // per row
  double penalty = 0.0;

  [[nodiscard]] double distance2(std::size_t a, std::size_t b) const {
    double s = 0.0;
    for (std::size_t j = 0; j < d; ++j) {
      const double diff = values[a * d + j] - values[b * d + j];
      s += diff * diff;
    }
    if (!categories.empty()) {
      for (std::size_t j = 0; j < categories[a].size(); ++j) {
        if (categories[a][j] != categories[b][j]) s += penalty;
      }
    }
    return s;
  }

  // The k nearest of `candidates` to row q, q excluded, by brute force.
  [[nodiscard]] std::vector<std::size_t> nearest(std::size_t q,
                                                 const std::vector<std::size_t>& candidates,
                                                 std::size_t k) const {
    std::vector<std::pair<double, std::size_t>> scored;
    for (const std::size_t c : candidates) {
      if (c != q) scored.emplace_back(distance2(q, c), c);
    }
    std::sort(scored.begin(), scored.end());
    std::vector<std::size_t> out;
    for (std::size_t r = 0; r < std::min(k, scored.size()); ++r) out.push_back(scored[r].second);
    return out;
  }
};

struct NumericSet {
  kd::Frame x;
  std::vector<double> y;
  Points points;
};

NumericSet numeric_set(const json& c) {
  NumericSet s;
  const auto& rows = c["x"];
  s.points.d = rows[0].size();
  std::vector<std::vector<double>> columns(s.points.d);
  for (const auto& row : rows) {
    for (std::size_t j = 0; j < s.points.d; ++j) {
      columns[j].push_back(row[j].get<double>());
      s.points.values.push_back(row[j].get<double>());
    }
  }
  std::vector<kd::Column> cols;
  for (std::size_t j = 0; j < s.points.d; ++j) {
    cols.push_back(kd::Column::numeric("x" + std::to_string(j), columns[j]));
  }
  s.x = kd::Frame(std::move(cols));
  s.y = c["y"].get<std::vector<double>>();
  return s;
}

std::vector<std::size_t> class_counts(const std::vector<double>& y) {
  std::vector<std::size_t> out;
  for (const double v : y) {
    const auto c = static_cast<std::size_t>(v);
    if (c >= out.size()) out.resize(c + 1, 0);
    ++out[c];
  }
  return out;
}

std::vector<std::size_t> rows_where(const std::vector<double>& y, bool same, double label) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < y.size(); ++i) {
    if ((y[i] == label) == same) out.push_back(i);
  }
  return out;
}

bool contains(const std::vector<std::size_t>& v, std::size_t x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

// Every new numeric value is x[origin] + gap (x[partner] - x[origin]), to rounding.
void check_interpolation(const ks::Resampled& out, std::size_t n, const Points& p,
                         const std::vector<std::string>& names) {
  REQUIRE(out.origin.size() == out.y.size() - n);
  for (std::size_t j = 0; j < names.size(); ++j) {
    const auto values = out.x.column(names[j]).doubles();
    for (std::size_t r = 0; r < out.origin.size(); ++r) {
      const double a = p.values[out.origin[r] * p.d + j];
      const double b = p.values[out.partner[r] * p.d + j];
      CHECK(values[n + r] == Approx(a + out.gap[r] * (b - a)).margin(1e-12));
    }
  }
}

ks::Resampler make(ks::ResampleMethod method, ks::BorderlineKind kind = {}) {
  return ks::Resampler({.method = method, .k_neighbors = 5, .m_neighbors = 10, .kind = kind});
}

}  // namespace

TEST_CASE("Resampler: class counts match imbalanced-learn", "[synthetic][reference]") {
  using M = ks::ResampleMethod;
  for (const auto& c : reference()["numeric"]) {
    INFO(c["name"].get<std::string>());
    const auto s = numeric_set(c);
    const std::vector<std::pair<ks::Resampler, const char*>> cases{
        {make(M::kSmote), "smote_counts"},
        {make(M::kRandomOver), "random_over_counts"},
        {make(M::kRandomUnder), "random_under_counts"},
        {make(M::kBorderlineSmote, ks::BorderlineKind::kBorderline1), "borderline1_counts"},
        {make(M::kBorderlineSmote, ks::BorderlineKind::kBorderline2), "borderline2_counts"},
        {make(M::kAdasyn), "adasyn_counts"}};
    for (const auto& [resampler, key] : cases) {
      INFO(key);
      const auto out = resampler.fit_resample(s.x, s.y);
      CHECK(class_counts(out.y) == c[key].get<std::vector<std::size_t>>());
      CHECK(out.x.rows() == out.y.size());
    }
  }
}

TEST_CASE("Resampler: SMOTE rows lie between a row and one of its k nearest same-class rows",
          "[synthetic][reference]") {
  for (const auto& c : reference()["numeric"]) {
    const auto s = numeric_set(c);
    const std::size_t n = s.y.size();
    const auto out = make(ks::ResampleMethod::kSmote).fit_resample(s.x, s.y);
    check_interpolation(out, n, s.points, s.x.column_names());
    for (std::size_t r = 0; r < out.origin.size(); ++r) {
      const double label = out.y[n + r];
      CHECK(s.y[out.origin[r]] == label);
      const auto own = rows_where(s.y, true, label);
      CHECK(contains(s.points.nearest(out.origin[r], own, 5), out.partner[r]));
      CHECK((out.gap[r] >= 0.0 && out.gap[r] < 1.0));
    }
  }
}

TEST_CASE("Resampler: Borderline-SMOTE uses imbalanced-learn's danger rows",
          "[synthetic][reference]") {
  for (const auto& c : reference()["numeric"]) {
    INFO(c["name"].get<std::string>());
    const auto s = numeric_set(c);
    const std::size_t n = s.y.size();
    for (const auto kind : {ks::BorderlineKind::kBorderline1, ks::BorderlineKind::kBorderline2}) {
      const bool two = kind == ks::BorderlineKind::kBorderline2;
      INFO(kolosal::config::enum_name(kind));
      const auto out = make(ks::ResampleMethod::kBorderlineSmote, kind).fit_resample(s.x, s.y);
      check_interpolation(out, n, s.points, s.x.column_names());
      std::map<std::string, std::set<std::size_t>> origins;
      std::size_t towards_other = 0;
      for (std::size_t r = 0; r < out.origin.size(); ++r) {
        const double label = out.y[n + r];
        CHECK(s.y[out.origin[r]] == label);
        origins[std::to_string(static_cast<int>(label))].insert(out.origin[r]);
        if (s.y[out.partner[r]] == label) {
          CHECK(contains(s.points.nearest(out.origin[r], rows_where(s.y, true, label), 5),
                         out.partner[r]));
          CHECK((out.gap[r] >= 0.0 && out.gap[r] < 1.0));
        } else {
          // Borderline-2 only: one of the k nearest rows of the other classes, gap below 0.5.
          CHECK(two);
          ++towards_other;
          CHECK(contains(s.points.nearest(out.origin[r], rows_where(s.y, false, label), 5),
                         out.partner[r]));
          CHECK((out.gap[r] >= 0.0 && out.gap[r] < 0.5));
        }
      }
      if (two) {
        // A Beta(10, 10) share goes towards other classes: far from none and far from all.
        CHECK(towards_other > out.origin.size() / 5);
        CHECK(towards_other < out.origin.size() * 4 / 5);
      }
      const auto& danger = c[two ? "borderline2_danger" : "borderline1_danger"];
      std::vector<std::size_t> everyone(n);
      std::iota(everyone.begin(), everyone.end(), std::size_t{0});
      for (const auto& [label, rows] : danger.items()) {
        INFO("class " << label);
        const auto expected = rows.get<std::vector<std::size_t>>();
        const std::set<std::size_t> expected_set(expected.begin(), expected.end());
        // The danger rule (at least half, not all, of the m = 10 nearest rows in other classes)
        // gives imblearn's rows.
        const double l = std::stod(label);
        std::vector<std::size_t> ours;
        for (const std::size_t i : rows_where(s.y, true, l)) {
          std::size_t others = 0;
          for (const std::size_t nb : s.points.nearest(i, everyone, 10)) others += s.y[nb] != l;
          if (others >= 5 && others < 10) ours.push_back(i);
        }
        CHECK(ours == expected);
        // Every row made comes from a danger row; with many draws per danger row, each is drawn.
        CHECK(std::includes(expected_set.begin(), expected_set.end(), origins[label].begin(),
                            origins[label].end()));
        const auto drawn = static_cast<std::size_t>(
            std::count(out.y.begin() + static_cast<std::ptrdiff_t>(n), out.y.end(), l));
        if (drawn >= 6 * expected.size()) CHECK(origins[label] == expected_set);
      }
    }
  }
}

TEST_CASE("Resampler: ADASYN makes imbalanced-learn's number of rows from each row",
          "[synthetic][reference]") {
  for (const auto& c : reference()["numeric"]) {
    INFO(c["name"].get<std::string>());
    const auto s = numeric_set(c);
    const std::size_t n = s.y.size();
    const auto out = make(ks::ResampleMethod::kAdasyn).fit_resample(s.x, s.y);
    check_interpolation(out, n, s.points, s.x.column_names());
    std::map<std::string, std::size_t> made;
    for (std::size_t r = 0; r < out.origin.size(); ++r) {
      ++made[std::to_string(out.origin[r])];
      const double label = out.y[n + r];
      CHECK(contains(s.points.nearest(out.origin[r], rows_where(s.y, true, label), 5),
                     out.partner[r]));
    }
    CHECK(made == c["adasyn_per_row"].get<std::map<std::string, std::size_t>>());
  }
}

TEST_CASE("Resampler: SMOTE-NC matches imbalanced-learn's penalty and category votes",
          "[synthetic][reference]") {
  const auto& c = reference()["smote_nc"];
  const auto y = c["y"].get<std::vector<double>>();
  const auto a = c["a"].get<std::vector<double>>();
  const auto b = c["b"].get<std::vector<double>>();
  const auto color = c["color"].get<std::vector<std::string>>();
  const auto size = c["size"].get<std::vector<std::string>>();
  const std::size_t n = y.size();
  // Columns in imbalanced-learn's order: a, color, b, size (text and categorical).
  const kd::Frame x({kd::Column::numeric("a", a), kd::Column::text("color", color),
                     kd::Column::numeric("b", b),
                     kd::Column::categorical_from_labels("size", size)});
  Points p;
  p.d = 2;
  for (std::size_t i = 0; i < n; ++i) {
    p.values.push_back(a[i]);
    p.values.push_back(b[i]);
    p.categories.push_back({color[i], size[i]});
  }
  const double m = c["median_std"].get<double>();
  p.penalty = m * m / 2.0;  // one-hot entries of m / 2 differ in two places

  const auto out =
      ks::Resampler({.method = ks::ResampleMethod::kSmoteNc, .k_neighbors = 5}).fit_resample(x, y);
  CHECK(class_counts(out.y) == c["counts"].get<std::vector<std::size_t>>());
  check_interpolation(out, n, p, {"a", "b"});
  const auto out_color = out.x.column("color");
  const auto out_size = out.x.column("size");
  CHECK(out_size.type() == kd::ColumnType::kCategorical);
  for (std::size_t r = 0; r < out.origin.size(); ++r) {
    const double label = out.y[n + r];
    const auto neighbours = p.nearest(out.origin[r], rows_where(y, true, label), 5);
    CHECK(contains(neighbours, out.partner[r]));
    // Each category is a most frequent one among the k neighbours.
    for (std::size_t j = 0; j < 2; ++j) {
      std::map<std::string, int> votes;
      for (const std::size_t nb : neighbours) ++votes[p.categories[nb][j]];
      int most = 0;
      for (const auto& [label_j, v] : votes) most = std::max(most, v);
      const std::string chosen{(j == 0 ? out_color : out_size).label(n + r)};
      CHECK(votes[chosen] == most);
    }
  }
}

TEST_CASE("Resampler: ADASYN rounding every row to nothing is an error", "[synthetic][reference]") {
  // One row to make, shared by four equally hard minority rows: each share rounds to 0, where
  // imbalanced-learn raises "No samples will be generated".
  const kd::Frame x({kd::Column::numeric("a", {0.0, 1.0, 2.0, 3.0, 1.5, 10.0, 11.0, 12.0, 13.0})});
  const std::vector<double> y{1, 1, 1, 1, 0, 0, 0, 0, 0};
  kolosal::test::expect_error<kolosal::DataError>(
      [&] {
        (void)ks::Resampler({.method = ks::ResampleMethod::kAdasyn, .k_neighbors = 3})
            .fit_resample(x, y);
      },
      "adasyn rounds every row of class 1 to no new rows");
}
