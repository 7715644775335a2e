#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/ensemble.json: scikit-learn's stacking and voting regressors.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/ensemble_reference.py

diabetes.csv in file order: the first 300 rows train, the rest test. Members are closed-form
linear models, so kolosal must agree to rounding: the folds are scikit-learn's unshuffled KFold,
which kolosal's k_fold reproduces.
"""

import json
import pathlib

import pandas as pd
from sklearn.ensemble import StackingRegressor, VotingRegressor
from sklearn.linear_model import LinearRegression, Ridge
from sklearn.model_selection import KFold

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "ensemble.json"
N_TRAIN = 300


def main():
    frame = pd.read_csv(ROOT / "data" / "diabetes.csv")
    x = frame.drop(columns=["progression"]).to_numpy(dtype=float)
    y = frame["progression"].to_numpy(dtype=float)
    x_train, y_train, x_test = x[:N_TRAIN], y[:N_TRAIN], x[N_TRAIN:]
    members = [("ridge1", Ridge(alpha=1.0)), ("ridge100", Ridge(alpha=100.0)),
               ("ols", LinearRegression())]
    out = {"n_train": N_TRAIN}
    for passthrough in (False, True):
        model = StackingRegressor(estimators=members, final_estimator=Ridge(alpha=0.5),
                                  cv=KFold(5), passthrough=passthrough)
        model.fit(x_train, y_train)
        key = "stacking_passthrough" if passthrough else "stacking"
        out[key] = {"predictions": model.predict(x_test).tolist(),
                    "final_coef": model.final_estimator_.coef_.tolist(),
                    "final_intercept": float(model.final_estimator_.intercept_)}
    voting = VotingRegressor(estimators=members, weights=[1.0, 2.0, 3.0]).fit(x_train, y_train)
    out["voting"] = {"predictions": voting.predict(x_test).tolist()}
    OUTPUT.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
