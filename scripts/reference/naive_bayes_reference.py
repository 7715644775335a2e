#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/naive_bayes.json: scikit-learn's naive Bayes models on bundled data.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/naive_bayes_reference.py

Each dataset is split by a fixed permutation (the first 70% train, the rest test) on raw features;
label targets become the indices of their sorted values. Only the first 25 test rows'
probabilities are stored, with the full held-out accuracy.
"""

import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from sklearn.naive_bayes import BernoulliNB, CategoricalNB, GaussianNB, MultinomialNB

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "naive_bayes.json"
warnings.filterwarnings("ignore")

DATASETS = {
    "iris": ("iris.csv", "species"),
    "wine": ("wine.csv", "class"),
    "breast_cancer": ("breast_cancer.csv", "diagnosis"),
    "digits": ("digits.csv", "digit"),
}


def load(name):
    file, target = DATASETS[name]
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if y.dtype == object:
        y = np.unique(y, return_inverse=True)[1]
    y = y.astype(float)
    perm = np.random.RandomState(0).permutation(len(y))
    n_train = int(0.7 * len(y))
    weights = np.round(np.random.RandomState(1).uniform(0.5, 2.0, size=n_train), 6)
    train, test = perm[:n_train], perm[n_train:]
    return x[train], y[train], x[test], y[test], weights, perm.tolist(), n_train


DATA = {name: load(name) for name in DATASETS}
datasets = {name: {"file": DATASETS[name][0], "target": DATASETS[name][1], "permutation": d[5],
                   "n_train": d[6], "weights": d[4].tolist()} for name, d in DATA.items()}
cases = []


def add(name, dataset, config, model, weighted=False):
    xt, yt, xs, ys, w, _, _ = DATA[dataset]
    model.fit(xt, yt, sample_weight=w if weighted else None)
    cases.append({"model": name, "dataset": dataset, "config": config, "weighted": weighted,
                  "score": float((model.predict(xs) == ys).mean()),
                  "predict": model.predict(xs).tolist(),
                  "predict_proba": model.predict_proba(xs[:25]).tolist()})


for weighted in (False, True):
    for dataset in ("iris", "wine", "breast_cancer"):
        add("gaussian_nb", dataset, {}, GaussianNB(), weighted)
    add("multinomial_nb", "digits", {}, MultinomialNB(), weighted)
    add("bernoulli_nb", "digits", {"binarize": 4.0}, BernoulliNB(binarize=4.0), weighted)
    add("categorical_nb", "digits", {"min_categories": 17}, CategoricalNB(min_categories=17),
        weighted)
add("gaussian_nb", "wine", {"var_smoothing": 1e-3, "priors": [0.2, 0.3, 0.5]},
    GaussianNB(var_smoothing=1e-3, priors=[0.2, 0.3, 0.5]))
add("multinomial_nb", "digits", {"alpha": 0.01, "fit_prior": False},
    MultinomialNB(alpha=0.01, fit_prior=False))
add("bernoulli_nb", "digits", {"alpha": 0.5, "binarize": 0.0}, BernoulliNB(alpha=0.5))
add("categorical_nb", "digits", {"alpha": 0.3, "min_categories": 17},
    CategoricalNB(alpha=0.3, min_categories=17))

OUTPUT.write_text(json.dumps({"datasets": datasets, "cases": cases}) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
