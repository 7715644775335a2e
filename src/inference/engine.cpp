// SPDX-License-Identifier: MIT
// InferenceEngine: schema checks, parallel batch prediction, result cache and latency metrics.
#include "kolosal/inference/engine.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "kolosal/cache/hash.hpp"
#include "kolosal/cache/lru_cache.hpp"
#include "kolosal/core/artifact.hpp"
#include "kolosal/core/detail/config_json.hpp"
#include "kolosal/core/error.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/monitoring/metrics.hpp"
#include "kolosal/training/registry.hpp"

namespace kolosal::inference {
namespace {

using Clock = std::chrono::steady_clock;

/// One cached row: the row itself (a hash match is confirmed by comparing it, so a collision
/// can never return another row's result), its prediction and probabilities.
struct CachedRow {
  std::vector<double> row;
  double value = 0.0;
  std::vector<double> proba;
};

/// Equal as hash_row sees rows: NaN (a missing value) matches NaN, -0.0 matches 0.0.
bool same_row(std::span<const double> a, std::span<const double> b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (!(a[i] == b[i] || (std::isnan(a[i]) && std::isnan(b[i])))) return false;
  }
  return true;
}

std::string schema_names(const std::vector<preprocessing::ColumnSpec>& schema) {
  std::string out;
  for (std::size_t i = 0; i < schema.size(); ++i) {
    if (i > 0) out += ", ";
    if (i == 12) {
      out += "... (" + std::to_string(schema.size()) + " columns)";
      break;
    }
    out += schema[i].name;
  }
  return out;
}

}  // namespace

nlohmann::json InferenceStats::to_json() const {
  return {{"calls", calls},
          {"rows", rows},
          {"errors", errors},
          {"cache_hits", cache_hits},
          {"cache_misses", cache_misses},
          {"latency_ms",
           {{"p50", latency_p50_ms},
            {"p90", latency_p90_ms},
            {"p99", latency_p99_ms},
            {"max", latency_max_ms},
            {"mean", latency_mean_ms}}}};
}

struct InferenceEngine::Impl {
  InferenceConfig config;
  Context ctx;
  std::optional<preprocessing::Pipeline> pipeline;
  std::unique_ptr<Model> bare_model;  ///< set when serving a model artifact
  const Model* model = nullptr;
  std::vector<preprocessing::ColumnSpec> schema;
  std::vector<std::string> classes;
  bool all_numeric = true;
  monitoring::PerformanceMetrics metrics;
  std::unique_ptr<cache::LruCache<std::uint64_t, CachedRow>> cache;
  std::atomic<std::uint64_t> rows{0};
  std::atomic<std::uint64_t> hits{0};
  std::atomic<std::uint64_t> misses{0};

  void set_up() {
    config::validate(config, "InferenceEngine");
    if (pipeline) {
      KOLOSAL_CHECK(pipeline->fitted(), NotFitted, "InferenceEngine: the pipeline is not fitted");
      KOLOSAL_CHECK(pipeline->has_model(), InvalidArgument,
                    "InferenceEngine: the pipeline has no model to predict with");
      model = &pipeline->model();
      schema = pipeline->input_schema();
      classes = pipeline->classes();
    } else {
      KOLOSAL_CHECK(bare_model != nullptr, InvalidArgument, "InferenceEngine: null model");
      KOLOSAL_CHECK(bare_model->fitted(), NotFitted, "InferenceEngine: the model is not fitted");
      model = bare_model.get();
    }
    if (model->is_classifier() && classes.empty()) {
      for (std::size_t k = 0; k < model->n_classes(); ++k) classes.push_back(std::to_string(k));
    }
    all_numeric = std::all_of(schema.begin(), schema.end(),
                              [](const auto& c) { return c.type == data::ColumnType::kNumeric; });
    if (config.cache_capacity > 0) {
      cache::LruCacheConfig cc;
      cc.capacity = config.cache_capacity;
      cc.ttl = std::chrono::duration_cast<std::chrono::nanoseconds>(
          std::chrono::duration<double>(config.cache_ttl_seconds));
      // Shards let concurrent callers take different locks.
      cc.shards = std::min<std::size_t>(8, config.cache_capacity);
      cache = std::make_unique<cache::LruCache<std::uint64_t, CachedRow>>(cc);
    }
  }

  [[nodiscard]] std::size_t n_features() const noexcept {
    return pipeline && !schema.empty() ? schema.size() : model->n_features();
  }

