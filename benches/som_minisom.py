"""MiniSom on the work of `nnzoo experiment som-digits` (and `som-iris`).

The same data (assets/data/*.csv, z-scored per column with the population
standard deviation, a constant column becoming 0), the same map, sigma,
learning rate and steps, MiniSom's defaults otherwise (Gaussian
neighbourhood, asymptotic decay of both rates), weights started from random
rows of the data (`random_weights_init`), inputs in random order
(`train(..., random_order=True)`). Only `train` is timed; the errors are
MiniSom's own `quantization_error` and `topographic_error`.

With `--nnzoo PATH` the script also runs `PATH experiment som-digits --json`
with the same settings, alternating the two `--rounds` times (default 2),
and prints each one's time and the ratio.

    python -m venv venv && venv/bin/pip install minisom numpy
    venv/bin/python benches/som_minisom.py --nnzoo target/release/nnzoo
"""

import argparse
import json
import pathlib
import subprocess
import time

import numpy as np
from minisom import MiniSom

ROOT = pathlib.Path(__file__).resolve().parent.parent


def load(name):
    rows = np.loadtxt(ROOT / "assets" / "data" / f"{name}.csv", delimiter=",", skiprows=1)
    x = rows[:, :-1]
    if name == "digits":
        x = x / 16.0
    std = x.std(axis=0)
    std[std <= 1e-12] = 1.0
    return (x - x.mean(axis=0)) / std


def minisom(data, side, sigma, lr, steps, seed):
    som = MiniSom(side, side, data.shape[1], sigma=sigma, learning_rate=lr, random_seed=seed)
    som.random_weights_init(data)
    start = time.perf_counter()
    som.train(data, steps, random_order=True)
    seconds = time.perf_counter() - start
    return seconds, som.quantization_error(data), som.topographic_error(data)


def nnzoo(binary, experiment, side, sigma, lr, steps, seed):
    out = subprocess.run(
        [binary, "experiment", experiment, "--json", "--seed", str(seed),
         "--set", f"side={side}", "--set", f"sigma={sigma}",
         "--set", f"learning_rate={lr}", "--set", f"iterations={steps}"],
        check=True, capture_output=True, text=True).stdout
    m = json.loads(out)["metrics"]
    return m["train_seconds"], m["quantization_error"], m["topographic_error"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default="digits", choices=["digits", "iris"])
    ap.add_argument("--side", type=int, default=30)
    ap.add_argument("--sigma", type=float, default=3.0)
    ap.add_argument("--lr", type=float, default=0.5)
    ap.add_argument("--steps", type=int, default=5000)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--nnzoo", help="the nnzoo binary, to time it in turn")
    a = ap.parse_args()
    data = load(a.data)
    experiment = f"som-{a.data}"
    print(f"{a.data} {data.shape}, {a.side}x{a.side} map, sigma {a.sigma}, "
          f"learning rate {a.lr}, {a.steps} steps")
    for r in range(a.rounds):
        s, qe, te = minisom(data, a.side, a.sigma, a.lr, a.steps, a.seed + r)
        print(f"round {r + 1} minisom: train {s:.4f} s, quantization error {qe:.4f}, "
              f"topographic error {te:.4f}")
        if a.nnzoo:
            ns, nqe, nte = nnzoo(a.nnzoo, experiment, a.side, a.sigma, a.lr, a.steps, a.seed + r)
            print(f"round {r + 1} nnzoo:   train {ns:.4f} s, quantization error {nqe:.4f}, "
                  f"topographic error {nte:.4f}; minisom/nnzoo time {s / ns:.1f}")


if __name__ == "__main__":
    main()
