#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/mutual_info.json: scikit-learn's mutual_info_regression and
mutual_info_classif, and SelectKBest with them, for kolosal's mutual-information parity tests.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/mutual_info_reference.py

Each case holds two references:
- "mi": the public functions with random_state=0, i.e. with scikit-learn's 1e-10 jitter drawn from
  numpy's stream (kolosal draws its own, so on tie-free data both agree to rounding);
- "mi_no_noise": the same estimators (sklearn.feature_selection._mutual_info._compute_mi) on the
  same scaled data without the jitter, which kolosal reproduces exactly with add_noise = false.
"""

import json
import pathlib
from functools import partial

import numpy as np
from sklearn.feature_selection import SelectKBest, mutual_info_classif, mutual_info_regression
from sklearn.feature_selection._mutual_info import _compute_mi
from sklearn.preprocessing import scale

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "mutual_info.json"


def has_ties(x, discrete):
    """Whether a continuous column repeats a value (then the jitter decides the neighbours)."""
    return any(len(np.unique(x[:, j])) < x.shape[0] for j in range(x.shape[1]) if not discrete[j])


def no_noise(x, y, discrete, discrete_target, n_neighbors):
    x = x.astype(np.float64).copy()
    cont = ~discrete
    if cont.any():
        x[:, cont] = scale(x[:, cont], with_mean=False)
    if not discrete_target:
        y = scale(y.astype(np.float64), with_mean=False)
    return [_compute_mi(x[:, j], y, bool(discrete[j]), discrete_target, n_neighbors)
            for j in range(x.shape[1])]


rng = np.random.default_rng(7)
cases = []

# Regression: a linear, a nonlinear and an independent continuous feature, plus a discrete one.
n = 240
x = np.empty((n, 4))
x[:, 0] = rng.normal(size=n)
x[:, 1] = rng.uniform(-3, 3, size=n)
x[:, 2] = rng.normal(size=n) * 5 + 2
x[:, 3] = rng.integers(0, 4, size=n)
y = 1.5 * x[:, 0] + np.sin(2 * x[:, 1]) + 0.4 * x[:, 3] + 0.3 * rng.normal(size=n)
for k, discrete in [(3, [False, False, False, True]), (5, [False, False, False, True]),
                    (3, [False] * 4)]:
    mask = np.array(discrete)
    mi = mutual_info_regression(x, y, discrete_features=mask, n_neighbors=k, random_state=0)
    cases.append(dict(kind="regression", n_neighbors=k, x=x.tolist(), y=y.tolist(),
                      discrete=[int(d) for d in discrete], ties=has_ties(x, mask), mi=mi.tolist(),
                      mi_no_noise=no_noise(x, y, mask, False, k)))

# Classification: three classes (one rare), continuous features and a discrete one.
n = 210
labels = rng.choice([0, 1, 2], size=n, p=[0.5, 0.4, 0.1])
xc = np.empty((n, 4))
xc[:, 0] = labels * 1.2 + rng.normal(size=n)
xc[:, 1] = rng.normal(size=n)
xc[:, 2] = np.where(labels == 2, rng.normal(3, 0.5, size=n), rng.exponential(1.0, size=n))
xc[:, 3] = (labels + rng.integers(0, 2, size=n)) % 3
for k in (3, 4):
    mask = np.array([False, False, False, True])
    mi = mutual_info_classif(xc, labels, discrete_features=mask, n_neighbors=k, random_state=0)
    cases.append(dict(kind="classification", n_neighbors=k, x=xc.tolist(),
                      y=labels.astype(float).tolist(), discrete=[0, 0, 0, 1], ties=False,
                      mi=mi.tolist(),
                      mi_no_noise=no_noise(xc, labels, mask, True, k)))

# A label that occurs once (left out of the Ross estimate) and a constant feature.
n = 60
yl = np.array([0] * 30 + [1] * 29 + [2])
xs = np.column_stack([yl + rng.normal(size=n), np.full(n, 3.0)])
mi = mutual_info_classif(xs, yl, n_neighbors=3, random_state=0)
cases.append(dict(kind="classification", n_neighbors=3, x=xs.tolist(), y=yl.astype(float).tolist(),
                  discrete=[0, 0], ties=False, mi=mi.tolist(),
                  mi_no_noise=no_noise(xs, yl, np.array([False, False]), True, 3)))

# SelectKBest with mutual information keeps the same columns.
selections = []
for func, target, kind in [(mutual_info_regression, y, "mutual_info_regression"),
                           (mutual_info_classif, labels, "mutual_info_classif")]:
    data = x if kind == "mutual_info_regression" else xc
    selector = SelectKBest(partial(func, random_state=0), k=2).fit(data[:, :3], target)
    selections.append(dict(score_func=kind, k=2, x=data[:, :3].tolist(),
                           y=np.asarray(target, dtype=float).tolist(),
                           scores=selector.scores_.tolist(),
                           support=[int(s) for s in selector.get_support()]))

OUTPUT.write_text(json.dumps({"cases": cases, "select_k_best": selections}) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