  /// The schema's columns of `x`, in schema order.
  [[nodiscard]] data::Frame conform(const data::Frame& x) const {
    if (schema.empty()) return x;
    std::vector<data::Column> columns;
    columns.reserve(schema.size());
    for (const auto& spec : schema) {
      const auto index = x.column_index(spec.name);
      KOLOSAL_CHECK(index.has_value(), DataError, "InferenceEngine: the input has no column '",
                    spec.name, "' (the model was trained on: ", schema_names(schema), ")");
      const data::Column& c = x.column(*index);
      KOLOSAL_CHECK(c.type() == spec.type, DataError, "InferenceEngine: column '", spec.name,
                    "' is ", data::to_string(c.type()), " but the model was trained on ",
                    data::to_string(spec.type), " values");
      columns.push_back(c);
    }
    return data::Frame(std::move(columns));
  }

  /// Predictions for rows already in schema order, on one thread.
  void predict_block(const data::Frame& x, std::size_t out_row, Prediction& out) const {
    Matrix<double> features;
    if (pipeline) {
      const data::Frame transformed = pipeline->transform(x);
      features = transformed.to_matrix(pipeline->feature_names());
    } else {
      features = x.to_matrix();
    }
    const auto values = model->predict(features.view());
    std::copy(values.begin(), values.end(),
              out.values.begin() + static_cast<std::ptrdiff_t>(out_row));
    if (out.proba.cols() > 0) {
      const auto proba = model->predict_proba(features.view());
      for (std::size_t r = 0; r < proba.rows(); ++r) {
        for (std::size_t k = 0; k < proba.cols(); ++k) out.proba(out_row + r, k) = proba(r, k);
      }
    }
  }

  [[nodiscard]] Prediction empty_prediction(std::size_t n) const {
    Prediction p;
    p.values.assign(n, 0.0);
    if (model->is_classifier() && model->has_predict_proba()) {
      p.proba = Matrix<double>(n, model->n_classes());
    }
    return p;
  }

  /// Rows in schema order, in parallel fixed blocks.
  [[nodiscard]] Prediction predict_conformed(const data::Frame& x) const {
    Prediction out = empty_prediction(x.rows());
    const std::size_t n = x.rows();
    if (n == 0) return out;
    if (n <= config.block_rows) {
      predict_block(x, 0, out);
      return out;
    }
    parallel::for_blocks(ctx, n, config.block_rows, [&](std::size_t begin, std::size_t end) {
      std::vector<std::size_t> block(end - begin);
      for (std::size_t i = begin; i < end; ++i) block[i - begin] = i;
      predict_block(x.take(block), begin, out);
    });
    return out;
  }

  /// A frame of numeric columns named by the schema (or x0.. for a bare model).
  [[nodiscard]] data::Frame frame_from_matrix(MatrixView<const double> x) const {
    KOLOSAL_CHECK(all_numeric, InvalidArgument,
                  "InferenceEngine::predict: the model takes non-numeric columns; pass a Frame");
    KOLOSAL_CHECK(x.cols() == n_features(), ShapeMismatch, "InferenceEngine::predict: rows have ",
                  x.cols(), " values but the model takes ", n_features(), " columns");
    std::vector<data::Column> columns;
    for (std::size_t c = 0; c < x.cols(); ++c) {
      std::vector<double> values(x.rows());
      for (std::size_t r = 0; r < x.rows(); ++r) values[r] = x(r, c);
      columns.push_back(data::Column::numeric(
          schema.empty() ? "x" + std::to_string(c) : schema[c].name, std::move(values)));
    }
    return data::Frame(std::move(columns));
  }

  [[nodiscard]] Prediction predict_matrix(MatrixView<const double> x) {
    if (!cache) return predict_conformed(frame_from_matrix(x));
    // Look every row up; predict the misses together; remember them.
    Prediction out = empty_prediction(x.rows());
    std::vector<std::size_t> missing;
    std::vector<std::uint64_t> keys(x.rows());
    for (std::size_t r = 0; r < x.rows(); ++r) {
      const std::span<const double> row(&x(r, 0), x.cols());
      keys[r] = cache::hash_row(row);
      const auto hit = cache->get(keys[r]);
      if (hit && same_row(hit->row, row)) {
        out.values[r] = hit->value;
        for (std::size_t k = 0; k < hit->proba.size(); ++k) out.proba(r, k) = hit->proba[k];
        hits.fetch_add(1, std::memory_order_relaxed);
      } else {
        missing.push_back(r);
        misses.fetch_add(1, std::memory_order_relaxed);
      }
    }
    if (missing.empty()) return out;
    Matrix<double> sub(missing.size(), x.cols());
    for (std::size_t i = 0; i < missing.size(); ++i) {
      for (std::size_t c = 0; c < x.cols(); ++c) sub(i, c) = x(missing[i], c);
    }
    const Prediction fresh = predict_conformed(frame_from_matrix(sub.view()));
    for (std::size_t i = 0; i < missing.size(); ++i) {
      const std::size_t r = missing[i];
      CachedRow entry;
      entry.row.assign(&x(r, 0), &x(r, 0) + x.cols());
      entry.value = fresh.values[i];
      out.values[r] = fresh.values[i];
      for (std::size_t k = 0; k < fresh.proba.cols(); ++k) {
        entry.proba.push_back(fresh.proba(i, k));
        out.proba(r, k) = fresh.proba(i, k);
      }
      cache->put(keys[r], std::move(entry));
    }
    return out;
  }

