// SPDX-License-Identifier: MIT
// Chunked CSV reading: splits the file at row ends (outside quotes) and parses each run of rows
// with the header and the schema fixed from the first rows.
#include "kolosal/data/csv_chunks.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <utility>

#include "kolosal/core/error.hpp"

#include "csv_internal.hpp"

namespace kolosal::data {
namespace {

constexpr std::size_t kReadBytes = std::size_t{1} << 20;
/// Rows at least that type inference sees, however small the chunks.
constexpr std::size_t kInferenceRows = 10000;

/// True when the row [begin, end) holds more than an optional '\r'.
bool has_content(std::string_view buffer, std::size_t begin, std::size_t end) noexcept {
  if (end > begin && buffer[end - 1] == '\r') --end;
  return end > begin;
}

}  // namespace

CsvChunkReader::CsvChunkReader(std::filesystem::path path, std::size_t chunk_rows,
                               CsvOptions options, Context ctx)
    : path_(std::move(path)),
      chunk_rows_(chunk_rows),
      options_(std::move(options)),
      ctx_(ctx),
      file_(nullptr, &std::fclose) {
  KOLOSAL_CHECK(chunk_rows_ > 0, InvalidArgument, "CsvChunkReader: chunk_rows must be positive");
  config::validate(options_, "CsvChunkReader");
  file_.reset(std::fopen(path_.c_str(), "rb"));
  KOLOSAL_CHECK(file_ != nullptr, IoError, "CsvChunkReader: cannot open ", path_.string(), ": ",
                std::strerror(errno));
  // The header: the first non-blank row (its quoted line breaks included).
  if (options_.has_header) {
    bool bom_checked = false;
    while (true) {
      if (!bom_checked && (buffer_.size() >= 3 || eof_)) {
        if (buffer_.compare(0, 3, "\xEF\xBB\xBF") == 0) buffer_.erase(0, 3);
        bom_checked = true;
      }
      bool quoted = false;
      std::size_t end = std::string::npos;
      for (std::size_t i = 0; i < buffer_.size(); ++i) {
        if (buffer_[i] == '"') quoted = !quoted;
        if (buffer_[i] == '\n' && !quoted) {
          end = i;
          break;
        }
      }
      if (end == std::string::npos) {
        if (fill()) continue;
        KOLOSAL_CHECK(!quoted, DataError, path_.string(), ":", line_,
                      ": unterminated quoted field in the header");
        end = buffer_.size();
      }
      if (has_content(buffer_, 0, end) || end == buffer_.size()) {
        KOLOSAL_CHECK(has_content(buffer_, 0, end), DataError, path_.string(), ":", line_,
                      ": the input is empty (no header or data)");
        header_ = buffer_.substr(0, end);
        header_ += '\n';
        buffer_.erase(0, std::min(end + 1, buffer_.size()));
        consumed_bytes_ += end + 1;
        header_lines_ = static_cast<std::size_t>(std::count(header_.begin(), header_.end(), '\n'));
        line_ += header_lines_;
        break;
      }
      buffer_.erase(0, end + 1);  // a blank line before the header
      consumed_bytes_ += end + 1;
      ++line_;
    }
  }
  if (options_.delimiter.empty()) {
    while (buffer_.size() < 64 * 1024 && fill()) {
    }
    const std::string sample = header_ + buffer_.substr(0, 64 * 1024);
    options_.delimiter = std::string(1, csv_internal::detect_csv_delimiter(sample));
  }
  // Types: inferred from the first rows, then forced on every chunk.
  // The parser sees whole chunks; max_rows is applied when chunks are cut.
  max_rows_ = options_.max_rows;
  options_.max_rows.reset();
  // Types are inferred from a sample of rows larger than a small chunk, whose bytes then go back
  // to the front of the buffer to be cut into chunks.
  std::size_t sample_rows = std::max(chunk_rows_, kInferenceRows);
  if (max_rows_) sample_rows = std::min(sample_rows, *max_rows_);
  const std::size_t line = line_;
  const std::size_t consumed = consumed_bytes_;
  std::optional<CsvChunk> sample = split_chunk(sample_rows);
  CsvChunk header_only{.first_line = line_, .text = header_};
  const Frame frame = parse(sample ? *sample : header_only);
  KOLOSAL_CHECK(!frame.empty(), DataError, path_.string(), ": the input has no columns");
  for (const auto& c : frame.columns()) {
    names_.push_back(c.name());
    types_.push_back(c.type());
    options_.column_types[c.name()] = c.type();
  }
  if (sample) buffer_.insert(0, sample->text, header_.size());
  line_ = line;
  consumed_bytes_ = consumed;
  next_index_ = 0;
  rows_read_ = 0;
}

CsvChunkReader::CsvChunkReader(CsvChunkReader&&) noexcept = default;
CsvChunkReader& CsvChunkReader::operator=(CsvChunkReader&&) noexcept = default;
CsvChunkReader::~CsvChunkReader() = default;

bool CsvChunkReader::fill() {
  if (eof_) return false;
  const std::size_t old = buffer_.size();
  buffer_.resize(old + kReadBytes);
  const std::size_t got = std::fread(buffer_.data() + old, 1, kReadBytes, file_.get());
  buffer_.resize(old + got);
  if (got < kReadBytes) {
    KOLOSAL_CHECK(std::ferror(file_.get()) == 0, IoError, "CsvChunkReader: cannot read ",
                  path_.string(), ": ", std::strerror(errno));
    eof_ = true;
  }
  return got > 0 || !eof_;
}

std::optional<CsvChunk> CsvChunkReader::split_chunk(std::size_t want) {
  std::size_t rows = 0;
  std::size_t pos = 0;
  std::size_t row_start = 0;
  bool quoted = false;
  while (rows < want) {
    if (pos >= buffer_.size()) {
      if (fill()) continue;
      // End of file: the last row may lack its line end; an open quote is left to the parser,
      // which reports it with the line.
      if (quoted || has_content(buffer_, row_start, buffer_.size())) ++rows;
      pos = buffer_.size();
      break;
    }
    const char* base = buffer_.data();
    const std::size_t size = buffer_.size();
    if (quoted) {
      const void* q = std::memchr(base + pos, '"', size - pos);
      if (q == nullptr) {
        pos = size;
        continue;
      }
      pos = static_cast<std::size_t>(static_cast<const char*>(q) - base) + 1;
      quoted = false;  // a doubled quote reopens at once below
      continue;
    }
    const void* nl = std::memchr(base + pos, '\n', size - pos);
    const std::size_t end =
        nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - base) : size;
    const void* q = std::memchr(base + pos, '"', end - pos);
    if (q != nullptr) {
      pos = static_cast<std::size_t>(static_cast<const char*>(q) - base) + 1;
      quoted = true;
      continue;
    }
    if (nl == nullptr) {
      pos = size;
      continue;
    }
    if (has_content(buffer_, row_start, end)) ++rows;
    pos = end + 1;
    row_start = pos;
  }
  if (pos == 0) return std::nullopt;
  CsvChunk chunk;
  chunk.index = next_index_++;
  chunk.first_row = rows_read_;
  chunk.rows = rows;
  chunk.first_line = line_;
  chunk.text.reserve(header_.size() + pos);
  chunk.text.append(header_);
  chunk.text.append(buffer_, 0, pos);
  line_ += static_cast<std::size_t>(
      std::count(buffer_.begin(), buffer_.begin() + static_cast<std::ptrdiff_t>(pos), '\n'));
  buffer_.erase(0, pos);
  consumed_bytes_ += pos;
  rows_read_ += rows;
  return chunk;
}

