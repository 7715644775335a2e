// SPDX-License-Identifier: MIT
// Experiment tracking: experiments, runs, params, metric histories, tags, artifacts and run
// status, kept in a durable local store of append-only journals that survives crashes.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kolosal::tracking {

/// Lifecycle of a run. A run whose process died stays kRunning until someone marks it.
enum class RunStatus { kRunning, kFinished, kFailed, kKilled };

[[nodiscard]] std::string_view to_string(RunStatus status) noexcept;
/// Parses "running", "finished", "failed" or "killed"; throws InvalidArgument otherwise.
[[nodiscard]] RunStatus parse_run_status(std::string_view name);

/// One value of a metric's history.
struct MetricPoint {
  std::int64_t step = 0;          ///< caller's step (epoch, round, trial), or a running index
  double value = 0.0;             ///< the metric
  std::int64_t timestamp_ms = 0;  ///< wall clock, milliseconds since the Unix epoch
};

/// An artifact stored with a run, inside the run's folder.
struct ArtifactRecord {
  std::string name;            ///< file name within the run's artifacts/ folder
  std::uint64_t size = 0;      ///< bytes
  std::uint32_t crc32 = 0;     ///< checksum of the stored bytes
  std::filesystem::path path;  ///< where the bytes live
};

/// Everything recorded about one run, as read back from the store.
struct RunRecord {
  std::string id;          ///< unique within the store
  std::string experiment;  ///< owning experiment
  std::string name;        ///< optional human label
  RunStatus status = RunStatus::kRunning;
  std::int64_t start_ms = 0;
  std::optional<std::int64_t> end_ms{};
  std::map<std::string, std::string> params{};                ///< last value wins
  std::map<std::string, std::vector<MetricPoint>> metrics{};  ///< full history, logging order
  std::map<std::string, std::string> tags{};                  ///< last value wins
  std::map<std::string, ArtifactRecord> artifacts{};
  std::size_t damaged_records = 0;  ///< journal lines skipped because a crash tore them

  /// The metric's last logged value, if any.
  [[nodiscard]] std::optional<double> last(std::string_view metric) const;
};

/// How a run is ranked on a metric whose history has several points.
enum class MetricSummary { kLast, kMin, kMax };

/// Which way is better for best_run.
enum class Goal { kMinimize, kMaximize };

struct TrackerOptions {
  /// fdatasync after every record: a record that returned survives power loss, not only a
  /// process crash. Turn off for high-rate metric logging on slow disks.
  bool sync_every_record = true;
};

class ExperimentTracker;

/// A handle for writing to one run. Thread-safe: several threads may log to the same handle,
/// and several handles (in this or other processes) may append to the same run, because each
/// record is one locked append to the run's journal.
class Run {
 public:
  Run(Run&&) noexcept;
  Run& operator=(Run&&) noexcept;
  Run(const Run&) = delete;
  Run& operator=(const Run&) = delete;
  /// Ends a run still open: kFailed when destroyed by a propagating exception, else kFinished.
  ~Run();

  [[nodiscard]] const std::string& id() const noexcept;
  [[nodiscard]] const std::string& experiment() const noexcept;

  void log_param(std::string_view key, std::string_view value);
  void log_param(std::string_view key, const char* value) {
    log_param(key, std::string_view(value));
  }
  void log_param(std::string_view key, double value);
  void log_param(std::string_view key, std::int64_t value);
  void log_param(std::string_view key, int value) { log_param(key, std::int64_t{value}); }
  void log_param(std::string_view key, bool value);
  /// Appends to the metric's history; without a step, the next index of that metric is used.
  /// NaN and infinities are stored exactly.
  void log_metric(std::string_view key, double value, std::optional<std::int64_t> step = {});
  void set_tag(std::string_view key, std::string_view value);
  /// Stores `bytes` atomically as artifacts/<name> and records its size and checksum. Names are
  /// plain file names: letters, digits, '.', '_' and '-', not starting with '.'.
  void log_artifact(std::string_view name, std::string_view bytes);
  /// Marks the run ended. Later logging throws InvalidArgument.
  void finish(RunStatus status = RunStatus::kFinished);
  [[nodiscard]] bool open() const noexcept;

 private:
  friend class ExperimentTracker;
  struct State;
  explicit Run(std::unique_ptr<State> state);
  void append(const std::string& line);
  std::unique_ptr<State> state_;
};

/// A store of experiments under one root directory:
///   <root>/<experiment>/experiment.json          created atomically
///   <root>/<experiment>/<run id>/journal.jsonl   one JSON record per line, append-only
///   <root>/<experiment>/<run id>/artifacts/      files written atomically
/// Reading tolerates a torn last record (a crash mid-append) and never modifies the store.
class ExperimentTracker {
 public:
  explicit ExperimentTracker(std::filesystem::path root, TrackerOptions options = {});

  [[nodiscard]] const std::filesystem::path& root() const noexcept { return root_; }

  /// Creates the experiment if it does not exist. Names follow the artifact-name rule.
  void create_experiment(std::string_view name);
  [[nodiscard]] bool has_experiment(std::string_view name) const;
  [[nodiscard]] std::vector<std::string> experiments() const;

  /// Starts a new run (creating the experiment if needed) in state kRunning.
  [[nodiscard]] Run start_run(std::string_view experiment, std::string_view run_name = {});
  /// Reopens an existing run for appending, e.g. from another process; throws if it ended.
  [[nodiscard]] Run resume_run(std::string_view experiment, std::string_view run_id);

  /// All runs of an experiment in start order (run ids begin with the start time).
  [[nodiscard]] std::vector<RunRecord> runs(std::string_view experiment) const;
  [[nodiscard]] RunRecord run(std::string_view experiment, std::string_view run_id) const;
  /// The best run by `metric` among runs with `status` (default: finished) that logged it.
  [[nodiscard]] std::optional<RunRecord> best_run(
      std::string_view experiment, std::string_view metric, Goal goal,
      MetricSummary summary = MetricSummary::kLast,
      std::optional<RunStatus> status = RunStatus::kFinished) const;
  /// Ends a run left kRunning by a dead process (or stops a live one) with `status`.
  void set_status(std::string_view experiment, std::string_view run_id, RunStatus status);

 private:
  [[nodiscard]] std::filesystem::path experiment_dir(std::string_view name) const;
  std::filesystem::path root_;
  TrackerOptions options_;
};

}  // namespace kolosal::tracking
