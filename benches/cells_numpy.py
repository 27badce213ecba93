#!/usr/bin/env python3
"""The NumPy peer of benches/cells.rs: one LSTM and one GRU cell step, batch 1,
input = hidden = 32, 128, 512, float32, written to be fast in NumPy (fused
[W_ih | W_hh] for the LSTM and the GRU's r, z rows, one matrix-vector product
per step, in-place activations), timed with timeit. Prints the median ns per
step of each size.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python3 benches/cells_numpy.py

(OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE, set on some of these machines for old
OpenBLAS builds, slow a current NumPy down: unset both for the measurement.)
"""

import statistics
import timeit

import numpy as np

SIZES = (32, 128, 512)


def lstm_setup(n, rng):
    k = 1.0 / np.sqrt(n)
    w = rng.uniform(-k, k, (4 * n, 2 * n)).astype(np.float32)  # [W_ih | W_hh]
    b = rng.uniform(-k, k, 4 * n).astype(np.float32)  # b_ih + b_hh
    x = np.sin(np.arange(n, dtype=np.float32) * 0.37)
    state = {
        "xh": np.zeros(2 * n, np.float32),
        "gates": np.zeros(4 * n, np.float32),
        "h": np.zeros(n, np.float32),
        "c": np.zeros(n, np.float32),
        "t": np.zeros(n, np.float32),
    }

    def step():
        xh, gates, h, c, t = state["xh"], state["gates"], state["h"], state["c"], state["t"]
        xh[:n] = x
        xh[n:] = h
        np.dot(w, xh, out=gates)
        gates += b
        ifg = gates[: 2 * n]  # sigmoid on i and f
        np.negative(ifg, out=ifg)
        np.exp(ifg, out=ifg)
        ifg += 1.0
        np.reciprocal(ifg, out=ifg)
        o = gates[3 * n :]
        np.negative(o, out=o)
        np.exp(o, out=o)
        o += 1.0
        np.reciprocal(o, out=o)
        g = gates[2 * n : 3 * n]
        np.tanh(g, out=g)
        np.multiply(gates[n : 2 * n], c, out=c)  # c = f * c
        np.multiply(gates[:n], g, out=t)  # + i * g
        c += t
        np.tanh(c, out=t)
        np.multiply(o, t, out=h)

    return step


def gru_setup(n, rng):
    k = 1.0 / np.sqrt(n)
    w_rz = rng.uniform(-k, k, (2 * n, 2 * n)).astype(np.float32)
    b_rz = rng.uniform(-k, k, 2 * n).astype(np.float32)
    w_in = rng.uniform(-k, k, (n, n)).astype(np.float32)
    b_in = rng.uniform(-k, k, n).astype(np.float32)
    w_hn = rng.uniform(-k, k, (n, n)).astype(np.float32)
    b_hn = rng.uniform(-k, k, n).astype(np.float32)
    x = np.sin(np.arange(n, dtype=np.float32) * 0.37)
    state = {
        "xh": np.zeros(2 * n, np.float32),
        "rz": np.zeros(2 * n, np.float32),
        "a_in": np.zeros(n, np.float32),
        "a_hn": np.zeros(n, np.float32),
        "h": np.zeros(n, np.float32),
    }

    def step():
        xh, rz, a_in, a_hn, h = state["xh"], state["rz"], state["a_in"], state["a_hn"], state["h"]
        xh[:n] = x
        xh[n:] = h
        np.dot(w_rz, xh, out=rz)
        rz += b_rz
        np.negative(rz, out=rz)
        np.exp(rz, out=rz)
        rz += 1.0
        np.reciprocal(rz, out=rz)
        np.dot(w_in, x, out=a_in)
        a_in += b_in
        np.dot(w_hn, h, out=a_hn)
        a_hn += b_hn
        a_hn *= rz[:n]  # r * (W_hn h + b_hn)
        a_in += a_hn
        np.tanh(a_in, out=a_in)  # n
        # h' = (1 - z) * n + z * h = n + z * (h - n)
        h -= a_in
        h *= rz[n:]
        h += a_in

    return step


def median_ns(step):
    timer = timeit.Timer(step)
    number, _ = timer.autorange()
    number = max(number, 1)
    runs = timer.repeat(repeat=9, number=number)
    return statistics.median(runs) / number * 1e9


def main():
    print(f"numpy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info

        for pool in threadpool_info():
            print(
                f"blas: {pool.get('internal_api')} {pool.get('version')} "
                f"{pool.get('architecture')} threads={pool.get('num_threads')}"
            )
    except ImportError:
        pass
    rng = np.random.default_rng(1)
    for name, setup in (("lstm", lstm_setup), ("gru", gru_setup)):
        for n in SIZES:
            print(f"{name} {n}: {median_ns(setup(n, rng)):.0f} ns/step")


if __name__ == "__main__":
    main()
