"""The inpainting parameterization (MaskedGCTM): the state is [RGB, hole], pixels outside the hole pass
through every jump exactly, the hole itself never changes, the skip path at t = 1 carries the coarse
fill rather than the noise, and the losses stay finite although the network's weight is zero outside
the hole."""
import torch

from gctm.config import Gctm
from gctm.inpaint_data import fill_hole
from gctm.precond import MaskedGCTM, estimate_hole_vars
from gctm.trainer import Trainer, build_model

NET = {"kind": "unet", "channels": 8, "channel_mult": [1, 2, 2], "num_blocks": 1, "patch": 2, "mask": True}


def hole(b=3, size=16):
    m = torch.zeros(b, 1, size, size)
    m[:, :, 4:10, 3:12] = 1
    m[1, :, 12:15, 0:5] = 1
    return m


def pair(b=3, size=16, seed=0):
    g = torch.Generator().manual_seed(seed)
    x0 = torch.rand(b, 3, size, size, generator=g) * 2 - 1
    m = hole(b, size)
    x1 = fill_hole(x0, m, torch.randn(x0.shape, generator=g))
    return torch.cat([x0, m], 1), torch.cat([x1, m], 1), m


def model():
    x0, x1, _ = pair()
    m = build_model(NET, estimate_hole_vars(x0, x1), 0.002, 80.0).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))  # leave the zero-init identity so the fill is not trivial
    return m


def test_the_network_sees_the_image_the_hole_and_the_guess():
    m = model()
    assert isinstance(m, MaskedGCTM) and m.net.cfg.in_channels == 7
    import pytest
    with pytest.raises(ValueError, match="multiple of 8"):
        build_model({**NET, "channel_mult": [1, 2]}, [0.3, 0.25, 0.2], 0.002, 80.0)


def ramps(b=4, size=32):
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    return torch.stack([xx, yy, 0.5 * xx * yy])[None].repeat(b, 1, 1, 1)


def test_hole_statistics_are_the_guess_against_the_image_inside_the_hole():
    x0 = ramps()
    mask = hole(4, 32)
    x1 = fill_hole(x0, mask)
    var0, var1, var01 = estimate_hole_vars(torch.cat([x0, mask], 1), torch.cat([x1, mask], 1))
    assert abs(var0 - x0.var().item()) < 1e-6
    assert var01 / var1 > 0.8  # on smooth ramps the guess follows the image
    other = fill_hole(x0, mask)  # other noise in the hole: the guess never sees it
    assert estimate_hole_vars(torch.cat([x0, mask], 1), torch.cat([other, mask], 1)) == [var0, var1, var01]


def test_at_t_1_the_skip_path_is_the_coarse_fill_not_the_noise():
    m = model()
    m.net.forward = lambda x, c_t, c_s: torch.zeros(x.shape[0], 7, *x.shape[2:])  # F = 0: the skip path alone
    x0, x1, mask = pair()
    other = torch.cat([fill_hole(x0[:, :3], mask), mask], 1)
    one = torch.ones(3)
    with torch.no_grad():
        a, b = m.g(x1, one, one), m.g(other, one, one)
    assert torch.allclose(a, b, atol=1e-6)
    with torch.no_grad():
        zero = torch.zeros(3)
        assert torch.equal(m.g(x0, zero, zero), x0)  # at t = 0 the skip is x itself


def test_pixels_outside_the_hole_and_the_hole_channel_pass_through_exactly():
    m = model()
    _, x1, mask = pair()
    t, s = torch.tensor([1.0, 0.7, 0.3]), torch.tensor([0.0, 0.2, 0.1])
    outside = (mask < 0.5).expand(-1, 3, -1, -1)
    with torch.no_grad():
        for out in (m(x1, t, s), m.g(x1, t, s), m.g(x1, t, t)):
            assert torch.equal(out[:, :3][outside], x1[:, :3][outside])
            assert torch.equal(out[:, 3:], mask)
            assert (out[:, :3][~outside] - x1[:, :3][~outside]).abs().max() > 1e-2  # the hole is filled


def test_G_is_identity_when_s_equals_t_exactly():
    m = model()
    _, x1, _ = pair()
    t = torch.tensor([0.0, 0.4, 1.0])
    with torch.no_grad():
        assert torch.equal(m(x1, t, t), x1)


def test_gctm_and_flow_matching_steps_are_finite_and_learn():
    torch.manual_seed(0)
    m = build_model(NET, [0.33, 1.0, 0.0], 0.002, 80.0)
    x0, x1, _ = pair(b=4)
    trainer = Trainer(m, Gctm(coupling="paired", distance="l2", steps=4, ctm_source_p=0.5), lr=1e-3)
    first = [trainer.step(x0, x1)["loss"] for _ in range(3)]
    for _ in range(30):
        last = trainer.step(x0, x1)["loss"]
    assert all(torch.isfinite(torch.tensor(v)) for v in first + [last])
    assert last < first[0]
