// SPDX-License-Identifier: MIT
// The `kolosal` command-line tool: entry point, global options and exit-code policy.
#include <exception>
#include <iostream>

#include <CLI/CLI.hpp>

#include "kolosal/core/error.hpp"
#include "kolosal/core/log.hpp"
#include "kolosal/version.hpp"

#include "commands.hpp"

namespace {

// Exit codes: 0 success, 1 runtime error (bad data, unreadable file, ...), 2 usage error.
constexpr int kExitRuntimeError = 1;
constexpr int kExitUsageError = 2;

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"kolosal: AutoML from a CSV table to a served model", "kolosal"};
  app.set_version_flag("--version", std::string("kolosal ") + KOLOSAL_VERSION_STRING);
  app.require_subcommand(0, 1);
  std::string log_level = "off";
  app.add_option("--log-level", log_level, "diagnostics on stderr: trace|debug|info|warn|error|off")
      ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error", "off"}))
      ->capture_default_str();

  kolosal::cli::InfoOptions info;
  kolosal::cli::add_info_command(app, info);
  kolosal::cli::SecurityOptions security;
  kolosal::cli::add_security_commands(app, security);
  kolosal::cli::PredictOptions predict;
  kolosal::cli::add_predict_command(app, predict);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "kolosal: error: " << e.what() << "\nRun 'kolosal --help' for usage.\n";
    return kExitUsageError;
  }

  try {
    kolosal::logging::set_level(kolosal::logging::parse_level(log_level));
    if (app.got_subcommand("info")) return kolosal::cli::run_info(info, std::cout);
    if (auto code = kolosal::cli::run_security_command(app, security, std::cout)) return *code;
    if (app.got_subcommand("predict")) return kolosal::cli::run_predict(predict, std::cout);
    std::cout << app.help();
    return 0;
  } catch (const kolosal::Error& e) {
    std::cerr << "kolosal: error: " << e.what() << "\n";
  } catch (const std::exception& e) {
    std::cerr << "kolosal: error: " << e.what() << "\n";
  }
  return kExitRuntimeError;
}
