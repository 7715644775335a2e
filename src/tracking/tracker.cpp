// SPDX-License-Identifier: MIT
// The tracking store: one append-only JSON-lines journal per run. Each record is a single
// write() under an exclusive flock, so records from several threads, handles or processes never
// interleave, and a crash can at worst tear the last line, which readers skip and count.
#include "kolosal/tracking/tracker.hpp"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fcntl.h>
#include <limits>
#include <mutex>
#include <random>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

#include <nlohmann/json.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/file.hpp"
#include "kolosal/core/log.hpp"

#include "core/checksum.hpp"

namespace kolosal::tracking {
namespace {

using nlohmann::json;
namespace fs = std::filesystem;

constexpr std::string_view kJournal = "journal.jsonl";
constexpr std::string_view kExperimentFile = "experiment.json";
constexpr std::size_t kMaxNameLength = 128;

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Experiment, run-id and artifact names become path components: keep them to a portable,
// traversal-free alphabet rather than escaping.
void check_name(std::string_view name, std::string_view what) {
  KOLOSAL_CHECK(!name.empty() && name.size() <= kMaxNameLength, InvalidArgument, "tracking: ", what,
                " must have 1 to ", kMaxNameLength, " characters, got ", name.size());
  KOLOSAL_CHECK(name.front() != '.', InvalidArgument, "tracking: ", what, " '", name,
                "' must not start with '.'");
  for (const char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    KOLOSAL_CHECK(ok, InvalidArgument, "tracking: ", what, " '", name,
                  "' may contain only letters, digits, '.', '_' and '-'");
  }
}

void check_key(std::string_view key, std::string_view what) {
  KOLOSAL_CHECK(!key.empty() && key.size() <= 256, InvalidArgument, "tracking: ", what,
                " keys must have 1 to 256 characters");
}

// JSON has no NaN or infinities; the journal spells them as strings so histories stay exact.
json encode_number(double value) {
  if (std::isnan(value)) return "nan";
  if (std::isinf(value)) return value > 0 ? "inf" : "-inf";
  return value;
}

std::optional<double> decode_number(const json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_string()) {
    const auto& s = value.get_ref<const std::string&>();
    if (s == "nan") return std::numeric_limits<double>::quiet_NaN();
    if (s == "inf") return std::numeric_limits<double>::infinity();
    if (s == "-inf") return -std::numeric_limits<double>::infinity();
  }
  return std::nullopt;
}

std::string format_double(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.17g", value);
  return buffer;
}

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Zero-padded start microseconds first, so ids sort in start order; the random tag keeps ids
// unique across processes starting runs in the same microsecond.
std::string new_run_id() {
  static std::atomic<std::uint32_t> counter{0};
  std::random_device device;
  const std::uint32_t tag = device() ^ (counter.fetch_add(1) * 0x9E3779B9u);
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%016lld-%08x", static_cast<long long>(now_us()), tag);
  return buffer;
}

std::string system_reason() { return std::strerror(errno); }

// Everything a journal says, folded into a record. Returns nullopt when the journal has no
// valid header (a crash between creating the folder and the first append).
std::optional<RunRecord> read_journal(const fs::path& journal) {
  const std::string text = io::read_file(journal);
  RunRecord record;
  bool has_header = false;
  std::size_t begin = 0;
  while (begin < text.size()) {
    std::size_t end = text.find('\n', begin);
    if (end == std::string::npos) end = text.size();
    const std::string_view line(text.data() + begin, end - begin);
    begin = end + 1;
    if (line.empty()) continue;
    const json entry = json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (entry.is_discarded() || !entry.is_object() || !entry.contains("type") ||
        !entry["type"].is_string()) {
      ++record.damaged_records;
      continue;
    }
    try {
      const auto& type = entry["type"].get_ref<const std::string&>();
      if (type == "run") {
        record.id = entry.at("id").get<std::string>();
        record.experiment = entry.at("experiment").get<std::string>();
        record.name = entry.value("name", "");
        record.start_ms = entry.at("start_ms").get<std::int64_t>();
        has_header = true;
      } else if (type == "param") {
        record.params[entry.at("key").get<std::string>()] = entry.at("value").get<std::string>();
      } else if (type == "tag") {
        record.tags[entry.at("key").get<std::string>()] = entry.at("value").get<std::string>();
      } else if (type == "metric") {
        const auto value = decode_number(entry.at("value"));
        if (!value) {
          ++record.damaged_records;
          continue;
        }
        record.metrics[entry.at("key").get<std::string>()].push_back(
            {entry.at("step").get<std::int64_t>(), *value, entry.at("ts").get<std::int64_t>()});
      } else if (type == "artifact") {
        ArtifactRecord artifact;
        artifact.name = entry.at("name").get<std::string>();
        artifact.size = entry.at("size").get<std::uint64_t>();
        artifact.crc32 = entry.at("crc32").get<std::uint32_t>();
        artifact.path = journal.parent_path() / "artifacts" / artifact.name;
        record.artifacts[artifact.name] = std::move(artifact);
      } else if (type == "status") {
        record.status = parse_run_status(entry.at("status").get<std::string>());
        if (record.status == RunStatus::kRunning) {
          record.end_ms.reset();
        } else {
          record.end_ms = entry.at("ts").get<std::int64_t>();
        }
      }
      // Unknown types come from newer writers: skipped, not an error.
    } catch (const json::exception&) {
      ++record.damaged_records;
    } catch (const InvalidArgument&) {
      ++record.damaged_records;
    }
  }
  if (!has_header) return std::nullopt;
  return record;
}

}  // namespace

