#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/gaussian_process.json: scikit-learn's GaussianProcessRegressor with
kernel C * RBF/Matern (+ WhiteKernel) on a subset of diabetes (the first 120 training rows,
rows i % 4 != 0, and the first 40 held-out rows) and on a 1-D noisy sine.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/gaussian_process_reference.py
"""

import json
import pathlib

import numpy as np
import pandas as pd
from sklearn.gaussian_process import GaussianProcessRegressor
from sklearn.gaussian_process.kernels import RBF, ConstantKernel, Matern, WhiteKernel

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "gaussian_process.json"

frame = pd.read_csv(ROOT / "data" / "diabetes.csv")
x = frame.drop(columns=["progression"]).to_numpy(dtype=float)
y = frame["progression"].to_numpy(dtype=float)
test = np.arange(len(y)) % 4 == 0
diabetes = (x[~test][:120], y[~test][:120], x[test][:40], y[test][:40])

rng = np.random.RandomState(0)
xs = np.round(np.sort(rng.uniform(0, 10, 60)), 6)[:, None]
ys = np.round(np.sin(xs[:, 0]) + rng.normal(0, 0.2, 60), 6)
xq = np.linspace(0, 10, 25)[:, None]
sine = (xs, ys, xq, np.sin(xq[:, 0]))


def kernel(config, d):
    scale = np.ones(d) if config.get("anisotropic") else 1.0
    base = (RBF(scale) if config.get("kernel", "rbf") == "rbf"
            else Matern(scale, nu=config.get("nu", 1.5)))
    k = ConstantKernel(1.0) * base
    if config.get("white_noise", True):
        k = k + WhiteKernel(1.0)
    return k


CASES = [
    ("sine", {}),
    ("sine", {"kernel": "matern", "nu": 0.5}),
    ("sine", {"kernel": "matern", "nu": 2.5, "normalize_y": True}),
    ("diabetes", {"normalize_y": True}),
    ("diabetes", {"kernel": "matern", "nu": 1.5, "normalize_y": True}),
    ("diabetes", {"normalize_y": True, "anisotropic": True}),
    ("sine", {"white_noise": False, "alpha": 0.04}),
]

out = []
for dataset, config in CASES:
    xa, ya, xt, yt = sine if dataset == "sine" else diabetes
    model = GaussianProcessRegressor(kernel=kernel(config, xa.shape[1]),
                                     alpha=config.get("alpha", 1e-10),
                                     normalize_y=config.get("normalize_y", False),
                                     random_state=0).fit(xa, ya)
    mean, std = model.predict(xt, return_std=True)
    out.append({"dataset": dataset, "config": config,
                "log_marginal_likelihood": float(model.log_marginal_likelihood_value_),
                "kernel": str(model.kernel_), "theta": np.exp(model.kernel_.theta).tolist(),
                "predict": mean.tolist(), "std": std.tolist()})

OUTPUT.write_text(json.dumps({"sine": {"x": xs[:, 0].tolist(), "y": ys.tolist(),
                                       "x_query": xq[:, 0].tolist()}, "cases": out}) + "\n")
print(f"wrote {len(out)} cases to {OUTPUT}")
for c in out:
    print(c["dataset"], c["config"], round(c["log_marginal_likelihood"], 4), c["kernel"][:120])
