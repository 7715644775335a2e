// SPDX-License-Identifier: MIT
// Parallel, typed CSV reader.
//
// The input is consumed in windows of about CsvTuning::chunk_bytes that always start at a row
// start. Each window is split into rows in parallel: a first pass counts quote characters per
// fixed block, the prefix parity of those counts tells whether a block starts inside a quoted
// field, and a second pass collects the newlines outside quotes. (In valid RFC 4180 text every
// quote toggles the quoted state, doubled quotes included, so the parity is exact; text that
// breaks the rule is rejected row by row.) Rows are then parsed in parallel straight into the
// column storage at their final positions. String columns are dictionary-encoded per task and
// merged in task order, so results do not depend on the thread count.
//
// Column types are inferred from the first rows and checked on every later value: a value that
// does not fit an inferred type widens that column's type and the input is parsed again, so the
// type always reflects every value (a rare, costly event; numeric data never triggers it).
#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <limits>
#include <map>
#include <memory>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <unordered_map>

#include "kolosal/core/error.hpp"
#include "kolosal/core/log.hpp"
#include "kolosal/core/parallel.hpp"
#include "kolosal/data/datetime.hpp"

#include "data/csv_internal.hpp"

namespace kolosal::data {
namespace {

using csv_internal::CsvTuning;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr std::uint8_t kBoolMissing = 2;
constexpr std::int64_t kTimeMissing = std::numeric_limits<std::int64_t>::min();
constexpr std::size_t kMaxWarnings = 20;

/// What the values of a column look like; kEmpty (no value yet) is parsed as numeric.
enum class Kind : std::uint8_t { kEmpty, kNumeric, kBoolean, kDatetime, kString };

constexpr Kind join(Kind a, Kind b) noexcept {
  if (a == Kind::kEmpty) return b;
  if (b == Kind::kEmpty) return a;
  return a == b ? a : Kind::kString;
}

constexpr std::string_view kind_name(Kind kind) noexcept {
  switch (kind) {
    case Kind::kEmpty:
    case Kind::kNumeric:
      return "numeric";
    case Kind::kBoolean:
      return "boolean";
    case Kind::kDatetime:
      return "datetime";
    case Kind::kString:
      return "string";
  }
  return "?";
}

// ---------------------------------------------------------------------------- sources

/// A forward-only byte source read in windows that the reader advances row by row.
class Source {
 public:
  virtual ~Source() = default;
  /// Drops the first `consumed` bytes of the current window and returns the next one, holding at
  /// least `min_bytes` bytes unless the input ends first.
  virtual std::string_view advance(std::size_t consumed, std::size_t min_bytes) = 0;
  /// True when the current window reaches the end of the input.
  [[nodiscard]] virtual bool at_end() const noexcept = 0;
  /// Starts again from the first byte.
  virtual void rewind() = 0;
  /// Total size in bytes, for capacity estimates.
  [[nodiscard]] virtual std::size_t size_hint() const noexcept = 0;
};

class StringSource final : public Source {
 public:
  explicit StringSource(std::string_view text) : text_(text) {}
  std::string_view advance(std::size_t consumed, std::size_t min_bytes) override {
    pos_ += consumed;
    len_ = std::min(text_.size() - pos_, std::max(min_bytes, std::size_t{1}));
    return text_.substr(pos_, len_);
  }
  [[nodiscard]] bool at_end() const noexcept override { return pos_ + len_ == text_.size(); }
  void rewind() override { pos_ = len_ = 0; }
  [[nodiscard]] std::size_t size_hint() const noexcept override { return text_.size(); }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::size_t len_ = 0;
};

class FileSource final : public Source {
 public:
  explicit FileSource(const std::filesystem::path& path) : path_(path) {
    std::error_code ec;
    KOLOSAL_CHECK(!std::filesystem::is_directory(path, ec), IoError, "read_csv: cannot read '",
                  path.string(), "': it is a directory");
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) {
      KOLOSAL_THROW(IoError, "read_csv: cannot open '", path.string(), "': ", std::strerror(errno));
    }
    struct stat st {};
    if (::fstat(fd_, &st) == 0 && st.st_size > 0) size_ = static_cast<std::size_t>(st.st_size);
#ifdef POSIX_FADV_SEQUENTIAL
    (void)::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  }
  FileSource(const FileSource&) = delete;
  FileSource& operator=(const FileSource&) = delete;
  ~FileSource() override {
    if (fd_ >= 0) ::close(fd_);
  }

  std::string_view advance(std::size_t consumed, std::size_t min_bytes) override {
    KOLOSAL_ASSERT(consumed <= len_);
    if (consumed > 0) {
      std::memmove(buffer_.get(), buffer_.get() + consumed, len_ - consumed);
      len_ -= consumed;
    }
    min_bytes = std::max(min_bytes, std::size_t{1});
    if (capacity_ < min_bytes) {
      auto bigger = std::make_unique_for_overwrite<char[]>(min_bytes);
      if (len_ > 0) std::memcpy(bigger.get(), buffer_.get(), len_);
      buffer_ = std::move(bigger);
      capacity_ = min_bytes;
    }
    while (len_ < min_bytes && !eof_) {
      const ssize_t n = ::read(fd_, buffer_.get() + len_, capacity_ - len_);
      if (n < 0) {
        if (errno == EINTR) continue;
        KOLOSAL_THROW(IoError, "read_csv: cannot read '", path_.string(),
                      "': ", std::strerror(errno));
      }
      if (n == 0) {
        eof_ = true;
      } else {
        len_ += static_cast<std::size_t>(n);
      }
    }
    return {buffer_.get(), len_};
  }
  [[nodiscard]] bool at_end() const noexcept override { return eof_; }
  void rewind() override {
    if (::lseek(fd_, 0, SEEK_SET) < 0) {
      KOLOSAL_THROW(IoError, "read_csv: cannot rewind '", path_.string(),
                    "': ", std::strerror(errno));
    }
    len_ = 0;
    eof_ = false;
  }
  [[nodiscard]] std::size_t size_hint() const noexcept override { return size_; }

