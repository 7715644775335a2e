// SPDX-License-Identifier: MIT
// Internal knobs of the CSV reader, exposed to tests so chunk and block boundaries can be forced.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::data::csv_internal {

/// Sizes that shape the work split; results never depend on them, only speed and memory do.
struct CsvTuning {
  std::size_t chunk_bytes = std::size_t{16} << 20;   ///< bytes per window read from the source
  std::size_t block_bytes = std::size_t{256} << 10;  ///< bytes per row-splitting task
  std::size_t rows_per_task = 4096;                  ///< rows per parsing task
  std::size_t inference_rows = 20000;                ///< rows of the first window typed up front
  std::size_t first_line = 1;  ///< line number of the text's first line, for messages (chunks)
};

[[nodiscard]] Frame read_csv_string(std::string_view text, const CsvOptions& options,
                                    const Context& ctx, const CsvTuning& tuning);
/// Parses CSV text that is a piece of a larger source: errors name `source` and count lines
/// from tuning.first_line (the chunked reader passes the header followed by a run of rows).
[[nodiscard]] Frame read_csv_piece(std::string_view text, const std::string& source,
                                   const CsvOptions& options, const Context& ctx,
                                   const CsvTuning& tuning);
/// The delimiter read_csv would detect from the start of `text` (, ; tab or |).
[[nodiscard]] char detect_csv_delimiter(std::string_view text);
[[nodiscard]] Frame read_csv_file(const std::filesystem::path& path, const CsvOptions& options,
                                  const Context& ctx, const CsvTuning& tuning);

}  // namespace kolosal::data::csv_internal
