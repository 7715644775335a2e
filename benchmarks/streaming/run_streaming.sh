#!/bin/sh
# SPDX-License-Identifier: MIT
# Generates a 2 GiB CSV in /tmp, streams it through a fitted GBDT pipeline with predictions
# written to /tmp, prints the benchmark's JSON line (peak RSS from getrusage, rows/s) and
# deletes both files.
#   BENCH=build/r/benchmarks/streaming/kolosal_bench_streaming THREADS=2 BYTES=2147483648 \
#     benchmarks/streaming/run_streaming.sh
set -eu
BENCH=${BENCH:-build/r/benchmarks/streaming/kolosal_bench_streaming}
THREADS=${THREADS:-2}
BYTES=${BYTES:-2147483648}
DATA=${TMPDIR:-/tmp}/kolosal_stream_$$.csv
OUT=${TMPDIR:-/tmp}/kolosal_stream_pred_$$.csv
trap 'rm -f "$DATA" "$OUT"' EXIT INT TERM
"$BENCH" --generate "$DATA" --bytes "$BYTES"
ls -l "$DATA" >&2
"$BENCH" --data "$DATA" --out "$OUT" --threads "$THREADS"
