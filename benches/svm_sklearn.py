#!/usr/bin/env python3
"""scikit-learn's SVC on the work `nnzoo experiment svm-breast-cancer` times,
the two turn about in one run.

The breast cancer data of assets/data/breast_cancer.csv (569 x 30, label 0
malignant, 1 benign), split as nnzoo splits it: within each class, in the
file's order, every fourth row is a test row. The features are standardised
with the training rows' means and standard deviations (StandardScaler);
SVC(kernel='rbf', C=1.0, gamma='scale', tol=1e-3) is fitted `--repeats`
times and the median fit is reported with its test accuracy and number of
support vectors. With `--nnzoo PATH`, nnzoo's experiment (`train_seconds`,
the median of as many trainings) runs between scikit-learn's rounds, and
the ratio nnzoo / scikit-learn of each round is printed.

    python benches/svm_sklearn.py --nnzoo target/release/nnzoo [--rounds 2] [--repeats 21]

Set OPENBLAS_NUM_THREADS=1: libsvm is single-threaded, and so is nnzoo's SMO.
"""

import argparse
import json
import os
import statistics
import subprocess
import time

import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

HERE = os.path.dirname(os.path.abspath(__file__))
CSV = os.path.join(HERE, "..", "assets", "data", "breast_cancer.csv")


def data():
    table = np.loadtxt(CSV, delimiter=",", skiprows=1)
    x, labels = table[:, :-1], table[:, -1].astype(int)
    test = np.zeros(len(labels), bool)
    seen = [0, 0]
    for row, label in enumerate(labels):
        test[row] = seen[label] % 4 == 3
        seen[label] += 1
    scaler = StandardScaler().fit(x[~test])
    y = np.where(labels == 1, 1, -1)
    return scaler.transform(x[~test]), y[~test], scaler.transform(x[test]), y[test]


def sklearn_round(x, y, xt, yt, repeats):
    times = []
    for _ in range(repeats):
        svc = SVC(kernel="rbf", C=1.0, gamma="scale", tol=1e-3)
        start = time.perf_counter()
        svc.fit(x, y)
        times.append(time.perf_counter() - start)
    return statistics.median(times), svc.score(xt, yt), int(svc.n_support_.sum())


def nnzoo_round(binary, repeats):
    out = subprocess.run(
        [binary, "experiment", "svm-breast-cancer", "--set", f"repeats={repeats}", "--json"],
        capture_output=True, text=True, check=True,
    ).stdout
    report = json.loads(out)
    metrics = report["metrics"]
    return metrics["train_seconds"], metrics["test_accuracy"], int(metrics["support_vectors"])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nnzoo", help="the nnzoo binary to time in turn")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=21)
    args = parser.parse_args()
    x, y, xt, yt = data()
    print(f"{len(y)} training rows, {len(yt)} test rows")
    for r in range(args.rounds):
        sk, acc, sv = sklearn_round(x, y, xt, yt, args.repeats)
        print(f"round {r + 1}: scikit-learn SVC {sk * 1e3:.3f} ms, "
              f"test accuracy {acc:.4f}, {sv} support vectors")
        if args.nnzoo:
            nz, nacc, nsv = nnzoo_round(args.nnzoo, args.repeats)
            print(f"round {r + 1}: nnzoo SMO        {nz * 1e3:.3f} ms, "
                  f"test accuracy {nacc:.4f}, {nsv} support vectors; "
                  f"nnzoo / scikit-learn = {nz / sk:.2f}")


if __name__ == "__main__":
    main()