 private:
  std::filesystem::path path_;
  int fd_ = -1;
  std::size_t size_ = 0;
  std::unique_ptr<char[]> buffer_;
  std::size_t capacity_ = 0;
  std::size_t len_ = 0;
  bool eof_ = false;
};

// ---------------------------------------------------------------------------- values

bool is_blank(char c) noexcept { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view s) noexcept {
  while (!s.empty() && is_blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_blank(s.back())) s.remove_suffix(1);
  return s;
}

/// Exact powers of ten up to 1e22, the largest a double holds exactly.
constexpr std::array<double, 23> kPow10{1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                        1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                        1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/// Clinger's fast path (W. D. Clinger, "How to read floating point numbers accurately", PLDI
/// 1990): a decimal with at most 19 digits whose integer mantissa m <= 2^53 and exponent |e| <= 22
/// is m * 10^e or m / 10^-e, both operands exact, so one IEEE operation rounds correctly. Accepts
/// the syntax of std::from_chars (general format) only; returns nullptr for anything else, which
/// the caller then hands to std::from_chars. On success returns the end of the number.
const char* parse_decimal_fast(const char* p, const char* end, double& out) noexcept {
  const bool negative = p < end && *p == '-';
  if (negative) ++p;
  std::uint64_t mantissa = 0;
  int digits = 0;
  int exponent = 0;
  const char* start = p;
  while (p < end && static_cast<unsigned>(*p - '0') < 10) {
    mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
    ++p;
  }
  digits = static_cast<int>(p - start);
  if (p < end && *p == '.') {
    ++p;
    const char* fraction = p;
    while (p < end && static_cast<unsigned>(*p - '0') < 10) {
      mantissa = mantissa * 10 + static_cast<unsigned>(*p - '0');
      ++p;
    }
    exponent = -static_cast<int>(p - fraction);
    digits += static_cast<int>(p - fraction);
  }
  if (digits == 0 || digits > 19) return nullptr;
  if (p < end && (*p == 'e' || *p == 'E')) {
    const char* q = p + 1;
    const bool negative_exponent = q < end && *q == '-';
    if (q < end && (*q == '-' || *q == '+')) ++q;
    const char* exp_start = q;
    int value = 0;
    while (q < end && static_cast<unsigned>(*q - '0') < 10 && q - exp_start < 4) {
      value = value * 10 + (*q - '0');
      ++q;
    }
    if (q == exp_start || (q < end && static_cast<unsigned>(*q - '0') < 10)) return nullptr;
    exponent += negative_exponent ? -value : value;
    p = q;
  }
  if (mantissa > (std::uint64_t{1} << 53) || exponent < -22 || exponent > 22) return nullptr;
  double value = static_cast<double>(mantissa);
  if (exponent < 0) {
    value /= kPow10[static_cast<std::size_t>(-exponent)];
  } else {
    value *= kPow10[static_cast<std::size_t>(exponent)];
  }
  out = negative ? -value : value;
  return p;
}

/// A whole trimmed field as a double: optional sign (+ too), decimal or exponent forms, inf, nan.
bool parse_number(std::string_view text, double& out) {
  std::string_view s = trim(text);
  if (!s.empty() && s.front() == '+') {
    s.remove_prefix(1);
    if (!s.empty() && (s.front() == '-' || s.front() == '+')) return false;
  }
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (end != s.data() + s.size()) return false;
  if (ec == std::errc()) return true;
  if (ec == std::errc::result_out_of_range) {
    // from_chars leaves `out` untouched on overflow or underflow; strtod gives inf or 0.
    const std::string copy(s);
    out = std::strtod(copy.c_str(), nullptr);
    return true;
  }
  return false;
}

bool parse_bool(std::string_view text, std::uint8_t& out) noexcept {
  const std::string_view s = trim(text);
  if (s == "true" || s == "True" || s == "TRUE") {
    out = 1;
    return true;
  }
  if (s == "false" || s == "False" || s == "FALSE") {
    out = 0;
    return true;
  }
  return false;
}

bool valid_utf8(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const auto* end = p + s.size();
  while (p < end) {
    const unsigned c = *p;
    if (c < 0x80) {
      ++p;
      continue;
    }
    int extra = 0;
    unsigned code = 0;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      code = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      code = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      code = c & 0x07;
    } else {
      return false;
    }
    if (end - p <= extra) return false;
    for (int i = 1; i <= extra; ++i) {
      const unsigned cc = p[i];
      if ((cc & 0xC0) != 0x80) return false;
      code = (code << 6) | (cc & 0x3F);
    }
    if ((extra == 2 && (code < 0x800 || (code >= 0xD800 && code <= 0xDFFF))) ||
        (extra == 3 && (code < 0x10000 || code > 0x10FFFF))) {
      return false;
    }
    p += extra + 1;
  }
  return true;
}

/// A value as it may appear in a message: at most 40 bytes, control bytes escaped.
std::string printable(std::string_view s) {
  const bool utf8 = valid_utf8(s);
  std::string out;
  for (std::size_t i = 0; i < s.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F || (!utf8 && c >= 0x80)) {
      constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    } else {
      out += static_cast<char>(c);
    }
  }
  if (s.size() > 40) out += "...";
  return out;
}

/// The NA markers, matched exactly.
class NaSet {
 public:
  explicit NaSet(const std::vector<std::string>& values) : values_(values) {
    for (const auto& v : values_) {
      if (v.size() < 64) lengths_ |= std::uint64_t{1} << v.size();
      // NaN spellings need no check: a NaN is a missing value anyway.
      double d = 0.0;
      if (parse_number(v, d) && !std::isnan(d)) numeric_ = true;
    }
  }
  [[nodiscard]] bool contains(std::string_view s) const noexcept {
    if (s.size() < 64 && (lengths_ & (std::uint64_t{1} << s.size())) == 0) return false;
    return std::find(values_.begin(), values_.end(), s) != values_.end();
  }
  /// True when some marker reads as a number, so numbers must be checked against the set first.
  [[nodiscard]] bool has_numeric() const noexcept { return numeric_; }

 private:
  std::vector<std::string> values_;
  std::uint64_t lengths_ = 0;
  bool numeric_ = false;
};

// ---------------------------------------------------------------------------- tokenizer

enum class FieldError : std::uint8_t { kNone, kTextAfterQuote, kQuoteInField, kUnterminated };

struct Field {
  std::string_view text;
  bool quoted = false;
};

/// Walks the fields of one row (without its line end).
class RowCursor {
 public:
  RowCursor(const char* begin, const char* end, char delim) noexcept
      : p_(begin), end_(end), delim_(delim) {}

  [[nodiscard]] bool has_more() const noexcept { return more_; }

