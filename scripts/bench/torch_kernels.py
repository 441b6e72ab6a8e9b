"""PyTorch's speed on the single products and convolutions that bound the bench's models (see kernel-ceiling.ts):
for each workload, the median seconds of one call on --threads threads, as one JSON line per (workload, threads).

Workloads (float32, NHWC sizes as TF.js names them; PyTorch runs NCHW, its native layout):
  matmul        [64,784] x [784,256]             (the MLP's first layer)
  conv          x [64,16,16,64], w 3x3 64->64, same padding, stride 1 (the CIFAR CNN's second block)
  conv_input    the same convolution's input gradient
  conv_filter   the same convolution's filter gradient
"""
import argparse
import json
import time

import torch
import torch.nn.functional as F
from torch.nn.grad import conv2d_input, conv2d_weight


def timed(fn, min_seconds=1.0, repeats=5):
    """Median seconds of one call: `repeats` trials, each of as many calls as fill about min_seconds / repeats."""
    for _ in range(3):
        fn()
    start = time.perf_counter()
    fn()
    once = max(time.perf_counter() - start, 1e-6)
    calls = max(1, int(min_seconds / repeats / once))
    trials = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            fn()
        trials.append((time.perf_counter() - start) / calls)
    return sorted(trials)[len(trials) // 2]


def workloads():
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, 784, generator=g), torch.randn(784, 256, generator=g)
    x = torch.randn(64, 64, 16, 16, generator=g)
    w = torch.randn(64, 64, 3, 3, generator=g)
    dy = torch.randn(64, 64, 16, 16, generator=g)
    return {
        'matmul': lambda: torch.matmul(a, b),
        'conv': lambda: F.conv2d(x, w, padding=1),
        'conv_input': lambda: conv2d_input(x.shape, w, dy, padding=1),
        'conv_filter': lambda: conv2d_weight(x, w.shape, dy, padding=1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--threads', default='1')
    parser.add_argument('--seconds', type=float, default=1.0)
    args = parser.parse_args()
    with torch.no_grad():
        for threads in [int(t) for t in args.threads.split(',')]:
            torch.set_num_threads(threads)
            for name, fn in workloads().items():
                print(json.dumps({'workload': name, 'threads': threads, 'seconds': timed(fn, args.seconds), 'torch': torch.__version__}), flush=True)


if __name__ == '__main__':
    main()
