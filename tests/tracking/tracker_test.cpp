// SPDX-License-Identifier: MIT
#include "kolosal/tracking/tracker.hpp"

#include <fstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include "kolosal/core/file.hpp"

#include "test_util.hpp"

namespace tracking = kolosal::tracking;
using kolosal::test::expect_error;
using kolosal::test::TempDir;
using tracking::ExperimentTracker;
using tracking::RunStatus;

namespace {

std::filesystem::path journal_of(const ExperimentTracker& tracker, const std::string& experiment,
                                 const std::string& id) {
  return tracker.root() / experiment / id / "journal.jsonl";
}

}  // namespace

TEST_CASE("tracking: params, metrics, tags and artifacts read back exactly", "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  std::string id;
  {
    auto run = tracker.start_run("iris", "baseline");
    id = run.id();
    run.log_param("model", "ridge");
    run.log_param("alpha", 0.1);
    run.log_param("folds", 5);
    run.log_param("shuffle", true);
    run.log_param("alpha", 0.25);  // last value wins
    run.log_metric("loss", 0.9);
    run.log_metric("loss", 0.5);
    run.log_metric("loss", 0.4, 10);
    run.log_metric("loss", 0.3);  // continues after the explicit step
    run.log_metric("nan_metric", std::numeric_limits<double>::quiet_NaN());
    run.log_metric("inf_metric", -std::numeric_limits<double>::infinity());
    run.set_tag("stage", "search");
    run.log_artifact("model.json", "{\"weights\": [1, 2]}");
    CHECK(run.open());
    run.finish();
    CHECK_FALSE(run.open());
  }
  const auto record = tracker.run("iris", id);
  CHECK(record.id == id);
  CHECK(record.experiment == "iris");
  CHECK(record.name == "baseline");
  CHECK(record.status == RunStatus::kFinished);
  REQUIRE(record.end_ms.has_value());
  CHECK(*record.end_ms >= record.start_ms);
  CHECK(record.params.at("model") == "ridge");
  CHECK(std::stod(record.params.at("alpha")) == 0.25);
  CHECK(record.params.at("folds") == "5");
  CHECK(record.params.at("shuffle") == "true");
  const auto& loss = record.metrics.at("loss");
  REQUIRE(loss.size() == 4);
  CHECK(loss[0].step == 0);
  CHECK(loss[1].step == 1);
  CHECK(loss[2].step == 10);
  CHECK(loss[3].step == 11);
  CHECK(loss[3].value == 0.3);
  CHECK(record.last("loss") == 0.3);
  CHECK_FALSE(record.last("missing").has_value());
  CHECK(std::isnan(record.metrics.at("nan_metric").at(0).value));
  CHECK(record.metrics.at("inf_metric").at(0).value == -std::numeric_limits<double>::infinity());
  CHECK(record.tags.at("stage") == "search");
  const auto& artifact = record.artifacts.at("model.json");
  CHECK(artifact.size == 19);
  CHECK(artifact.crc32 == 0xdbc5d2afu);  // zlib.crc32(b'{"weights": [1, 2]}')
  CHECK(kolosal::io::read_file(artifact.path) == "{\"weights\": [1, 2]}");
  CHECK(record.damaged_records == 0);
}

TEST_CASE("tracking: a reopened store lists experiments and runs in start order", "[tracking]") {
  TempDir dir;
  std::vector<std::string> ids;
  {
    ExperimentTracker tracker(dir.path(), {.sync_every_record = false});
    tracker.create_experiment("b-exp");
    for (int i = 0; i < 3; ++i) {
      auto run = tracker.start_run("a-exp");
      run.log_metric("score", i);
      ids.push_back(run.id());
    }
  }
  ExperimentTracker reopened(dir.path());
  CHECK(reopened.experiments() == std::vector<std::string>{"a-exp", "b-exp"});
  CHECK(reopened.has_experiment("a-exp"));
  CHECK_FALSE(reopened.has_experiment("c-exp"));
  const auto runs = reopened.runs("a-exp");
  REQUIRE(runs.size() == 3);
  for (std::size_t i = 0; i < 3; ++i) {
    CHECK(runs[i].id == ids[i]);
    CHECK(runs[i].last("score") == static_cast<double>(i));
    CHECK(runs[i].status == RunStatus::kFinished);  // ended by the handle's destructor
  }
  CHECK(reopened.runs("b-exp").empty());
}

