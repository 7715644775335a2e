#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/gbdt_objectives.json: predictions of XGBoost 1.7.4 (tree_method="hist")
and scikit-learn 1.2.1 (HistGradientBoostingRegressor) on small generated problems, the parity
yardstick for kolosal's gbdt objectives with the same parameters.

Features are integers (at most 30 distinct values each), so every library's bins hold one value
and all place the same thresholds; targets are rounded to float32, XGBoost's label type. Each case
starts from kolosal's base score (passed to XGBoost as base_margin), so the trees can match:

- absolute_error against reg:absoluteerror (sign gradients, leaves the residual medians), with
  learning rate 1: XGBoost 1.7 does not shrink the re-estimated leaves (2.0 does, as kolosal,
  LightGBM and scikit-learn);
- pseudo_huber against reg:pseudohubererror with huber_slope = delta (kolosal's "huber" is the
  true Huber loss, which neither XGBoost 1.7 nor scikit-learn 1.2 offers with a fixed delta);
- poisson against count:poisson (its max_delta_step 0.7 on the hessian and on |leaf|);
- softmax against multi:softprob (hessian 2 p (1 - p));
- quantile (alpha 0.75) against scikit-learn's HistGradientBoostingRegressor(loss="quantile"),
  since reg:quantileerror arrived in XGBoost 2.0 (leaves the lower weighted percentile of the
  residuals: numpy.percentile's linear interpolation without weights).

Run with Debian's interpreter: /usr/bin/python3 scripts/reference/gbdt_objectives_reference.py
"""

import json
import pathlib

import numpy as np
import scipy.optimize
import sklearn
import xgboost as xgb
from sklearn.ensemble import HistGradientBoostingRegressor

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "gbdt_objectives.json"

N_TRAIN, N_TEST, COLS = 300, 100, 4
PARAMS = {"rounds": 20, "eta": 0.3, "max_depth": 3, "lambda": 1.0, "min_child_weight": 1.0,
          "max_bin": 256}
DELTA = 1.5
ALPHA = 0.75


def problem(seed, kind):
    rng = np.random.default_rng(seed)
    n = N_TRAIN + N_TEST
    x = rng.integers(0, 30, size=(n, COLS)).astype(float)
    signal = 0.15 * x[:, 0] - 0.1 * x[:, 1] + np.where(x[:, 2] > 15, 1.0, 0.0)
    if kind == "count":
        y = rng.poisson(np.exp(0.5 * signal)).astype(float)
    elif kind == "classes":
        y = np.digitize(signal + 0.5 * rng.normal(size=n), [0.0, 1.5]).astype(float)
    else:
        y = 3.0 * signal + rng.standard_t(2, size=n)
    y = y.astype(np.float32).astype(float)
    return x, y


def xgb_predict(x, y, params, base, proba=False, eta=PARAMS["eta"]):
    train, test = slice(0, N_TRAIN), slice(N_TRAIN, None)
    k = len(base)
    margin = np.tile(np.asarray(base, dtype=np.float32), (len(y), 1))
    margin = margin[:, 0] if k == 1 else margin
    full = {"tree_method": "hist", "max_depth": PARAMS["max_depth"], "eta": eta,
            "lambda": PARAMS["lambda"], "min_child_weight": PARAMS["min_child_weight"],
            "max_bin": PARAMS["max_bin"], "nthread": 1, "seed": 0, **params}
    dtrain = xgb.DMatrix(x[train], label=y[train], base_margin=margin[train])
    booster = xgb.train(full, dtrain, num_boost_round=PARAMS["rounds"])
    dtest = xgb.DMatrix(x[test], base_margin=margin[test])
    return booster.predict(dtest, output_margin=not proba).astype(float)


cases = []

for offset in (0, 10):  # two datasets per objective
    x, y = problem(1 + offset, "real")
    base = float(np.median(y[:N_TRAIN]))
    pred = xgb_predict(x, y, {"objective": "reg:absoluteerror"}, [base], eta=1.0)
    cases.append({"objective": "absolute_error", "peer": "xgboost reg:absoluteerror", "eta": 1.0,
                  "x": x.tolist(), "y": y.tolist(), "base_score": [base], "pred": pred.tolist()})

    x, y = problem(2 + offset, "real")
    train_y = y[:N_TRAIN]
    def pseudo_huber(c, t=train_y):
        return np.sum(DELTA ** 2 * (np.sqrt(1 + ((c - t) / DELTA) ** 2) - 1))
    base = float(scipy.optimize.minimize_scalar(pseudo_huber,
                                                bounds=(train_y.min(), train_y.max()),
                                                method="bounded", options={"xatol": 1e-10}).x)
    pred = xgb_predict(x, y, {"objective": "reg:pseudohubererror", "huber_slope": DELTA}, [base])
    cases.append({"objective": "pseudo_huber", "peer": "xgboost reg:pseudohubererror",
                  "huber_delta": DELTA, "x": x.tolist(), "y": y.tolist(), "base_score": [base],
                  "pred": pred.tolist()})

    x, y = problem(3 + offset, "count")
    base = float(np.log(np.mean(y[:N_TRAIN])))
    pred = xgb_predict(x, y, {"objective": "count:poisson"}, [base], proba=True)
    cases.append({"objective": "poisson", "peer": "xgboost count:poisson", "x": x.tolist(),
                  "y": y.tolist(), "base_score": [base], "pred": pred.tolist()})

    x, y = problem(4 + offset, "classes")
    prior = np.bincount(y[:N_TRAIN].astype(int), minlength=3) / N_TRAIN
    base = np.log(prior).tolist()
    pred = xgb_predict(x, y, {"objective": "multi:softprob", "num_class": 3}, base, proba=True)
    cases.append({"objective": "softmax", "peer": "xgboost multi:softprob", "x": x.tolist(),
                  "y": y.tolist(), "base_score": base, "pred": pred.ravel().tolist()})

    x, y = problem(5 + offset, "real")
    model = HistGradientBoostingRegressor(
        loss="quantile", quantile=ALPHA, max_iter=PARAMS["rounds"], learning_rate=PARAMS["eta"],
        max_depth=PARAMS["max_depth"], max_leaf_nodes=None, min_samples_leaf=1,
        l2_regularization=PARAMS["lambda"], max_bins=255, early_stopping=False)
    model.fit(x[:N_TRAIN], y[:N_TRAIN])
    base = float(np.percentile(y[:N_TRAIN], 100 * ALPHA))
    cases.append({"objective": "quantile", "peer": "scikit-learn HistGradientBoostingRegressor",
                  "quantile_alpha": ALPHA, "x": x.tolist(), "y": y.tolist(), "base_score": [base],
                  "sklearn_baseline": float(model._baseline_prediction.ravel()[0]),
                  "pred": model.predict(x[N_TRAIN:]).tolist()})

OUTPUT.write_text(json.dumps({"xgboost_version": xgb.__version__,
                              "sklearn_version": sklearn.__version__, "params": PARAMS,
                              "n_train": N_TRAIN, "cases": cases}) + "\n")
for case in cases:
    print(case["objective"], case["base_score"], case["pred"][:4])
