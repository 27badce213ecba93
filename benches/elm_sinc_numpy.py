"""The peer of `nnzoo experiment elm-sinc`: the same extreme learning
machine in NumPy, timed the same way.

Same sizes as the experiment's defaults: 5,000 training points x uniform in
[-10, 10] with targets sin(x)/x plus noise uniform in [-0.2, 0.2], 5,000
clean test points, 20 sigmoid hidden units with W and b uniform in [-1, 1],
H = sigmoid(X W^T + b) and beta by `numpy.linalg.lstsq(H, T)` (or
`--solver pinv`: beta = pinv(H) T). `train_seconds` counts the draw of W and
b, H and the solve, the data already in memory, as the experiment does.

    /work/venv/bin/python benches/elm_sinc_numpy.py [--solver lstsq|pinv] [--repeats 20]

Prints one JSON object: the median train_seconds over the repeats and the
RMSEs of the last run.
"""

import argparse
import json
import statistics
import time

import numpy as np


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--train", type=int, default=5000)
    parser.add_argument("--test", type=int, default=5000)
    parser.add_argument("--hidden", type=int, default=20)
    parser.add_argument("--solver", choices=["lstsq", "pinv"], default="lstsq")
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    rng = np.random.default_rng(args.seed)
    x = rng.uniform(-10, 10, size=(args.train, 1))
    t = np.sinc(x / np.pi) + rng.uniform(-0.2, 0.2, size=x.shape)
    x_test = rng.uniform(-10, 10, size=(args.test, 1))
    t_test = np.sinc(x_test / np.pi)

    times = []
    for _ in range(args.repeats):
        start = time.perf_counter()
        w = rng.uniform(-1, 1, size=(args.hidden, 1))
        b = rng.uniform(-1, 1, size=args.hidden)
        h = 1.0 / (1.0 + np.exp(-(x @ w.T + b)))
        if args.solver == "lstsq":
            beta = np.linalg.lstsq(h, t, rcond=None)[0]
        else:
            beta = np.linalg.pinv(h) @ t
        times.append(time.perf_counter() - start)

    def predict(inputs):
        return (1.0 / (1.0 + np.exp(-(inputs @ w.T + b)))) @ beta

    rmse = lambda got, want: float(np.sqrt(np.mean((got - want) ** 2)))
    print(
        json.dumps(
            {
                "solver": args.solver,
                "train_seconds": statistics.median(times),
                "repeats": args.repeats,
                "train_rmse": rmse(predict(x), t),
                "test_rmse": rmse(predict(x_test), t_test),
            }
        )
    )


if __name__ == "__main__":
    main()
