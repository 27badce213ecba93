#!/usr/bin/env python3
"""Times nnzoo's criterion benches and their NumPy peers turn about, so that
a busy or shared machine slows both sides alike, and prints each round's
figures, the ratios and their spread.

Each round runs every given bench binary once (criterion's median for the
filtered benchmark) and the NumPy peer once, in that order; the ratio of a
round is NumPy's time over the binary's (how many times faster nnzoo is), or
one binary's time over another's.

    cargo bench --bench cells --no-run      # prints the binary's path
    python3 benches/interleave.py lstm \
        --bin main=/path/to/main/cells-HASH --bin branch=target/release/deps/cells-HASH
    python3 benches/interleave.py hopfield --bin branch=target/release/deps/hopfield-HASH

`lstm` times `lstm_step/nnzoo/128` against `cells_numpy.py`'s LSTM step at
hidden size 128; `hopfield` times the N = 4096, P = 400 sweeps (from 10%
noise and from a random state) against `hopfield_numpy.py`, the faster of its
two NumPy versions. Run it with the NumPy of the venv:
`env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE /work/venv/bin/python ...`.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
UNITS = {"ps": 1e-3, "ns": 1.0, "µs": 1e3, "us": 1e3, "ms": 1e6, "s": 1e9}
TIME = re.compile(r"time:\s+\[\S+ \S+ (\S+) (\S+) \S+ \S+\]")


def criterion_ns(binary, name, seconds):
    """Criterion's median estimate, in ns, of the benchmark named exactly `name`."""
    out = subprocess.run(
        [binary, "--bench", "--exact", name, "--warm-up-time", "1",
         "--measurement-time", str(seconds), "--noplot"],
        capture_output=True, text=True, check=True,
    ).stdout
    match = TIME.search(out)
    if not match:
        sys.exit(f"no time for {name!r} in:\n{out}")
    return float(match.group(1)) * UNITS[match.group(2)]


def numpy_lstm_ns():
    code = (
        "import sys; sys.path.insert(0, %r)\n"
        "import numpy as np, cells_numpy as c\n"
        "print(c.median_ns(c.lstm_setup(128, np.random.default_rng(1))))\n" % HERE
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return {"lstm_step/nnzoo/128": float(out.stdout.split()[-1])}


def numpy_hopfield_ns():
    out = subprocess.run(
        [sys.executable, os.path.join(HERE, "hopfield_numpy.py"), "--repeats", "9"],
        capture_output=True, text=True, check=True,
    ).stdout
    best = {}
    for line in out.splitlines():
        match = re.match(r"(overlap|matrix)\s+sweep from (\w+): ([\d.]+) ms", line)
        if match:
            start, ms = match.group(2), float(match.group(3))
            best[start] = min(best.get(start, ms), ms)
    return {
        f"async sweep N=4096 P=400 from {start}": ms * 1e6 for start, ms in best.items()
    }


def spread(values):
    return f"median {statistics.median(values):.3f}  min {min(values):.3f}  max {max(values):.3f}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("which", choices=["lstm", "hopfield"])
    ap.add_argument("--bin", action="append", default=[], metavar="LABEL=PATH")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--seconds", type=float, default=3)
    ap.add_argument("--no-numpy", action="store_true")
    args = ap.parse_args()
    bins = [b.split("=", 1) for b in args.bin]
    if args.which == "lstm":
        names, peer = ["lstm_step/nnzoo/128"], numpy_lstm_ns
    else:
        names = [f"async sweep N=4096 P=400 from {s}" for s in ("recall", "random")]
        peer = numpy_hopfield_ns
    rows = []
    for r in range(args.rounds):
        row = {}
        for label, path in bins:
            for name in names:
                row[(label, name)] = criterion_ns(path, name, args.seconds)
        if not args.no_numpy:
            for name, ns in peer().items():
                row[("numpy", name)] = ns
        rows.append(row)
        print(f"round {r + 1}: " + "  ".join(f"{l} {n.split('from ')[-1]} {v:.0f} ns"
                                           for (l, n), v in row.items()), flush=True)
    labels = [label for label, _ in bins]
    for name in names:
        print(f"\n{name}")
        for label in labels + ([] if args.no_numpy else ["numpy"]):
            print(f"  {label:>8} ns: {spread([row[(label, name)] for row in rows])}")
        if not args.no_numpy:
            for label in labels:
                ratios = [row[("numpy", name)] / row[(label, name)] for row in rows]
                print(f"  numpy/{label} (times faster): {spread(ratios)}")
        for i, a in enumerate(labels):
            for b in labels[i + 1 :]:
                ratios = [row[(b, name)] / row[(a, name)] for row in rows]
                print(f"  {b}/{a} time: {spread(ratios)}")


if __name__ == "__main__":
    main()
