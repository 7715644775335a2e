#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/mlp.json: held-out scores of scikit-learn's MLPClassifier and
MLPRegressor over five seeds on the bundled datasets (rows i % 4 == 0 held out), features
standardised with the training rows' mean and population standard deviation.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/mlp_reference.py
"""

import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "mlp.json"
TARGETS = {"iris": "species", "wine": "class", "breast_cancer": "diagnosis", "digits": "digit",
           "diabetes": "progression"}
warnings.simplefilter("ignore", ConvergenceWarning)


def load(name):
    frame = pd.read_csv(ROOT / "data" / f"{name}.csv")
    target = TARGETS[name]
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if name != "diabetes":
        y = np.unique(y, return_inverse=True)[1].astype(float)
    test = np.arange(len(y)) % 4 == 0
    mean, sd = x[~test].mean(axis=0), x[~test].std(axis=0)
    sd[sd == 0] = 1.0
    x = (x - mean) / sd
    return x[~test], y[~test], x[test], y[test]


def r2(y, p):
    return float(1.0 - np.sum((y - p) ** 2) / np.sum((y - np.mean(y)) ** 2))


CASES = [
    ("mlp_classifier", "iris", {"hidden_layer_sizes": [16], "max_iter": 300}),
    ("mlp_classifier", "wine", {"hidden_layer_sizes": [16], "activation": "tanh", "max_iter": 200}),
    ("mlp_classifier", "breast_cancer",
     {"hidden_layer_sizes": [16, 8], "solver": "sgd", "learning_rate_init": 0.01,
      "max_iter": 100}),
    ("mlp_classifier", "breast_cancer",
     {"hidden_layer_sizes": [16], "activation": "logistic", "early_stopping": True,
      "learning_rate_init": 0.01, "max_iter": 200}),
    ("mlp_classifier", "digits", {"hidden_layer_sizes": [32], "max_iter": 60}),
    ("mlp_regressor", "diabetes",
     {"hidden_layer_sizes": [16], "learning_rate_init": 0.05, "max_iter": 300}),
    ("mlp_regressor", "diabetes",
     {"hidden_layer_sizes": [16], "solver": "sgd", "learning_rate_init": 0.001,
      "learning_rate": "adaptive", "max_iter": 200}),
]

out = []
for model_name, dataset, config in CASES:
    x, y, xt, yt = load(dataset)
    scores = []
    for seed in range(5):
        cls = MLPClassifier if model_name == "mlp_classifier" else MLPRegressor
        kwargs = dict(config, hidden_layer_sizes=tuple(config["hidden_layer_sizes"]))
        model = cls(random_state=seed, **kwargs).fit(x, y)
        pred = model.predict(xt)
        scores.append(float(np.mean(pred == yt)) if model_name == "mlp_classifier"
                      else r2(yt, pred))
    out.append({"model": model_name, "dataset": dataset, "config": config,
                "score_min": float(np.min(scores)), "score_max": float(np.max(scores)),
                "score_mean": float(np.mean(scores))})
    print(model_name, dataset, config, np.round(scores, 4))

OUTPUT.write_text(json.dumps({"cases": out}, indent=1) + "\n")
print(f"wrote {len(out)} cases to {OUTPUT}")
