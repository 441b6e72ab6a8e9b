"""PyTorch CPU side of `npm run bench`: the same reference models, batch size and optimizer as scripts/bench.ts.

Prints one JSON object per line: {"model", "threads", "examplesPerSec", "epochSeconds": [...]}.
Data are random tensors of the right shapes: the benchmark measures speed, not learning.
"""
import argparse
import json
import statistics
import sys
import time

import torch
from torch import nn


def mlp():
    return nn.Sequential(nn.Flatten(), nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 10))


def cnn():
    # Same as the TF.js model: valid 3x3 convolutions, 2x2 max pools, 28 -> 26 -> 13 -> 11 -> 5.
    return nn.Sequential(
        nn.Conv2d(1, 16, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 5 * 5, 64), nn.ReLU(), nn.Linear(64, 10))


class EmbeddingLstm(nn.Module):
    def __init__(self, vocab=5000, dim=64, units=64):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim)
        self.lstm = nn.LSTM(dim, units, batch_first=True)
        self.head = nn.Linear(units, 1)

    def forward(self, tokens):
        _, (h, _) = self.lstm(self.embedding(tokens))
        return self.head(h[-1]).squeeze(1)


def make_case(name, n):
    if name == 'mlp':
        return mlp(), torch.randn(n, 784), torch.randint(0, 10, (n,)), nn.CrossEntropyLoss()
    if name == 'cnn':
        return cnn(), torch.randn(n, 1, 28, 28), torch.randint(0, 10, (n,)), nn.CrossEntropyLoss()
    if name == 'lstm':
        return (EmbeddingLstm(), torch.randint(0, 5000, (n, 40)), torch.randint(0, 2, (n,)).float(),
                nn.BCEWithLogitsLoss())
    raise SystemExit(f'unknown model {name!r}; use mlp, cnn or lstm')


def run_epoch(model, x, y, loss_fn, optimizer, batch_size):
    start = time.perf_counter()
    for i in range(0, x.shape[0], batch_size):
        optimizer.zero_grad()
        loss = loss_fn(model(x[i:i + batch_size]), y[i:i + batch_size])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--models', default='mlp,cnn,lstm')
    parser.add_argument('--threads', default='1,2')
    parser.add_argument('--examples', default='mlp=2560,cnn=1280,lstm=1280')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=64)
    args = parser.parse_args()
    examples = dict((k, int(v)) for k, v in (item.split('=') for item in args.examples.split(',')))
    torch.manual_seed(0)
    for threads in (int(t) for t in args.threads.split(',')):
        torch.set_num_threads(threads)
        for name in args.models.split(','):
            n = examples[name]
            model, x, y, loss_fn = make_case(name, n)
            optimizer = torch.optim.Adam(model.parameters(), lr=1e-3)
            run_epoch(model, x, y, loss_fn, optimizer, args.batch_size)  # warm-up
            seconds = [run_epoch(model, x, y, loss_fn, optimizer, args.batch_size) for _ in range(args.epochs)]
            print(json.dumps({'model': name, 'threads': threads, 'examplesPerSec': n / statistics.median(seconds),
                              'epochSeconds': seconds, 'torch': torch.__version__}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
