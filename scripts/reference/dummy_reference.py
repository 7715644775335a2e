#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/dummy.json: scikit-learn's DummyClassifier / DummyRegressor outputs.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/dummy_reference.py
"""

import json
import pathlib

import numpy as np
from sklearn.dummy import DummyClassifier, DummyRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "dummy.json"

rng = np.random.RandomState(0)
y_class = rng.randint(0, 4, size=37).astype(float)
y_value = np.round(rng.normal(10.0, 3.0, size=37), 6)
weights = np.round(rng.uniform(0.0, 2.0, size=37), 6)
weights[:3] = 0.0
x = np.zeros((37, 2))

cases = []
for weighted in (False, True):
    w = weights if weighted else None
    for strategy in ("most_frequent", "prior"):
        model = DummyClassifier(strategy=strategy).fit(x, y_class, sample_weight=w)
        cases.append({"model": "dummy_classifier", "config": {"strategy": strategy},
                      "weighted": weighted,
                      "predict": model.predict(x[:1]).tolist(),
                      "predict_proba": model.predict_proba(x[:1])[0].tolist()})
    for strategy, extra in (("mean", {}), ("median", {}), ("quantile", {"quantile": 0.1}),
                            ("quantile", {"quantile": 0.75}), ("quantile", {"quantile": 0.0}),
                            ("quantile", {"quantile": 1.0})):
        model = DummyRegressor(strategy=strategy, **extra).fit(x, y_value, sample_weight=w)
        cases.append({"model": "dummy_regressor", "config": {"strategy": strategy, **extra},
                      "weighted": weighted, "predict": model.predict(x[:1]).tolist()})

OUTPUT.write_text(json.dumps({"y_class": y_class.tolist(), "y_value": y_value.tolist(),
                              "weights": weights.tolist(), "cases": cases}, indent=1) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT}")
