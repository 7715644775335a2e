#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Side-by-side optimizer benchmark: kolosal's samplers against Optuna 3.1 (Debian's python3-optuna)
on Branin, Hartmann-6, Rosenbrock-4, Ackley-5 and a mixed categorical/conditional function (the
same definitions as optimizer_bench.cpp), plus the cost of one TPE suggestion with 1,000 finished
trials over 10 parameters. Both sides run single-threaded.

  /usr/bin/python3 benchmarks/optimizer/compare_optuna.py build/<you>-release [n_seeds]
"""
import json
import math
import statistics
import subprocess
import sys
import time

import numpy as np
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)

A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8],
     [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886],
     [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650],
     [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]
ALPHA = [1.0, 1.2, 3.0, 3.2]


def branin(t):
    x1, x2 = t.suggest_float("x0", -5, 10), t.suggest_float("x1", 0, 15)
    a = x2 - 5.1 / (4 * math.pi ** 2) * x1 ** 2 + 5 / math.pi * x1 - 6
    return a * a + 10 * (1 - 1 / (8 * math.pi)) * math.cos(x1) + 10


def hartmann6(t):
    x = [t.suggest_float(f"x{i}", 0, 1) for i in range(6)]
    return -sum(ALPHA[k] * math.exp(-sum(A[k][i] * (x[i] - P[k][i]) ** 2 for i in range(6)))
                for k in range(4))


def rosenbrock4(t):
    x = [t.suggest_float(f"x{i}", -5, 10) for i in range(4)]
    return sum(100 * (x[i + 1] - x[i] ** 2) ** 2 + (1 - x[i]) ** 2 for i in range(3))


def ackley5(t):
    x = [t.suggest_float(f"x{i}", -32.768, 32.768) for i in range(5)]
    sq = sum(v * v for v in x)
    cs = sum(math.cos(2 * math.pi * v) for v in x)
    return -20 * math.exp(-0.2 * math.sqrt(sq / 5)) - math.exp(cs / 5) + 20 + math.e


def mixed(t):
    kind = t.suggest_categorical("kind", ["a", "b", "c"])
    if kind == "a":
        xa, ya = t.suggest_float("xa", -5, 5), t.suggest_float("ya", 1e-3, 1e2, log=True)
        z = t.suggest_float("z", 0, 1)
        return 0.5 + (xa - 1) ** 2 + (math.log10(ya) + 1) ** 2 + (z - 0.3) ** 2
    if kind == "b":
        nb = t.suggest_int("nb", 1, 100, log=True)
        cb = t.suggest_categorical("cb", ["p", "q", "r", "s"])
        z = t.suggest_float("z", 0, 1)
        return math.log(nb / 20) ** 2 + (0.0 if cb == "r" else 0.4) + (z - 0.7) ** 2
    return 1.5 + t.suggest_float("z", 0, 1)


FUNCTIONS = {"branin": branin, "hartmann6": hartmann6, "rosenbrock4": rosenbrock4,
             "ackley5": ackley5, "mixed": mixed}


def optuna_quality(sampler_name, n_trials, n_seeds):
    out = {}
    for name, f in FUNCTIONS.items():
        best = []
        start = time.perf_counter()
        for seed in range(n_seeds):
            sampler = (optuna.samplers.TPESampler(seed=seed) if sampler_name == "tpe"
                       else optuna.samplers.RandomSampler(seed=seed))
            study = optuna.create_study(sampler=sampler)
            study.optimize(f, n_trials=n_trials)
            best.append(study.best_value)
        out[name] = {"best": best, "seconds": time.perf_counter() - start}
    return out


def optuna_overhead(n_history=1000, n_params=10, n_asks=20):
    dists = {f"x{i}": optuna.distributions.FloatDistribution(-5, 5) for i in range(n_params)}
    rng = np.random.default_rng(0)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=0))
    trials = []
    for _ in range(n_history):
        params = {k: float(rng.uniform(-5, 5)) for k in dists}
        trials.append(optuna.trial.create_trial(params=params, distributions=dists,
                                                value=sum(v * v for v in params.values())))
    study.add_trials(trials)
    total = 0.0
    for _ in range(n_asks):
        start = time.perf_counter()
        trial = study.ask(dists)
        total += time.perf_counter() - start
        study.tell(trial, sum(v * v for v in trial.params.values()))
    return total / n_asks * 1e6


def kolosal(build, *args):
    exe = f"{build}/benchmarks/optimizer/kolosal_bench_optimizer"
    lines = subprocess.run([exe, *map(str, args)], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    return [json.loads(line) for line in lines]


def main():
    build = sys.argv[1]
    n_seeds = int(sys.argv[2]) if len(sys.argv) > 2 else 20
    rows = []
    ours = {(r["sampler"], r["function"]): r
            for s, n in (("tpe", 100), ("random", 100), ("gp", 50), ("random", 50))
            for r in kolosal(build, "quality", s, n, n_seeds) if r["n_trials"] == n
            for r in [dict(r, sampler=f"{s}@{n}")]}
    theirs_tpe = optuna_quality("tpe", 100, n_seeds)
    theirs_random = optuna_quality("random", 100, n_seeds)
    print(f"median best value over {n_seeds} seeds (lower is better)")
    print("| function | kolosal TPE@100 | Optuna TPE@100 | kolosal random@100 | Optuna random@100 |"
          " kolosal GP@50 | kolosal random@50 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in FUNCTIONS:
        med = statistics.median
        print(f"| {name} | {med(ours[('tpe@100', name)]['best']):.4f} "
              f"| {med(theirs_tpe[name]['best']):.4f} "
              f"| {med(ours[('random@100', name)]['best']):.4f} "
              f"| {med(theirs_random[name]['best']):.4f} "
              f"| {med(ours[('gp@50', name)]['best']):.4f} "
              f"| {med(ours[('random@50', name)]['best']):.4f} |")
        rows.append(name)
    print("\nseconds for all seeds: " + ", ".join(
        f"{n}: kolosal TPE {ours[('tpe@100', n)]['seconds']:.2f} / Optuna TPE "
        f"{theirs_tpe[n]['seconds']:.2f}" for n in FUNCTIONS))
    k = kolosal(build, "overhead", 1000, 10, 200)[0]["us_per_suggestion"]
    o = optuna_overhead()
    print(f"\nTPE suggestion, 1000 finished trials x 10 params: kolosal {k:.1f} us, "
          f"Optuna {o:.0f} us ({o / k:.0f}x)")


if __name__ == "__main__":
    main()
