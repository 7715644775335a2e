#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/metrics.json: inputs and scikit-learn's outputs for kolosal's metrics.

Run with Debian's interpreter, which has scikit-learn 1.2.1:

    /usr/bin/python3 scripts/reference/metrics_reference.py

Every case is deterministic (numpy's legacy RandomState with fixed seeds), so re-running the
script reproduces the committed file byte for byte for the same scikit-learn and numpy versions.
Layout: "arrays" holds every distinct input array once (an id -> list of numbers, a matrix as a
list of rows); each case holds the metric name (kolosal's function), its inputs as
{role: array id}, its keyword parameters and scikit-learn's value (a number, or rows for a
confusion matrix). tests/metrics/reference_test.cpp replays them. Non-finite values are written
as the strings "nan", "inf" and "-inf".
"""

import json
import math
import pathlib
import warnings

import numpy as np
import sklearn
from sklearn import metrics as skm

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "metrics.json"

cases = []
arrays = {}  # JSON text of an array -> its id


def array_id(values):
    data = np.asarray(values).tolist()
    key = json.dumps(data)
    if key not in arrays:
        arrays[key] = f"a{len(arrays)}"
    return arrays[key]


def number(value):
    """A finite float, or the strings "nan", "inf", "-inf", which JSON cannot hold as numbers."""
    value = float(value)
    return value if math.isfinite(value) else str(value)


def add(name, metric, expected, **inputs_and_params):
    """Records one case; array inputs are y_true, y_pred, y_score, y_proba, sample_weight."""
    inputs = {}
    params = {}
    for key, value in inputs_and_params.items():
        if value is None:
            continue
        if key in ("y_true", "y_pred", "y_score", "y_prob", "y_proba", "sample_weight", "y1", "y2"):
            inputs[key] = array_id(value)
        else:
            params[key] = value.tolist() if isinstance(value, np.ndarray) else value
    if isinstance(expected, np.ndarray) and expected.ndim == 2:
        expected = [[number(v) for v in row] for row in expected]
    else:
        expected = number(expected)
    cases.append({"name": name, "metric": metric, "inputs": inputs, "params": params,
                  "expected": expected})


def softmax(logits):
    z = np.exp(logits - logits.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


# ---------------------------------------------------------------------------- label metrics

def label_cases(tag, y_true, y_pred, sample_weight=None, labels_for_average=None, compact=False):
    """All label metrics; `compact` skips the F-beta and zero_division=1 variants."""
    sw = sample_weight
    add(f"{tag}/accuracy", "accuracy", skm.accuracy_score(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    for adjusted in (False, True):
        add(f"{tag}/balanced_accuracy adjusted={adjusted}", "balanced_accuracy",
            skm.balanced_accuracy_score(y_true, y_pred, sample_weight=sw, adjusted=adjusted),
            y_true=y_true, y_pred=y_pred, sample_weight=sw, adjusted=adjusted)
    present = np.unique(np.concatenate([y_true, y_pred]))
    averages = ["micro", "macro", "weighted"]
    if len(present) <= 2:
        averages.insert(0, "binary")
    for average in averages:
        pos_labels = [1]
        if average == "binary":
            # Each present label in turn; with a single present label also 1 (absent: scores
            # fall to zero_division).
            pos_labels = sorted({int(p) for p in present} | ({1} if len(present) < 2 else set()))
        for pos_label in pos_labels:
            for zero_division in ("warn",) if compact else ("warn", 1):
                kwargs = dict(average=average, pos_label=pos_label, zero_division=zero_division,
                              sample_weight=sw)
                suffix = f"average={average} pos_label={pos_label} zero_division={zero_division}"
                add(f"{tag}/precision {suffix}", "precision",
                    skm.precision_score(y_true, y_pred, **kwargs),
                    y_true=y_true, y_pred=y_pred, sample_weight=sw, average=average,
                    pos_label=pos_label, zero_division=zero_division)
                add(f"{tag}/recall {suffix}", "recall", skm.recall_score(y_true, y_pred, **kwargs),
                    y_true=y_true, y_pred=y_pred, sample_weight=sw, average=average,
                    pos_label=pos_label, zero_division=zero_division)
                add(f"{tag}/f1 {suffix}", "f1", skm.f1_score(y_true, y_pred, **kwargs),
                    y_true=y_true, y_pred=y_pred, sample_weight=sw, average=average,
                    pos_label=pos_label, zero_division=zero_division)
                for beta in () if compact else (0.5, 2.0):
                    add(f"{tag}/fbeta beta={beta} {suffix}", "fbeta",
                        skm.fbeta_score(y_true, y_pred, beta=beta, **kwargs),
                        y_true=y_true, y_pred=y_pred, sample_weight=sw, average=average,
                        pos_label=pos_label, zero_division=zero_division, beta=beta)
    if labels_for_average is not None:
        for average in ("micro", "macro", "weighted"):
            for zero_division in ("warn", 1):
                kwargs = dict(average=average, labels=labels_for_average,
                              zero_division=zero_division, sample_weight=sw)
                suffix = f"average={average} labels={labels_for_average} zd={zero_division}"
                for metric, fn in (("precision", skm.precision_score),
                                   ("recall", skm.recall_score), ("f1", skm.f1_score)):
                    add(f"{tag}/{metric} {suffix}", metric, fn(y_true, y_pred, **kwargs),
                        y_true=y_true, y_pred=y_pred, sample_weight=sw, average=average,
                        labels=labels_for_average, zero_division=zero_division)
    add(f"{tag}/matthews_corrcoef", "matthews_corrcoef",
        skm.matthews_corrcoef(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    for weights in (None, "linear", "quadratic"):
        add(f"{tag}/cohen_kappa weights={weights}", "cohen_kappa",
            skm.cohen_kappa_score(y_true, y_pred, weights=weights, sample_weight=sw),
            y1=y_true, y2=y_pred, sample_weight=sw, weights=weights)
    for normalize in (None, "true", "pred", "all"):
        add(f"{tag}/confusion_matrix normalize={normalize}", "confusion_matrix",
            skm.confusion_matrix(y_true, y_pred, sample_weight=sw, normalize=normalize)
            .astype(np.float64),
            y_true=y_true, y_pred=y_pred, sample_weight=sw, normalize=normalize)
    if labels_for_average is not None:
        order = list(reversed(labels_for_average))
        add(f"{tag}/confusion_matrix labels={order}", "confusion_matrix",
            skm.confusion_matrix(y_true, y_pred, sample_weight=sw, labels=order)
            .astype(np.float64),
            y_true=y_true, y_pred=y_pred, sample_weight=sw, labels=order)
        add(f"{tag}/cohen_kappa quadratic labels={order}", "cohen_kappa",
            skm.cohen_kappa_score(y_true, y_pred, weights="quadratic", labels=order,
                                  sample_weight=sw),
            y1=y_true, y2=y_pred, sample_weight=sw, weights="quadratic", labels=order)


def ranking_cases(tag, y_true, y_score, sample_weight=None, pos_label=1):
    sw = sample_weight
    add(f"{tag}/roc_auc", "roc_auc", skm.roc_auc_score(y_true, y_score, sample_weight=sw),
        y_true=y_true, y_score=y_score, sample_weight=sw)
    add(f"{tag}/average_precision", "average_precision",
        skm.average_precision_score(y_true, y_score, pos_label=pos_label, sample_weight=sw),
        y_true=y_true, y_score=y_score, sample_weight=sw, pos_label=pos_label)


def probability_cases(tag, y_true, y_proba, sample_weight=None, eps="auto"):
    sw = sample_weight
    k = y_proba.shape[1]
    for normalize in (True, False):
        add(f"{tag}/log_loss normalize={normalize} eps={eps}", "log_loss",
            skm.log_loss(y_true, y_proba, eps=eps, normalize=normalize, sample_weight=sw,
                         labels=list(range(k))),
            y_true=y_true, y_proba=y_proba, sample_weight=sw, normalize=normalize,
            eps=None if eps == "auto" else eps)
    if k > 2 and len(np.unique(y_true)) == k and np.allclose(1, y_proba.sum(axis=1)):
        for average in ("macro", "weighted", "micro"):
            add(f"{tag}/roc_auc_ovr average={average}", "roc_auc_ovr",
                skm.roc_auc_score(y_true, y_proba, multi_class="ovr", average=average,
                                  sample_weight=sw),
                y_true=y_true, y_proba=y_proba, sample_weight=sw, average=average)


def binary_probability_cases(tag, y_true, p, sample_weight=None, pos_label=None):
    sw = sample_weight
    add(f"{tag}/brier_score_loss pos_label={pos_label}", "brier_score_loss",
        skm.brier_score_loss(y_true, p, sample_weight=sw, pos_label=pos_label),
        y_true=y_true, y_prob=p, sample_weight=sw, pos_label=pos_label)
    if set(np.unique(y_true)) <= {0, 1}:
        add(f"{tag}/log_loss binary", "log_loss_binary",
            skm.log_loss(y_true, p, sample_weight=sw, labels=[0, 1]),
            y_true=y_true, y_proba=p, sample_weight=sw)


def classification():
    rng = np.random.RandomState(20240601)

    # Binary with many tied scores (one decimal) and some misclassifications.
    n = 40
    y = rng.randint(0, 2, n)
    score = np.round(np.clip(0.3 * y + rng.uniform(0, 0.7, n), 0, 1), 1)
    pred = (score >= 0.5).astype(int)
    w = np.round(rng.uniform(0.1, 3.0, n), 3)
    w[[3, 17]] = 0.0
    label_cases("binary_ties", y, pred)
    label_cases("binary_ties_weighted", y, pred, w)
    ranking_cases("binary_ties", y, score)
    ranking_cases("binary_ties_weighted", y, score, w)
    binary_probability_cases("binary_ties", y, score)
    binary_probability_cases("binary_ties_weighted", y, score, w)
    ranking_cases("binary_ties_pos0", y, 1.0 - score, pos_label=0)

    # Binary {-1, 1} labels with continuous scores.
    y_pm = np.where(rng.uniform(size=30) < 0.4, 1, -1)
    s_pm = rng.normal(size=30) + 0.8 * y_pm
    label_cases("binary_pm1", y_pm, np.where(s_pm > 0, 1, -1))
    ranking_cases("binary_pm1", y_pm, s_pm)
    binary_probability_cases("binary_pm1", y_pm, 1 / (1 + np.exp(-s_pm)))

    # Binary with labels {3, 7}: brier's default positive is the larger label.
    y_37 = np.where(rng.uniform(size=25) < 0.5, 7, 3)
    p_37 = np.clip(0.5 + 0.3 * (y_37 == 7) + rng.normal(scale=0.2, size=25), 0, 1)
    binary_probability_cases("binary_37", y_37, p_37)
    binary_probability_cases("binary_37", y_37, p_37, pos_label=3)
    label_cases("binary_37", y_37, np.where(p_37 > 0.5, 7, 3))

    # Imbalanced binary: 6 positives in 80, weighted.
    y_imb = np.zeros(80, dtype=int)
    y_imb[rng.choice(80, 6, replace=False)] = 1
    s_imb = rng.uniform(size=80) + 0.4 * y_imb
    w_imb = rng.uniform(0.5, 2.0, 80)
    label_cases("imbalanced", y_imb, (s_imb > 0.8).astype(int), w_imb)
    ranking_cases("imbalanced", y_imb, s_imb)
    ranking_cases("imbalanced_weighted", y_imb, s_imb, w_imb)
    binary_probability_cases("imbalanced", y_imb, np.clip(s_imb, 0, 1), w_imb)

    # Multiclass, 3 classes, probabilities from a softmax.
    n = 60
    y3 = rng.randint(0, 3, n)
    logits = rng.normal(size=(n, 3))
    logits[np.arange(n), y3] += 1.0
    proba3 = softmax(logits)
    pred3 = proba3.argmax(axis=1)
    w3 = np.round(rng.uniform(0.0, 2.0, n), 2)
    label_cases("multiclass3", y3, pred3, labels_for_average=[0, 2, 5])
    label_cases("multiclass3_weighted", y3, pred3, w3, labels_for_average=[2, 1])
    probability_cases("multiclass3", y3, proba3)
    probability_cases("multiclass3_weighted", y3, proba3, w3)
    # Ties across classes: probabilities rounded to one decimal then renormalised exactly.
    tied = np.floor(proba3 * 10) / 10
    tied[:, 2] = 1.0 - tied[:, 0] - tied[:, 1]
    probability_cases("multiclass3_ties", y3, tied)

    # Multiclass, 4 classes, imbalanced, with non-consecutive label values for label metrics.
    n = 70
    y4 = rng.choice(4, n, p=[0.55, 0.25, 0.15, 0.05])
    y4[:4] = [0, 1, 2, 3]
    logits = rng.normal(size=(n, 4))
    logits[np.arange(n), y4] += 1.5
    proba4 = softmax(logits)
    pred4 = proba4.argmax(axis=1)
    w4 = rng.uniform(0.2, 5.0, n)
    probability_cases("multiclass4", y4, proba4)
    probability_cases("multiclass4_weighted", y4, proba4, w4)
    values = np.array([2, 5, 9, 11])
    label_cases("multiclass4_values", values[y4], values[pred4], w4,
                labels_for_average=[11, 5, 4])
    # Unnormalised rows and exact zeros/ones: log_loss clips and renormalises.
    rough = proba4 * rng.uniform(0.8, 1.2, size=(n, 1))
    rough[0] = [0.0, 1.0, 0.0, 0.0]
    rough[1] = [1.0, 0.0, 0.0, 0.0]
    probability_cases("multiclass4_unnormalised", y4, rough)
    probability_cases("multiclass4_unnormalised", y4, rough, eps=1e-7)

    # Perfect predictions.
    label_cases("perfect_binary", y, y)
    label_cases("perfect_multiclass", y3, y3)
    ranking_cases("perfect_binary", y, y.astype(float))
    probability_cases("perfect_multiclass", y3, np.eye(3)[y3])
    binary_probability_cases("perfect_binary", y, y.astype(float))

    # zero_division: class 2 is never predicted, class 3 only predicted.
    y_zd = np.array([0, 1, 2, 2, 0, 1, 1, 0, 2, 0])
    p_zd = np.array([0, 1, 1, 0, 0, 3, 1, 0, 1, 3])
    label_cases("zero_division", y_zd, p_zd, labels_for_average=[2, 4])
    # Binary where the positive class is never predicted nor present.
    label_cases("zero_division_all_negative", np.zeros(6, dtype=int), np.zeros(6, dtype=int))
    label_cases("zero_division_no_positive_pred", np.array([0, 1, 1, 0]), np.zeros(4, dtype=int))
    ranking_cases("sklearn_doc_example", np.array([0, 0, 1, 1]), np.array([0.1, 0.4, 0.35, 0.8]))
    add("all_negative/average_precision", "average_precision",
        skm.average_precision_score(np.zeros(5, dtype=int), np.array([0.1, 0.2, 0.2, 0.5, 0.9])),
        y_true=np.zeros(5, dtype=int), y_score=np.array([0.1, 0.2, 0.2, 0.5, 0.9]), pos_label=1)
    # All scores tied: AUC 0.5.
    ranking_cases("all_tied", np.array([0, 1, 0, 1, 1]), np.full(5, 0.3))
    # One class and an agreeing rater: kappa is NaN; MCC 0.
    add("single_class/cohen_kappa", "cohen_kappa",
        skm.cohen_kappa_score([1, 1, 1], [1, 1, 1]), y1=[1, 1, 1], y2=[1, 1, 1])
    add("single_class/matthews_corrcoef", "matthews_corrcoef",
        skm.matthews_corrcoef([1, 1, 1], [1, 1, 1]), y_true=[1, 1, 1], y_pred=[1, 1, 1])


def small_random_cases():
    """Tiny tie-heavy problems with integer scores and weights (some zero): the cases where
    threshold handling, zero weights and empty classes matter most."""
    rng = np.random.RandomState(99)
    for i in range(16):
        n = rng.randint(4, 16)
        y = rng.randint(0, 2, n)
        y[:2] = [0, 1]
        score = rng.randint(0, 4, n).astype(float)
        w = rng.randint(0, 4, n).astype(float)
        w[:2] = [1.0, 2.0]
        tag = f"small{i}"
        label_cases(tag, y, (score >= 2).astype(int), w if i % 2 else None, compact=True)
        ranking_cases(tag, y, score, w if i % 2 else None)
        ranking_cases(f"{tag}_pos0", y, score, w if i % 2 else None, pos_label=0)
        binary_probability_cases(tag, y, score / 3.0, w if i % 2 else None)
        y3 = rng.randint(0, 3, n)
        y3[:3] = [0, 1, 2]
        proba = softmax(rng.randint(0, 3, size=(n, 3)).astype(float))
        label_cases(f"{tag}_multiclass", y3, proba.argmax(axis=1), w if i % 2 else None,
                    compact=True)
        probability_cases(f"{tag}_multiclass", y3, proba, w if i % 2 else None)
        regression_cases(f"{tag}_regression", rng.randint(0, 5, n).astype(float),
                         rng.randint(0, 5, n).astype(float), w if i % 2 else None)


# ---------------------------------------------------------------------------- regression

def regression_cases(tag, y_true, y_pred, sample_weight=None):
    sw = sample_weight
    add(f"{tag}/mean_squared_error", "mean_squared_error",
        skm.mean_squared_error(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    add(f"{tag}/root_mean_squared_error", "root_mean_squared_error",
        skm.mean_squared_error(y_true, y_pred, sample_weight=sw, squared=False),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    add(f"{tag}/mean_absolute_error", "mean_absolute_error",
        skm.mean_absolute_error(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    add(f"{tag}/mean_absolute_percentage_error", "mean_absolute_percentage_error",
        skm.mean_absolute_percentage_error(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    add(f"{tag}/median_absolute_error", "median_absolute_error",
        skm.median_absolute_error(y_true, y_pred, sample_weight=sw),
        y_true=y_true, y_pred=y_pred, sample_weight=sw)
    for force_finite in (True, False):
        add(f"{tag}/r2 force_finite={force_finite}", "r2",
            skm.r2_score(y_true, y_pred, sample_weight=sw, force_finite=force_finite),
            y_true=y_true, y_pred=y_pred, sample_weight=sw, force_finite=force_finite)
        add(f"{tag}/explained_variance force_finite={force_finite}", "explained_variance",
            skm.explained_variance_score(y_true, y_pred, sample_weight=sw,
                                         force_finite=force_finite),
            y_true=y_true, y_pred=y_pred, sample_weight=sw, force_finite=force_finite)


def regression():
    rng = np.random.RandomState(7)
    n = 50
    y = rng.normal(10.0, 3.0, n)
    pred = y + rng.normal(0.5, 1.5, n)
    w = rng.uniform(0.0, 4.0, n)
    regression_cases("gaussian", y, pred)
    regression_cases("gaussian_weighted", y, pred, w)
    regression_cases("gaussian_odd", y[:49], pred[:49])
    # Integer-valued errors with ties and integer weights: the weighted median hits a tie and an
    # exact half of the cumulative weight.
    y_int = np.array([3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0])
    p_int = np.array([2.0, 1.0, 6.0, 3.0, 5.0, 7.0, 1.0, 6.0])
    regression_cases("ties", y_int, p_int)
    regression_cases("ties_weighted", y_int, p_int, np.array([1.0, 2.0, 1.0, 0.0, 3.0, 1.0, 1.0, 1.0]))
    # Zeros in y_true: MAPE divides by machine epsilon.
    y_zero = np.array([0.0, 1.0, -2.0, 0.0, 3.5])
    p_zero = np.array([0.1, 1.1, -1.5, 0.0, 3.0])
    regression_cases("zeros", y_zero, p_zero)
    # Constant y_true: R² and explained variance fall back to 1 (perfect) or 0.
    regression_cases("constant_imperfect", np.full(6, 2.5), np.array([2.5, 2.0, 3.0, 2.5, 2.5, 1.0]))
    regression_cases("constant_perfect", np.full(4, -1.0), np.full(4, -1.0))
    # Perfect predictions; offset predictions (explained variance 1, R² below 1).
    regression_cases("perfect", y, y)
    regression_cases("offset", y, y + 2.0)
    # Large magnitudes.
    regression_cases("large", 1e6 + y * 1e3, 1e6 + pred * 1e3, w)
    # One sample: R² is NaN.
    regression_cases("single", np.array([1.5]), np.array([2.0]))


def main():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classification()
        regression()
        small_random_cases()
    document = {
        "generator": "scripts/reference/metrics_reference.py",
        "sklearn_version": sklearn.__version__,
        "numpy_version": np.__version__,
        "arrays": {},
        "cases": [],
    }
    # One array or case per line keeps the file compact yet reviewable in diffs.
    lines = ["{"]
    for key in ("generator", "sklearn_version", "numpy_version"):
        lines.append(f" {json.dumps(key)}: {json.dumps(document[key])},")
    lines.append(' "arrays": {')
    items = [f"  {json.dumps(i)}: {text}" for text, i in arrays.items()]
    lines.append(",\n".join(items))
    lines.append(" },")
    lines.append(' "cases": [')
    lines.append(",\n".join("  " + json.dumps(case) for case in cases))
    lines.append(" ]")
    lines.append("}")
    OUTPUT.parent.mkdir(parents=True, exist_ok=True)
    OUTPUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(cases)} cases to {OUTPUT}")


if __name__ == "__main__":
    main()
