#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/gbdt.json: XGBoost 1.7 (tree_method="hist") test-set quality on the
bundled datasets, the yardstick for kolosal's gbdt with the same parameters.

Every fourth row (index % 4 == 0) is the test set, the rest trains; the last column is the
target (class labels map to the index of their sorted unique value).

Run with Debian's interpreter: /usr/bin/python3 scripts/reference/gbdt_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
import xgboost as xgb
from sklearn.metrics import accuracy_score, log_loss, mean_squared_error

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "gbdt.json"

PARAMS = {"tree_method": "hist", "max_depth": 4, "eta": 0.1, "lambda": 1.0, "alpha": 0.0,
          "min_child_weight": 1.0, "gamma": 0.0, "max_bin": 256, "nthread": 1, "seed": 0}

CASES = [("breast_cancer.csv", "binary_logloss", 100), ("diabetes.csv", "squared_error", 100),
         ("iris.csv", "softmax", 50), ("wine.csv", "softmax", 50), ("digits.csv", "softmax", 20)]

cases = []
for file, objective, rounds in CASES:
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.iloc[:, :-1].to_numpy(dtype=float)
    target = frame.iloc[:, -1]
    test = np.arange(len(frame)) % 4 == 0
    params = dict(PARAMS)
    if objective == "squared_error":
        y = target.to_numpy(dtype=float)
        params["objective"] = "reg:squarederror"
    else:
        classes = sorted(target.unique())
        y = target.map({c: i for i, c in enumerate(classes)}).to_numpy(dtype=float)
        if objective == "binary_logloss":
            params["objective"] = "binary:logistic"
        else:
            params["objective"] = "multi:softprob"
            params["num_class"] = len(classes)
    booster = xgb.train(params, xgb.DMatrix(x[~test], label=y[~test]), num_boost_round=rounds)
    pred = booster.predict(xgb.DMatrix(x[test]))
    case = {"file": file, "objective": objective, "rounds": rounds}
    if objective == "squared_error":
        case["rmse"] = float(np.sqrt(mean_squared_error(y[test], pred)))
    else:
        proba = np.column_stack([1 - pred, pred]) if pred.ndim == 1 else pred
        case["log_loss"] = float(log_loss(y[test], proba, labels=list(range(proba.shape[1]))))
        case["accuracy"] = float(accuracy_score(y[test], proba.argmax(axis=1)))
    cases.append(case)

OUTPUT.write_text(json.dumps({"xgboost_version": xgb.__version__, "params": PARAMS,
                              "cases": cases}, indent=1) + "\n")
print(json.dumps(cases, indent=1))
