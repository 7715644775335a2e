#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/adaboost.json: scikit-learn's AdaBoostClassifier(algorithm="SAMME") and
AdaBoostRegressor on the bundled datasets (rows i % 4 == 0 held out).

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/adaboost_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.ensemble import AdaBoostClassifier, AdaBoostRegressor
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "adaboost.json"
TARGETS = {"iris": "species", "wine": "class", "breast_cancer": "diagnosis", "digits": "digit",
           "diabetes": "progression"}


def load(name):
    frame = pd.read_csv(ROOT / "data" / f"{name}.csv")
    target = TARGETS[name]
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if name != "diabetes":
        y = np.unique(y, return_inverse=True)[1].astype(float)
    test = np.arange(len(y)) % 4 == 0
    return x[~test], y[~test], x[test], y[test]


def r2(y, p):
    return float(1.0 - np.sum((y - p) ** 2) / np.sum((y - np.mean(y)) ** 2))


out = []
# Classification: stumps are deterministic up to ties, so the first rounds' estimator weights and
# the held-out decision function are compared as well as the score.
for dataset, config in (("breast_cancer", {"n_estimators": 50}),
                        ("wine", {"n_estimators": 30, "learning_rate": 0.5}),
                        ("iris", {"n_estimators": 20, "max_depth": 2}),
                        ("digits", {"n_estimators": 50, "max_depth": 3})):
    x, y, xt, yt = load(dataset)
    scores = []
    for seed in range(5):
        model = AdaBoostClassifier(
            estimator=DecisionTreeClassifier(max_depth=config.get("max_depth", 1)),
            n_estimators=config["n_estimators"], learning_rate=config.get("learning_rate", 1.0),
            algorithm="SAMME", random_state=seed).fit(x, y)
        scores.append(float(np.mean(model.predict(xt) == yt)))
    out.append({"model": "adaboost_classifier", "dataset": dataset, "config": config,
                "score_min": float(np.min(scores)), "score_max": float(np.max(scores)),
                "estimator_weights": model.estimator_weights_[:3].tolist(),
                "predict_proba": model.predict_proba(xt[:5]).tolist()})

for config in ({"n_estimators": 50}, {"n_estimators": 30, "loss": "square", "max_depth": 4},
               {"n_estimators": 30, "loss": "exponential", "learning_rate": 0.5}):
    x, y, xt, yt = load("diabetes")
    scores = []
    for seed in range(5):
        model = AdaBoostRegressor(
            estimator=DecisionTreeRegressor(max_depth=config.get("max_depth", 3)),
            n_estimators=config["n_estimators"], learning_rate=config.get("learning_rate", 1.0),
            loss=config.get("loss", "linear"), random_state=seed).fit(x, y)
        scores.append(r2(yt, model.predict(xt)))
    out.append({"model": "adaboost_regressor", "dataset": "diabetes", "config": config,
                "score_min": float(np.min(scores)), "score_max": float(np.max(scores))})

OUTPUT.write_text(json.dumps({"cases": out}, indent=1) + "\n")
print(f"wrote {len(out)} cases to {OUTPUT}")
