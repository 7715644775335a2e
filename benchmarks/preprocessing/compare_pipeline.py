#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares kolosal's preprocessing pipeline with the same scikit-learn pipeline.

Generates (once) a 1,000,000 x 28 CSV: 24 numeric columns with 5% missing values and 4
categorical columns of 5-12 levels (outside the repository), then in separate processes times
ColumnTransformer([impute mean + StandardScaler on the numeric columns, OneHotEncoder on the
categorical ones]) fit_transform and transform, on the same loaded data and thread budget, best
of --repeat. Loading the CSV is not timed.

Run with Debian's python (scikit-learn 1.2): /usr/bin/python3 benchmarks/preprocessing/compare_pipeline.py
    [--data /tmp/kolosal_bench_pipeline_1m.csv] [--rows 1000000] [--repeat 3] [--threads 2]
    [--bench build/transform-release/benchmarks/preprocessing/kolosal_bench_pipeline]
"""

import argparse
import json
import os
import subprocess
import sys

import numpy as np

SKLEARN_SNIPPET = """
import json, sys, time, os
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
frame = pd.read_csv(sys.argv[1])
repeat = int(sys.argv[2])
numeric = [c for c in frame.columns if c.startswith("x")]
categorical = [c for c in frame.columns if c.startswith("c")]
for c in categorical:
    frame[c] = frame[c].astype(object)
best_fit = best_transform = float("inf")
for _ in range(repeat):
    ct = ColumnTransformer([
        ("num", Pipeline([("impute", SimpleImputer()), ("scale", StandardScaler())]), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore", sparse_output=False), categorical)],
        n_jobs=None if int(sys.argv[3]) <= 1 else int(sys.argv[3]))
    start = time.perf_counter(); out = ct.fit_transform(frame)
    best_fit = min(best_fit, time.perf_counter() - start)
    start = time.perf_counter(); ct.transform(frame)
    best_transform = min(best_transform, time.perf_counter() - start)
print(json.dumps({"fit_transform_s": best_fit, "transform_s": best_transform,
                  "rows": out.shape[0], "cols_out": out.shape[1]}))
"""


def generate(path, rows, seed=2024):
    rng = np.random.default_rng(seed)
    levels = [5, 8, 10, 12]
    block = 100_000
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(",".join([f"x{j}" for j in range(24)] + [f"c{j}" for j in range(4)]) + "\n")
        for begin in range(0, rows, block):
            n = min(block, rows - begin)
            values = rng.normal(0.0, 100.0, size=(n, 24))
            text = np.char.mod("%.6g", values).astype(object)
            text[rng.random((n, 24)) < 0.05] = ""
            cats = [np.char.add(f"L{j}_", rng.integers(0, k, n).astype(str)) for j, k in
                    enumerate(levels)]
            lines = [",".join(list(row) + [c[i] for c in cats]) for i, row in enumerate(text)]
            out.write("\n".join(lines) + "\n")
    os.replace(tmp, path)


def run(command, env):
    result = subprocess.run(command, capture_output=True, text=True, env=env)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed: {result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="/tmp/kolosal_bench_pipeline_1m.csv")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sklearn-jobs", type=int, default=1,
                        help="ColumnTransformer n_jobs; 1 is its fastest here (joblib worker "
                             "processes copy the data)")
    parser.add_argument("--bench",
                        default="build/transform-release/benchmarks/preprocessing/kolosal_bench_pipeline")
    args = parser.parse_args()
    if not os.path.exists(args.data):
        generate(args.data, args.rows)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    sk = run([sys.executable, "-c", SKLEARN_SNIPPET, args.data, str(args.repeat),
              str(args.sklearn_jobs)], env)
    ko = run([args.bench, "--data", args.data, "--threads", str(args.threads), "--repeat",
              str(args.repeat)], env)
    print(f"load average: {os.getloadavg()[0]:.2f}")
    print(f"{'pipeline':<34}{'fit_transform (s)':>18}{'transform (s)':>15}"
          f"{'fit_transform ratio':>21}{'transform ratio':>17}")
    for name, r in ((f"scikit-learn 1.2 (n_jobs={args.sklearn_jobs})", sk),
                    (f"kolosal ({args.threads} threads)", ko)):
        print(f"{name:<34}{r['fit_transform_s']:>18.3f}{r['transform_s']:>15.3f}"
              f"{sk['fit_transform_s'] / r['fit_transform_s']:>20.2f}x"
              f"{sk['transform_s'] / r['transform_s']:>16.2f}x")
    print(json.dumps({"sklearn": sk, "kolosal": ko}))


if __name__ == "__main__":
    main()
