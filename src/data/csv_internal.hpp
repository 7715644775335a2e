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
};

[[nodiscard]] Frame read_csv_string(std::string_view text, const CsvOptions& options,
                                    const Context& ctx, const CsvTuning& tuning);
[[nodiscard]] Frame read_csv_file(const std::filesystem::path& path, const CsvOptions& options,
                                  const Context& ctx, const CsvTuning& tuning);

}  // namespace kolosal::data::csv_internal