std::string_view to_string(RunStatus status) noexcept {
  switch (status) {
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kFinished:
      return "finished";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kKilled:
      return "killed";
  }
  return "unknown";
}

RunStatus parse_run_status(std::string_view name) {
  for (const RunStatus s :
       {RunStatus::kRunning, RunStatus::kFinished, RunStatus::kFailed, RunStatus::kKilled}) {
    if (to_string(s) == name) return s;
  }
  KOLOSAL_THROW(InvalidArgument, "tracking: unknown run status '", name,
                "' (expected running, finished, failed or killed)");
}

std::optional<double> RunRecord::last(std::string_view metric) const {
  const auto it = metrics.find(std::string(metric));
  if (it == metrics.end() || it->second.empty()) return std::nullopt;
  return it->second.back().value;
}

// ------------------------------------------------------------------------------------ Run

struct Run::State {
  std::string id;
  std::string experiment;
  fs::path dir;
  int fd = -1;
  bool sync = true;
  bool open = true;
  int uncaught_at_start = 0;
  std::mutex mutex;
  std::unordered_map<std::string, std::int64_t> next_step;

  ~State() {
    if (fd >= 0) ::close(fd);
  }
};

Run::Run(std::unique_ptr<State> state) : state_(std::move(state)) {}
Run::Run(Run&&) noexcept = default;
Run& Run::operator=(Run&& other) noexcept {
  if (this != &other) {
    if (state_ && state_->open) {
      try {
        finish(RunStatus::kFinished);
      } catch (...) {  // NOLINT(bugprone-empty-catch): a move must not throw
      }
    }
    state_ = std::move(other.state_);
  }
  return *this;
}

Run::~Run() {
  if (!state_ || !state_->open) return;
  const bool unwinding = std::uncaught_exceptions() > state_->uncaught_at_start;
  try {
    finish(unwinding ? RunStatus::kFailed : RunStatus::kFinished);
  } catch (const std::exception& e) {
    logging::warn(std::string("tracking: could not end run ") + state_->id + ": " + e.what());
  }
}

const std::string& Run::id() const noexcept { return state_->id; }
const std::string& Run::experiment() const noexcept { return state_->experiment; }
bool Run::open() const noexcept { return state_ && state_->open; }