  /// Reads the next field; `scratch` holds it when doubled quotes had to be undone.
  FieldError next(Field& field, std::string& scratch) {
    const char* p = p_;
    if (p < end_ && *p == '"') {
      ++p;
      const char* segment = p;
      bool unescaped = false;
      while (true) {
        const auto* q =
            static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end_ - p)));
        if (q == nullptr) {
          more_ = false;
          p_ = end_;
          return FieldError::kUnterminated;
        }
        if (q + 1 < end_ && q[1] == '"') {
          if (!unescaped) {
            scratch.assign(segment, q + 1);
            unescaped = true;
          } else {
            scratch.append(p, q + 1);
          }
          p = q + 2;
          continue;
        }
        if (unescaped) {
          scratch.append(p, q);
          field.text = scratch;
        } else {
          field.text = std::string_view(segment, static_cast<std::size_t>(q - segment));
        }
        field.quoted = true;
        const char* after = q + 1;
        if (after < end_ && *after != delim_) {
          more_ = false;
          p_ = end_;
          return FieldError::kTextAfterQuote;
        }
        finish(after);
        return FieldError::kNone;
      }
    }
    const char* q = p;
    bool quote = false;
    while (q < end_ && *q != delim_) {
      quote = quote || *q == '"';
      ++q;
    }
    field.text = std::string_view(p, static_cast<std::size_t>(q - p));
    field.quoted = false;
    finish(q);
    return quote ? FieldError::kQuoteInField : FieldError::kNone;
  }

  /// Reads an unquoted number that fills the whole field, the fast path of numeric columns.
  bool try_number(double& out) noexcept {
    if (p_ == end_ || *p_ == '"') return false;
    if (const char* q = parse_decimal_fast(p_, end_, out);
        q != nullptr && (q == end_ || *q == delim_)) {
      finish(q);
      return true;
    }
    const auto [q, ec] = std::from_chars(p_, end_, out);
    if (ec != std::errc() || (q != end_ && *q != delim_)) return false;
    finish(q);
    return true;
  }

  /// Number of fields left, for messages.
  std::size_t count_rest() {
    std::size_t n = 0;
    std::string scratch;
    Field f;
    while (more_) {
      if (next(f, scratch) != FieldError::kNone) return n + 1;
      ++n;
    }
    return n;
  }

 private:
  void finish(const char* at) noexcept {
    if (at >= end_) {
      more_ = false;
      p_ = end_;
    } else {
      p_ = at + 1;  // a delimiter; a row ending in one has an empty last field
    }
  }

  const char* p_;
  const char* end_;
  char delim_;
  bool more_ = true;
};

Kind classify(const Field& field, const NaSet& na) {
  if (field.text.empty() || na.contains(field.text)) return Kind::kEmpty;
  double d = 0.0;
  if (parse_number(field.text, d)) return Kind::kNumeric;
  std::uint8_t b = 0;
  if (parse_bool(field.text, b)) return Kind::kBoolean;
  if (parse_datetime(trim(field.text))) return Kind::kDatetime;
  return Kind::kString;
}

/// A row's byte range in the window, line end excluded.
struct RowSpan {
  std::size_t start;
  std::size_t end;
};

/// The rows of a window.
struct Split {
  std::vector<RowSpan> rows;
  std::size_t consumed = 0;    ///< bytes through the last complete row
  std::size_t newlines = 0;    ///< '\n' bytes in the consumed part
  bool has_nul = false;        ///< some byte of the window is NUL
  bool unterminated = false;   ///< the input ends inside a quoted field
  std::size_t tail_start = 0;  ///< where the unterminated row starts
};

struct BlockScan {
  std::size_t quotes = 0;
  std::size_t newlines = 0;
  bool nul = false;
  std::vector<std::size_t> ends;
};

Split split_rows(std::string_view w, bool at_end, const Context& ctx, const CsvTuning& tuning) {
  const std::size_t bs = std::max<std::size_t>(tuning.block_bytes, 1);
  const std::size_t nb = parallel::block_count(w.size(), bs);
  std::vector<BlockScan> blocks(nb);
  parallel::for_each_index(ctx, nb, [&](std::size_t b) {
    // memchr is vectorised; quotes are rare in numeric data, so this pass is cheap.
    const char* p = w.data() + b * bs;
    const char* end = p + std::min(bs, w.size() - b * bs);
    std::size_t quotes = 0;
    while (const auto* q =
               static_cast<const char*>(std::memchr(p, '"', static_cast<std::size_t>(end - p)))) {
      ++quotes;
      p = q + 1;
    }
    blocks[b].quotes = quotes;
    blocks[b].nul =
        std::memchr(w.data() + b * bs, '\0', std::min(bs, w.size() - b * bs)) != nullptr;
  });
  std::vector<std::uint8_t> in_quote(nb);
  std::uint8_t parity = 0;
  for (std::size_t b = 0; b < nb; ++b) {
    in_quote[b] = parity;
    parity ^= static_cast<std::uint8_t>(blocks[b].quotes & 1);
  }
  parallel::for_each_index(ctx, nb, [&](std::size_t b) {
    const std::size_t begin = b * bs;
    const std::size_t n = std::min(bs, w.size() - begin);
    const char* s = w.data() + begin;
    auto& ends = blocks[b].ends;
    if (blocks[b].quotes == 0) {
      if (in_quote[b] != 0) {
        blocks[b].newlines = static_cast<std::size_t>(std::count(s, s + n, '\n'));
        return;
      }
      const char* p = s;
      const char* end = s + n;
      while (p < end) {
        const auto* q =
            static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p)));
        if (q == nullptr) break;
        ends.push_back(begin + static_cast<std::size_t>(q - s));
        p = q + 1;
      }
      blocks[b].newlines = ends.size();
      return;
    }
    bool quoted = in_quote[b] != 0;
    std::size_t newlines = 0;
    for (std::size_t i = 0; i < n; ++i) {
      const char c = s[i];
      if (c == '"') {
        quoted = !quoted;
      } else if (c == '\n') {
        ++newlines;
        if (!quoted) ends.push_back(begin + i);
      }
    }
    blocks[b].newlines = newlines;
  });

  Split split;
  std::size_t total_ends = 0;
  std::size_t total_newlines = 0;
  for (const auto& b : blocks) {
    total_ends += b.ends.size();
    total_newlines += b.newlines;
    split.has_nul = split.has_nul || b.nul;
  }
  split.rows.reserve(total_ends + 1);
  std::size_t start = 0;
  auto push_row = [&](std::size_t begin, std::size_t end) {
    if (end > begin && w[end - 1] == '\r') --end;
    if (end > begin) split.rows.push_back({begin, end});
  };
  for (const auto& b : blocks) {
    for (const std::size_t e : b.ends) {
      push_row(start, e);
      start = e + 1;
    }
  }
  if (at_end && start < w.size()) {
    if (parity != 0) {
      split.unterminated = true;
      split.tail_start = start;
    } else {
      push_row(start, w.size());
    }
    start = w.size();
  }
  split.consumed = start;
  split.newlines =
      total_newlines - static_cast<std::size_t>(std::count(
                           w.begin() + static_cast<std::ptrdiff_t>(start), w.end(), '\n'));
  return split;
}

