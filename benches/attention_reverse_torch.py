"""The PyTorch peer of `nnzoo experiment attention-reverse`: the same
encoder-decoder (digit vectors + position vectors, one learnt query per
output position, torch.nn.MultiheadAttention, a linear readout) trained the
same way (Adam, cross-entropy against the reversed sequence, random batches
that avoid a held-out set), float32, one thread per process as nnzoo uses.

    /work/venv/bin/python benches/attention_reverse_torch.py [--length 8] [--epochs 10] [--seed 1]

Prints one JSON object: train_seconds, ms per step, sequence_accuracy and
digit_accuracy on the held-out set, the loss per epoch.
"""

import argparse
import json
import time

import torch


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--length", type=int, default=8)
    p.add_argument("--dim", type=int, default=32)
    p.add_argument("--heads", type=int, default=2)
    p.add_argument("--batch", type=int, default=32)
    p.add_argument("--epochs", type=int, default=10)
    p.add_argument("--steps-per-epoch", type=int, default=100)
    p.add_argument("--held-out", type=int, default=2000)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--seed", type=int, default=1)
    a = p.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(a.seed)
    n, d = a.length, a.dim

    g = torch.Generator().manual_seed(a.seed + 1000)
    held = set()
    while len(held) < a.held_out:
        held.add(tuple(torch.randint(0, 10, (n,), generator=g).tolist()))
    held_out = torch.tensor(sorted(held))

    def draw():
        rows = []
        while len(rows) < a.batch:
            x = tuple(torch.randint(0, 10, (n,)).tolist())
            if x not in held:
                rows.append(x)
        return torch.tensor(rows)

    digits = torch.nn.Embedding(10, d)
    positions = torch.nn.Embedding(n, d)
    queries = torch.nn.Embedding(n, d)
    attention = torch.nn.MultiheadAttention(d, a.heads, batch_first=True)
    readout = torch.nn.Linear(d, 10)
    params = [
        *digits.parameters(),
        *positions.parameters(),
        *queries.parameters(),
        *attention.parameters(),
        *readout.parameters(),
    ]
    opt = torch.optim.Adam(params, lr=a.lr)
    pos = torch.arange(n)

    def logits_of(x):
        h = digits(x) + positions(pos)
        q = queries(pos).expand(x.shape[0], n, d)
        c, _ = attention(q, h, h, need_weights=False)
        return readout(c)

    losses = []
    started = time.perf_counter()
    for _ in range(a.epochs):
        total = 0.0
        for _ in range(a.steps_per_epoch):
            x = draw()
            y = x.flip(1)
            loss = torch.nn.functional.cross_entropy(logits_of(x).reshape(-1, 10), y.reshape(-1))
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += loss.item()
        losses.append(total / a.steps_per_epoch)
    seconds = time.perf_counter() - started
    with torch.no_grad():
        right = logits_of(held_out).argmax(-1) == held_out.flip(1)
    steps = a.epochs * a.steps_per_epoch
    print(
        json.dumps(
            {
                "train_seconds": seconds,
                "ms_per_step": 1e3 * seconds / steps,
                "sequence_accuracy": right.all(1).float().mean().item(),
                "digit_accuracy": right.float().mean().item(),
                "train_loss": losses,
            }
        )
    )


if __name__ == "__main__":
    main()
