"""scikit-learn's BernoulliRBM on the work `nnzoo experiment rbm-digits` times.

The digits and their copies nudged one pixel up, left, right and down
(8,985 x 64, as `plot_rbm_logistic_classification` builds them), min-max
scaled, split 80/20; BernoulliRBM(n_components=100, learning_rate=0.06,
batch_size=10) learns the training rows by PCD. The epochs run as
scikit-learn's own `fit` loop runs them (the same initialisation, `_fit` on
each minibatch slice in order), each one timed; then the median epoch, and
the pseudo-likelihood after the last epoch (as `verbose=True` prints it).

    python benches/rbm_sklearn.py [--epochs 10] [--repeats 3]

Set OPENBLAS_NUM_THREADS=1 to keep NumPy to one core, as nnzoo's RBM runs.
"""

import argparse
import statistics
import time

import numpy as np
from scipy.ndimage import convolve
from sklearn import datasets
from sklearn.model_selection import train_test_split
from sklearn.neural_network import BernoulliRBM
from sklearn.preprocessing import minmax_scale
from sklearn.utils import check_random_state, gen_even_slices


def nudge_dataset(X, Y):
    direction_vectors = [
        [[0, 1, 0], [0, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [1, 0, 0], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 1], [0, 0, 0]],
        [[0, 0, 0], [0, 0, 0], [0, 1, 0]],
    ]

    def shift(x, w):
        return convolve(x.reshape((8, 8)), mode="constant", weights=w).ravel()

    X = np.concatenate(
        [X] + [np.apply_along_axis(shift, 1, X, vector) for vector in direction_vectors]
    )
    Y = np.concatenate([Y for _ in range(5)], axis=0)
    return X, Y


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()

    X, y = datasets.load_digits(return_X_y=True)
    X = np.asarray(X, "float32")
    X, Y = nudge_dataset(X, y)
    X = minmax_scale(X, feature_range=(0, 1))
    X_train, _, _, _ = train_test_split(X, Y, test_size=0.2, random_state=0)
    print(f"data: {X.shape[0]} x {X.shape[1]}, training rows {X_train.shape[0]}, dtype {X_train.dtype}")

    epoch_times = []
    for repeat in range(args.repeats):
        rbm = BernoulliRBM(
            n_components=100, learning_rate=0.06, batch_size=10, n_iter=args.epochs, random_state=0
        )
        # scikit-learn's fit, with the epochs timed one by one (fit's own
        # loop: the same initialisation, the same slices in order).
        rng = check_random_state(rbm.random_state)
        rbm.components_ = np.asarray(
            rng.normal(0, 0.01, (rbm.n_components, X_train.shape[1])), order="F", dtype=X_train.dtype
        )
        rbm._n_features_out = rbm.components_.shape[0]
        rbm.intercept_hidden_ = np.zeros(rbm.n_components, dtype=X_train.dtype)
        rbm.intercept_visible_ = np.zeros(X_train.shape[1], dtype=X_train.dtype)
        rbm.h_samples_ = np.zeros((rbm.batch_size, rbm.n_components), dtype=X_train.dtype)
        n_samples = X_train.shape[0]
        n_batches = int(np.ceil(float(n_samples) / rbm.batch_size))
        batch_slices = list(
            gen_even_slices(n_batches * rbm.batch_size, n_batches, n_samples=n_samples)
        )
        for epoch in range(args.epochs):
            start = time.perf_counter()
            for batch_slice in batch_slices:
                rbm._fit(X_train[batch_slice], rng)
            epoch_times.append(time.perf_counter() - start)
        print(
            f"repeat {repeat + 1}: epochs {', '.join(f'{t:.4f}' for t in epoch_times[-args.epochs:])} s; "
            f"pseudo-likelihood {rbm.score_samples(X_train).mean():.3f}"
        )
    print(f"median epoch: {statistics.median(epoch_times):.4f} s "
          f"(min {min(epoch_times):.4f}, max {max(epoch_times):.4f})")


if __name__ == "__main__":
    main()
