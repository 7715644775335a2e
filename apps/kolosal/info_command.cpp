// SPDX-License-Identifier: MIT
// `kolosal info`: the schema, missing counts, statistics and guessed task of a CSV file.
#include <cmath>
#include <cstdio>
#include <iomanip>
#include <sstream>

#include <nlohmann/json.hpp>

#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"
#include "kolosal/data/task.hpp"

#include "commands.hpp"

namespace kolosal::cli {
namespace {

std::string format_number(double value) {
  if (std::isnan(value)) return "";
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

bool is_numeric(const data::ColumnSummary& s) { return s.type == data::ColumnType::kNumeric; }

nlohmann::json summary_json(const data::ColumnSummary& s) {
  nlohmann::json j{{"name", s.name},
                   {"type", data::to_string(s.type)},
                   {"count", s.count},
                   {"missing", s.missing}};
  if (is_numeric(s)) {
    auto number = [](double v) {
      return std::isnan(v) ? nlohmann::json(nullptr) : nlohmann::json(v);
    };
    j["mean"] = number(s.mean);
    j["std"] = number(s.std);
    j["min"] = number(s.min);
    j["max"] = number(s.max);
  } else {
    j["unique"] = s.unique;
    j["top"] = s.top;
    j["top_count"] = s.top_count;
  }
  return j;
}

void print_table(const InfoOptions& options, const data::Frame& frame,
                 const std::vector<data::ColumnSummary>& summaries, std::ostream& out) {
  out << options.data << ": " << frame.rows() << " rows x " << frame.cols() << " columns\n\n";
  std::size_t name_width = 6;
  for (const auto& s : summaries) name_width = std::max(name_width, s.name.size());
  name_width = std::min<std::size_t>(name_width, 40);
  out << std::left << std::setw(static_cast<int>(name_width) + 2) << "column" << std::setw(13)
      << "type" << std::right << std::setw(9) << "missing" << std::setw(9) << "unique"
      << std::setw(13) << "mean" << std::setw(13) << "std" << std::setw(13) << "min"
      << std::setw(13) << "max"
      << "  top\n";
  for (const auto& s : summaries) {
    std::string name = s.name.size() > name_width ? s.name.substr(0, name_width - 1) + "~" : s.name;
    out << std::left << std::setw(static_cast<int>(name_width) + 2) << name << std::setw(13)
        << data::to_string(s.type) << std::right << std::setw(9) << s.missing << std::setw(9)
        << (is_numeric(s) ? std::string("") : std::to_string(s.unique));
    if (is_numeric(s)) {
      out << std::setw(13) << format_number(s.mean) << std::setw(13) << format_number(s.std)
          << std::setw(13) << format_number(s.min) << std::setw(13) << format_number(s.max);
    } else {
      out << std::setw(52) << ""
          << "  " << s.top << " (" << s.top_count << ")";
    }
    out << "\n";
  }
}

}  // namespace

void add_info_command(CLI::App& app, InfoOptions& options) {
  CLI::App* info = app.add_subcommand(
      "info", "Show a CSV file's rows, columns, types, missing values and statistics");
  CLI::Option* data =
      info->add_option("--data", options.data, "CSV file to describe")->check(CLI::ExistingFile);
  info->add_flag("--system", options.system,
                 "describe this machine (CPU, caches, memory, GPUs) instead of a CSV file")
      ->excludes(data);
  info->final_callback([&options] {
    if (!options.system && options.data.empty()) throw CLI::RequiredError("--data");
  });
  info->add_option("--target", options.target, "target column: also guess the learning task");
  info->add_option("--delimiter", options.delimiter, "field separator (default: detect)");
  info->add_option("--max-rows", options.max_rows, "read at most this many rows");
  info->add_flag("--json", options.json, "print JSON instead of a table");
}

int run_info(const InfoOptions& options, std::ostream& out) {
  if (options.system) return run_system_info(options.json, out);
  data::CsvOptions csv;
  csv.delimiter = options.delimiter;
  csv.max_rows = options.max_rows;
  config::validate(csv, "kolosal info");
  const data::Frame frame = data::read_csv(options.data, csv);
  const std::vector<data::ColumnSummary> summaries = frame.describe();
  std::optional<data::TaskGuess> task;
  if (options.target) task = data::guess_task(frame.column(*options.target));

  if (options.json) {
    nlohmann::json j{{"file", options.data}, {"rows", frame.rows()}, {"columns", frame.cols()}};
    j["schema"] = nlohmann::json::array();
    for (const auto& s : summaries) j["schema"].push_back(summary_json(s));
    if (task) {
      j["target"] = {{"name", *options.target},
                     {"task", config::enum_name(task->type)},
                     {"n_classes", task->n_classes},
                     {"reason", task->reason}};
    }
    out << j.dump(2) << "\n";
    return 0;
  }
  print_table(options, frame, summaries, out);
  if (task) {
    out << "\ntarget '" << *options.target << "': " << config::enum_name(task->type);
    if (task->type != data::TaskType::kRegression) out << " (" << task->n_classes << " classes)";
    out << " — " << task->reason << "\n";
  }
  return 0;
}

}  // namespace kolosal::cli
