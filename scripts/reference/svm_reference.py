#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/svm.json: scikit-learn's SVC and SVR (LIBSVM) on bundled and generated data.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/svm_reference.py

Bundled datasets are split as tests/training/zoo_data.hpp splits them (rows i % 4 == 0 held out);
features of iris, wine and breast_cancer are standardised with the training mean and population
standard deviation (the C++ test recomputes them). Generated datasets are stored whole. Weighted
cases use w_i = 0 when i % 7 == 0, else 0.5 + 0.5 (i % 3). Each case's "config" is kolosal's
SvcConfig / SvrConfig JSON; the scikit-learn arguments are derived from it.
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.datasets import make_classification, make_regression
from sklearn.svm import SVC, SVR

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "svm.json"

BUNDLED = {
    "iris": ("iris.csv", "species", True),
    "wine": ("wine.csv", "class", True),
    "breast_cancer": ("breast_cancer.csv", "diagnosis", True),
    "diabetes": ("diabetes.csv", "progression", False),
}


def load_bundled(name):
    file, target, standardize = BUNDLED[name]
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if name != "diabetes":
        y = np.unique(y, return_inverse=True)[1]
    y = y.astype(float)
    test = np.arange(len(y)) % 4 == 0
    xt, yt, xs, ys = x[~test], y[~test], x[test], y[test]
    if standardize:
        mean, std = xt.mean(axis=0), xt.std(axis=0)
        std[std == 0] = 1.0
        xt, xs = (xt - mean) / std, (xs - mean) / std
    return xt, yt, xs, ys


DATA = {name: load_bundled(name) for name in BUNDLED}
generated = {}

xc, yc = make_classification(n_samples=320, n_features=8, n_informative=5, n_classes=4,
                             n_clusters_per_class=1, class_sep=1.2, random_state=3)
generated["blobs4"] = (xc[:240], yc[:240].astype(float), xc[240:], yc[240:].astype(float))
xr, yr = make_regression(n_samples=260, n_features=6, noise=8.0, random_state=5)
yr = yr / 50.0
generated["regression"] = (xr[:200], yr[:200], xr[200:], yr[200:])
DATA.update(generated)


def weights(n):
    i = np.arange(n)
    return np.where(i % 7 == 0, 0.0, 0.5 + 0.5 * (i % 3))


def sklearn_kwargs(config):
    kw = {k: v for k, v in config.items()
          if k not in ("gamma_value", "class_weight_values", "cache_size_mb")}
    if "cache_size_mb" in config:
        kw["cache_size"] = config["cache_size_mb"]
    if config.get("gamma") == "value":
        kw["gamma"] = config["gamma_value"]
    cw = config.get("class_weight")
    if cw == "balanced":
        kw["class_weight"] = "balanced"
    elif cw == "explicit":
        kw["class_weight"] = dict(enumerate(config["class_weight_values"]))
    elif cw == "none":
        kw["class_weight"] = None
    return kw


cases = []


def add(model, dataset, config, weighted=False):
    xt, yt, xs, ys = DATA[dataset]
    sw = weights(len(yt)) if weighted else None
    kw = sklearn_kwargs(config)
    case = {"model": model, "dataset": dataset, "config": config, "weighted": weighted}
    if model == "svc":
        m = SVC(random_state=0, **kw).fit(xt, yt, sample_weight=sw)
        case["classes"] = m.classes_.tolist()
        case["n_support"] = m.n_support_.tolist()
        case["probA"] = m.probA_.tolist()
        case["probB"] = m.probB_.tolist()
        case["predict"] = m.predict(xs).tolist()
        case["score"] = float((m.predict(xs) == ys).mean())
        case["decision_function"] = m.decision_function(xs).tolist()
        if len(m.classes_) > 2:
            m.decision_function_shape = "ovo"
            case["decision_function_ovo"] = m.decision_function(xs).tolist()
        if config.get("probability"):
            case["predict_proba"] = m.predict_proba(xs).tolist()
    else:
        m = SVR(**kw).fit(xt, yt, sample_weight=sw)
        case["predict"] = m.predict(xs).tolist()
    case["support"] = m.support_.tolist()
    case["dual_coef"] = m.dual_coef_.tolist()
    case["intercept"] = np.atleast_1d(m.intercept_).tolist()
    case["gamma"] = float(m._gamma)
    cases.append(case)


add("svc", "iris", {})
add("svc", "iris", {"kernel": "linear", "C": 0.5})
add("svc", "iris", {"kernel": "poly", "degree": 3, "gamma": "auto", "coef0": 1.0, "C": 2.0})
add("svc", "iris", {"kernel": "rbf", "C": 5.0, "shrinking": False, "decision_function_shape": "ovo"})
add("svc", "wine", {"C": 10.0, "gamma": "value", "gamma_value": 0.05})
add("svc", "wine", {"kernel": "sigmoid", "gamma": "value", "gamma_value": 0.01, "coef0": 0.0})
add("svc", "wine", {"class_weight": "balanced", "C": 0.3})
add("svc", "wine", {"class_weight": "explicit", "class_weight_values": [1.0, 3.0, 0.5]},
    weighted=True)
add("svc", "breast_cancer", {})
add("svc", "breast_cancer", {"kernel": "linear", "C": 0.1})
add("svc", "breast_cancer", {"C": 3.0, "tol": 1e-4}, weighted=True)
add("svc", "breast_cancer", {"kernel": "poly", "degree": 2, "C": 0.5, "max_iter": 40})
add("svc", "blobs4", {"C": 2.0})
add("svc", "blobs4", {"kernel": "linear", "C": 1.0, "cache_size_mb": 0.01})
# Probabilities: Platt's internal CV folds are random, so only loose agreement is expected.
add("svc", "iris", {"probability": True})
add("svc", "breast_cancer", {"probability": True})
add("svc", "blobs4", {"probability": True, "C": 2.0})
add("svr", "diabetes", {"C": 100.0, "epsilon": 5.0})
add("svr", "diabetes", {"kernel": "linear", "C": 1000.0, "epsilon": 10.0})
add("svr", "diabetes", {"kernel": "poly", "degree": 2, "C": 50.0, "epsilon": 2.0, "coef0": 1.0,
                        "gamma": "value", "gamma_value": 10.0}, weighted=True)
add("svr", "regression", {"C": 10.0, "epsilon": 0.1})
add("svr", "regression", {"kernel": "linear", "C": 1.0, "epsilon": 0.5, "shrinking": False})
add("svr", "regression", {"kernel": "sigmoid", "gamma": "auto", "C": 1.0, "epsilon": 0.2})

out = {
    "generated": {name: {"x_train": d[0].tolist(), "y_train": d[1].tolist(), "x_test": d[2].tolist(),
                         "y_test": d[3].tolist()} for name, d in generated.items()},
    "cases": cases,
}
OUTPUT.write_text(json.dumps(out, indent=None) + "\n")
print(f"wrote {OUTPUT} ({len(cases)} cases)")
