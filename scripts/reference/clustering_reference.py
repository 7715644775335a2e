#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/clustering.json: scikit-learn's KMeans, DBSCAN and GaussianMixture on
iris (features only), standardised wine, and a small make_blobs set stored in the file.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/clustering_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.cluster import DBSCAN, KMeans
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "clustering.json"


def features(name, target):
    return pd.read_csv(ROOT / "data" / f"{name}.csv").drop(columns=[target]).to_numpy(dtype=float)


iris = features("iris", "species")
wine = features("wine", "class")
wine = (wine - wine.mean(axis=0)) / wine.std(axis=0)
blobs, _ = make_blobs(n_samples=200, centers=4, cluster_std=0.8, random_state=3)
blobs = np.round(blobs, 6)
DATA = {"iris": iris, "wine_scaled": wine, "blobs": blobs}

kmeans = []
for dataset, k in (("iris", 3), ("iris", 5), ("wine_scaled", 3), ("blobs", 4)):
    for algorithm in ("lloyd", "elkan"):
        models = [KMeans(n_clusters=k, n_init=10, algorithm=algorithm, random_state=s)
                  .fit(DATA[dataset]) for s in range(5)]
        inertias = [m.inertia_ for m in models]
        model = models[int(np.argmin(inertias))]
        centers = model.cluster_centers_[np.lexsort(model.cluster_centers_.T[::-1])]
        kmeans.append({"dataset": dataset, "n_clusters": k, "algorithm": algorithm,
                       "inertia": float(min(inertias)), "centers": centers.tolist()})

dbscan = []
for dataset, eps, min_samples in (("iris", 0.5, 5), ("iris", 0.3, 4), ("wine_scaled", 2.0, 5),
                                  ("blobs", 0.6, 5)):
    model = DBSCAN(eps=eps, min_samples=min_samples).fit(DATA[dataset])
    dbscan.append({"dataset": dataset, "eps": eps, "min_samples": min_samples,
                   "labels": model.labels_.tolist(),
                   "core_sample_indices": model.core_sample_indices_.tolist()})

mixture = []
for dataset, k in (("iris", 3), ("blobs", 4), ("wine_scaled", 2)):
    for cov in ("full", "tied", "diag", "spherical"):
        bounds = []
        for s in range(5):
            g = GaussianMixture(n_components=k, covariance_type=cov, n_init=5,
                                random_state=s).fit(DATA[dataset])
            bounds.append(g.lower_bound_)
        single = [GaussianMixture(n_components=k, covariance_type=cov, n_init=1,
                                  random_state=s).fit(DATA[dataset]).lower_bound_
                  for s in range(10)]
        best = int(np.argmax(bounds))
        g = GaussianMixture(n_components=k, covariance_type=cov, n_init=5,
                            random_state=best).fit(DATA[dataset])
        order = np.lexsort(g.means_.T[::-1])
        mixture.append({"dataset": dataset, "n_components": k, "covariance_type": cov,
                        "lower_bound": float(g.lower_bound_),
                        "single_init_lower_bound_min": float(np.min(single)), "bic": float(g.bic(DATA[dataset])),
                        "aic": float(g.aic(DATA[dataset])), "means": g.means_[order].tolist(),
                        "weights": g.weights_[order].tolist(),
                        "score_samples": g.score_samples(DATA[dataset][:5]).tolist()})

OUTPUT.write_text(json.dumps({"blobs": blobs.tolist(), "kmeans": kmeans, "dbscan": dbscan,
                              "gaussian_mixture": mixture}) + "\n")
print(f"wrote {OUTPUT}")
