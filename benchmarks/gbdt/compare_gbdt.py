#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Compares kolosal's gbdt with XGBoost (tree_method="hist") and scikit-learn's
HistGradientBoostingClassifier/Regressor on one generated table, side by side.

Generates (once) a binary table of --rows x --cols standard-normal features whose target is a
noisy non-linear function of them (the last column, "target"), then runs each library in its own
process under /usr/bin/time -v with the same rows, parameters and thread count: fit on the leading
rows, predict the trailing --test-fraction. Prints one JSON line per library and a table.

Run with Debian's python (xgboost 1.7, scikit-learn 1.2):
    /usr/bin/python3 benchmarks/gbdt/compare_gbdt.py [--rows 1000000] [--cols 28] [--rounds 100]
        [--max-depth 6] [--learning-rate 0.1] [--max-bin 256] [--lambda 1] [--threads 2]
        [--bench build/gbdt-release/benchmarks/gbdt/kolosal_bench_gbdt] [--data FILE.csv]
"""

import argparse
import json
import os
import re
import subprocess
import sys

import numpy as np

PEER_SNIPPET = r"""
import json, sys, time
import numpy as np, pandas as pd
from sklearn.metrics import roc_auc_score
lib, path, rounds, depth, lr, max_bin, lam, threads, test_fraction = sys.argv[1:]
rounds, depth, max_bin, threads = int(rounds), int(depth), int(max_bin), int(threads)
lr, lam, test_fraction = float(lr), float(lam), float(test_fraction)
start = time.perf_counter()
frame = pd.read_csv(path)
y = frame.pop("target").to_numpy(dtype=np.float64)
x = frame.to_numpy(dtype=np.float32)
del frame
read_s = time.perf_counter() - start
n_train = len(y) - int(round(test_fraction * len(y)))
x_train, x_test, y_train, y_test = x[:n_train], x[n_train:], y[:n_train], y[n_train:]
if lib == "xgboost":
    import xgboost as xgb
    params = {"tree_method": "hist", "max_depth": depth, "eta": lr, "max_bin": max_bin,
              "lambda": lam, "objective": "binary:logistic", "nthread": threads}
    start = time.perf_counter()
    dtrain = xgb.DMatrix(x_train, label=y_train, nthread=threads)
    booster = xgb.train(params, dtrain, num_boost_round=rounds)
    fit_s = time.perf_counter() - start
    del dtrain
    start = time.perf_counter()
    score = booster.inplace_predict(x_test)
    predict_s = time.perf_counter() - start
    one = lambda row: booster.inplace_predict(row)
else:
    from sklearn.experimental import enable_hist_gradient_boosting  # noqa: F401
    from sklearn.ensemble import HistGradientBoostingClassifier
    # max_bins counts non-missing bins (missing values get one more); depth-wise trees of depth D
    # have at most 2^D leaves.
    model = HistGradientBoostingClassifier(max_iter=rounds, max_depth=depth, learning_rate=lr,
                                           max_bins=min(max_bin - 1, 255), l2_regularization=lam,
                                           max_leaf_nodes=2 ** depth, early_stopping=False,
                                           min_samples_leaf=1)
    start = time.perf_counter()
    model.fit(x_train, y_train)
    fit_s = time.perf_counter() - start
    start = time.perf_counter()
    score = model.predict_proba(x_test)[:, 1]
    predict_s = time.perf_counter() - start
    one = lambda row: model.predict_proba(row)
times = []
for i in range(1000):
    row = x_test[i:i + 1]
    t0 = time.perf_counter()
    one(row)
    times.append((time.perf_counter() - t0) * 1e6)
print(json.dumps({"read_s": read_s, "fit_s": fit_s, "predict_s": predict_s,
                  "single_row_us": float(np.median(times)), "auc": roc_auc_score(y_test, score)}))
"""


def generate(path, rows, cols, seed=2024):
    """Writes the benchmark CSV in blocks: features N(0, 1), a binary target."""
    rng = np.random.default_rng(seed)
    weights = rng.normal(size=cols)
    block = 100_000
    tmp = path + ".tmp"
    with open(tmp, "w") as out:
        out.write(",".join([f"f{j}" for j in range(cols)] + ["target"]) + "\n")
        for begin in range(0, rows, block):
            n = min(block, rows - begin)
            x = rng.normal(size=(n, cols))
            logit = (x @ weights) / np.sqrt(cols) + np.sin(2 * x[:, 0]) * x[:, 1] \
                + 0.5 * (x[:, 2] > 0.5) * x[:, 3] - 0.3 * x[:, 4] ** 2 + 0.8 * rng.normal(size=n)
            y = (logit > 0).astype(int)
            table = np.column_stack([x, y])
            np.savetxt(out, table, fmt=["%.7g"] * cols + ["%d"], delimiter=",")
    os.replace(tmp, path)


def run_timed(command, env=None):
    """Runs a command under /usr/bin/time -v; returns (its JSON line, peak RSS in MB)."""
    result = subprocess.run(["/usr/bin/time", "-v"] + command, capture_output=True, text=True,
                            env=env)
    if result.returncode != 0:
        sys.exit(f"{command[0]} failed:\n{result.stdout}\n{result.stderr}")
    peak_kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", result.stderr).group(1))
    line = [l for l in result.stdout.splitlines() if l.startswith("{")][-1]
    return json.loads(line), peak_kb / 1024.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--cols", type=int, default=28)
    parser.add_argument("--data", default=None)
    parser.add_argument("--rounds", type=int, default=100)
    parser.add_argument("--max-depth", type=int, default=6)
    parser.add_argument("--learning-rate", type=float, default=0.1)
    parser.add_argument("--max-bin", type=int, default=256)
    parser.add_argument("--lambda", dest="lam", type=float, default=1.0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--test-fraction", type=float, default=0.2)
    parser.add_argument("--bench", default="build/gbdt-release/benchmarks/gbdt/kolosal_bench_gbdt")
    parser.add_argument("--skip", nargs="*", default=[], help="libraries not to run")
    args = parser.parse_args()
    data = args.data or f"/tmp/kolosal_gbdt_{args.rows}_x_{args.cols}.csv"
    if not os.path.exists(data):
        generate(data, args.rows, args.cols)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads))
    common = [str(args.rounds), str(args.max_depth), str(args.learning_rate), str(args.max_bin),
              str(args.lam), str(args.threads), str(args.test_fraction)]
    results = {}
    if "kolosal" not in args.skip:
        results["kolosal"] = run_timed(
            [args.bench, "--data", data, "--target", "target", "--rounds", str(args.rounds),
             "--max-depth", str(args.max_depth), "--learning-rate", str(args.learning_rate),
             "--max-bin", str(args.max_bin), "--lambda", str(args.lam), "--threads",
             str(args.threads), "--test-fraction", str(args.test_fraction)], env)
    for lib in ("xgboost", "sklearn"):
        if lib not in args.skip:
            results[lib] = run_timed([sys.executable, "-c", PEER_SNIPPET, lib, data] + common, env)
    print(f"load average before: {os.getloadavg()}")
    print(f"{'library':<10}{'fit_s':>9}{'predict_s':>11}{'1-row us':>10}{'auc':>9}{'rss MB':>9}")
    for lib, (out, rss) in results.items():
        print(json.dumps({"library": lib, **out, "process_peak_rss_mb": rss}))
        print(f"{lib:<10}{out['fit_s']:>9.3f}{out['predict_s']:>11.4f}{out['single_row_us']:>10.2f}"
              f"{out['auc']:>9.5f}{rss:>9.0f}")


if __name__ == "__main__":
    main()