void Run::append(const std::string& line) {
  KOLOSAL_CHECK(state_ != nullptr, InvalidArgument, "tracking: use of a moved-from Run");
  KOLOSAL_CHECK(state_->open, InvalidArgument, "tracking: run ", state_->id,
                " has ended; start or resume a run to log more");
  State& s = *state_;
  // flock excludes other descriptors (other handles, other processes); the mutex excludes the
  // threads sharing this descriptor, which flock does not.
  if (::flock(s.fd, LOCK_EX) != 0) {
    KOLOSAL_THROW(IoError, "tracking: cannot lock the journal of run ", s.id, ": ",
                  system_reason());
  }
  struct Unlock {
    int fd;
    ~Unlock() { ::flock(fd, LOCK_UN); }
  } unlock{s.fd};
  std::string bytes;
  bytes.reserve(line.size() + 2);
  // A writer that crashed mid-record left a line without its newline: start on a fresh line so
  // only the torn record is lost.
  struct stat st {};
  if (::fstat(s.fd, &st) == 0 && st.st_size > 0) {
    char last = '\n';
    if (::pread(s.fd, &last, 1, st.st_size - 1) == 1 && last != '\n') bytes.push_back('\n');
  }
  bytes += line;
  bytes.push_back('\n');
  const char* data = bytes.data();
  std::size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(s.fd, data, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      KOLOSAL_THROW(IoError, "tracking: cannot append to the journal of run ", s.id, ": ",
                    system_reason());
    }
    data += n;
    left -= static_cast<std::size_t>(n);
  }
  if (s.sync && ::fdatasync(s.fd) != 0) {
    KOLOSAL_THROW(IoError, "tracking: cannot sync the journal of run ", s.id, ": ",
                  system_reason());
  }
}

void Run::log_param(std::string_view key, std::string_view value) {
  check_key(key, "param");
  json entry{{"type", "param"}, {"key", key}, {"value", value}};
  std::lock_guard lock(state_->mutex);
  append(entry.dump());
}

void Run::log_param(std::string_view key, double value) { log_param(key, format_double(value)); }
void Run::log_param(std::string_view key, std::int64_t value) {
  log_param(key, std::to_string(value));
}
void Run::log_param(std::string_view key, bool value) {
  log_param(key, std::string_view(value ? "true" : "false"));
}

void Run::log_metric(std::string_view key, double value, std::optional<std::int64_t> step) {
  check_key(key, "metric");
  KOLOSAL_CHECK(state_ != nullptr, InvalidArgument, "tracking: use of a moved-from Run");
  std::lock_guard lock(state_->mutex);
  auto& next = state_->next_step[std::string(key)];
  const std::int64_t used = step.value_or(next);
  json entry{{"type", "metric"},
             {"key", key},
             {"value", encode_number(value)},
             {"step", used},
             {"ts", now_ms()}};
  append(entry.dump());
  next = std::max(next, used + 1);
}

void Run::set_tag(std::string_view key, std::string_view value) {
  check_key(key, "tag");
  json entry{{"type", "tag"}, {"key", key}, {"value", value}};
  std::lock_guard lock(state_->mutex);
  append(entry.dump());
}

void Run::log_artifact(std::string_view name, std::string_view bytes) {
  check_name(name, "artifact name");
  KOLOSAL_CHECK(state_ != nullptr, InvalidArgument, "tracking: use of a moved-from Run");
  std::lock_guard lock(state_->mutex);
  KOLOSAL_CHECK(state_->open, InvalidArgument, "tracking: run ", state_->id,
                " has ended; start or resume a run to log more");
  const fs::path dir = state_->dir / "artifacts";
  std::error_code ec;
  fs::create_directories(dir, ec);
  KOLOSAL_CHECK(!ec, IoError, "tracking: cannot create '", dir.string(), "': ", ec.message());
  // The file first, then the record: a record always points at complete bytes.
  io::write_file_atomic(dir / std::string(name), bytes);
  json entry{{"type", "artifact"},
             {"name", name},
             {"size", bytes.size()},
             {"crc32", detail::crc32(bytes)}};
  append(entry.dump());
}