/// Position of the first newline outside quotes at or after `from`, or npos.
std::size_t find_row_end(std::string_view w, std::size_t from, bool& quoted) {
  quoted = false;
  for (std::size_t i = from; i < w.size(); ++i) {
    const char c = w[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (c == '\n' && !quoted) {
      return i;
    }
  }
  return std::string_view::npos;
}

/// Picks the delimiter among , ; tab | that splits the first lines into equally many fields.
char detect_delimiter(std::string_view w) {
  constexpr std::array<char, 4> kCandidates{',', ';', '\t', '|'};
  constexpr std::size_t kMaxScan = std::size_t{1} << 16;
  constexpr std::size_t kMaxLines = 20;
  std::vector<std::array<std::size_t, 4>> lines;
  std::array<std::size_t, 4> counts{};
  std::size_t length = 0;
  bool quoted = false;
  const std::size_t limit = std::min(w.size(), kMaxScan);
  std::size_t i = 0;
  for (; i < limit && lines.size() < kMaxLines; ++i) {
    const char c = w[i];
    if (c == '"') {
      quoted = !quoted;
    } else if (!quoted && c == '\n') {
      if (length > 0) lines.push_back(counts);
      counts = {};
      length = 0;
      continue;
    } else if (!quoted) {
      for (std::size_t k = 0; k < kCandidates.size(); ++k) counts[k] += c == kCandidates[k] ? 1 : 0;
    }
    if (c != '\r') ++length;
  }
  if (i == w.size() && length > 0 && !quoted) lines.push_back(counts);
  if (lines.empty()) return ',';
  std::size_t best = kCandidates.size();
  for (std::size_t k = 0; k < kCandidates.size(); ++k) {
    const std::size_t first = lines.front()[k];
    const bool consistent =
        std::all_of(lines.begin(), lines.end(), [&](const auto& line) { return line[k] == first; });
    if (first > 0 && consistent && (best == kCandidates.size() || first > lines.front()[best])) {
      best = k;
    }
  }
  if (best == kCandidates.size()) {
    for (std::size_t k = 0; k < kCandidates.size(); ++k) {
      if (lines.front()[k] > 0 &&
          (best == kCandidates.size() || lines.front()[k] > lines.front()[best])) {
        best = k;
      }
    }
  }
  return best == kCandidates.size() ? ',' : kCandidates[best];
}

// ---------------------------------------------------------------------------- columns

/// Heterogeneous-lookup hash so string_view probes need no allocation.
struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};

/// A task's dictionary of distinct strings, codes in first-seen order.
struct LocalDictionary {
  std::unordered_map<std::string, std::int32_t, StringHash, std::equal_to<>> index;
  std::vector<const std::string*> order;
};

/// The dictionary of a column across the input; strings stay put so views into them are stable.
class Dictionary {
 public:
  std::int32_t intern(std::string_view s, std::string_view source) {
    const auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    KOLOSAL_CHECK(
        values_.size() < static_cast<std::size_t>(std::numeric_limits<std::int32_t>::max()),
        DataError, source, ": more than 2^31 distinct values in one column");
    const auto code = static_cast<std::int32_t>(values_.size());
    values_.emplace_back(s);
    index_.emplace(values_.back(), code);
    return code;
  }
  [[nodiscard]] std::size_t size() const noexcept { return values_.size(); }
  [[nodiscard]] const std::string& operator[](std::size_t code) const { return values_[code]; }
  /// Moves a string out; the dictionary must not be searched afterwards.
  std::string take(std::size_t code) { return std::move(values_[code]); }

 private:
  std::deque<std::string> values_;
  std::unordered_map<std::string_view, std::int32_t> index_;
};

/// Storage of one output column while the input is read.
struct Builder {
  std::string name;
  std::size_t field = 0;  ///< position in the input's rows
  Kind kind = Kind::kEmpty;
  bool forced = false;  ///< typed by column_types: failures are bad rows
  std::optional<ColumnType> forced_type;
  bool float32 = false;
  std::vector<double> f64;
  std::vector<float> f32;
  std::vector<std::uint8_t> u8;
  std::vector<std::int64_t> i64;
  std::vector<std::int32_t> codes;
  Dictionary dictionary;

  template <class F>
  void visit(F&& f) {
    switch (kind) {
      case Kind::kEmpty:
      case Kind::kNumeric:
        if (float32) {
          f(f32);
        } else {
          f(f64);
        }
        break;
      case Kind::kBoolean:
        f(u8);
        break;
      case Kind::kDatetime:
        f(i64);
        break;
      case Kind::kString:
        f(codes);
        break;
    }
  }
};

struct RowIssue {
  std::size_t row;  ///< index in the window's rows
  std::string message;
};

struct TaskState {
  std::vector<LocalDictionary> dictionaries;
  std::vector<RowIssue> issues;
  std::vector<std::pair<std::size_t, Kind>> promotions;  ///< (column, kind of the odd value)
  std::vector<std::pair<std::size_t, Kind>>
      row_promotions;  ///< the current row's, until it is good
  std::string scratch;
};

// ---------------------------------------------------------------------------- reader

/// Asks for transparent huge pages on a large column buffer: first touching hundreds of megabytes
/// in 4 KiB pages costs more in page faults than parsing the numbers that fill them.
void advise_huge_pages(void* data, std::size_t bytes) noexcept {
#ifdef MADV_HUGEPAGE
  constexpr std::size_t kHuge = std::size_t{2} << 20;
  if (bytes < 2 * kHuge) return;
  const auto begin = (reinterpret_cast<std::uintptr_t>(data) + kHuge - 1) & ~(kHuge - 1);
  const auto end = (reinterpret_cast<std::uintptr_t>(data) + bytes) & ~(kHuge - 1);
  if (end > begin) {
    (void)::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
  }
#else
  (void)data;
  (void)bytes;
#endif
}

