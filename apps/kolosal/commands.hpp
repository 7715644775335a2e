// SPDX-License-Identifier: MIT
// Subcommands of the `kolosal` tool: their options and their run functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>

#include <CLI/CLI.hpp>

namespace kolosal::cli {

/// Options of `kolosal info`.
struct InfoOptions {
  std::string data;                   ///< CSV file to describe
  std::optional<std::string> target;  ///< column whose task type is guessed
  std::string delimiter;              ///< empty: detect
  std::optional<std::size_t> max_rows;
  bool json = false;  ///< print JSON instead of a table
};

void add_info_command(CLI::App& app, InfoOptions& options);

/// Describes a CSV file; returns the process exit code. Throws kolosal::Error on bad input.
int run_info(const InfoOptions& options, std::ostream& out);

}  // namespace kolosal::cli