  /// Times `body` as one call of `rows` rows.
  template <class Body>
  auto timed(std::size_t n_rows, Body&& body) {
    const auto start = Clock::now();
    try {
      auto result = body();
      record(Clock::now() - start, true);
      rows.fetch_add(n_rows, std::memory_order_relaxed);
      return result;
    } catch (...) {
      record(Clock::now() - start, false);
      throw;
    }
  }

  void record(Clock::duration elapsed, bool ok) noexcept {
    metrics.record(std::chrono::duration_cast<std::chrono::nanoseconds>(elapsed), ok);
  }
};

InferenceEngine::InferenceEngine(preprocessing::Pipeline pipeline, InferenceConfig config,
                                 Context ctx)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->ctx = ctx;
  impl_->pipeline.emplace(std::move(pipeline));
  impl_->set_up();
}

InferenceEngine::InferenceEngine(std::unique_ptr<Model> model, InferenceConfig config, Context ctx)
    : impl_(std::make_unique<Impl>()) {
  impl_->config = config;
  impl_->ctx = ctx;
  impl_->bare_model = std::move(model);
  impl_->set_up();
}

InferenceEngine InferenceEngine::load(const std::filesystem::path& path, InferenceConfig config,
                                      Context ctx) {
  // The envelope names its kind; try the pipeline first, as the CLI writes pipelines.
  try {
    return InferenceEngine(preprocessing::Pipeline::load(path), config, ctx);
  } catch (const SerializationError& pipeline_error) {
    try {
      return InferenceEngine(training::load_model(path), config, ctx);
    } catch (const SerializationError&) {
      throw pipeline_error;
    }
  }
}

InferenceEngine::InferenceEngine(InferenceEngine&&) noexcept = default;
InferenceEngine& InferenceEngine::operator=(InferenceEngine&&) noexcept = default;
InferenceEngine::~InferenceEngine() = default;

const std::vector<preprocessing::ColumnSpec>& InferenceEngine::schema() const noexcept {
  return impl_->schema;
}
std::size_t InferenceEngine::n_features() const noexcept { return impl_->n_features(); }
bool InferenceEngine::is_classifier() const noexcept { return impl_->model->is_classifier(); }
bool InferenceEngine::has_proba() const noexcept {
  return impl_->model->is_classifier() && impl_->model->has_predict_proba();
}
const std::vector<std::string>& InferenceEngine::classes() const noexcept { return impl_->classes; }
const preprocessing::Pipeline* InferenceEngine::pipeline() const noexcept {
  return impl_->pipeline ? &*impl_->pipeline : nullptr;
}
const Model& InferenceEngine::model() const noexcept { return *impl_->model; }
const InferenceConfig& InferenceEngine::config() const noexcept { return impl_->config; }

void InferenceEngine::validate(const data::Frame& x) const { (void)impl_->conform(x); }

data::CsvOptions InferenceEngine::csv_options() const {
  data::CsvOptions options;
  for (const auto& spec : impl_->schema) options.column_types[spec.name] = spec.type;
  return options;
}

Prediction InferenceEngine::predict(const data::Frame& x) const {
  if (!impl_->pipeline) {
    const auto numeric = x.numeric_column_names();
    KOLOSAL_CHECK(numeric.size() == impl_->model->n_features(), ShapeMismatch,
                  "InferenceEngine::predict: the input has ", numeric.size(),
                  " numeric columns but the model takes ", impl_->model->n_features());
  }
  return impl_->timed(x.rows(), [&] {
    return impl_->predict_conformed(impl_->pipeline ? impl_->conform(x)
                                                    : x.select(x.numeric_column_names()));
  });
}

Prediction InferenceEngine::predict(MatrixView<const double> x) const {
  return impl_->timed(x.rows(), [&] { return impl_->predict_matrix(x); });
}

Prediction InferenceEngine::predict_row(std::span<const double> row) const {
  return predict(MatrixView<const double>(row.data(), 1, row.size(), row.size()));
}