class Reader {
 public:
  Reader(Source& source, std::string name, const CsvOptions& options, const Context& ctx,
         const CsvTuning& tuning)
      : source_(source),
        name_(std::move(name)),
        options_(options),
        ctx_(ctx),
        tuning_(tuning),
        na_(options.na_values) {
    tuning_.chunk_bytes = std::max<std::size_t>(tuning_.chunk_bytes, 1);
    tuning_.rows_per_task = std::max<std::size_t>(tuning_.rows_per_task, 1);
    tuning_.inference_rows = std::max<std::size_t>(tuning_.inference_rows, 1);
  }

  Frame read() {
    // Each pass either finishes or widens at least one column type; types form a finite lattice.
    while (true) {
      std::optional<Frame> frame = read_once();
      if (frame) return std::move(*frame);
      source_.rewind();
    }
  }

 private:
  [[noreturn]] void fail(std::size_t line, std::string_view message) const {
    KOLOSAL_THROW(DataError, name_, ":", line, ": ", message);
  }

  std::optional<Frame> read_once() {
    builders_.clear();
    field_to_out_.clear();
    rows_ = 0;
    skipped_ = 0;
    warnings_.clear();
    std::string_view w = source_.advance(0, tuning_.chunk_bytes);
    if (w.size() >= 3 && w.substr(0, 3) == "\xEF\xBB\xBF")
      w = source_.advance(3, tuning_.chunk_bytes);
    std::size_t line = tuning_.first_line;
    bytes_ = 0;

    // First non-blank row: the header, or the first data row that fixes the field count.
    std::size_t row_end = 0;
    while (true) {
      bool quoted = false;
      const std::size_t e = find_row_end(w, 0, quoted);
      if (e == std::string_view::npos && !source_.at_end()) {
        w = source_.advance(0, w.size() * 2);
        continue;
      }
      if (e == std::string_view::npos && quoted) fail(line, "unterminated quoted field");
      row_end = e == std::string_view::npos ? w.size() : e;
      std::size_t content_end = row_end;
      if (content_end > 0 && w[content_end - 1] == '\r') --content_end;
      if (content_end > 0) break;
      if (e == std::string_view::npos) fail(line, "the input is empty (no header or data)");
      w = source_.advance(e + 1, tuning_.chunk_bytes);
      bytes_ += e + 1;
      ++line;
    }
    delim_ = options_.delimiter.empty() ? detect_delimiter(w) : options_.delimiter.front();
    std::size_t content_end = row_end;
    if (content_end > 0 && w[content_end - 1] == '\r') --content_end;
    const std::string_view first_row = w.substr(0, content_end);
    if (std::memchr(first_row.data(), '\0', first_row.size()) != nullptr) {
      fail(line, "the first line contains a NUL byte (binary data?)");
    }
    set_up_columns(first_row, line);
    if (options_.has_header) {
      const std::size_t consumed = row_end < w.size() ? row_end + 1 : w.size();
      line += static_cast<std::size_t>(
          std::count(w.begin(), w.begin() + static_cast<std::ptrdiff_t>(consumed), '\n'));
      bytes_ += consumed;
      w = source_.advance(consumed, tuning_.chunk_bytes);
    }

    bool typed = false;
    bool done = options_.max_rows && *options_.max_rows == 0;
    while (!done && !(w.empty() && source_.at_end())) {
      Split split = split_rows(w, source_.at_end(), ctx_, tuning_);
      if (split.unterminated) {
        fail(
            line + static_cast<std::size_t>(std::count(
                       w.begin(), w.begin() + static_cast<std::ptrdiff_t>(split.tail_start), '\n')),
            "unterminated quoted field (a quote opened on this line is never closed)");
      }
      if (split.consumed == 0 && !source_.at_end()) {
        w = source_.advance(0, w.size() * 2);  // one row longer than the window
        continue;
      }
      if (options_.max_rows && rows_ + split.rows.size() >= *options_.max_rows) {
        split.rows.resize(*options_.max_rows - rows_);
        done = true;
      }
      if (!typed && !split.rows.empty()) {
        infer_types(w, split);
        typed = true;
      }
      if (!parse_rows(w, split, line)) return std::nullopt;
      line += split.newlines;
      bytes_ += split.consumed;
      if (source_.at_end()) break;
      w = source_.advance(split.consumed, tuning_.chunk_bytes);
    }
    if (!typed) infer_types(w, Split{});
    for (const auto& warning : warnings_) logging::warn(warning);
    if (skipped_ > kMaxWarnings) {
      logging::warn(
          kolosal::detail::concat(name_, ": skipped ", skipped_, " malformed rows in total"));
    }
    return finish();
  }

  /// Names the columns and maps input fields to output columns.
  void set_up_columns(std::string_view row, std::size_t line) {
    RowCursor cursor(row.data(), row.data() + row.size(), delim_);
    std::vector<std::string> names;
    std::string scratch;
    Field field;
    while (cursor.has_more()) {
      const FieldError error = cursor.next(field, scratch);
      if (error != FieldError::kNone) {
        fail(line,
             kolosal::detail::concat("malformed quoting in field ", names.size() + 1, " of the ",
                                     options_.has_header ? "header" : "first row"));
      }
      if (options_.has_header) {
        if (!valid_utf8(field.text)) {
          fail(line,
               kolosal::detail::concat("invalid UTF-8 in the name of column ", names.size() + 1));
        }
        names.emplace_back(field.text.empty() ? kolosal::detail::concat("column_", names.size())
                                              : std::string(field.text));
      } else {
        names.push_back(kolosal::detail::concat("column_", names.size()));
      }
    }
    std::map<std::string_view, std::size_t> seen;
    for (std::size_t i = 0; i < names.size(); ++i) {
      const auto [it, inserted] = seen.emplace(names[i], i);
      if (!inserted) {
        fail(line, kolosal::detail::concat("duplicate column name '", printable(names[i]),
                                           "' (columns ", it->second + 1, " and ", i + 1, ")"));
      }
    }
    auto available = [&] {
      std::string out;
      for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
      return out;
    };
    for (const auto& wanted : options_.usecols) {
      KOLOSAL_CHECK(seen.count(wanted) != 0, InvalidArgument, "read_csv: usecols names column '",
                    wanted, "' which ", name_, " does not have (available: ", available(), ")");
    }
    for (const auto& [column, type] : options_.column_types) {
      KOLOSAL_CHECK(seen.count(column) != 0, InvalidArgument,
                    "read_csv: column_types names column '", column, "' which ", name_,
                    " does not have (available: ", available(), ")");
    }
    file_names_ = names;
    field_to_out_.assign(names.size(), -1);
    for (std::size_t i = 0; i < names.size(); ++i) {
      const bool used = options_.usecols.empty() ||
                        std::find(options_.usecols.begin(), options_.usecols.end(), names[i]) !=
                            options_.usecols.end();
      if (!used) continue;
      field_to_out_[i] = static_cast<int>(builders_.size());
      Builder b;
      b.name = names[i];
      b.field = i;
      b.float32 = options_.float32;
      if (const auto it = options_.column_types.find(names[i]); it != options_.column_types.end()) {
        b.forced = true;
        b.forced_type = it->second;
        switch (it->second) {
          case ColumnType::kNumeric:
            b.kind = Kind::kNumeric;
            break;
          case ColumnType::kBoolean:
            b.kind = Kind::kBoolean;
            break;
          case ColumnType::kDatetime:
            b.kind = Kind::kDatetime;
            break;
          case ColumnType::kCategorical:
          case ColumnType::kText:
            b.kind = Kind::kString;
            break;
        }
      }
      builders_.push_back(std::move(b));
    }
  }