TEST_CASE("tracking: best_run ranks by last, min or max among finished runs", "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  auto log_run = [&](std::vector<double> values, RunStatus status) {
    auto run = tracker.start_run("cmp");
    for (const double v : values) run.log_metric("auc", v);
    run.finish(status);
    return run.id();
  };
  const auto a = log_run({0.70, 0.95, 0.80}, RunStatus::kFinished);  // max 0.95, last 0.80
  const auto b = log_run({0.85, 0.86}, RunStatus::kFinished);        // max 0.86, last 0.86
  const auto c = log_run({0.99}, RunStatus::kFailed);                // excluded by default
  auto open_run = tracker.start_run("cmp");
  open_run.log_metric("auc", 1.0);  // running: excluded by default

  using tracking::Goal;
  using tracking::MetricSummary;
  CHECK(tracker.best_run("cmp", "auc", Goal::kMaximize)->id == b);
  CHECK(tracker.best_run("cmp", "auc", Goal::kMaximize, MetricSummary::kMax)->id == a);
  CHECK(tracker.best_run("cmp", "auc", Goal::kMinimize, MetricSummary::kMin)->id == a);
  CHECK(tracker.best_run("cmp", "auc", Goal::kMaximize, MetricSummary::kLast, std::nullopt)->id ==
        open_run.id());
  CHECK(tracker.best_run("cmp", "auc", Goal::kMaximize, MetricSummary::kLast, RunStatus::kFailed)
            ->id == c);
  CHECK_FALSE(tracker.best_run("cmp", "rmse", Goal::kMinimize).has_value());
}

TEST_CASE("tracking: a run destroyed by an exception is marked failed", "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  std::string id;
  try {
    auto run = tracker.start_run("exp");
    id = run.id();
    run.log_metric("loss", 1.0);
    throw std::runtime_error("trial crashed");
  } catch (const std::runtime_error&) {
  }
  CHECK(tracker.run("exp", id).status == RunStatus::kFailed);
}

TEST_CASE("tracking: a torn last record is skipped and later appends start a new line",
          "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  auto run = tracker.start_run("exp");
  const std::string id = run.id();
  run.log_metric("loss", 0.5);
  {
    // What a crash in the middle of write() leaves behind.
    std::ofstream out(journal_of(tracker, "exp", id), std::ios::app);
    out << "{\"type\":\"metric\",\"key\":\"loss\",\"va";
  }
  auto torn = tracker.run("exp", id);
  CHECK(torn.damaged_records == 1);
  CHECK(torn.metrics.at("loss").size() == 1);
  CHECK(torn.status == RunStatus::kRunning);

  run.log_metric("loss", 0.25);
  run.finish(RunStatus::kKilled);
  const auto repaired = tracker.run("exp", id);
  CHECK(repaired.damaged_records == 1);
  REQUIRE(repaired.metrics.at("loss").size() == 2);
  CHECK(repaired.metrics.at("loss")[1].value == 0.25);
  CHECK(repaired.status == RunStatus::kKilled);
}

TEST_CASE("tracking: a run left running by a crashed process can be resumed and ended",
          "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    // The child dies without unwinding, as a crash would: its run is never ended.
    try {
      auto run = tracker.start_run("exp");
      run.log_metric("loss", 3.0);
      run.log_metric("loss", 2.0);
      const std::string id = run.id();
      (void)!::write(pipe_fds[1], id.data(), id.size());
      ::_exit(0);
    } catch (...) {
      ::_exit(1);
    }
  }
  ::close(pipe_fds[1]);
  char buffer[64] = {};
  const ssize_t n = ::read(pipe_fds[0], buffer, sizeof buffer);
  ::close(pipe_fds[0]);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  REQUIRE(WEXITSTATUS(status) == 0);
  REQUIRE(n > 0);
  const std::string id(buffer, static_cast<std::size_t>(n));

  CHECK(tracker.run("exp", id).status == RunStatus::kRunning);
  auto resumed = tracker.resume_run("exp", id);
  resumed.log_metric("loss", 1.0);  // continues the step count at 2
  resumed.finish();
  const auto record = tracker.run("exp", id);
  CHECK(record.status == RunStatus::kFinished);
  REQUIRE(record.metrics.at("loss").size() == 3);
  CHECK(record.metrics.at("loss")[2].step == 2);
  CHECK(record.metrics.at("loss")[2].value == 1.0);
}