void Run::finish(RunStatus status) {
  KOLOSAL_CHECK(status != RunStatus::kRunning, InvalidArgument,
                "tracking: finish needs an end status (finished, failed or killed)");
  KOLOSAL_CHECK(state_ != nullptr, InvalidArgument, "tracking: use of a moved-from Run");
  std::lock_guard lock(state_->mutex);
  json entry{{"type", "status"}, {"status", to_string(status)}, {"ts", now_ms()}};
  append(entry.dump());
  state_->open = false;
}

// ---------------------------------------------------------------------- ExperimentTracker

ExperimentTracker::ExperimentTracker(fs::path root, TrackerOptions options)
    : root_(std::move(root)), options_(options) {
  KOLOSAL_CHECK(!root_.empty(), InvalidArgument, "tracking: the store root must not be empty");
  std::error_code ec;
  fs::create_directories(root_, ec);
  KOLOSAL_CHECK(!ec && fs::is_directory(root_), IoError, "tracking: cannot use '", root_.string(),
                "' as a store: ", ec ? ec.message() : std::string("not a directory"));
}

fs::path ExperimentTracker::experiment_dir(std::string_view name) const {
  check_name(name, "experiment name");
  return root_ / std::string(name);
}

void ExperimentTracker::create_experiment(std::string_view name) {
  const fs::path dir = experiment_dir(name);
  if (fs::exists(dir / kExperimentFile)) return;
  std::error_code ec;
  fs::create_directories(dir, ec);
  KOLOSAL_CHECK(!ec, IoError, "tracking: cannot create '", dir.string(), "': ", ec.message());
  const json meta{{"name", name},
                  {"created_ms", now_ms()},
                  {"format", "kolosal-tracking"},
                  {"format_version", 1}};
  io::write_file_atomic(dir / kExperimentFile, meta.dump(2) + "\n");
}

bool ExperimentTracker::has_experiment(std::string_view name) const {
  return fs::exists(experiment_dir(name) / kExperimentFile);
}