  /// Types the columns from the first rows, joined with what earlier passes learned.
  void infer_types(std::string_view w, const Split& split) {
    const std::size_t sample = std::min(split.rows.size(), tuning_.inference_rows);
    const std::size_t per_task = tuning_.rows_per_task;
    const std::size_t tasks = parallel::block_count(sample, per_task);
    std::vector<std::vector<Kind>> kinds(tasks, std::vector<Kind>(builders_.size(), Kind::kEmpty));
    parallel::for_blocks(ctx_, sample, per_task, [&](std::size_t begin, std::size_t end) {
      auto& mine = kinds[begin / per_task];
      std::vector<Kind> row_kinds(builders_.size());
      std::string scratch;
      Field field;
      for (std::size_t r = begin; r < end; ++r) {
        const RowSpan row = split.rows[r];
        RowCursor cursor(w.data() + row.start, w.data() + row.end, delim_);
        std::fill(row_kinds.begin(), row_kinds.end(), Kind::kEmpty);
        std::size_t f = 0;
        bool ok = true;
        for (; cursor.has_more(); ++f) {
          if (cursor.next(field, scratch) != FieldError::kNone || f >= field_to_out_.size()) {
            ok = false;
            break;
          }
          if (field_to_out_[f] >= 0) {
            row_kinds[static_cast<std::size_t>(field_to_out_[f])] = classify(field, na_);
          }
        }
        if (!ok || f != field_to_out_.size()) continue;  // a bad row; parsing reports it
        for (std::size_t c = 0; c < mine.size(); ++c) mine[c] = join(mine[c], row_kinds[c]);
      }
    });
    for (std::size_t c = 0; c < builders_.size(); ++c) {
      Builder& b = builders_[c];
      if (b.forced) continue;
      Kind kind = Kind::kEmpty;
      for (const auto& t : kinds) kind = join(kind, t[c]);
      if (const auto it = hints_.find(b.field); it != hints_.end()) kind = join(kind, it->second);
      b.kind = kind;
    }
  }

  /// Makes room for rows [0, needed) in every column, reserving from an estimate of the total so
  /// large inputs are not copied as they grow.
  void grow(std::size_t needed, std::size_t window_bytes) {
    const std::size_t total = source_.size_hint();
    const double done_bytes = static_cast<double>(bytes_ + window_bytes);
    // Columns grow in parallel: touching fresh pages (the zero fill and its page faults) is a
    // large share of the work and would otherwise serialise on this thread.
    parallel::for_each_index(ctx_, builders_.size(), [&](std::size_t column) {
      builders_[column].visit([&](auto& v) {
        if (needed > v.capacity()) {
          std::size_t estimate = needed;
          if (total > bytes_ + window_bytes && needed > 0) {
            const double per_row = done_bytes / static_cast<double>(needed);
            estimate += static_cast<std::size_t>(
                            static_cast<double>(total - bytes_ - window_bytes) / per_row * 1.05) +
                        64;
          }
          if (options_.max_rows)
            estimate = std::min(estimate, std::max(needed, *options_.max_rows));
          v.reserve(std::max(estimate, needed));
          advise_huge_pages(v.data(), v.capacity() * sizeof(v[0]));
        }
        v.resize(needed);
      });
    });
  }

  /// Parses the rows of a window into the columns. Returns false when a column type must widen.
  bool parse_rows(std::string_view w, const Split& split, std::size_t line) {
    const std::size_t n = split.rows.size();
    const std::size_t base = rows_;
    grow(base + n, split.consumed);
    const std::size_t per_task = tuning_.rows_per_task;
    std::vector<TaskState> tasks(parallel::block_count(n, per_task));
    const bool stop_at_first = options_.bad_rows == BadRowPolicy::kError;
    parallel::for_blocks(ctx_, n, per_task, [&](std::size_t begin, std::size_t end) {
      TaskState& task = tasks[begin / per_task];
      task.dictionaries.resize(builders_.size());
      for (std::size_t r = begin; r < end; ++r) {
        if (!parse_row(w, split, r, base + r, task) && stop_at_first) break;
      }
    });

    // The first issue in row order decides, whatever thread found it.
    std::vector<const RowIssue*> issues;
    for (const auto& t : tasks) {
      for (const auto& issue : t.issues) issues.push_back(&issue);
    }
    std::vector<std::size_t> lines(issues.size());
    {
      std::size_t pos = 0;
      std::size_t current = line;
      for (std::size_t i = 0; i < issues.size(); ++i) {
        const std::size_t start = split.rows[issues[i]->row].start;
        current += static_cast<std::size_t>(
            std::count(w.begin() + static_cast<std::ptrdiff_t>(pos),
                       w.begin() + static_cast<std::ptrdiff_t>(start), '\n'));
        pos = start;
        lines[i] = current;
      }
    }
    if (stop_at_first && !issues.empty()) fail(lines.front(), issues.front()->message);

    bool widened = false;
    for (const auto& t : tasks) {
      for (const auto& [column, kind] : t.promotions) {
        const Builder& b = builders_[column];
        auto& hint = hints_[b.field];
        const Kind wider = join(join(hint, b.kind), kind);
        if (wider != hint) {
          hint = wider;
          widened = true;
        }
      }
    }
    if (widened) return false;

    merge_dictionaries(tasks, base, n);

    if (!issues.empty()) {
      for (std::size_t i = 0; i < issues.size(); ++i) {
        if (++skipped_ <= kMaxWarnings) {
          warnings_.push_back(kolosal::detail::concat(name_, ":", lines[i], ": ",
                                                      issues[i]->message, "; row skipped"));
        }
      }
      std::vector<std::size_t> bad;
      bad.reserve(issues.size());
      for (const auto* issue : issues) bad.push_back(base + issue->row);
      for (auto& b : builders_) {
        b.visit([&](auto& v) {
          std::size_t out = bad.front();
          std::size_t next_bad = 0;
          for (std::size_t i = bad.front(); i < base + n; ++i) {
            if (next_bad < bad.size() && bad[next_bad] == i) {
              ++next_bad;
              continue;
            }
            v[out++] = v[i];
          }
          v.resize(out);
        });
      }
      rows_ = base + n - bad.size();
    } else {
      rows_ = base + n;
    }
    return true;
  }

