#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Random forest fit and predict: kolosal vs scikit-learn, side by side on the same data.

Generates make_classification (or make_regression) data, 100,000 training rows x 20 features and
20,000 test rows by default, writes it as raw float64 files, then times scikit-learn's
RandomForest*(n_estimators=100, n_jobs=THREADS) and kolosal_bench_forest with THREADS threads,
each in its own process, and prints a table with the fit ratio (scikit-learn / kolosal).

Run with Debian's python (scikit-learn 1.2.1):
    /usr/bin/python3 benchmarks/training/forest_compare.py
        --bench build/<you>-release/benchmarks/training/kolosal_bench_forest
        [--rows 100000] [--features 20] [--trees 100] [--threads 2] [--max-bins 255]
        [--task classification|regression] [--repeat 1]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_classification, make_regression

SKLEARN_SNIPPET = """
import json, sys, time
import numpy as np
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor
train, test, cols, threads, trees, task = sys.argv[1:7]
cols, threads, trees = int(cols), int(threads), int(trees)
a = np.fromfile(train).reshape(-1, cols); b = np.fromfile(test).reshape(-1, cols)
cls = RandomForestClassifier if task == "classification" else RandomForestRegressor
model = cls(n_estimators=trees, n_jobs=threads, random_state=0)
start = time.perf_counter(); model.fit(a[:, :-1], a[:, -1]); fit_s = time.perf_counter() - start
start = time.perf_counter(); pred = model.predict(b[:, :-1]); predict_s = time.perf_counter() - start
if task == "classification":
    score = float(np.mean(pred == b[:, -1]))
else:
    score = float(1 - np.sum((pred - b[:, -1]) ** 2) / np.sum((b[:, -1] - b[:, -1].mean()) ** 2))
print(json.dumps({"fit_s": fit_s, "predict_s": predict_s, "score": score}))
"""


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--test-rows", type=int, default=20_000)
    parser.add_argument("--features", type=int, default=20)
    parser.add_argument("--trees", type=int, default=100)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-bins", type=int, default=255)
    parser.add_argument("--task", default="classification",
                        choices=["classification", "regression"])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    n = args.rows + args.test_rows
    if args.task == "classification":
        x, y = make_classification(n_samples=n, n_features=args.features,
                                   n_informative=args.features // 2, n_redundant=2,
                                   random_state=0)
    else:
        x, y = make_regression(n_samples=n, n_features=args.features,
                               n_informative=args.features // 2, noise=10.0, random_state=0)
    table = np.hstack([x, y[:, None]]).astype(np.float64)
    tmp = tempfile.mkdtemp(prefix="kolosal_forest_")
    train, test = os.path.join(tmp, "train.bin"), os.path.join(tmp, "test.bin")
    table[:args.rows].tofile(train)
    table[args.rows:].tofile(test)
    cols = str(table.shape[1])

    results = {"sklearn": [], "kolosal": []}
    for _ in range(args.repeat):
        out = subprocess.run([sys.executable, "-c", SKLEARN_SNIPPET, train, test, cols,
                              str(args.threads), str(args.trees), args.task],
                             check=True, capture_output=True, text=True).stdout
        results["sklearn"].append(json.loads(out.strip().splitlines()[-1]))
        kind = "classifier" if args.task == "classification" else "regressor"
        out = subprocess.run([args.bench, train, test, cols, str(args.threads), str(args.trees),
                              str(args.max_bins), kind],
                             check=True, capture_output=True, text=True).stdout
        results["kolosal"].append(json.loads(out.strip().splitlines()[-1]))

    best = {k: min(v, key=lambda r: r["fit_s"]) for k, v in results.items()}
    load = os.getloadavg()[0]
    print(f"random forest, {args.task}, {args.rows} x {args.features}, {args.trees} trees, "
          f"{args.threads} threads, load average {load:.2f}")
    print(f"{'':10} {'fit s':>9} {'predict s':>10} {'score':>8}")
    for name, r in best.items():
        print(f"{name:10} {r['fit_s']:9.2f} {r['predict_s']:10.3f} {r['score']:8.4f}")
    print(f"fit ratio (scikit-learn / kolosal): {best['sklearn']['fit_s'] / best['kolosal']['fit_s']:.2f}x; "
          f"predict ratio: {best['sklearn']['predict_s'] / best['kolosal']['predict_s']:.2f}x")
    print(json.dumps({"sklearn": best["sklearn"], "kolosal": best["kolosal"], "load": load}))


if __name__ == "__main__":
    main()
