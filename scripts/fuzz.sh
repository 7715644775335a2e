#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer harnesses with clang-14 (ASan + UBSan) and runs each for a bounded time.
#   scripts/fuzz.sh [SECONDS_PER_HARNESS=60] [HARNESS...]
# Harnesses: csv_reader artifact signed_container. Crashes land in build/fuzz/findings/<harness>/;
# each one found must become a regression test in the normal suite (tests/fuzz/).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-60}
shift || true
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=(csv_reader artifact signed_container)
build=build/fuzz
jobs=${FUZZ_BUILD_JOBS:-1}

cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER=clang++-14 -DKOLOSAL_BUILD_FUZZERS=ON -DKOLOSAL_BUILD_TESTS=OFF \
  -DKOLOSAL_BUILD_EXAMPLES=OFF -DKOLOSAL_BUILD_APPS=OFF >/dev/null
cmake --build "$build" -j"$jobs" --target fuzz_make_seeds \
  $(printf 'fuzz_%s ' "${harnesses[@]}")

# Seed corpora: the committed ones (fuzz/corpus, written by fuzz_make_seeds), the bundled CSV
# data, and freshly generated artifacts and containers.
work="$build/corpus"
mkdir -p "$work"
"$build/fuzz/fuzz_make_seeds" data "$build/generated" >/dev/null
status=0
for h in "${harnesses[@]}"; do
  corpus="$work/$h"
  findings="$build/findings/$h"
  mkdir -p "$corpus" "$findings"
  case "$h" in
    csv_reader)
      cp fuzz/corpus/csv/* "$corpus"/
      # The harness reads the first byte as option flags: prefix 0 (defaults).
      for f in data/*.csv tests/cli/*.csv; do
        { printf '\0'; head -c 4096 "$f"; } >"$corpus/$(basename "$f").seed"
      done ;;
    artifact | signed_container)
      kind=$([ "$h" = artifact ] && echo artifact || echo signed)
      cp fuzz/corpus/"$kind"/* "$corpus"/
      for f in "$build/generated/$kind"/*; do cp "$f" "$corpus/generated_$(basename "$f")"; done ;;
  esac
  echo "== fuzz_$h for ${seconds}s (corpus: $(ls "$corpus" | wc -l) inputs)"
  if ! "$build/fuzz/fuzz_$h" "$corpus" -max_total_time="$seconds" -max_len=16384 \
      -rss_limit_mb=4096 -artifact_prefix="$findings/" -print_final_stats=1 2>"$findings.log"; then
    echo "!! fuzz_$h found a crash: see $findings/ and $findings.log"
    status=1
  fi
  grep -E "stat::number_of_executed_units|stat::peak_rss_mb|cov:" "$findings.log" | tail -3
done
exit $status
