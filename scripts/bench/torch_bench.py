"""PyTorch CPU side of `npm run bench`: the twins of the TF.js models (torch_models.py), same batch, loss and Adam 1e-3.

Prints one JSON object per line: {"model", "threads", "examplesPerSec", "epochSeconds": [...], "params", "torch"};
with --params-only just {"model", "params"}. Each thread count sets both PyTorch's threads and OpenBLAS's (they are
separate pools). Data are random tensors of the right shapes: the benchmark measures speed, not learning.
"""
import argparse
import json
import statistics
import sys
import time

import torch

from torch_blas import loaded_blas_libraries, openblas, set_threads
from torch_models import make_case, trainable_parameters


def rows(inputs, start, stop):
    return tuple(x[start:stop] for x in inputs) if isinstance(inputs, tuple) else inputs[start:stop]


def run_epoch(model, x, y, loss_fn, optimizer, batch_size):
    start = time.perf_counter()
    for i in range(0, y.shape[0], batch_size):
        optimizer.zero_grad()
        loss = loss_fn(model(rows(x, i, i + batch_size)), y[i:i + batch_size])
        loss.backward()
        optimizer.step()
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--models', default='mlp,cnn,lstm')
    parser.add_argument('--threads', default='1')
    parser.add_argument('--examples', default='', help='model=examples per epoch, comma-separated (default 1280)')
    parser.add_argument('--epochs', type=int, default=3)
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--params-only', action='store_true')
    args = parser.parse_args()
    examples = dict((k, int(v)) for k, v in (item.split('=') for item in args.examples.split(',') if item))
    names = args.models.split(',')
    if args.params_only:
        for name in names:
            print(json.dumps({'model': name, 'params': trainable_parameters(make_case(name)[0])}), flush=True)
        return 0
    lib = openblas(loaded_blas_libraries())
    torch.manual_seed(0)
    for threads in (int(t) for t in args.threads.split(',')):
        set_threads(lib, threads)
        for name in names:
            n = examples.get(name, 1280)
            model, inputs, labels, loss_fn = make_case(name)
            x, y = inputs(n), labels(n)
            optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=1e-3)
            run_epoch(model, x, y, loss_fn, optimizer, args.batch_size)  # warm-up
            seconds = [run_epoch(model, x, y, loss_fn, optimizer, args.batch_size) for _ in range(args.epochs)]
            print(json.dumps({'model': name, 'threads': threads, 'examplesPerSec': n / statistics.median(seconds),
                              'epochSeconds': seconds, 'params': trainable_parameters(model),
                              'torch': torch.__version__}), flush=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