std::optional<CsvChunk> CsvChunkReader::next_chunk() {
  std::size_t want = chunk_rows_;
  if (max_rows_) {
    if (rows_read_ >= *max_rows_) return std::nullopt;
    want = std::min(want, *max_rows_ - rows_read_);
  }
  return split_chunk(want);
}

Frame CsvChunkReader::parse(const CsvChunk& chunk) const {
  csv_internal::CsvTuning tuning;
  tuning.first_line = chunk.first_line - header_lines_;
  return csv_internal::read_csv_piece(chunk.text, path_.string(), options_, ctx_, tuning);
}

std::optional<Frame> CsvChunkReader::next() {
  auto chunk = next_chunk();
  if (!chunk) return std::nullopt;
  return parse(*chunk);
}

Frame CsvChunkReader::empty_frame() const {
  std::vector<Column> columns;
  for (std::size_t i = 0; i < names_.size(); ++i) {
    switch (types_[i]) {
      case ColumnType::kNumeric:
        columns.push_back(Column::numeric(names_[i], {}));
        break;
      case ColumnType::kCategorical:
        columns.push_back(Column::categorical(names_[i], {}, {}));
        break;
      case ColumnType::kBoolean:
        columns.push_back(Column::boolean(names_[i], {}));
        break;
      case ColumnType::kText:
        columns.push_back(Column::text(names_[i], {}));
        break;
      case ColumnType::kDatetime:
        columns.push_back(Column::datetime(names_[i], {}));
        break;
    }
  }
  return Frame(std::move(columns));
}

}  // namespace kolosal::data