TEST_CASE("tracking: set_status ends a stale run and resume refuses ended runs", "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  std::string id;
  {
    auto run = tracker.start_run("exp");
    id = run.id();
    tracker.set_status("exp", id, RunStatus::kKilled);
    CHECK(tracker.run("exp", id).status == RunStatus::kKilled);
    run.finish(RunStatus::kKilled);
  }
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.resume_run("exp", id); },
                                         "has ended (killed)");
}

TEST_CASE("tracking: bad names, keys and use after finish are clear errors", "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path());
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.start_run("a/b"); },
                                         "may contain only letters");
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.start_run("../up"); },
                                         "must not start with");
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.start_run(".hidden"); },
                                         "must not start with '.'");
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.start_run(""); }, "1 to 128");
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.runs("absent"); },
                                         "no experiment 'absent'");
  auto run = tracker.start_run("exp");
  expect_error<kolosal::InvalidArgument>([&] { run.log_artifact("a/b", "x"); },
                                         "may contain only letters");
  expect_error<kolosal::InvalidArgument>([&] { run.log_metric("", 1.0); }, "metric keys");
  expect_error<kolosal::InvalidArgument>([&] { run.finish(RunStatus::kRunning); },
                                         "needs an end status");
  run.finish();
  expect_error<kolosal::InvalidArgument>([&] { run.log_metric("loss", 1.0); }, "has ended");
  expect_error<kolosal::InvalidArgument>([&] { (void)tracker.run("exp", "nope"); },
                                         "has no run 'nope'");
  expect_error<kolosal::InvalidArgument>([] { (void)tracking::parse_run_status("done"); },
                                         "unknown run status 'done'");
  CHECK(tracking::parse_run_status("failed") == RunStatus::kFailed);
}

TEST_CASE("tracking concurrency: threads and processes appending to one run lose nothing",
          "[tracking]") {
  TempDir dir;
  ExperimentTracker tracker(dir.path(), {.sync_every_record = false});
  auto run = tracker.start_run("exp");
  const std::string id = run.id();
  constexpr int kThreads = 6;
  constexpr int kPerThread = 150;
  constexpr int kProcesses = 2;
  std::vector<pid_t> children;
  for (int p = 0; p < kProcesses; ++p) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      try {
        ExperimentTracker child(dir.path(), {.sync_every_record = false});
        auto other = child.resume_run("exp", id);
        for (int i = 0; i < kPerThread; ++i) {
          other.log_metric("proc" + std::to_string(p), i, i);
        }
        other.set_tag("child" + std::to_string(p), "done");
        ::_exit(0);  // no unwinding: only the parent ends the run
      } catch (...) {
        ::_exit(1);
      }
    }
    children.push_back(pid);
  }
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&run, t] {
      for (int i = 0; i < kPerThread; ++i) run.log_metric("thread" + std::to_string(t), i, i);
    });
  }
  for (auto& thread : threads) thread.join();
  for (const pid_t pid : children) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  run.finish();
  const auto record = tracker.run("exp", id);
  CHECK(record.damaged_records == 0);
  CHECK(record.status == RunStatus::kFinished);
  for (int t = 0; t < kThreads; ++t) {
    const auto& points = record.metrics.at("thread" + std::to_string(t));
    REQUIRE(points.size() == kPerThread);
    for (int i = 0; i < kPerThread; ++i) CHECK(points[i].value == i);  // per-writer order kept
  }
  for (int p = 0; p < kProcesses; ++p) {
    CHECK(record.metrics.at("proc" + std::to_string(p)).size() == kPerThread);
    CHECK(record.tags.at("child" + std::to_string(p)) == "done");
  }
}
