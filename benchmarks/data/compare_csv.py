#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares kolosal's CSV reader with pandas.read_csv on a generated numeric CSV.

Generates (once) a 1,000,000 x 28 CSV of random floats with about 8 significant digits and a
header (~250 MB, outside the repository), then runs pandas.read_csv and kolosal_bench_csv side by
side, each in its own process under /usr/bin/time -v, and prints a table of wall time and peak RSS.

Run with Debian's python (pandas 1.5): /usr/bin/python3 benchmarks/data/compare_csv.py
    [--data /tmp/kolosal_bench_1m_x_28.csv] [--rows 1000000] [--cols 28] [--repeat 3]
    [--bench build/release-data/benchmarks/data/kolosal_bench_csv] [--threads 2]
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

PANDAS_SNIPPET = """
import json, sys, time
import pandas
start = time.perf_counter()
frame = pandas.read_csv(sys.argv[1])
elapsed = time.perf_counter() - start
print(json.dumps({"read_s": elapsed, "rows": frame.shape[0], "cols": frame.shape[1]}))
"""


def generate(path, rows, cols, seed=12345):
    """Writes the benchmark CSV in blocks; values have 8 significant digits."""
    rng = np.random.default_rng(seed)
    block = 100_000
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(",".join(f"f{j}" for j in range(cols)) + "\n")
        for begin in range(0, rows, block):
            n = min(block, rows - begin)
            values = rng.uniform(0.0, 1000.0, size=(n, cols))
            np.savetxt(out, values, fmt="%.8g", delimiter=",")
    os.replace(tmp, path)


def run_timed(command):
    """Runs a command under /usr/bin/time -v; returns (its JSON line, peak RSS in MB)."""
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line), peak_kb / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="/tmp/kolosal_bench_1m_x_28.csv")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=28)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=os.cpu_count())
    parser.add_argument("--bench", default="build/release-data/benchmarks/data/kolosal_bench_csv")
    args = parser.parse_args()

    if not os.path.exists(args.data):
        print(f"generating {args.data} ({args.rows} x {args.cols}) ...", flush=True)
        generate(args.data, args.rows, args.cols)
    size_mb = os.path.getsize(args.data) / 1e6
    parsed_mb = args.rows * args.cols * 8 / 1e6

    runs = {"pandas.read_csv": [], f"kolosal read_csv ({args.threads} threads)": [],
            "kolosal read_csv (1 thread)": []}
    for _ in range(args.repeat):
        runs["pandas.read_csv"].append(
            run_timed([sys.executable, "-c", PANDAS_SNIPPET, args.data]))
        runs[f"kolosal read_csv ({args.threads} threads)"].append(
            run_timed([args.bench, "--data", args.data, "--threads", str(args.threads)]))
        runs["kolosal read_csv (1 thread)"].append(
            run_timed([args.bench, "--data", args.data, "--threads", "1"]))

    print(f"\nfile: {args.data}, {size_mb:.0f} MB, {args.rows} x {args.cols}; "
          f"parsed doubles: {parsed_mb:.0f} MB; best of {args.repeat}\n")
    print(f"| {'reader':<34} | {'rows':>8} | {'cols':>4} | {'time (s)':>8} | {'MB/s':>6} | "
          f"{'peak RSS (MB)':>13} | {'vs pandas':>9} |")
    print(f"|{'-' * 36}|{'-' * 10}|{'-' * 6}|{'-' * 10}|{'-' * 8}|{'-' * 15}|{'-' * 11}|")
    pandas_best = min(r[0]["read_s"] for r in runs["pandas.read_csv"])
    for name, results in runs.items():
        best = min(results, key=lambda r: r[0]["read_s"])
        seconds = best[0]["read_s"]
        peak = max(r[1] for r in results)
        print(f"| {name:<34} | {best[0]['rows']:>8} | {best[0]['cols']:>4} | {seconds:>8.3f} | "
              f"{size_mb / seconds:>6.0f} | {peak:>13.0f} | {pandas_best / seconds:>8.2f}x |")


if __name__ == "__main__":
    main()
