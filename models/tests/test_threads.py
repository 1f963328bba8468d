"""gctm.threads: one call sets PyTorch's threads and, where PyTorch's BLAS is OpenBLAS, OpenBLAS's."""
import pytest
import torch

from gctm.threads import blas_threads, set_threads


def test_set_threads_sets_torch_and_openblas_alike():
    if blas_threads() == 0:
        pytest.skip("PyTorch's BLAS here is not OpenBLAS: only torch's own pool has a count")
    before = torch.get_num_threads()
    try:
        for n in (2, 1):
            set_threads(n)
            assert torch.get_num_threads() == n
            assert blas_threads() == n
    finally:
        set_threads(before)


def test_the_suite_computes_with_one_blas_thread():
    # conftest.py asks for one; a BLAS pool at the core count stalls beside the browser lane
    assert torch.get_num_threads() == 1
    assert blas_threads() in (0, 1)
