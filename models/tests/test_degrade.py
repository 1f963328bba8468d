"""Source builders: the x1 the plugin must reproduce, and the parity vectors it is tested against."""
import json
import random
import os

import numpy as np
import pytest
import torch

from gctm.degrade import downsample, to_uint8, to_unit, upsample, make_pair, write_parity_vectors

FIXTURE = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "resize-bicubic.json")


def test_upsample_is_torch_bicubic_half_pixel():
    x = torch.arange(4.0).reshape(1, 1, 1, 4).repeat(1, 3, 1, 1)
    y = upsample(x, 2)
    # Keys a = −0.75, half-pixel centres. Output 2 sits at input 0.75: taps at −1, 0, 1, 2 with weights
    # −0.03515625, 0.26171875, 0.87890625, −0.10546875 (worked by hand), tap −1 clamped to 0.
    assert y.shape == (1, 3, 2, 8)
    assert torch.isclose(y[0, 0, 0, 2], torch.tensor(0.87890625 - 2 * 0.10546875), atol=1e-6)
    # Output 0 sits at −0.25: only the tap at 1 is non-zero, and the result is not clamped.
    assert torch.isclose(y[0, 0, 0, 0], torch.tensor(-0.10546875), atol=1e-6)


def test_upscale_pair_shapes_and_ranges():
    hr = torch.randint(0, 256, (2, 3, 32, 32), dtype=torch.uint8)
    x0, x1 = make_pair(hr, "upscale", 2, {}, random.Random(0))
    assert x0.shape == x1.shape == (2, 3, 32, 32)
    assert x0.min() >= -1 and x0.max() <= 1
    assert torch.equal(to_uint8(x0), hr)


def test_clean_pair_damages_each_image_on_its_own_draw():
    hr = torch.from_numpy(np.tile(np.linspace(0, 255, 32, dtype=np.uint8), (4, 3, 32, 1)))
    opts = {"noise_p": 1.0, "noise_std": [2.0, 20.0]}
    x0, x1 = make_pair(hr, "clean", 1, opts, random.Random(0))
    assert torch.equal(to_uint8(x0), hr)
    err = ((x1 - x0) * 127.5).std(dim=(1, 2, 3))
    assert (err > 1.0).all()                    # every image is damaged
    assert err.max() - err.min() > 1.0          # ... by its own strength


def test_unknown_task_is_refused():
    with pytest.raises(ValueError, match="unknown photo task"):
        make_pair(torch.zeros(1, 3, 8, 8, dtype=torch.uint8), "sharpen", 1, {}, random.Random(0))


def test_downsample_of_a_flat_image_is_flat():
    hr = torch.full((1, 3, 16, 16), 77, dtype=torch.uint8)
    assert torch.equal(downsample(hr, 4), torch.full((1, 3, 4, 4), 77, dtype=torch.uint8))


def test_committed_parity_vectors_are_current(tmp_path):
    fresh = tmp_path / "v.json"
    write_parity_vectors(str(fresh))
    with open(FIXTURE) as f:
        committed = json.load(f)
    with open(fresh) as f:
        assert json.load(f) == committed, "run `python3 -m gctm.fixtures` in models/ and commit test/fixtures"
