"""The number of CPU threads a process computes with, for PyTorch's own pool and for OpenBLAS's.

Debian's PyTorch does its dense matrix products (linear layers, attention, `@`) in the system BLAS,
OpenBLAS's pthread build, whose pool is sized when it loads (from OPENBLAS_NUM_THREADS or
OMP_NUM_THREADS, else the core count) and is not changed by `torch.set_num_threads`. A process asked
for one thread, with neither variable set, so still ran every small product on two threads. Beside
another busy process (training, the other test lane) those threads wait on each other: a 128×128
linear layer on 128 rows took 1.8–6.2 ms a call instead of 0.2–0.4 ms with one BLAS thread (timed here
on the two-core machine with a throwaway script, training running beside it).
"""
import ctypes
import functools

import torch


@functools.lru_cache(maxsize=None)
def _openblas_libraries() -> tuple:
    """The loaded shared libraries that export OpenBLAS's thread setter (none on other BLAS builds)."""
    try:
        with open("/proc/self/maps") as maps:
            paths = sorted({line.split()[-1] for line in maps if "blas" in line.split()[-1]})
    except OSError:  # not Linux: nothing to find this way
        return ()
    found = []
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        if hasattr(lib, "openblas_set_num_threads") and hasattr(lib, "openblas_get_num_threads"):
            found.append(lib)
    return tuple(found)


def set_threads(n: int):
    """Computes with `n` threads: PyTorch's intra-op pool and, where PyTorch's BLAS is OpenBLAS, its pool."""
    torch.set_num_threads(n)
    for lib in _openblas_libraries():
        lib.openblas_set_num_threads(n)


def blas_threads() -> int:
    """OpenBLAS's thread count in this process, or 0 when PyTorch's BLAS is not OpenBLAS."""
    libs = _openblas_libraries()
    return libs[0].openblas_get_num_threads() if libs else 0
