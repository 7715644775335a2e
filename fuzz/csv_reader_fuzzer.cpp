// SPDX-License-Identifier: MIT
// libFuzzer harness for the CSV reader: any bytes must parse or throw kolosal::Error, never crash.
// The first byte picks options (thread count, bad-row policy, header, float32) so one corpus
// exercises each path.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "kolosal/data/csv.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t flags = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  kolosal::data::CsvOptions options;
  options.bad_rows =
      (flags & 1) ? kolosal::data::BadRowPolicy::kSkip : kolosal::data::BadRowPolicy::kError;
  options.has_header = (flags & 2) == 0;
  options.float32 = (flags & 4) != 0;
  if (flags & 8) options.delimiter = ";";
  const kolosal::Context ctx{(flags & 16) ? 2 : 1, 1};
  try {
    const kolosal::data::Frame frame = kolosal::data::read_csv_string(text, options, ctx);
    // Writing back must not fail on anything the reader produced.
    (void)kolosal::data::write_csv_string(frame);
  } catch (const kolosal::Error&) {
  }
  return 0;
}
