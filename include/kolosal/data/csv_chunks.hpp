// SPDX-License-Identifier: MIT
// Chunked CSV reading: a file of any size as a sequence of Frames of a fixed number of rows, with
// one schema for all of them, so memory stays bounded by the chunk size.
#pragma once

#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kolosal/core/context.hpp"
#include "kolosal/data/csv.hpp"
#include "kolosal/data/frame.hpp"

namespace kolosal::data {

/// A run of consecutive data rows of a CSV file, not yet parsed (CsvChunkReader::next_chunk).
struct CsvChunk {
  std::size_t index = 0;       ///< 0-based position of the chunk in the file
  std::size_t first_row = 0;   ///< 0-based index of its first data row among all data rows
  std::size_t rows = 0;        ///< data rows it holds (blank lines are not rows)
  std::size_t first_line = 0;  ///< 1-based file line where its first row starts
  std::string text;            ///< the header line followed by the rows, as the parser reads it
};

/// Reads a CSV file as Frames of at most `chunk_rows` rows each, holding one chunk at a time.
///
/// The header, the delimiter and every column type are fixed when the reader opens: types named
/// in options.column_types are used as given, the others are inferred (as read_csv infers them)
/// from the first max(chunk_rows, 10000) rows. Every later chunk is parsed with those types forced,
/// so all chunks share one schema; a value that does not parse as its column's type is a malformed
/// row (a DataError naming "<file>:<line>", or skipped under BadRowPolicy::kSkip). Categorical
/// columns list the categories of their own chunk. Errors name the file and its real line numbers.
///
/// next_chunk() splits the file into raw chunks (sequential and cheap: it only finds row ends,
/// honouring quoted line breaks); parse() turns one into a Frame and may run on several threads
/// at once, so a pipeline can parse chunks in parallel. next() does both.
class CsvChunkReader {
 public:
  /// Opens `path` and reads its header and the rows that fix the types.
  /// @throws IoError when the file cannot be read; DataError for an empty file or a bad header or
  ///   first rows; InvalidArgument for chunk_rows == 0 or unknown usecols/column_types names;
  ///   ConfigError for invalid options (max_rows is honoured across chunks)
  CsvChunkReader(std::filesystem::path path, std::size_t chunk_rows, CsvOptions options = {},
                 Context ctx = {});
  CsvChunkReader(const CsvChunkReader&) = delete;
  CsvChunkReader& operator=(const CsvChunkReader&) = delete;
  CsvChunkReader(CsvChunkReader&&) noexcept;
  CsvChunkReader& operator=(CsvChunkReader&&) noexcept;
  ~CsvChunkReader();

  /// The columns every chunk has, in order (after usecols).
  [[nodiscard]] const std::vector<std::string>& column_names() const noexcept { return names_; }
  /// Their types, fixed from options.column_types and the first rows.
  [[nodiscard]] const std::vector<ColumnType>& column_types() const noexcept { return types_; }
  [[nodiscard]] std::size_t chunk_rows() const noexcept { return chunk_rows_; }
  [[nodiscard]] const std::filesystem::path& path() const noexcept { return path_; }

  /// The next raw chunk, or nothing at the end of the file. @throws IoError; DataError for a
  /// quoted field left open at the end of the file
  [[nodiscard]] std::optional<CsvChunk> next_chunk();
  /// Parses a chunk with the fixed schema; thread-safe. @throws DataError naming file and line
  [[nodiscard]] Frame parse(const CsvChunk& chunk) const;
  /// next_chunk() then parse().
  [[nodiscard]] std::optional<Frame> next();
  /// A frame with the fixed columns and no rows.
  [[nodiscard]] Frame empty_frame() const;

  /// Data rows handed out by next_chunk() so far.
  [[nodiscard]] std::size_t rows_read() const noexcept { return rows_read_; }
  /// Bytes of the file consumed so far.
  [[nodiscard]] std::size_t bytes_read() const noexcept { return consumed_bytes_; }

 private:
  bool fill();
  [[nodiscard]] std::optional<CsvChunk> split_chunk(std::size_t want);

  std::filesystem::path path_;
  std::size_t chunk_rows_;
  CsvOptions options_;  ///< with the delimiter and every column type fixed, without max_rows
  std::optional<std::size_t> max_rows_;
  Context ctx_;
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> file_;
  std::string buffer_;    ///< bytes read and not yet handed out
  std::size_t scan_ = 0;  ///< bytes of buffer_ already scanned for row ends
  bool eof_ = false;
  std::string header_;  ///< the header text (with its line end)
  std::size_t header_lines_ = 0;
  std::size_t line_ = 1;  ///< file line of the first byte of buffer_
  std::size_t next_index_ = 0;
  std::size_t rows_read_ = 0;
  std::size_t consumed_bytes_ = 0;
  std::vector<std::string> names_;
  std::vector<ColumnType> types_;
};

}  // namespace kolosal::data
