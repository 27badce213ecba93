"""The peer of `nnzoo experiment char-rnn`: the same character-level LSTM
trained the same way in PyTorch on the CPU, timed the same way.

Same text, split and settings as the experiment's defaults: the bundled
text (`assets/text/shakespeare.txt` or `lunyu.txt`) as indices into its
sorted alphabet, the first 90% to train; nn.Embedding(V, 32) -> nn.LSTM(32,
128) -> nn.Linear(128, V); 32 streams of 64 characters read side by side
(each stream its own stretch of the training text, the state carried from
one window to the next and reset to zero when the streams start again),
mean cross-entropy over the window, the gradient's global norm clipped to
5, Adam lr 3e-3, both cores (`torch.set_num_threads(2)`).

Every step is timed alone (`time.perf_counter` around the forward pass,
the loss, the backward pass, the clipping and the update; reading the
window is not timed); the first 10 steps are left out as warm-up.

    python3 benches/char_rnn_torch.py [--text en|zh] [--steps 200] [--hidden 128] [--embed 32]
        [--window 64] [--streams 32] [--lr 0.003] [--threads 2]

Prints one JSON object: the mean and median milliseconds of a step, its
mean CPU milliseconds, the
training seconds of the whole run, and the training bits per character of
the last 10% of steps (to show that it learns).
"""

import argparse
import json
import math
import statistics
import time

import torch


def load(path):
    with open(path, encoding="utf-8") as f:
        chars = list(f.read())
    alphabet = sorted(set(chars))
    index = {c: k for k, c in enumerate(alphabet)}
    tokens = [index[c] for c in chars]
    cut = len(tokens) * 9 // 10
    return alphabet, tokens[:cut]


class Streams:
    """The experiment's windows: B streams, each over its own stretch."""

    def __init__(self, train, window, streams):
        self.train = train
        self.window = window
        self.streams = streams
        self.stretch = max(len(train) // streams, window + 1)
        self.position = 0

    def next(self):
        """Inputs and targets [T, B], and whether the state starts afresh."""
        t_len, b_len, n = self.window, self.streams, len(self.train)
        fresh = False
        if self.position + t_len + 1 > self.stretch:
            self.position = 0
            fresh = True
        inputs = [[0] * b_len for _ in range(t_len)]
        targets = [[0] * b_len for _ in range(t_len)]
        for t in range(t_len):
            for b in range(b_len):
                at = (b * self.stretch + self.position + t) % n
                inputs[t][b] = self.train[at]
                targets[t][b] = self.train[(at + 1) % n]
        self.position += t_len
        return torch.tensor(inputs), torch.tensor(targets), fresh


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--text", default="en", choices=["en", "zh"])
    parser.add_argument("--steps", type=int, default=200)
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--embed", type=int, default=32)
    parser.add_argument("--window", type=int, default=64)
    parser.add_argument("--streams", type=int, default=32)
    parser.add_argument("--lr", type=float, default=0.003)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)

    path = {"en": "assets/text/shakespeare.txt", "zh": "assets/text/lunyu.txt"}[args.text]
    alphabet, train = load(path)
    vocab = len(alphabet)
    embedding = torch.nn.Embedding(vocab, args.embed)
    lstm = torch.nn.LSTM(args.embed, args.hidden)
    readout = torch.nn.Linear(args.hidden, vocab)
    params = list(embedding.parameters()) + list(lstm.parameters()) + list(readout.parameters())
    optimizer = torch.optim.Adam(params, lr=args.lr)
    loss_fn = torch.nn.CrossEntropyLoss()
    streams = Streams(train, args.window, args.streams)
    h = torch.zeros(1, args.streams, args.hidden)
    c = torch.zeros(1, args.streams, args.hidden)

    times = []
    cpu_times = []
    bits = []
    for step in range(args.steps):
        inputs, targets, fresh = streams.next()
        if fresh:
            h.zero_()
            c.zero_()
        started = time.perf_counter()
        cpu_started = time.process_time()
        optimizer.zero_grad()
        out, (h_last, c_last) = lstm(embedding(inputs), (h, c))
        logits = readout(out).reshape(-1, vocab)
        loss = loss_fn(logits, targets.reshape(-1))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 5.0)
        optimizer.step()
        h, c = h_last.detach(), c_last.detach()
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
        bits.append(loss.item() / math.log(2))

    warm = 10 if len(times) > 20 else 0
    timed, cpu_timed = times[warm:], cpu_times[warm:]
    tail = bits[-max(1, len(bits) // 10):]
    print(
        json.dumps(
            {
                "text": args.text,
                "vocab": vocab,
                "steps": args.steps,
                "threads": args.threads,
                "step_ms_mean": 1e3 * statistics.mean(timed),
                "step_ms_median": 1e3 * statistics.median(timed),
                "step_cpu_ms_mean": 1e3 * statistics.mean(cpu_timed),
                "train_seconds": sum(times),
                "train_bits_last_tenth": statistics.mean(tail),
            }
        )
    )


if __name__ == "__main__":
    main()