  void issue(TaskState& task, std::size_t row, std::string message) const {
    task.issues.push_back({row, std::move(message)});
  }

  /// Parses one row into position `out`; false when the row is bad.
  bool parse_row(std::string_view w, const Split& split, std::size_t r, std::size_t out,
                 TaskState& task) {
    const RowSpan row = split.rows[r];
    const char* begin = w.data() + row.start;
    const char* end = w.data() + row.end;
    if (split.has_nul && std::memchr(begin, '\0', row.end - row.start) != nullptr) {
      issue(task, r, "the row contains a NUL byte (binary data?)");
      return false;
    }
    task.row_promotions.clear();
    RowCursor cursor(begin, end, delim_);
    const std::size_t n_fields = field_to_out_.size();
    Field field;
    for (std::size_t f = 0; f < n_fields; ++f) {
      if (!cursor.has_more()) {
        issue(task, r, kolosal::detail::concat("expected ", n_fields, " fields but found ", f));
        return false;
      }
      const int c = field_to_out_[f];
      if (c >= 0) {
        Builder& b = builders_[static_cast<std::size_t>(c)];
        if ((b.kind == Kind::kNumeric || b.kind == Kind::kEmpty) && !na_.has_numeric()) {
          double v = 0.0;
          if (cursor.try_number(v)) {
            if (b.float32) {
              b.f32[out] = static_cast<float>(v);
            } else {
              b.f64[out] = v;
            }
            continue;
          }
        }
      }
      const FieldError error = cursor.next(field, task.scratch);
      if (error != FieldError::kNone) {
        issue(task, r, quote_message(error, f));
        return false;
      }
      if (c < 0) continue;
      if (!store(static_cast<std::size_t>(c), field, r, out, task)) return false;
    }
    if (cursor.has_more()) {
      const std::size_t found = n_fields + cursor.count_rest();
      issue(task, r, kolosal::detail::concat("expected ", n_fields, " fields but found ", found));
      return false;
    }
    // Only a good row may widen a type: bad rows are reported or skipped, never typed.
    task.promotions.insert(task.promotions.end(), task.row_promotions.begin(),
                           task.row_promotions.end());
    return true;
  }

  std::string quote_message(FieldError error, std::size_t f) const {
    const std::string where =
        kolosal::detail::concat("column '", printable(file_names_[f]), "' (field ", f + 1, ")");
    switch (error) {
      case FieldError::kTextAfterQuote:
        return where + ": unexpected text after a closing quote";
      case FieldError::kQuoteInField:
        return where + ": a quote inside an unquoted field (quote the field and double the quote)";
      case FieldError::kUnterminated:
        return where + ": unterminated quoted field";
      case FieldError::kNone:
        break;
    }
    return where;
  }

  /// Stores a field that missed the numeric fast path; false when the row is bad.
  bool store(std::size_t c, const Field& field, std::size_t r, std::size_t out, TaskState& task) {
    Builder& b = builders_[c];
    const bool na = field.text.empty() || na_.contains(field.text);
    switch (b.kind) {
      case Kind::kEmpty:
      case Kind::kNumeric: {
        double v = kNaN;
        if (!na && !parse_number(field.text, v))
          return reject(b, c, field, r, task, [&] { v = kNaN; });
        if (b.float32) {
          b.f32[out] = static_cast<float>(v);
        } else {
          b.f64[out] = v;
        }
        return true;
      }
      case Kind::kBoolean: {
        std::uint8_t v = kBoolMissing;
        if (!na && !parse_bool(field.text, v)) {
          return reject(b, c, field, r, task, [&] { b.u8[out] = kBoolMissing; });
        }
        b.u8[out] = v;
        return true;
      }
      case Kind::kDatetime: {
        std::int64_t v = kTimeMissing;
        if (!na) {
          const auto parsed = parse_datetime(trim(field.text));
          if (!parsed) return reject(b, c, field, r, task, [&] { b.i64[out] = kTimeMissing; });
          v = *parsed;
        }
        b.i64[out] = v;
        return true;
      }
      case Kind::kString: {
        if (!field.quoted && na_.contains(field.text)) {
          b.codes[out] = -1;
          return true;
        }
        LocalDictionary& dict = task.dictionaries[c];
        auto it = dict.index.find(field.text);
        if (it == dict.index.end()) {
          if (!valid_utf8(field.text)) {
            issue(task, r,
                  kolosal::detail::concat("column '", printable(b.name), "': invalid UTF-8 in '",
                                          printable(field.text), "'"));
            return false;
          }
          it = dict.index
                   .emplace(std::string(field.text), static_cast<std::int32_t>(dict.order.size()))
                   .first;
          dict.order.push_back(&it->first);
        }
        b.codes[out] = it->second;
        return true;
      }
    }
    return true;
  }

  /// A value that does not fit its column: a bad row when the type was forced, else a request to
  /// widen the type (the value is stored as missing meanwhile).
  template <class StoreMissing>
  bool reject(const Builder& b, std::size_t c, const Field& field, std::size_t r, TaskState& task,
              StoreMissing&& store_missing) {
    if (b.forced) {
      issue(task, r,
            kolosal::detail::concat("column '", printable(b.name), "': cannot parse '",
                                    printable(field.text), "' as ", to_string(*b.forced_type)));
      return false;
    }
    store_missing();
    task.row_promotions.emplace_back(c, classify(field, na_));
    return true;
  }

