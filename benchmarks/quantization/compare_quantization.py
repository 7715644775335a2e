#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Runs kolosal_bench_quantization and numpy's float16 conversion side by side and prints tables.

kolosal: quantized against float inference on the classic datasets (accuracy / R² change and
speed-up, one thread, 20,000 tiled test rows), the mixed-precision choice per model, and FP16 /
BF16 conversion and int8 quantization throughput at the scalar and AVX2 levels. The peer for the
FP16 conversion is numpy's astype(float16) / astype(float32) on the same 2^24 normal values
(numpy has no bfloat16).

Run with Debian's python: /usr/bin/python3 benchmarks/quantization/compare_quantization.py
    [--bench build/r/benchmarks/quantization/kolosal_bench_quantization] [--repeat 5]
"""

import argparse
import json
import subprocess
import time

import numpy as np


def numpy_fp16(repeat):
    x = np.random.default_rng(1).standard_normal(1 << 24).astype(np.float32)
    best_to, best_from = 1e300, 1e300
    h = None
    for _ in range(repeat):
        start = time.perf_counter()
        h = x.astype(np.float16)
        best_to = min(best_to, time.perf_counter() - start)
        start = time.perf_counter()
        h.astype(np.float32)
        best_from = min(best_from, time.perf_counter() - start)
    n = x.size
    return {"float_to_fp16_gvals": n / best_to / 1e9, "fp16_to_float_gvals": n / best_from / 1e9}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bench", default="build/r/benchmarks/quantization/kolosal_bench_quantization")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    out = subprocess.run([args.bench, str(args.repeat)], check=True, capture_output=True, text=True)
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]

    print("| dataset | model | metric | float | quantized | agreement / max change | float ms | quantized ms | speed-up |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        if r["bench"] != "quantized_inference":
            continue
        agree = r.get("prediction_agreement", r.get("max_abs_prediction_change"))
        print(f"| {r['dataset']} | {r['model']} | {r['metric']} | {r['float_metric']:.4f} | "
              f"{r['quantized_metric']:.4f} | {agree:.4f} | {1e3 * r['float_s']:.2f} | "
              f"{1e3 * r['quantized_s']:.2f} | {r['speedup']:.2f}x |")
    print()
    print("| dataset | model | fp32 | bf16 | fp16 | chosen | reason |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if r["bench"] != "mixed_precision":
            continue
        m = {t["precision"]: t["metric"] for t in r["trials"]}
        print(f"| {r['dataset']} | {r['model']} | {r['fp32_metric']:.4f} | {m.get('bf16', float('nan')):.4f} | "
              f"{m.get('fp16', float('nan')):.4f} | {r['chosen']} | {r['reason']} |")
    print()
    peer = numpy_fp16(args.repeat)
    print("| path | float->fp16 | fp16->float | float->bf16 | bf16->float | quantize int8 | dequantize int8 |")
    print("|---|---|---|---|---|---|---|")
    for r in rows:
        if r["bench"] != "conversion":
            continue
        print(f"| kolosal {r['level']} | {r['float_to_fp16_gvals']:.2f} | {r['fp16_to_float_gvals']:.2f} | "
              f"{r['float_to_bf16_gvals']:.2f} | {r['bf16_to_float_gvals']:.2f} | "
              f"{r['quantize_int8_gvals']:.2f} | {r['dequantize_int8_gvals']:.2f} |")
    print(f"| numpy {np.__version__} | {peer['float_to_fp16_gvals']:.2f} | {peer['fp16_to_float_gvals']:.2f} | - | - | - | - |")
    print("\n(throughput in billions of values per second)")


if __name__ == "__main__":
    main()
