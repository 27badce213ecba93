"""The peer of `nnzoo experiment esn-mackey-glass`: the same echo state
network in reservoirpy, its driving and fitting timed the same way.

Same sizes as the experiment's defaults: 1,000 tanh units (leak rate 1),
each entry of W nonzero with probability 1% and scaled to spectral radius
0.8, uniform in [-1, 1] before (reservoirpy stores it as a scipy.sparse
matrix), a bias uniform in
[-0.2, 0.2], the Mackey-Glass series squashed by tanh(x - 1) fed back with
weights uniform in [-1, 1], 1,000 washout and 3,000 training steps of
teacher forcing with state noise uniform in [-1e-9, 1e-9], and a ridge
readout (lambda 1e-11, no bias term) on the states after the washout.

reservoirpy 0.4's Reservoir has no feedback port of its own; under teacher
forcing the fed-back value is the known series, so it is given as the
reservoir's one input, d(t) into x(t+1), with W_in in the role of W_fb:
the same arithmetic per step (W x + W_in d + bias, then tanh). The state
noise is added inside the tanh by the activation. `train_seconds` counts
`Reservoir.run` over the 4,000 steps and `Ridge.fit` on the last 3,000
states, not drawing W and its eigenvalues, as the experiment does.

The series is reservoirpy's own Mackey-Glass (tau 17, sampled every time
unit): the timing does not depend on which series it is.

    /work/venv-esn/bin/python benches/esn_reservoirpy.py [--repeats 3]

Prints one JSON object: the median train_seconds over the repeats, its
parts, and the one-step NRMSE on the training states as a check that the
network fitted the series.
"""

import argparse
import json
import statistics
import time

import numpy as np
import reservoirpy
from reservoirpy.datasets import mackey_glass
from reservoirpy.mat_gen import uniform
from reservoirpy.nodes import Reservoir, Ridge


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--units", type=int, default=1000)
    parser.add_argument("--connectivity", type=float, default=0.01)
    parser.add_argument("--spectral-radius", type=float, default=0.8)
    parser.add_argument("--washout", type=int, default=1000)
    parser.add_argument("--train", type=int, default=3000)
    parser.add_argument("--noise", type=float, default=1e-9)
    parser.add_argument("--ridge", type=float, default=1e-11)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    steps = args.washout + args.train
    series = mackey_glass(steps + 1 + 500, tau=17)[500:, :1]
    d = np.tanh(series - 1.0)
    teacher, targets = d[:steps], d[1 : steps + 1]
    noise_rng = np.random.default_rng(args.seed + 1)
    noise = args.noise

    def noisy_tanh(z):
        return np.tanh(z + noise * noise_rng.uniform(-1.0, 1.0, size=z.shape))

    times, drives, fits = [], [], []
    for repeat in range(args.repeats):
        reservoir = Reservoir(
            units=args.units,
            lr=1.0,
            sr=args.spectral_radius,
            rc_connectivity=args.connectivity,
            W=uniform,
            Win=uniform,
            input_connectivity=1.0,
            input_scaling=1.0,
            bias=lambda n, **kw: np.random.default_rng(args.seed + repeat).uniform(
                -0.2, 0.2, size=(n,)
            ),
            activation=noisy_tanh,
            seed=args.seed + repeat,
        )
        readout = Ridge(ridge=args.ridge, fit_bias=False)
        reservoir.initialize(teacher[:1])
        start = time.perf_counter()
        states = reservoir.run(teacher)
        driven = time.perf_counter()
        readout.fit(states[args.washout :], targets[args.washout :])
        done = time.perf_counter()
        times.append(done - start)
        drives.append(driven - start)
        fits.append(done - driven)

    fitted = states[args.washout :] @ readout.Wout
    want = np.arctanh(targets[args.washout :]) + 1.0
    got = np.arctanh(np.clip(fitted, -1 + 1e-15, 1 - 1e-15)) + 1.0
    train_nrmse = float(np.sqrt(np.mean((got - want) ** 2)) / np.std(series))
    print(
        json.dumps(
            {
                "reservoirpy": reservoirpy.__version__,
                "units": args.units,
                "nonzeros": int(reservoir.W.nnz) if hasattr(reservoir.W, "nnz") else None,
                "train_seconds": statistics.median(times),
                "drive_seconds": statistics.median(drives),
                "fit_seconds": statistics.median(fits),
                "repeats": args.repeats,
                "train_nrmse": train_nrmse,
            }
        )
    )


if __name__ == "__main__":
    main()
