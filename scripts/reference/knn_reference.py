#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/knn.json: scikit-learn's k-NN classifier and regressor on bundled data.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/knn_reference.py

Each dataset is split by a fixed permutation (the first 70% train, the rest test); features of
iris, wine and breast_cancer are standardised with the training mean and population standard
deviation (the C++ test recomputes them). Label targets become indices of their sorted values.
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.neighbors import KNeighborsClassifier, KNeighborsRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "knn.json"

DATASETS = {
    "iris": ("iris.csv", "species", True),
    "wine": ("wine.csv", "class", True),
    "breast_cancer": ("breast_cancer.csv", "diagnosis", True),
    "digits": ("digits.csv", "digit", False),
    "diabetes": ("diabetes.csv", "progression", False),
}


def load(name):
    file, target, standardize = DATASETS[name]
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if y.dtype == object:
        y = np.unique(y, return_inverse=True)[1]
    y = y.astype(float)
    perm = np.random.RandomState(0).permutation(len(y))
    n_train = int(0.7 * len(y))
    train, test = perm[:n_train], perm[n_train:]
    if standardize:
        mean, std = x[train].mean(axis=0), x[train].std(axis=0)
        std[std == 0] = 1.0
        x = (x - mean) / std
    return x[train], y[train], x[test], y[test], perm.tolist(), n_train


DATA = {name: load(name) for name in DATASETS}
datasets = {name: {"file": DATASETS[name][0], "target": DATASETS[name][1],
                   "standardize": DATASETS[name][2], "permutation": d[4], "n_train": d[5]}
            for name, d in DATA.items()}
cases = []


def add(dataset, config):
    xt, yt, xs, ys, _, _ = DATA[dataset]
    kwargs = dict(config)
    if kwargs.get("metric") == "minkowski":
        kwargs.setdefault("p", 2)
    regression = dataset == "diabetes"
    model = (KNeighborsRegressor if regression else KNeighborsClassifier)(
        algorithm="brute", **kwargs).fit(xt, yt)
    pred = model.predict(xs)
    case = {"model": "knn_regressor" if regression else "knn_classifier", "dataset": dataset,
            "config": config, "predict": pred.tolist()}
    if not regression:
        case["score"] = float((pred == ys).mean())
        case["predict_proba"] = model.predict_proba(xs[:20]).tolist()
    dist, ind = model.kneighbors(xs[:10])
    case["kneighbors_distance"] = dist.tolist()
    case["kneighbors_index"] = ind.tolist()
    cases.append(case)


add("iris", {"n_neighbors": 5})
add("iris", {"n_neighbors": 7, "weights": "distance", "metric": "manhattan"})
add("wine", {"n_neighbors": 3, "metric": "minkowski", "p": 3})
add("breast_cancer", {"n_neighbors": 9, "metric": "cosine"})
add("breast_cancer", {"n_neighbors": 4, "weights": "distance"})
add("digits", {"n_neighbors": 5, "weights": "distance"})
add("digits", {"n_neighbors": 3, "metric": "cosine"})
add("diabetes", {"n_neighbors": 5})
add("diabetes", {"n_neighbors": 10, "weights": "distance", "metric": "manhattan"})

OUTPUT.write_text(json.dumps({"datasets": datasets, "cases": cases}) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
