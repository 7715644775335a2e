#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Generates tests/reference/splitters.json: scikit-learn's GroupKFold and TimeSeriesSplit folds
for the deterministic splitters of kolosal::training.

Run from the repository root: /usr/bin/python3 scripts/reference/splitters_reference.py
"""
import json

import numpy as np
import sklearn
from sklearn.model_selection import GroupKFold, TimeSeriesSplit

rng = np.random.default_rng(7)
cases = []
for n_groups, n, k in ((6, 40, 3), (12, 90, 4), (5, 23, 5)):
    groups = rng.integers(0, n_groups, size=n)
    groups[:n_groups] = np.arange(n_groups)  # every group present
    folds = [{"train": tr.tolist(), "test": te.tolist()}
             for tr, te in GroupKFold(n_splits=k).split(np.zeros(n), groups=groups)]
    cases.append({"kind": "group_k_fold", "n": n, "k": k, "groups": groups.tolist(),
                  "folds": folds})
for n, k, gap, max_train, test_size in ((30, 4, 0, None, None), (50, 3, 2, None, None),
                                        (50, 5, 1, 10, None), (41, 3, 0, None, 7)):
    tss = TimeSeriesSplit(n_splits=k, gap=gap, max_train_size=max_train, test_size=test_size)
    folds = [{"train": tr.tolist(), "test": te.tolist()} for tr, te in tss.split(np.zeros(n))]
    cases.append({"kind": "time_series", "n": n, "k": k, "gap": gap, "max_train_size": max_train,
                  "test_size": test_size, "folds": folds})
with open("tests/reference/splitters.json", "w") as f:
    json.dump({"sklearn": sklearn.__version__, "cases": cases}, f)
