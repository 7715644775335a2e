#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Fit and predict times of k-means, DBSCAN and Gaussian mixtures against their scikit-learn peers,
side by side on the same make_blobs data with the same thread budget (OpenMP and BLAS limited to
THREADS threads, n_jobs=THREADS for DBSCAN's neighbour search). Quality is compared as well:
k-means inertia on the training rows, the Gaussian mixture's mean log-likelihood on the test rows,
DBSCAN's cluster and noise counts, and the adjusted Rand index against the true blob labels (on
the test rows for k-means and the mixture, on the training rows for DBSCAN).

Run with Debian's python (scikit-learn 1.2.1):
    /usr/bin/python3 benchmarks/clustering/clustering_compare.py
        --bench build/r/benchmarks/clustering/kolosal_bench_clustering [--threads 2]
        [--only kmeans-lloyd,...]
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
from sklearn.datasets import make_blobs

# (case, kolosal model, kolosal config, scikit-learn constructor, train rows, features, centers)
CASES = [
    ("kmeans-lloyd", "kmeans", {"n_clusters": 8, "n_init": 10, "algorithm": "lloyd"},
     "cluster.KMeans(n_clusters=8, n_init=10, algorithm='lloyd', random_state=0)",
     100_000, 20, 8),
    ("kmeans-elkan", "kmeans", {"n_clusters": 8, "n_init": 10, "algorithm": "elkan"},
     "cluster.KMeans(n_clusters=8, n_init=10, algorithm='elkan', random_state=0)",
     100_000, 20, 8),
    ("dbscan", "dbscan", {"eps": 3.0, "min_samples": 10},
     "cluster.DBSCAN(eps=3.0, min_samples=10, n_jobs=T)", 20_000, 10, 8),
    ("gaussian_mixture", "gaussian_mixture", {"n_components": 8, "covariance_type": "full"},
     "mixture.GaussianMixture(n_components=8, covariance_type='full', random_state=0)",
     20_000, 10, 8),
]

SKLEARN_SNIPPET = """
import json, sys, time, warnings
import numpy as np
from sklearn import cluster, mixture
from sklearn.metrics import adjusted_rand_score
warnings.simplefilter("ignore")
train, test, cols, T, expr, model_name = sys.argv[1:7]
cols, T = int(cols), int(T)
a = np.fromfile(train).reshape(-1, cols); b = np.fromfile(test).reshape(-1, cols)
model = eval(expr)
out = {}
start = time.perf_counter(); model.fit(a[:, :-1]); out["fit_s"] = time.perf_counter() - start
if model_name == "dbscan":
    labels = model.labels_
    out["predict_s"] = None
    out["n_clusters"] = int(labels.max() + 1)
    out["n_noise"] = int(np.sum(labels < 0))
    out["ari"] = float(adjusted_rand_score(a[:, -1], labels))
else:
    start = time.perf_counter(); pred = model.predict(b[:, :-1])
    out["predict_s"] = time.perf_counter() - start
    out["ari"] = float(adjusted_rand_score(b[:, -1], pred))
    out["n_iter"] = int(model.n_iter_)
    if model_name == "kmeans":
        out["inertia"] = float(model.inertia_)
    else:
        out["score"] = float(model.score(b[:, :-1]))
print(json.dumps(out))
"""


def quality(model, sk, ko):
    """The model's quality figure, scikit-learn's then kolosal's: training inertia, test mean
    log-likelihood or cluster/noise counts."""
    if model == "kmeans":
        return f"inertia {sk['inertia']:.1f} / {ko['inertia']:.1f}"
    if model == "dbscan":
        return (f"clusters {sk['n_clusters']} / {ko['n_clusters']}, "
                f"noise {sk['n_noise']} / {ko['n_noise']}")
    return f"log-likelihood {sk['score']:.4f} / {ko['score']:.4f}"


def ratio(sk, ko):
    return "n/a" if sk is None or ko is None else f"{sk / max(ko, 1e-9):.2f}x"


def secs(v):
    return "-" if v is None else f"{v:.4f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", required=True)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default="")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))
    t = str(args.threads)
    env = dict(os.environ, OMP_NUM_THREADS=t, OPENBLAS_NUM_THREADS=t, MKL_NUM_THREADS=t)
    tmp = tempfile.mkdtemp(prefix="kolosal_clustering_")
    rows = []
    for case, model, config, expr, n, d, centers in CASES:
        if only and case not in only:
            continue
        total = n + n // 5
        x, y = make_blobs(n_samples=total, n_features=d, centers=centers, random_state=0)
        table = np.hstack([x, y[:, None]]).astype(np.float64)
        train, test = os.path.join(tmp, "train.bin"), os.path.join(tmp, "test.bin")
        table[:n].tofile(train)
        table[n:].tofile(test)
        cols = str(table.shape[1])
        sk = json.loads(subprocess.run(
            [sys.executable, "-c", SKLEARN_SNIPPET, train, test, cols, t, expr, model],
            check=True, capture_output=True, text=True, env=env).stdout.splitlines()[-1])
        ko = json.loads(subprocess.run(
            [args.bench, train, test, cols, t, model, json.dumps(config)],
            check=True, capture_output=True, text=True, env=env).stdout.splitlines()[-1])
        rows.append((case, model, n, d, sk, ko))
        print(f"{case:18} {n}x{d}: fit {sk['fit_s']:.3f}s vs {ko['fit_s']:.3f}s "
              f"({ratio(sk['fit_s'], ko['fit_s'])}), predict {secs(sk['predict_s'])}s vs "
              f"{secs(ko['predict_s'])}s ({ratio(sk['predict_s'], ko['predict_s'])}), "
              f"{quality(model, sk, ko)}, "
              f"ARI {sk['ari']:.4f} / {ko['ari']:.4f}", flush=True)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| model | data | fit s (sklearn / kolosal) | fit ratio | predict s (sklearn / kolosal) "
          "| predict ratio | quality (sklearn / kolosal) | ARI (sklearn / kolosal) |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for case, model, n, d, sk, ko in rows:
        print(f"| {case} | {n} x {d} | {sk['fit_s']:.3f} / {ko['fit_s']:.3f} | "
              f"{ratio(sk['fit_s'], ko['fit_s'])} | {secs(sk['predict_s'])} / "
              f"{secs(ko['predict_s'])} | {ratio(sk['predict_s'], ko['predict_s'])} | "
              f"{quality(model, sk, ko)} | "
              f"{sk['ari']:.4f} / {ko['ari']:.4f} |")


if __name__ == "__main__":
    main()
