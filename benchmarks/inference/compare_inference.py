#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Single-row latency of a GBDT pipeline with preprocessing: kolosal's InferenceEngine against
the same scikit-learn pipeline.

Generates (once) a 20,000-row CSV: 8 numeric columns with 5% missing values, 2 categorical
columns (6 and 10 levels) and a binary target (outside the repository). Each side fits
[impute mean + StandardScaler on the numbers, OneHotEncoder on the categories] followed by a
gradient-boosted classifier of 100 depth-6 trees (kolosal: Gbdt; scikit-learn:
HistGradientBoostingClassifier), then predicts class probabilities for --calls one-row frames,
one call each, timing every call; median and p99 are reported. Fitting is not timed.

Run with Debian's python (scikit-learn 1.2): /usr/bin/python3 benchmarks/inference/compare_inference.py
    [--data /tmp/kolosal_bench_inference.csv] [--calls 5000] [--threads 1]
    [--bench build/r/benchmarks/inference/kolosal_bench_inference]
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

SKLEARN_SNIPPET = """
import json, sys, time
import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
frame = pd.read_csv(sys.argv[1])
calls = int(sys.argv[2])
y = frame.pop("y")
numeric = [c for c in frame.columns if c.startswith("x")]
categorical = [c for c in frame.columns if c.startswith("c")]
model = Pipeline([
    ("prep", ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)])),
    ("gbdt", HistGradientBoostingClassifier(max_iter=100, learning_rate=0.1, max_depth=6,
                                            early_stopping=False, random_state=0))])
model.fit(frame, y)
rows = [frame.iloc[[i % len(frame)]] for i in range(calls)]
for row in rows[:64]:
    model.predict_proba(row)
micros = []
for row in rows:
    start = time.perf_counter(); model.predict_proba(row)
    micros.append((time.perf_counter() - start) * 1e6)
start = time.perf_counter(); model.predict_proba(frame); batch = time.perf_counter() - start
micros.sort()
print(json.dumps({"single_row_median_us": micros[len(micros) // 2],
                  "single_row_p99_us": micros[min(len(micros) - 1, int(0.99 * (len(micros) - 1) + 0.5))],
                  "batch_rows_per_s": len(frame) / batch}))
"""


def generate(path, rows=20000, seed=7):
    rng = np.random.default_rng(seed)
    x = rng.normal(0.0, 1.0, size=(rows, 8))
    c0 = rng.integers(0, 6, rows)
    c1 = rng.integers(0, 10, rows)
    score = x[:, 0] - 0.5 * x[:, 1] * x[:, 2] + 0.3 * (c0 == 2) - 0.4 * (c1 > 6)
    y = np.where(score + rng.normal(0.0, 0.5, rows) > 0, "yes", "no")
    text = np.char.mod("%.6g", x).astype(object)
    text[rng.random(x.shape) < 0.05] = ""
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(",".join([f"x{j}" for j in range(8)] + ["c0", "c1", "y"]) + "\n")
        for i in range(rows):
            out.write(",".join(list(text[i]) + [f"a{c0[i]}", f"b{c1[i]}", y[i]]) + "\n")
    os.replace(tmp, path)


def run(command, env):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/kolosal_bench_inference.csv")
    parser.add_argument("--calls", type=int, default=5000)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--bench",
                        default="build/r/benchmarks/inference/kolosal_bench_inference")
    args = parser.parse_args()
    if not os.path.exists(args.data):
        generate(args.data)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    kolosal = run([args.bench, "--data", args.data, "--target", "y", "--calls", str(args.calls),
                   "--threads", str(args.threads)], env)
    sklearn = run([sys.executable, "-c", SKLEARN_SNIPPET, args.data, str(args.calls)], env)
    print(json.dumps({"kolosal": kolosal, "sklearn": sklearn,
                      "median_speedup": sklearn["single_row_median_us"] /
                      kolosal["single_row_median_us"],
                      "p99_speedup": sklearn["single_row_p99_us"] / kolosal["single_row_p99_us"]},
                     indent=2))


if __name__ == "__main__":
    main()
