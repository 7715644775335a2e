#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit and predict times of the tree, ensemble, Gaussian-process, MLP and SVM models against their
scikit-learn peers, side by side on the same generated data with the same thread budget
(n_jobs=THREADS for scikit-learn's forests, BLAS limited to THREADS threads).

Run with Debian's python (scikit-learn 1.2.1):
    /usr/bin/python3 benchmarks/training/zoo_compare.py
        --bench build/<you>-release/benchmarks/training/kolosal_bench_zoo [--threads 2]
        [--only decision_tree_classifier,...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_classification, make_regression

# (kolosal model, kolosal config, scikit-learn constructor, task, train rows, features)
CASES = [
    ("decision_tree_classifier", {}, "tree.DecisionTreeClassifier(random_state=0)",
     "classification", 50_000, 20),
    ("decision_tree_regressor", {}, "tree.DecisionTreeRegressor(random_state=0)",
     "regression", 50_000, 20),
    ("random_forest_regressor", {"n_estimators": 100, "max_features": "sqrt"},
     "ensemble.RandomForestRegressor(n_estimators=100, max_features='sqrt', n_jobs=T, "
     "random_state=0)", "regression", 20_000, 20),
    ("extra_trees_classifier", {"n_estimators": 100},
     "ensemble.ExtraTreesClassifier(n_estimators=100, n_jobs=T, random_state=0)",
     "classification", 20_000, 20),
    ("adaboost_classifier", {"n_estimators": 50},
     "ensemble.AdaBoostClassifier(n_estimators=50, algorithm='SAMME', random_state=0)",
     "classification", 20_000, 20),
    ("adaboost_regressor", {"n_estimators": 50},
     "ensemble.AdaBoostRegressor(n_estimators=50, random_state=0)", "regression", 20_000, 20),
    ("gaussian_process_regressor", {"normalize_y": True},
     "gaussian_process.GaussianProcessRegressor(kernel=gaussian_process.kernels.ConstantKernel()"
     " * gaussian_process.kernels.RBF() + gaussian_process.kernels.WhiteKernel(), "
     "normalize_y=True, random_state=0)", "regression", 1_000, 5),
    ("mlp_classifier", {"hidden_layer_sizes": [64], "max_iter": 30},
     "neural_network.MLPClassifier(hidden_layer_sizes=(64,), max_iter=30, random_state=0)",
     "classification", 20_000, 20),
    ("mlp_regressor", {"hidden_layer_sizes": [64], "max_iter": 30, "learning_rate_init": 0.01},
     "neural_network.MLPRegressor(hidden_layer_sizes=(64,), max_iter=30, "
     "learning_rate_init=0.01, random_state=0)", "regression", 20_000, 20),
    ("svc", {}, "svm.SVC()", "classification", 20_000, 20),
    ("svr", {}, "svm.SVR()", "regression", 20_000, 20),
]

SKLEARN_SNIPPET = """
import json, sys, time, warnings
import numpy as np
from sklearn import ensemble, gaussian_process, neural_network, svm, tree
import sklearn.gaussian_process.kernels
warnings.simplefilter("ignore")
train, test, cols, T, expr, task = sys.argv[1:7]
cols, T = int(cols), int(T)
a = np.fromfile(train).reshape(-1, cols); b = np.fromfile(test).reshape(-1, cols)
model = eval(expr)
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
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads),
               OPENBLAS_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    tmp = tempfile.mkdtemp(prefix="kolosal_zoo_")
    rows = []
    for name, config, expr, task, n, d in CASES:
        if only and name not in only:
            continue
        total = n + n // 5
        if task == "classification":
            x, y = make_classification(n_samples=total, n_features=d, n_informative=d // 2,
                                       random_state=0)
        else:
            x, y = make_regression(n_samples=total, n_features=d, n_informative=d // 2,
                                   noise=10.0, random_state=0)
            y = y / np.std(y)
        table = np.hstack([x, y[:, None]]).astype(np.float64)
        train, test = os.path.join(tmp, "train.bin"), os.path.join(tmp, "test.bin")
        table[:n].tofile(train)
        table[n:].tofile(test)
        cols = str(table.shape[1])
        sk = json.loads(subprocess.run(
            [sys.executable, "-c", SKLEARN_SNIPPET, train, test, cols, str(args.threads), expr,
             task], check=True, capture_output=True, text=True, env=env).stdout.splitlines()[-1])
        ko = json.loads(subprocess.run(
            [args.bench, train, test, cols, str(args.threads), name, json.dumps(config)],
            check=True, capture_output=True, text=True).stdout.splitlines()[-1])
        rows.append((name, n, d, sk, ko))
        print(f"{name:28} {n}x{d}: fit {sk['fit_s']:.3f}s vs {ko['fit_s']:.3f}s "
              f"({sk['fit_s'] / ko['fit_s']:.2f}x), predict {sk['predict_s']:.4f}s vs "
              f"{ko['predict_s']:.4f}s ({sk['predict_s'] / max(ko['predict_s'], 1e-9):.2f}x), "
              f"score {sk['score']:.4f} vs {ko['score']:.4f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| model | data | fit s (sklearn / kolosal) | fit ratio | predict s (sklearn / kolosal) "
          "| predict ratio | score (sklearn / kolosal) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, n, d, sk, ko in rows:
        print(f"| {name} | {n} x {d} | {sk['fit_s']:.3f} / {ko['fit_s']:.3f} | "
              f"{sk['fit_s'] / ko['fit_s']:.2f}x | {sk['predict_s']:.4f} / {ko['predict_s']:.4f} | "
              f"{sk['predict_s'] / max(ko['predict_s'], 1e-9):.2f}x | "
              f"{sk['score']:.4f} / {ko['score']:.4f} |")


if __name__ == "__main__":
    main()
