"""What PyTorch computes with here: its build's BLAS line, the BLAS library the process really loaded, OpenBLAS's
core type and threads; with --check, whether float32 products are right (against float64 sums computed without
any BLAS) and how fast a [64,784]x[784,256] product runs on --threads threads.

Prints one JSON object. The bench (scripts/bench/torch.ts) runs it once per OpenBLAS core type it tries.
"""
import argparse
import ctypes
import json
import os
import re
import sys
import time

import torch

BLAS_NAMES = re.compile(r'blas|lapack|mkl|blis|atlas|accelerate', re.IGNORECASE)


def loaded_blas_libraries():
    """Shared libraries of this process whose file name says BLAS/LAPACK/MKL (Linux: /proc/self/maps)."""
    try:
        with open('/proc/self/maps') as maps:
            paths = {line.split()[-1] for line in maps if '/' in line}
    except OSError:
        return []
    return sorted(p for p in paths if BLAS_NAMES.search(os.path.basename(p)))


def openblas(libraries):
    """OpenBLAS's own view (core type, config, threads) if one of the loaded libraries is OpenBLAS, else None."""
    for path in libraries:
        try:
            lib = ctypes.CDLL(path)
            lib.openblas_get_corename.restype = ctypes.c_char_p
            lib.openblas_get_config.restype = ctypes.c_char_p
        except (OSError, AttributeError):
            continue
        return lib
    return None


def build_setting(name):
    match = re.search(rf'{name}=([^,\s]+)', torch.__config__.show())
    return match.group(1) if match else None


def describe(lib, libraries):
    return {
        'torch': torch.__version__,
        'blasInfo': build_setting('BLAS_INFO'),
        'mkldnn': torch.backends.mkldnn.is_available(),
        'libraries': libraries,
        'openblas': None if lib is None else {
            'corename': lib.openblas_get_corename().decode(),
            'config': lib.openblas_get_config().decode(),
            'threads': lib.openblas_get_num_threads(),
        },
        'torchThreads': torch.get_num_threads(),
        'interopThreads': torch.get_num_interop_threads(),
        'env': {k: os.environ[k] for k in ('OPENBLAS_CORETYPE', 'OPENBLAS_L2_SIZE', 'OPENBLAS_NUM_THREADS',
                                            'OMP_NUM_THREADS', 'MKL_NUM_THREADS') if k in os.environ},
    }


def exact_product(a, b):
    """a @ b in float64 by broadcast sums, row block by row block: no BLAS involved."""
    a, b = a.double(), b.double()
    return torch.cat([(a[i:i + 8, :, None] * b[None, :, :]).sum(1) for i in range(0, a.shape[0], 8)])


def product_error():
    """Largest error of float32 products (plain and both transposed forms, as training uses) relative to the
    largest exact value."""
    g = torch.Generator().manual_seed(0)
    a, b = torch.randn(64, 784, generator=g), torch.randn(784, 256, generator=g)
    worst = 0.0
    for x, y in ((a, b), (a.t().contiguous().t(), b), (a, b.t().contiguous().t()), (b.t()[:67], a.t()[:, :33])):
        exact = exact_product(x, y)
        worst = max(worst, ((x @ y).double() - exact).abs().max().item() / exact.abs().max().item())
    return worst


def gemm_gflops(windows=6, seconds=0.05):
    """The best of several short windows: on a shared machine the fastest window is the one least disturbed."""
    a, b = torch.randn(64, 784), torch.randn(784, 256)
    for _ in range(10):
        a @ b
    rates = []
    for _ in range(windows):
        calls, start = 0, time.perf_counter()
        while time.perf_counter() - start < seconds:
            a @ b
            calls += 1
        rates.append(2 * 64 * 784 * 256 * calls / (time.perf_counter() - start) / 1e9)
    return max(rates)


def set_threads(lib, threads):
    torch.set_num_threads(threads)
    if lib is not None:
        lib.openblas_set_num_threads(threads)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--check', action='store_true')
    parser.add_argument('--threads', type=int, default=1)
    args = parser.parse_args()
    libraries = loaded_blas_libraries()
    lib = openblas(libraries)
    report = describe(lib, libraries)
    if args.check:
        set_threads(lib, args.threads)
        report['check'] = {'maxRelativeError': product_error(), 'gflops': gemm_gflops(), 'threads': args.threads}
    print(json.dumps(report))
    return 0


if __name__ == '__main__':
    sys.exit(main())
