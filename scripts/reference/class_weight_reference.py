#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/class_weight.json: scikit-learn's class_weight for LogisticRegression
and SGDClassifier.

Run with Debian's interpreter (scikit-learn 1.2.1):
    /usr/bin/python3 scripts/reference/class_weight_reference.py

Bundled datasets are split as tests/training/zoo_data.hpp splits them (rows i % 4 == 0 held out)
and standardised with the training mean and population standard deviation; the generated,
imbalanced three-class set is stored whole. Weighted cases use w_i = 0.5 + 0.5 (i % 3).
Logistic regression is run to the optimum (newton-cg, tol 1e-10) so coefficients compare
tightly; SGD is stochastic, so only held-out scores averaged over ten seeds are compared.
"""

import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression, SGDClassifier

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "class_weight.json"
warnings.filterwarnings("ignore")

BUNDLED = {"wine": ("wine.csv", "class"), "breast_cancer": ("breast_cancer.csv", "diagnosis")}


def load_bundled(name):
    file, target = BUNDLED[name]
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = np.unique(frame[target].to_numpy(), return_inverse=True)[1].astype(float)
    test = np.arange(len(y)) % 4 == 0
    xt, yt, xs, ys = x[~test], y[~test], x[test], y[test]
    mean, std = xt.mean(axis=0), xt.std(axis=0)
    std[std == 0] = 1.0
    return (xt - mean) / std, yt, (xs - mean) / std, ys


DATA = {name: load_bundled(name) for name in BUNDLED}
x, y = make_classification(n_samples=500, n_features=6, n_informative=4, n_classes=3,
                           n_clusters_per_class=1, weights=[0.75, 0.18, 0.07], flip_y=0.02,
                           random_state=7)
DATA["imbalanced3"] = (x[:400], y[:400].astype(float), x[400:], y[400:].astype(float))


def sk_class_weight(config):
    cw = config.get("class_weight", "none")
    if cw == "balanced":
        return "balanced"
    if cw == "explicit":
        return dict(enumerate(config["class_weight_values"]))
    return None


cases = []


def add(model, dataset, config, weighted=False):
    xt, yt, xs, ys = DATA[dataset]
    sw = 0.5 + 0.5 * (np.arange(len(yt)) % 3) if weighted else None
    cw = sk_class_weight(config)
    if model == "logistic_regression":
        est = LogisticRegression(C=config.get("C", 1.0), multi_class=config.get("multi_class", "auto"),
                                 solver="newton-cg", tol=1e-10, max_iter=10000, class_weight=cw)
        est.fit(xt, yt, sample_weight=sw)
        pred = est.predict(xs)
        case = {"model": model, "dataset": dataset, "config": config, "weighted": weighted,
                "coef": np.atleast_2d(est.coef_).tolist(),
                "intercept": np.atleast_1d(est.intercept_).tolist(),
                "predict_proba": est.predict_proba(xs).tolist()}
    else:
        # Stochastic: held-out scores averaged over random_state 0..9.
        scores, balanced = [], []
        for seed in range(10):
            est = SGDClassifier(loss=config.get("loss", "hinge"), class_weight=cw,
                                random_state=seed).fit(xt, yt, sample_weight=sw)
            pred = est.predict(xs)
            scores.append(np.mean(pred == ys))
            balanced.append(np.mean([np.mean(pred[ys == k] == k) for k in np.unique(ys)]))
        case = {"model": model, "dataset": dataset, "config": config, "weighted": weighted,
                "score": float(np.mean(scores)), "balanced_accuracy": float(np.mean(balanced))}
    cases.append(case)


TIGHT = {"tol": 1e-10, "max_iter": 1000}
add("logistic_regression", "breast_cancer", {**TIGHT, "class_weight": "balanced"})
add("logistic_regression", "wine",
    {**TIGHT, "C": 0.5, "class_weight": "explicit", "class_weight_values": [1.0, 2.0, 0.5]},
    weighted=True)
add("logistic_regression", "imbalanced3", {**TIGHT, "class_weight": "balanced"})
add("logistic_regression", "imbalanced3",
    {**TIGHT, "class_weight": "balanced", "multi_class": "ovr"})
add("logistic_regression", "imbalanced3", {**TIGHT})
add("sgd_classifier", "imbalanced3", {"loss": "hinge", "class_weight": "balanced"})
add("sgd_classifier", "imbalanced3", {"loss": "log_loss", "class_weight": "balanced"})
add("sgd_classifier", "breast_cancer", {"loss": "log_loss", "class_weight": "balanced"})
add("sgd_classifier", "wine",
    {"loss": "hinge", "class_weight": "explicit", "class_weight_values": [1.0, 2.0, 0.5]})

out = {"generated": {"imbalanced3": {"x_train": DATA["imbalanced3"][0].tolist(),
                                     "y_train": DATA["imbalanced3"][1].tolist(),
                                     "x_test": DATA["imbalanced3"][2].tolist(),
                                     "y_test": DATA["imbalanced3"][3].tolist()}},
       "cases": cases}
OUTPUT.write_text(json.dumps(out) + "\n")
print(f"wrote {OUTPUT} ({len(cases)} cases)")
