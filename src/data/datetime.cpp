// SPDX-License-Identifier: MIT
// ISO-8601 parsing and formatting on std::chrono's civil calendar.
#include "kolosal/data/datetime.hpp"

#include <charconv>
#include <chrono>

namespace kolosal::data {
namespace {

constexpr std::int64_t kMicrosPerSecond = 1'000'000;
constexpr std::int64_t kMicrosPerDay = 86'400 * kMicrosPerSecond;

bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

/// Reads exactly `n` digits at `pos`, advancing it.
bool digits(std::string_view s, std::size_t& pos, int n, int& out) noexcept {
  if (pos + static_cast<std::size_t>(n) > s.size()) return false;
  int value = 0;
  for (int i = 0; i < n; ++i) {
    const char c = s[pos + static_cast<std::size_t>(i)];
    if (!is_digit(c)) return false;
    value = value * 10 + (c - '0');
  }
  pos += static_cast<std::size_t>(n);
  out = value;
  return true;
}

void append_padded(std::string& out, std::int64_t value, int width) {
  char buffer[24];
  const auto [end, ec] = std::to_chars(buffer, buffer + sizeof buffer, value < 0 ? -value : value);
  (void)ec;
  if (value < 0) out += '-';
  for (auto len = end - buffer; len < width; ++len) out += '0';
  out.append(buffer, end);
}

}  // namespace

std::optional<std::int64_t> parse_datetime(std::string_view s) noexcept {
  using namespace std::chrono;
  std::size_t pos = 0;
  int y = 0;
  int mo = 0;
  int d = 0;
  if (!digits(s, pos, 4, y) || pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, mo) ||
      pos >= s.size() || s[pos++] != '-' || !digits(s, pos, 2, d)) {
    return std::nullopt;
  }
  const year_month_day ymd{year{y}, month{static_cast<unsigned>(mo)},
                           day{static_cast<unsigned>(d)}};
  if (!ymd.ok()) return std::nullopt;
  std::int64_t micros =
      static_cast<std::int64_t>(sys_days{ymd}.time_since_epoch().count()) * kMicrosPerDay;
  if (pos == s.size()) return micros;

  if (s[pos] != 'T' && s[pos] != ' ') return std::nullopt;
  ++pos;
  int hh = 0;
  int mm = 0;
  int ss = 0;
  if (!digits(s, pos, 2, hh) || pos >= s.size() || s[pos++] != ':' || !digits(s, pos, 2, mm)) {
    return std::nullopt;
  }
  std::int64_t fraction = 0;
  if (pos < s.size() && s[pos] == ':') {
    ++pos;
    if (!digits(s, pos, 2, ss)) return std::nullopt;
    if (pos < s.size() && (s[pos] == '.' || s[pos] == ',')) {
      ++pos;
      int count = 0;
      while (pos < s.size() && is_digit(s[pos])) {
        if (count < 6) fraction = fraction * 10 + (s[pos] - '0');
        ++count;
        ++pos;
      }
      if (count == 0 || count > 9) return std::nullopt;
      for (int i = count; i < 6; ++i) fraction *= 10;
    }
  }
  if (hh > 23 || mm > 59 || ss > 59) return std::nullopt;
  micros += ((hh * 60 + mm) * 60 + ss) * kMicrosPerSecond + fraction;

  if (pos == s.size()) return micros;
  if (s[pos] == 'Z' || s[pos] == 'z')
    return pos + 1 == s.size() ? std::optional(micros) : std::nullopt;
  if (s[pos] != '+' && s[pos] != '-') return std::nullopt;
  const int sign = s[pos] == '-' ? -1 : 1;
  ++pos;
  int oh = 0;
  int om = 0;
  if (!digits(s, pos, 2, oh)) return std::nullopt;
  if (pos < s.size()) {
    if (s[pos] == ':') ++pos;
    if (!digits(s, pos, 2, om)) return std::nullopt;
  }
  if (pos != s.size() || oh > 23 || om > 59) return std::nullopt;
  // Local time = UTC + offset, so UTC = local - offset.
  return micros - sign * static_cast<std::int64_t>(oh * 60 + om) * 60 * kMicrosPerSecond;
}

std::string format_datetime(std::int64_t micros) {
  using namespace std::chrono;
  std::int64_t days_since_epoch = micros / kMicrosPerDay;
  std::int64_t of_day = micros % kMicrosPerDay;
  if (of_day < 0) {
    of_day += kMicrosPerDay;
    --days_since_epoch;
  }
  const year_month_day ymd{sys_days{days{days_since_epoch}}};
  std::string out;
  out.reserve(26);
  append_padded(out, static_cast<int>(ymd.year()), 4);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.month()), 2);
  out += '-';
  append_padded(out, static_cast<unsigned>(ymd.day()), 2);
  if (of_day == 0) return out;
  const std::int64_t seconds = of_day / kMicrosPerSecond;
  std::int64_t fraction = of_day % kMicrosPerSecond;
  out += 'T';
  append_padded(out, seconds / 3600, 2);
  out += ':';
  append_padded(out, seconds / 60 % 60, 2);
  out += ':';
  append_padded(out, seconds % 60, 2);
  if (fraction != 0) {
    int width = 6;
    while (fraction % 10 == 0) {
      fraction /= 10;
      --width;
    }
    out += '.';
    append_padded(out, fraction, width);
  }
  return out;
}

}  // namespace kolosal::data
