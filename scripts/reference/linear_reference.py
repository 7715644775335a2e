#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/linear.json: scikit-learn's linear models on the bundled datasets.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/linear_reference.py

Each dataset is split by a fixed permutation (the first 70% train, the rest test); classification
features are standardised with the training mean and population standard deviation, which the
C++ test recomputes. Targets that are labels become the indices of their sorted values.
"""

import json
import pathlib
import warnings

import numpy as np
import pandas as pd
from sklearn.linear_model import (BayesianRidge, ElasticNet, Lasso, LinearRegression,
                                  LogisticRegression, Ridge, SGDClassifier, SGDRegressor,
                                  enet_path)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "linear.json"
warnings.filterwarnings("ignore")

DATASETS = {
    "diabetes": ("diabetes.csv", "progression", False),
    "breast_cancer": ("breast_cancer.csv", "diagnosis", True),
    "iris": ("iris.csv", "species", True),
    "wine": ("wine.csv", "class", True),
}


def load(name):
    file, target, standardize = DATASETS[name]
    frame = pd.read_csv(ROOT / "data" / file)
    x = frame.drop(columns=[target]).to_numpy(dtype=float)
    y = frame[target].to_numpy()
    if y.dtype == object:
        y = np.unique(y, return_inverse=True)[1].astype(float)
    y = y.astype(float)
    perm = np.random.RandomState(0).permutation(len(y))
    n_train = int(0.7 * len(y))
    train, test = perm[:n_train], perm[n_train:]
    if standardize:
        mean = x[train].mean(axis=0)
        std = x[train].std(axis=0)
        std[std == 0] = 1.0
        x = (x - mean) / std
    weights = np.round(np.random.RandomState(1).uniform(0.5, 2.0, size=n_train), 6)
    return x[train], y[train], x[test], y[test], weights, perm.tolist(), n_train


def r2(y, p):
    return float(1.0 - ((y - p) ** 2).sum() / ((y - y.mean()) ** 2).sum())


datasets = {}
cases = []


def add(name, dataset, config, model, weighted=False, proba=False):
    xt, yt, xs, ys, w, perm, n_train = DATA[dataset]
    model.fit(xt, yt, sample_weight=w if weighted else None)
    pred = model.predict(xs)
    case = {"model": name, "dataset": dataset, "config": config, "weighted": weighted,
            "coef": np.atleast_2d(model.coef_).tolist(),
            "intercept": np.atleast_1d(model.intercept_).tolist()}
    if name in ("logistic_regression", "sgd_classifier"):
        case["score"] = float((pred == ys).mean())
    else:
        case["score"] = r2(ys, pred)
        case["predict"] = pred[:20].tolist()
    if proba:
        case["predict_proba"] = model.predict_proba(xs[:20]).tolist()
    if name == "bayesian_ridge":
        case["alpha"] = float(model.alpha_)
        case["lambda"] = float(model.lambda_)
        case["predict_std"] = model.predict(xs[:20], return_std=True)[1].tolist()
    cases.append(case)


DATA = {name: load(name) for name in DATASETS}
for name, (xt, yt, xs, ys, w, perm, n_train) in DATA.items():
    datasets[name] = {"file": DATASETS[name][0], "target": DATASETS[name][1],
                      "standardize": DATASETS[name][2], "permutation": perm,
                      "n_train": n_train, "weights": w.tolist()}

# Closed form and coordinate descent on diabetes (coordinate descent run to a tiny duality gap).
for weighted in (False, True):
    add("linear_regression", "diabetes", {}, LinearRegression(), weighted)
    add("ridge", "diabetes", {"alpha": 0.5}, Ridge(alpha=0.5), weighted)
    add("lasso", "diabetes", {"alpha": 0.1, "tol": 1e-12, "max_iter": 100000},
        Lasso(alpha=0.1, tol=1e-12, max_iter=100000), weighted)
    add("elastic_net", "diabetes",
        {"alpha": 0.01, "l1_ratio": 0.7, "tol": 1e-12, "max_iter": 100000},
        ElasticNet(alpha=0.01, l1_ratio=0.7, tol=1e-12, max_iter=100000), weighted)
    add("bayesian_ridge", "diabetes", {}, BayesianRidge(), weighted)
add("ridge", "diabetes", {"alpha": 2.0, "fit_intercept": False}, Ridge(alpha=2.0,
                                                                      fit_intercept=False))
add("elastic_net", "diabetes", {"alpha": 0.05, "l1_ratio": 0.3, "selection": "random",
                                "tol": 1e-12, "max_iter": 100000},
    ElasticNet(alpha=0.05, l1_ratio=0.3, selection="random", tol=1e-12, max_iter=100000))

# Logistic regression run to the optimum: L2 by newton-cg (sklearn's lbfgs stops on its ftol
# test ~1e-4 short of the optimum on breast_cancer), L1 by saga.
add("logistic_regression", "breast_cancer", {"C": 1.0, "tol": 1e-10, "max_iter": 1000},
    LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10,
                       max_iter=10000), proba=True)
add("logistic_regression", "breast_cancer", {"C": 0.5, "tol": 1e-10, "max_iter": 1000},
    LogisticRegression(C=0.5, solver="newton-cg", tol=1e-10,
                       max_iter=10000), weighted=True, proba=True)
add("logistic_regression", "breast_cancer",
    {"penalty": "l1", "C": 0.1, "tol": 1e-9, "max_iter": 1000},
    LogisticRegression(penalty="l1", solver="saga", C=0.1, tol=1e-10, max_iter=100000),
    proba=True)
add("logistic_regression", "iris", {"C": 1.0, "tol": 1e-10, "max_iter": 1000},
    LogisticRegression(C=1.0, solver="newton-cg", tol=1e-10,
                       max_iter=10000), proba=True)
add("logistic_regression", "wine", {"C": 0.1, "tol": 1e-10, "max_iter": 1000},
    LogisticRegression(C=0.1, solver="newton-cg", tol=1e-10,
                       max_iter=10000), proba=True)
add("logistic_regression", "iris", {"C": 1.0, "tol": 1e-10, "max_iter": 1000,
                                    "multi_class": "ovr"},
    LogisticRegression(C=1.0, multi_class="ovr", solver="newton-cg", tol=1e-10,
                       max_iter=10000), proba=True)
add("logistic_regression", "iris", {"penalty": "l1", "C": 1.0, "tol": 1e-9, "max_iter": 1000},
    LogisticRegression(penalty="l1", solver="saga", C=1.0, tol=1e-10, max_iter=100000),
    proba=True)

# SGD: stochastic, so only held-out scores are compared.
for loss, dataset in (("hinge", "breast_cancer"), ("log_loss", "breast_cancer"),
                      ("modified_huber", "iris"), ("hinge", "wine")):
    add("sgd_classifier", dataset, {"loss": loss},
        SGDClassifier(loss=loss, random_state=0))
add("sgd_classifier", "breast_cancer",
    {"loss": "log_loss", "penalty": "elasticnet", "learning_rate": "adaptive", "eta0": 0.01},
    SGDClassifier(loss="log_loss", penalty="elasticnet", learning_rate="adaptive", eta0=0.01,
                  random_state=0))
for loss in ("squared_error", "huber", "epsilon_insensitive"):
    config = {"loss": loss, "eta0": 0.1, "max_iter": 2000}
    extra = {"epsilon": 5.0} if loss != "squared_error" else {}
    config.update(extra)
    add("sgd_regressor", "diabetes", config,
        SGDRegressor(loss=loss, eta0=0.1, max_iter=2000, random_state=0, **extra))

# The warm-started path of the lasso and an elastic net on diabetes (centred as fit_intercept).
xt, yt = DATA["diabetes"][0], DATA["diabetes"][1]
paths = []
for l1_ratio in (1.0, 0.5):
    xc = xt - xt.mean(axis=0)
    yc = yt - yt.mean()
    alphas, coefs, _ = enet_path(xc, yc, l1_ratio=l1_ratio, n_alphas=8, eps=1e-3, tol=1e-12,
                                 max_iter=100000)
    paths.append({"l1_ratio": l1_ratio, "n_alphas": 8, "eps": 1e-3, "alphas": alphas.tolist(),
                  "coefs": coefs.T.tolist(),
                  "intercepts": (yt.mean() - xt.mean(axis=0) @ coefs).tolist()})

OUTPUT.write_text(json.dumps({"datasets": datasets, "cases": cases, "paths": paths}) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
