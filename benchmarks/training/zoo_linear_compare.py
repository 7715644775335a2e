#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit / predict times of kolosal's linear, naive Bayes and k-NN models against scikit-learn.

Generates the datasets once (make_classification / make_regression, seeded), writes them as raw
float64 for kolosal_bench_zoo_linear, and runs each scikit-learn estimator in its own process
limited to the same thread count (threadpoolctl + OMP/OPENBLAS variables). Times are the best of
--repeat runs. Prints a markdown table.

  /usr/bin/python3 benchmarks/training/zoo_linear_compare.py \
      --bench build/zoo1-release/benchmarks/training/kolosal_bench_zoo_linear --threads 2
"""

import argparse
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
from sklearn.datasets import make_classification, make_regression

SKLEARN_SNIPPET = r"""
import json, sys, time
import numpy as np
from threadpoolctl import threadpool_limits
from sklearn import linear_model, naive_bayes, neighbors
train, test, cols, threads, expr, repeat = sys.argv[1:7]
cols, threads, repeat = int(cols), int(threads), int(repeat)
tr = np.fromfile(train).reshape(-1, cols); te = np.fromfile(test).reshape(-1, cols)
xt, yt, xs, ys = tr[:, :-1], tr[:, -1], te[:, :-1], te[:, -1]
fit_s = predict_s = 1e300
with threadpool_limits(threads):
    for _ in range(repeat):
        model = eval(expr)
        t = time.perf_counter(); model.fit(xt, yt); fit_s = min(fit_s, time.perf_counter() - t)
        t = time.perf_counter(); pred = model.predict(xs)
        predict_s = min(predict_s, time.perf_counter() - t)
score = model.score(xs, ys)
print(json.dumps({"fit_s": fit_s, "predict_s": predict_s, "score": float(score)}))
"""

# (kolosal name, kolosal config, scikit-learn expression, dataset)
CASES = [
    ("linear_regression", {}, "linear_model.LinearRegression()", "reg"),
    ("ridge", {"alpha": 1.0}, "linear_model.Ridge(alpha=1.0)", "reg"),
    ("lasso", {"alpha": 0.1}, "linear_model.Lasso(alpha=0.1)", "reg"),
    ("elastic_net", {"alpha": 0.1, "l1_ratio": 0.5},
     "linear_model.ElasticNet(alpha=0.1, l1_ratio=0.5)", "reg"),
    ("bayesian_ridge", {}, "linear_model.BayesianRidge()", "reg"),
    ("sgd_regressor", {}, "linear_model.SGDRegressor(random_state=0)", "reg"),
    ("logistic_regression", {}, "linear_model.LogisticRegression()", "bin"),
    ("logistic_regression", {"penalty": "l1"},
     "linear_model.LogisticRegression(penalty='l1', solver='saga')", "bin"),
    ("logistic_regression", {}, "linear_model.LogisticRegression()", "multi"),
    ("sgd_classifier", {}, "linear_model.SGDClassifier(random_state=0)", "bin"),
    ("sgd_classifier", {"loss": "log_loss"},
     "linear_model.SGDClassifier(loss='log_loss', random_state=0)", "multi"),
    ("gaussian_nb", {}, "naive_bayes.GaussianNB()", "multi"),
    ("bernoulli_nb", {}, "naive_bayes.BernoulliNB()", "multi"),
    ("multinomial_nb", {}, "naive_bayes.MultinomialNB()", "counts"),
    ("categorical_nb", {}, "naive_bayes.CategoricalNB()", "counts"),
    ("knn_classifier", {}, "neighbors.KNeighborsClassifier(n_jobs=THREADS)", "knn"),
    ("knn_classifier", {"algorithm": "brute"},
     "neighbors.KNeighborsClassifier(algorithm='brute', n_jobs=THREADS)", "knn"),
    ("knn_regressor", {"weights": "distance"},
     "neighbors.KNeighborsRegressor(weights='distance', n_jobs=THREADS)", "knnreg"),
]


def datasets(n):
    x, y = make_regression(n_samples=n, n_features=20, n_informative=10, noise=10.0,
                           random_state=0)
    yield "reg", x, y
    x, y = make_classification(n_samples=n, n_features=20, n_informative=10, random_state=0)
    yield "bin", x, y
    x, y = make_classification(n_samples=n, n_features=20, n_informative=10, n_classes=5,
                               random_state=1)
    yield "multi", x, y
    counts = np.minimum(np.floor(np.abs(x) * 2.0), 7.0)
    yield "counts", counts, y
    x, y = make_classification(n_samples=25000, n_features=8, n_informative=6, n_classes=3,
                               random_state=2)
    yield "knn", x, y
    x, y = make_regression(n_samples=25000, n_features=8, noise=5.0, random_state=3)
    yield "knnreg", x, y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--rows", type=int, default=50000)
    parser.add_argument("--dir", default="/tmp/kolosal_zoo_linear_bench")
    args = parser.parse_args()
    root = pathlib.Path(args.dir)
    root.mkdir(parents=True, exist_ok=True)
    files = {}
    for name, x, y in datasets(args.rows):
        table = np.column_stack([x, y]).astype(np.float64)
        n_train = int(0.8 * len(table))
        train, test = root / f"{name}_train.bin", root / f"{name}_test.bin"
        table[:n_train].tofile(train)
        table[n_train:].tofile(test)
        files[name] = (str(train), str(test), str(table.shape[1]), n_train, len(table) - n_train)
    env = dict(os.environ, OMP_NUM_THREADS=str(args.threads),
               OPENBLAS_NUM_THREADS=str(args.threads), MKL_NUM_THREADS=str(args.threads))
    print(f"load average before: {os.getloadavg()[0]:.2f}")
    print("| model | config | data (train x features) | sklearn fit (s) | kolosal fit (s) | fit"
          " speed-up | sklearn predict (s) | kolosal predict (s) | predict speed-up |"
          " sklearn score | kolosal score |")
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, config, expr, data in CASES:
        train, test, cols, n_train, _ = files[data]
        expr = expr.replace("THREADS", str(args.threads))
        sk = json.loads(subprocess.run(
            [sys.executable, "-c", SKLEARN_SNIPPET, train, test, cols, str(args.threads), expr,
             str(args.repeat)], check=True, capture_output=True, text=True, env=env).stdout)
        ko = json.loads(subprocess.run(
            [args.bench, train, test, cols, str(args.threads), name, json.dumps(config),
             str(args.repeat)], check=True, capture_output=True, text=True).stdout)
        print(f"| {name} | `{json.dumps(config)}` | {data} {n_train}x{int(cols) - 1} | "
              f"{sk['fit_s']:.4f} | {ko['fit_s']:.4f} | {sk['fit_s'] / ko['fit_s']:.2f}x | "
              f"{sk['predict_s']:.4f} | {ko['predict_s']:.4f} | "
              f"{sk['predict_s'] / ko['predict_s']:.2f}x | {sk['score']:.4f} | "
              f"{ko['score']:.4f} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
