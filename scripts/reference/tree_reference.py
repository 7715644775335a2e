#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/tree.json: scikit-learn's DecisionTreeClassifier / DecisionTreeRegressor
on the bundled datasets (rows i % 4 == 0 held out, the rest for training).

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/tree_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.tree import DecisionTreeClassifier, DecisionTreeRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "tree.json"
TARGETS = {"iris": "species", "wine": "class", "breast_cancer": "diagnosis", "digits": "digit",
           "diabetes": "progression"}


def load(name):
    """Features, target (labels encoded in sorted order for classification) and the split."""
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


# (dataset, kolosal config, scikit-learn kwargs, exact): exact cases compare the structure and
# every test prediction; the others (full-depth trees, where equally good splits tie and the
# winner depends on the random feature order) compare held-out scores. A case stays exact only
# when ten random_states grow the same tree, i.e. no tie decides a split.
CASES = [
    ("breast_cancer", {"max_depth": 2}, {"max_depth": 2}, True),
    ("breast_cancer", {"max_depth": 3, "min_samples_leaf": 10},
     {"max_depth": 3, "min_samples_leaf": 10}, True),
    ("wine", {"max_depth": 3}, {"max_depth": 3}, True),
    ("digits", {"max_depth": 3}, {"max_depth": 3}, True),
    ("diabetes", {"max_depth": 5}, {"max_depth": 5}, True),
    ("breast_cancer", {"max_depth": 4}, {"max_depth": 4}, True),
    ("breast_cancer", {"criterion": "entropy", "max_depth": 3, "min_samples_leaf": 5},
     {"criterion": "entropy", "max_depth": 3, "min_samples_leaf": 5}, True),
    ("breast_cancer", {"class_weight": "balanced", "max_depth": 3},
     {"class_weight": "balanced", "max_depth": 3}, True),
    ("wine", {"criterion": "log_loss", "max_depth": 2}, {"criterion": "log_loss", "max_depth": 2},
     True),
    ("breast_cancer", {}, {}, False),
    ("breast_cancer", {"ccp_alpha": 0.01}, {"ccp_alpha": 0.01}, False),
    ("wine", {"ccp_alpha": 0.02}, {"ccp_alpha": 0.02}, False),
    ("iris", {}, {}, False),
    ("digits", {}, {}, False),
    ("digits", {"criterion": "entropy", "min_samples_split": 10},
     {"criterion": "entropy", "min_samples_split": 10}, False),
    ("diabetes", {"max_depth": 3}, {"max_depth": 3}, True),
    ("diabetes", {"criterion": "absolute_error", "max_depth": 3},
     {"criterion": "absolute_error", "max_depth": 3}, True),
    ("diabetes", {"min_impurity_decrease": 20.0, "min_samples_leaf": 4},
     {"min_impurity_decrease": 20.0, "min_samples_leaf": 4}, False),
    ("diabetes", {"min_samples_leaf": 10, "ccp_alpha": 30.0},
     {"min_samples_leaf": 10, "ccp_alpha": 30.0}, False),
    ("diabetes", {}, {}, False),
]

out = []
for name, config, kwargs, exact in CASES:
    x, y, xt, yt = load(name)
    classifier = name != "diabetes"
    scores = []
    nodes = []
    for seed in range(5):
        model = (DecisionTreeClassifier if classifier else DecisionTreeRegressor)(
            random_state=seed, **kwargs).fit(x, y)
        pred = model.predict(xt)
        scores.append(float(np.mean(pred == yt)) if classifier else r2(yt, pred))
        nodes.append(int(model.tree_.node_count))
    if exact:
        trees = [(DecisionTreeClassifier if classifier else DecisionTreeRegressor)(
            random_state=seed, **kwargs).fit(x, y).tree_ for seed in range(10)]
        exact = all(np.array_equal(t.feature, trees[0].feature) and
                    np.array_equal(t.threshold, trees[0].threshold) for t in trees)
    case = {"dataset": name, "config": config, "exact": exact,
            "score_mean": float(np.mean(scores)), "score_min": float(np.min(scores)),
            "score_max": float(np.max(scores)), "node_count_mean": float(np.mean(nodes))}
    if exact:
        case["node_count"] = int(model.tree_.node_count)
        case["depth"] = int(model.get_depth())
        case["predict"] = model.predict(xt).tolist()
        case["feature"] = model.tree_.feature.tolist()
        case["threshold"] = model.tree_.threshold.tolist()
        case["feature_importances"] = model.feature_importances_.tolist()
        if classifier:
            case["predict_proba"] = model.predict_proba(xt[:10]).tolist()
    out.append(case)
    print(name, config, "exact" if exact else "scores")

# A weighted fit: weights 1..3 by row.
x, y, xt, yt = load("breast_cancer")
w = 1.0 + (np.arange(len(y)) % 3)
model = DecisionTreeClassifier(max_depth=2, random_state=0).fit(x, y, sample_weight=w)
weighted = {"dataset": "breast_cancer", "config": {"max_depth": 2},
            "predict": model.predict(xt).tolist(), "threshold": model.tree_.threshold.tolist(),
            "feature": model.tree_.feature.tolist()}

OUTPUT.write_text(json.dumps({"cases": out, "weighted": weighted}) + "\n")
print(f"wrote {len(out)} cases to {OUTPUT}")
