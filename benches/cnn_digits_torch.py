"""The peer of `nnzoo experiment cnn-digits`: the seed's LeNet trained the
same way in PyTorch on the CPU, timed the same way.

Same sizes and settings as the experiment's defaults: the 8x8 digits scaled
to [0, 1] and enlarged to 28x28 with `F.interpolate(mode="bilinear",
align_corners=False)` (what nnzoo's `digits28` does), an 80/20 split,
Conv2d(1, 6, 5) -> ReLU -> MaxPool2d(2) -> Conv2d(6, 12, 5) -> ReLU ->
MaxPool2d(2) -> Flatten -> Linear(192, 120) -> ReLU -> Linear(120, 60) ->
ReLU -> Linear(60, 10) with PyTorch's default initialisation, mean
cross-entropy, plain SGD with lr 0.1, batch 32 (the last batch of an epoch
takes the rows left over), both cores (`torch.set_num_threads(2)`).
`train_seconds` counts the training alone, with the data already in memory
as tensors; batches are taken by indexing a shuffled permutation (faster
than a DataLoader, so the comparison favours PyTorch).

    python3 benches/cnn_digits_torch.py [--csv assets/data/digits.csv] [--epochs 5] [--repeats 3]

Prints one JSON object: the median train_seconds over the repeats, per
epoch, and the test accuracy of the last run.
"""

import argparse
import json
import statistics
import time

import numpy as np
import torch
import torch.nn.functional as F


def lenet():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 6, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(6, 12, 5),
        torch.nn.ReLU(),
        torch.nn.MaxPool2d(2),
        torch.nn.Flatten(),
        torch.nn.Linear(192, 120),
        torch.nn.ReLU(),
        torch.nn.Linear(120, 60),
        torch.nn.ReLU(),
        torch.nn.Linear(60, 10),
    )


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--csv", default="assets/data/digits.csv")
    parser.add_argument("--epochs", type=int, default=5)
    parser.add_argument("--batch", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    table = np.loadtxt(args.csv, delimiter=",", skiprows=1, dtype=np.float32)
    small = torch.from_numpy(table[:, :-1] / 16.0).reshape(-1, 1, 8, 8)
    x = F.interpolate(small, size=(28, 28), mode="bilinear", align_corners=False)
    y = torch.from_numpy(table[:, -1].astype(np.int64))
    rng = np.random.default_rng(1)
    order = torch.from_numpy(rng.permutation(len(x)))
    test_rows = len(x) // 5
    test, train = order[:test_rows], order[test_rows:]
    x_train, y_train = x[train].contiguous(), y[train]
    x_test, y_test = x[test].contiguous(), y[test]

    times = []
    accuracy = None
    for repeat in range(args.repeats):
        torch.manual_seed(repeat)
        net = lenet()
        optimizer = torch.optim.SGD(net.parameters(), lr=args.lr)
        loss_fn = torch.nn.CrossEntropyLoss()
        started = time.perf_counter()
        for epoch in range(args.epochs):
            perm = torch.randperm(len(x_train))
            for start in range(0, len(x_train), args.batch):
                rows = perm[start : start + args.batch]
                optimizer.zero_grad()
                loss = loss_fn(net(x_train[rows]), y_train[rows])
                loss.backward()
                optimizer.step()
        times.append(time.perf_counter() - started)
        with torch.no_grad():
            accuracy = (net(x_test).argmax(1) == y_test).float().mean().item()

    seconds = statistics.median(times)
    print(
        json.dumps(
            {
                "peer": f"PyTorch {torch.__version__} CPU, {args.threads} threads",
                "epochs": args.epochs,
                "batch": args.batch,
                "train_seconds": seconds,
                "epoch_seconds": seconds / args.epochs,
                "test_accuracy": accuracy,
            }
        )
    )


if __name__ == "__main__":
    main()