std::vector<std::string> ExperimentTracker::experiments() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(root_)) {
    if (entry.is_directory() && fs::exists(entry.path() / kExperimentFile)) {
      names.push_back(entry.path().filename().string());
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

Run ExperimentTracker::start_run(std::string_view experiment, std::string_view run_name) {
  create_experiment(experiment);
  const std::int64_t start = now_ms();
  const fs::path experiment_path = experiment_dir(experiment);
  std::string id;
  fs::path dir;
  // create_directory is atomic: a clash with another writer's id just draws again.
  for (int attempt = 0;; ++attempt) {
    id = new_run_id();
    dir = experiment_path / id;
    std::error_code ec;
    if (fs::create_directory(dir, ec)) break;
    KOLOSAL_CHECK(attempt < 16 && !ec, IoError, "tracking: cannot create a run folder in '",
                  experiment_path.string(), "': ", ec ? ec.message() : "id clash");
  }
  const fs::path journal = dir / kJournal;
  auto state = std::make_unique<Run::State>();
  state->id = id;
  state->experiment = std::string(experiment);
  state->dir = dir;
  state->sync = options_.sync_every_record;
  state->uncaught_at_start = std::uncaught_exceptions();
  state->fd = ::open(journal.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  KOLOSAL_CHECK(state->fd >= 0, IoError, "tracking: cannot create '", journal.string(),
                "': ", system_reason());
  Run run(std::move(state));
  json header{{"type", "run"},    {"id", id},          {"experiment", experiment},
              {"name", run_name}, {"start_ms", start}, {"pid", ::getpid()}};
  run.append(header.dump());
  return run;
}

Run ExperimentTracker::resume_run(std::string_view experiment, std::string_view run_id) {
  check_name(run_id, "run id");
  const RunRecord record = run(experiment, run_id);
  KOLOSAL_CHECK(record.status == RunStatus::kRunning, InvalidArgument, "tracking: run ", run_id,
                " has ended (", to_string(record.status), "); it cannot be resumed");
  const fs::path dir = experiment_dir(experiment) / std::string(run_id);
  auto state = std::make_unique<Run::State>();
  state->id = record.id;
  state->experiment = record.experiment;
  state->dir = dir;
  state->sync = options_.sync_every_record;
  state->uncaught_at_start = std::uncaught_exceptions();
  for (const auto& [key, points] : record.metrics) {
    std::int64_t next = 0;
    for (const auto& p : points) next = std::max(next, p.step + 1);
    state->next_step[key] = next;
  }
  const fs::path journal = dir / kJournal;
  state->fd = ::open(journal.c_str(), O_RDWR | O_APPEND | O_CLOEXEC);
  KOLOSAL_CHECK(state->fd >= 0, IoError, "tracking: cannot open '", journal.string(),
                "': ", system_reason());
  return Run(std::move(state));
}

RunRecord ExperimentTracker::run(std::string_view experiment, std::string_view run_id) const {
  check_name(run_id, "run id");
  const fs::path journal = experiment_dir(experiment) / std::string(run_id) / kJournal;
  KOLOSAL_CHECK(fs::exists(journal), InvalidArgument, "tracking: experiment '", experiment,
                "' has no run '", run_id, "'");
  auto record = read_journal(journal);
  KOLOSAL_CHECK(record.has_value(), DataError, "tracking: '", journal.string(),
                "' has no valid run header (the run was interrupted while starting)");
  return std::move(*record);
}

std::vector<RunRecord> ExperimentTracker::runs(std::string_view experiment) const {
  const fs::path dir = experiment_dir(experiment);
  KOLOSAL_CHECK(fs::exists(dir / kExperimentFile), InvalidArgument, "tracking: no experiment '",
                experiment, "' in '", root_.string(), "'");
  std::vector<RunRecord> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const fs::path journal = entry.path() / kJournal;
    if (!entry.is_directory() || !fs::exists(journal)) continue;
    if (auto record = read_journal(journal)) out.push_back(std::move(*record));
  }
  std::sort(out.begin(), out.end(),
            [](const RunRecord& a, const RunRecord& b) { return a.id < b.id; });
  return out;
}

std::optional<RunRecord> ExperimentTracker::best_run(std::string_view experiment,
                                                     std::string_view metric, Goal goal,
                                                     MetricSummary summary,
                                                     std::optional<RunStatus> status) const {
  std::optional<RunRecord> best;
  double best_value = 0.0;
  for (auto& record : runs(experiment)) {
    if (status && record.status != *status) continue;
    const auto it = record.metrics.find(std::string(metric));
    if (it == record.metrics.end()) continue;
    std::optional<double> value;
    for (const auto& point : it->second) {
      if (summary == MetricSummary::kLast) {
        value = point.value;
      } else if (!std::isnan(point.value)) {
        const bool take_min = summary == MetricSummary::kMin;
        if (!value || (take_min ? point.value < *value : point.value > *value)) value = point.value;
      }
    }
    if (!value || std::isnan(*value)) continue;
    const bool better =
        !best || (goal == Goal::kMinimize ? *value < best_value : *value > best_value);
    if (better) {
      best_value = *value;
      best = std::move(record);
    }
  }
  return best;
}

void ExperimentTracker::set_status(std::string_view experiment, std::string_view run_id,
                                   RunStatus status) {
  KOLOSAL_CHECK(status != RunStatus::kRunning, InvalidArgument,
                "tracking: set_status needs an end status (finished, failed or killed)");
  Run handle = resume_run(experiment, run_id);
  handle.finish(status);
}

}  // namespace kolosal::tracking
