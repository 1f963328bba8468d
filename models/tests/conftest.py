"""Shared test set-up: import path, one compute thread (CI has two cores), fixed seeds."""
import os
import sys

import pytest
import torch

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gctm.threads import set_threads  # noqa: E402

# One thread for PyTorch and for its BLAS (gctm/threads.py): the suite runs beside the browser lane
set_threads(1)


@pytest.fixture(autouse=True)
def _seed():
    torch.manual_seed(0)