  /// Moves each task's strings into the column dictionaries, in task order, and recodes rows.
  void merge_dictionaries(std::vector<TaskState>& tasks, std::size_t base, std::size_t n) {
    const std::size_t per_task = tuning_.rows_per_task;
    for (std::size_t c = 0; c < builders_.size(); ++c) {
      Builder& b = builders_[c];
      if (b.kind != Kind::kString) continue;
      std::vector<std::vector<std::int32_t>> remap(tasks.size());
      for (std::size_t t = 0; t < tasks.size(); ++t) {
        if (tasks[t].dictionaries.size() <= c) continue;
        const auto& order = tasks[t].dictionaries[c].order;
        remap[t].reserve(order.size());
        for (const std::string* s : order) remap[t].push_back(b.dictionary.intern(*s, name_));
      }
      parallel::for_blocks(ctx_, n, per_task, [&](std::size_t begin, std::size_t end) {
        const auto& table = remap[begin / per_task];
        for (std::size_t r = begin; r < end; ++r) {
          std::int32_t& code = b.codes[base + r];
          if (code >= 0 && static_cast<std::size_t>(code) < table.size()) {
            code = table[static_cast<std::size_t>(code)];
          }
        }
      });
    }
  }

  Frame finish() {
    Frame frame;
    for (auto& b : builders_) {
      switch (b.kind) {
        case Kind::kEmpty:
        case Kind::kNumeric:
          if (b.float32) {
            b.f32.resize(rows_);
            frame.add_column(Column::numeric_float32(std::move(b.name), std::move(b.f32)));
          } else {
            b.f64.resize(rows_);
            frame.add_column(Column::numeric(std::move(b.name), std::move(b.f64)));
          }
          break;
        case Kind::kBoolean: {
          b.u8.resize(rows_);
          std::vector<std::uint8_t> missing;
          for (std::size_t i = 0; i < rows_; ++i) {
            if (b.u8[i] == kBoolMissing) {
              if (missing.empty()) missing.assign(rows_, 0);
              missing[i] = 1;
            }
          }
          frame.add_column(Column::boolean(std::move(b.name), std::move(b.u8), std::move(missing)));
          break;
        }
        case Kind::kDatetime: {
          b.i64.resize(rows_);
          std::vector<std::uint8_t> missing;
          for (std::size_t i = 0; i < rows_; ++i) {
            if (b.i64[i] == kTimeMissing) {
              if (missing.empty()) missing.assign(rows_, 0);
              missing[i] = 1;
            }
          }
          frame.add_column(
              Column::datetime(std::move(b.name), std::move(b.i64), std::move(missing)));
          break;
        }
        case Kind::kString:
          frame.add_column(finish_strings(b));
          break;
      }
    }
    return frame;
  }

  Column finish_strings(Builder& b) {
    b.codes.resize(rows_);
    const std::size_t unique = b.dictionary.size();
    const auto present = static_cast<std::size_t>(
        std::count_if(b.codes.begin(), b.codes.end(), [](std::int32_t code) { return code >= 0; }));
    bool categorical = unique <= options_.categorical_max_unique &&
                       static_cast<double>(unique) <=
                           options_.categorical_max_ratio * static_cast<double>(present);
    if (b.forced_type) categorical = *b.forced_type == ColumnType::kCategorical;
    if (categorical) {
      std::vector<std::int32_t> order(unique);
      for (std::size_t i = 0; i < unique; ++i) order[i] = static_cast<std::int32_t>(i);
      std::sort(order.begin(), order.end(), [&](std::int32_t x, std::int32_t y) {
        return b.dictionary[static_cast<std::size_t>(x)] <
               b.dictionary[static_cast<std::size_t>(y)];
      });
      std::vector<std::int32_t> rank(unique);
      std::vector<std::string> categories;
      categories.reserve(unique);
      for (std::size_t i = 0; i < unique; ++i) {
        rank[static_cast<std::size_t>(order[i])] = static_cast<std::int32_t>(i);
        categories.push_back(b.dictionary.take(static_cast<std::size_t>(order[i])));
      }
      for (auto& code : b.codes) {
        if (code >= 0) code = rank[static_cast<std::size_t>(code)];
      }
      return Column::categorical(std::move(b.name), std::move(b.codes), std::move(categories));
    }
    std::vector<std::string> values(rows_);
    std::vector<std::uint8_t> missing;
    for (std::size_t i = 0; i < rows_; ++i) {
      if (b.codes[i] >= 0) {
        values[i] = b.dictionary[static_cast<std::size_t>(b.codes[i])];
      } else {
        if (missing.empty()) missing.assign(rows_, 0);
        missing[i] = 1;
      }
    }
    return Column::text(std::move(b.name), std::move(values), std::move(missing));
  }

  Source& source_;
  std::string name_;
  const CsvOptions& options_;
  Context ctx_;
  CsvTuning tuning_;
  NaSet na_;
  char delim_ = ',';
  std::vector<std::string> file_names_;
  std::vector<int> field_to_out_;
  std::vector<Builder> builders_;
  std::map<std::size_t, Kind> hints_;  ///< input field -> widest kind seen by an earlier pass
  std::size_t rows_ = 0;
  std::size_t bytes_ = 0;  ///< input bytes before the current window
  std::size_t skipped_ = 0;
  std::vector<std::string> warnings_;  ///< emitted once a pass completes
};

}  // namespace

namespace csv_internal {

Frame read_csv_string(std::string_view text, const CsvOptions& options, const Context& ctx,
                      const CsvTuning& tuning) {
  config::validate(options, "read_csv");
  StringSource source(text);
  return Reader(source, "<string>", options, ctx, tuning).read();
}

Frame read_csv_piece(std::string_view text, const std::string& source, const CsvOptions& options,
                     const Context& ctx, const CsvTuning& tuning) {
  config::validate(options, "read_csv");
  StringSource string_source(text);
  return Reader(string_source, source, options, ctx, tuning).read();
}

char detect_csv_delimiter(std::string_view text) { return detect_delimiter(text); }

Frame read_csv_file(const std::filesystem::path& path, const CsvOptions& options,
                    const Context& ctx, const CsvTuning& tuning) {
  config::validate(options, "read_csv");
  FileSource source(path);
  return Reader(source, path.string(), options, ctx, tuning).read();
}

}  // namespace csv_internal

Frame read_csv(const std::filesystem::path& path, const CsvOptions& options, const Context& ctx) {
  return csv_internal::read_csv_file(path, options, ctx, {});
}

Frame read_csv_string(std::string_view text, const CsvOptions& options, const Context& ctx) {
  return csv_internal::read_csv_string(text, options, ctx, {});
}

}  // namespace kolosal::data
