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
  bool json = false;    ///< print JSON instead of a table
  bool system = false;  ///< describe this machine instead of a CSV file
};

void add_info_command(CLI::App& app, InfoOptions& options);

/// Describes a CSV file; returns the process exit code. Throws kolosal::Error on bad input.
int run_info(const InfoOptions& options, std::ostream& out);

/// Options of `kolosal keygen`, `kolosal sign` and `kolosal verify`. A key argument is a file
/// path, or `env:NAME` to read the key text from the environment variable NAME.
struct SecurityOptions {
  std::string keygen_out;  ///< keygen: secret key file (the public key goes to <out>.pub)
  std::string keygen_type = "signing";  ///< keygen: signing | encryption
  bool keygen_force = false;            ///< keygen: overwrite existing files
  std::string key;                      ///< sign: secret key; verify: public key
  std::string in;                       ///< sign: artifact; verify: signed artifact
  std::string out;  ///< sign: signed artifact; verify: optional verified artifact
  std::optional<std::string> encrypt_key;  ///< sign: encrypt with this key; verify: decrypt
};

void add_security_commands(CLI::App& app, SecurityOptions& options);

/// Runs keygen, sign or verify when one was given; nothing otherwise.
std::optional<int> run_security_command(const CLI::App& app, const SecurityOptions& options,
                                        std::ostream& out);

/// `kolosal info --system`: CPU, topology, memory, GPUs and the DeviceOptimizer's advice.
int run_system_info(bool json, std::ostream& out);
/// Options of `kolosal predict`.
struct PredictOptions {
  std::string model;                              ///< pipeline or model artifact
  std::string data;                               ///< CSV file to predict
  std::string out;                                ///< CSV file to write
  bool stream = false;                            ///< force the streaming pipeline
  std::size_t chunk_rows = 16384;                 ///< rows per chunk when streaming
  int threads = 0;                                ///< 0: every hardware thread
  std::string delimiter;                          ///< empty: detect
  std::size_t stream_above_bytes = 256ULL << 20;  ///< inputs larger than this stream
};

void add_predict_command(CLI::App& app, PredictOptions& options);

/// Writes predictions for every row of a CSV file; returns the process exit code. Throws
/// kolosal::Error on bad input.
int run_predict(const PredictOptions& options, std::ostream& out);

}  // namespace kolosal::cli