std::vector<std::string> InferenceEngine::labels(std::span<const double> indices) const {
  const auto& classes = impl_->classes;
  KOLOSAL_CHECK(!classes.empty(), InvalidArgument,
                "InferenceEngine::labels: the model is not a classifier");
  std::vector<std::string> out;
  out.reserve(indices.size());
  for (const double v : indices) {
    KOLOSAL_CHECK(v >= 0 && v < static_cast<double>(classes.size()) &&
                      v == static_cast<double>(static_cast<std::size_t>(v)),
                  InvalidArgument, "InferenceEngine::labels: ", v, " is not a class index (0..",
                  classes.size() - 1, ")");
    out.push_back(classes[static_cast<std::size_t>(v)]);
  }
  return out;
}

data::Frame InferenceEngine::predict_table(const data::Frame& x) const {
  const Prediction p = predict(x);
  data::Frame out;
  if (!is_classifier()) {
    out.add_column(data::Column::numeric("prediction", p.values));
    return out;
  }
  std::vector<std::int32_t> codes(p.values.size());
  for (std::size_t r = 0; r < codes.size(); ++r) codes[r] = static_cast<std::int32_t>(p.values[r]);
  (void)labels(p.values);  // checks every index
  // Labels may repeat after formatting only if the pipeline's classes do; categorical needs them
  // unique, which LabelEncoder guarantees.
  out.add_column(data::Column::categorical("prediction", std::move(codes), impl_->classes));
  for (std::size_t k = 0; k < p.proba.cols(); ++k) {
    std::vector<double> column(p.proba.rows());
    for (std::size_t r = 0; r < column.size(); ++r) column[r] = p.proba(r, k);
    out.add_column(data::Column::numeric("proba_" + impl_->classes[k], std::move(column)));
  }
  return out;
}

void InferenceEngine::warm_up(const data::Frame& sample, std::size_t repeats) const {
  const data::Frame conformed =
      impl_->pipeline ? impl_->conform(sample) : sample.select(sample.numeric_column_names());
  for (std::size_t i = 0; i < repeats; ++i) (void)impl_->predict_conformed(conformed);
}

void InferenceEngine::warm_up(std::size_t repeats) const {
  std::vector<data::Column> columns;
  if (impl_->schema.empty()) {
    for (std::size_t c = 0; c < impl_->model->n_features(); ++c) {
      columns.push_back(data::Column::numeric("x" + std::to_string(c), {0.0}));
    }
  }
  for (const auto& spec : impl_->schema) {
    switch (spec.type) {
      case data::ColumnType::kNumeric:
        columns.push_back(data::Column::numeric(spec.name, {0.0}));
        break;
      case data::ColumnType::kCategorical:
        columns.push_back(data::Column::categorical(spec.name, {-1}, {}));
        break;
      case data::ColumnType::kBoolean:
        columns.push_back(data::Column::boolean(spec.name, {0}));
        break;
      case data::ColumnType::kText:
        columns.push_back(data::Column::text(spec.name, {""}, {1}));
        break;
      case data::ColumnType::kDatetime:
        columns.push_back(data::Column::datetime(spec.name, {0}));
        break;
    }
  }
  warm_up(data::Frame(std::move(columns)), repeats);
}

InferenceStats InferenceEngine::stats() const {
  const auto snapshot = impl_->metrics.snapshot();
  InferenceStats s;
  s.calls = snapshot.requests;
  s.errors = snapshot.errors;
  s.rows = impl_->rows.load(std::memory_order_relaxed);
  s.cache_hits = impl_->hits.load(std::memory_order_relaxed);
  s.cache_misses = impl_->misses.load(std::memory_order_relaxed);
  s.latency_p50_ms = snapshot.latency.p50 * 1e3;
  s.latency_p90_ms = snapshot.latency.p90 * 1e3;
  s.latency_p99_ms = snapshot.latency.p99 * 1e3;
  s.latency_max_ms = snapshot.latency.max * 1e3;
  s.latency_mean_ms = snapshot.latency.mean * 1e3;
  return s;
}

nlohmann::json InferenceEngine::metrics_json() const { return impl_->metrics.to_json(); }

void InferenceEngine::reset_stats() {
  impl_->metrics.reset();
  impl_->rows = 0;
  impl_->hits = 0;
  impl_->misses = 0;
  if (impl_->cache) impl_->cache->clear();
}

}  // namespace kolosal::inference

namespace kolosal::config {
template nlohmann::json to_json<inference::InferenceConfig>(const inference::InferenceConfig&);
template inference::InferenceConfig from_json<inference::InferenceConfig>(const nlohmann::json&);
}  // namespace kolosal::config
