#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/resampling.json: what imbalanced-learn 0.10 decides when it resamples,
for kolosal's resampling parity tests.

Run with Debian's interpreter (imbalanced-learn 0.10): /usr/bin/python3 scripts/reference/resampling_reference.py

The random streams differ, so the reference holds the deterministic decisions, which kolosal must
match exactly:
- class counts after resampling (the sampling_strategy_ targets; for ADASYN imblearn's output);
- Borderline-SMOTE: the rows "in danger", from imblearn's own _in_danger_noise on its fitted
  m-neighbours estimator;
- ADASYN: how many rows each minority row generates (imblearn's ratio_nn rounding, recomputed
  with the same NearestNeighbors and checked against imblearn's output size);
- SMOTE-NC: median_std_, which sets the categorical penalty.
"""

import json
import pathlib
from collections import Counter

import numpy as np
from imblearn.over_sampling import ADASYN, SMOTE, SMOTENC, BorderlineSMOTE, RandomOverSampler
from imblearn.under_sampling import RandomUnderSampler
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "resampling.json"

rng = np.random.default_rng(11)


def counts(y):
    c = Counter(int(v) for v in y)
    return [c.get(k, 0) for k in range(max(c) + 1)]


def numeric_set(sizes, shift):
    x = np.vstack([rng.normal(loc=shift * c, scale=1.0, size=(n, 3)) for c, n in enumerate(sizes)])
    y = np.concatenate([np.full(n, c) for c, n in enumerate(sizes)])
    order = rng.permutation(len(y))  # interleave the classes
    return x[order], y[order]


sets = []
for name, sizes, shift in [("binary", [150, 30], 1.2), ("three_classes", [120, 40, 20], 1.0)]:
    x, y = numeric_set(sizes, shift)
    case = dict(name=name, x=x.tolist(), y=y.astype(float).tolist(), k_neighbors=5, m_neighbors=10)
    targets = {str(int(c)): int(n) for c, n in SMOTE(k_neighbors=5).fit(x, y).sampling_strategy_.items()}
    case["smote_counts"] = counts(SMOTE(k_neighbors=5, random_state=0).fit_resample(x, y)[1])
    case["random_over_counts"] = counts(RandomOverSampler(random_state=0).fit_resample(x, y)[1])
    case["random_under_counts"] = counts(RandomUnderSampler(random_state=0).fit_resample(x, y)[1])
    for kind in ("borderline-1", "borderline-2"):
        bl = BorderlineSMOTE(k_neighbors=5, m_neighbors=10, kind=kind, random_state=0)
        _, y_res = bl.fit_resample(x, y)
        danger = {}
        for c in bl.sampling_strategy_:
            idx = np.flatnonzero(y == c)
            mask = bl._in_danger_noise(bl.nn_m_, x[idx], c, y, kind="danger")
            danger[str(int(c))] = idx[mask].tolist()
        expected = counts(y)
        for c, n in bl.sampling_strategy_.items():
            if danger[str(int(c))]:
                expected[int(c)] += int(n)
        key = kind.replace("-", "")
        case[key + "_danger"] = danger
        # Borderline-1 reaches the target; imblearn's borderline-2 asks for
        # floor(f (n + 1)) + floor((1 - f) n) rows, which can be one short: kolosal makes n.
        case[key + "_counts"] = expected
        case[key + "_imblearn_counts"] = counts(y_res)
    ada = ADASYN(n_neighbors=5, random_state=0)
    _, y_res = ada.fit_resample(x, y)
    per_row = {}
    for c, n in ada.sampling_strategy_.items():
        idx = np.flatnonzero(y == c)
        nn = clone(ada.nn_).fit(x)
        nns = nn.kneighbors(x[idx], return_distance=False)[:, 1:]
        ratio = np.sum(y[nns] != c, axis=1) / 5
        ratio /= np.sum(ratio)
        made = np.rint(ratio * n).astype(int)
        per_row.update({str(int(i)): int(m) for i, m in zip(idx, made) if m > 0})
    assert sum(per_row.values()) + len(y) == len(y_res), "ADASYN counts disagree with imblearn"
    case["adasyn_counts"] = counts(y_res)
    case["adasyn_per_row"] = per_row
    case["targets"] = targets
    sets.append(case)

# SMOTE-NC: two numeric and two categorical columns, three classes (the penalty comes from the
# smallest class and applies to every resampled class).
sizes = [90, 30, 15]
xn = np.vstack([rng.normal(loc=c, scale=1.0 + 0.5 * c, size=(n, 2)) for c, n in enumerate(sizes)])
y = np.concatenate([np.full(n, c) for c, n in enumerate(sizes)])
colors = np.array(["red", "green", "blue"])
sizes_cat = np.array(["s", "m", "l", "xl"])
c1 = np.array([colors[(i + (i % 7 == 0)) % 3] if y[i] else colors[i % 3] for i in range(len(y))])
c2 = np.array([sizes_cat[min(3, int(y[i]) + (i % 2))] for i in range(len(y))])
order = rng.permutation(len(y))
xn, y, c1, c2 = xn[order], y[order], c1[order], c2[order]
mixed = np.empty((len(y), 4), dtype=object)
mixed[:, 0] = xn[:, 0]
mixed[:, 1] = c1
mixed[:, 2] = xn[:, 1]
mixed[:, 3] = c2
nc = SMOTENC(categorical_features=[1, 3], k_neighbors=5, random_state=0)
_, y_res = nc.fit_resample(mixed, y)
smote_nc = dict(a=xn[:, 0].tolist(), color=c1.tolist(), b=xn[:, 1].tolist(), size=c2.tolist(),
                y=y.astype(float).tolist(), k_neighbors=5, median_std=float(nc.median_std_),
                counts=counts(y_res))

OUTPUT.write_text(json.dumps({"numeric": sets, "smote_nc": smote_nc}) + "\n")
print(f"wrote {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
