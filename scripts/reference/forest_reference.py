#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/forest.json: held-out scores of scikit-learn's RandomForest* and
ExtraTrees* on the bundled datasets (rows i % 4 == 0 held out), over five seeds.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/forest_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.ensemble import (ExtraTreesClassifier, ExtraTreesRegressor, RandomForestClassifier,
                              RandomForestRegressor)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "forest.json"
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


MODELS = {"random_forest_classifier": RandomForestClassifier,
          "extra_trees_classifier": ExtraTreesClassifier,
          "random_forest_regressor": RandomForestRegressor,
          "extra_trees_regressor": ExtraTreesRegressor}
# (model, dataset, kolosal config, scikit-learn kwargs)
CASES = [
    ("random_forest_classifier", "iris", {"n_estimators": 50}, {"n_estimators": 50}),
    ("random_forest_classifier", "wine", {"n_estimators": 50, "oob_score": True},
     {"n_estimators": 50, "oob_score": True}),
    ("random_forest_classifier", "breast_cancer",
     {"n_estimators": 50, "criterion": "entropy", "max_samples": 0.5, "oob_score": True},
     {"n_estimators": 50, "criterion": "entropy", "max_samples": 0.5, "oob_score": True}),
    ("random_forest_classifier", "digits", {"n_estimators": 30}, {"n_estimators": 30}),
    ("random_forest_classifier", "breast_cancer",
     {"n_estimators": 30, "max_depth": 4, "class_weight": "balanced"},
     {"n_estimators": 30, "max_depth": 4, "class_weight": "balanced"}),
    ("extra_trees_classifier", "wine", {"n_estimators": 50}, {"n_estimators": 50}),
    ("extra_trees_classifier", "digits", {"n_estimators": 30}, {"n_estimators": 30}),
    ("random_forest_regressor", "diabetes", {"n_estimators": 50, "oob_score": True},
     {"n_estimators": 50, "oob_score": True}),
    ("random_forest_regressor", "diabetes",
     {"n_estimators": 50, "max_features": "sqrt", "min_samples_leaf": 5},
     {"n_estimators": 50, "max_features": "sqrt", "min_samples_leaf": 5}),
    ("extra_trees_regressor", "diabetes", {"n_estimators": 50}, {"n_estimators": 50}),
]

out = []
for model_name, dataset, config, kwargs in CASES:
    x, y, xt, yt = load(dataset)
    classifier = model_name.endswith("classifier")
    scores, oobs = [], []
    for seed in range(5):
        model = MODELS[model_name](random_state=seed, n_jobs=1, **kwargs).fit(x, y)
        pred = model.predict(xt)
        scores.append(float(np.mean(pred == yt)) if classifier else r2(yt, pred))
        if kwargs.get("oob_score"):
            oobs.append(float(model.oob_score_))
    case = {"model": model_name, "dataset": dataset, "config": config,
            "score_mean": float(np.mean(scores)), "score_min": float(np.min(scores)),
            "score_max": float(np.max(scores))}
    if oobs:
        case["oob_mean"] = float(np.mean(oobs))
    out.append(case)

OUTPUT.write_text(json.dumps({"cases": out}, indent=1) + "\n")
print(f"wrote {len(out)} cases to {OUTPUT}")
