"""One asynchronous Hopfield sweep in NumPy, the peer of benches/hopfield.rs.

The same sweep as the Rust bench: Hebbian rule, temperature 0, neurons
visited one at a time in a random order, each taking the sign of its local
field (kept on a tie). Two natural NumPy versions are timed:

- overlap: keeps the pattern sums M = Xi^T s up to date as neurons flip and
  reads h_i = xi_i . M - P s_i (cost N*P per sweep, no N x N matrix), the
  same algorithm as nnzoo;
- matrix: builds W = Xi Xi^T / N with a zero diagonal once and reads
  h_i = W_i . s (cost N^2 per sweep).

Each timed sweep starts from a fresh copy of the same state: pattern 0 with
10% of its pixels flipped ("recall") or a random state ("random").
Prints the median over the repeats, in milliseconds.

    python3 benches/hopfield_numpy.py [--n 4096] [--p 400] [--repeats 15]
"""

import argparse
import statistics
import time

import numpy as np


def sweep_overlap(xi_t, s, sums, order):
    p = xi_t.shape[1]
    flips = 0
    for i in order:
        row = xi_t[i]
        h = row @ sums - p * s[i]
        new = 1 if h > 0 else (-1 if h < 0 else s[i])
        if new != s[i]:
            s[i] = new
            sums += (2 * new) * row
            flips += 1
    return flips


def sweep_matrix(w, s, order):
    flips = 0
    for i in order:
        h = w[i] @ s
        new = 1.0 if h > 0 else (-1.0 if h < 0 else s[i])
        if new != s[i]:
            s[i] = new
            flips += 1
    return flips


def median_ms(fn, repeats):
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t0) * 1e3)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=4096)
    ap.add_argument("--p", type=int, default=400)
    ap.add_argument("--repeats", type=int, default=15)
    ap.add_argument("--skip-matrix", action="store_true")
    args = ap.parse_args()
    n, p = args.n, args.p
    rng = np.random.default_rng(42)
    xi = rng.choice(np.array([-1, 1], dtype=np.int32), size=(p, n))
    xi_t = np.ascontiguousarray(xi.T)  # neuron-major, P values per neuron
    noisy = xi[0].copy()
    noisy[rng.choice(n, n // 10, replace=False)] *= -1
    random = rng.choice(np.array([-1, 1], dtype=np.int32), size=n)
    order = rng.permutation(n)
    w = None
    if not args.skip_matrix:
        w = (xi.T.astype(np.float32) @ xi.astype(np.float32)) / n
        np.fill_diagonal(w, 0.0)
    print(f"numpy {np.__version__}, N = {n}, P = {p}, median of {args.repeats} sweeps")
    for name, start in [("recall", noisy), ("random", random)]:
        def overlap():
            s = start.copy()
            sums = xi @ s
            sweep_overlap(xi_t, s, sums, order)

        # The sums are set up inside the timed call; time them alone to subtract.
        setup = median_ms(lambda: xi @ start.copy(), args.repeats)
        t = median_ms(overlap, args.repeats) - setup
        print(f"overlap sweep from {name}: {t:.2f} ms")
        if w is not None:
            def matrix():
                s = start.astype(np.float32)
                sweep_matrix(w, s, order)

            print(f"matrix  sweep from {name}: {median_ms(matrix, args.repeats):.2f} ms")


if __name__ == "__main__":
    main()
