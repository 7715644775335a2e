#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Writes tests/reference/preprocessing.json: scikit-learn's scalers, encoders, imputers and a
column-transformer pipeline on small mixed data, for kolosal's transform-layer parity tests.

Run with Debian's interpreter (scikit-learn 1.2.1): /usr/bin/python3 scripts/reference/preprocessing_reference.py
NaN is written as null. scikit-learn 1.2 has no TargetEncoder, so target encoding is computed
here with numpy by scikit-learn 1.3's published formula (empirical-Bayes or m-smoothing,
KFold(5) cross-fitting without shuffling).
"""

import json
import math
import pathlib

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_selection import SelectKBest, VarianceThreshold, chi2, f_classif, f_regression
from sklearn.feature_extraction import FeatureHasher
from sklearn.feature_extraction.text import HashingVectorizer, TfidfVectorizer
from sklearn.experimental import enable_iterative_imputer  # noqa: F401
from sklearn.impute import IterativeImputer, KNNImputer, MissingIndicator, SimpleImputer
from sklearn.model_selection import KFold
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import (KBinsDiscretizer, MaxAbsScaler, MinMaxScaler, Normalizer, OneHotEncoder,
                                   OrdinalEncoder, PolynomialFeatures, PowerTransformer, QuantileTransformer,
                                   RobustScaler, StandardScaler)

ROOT = pathlib.Path(__file__).resolve().parents[2]
OUTPUT = ROOT / "tests" / "reference" / "preprocessing.json"


def clean(value):
    """Recursively converts numpy values to JSON, NaN to null."""
    if isinstance(value, dict):
        return {k: clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return clean(value.tolist())
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    return value


rng = np.random.RandomState(7)
N_TRAIN, N_TEST = 40, 12

# Numeric data: a normal column, a skewed positive column and one with negatives; NaN sprinkled.
def numeric(n):
    return np.column_stack([np.round(rng.normal(5.0, 2.0, n), 4),
                            np.round(rng.lognormal(0.5, 0.8, n), 4),
                            np.round(rng.normal(0.0, 3.0, n), 4)])

x_train = numeric(N_TRAIN)
x_test = numeric(N_TEST)
x_test[0] = [-20.0, 50.0, 30.0]  # beyond the fitted range
x_nan_train = x_train.copy()
x_nan_train[[1, 5, 17], 0] = np.nan
x_nan_train[[3, 5, 30], 2] = np.nan
x_nan_test = x_test.copy()
x_nan_test[[2, 4], 0] = np.nan
x_nan_test[[4, 7], 1] = np.nan
num_names = ["a", "b", "c"]

cases = []


def add(kind, config, model, train, test, **extra):
    fitted = model.fit(train)
    cases.append(dict(kind=kind, config=config, train=train.tolist(),
                      fit_out=fitted.transform(train), test=test.tolist(),
                      test_out=fitted.transform(test), **extra))


add("standard_scaler", {}, StandardScaler(), x_nan_train, x_nan_test)
add("standard_scaler", {"with_mean": False}, StandardScaler(with_mean=False), x_train, x_test)
add("min_max_scaler", {"feature_min": -1.0, "feature_max": 2.0},
    MinMaxScaler(feature_range=(-1.0, 2.0)), x_nan_train, x_nan_test)
add("min_max_scaler", {"clip": True}, MinMaxScaler(clip=True), x_train, x_test)
add("robust_scaler", {}, RobustScaler(), x_nan_train, x_nan_test)
add("robust_scaler", {"quantile_low": 10.0, "quantile_high": 90.0, "with_centering": False},
    RobustScaler(quantile_range=(10.0, 90.0), with_centering=False), x_train, x_test)
add("max_abs_scaler", {}, MaxAbsScaler(), x_nan_train, x_nan_test)
for norm in ("l1", "l2", "max"):
    add("normalizer", {"norm": norm}, Normalizer(norm=norm), x_train, x_test)
add("power_transformer", {}, PowerTransformer(), x_nan_train, x_nan_test)
add("power_transformer", {"standardize": False}, PowerTransformer(standardize=False), x_train,
    x_test)
pos_train, pos_test = np.abs(x_train) + 0.1, np.abs(x_test) + 0.1
add("power_transformer", {"method": "box-cox"}, PowerTransformer(method="box-cox"), pos_train,
    pos_test)
add("quantile_transformer", {"n_quantiles": 10},
    QuantileTransformer(n_quantiles=10), x_nan_train, x_nan_test)
add("quantile_transformer", {"n_quantiles": 25, "output_distribution": "normal"},
    QuantileTransformer(n_quantiles=25, output_distribution="normal"), x_train, x_test)
log_train, log_test = np.abs(x_nan_train), np.abs(x_nan_test)
cases.append(dict(kind="log1p_transformer", config={}, train=log_train.tolist(),
                  fit_out=np.log1p(log_train), test=log_test.tolist(),
                  test_out=np.log1p(log_test)))
add("simple_imputer", {"strategy": "mean"}, SimpleImputer(strategy="mean"), x_nan_train,
    x_nan_test)
add("simple_imputer", {"strategy": "median"}, SimpleImputer(strategy="median"), x_nan_train,
    x_nan_test)
rounded_train = np.round(x_nan_train)
add("simple_imputer", {"strategy": "most_frequent"}, SimpleImputer(strategy="most_frequent"),
    rounded_train, np.round(x_nan_test))
add("simple_imputer", {"strategy": "constant", "fill_value": -7.5, "add_indicator": True},
    SimpleImputer(strategy="constant", fill_value=-7.5, add_indicator=True), x_nan_train,
    x_nan_test)
add("knn_imputer", {"n_neighbors": 3}, KNNImputer(n_neighbors=3), x_nan_train, x_nan_test)
add("knn_imputer", {"n_neighbors": 4, "weights": "distance"},
    KNNImputer(n_neighbors=4, weights="distance"), x_nan_train, x_nan_test)
add("iterative_imputer", {}, IterativeImputer(), x_nan_train, x_nan_test)
add("iterative_imputer", {"initial_strategy": "median", "max_iter": 3},
    IterativeImputer(initial_strategy="median", max_iter=3), x_nan_train, x_nan_test)
indicator_test = x_nan_test.copy()
indicator_test[:, 1] = x_test[:, 1]  # column b: no missing values at fit, so none allowed here
cases.append(dict(kind="missing_indicator", config={"keep_input": False}, train=x_nan_train.tolist(),
                  fit_out=MissingIndicator().fit(x_nan_train).transform(x_nan_train).astype(float),
                  test=indicator_test.tolist(),
                  test_out=MissingIndicator().fit(x_nan_train).transform(indicator_test).astype(float)))

# Feature engineering and selection.
poly = PolynomialFeatures(degree=2, include_bias=False).fit(x_train)
add("polynomial_features", {}, poly, x_train, x_test,
    names=poly.get_feature_names_out(num_names).tolist())
poly3 = PolynomialFeatures(degree=3, interaction_only=True, include_bias=True).fit(x_train)
add("polynomial_features", {"degree": 3, "interaction_only": True, "include_bias": True}, poly3,
    x_train, x_test, names=poly3.get_feature_names_out(num_names).tolist())
for strategy in ("uniform", "quantile", "kmeans"):
    add("binning", {"n_bins": 4, "strategy": strategy},
        KBinsDiscretizer(n_bins=4, strategy=strategy, encode="ordinal"), x_train, x_test)
ties_train = np.round(x_train / 2.0)  # repeated values: quantile edges merge
add("binning", {"n_bins": 6, "strategy": "quantile"},
    KBinsDiscretizer(n_bins=6, strategy="quantile", encode="ordinal"), ties_train, np.round(x_test / 2.0))


def outlier_reference(train, test, method, factor, flag):
    lower, upper = [], []
    for j in range(train.shape[1]):
        col = train[:, j][~np.isnan(train[:, j])]
        if method == "iqr":
            q1, q3 = np.percentile(col, [25, 75])
            lower.append(q1 - factor * (q3 - q1))
            upper.append(q3 + factor * (q3 - q1))
        else:
            lower.append(col.mean() - factor * col.std())
            upper.append(col.mean() + factor * col.std())
    def apply(x):
        if not flag:
            return np.clip(x, lower, upper)
        out = []
        for j in range(x.shape[1]):
            out.append(x[:, j])
            out.append(np.where(np.isnan(x[:, j]), 0.0,
                                ((x[:, j] < lower[j]) | (x[:, j] > upper[j])).astype(float)))
        return np.column_stack(out)
    return apply(train), apply(test)


for method, factor, flag in (("iqr", 1.5, False), ("zscore", 1.2, True)):
    fit_out, test_out = outlier_reference(x_nan_train, x_nan_test, method, factor, flag)
    cases.append(dict(kind="outlier_clipper",
                      config={"method": method, "factor": factor,
                              "action": "flag" if flag else "clip"},
                      train=x_nan_train, test=x_nan_test, fit_out=fit_out, test_out=test_out))

wide_train = np.column_stack([x_train, np.full(N_TRAIN, 3.0), x_train[:, 0] * 2.0 + 0.01 * x_train[:, 1]])
wide_test = np.column_stack([x_test, np.full(N_TEST, 3.0), x_test[:, 0] * 2.0 + 0.01 * x_test[:, 1]])
wide_names = num_names + ["d", "e"]
for threshold in (0.0, 4.0):
    selector = VarianceThreshold(threshold=threshold).fit(wide_train)
    add("variance_threshold", {"threshold": threshold}, selector, wide_train, wide_test,
        input_names=wide_names,
        names=[n for n, keep in zip(wide_names, selector.get_support()) if keep])
corr = np.corrcoef(wide_train[:, [0, 1, 2, 4]].T)
keep = []
for j in range(4):
    if all(abs(corr[j, k]) <= 0.9 for k in keep):
        keep.append(j)
columns = [[0, 1, 2, 4][j] for j in keep]
cases.append(dict(kind="correlation_filter", config={"columns": ["a", "b", "c", "e"], "threshold": 0.9},
                  train=wide_train, test=wide_test, fit_out=wide_train[:, [*columns, 3]],
                  test_out=wide_test[:, [*columns, 3]], input_names=wide_names,
                  names=[wide_names[c] for c in columns] + ["d"]))
y_class = (x_train[:, 0] + rng.normal(0, 1, N_TRAIN) > 5.0).astype(float) + (x_train[:, 2] > 2).astype(float)
y_value = 3.0 * x_train[:, 2] + rng.normal(0, 1, N_TRAIN)
for score, func, k, train, test, y in (("f_classif", f_classif, 2, x_train, x_test, y_class),
                                       ("f_regression", f_regression, 1, x_train, x_test, y_value),
                                       ("chi2", chi2, 2, pos_train, pos_test, y_class)):
    selector = SelectKBest(func, k=k).fit(train, y)
    cases.append(dict(kind="select_k_best", config={"score_func": score, "k": k}, train=train,
                      test=test, y=y, fit_out=selector.transform(train),
                      test_out=selector.transform(test), scores=selector.scores_,
                      names=[n for n, keep in zip(num_names, selector.get_support()) if keep]))

# Datetime parts by pandas.
stamps = pd.to_datetime(rng.randint(-2_000_000_000, 4_000_000_000, 25), unit="s")
dt = pd.Series(stamps)
datetime_case = dict(micros=(stamps.asi8 // 1000).tolist(),
                     parts={"year": dt.dt.year, "month": dt.dt.month, "day": dt.dt.day,
                            "day_of_week": dt.dt.dayofweek, "day_of_year": dt.dt.dayofyear,
                            "hour": dt.dt.hour, "minute": dt.dt.minute, "second": dt.dt.second,
                            "month_sin": np.sin(2 * np.pi * (dt.dt.month - 1) / 12),
                            "day_of_week_cos": np.cos(2 * np.pi * dt.dt.dayofweek / 7),
                            "hour_sin": np.sin(2 * np.pi * (dt.dt.hour + dt.dt.minute / 60) / 24)})
datetime_case["parts"] = {k: np.asarray(v, dtype=float) for k, v in datetime_case["parts"].items()}

# Text features.
corpus = ["The quick brown fox jumps over the lazy dog.",
          "Never jump over the lazy dog quickly!",
          "A quick brown dog outpaces a quick fox",
          "Lazy days; lazy dogs, lazy foxes.",
          "brown_bear and brown-dog: 42 bears",
          "The dog sleeps", "Foxes and dogs and bears, oh my", "quick quick quick",
          "", "jump jump JUMP over the moon", "The fox, the dog and the bear",
          "Moon over Miami"]
text_test = ["the quick unicorn", "", "zebra crossing", "lazy lazy fox fox dog",
             "OVER the MOON and over the dog"]
text_cases = []
for config, model in (({}, TfidfVectorizer()),
                      ({"ngram_max": 2, "min_df": 2.0, "sublinear_tf": True},
                       TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True)),
                      ({"max_df": 0.3, "norm": "l1", "smooth_idf": False},
                       TfidfVectorizer(max_df=0.3, norm="l1", smooth_idf=False)),
                      ({"min_df": 0.1, "use_idf": False, "lowercase": False},
                       TfidfVectorizer(min_df=0.1, use_idf=False, lowercase=False))):
    model.fit(corpus)
    text_cases.append(dict(kind="tfidf_vectorizer", config=config,
                           fit_out=model.transform(corpus).toarray(),
                           test_out=model.transform(text_test).toarray(),
                           names=["doc_" + t for t in model.get_feature_names_out()]))
for config, model in (({"n_features": 16}, HashingVectorizer(n_features=16)),
                      ({"n_features": 8, "ngram_max": 2, "alternate_sign": False, "norm": "none"},
                       HashingVectorizer(n_features=8, ngram_range=(1, 2), alternate_sign=False,
                                         norm=None))):
    text_cases.append(dict(kind="hashing_vectorizer", config=config,
                           fit_out=model.transform(corpus).toarray(),
                           test_out=model.transform(text_test).toarray()))
text_case = dict(train=corpus, test=text_test, cases=text_cases)

# Categorical data: two columns with skewed frequencies, missing values, and unseen test labels.
colors = np.array(["red", "green", "blue", "amber", "violet"], dtype=object)
sizes = np.array(["S", "M", "L"], dtype=object)
def categorical(n, p_color, unseen=False):
    c = rng.choice(colors, size=n, p=p_color).astype(object)
    s = rng.choice(sizes, size=n).astype(object)
    c[rng.rand(n) < 0.1] = np.nan
    if unseen:
        c[1] = "black"
        s[3] = "XL"
    return np.column_stack([c, s])

cat_train = categorical(60, [0.4, 0.3, 0.15, 0.1, 0.05])
cat_test = categorical(15, [0.4, 0.3, 0.15, 0.1, 0.05])
cat_unseen = categorical(15, [0.4, 0.3, 0.15, 0.1, 0.05], unseen=True)
cat_names = ["color", "size"]


def labels(a):
    return [[None if (isinstance(v, float) and math.isnan(v)) else v for v in row] for row in a]


def add_encoder(config, model, test, kind="one_hot_encoder"):
    model.fit(cat_train)
    entry = dict(kind=kind, config=config, train=labels(cat_train), test=labels(test),
                 fit_out=model.transform(cat_train), test_out=model.transform(test))
    if hasattr(model, "get_feature_names_out") and kind == "one_hot_encoder":
        entry["names"] = [n.replace("_infrequent_sklearn", "_infrequent")
                          for n in model.get_feature_names_out(cat_names)]
    cases.append(entry)


add_encoder({}, OneHotEncoder(sparse_output=False), cat_test)
add_encoder({"drop": "first"}, OneHotEncoder(sparse_output=False, drop="first"), cat_test)
add_encoder({"drop": "if_binary", "min_frequency": 10.0, "handle_unknown": "infrequent_if_exist"},
            OneHotEncoder(sparse_output=False, drop="if_binary", min_frequency=10,
                          handle_unknown="infrequent_if_exist"), cat_unseen)
add_encoder({"min_frequency": 0.12, "handle_unknown": "infrequent_if_exist"},
            OneHotEncoder(sparse_output=False, min_frequency=0.12,
                          handle_unknown="infrequent_if_exist"), cat_unseen)
add_encoder({"max_categories": 3, "handle_unknown": "ignore"},
            OneHotEncoder(sparse_output=False, max_categories=3, handle_unknown="ignore"),
            cat_unseen)
add_encoder({"handle_unknown": "ignore", "drop": "first"},
            OneHotEncoder(sparse_output=False, handle_unknown="ignore", drop="first"), cat_unseen)
add_encoder({}, OrdinalEncoder(), cat_test, kind="ordinal_encoder")
add_encoder({"handle_unknown": "use_encoded_value", "unknown_value": -1.0},
            OrdinalEncoder(handle_unknown="use_encoded_value", unknown_value=-1), cat_unseen,
            kind="ordinal_encoder")


def frequency(train, test, normalize):
    out_fit, out_test = [], []
    for j in range(train.shape[1]):
        counts = pd.Series(train[:, j]).value_counts(dropna=True, normalize=False)
        total = len(train) if normalize else 1.0
        enc = lambda v: (np.nan if (isinstance(v, float) and math.isnan(v))
                         else counts.get(v, 0.0) / total)
        out_fit.append([enc(v) for v in train[:, j]])
        out_test.append([enc(v) for v in test[:, j]])
    return np.array(out_fit).T, np.array(out_test).T


for normalize in (False, True):
    fit_out, test_out = frequency(cat_train, cat_unseen, normalize)
    cases.append(dict(kind="frequency_encoder", config={"normalize": normalize},
                      train=labels(cat_train), test=labels(cat_unseen), fit_out=fit_out,
                      test_out=test_out))


def hashed(data, n_features):
    rows = [{name: v for name, v in zip(cat_names, row)
             if not (isinstance(v, float) and math.isnan(v))} for row in data]
    return FeatureHasher(n_features=n_features, input_type="dict").transform(rows).toarray()


cases.append(dict(kind="hashing_encoder", config={"n_features": 8}, train=labels(cat_train),
                  test=labels(cat_unseen), fit_out=hashed(cat_train, 8),
                  test_out=hashed(cat_unseen, 8)))
murmur = {key: int(__import__("sklearn.utils", fromlist=["murmurhash3_32"]).murmurhash3_32(key, 0))
          for key in ["", "a", "ab", "abc", "abcd", "color=red", "size=XL", "héllo wörld"]}

# Target encoding by scikit-learn 1.3's formula.
y_target = np.round(rng.normal(10.0, 4.0, 60), 4)


def target_encode(codes, k, y, smooth):
    mean = y.mean()
    var = y.var()
    enc = np.full(k, mean)
    for c in range(k):
        mask = codes == c
        n = mask.sum()
        if n == 0:
            continue
        cat_mean = y[mask].mean()
        if smooth is None:
            within = y[mask].var()
            lam = var * n / (var * n + within) if (var * n + within) != 0 else np.nan
        else:
            lam = n / (n + smooth)
        enc[c] = mean if np.isnan(lam) else lam * cat_mean + (1 - lam) * mean
    return enc, mean


def target_case(smooth):
    fit_out, test_out = [], []
    for j in range(cat_train.shape[1]):
        col = cat_train[:, j]
        cats = sorted({v for v in col if isinstance(v, str)})
        index = {c: i for i, c in enumerate(cats)}
        k = len(cats)
        code = lambda v: k if not isinstance(v, str) else index.get(v, -1)
        codes = np.array([code(v) for v in col])
        enc, mean = target_encode(codes, k + 1, y_target, smooth)
        test_codes = [code(v) for v in cat_unseen[:, j]]
        test_out.append([mean if c < 0 else enc[c] for c in test_codes])
        crossed = np.zeros(len(col))
        for train_idx, test_idx in KFold(5).split(col):
            fold_enc, _ = target_encode(codes[train_idx], k + 1, y_target[train_idx], smooth)
            crossed[test_idx] = fold_enc[codes[test_idx]]
        fit_out.append(crossed)
    config = {} if smooth is None else {"smooth": smooth}
    cases.append(dict(kind="target_encoder", config=config, train=labels(cat_train),
                      test=labels(cat_unseen), y=y_target, fit_out=np.array(fit_out).T,
                      test_out=np.array(test_out).T))


target_case(None)
target_case(2.0)

# Most-frequent imputation of a categorical column.
cases.append(dict(kind="simple_imputer", config={"strategy": "most_frequent"},
                  train=labels(cat_train), test=labels(cat_test),
                  fit_out=SimpleImputer(strategy="most_frequent", missing_values=np.nan)
                  .fit(cat_train).transform(cat_train).tolist(),
                  test_out=SimpleImputer(strategy="most_frequent").fit(cat_train)
                  .transform(cat_test).tolist()))

# A typical pipeline: impute + scale the numeric columns, one-hot the categoricals.
mixed_train = pd.DataFrame(x_nan_train, columns=num_names)
mixed_test = pd.DataFrame(x_nan_test, columns=num_names)
for j, name in enumerate(cat_names):
    mixed_train[name] = cat_train[:N_TRAIN, j]
    mixed_test[name] = cat_unseen[:N_TEST, j]
pipe = ColumnTransformer([
    ("num", Pipeline([("impute", SimpleImputer(strategy="median")),
                      ("scale", StandardScaler())]), num_names),
    ("cat", OneHotEncoder(sparse_output=False, handle_unknown="ignore"), cat_names)])
pipe.fit(mixed_train)
pipeline_case = dict(train_numeric=x_nan_train, test_numeric=x_nan_test,
                     train_labels=labels(cat_train[:N_TRAIN]),
                     test_labels=labels(cat_unseen[:N_TEST]),
                     fit_out=pipe.transform(mixed_train), test_out=pipe.transform(mixed_test),
                     names=[n.split("__", 1)[1] for n in pipe.get_feature_names_out()])

OUTPUT.write_text(json.dumps(clean({"numeric_names": num_names, "categorical_names": cat_names,
                                    "cases": cases, "murmurhash3_32": murmur,
                                    "pipeline": pipeline_case, "datetime": datetime_case,
                                    "text": text_case}),
                              indent=None) + "\n")
print(f"wrote {len(cases)} cases to {OUTPUT} ({OUTPUT.stat().st_size} bytes)")
