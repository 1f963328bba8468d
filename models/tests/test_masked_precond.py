"""The inpainting parameterization (MaskedGCTM): the state is [RGB, hole], pixels outside the hole pass
through every jump exactly, the hole itself never changes, and the losses stay finite although the
network's weight is zero outside the hole."""
import torch

from gctm.config import Gctm
from gctm.inpaint_data import fill_hole
from gctm.precond import MaskedGCTM, estimate_hole_vars
from gctm.trainer import Trainer, build_model

NET = {"kind": "unet", "channels": 8, "channel_mult": [1, 2], "num_blocks": 1, "patch": 2, "mask": True}


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


def test_the_network_sees_the_hole_as_a_fourth_channel():
    m = model()
    assert isinstance(m, MaskedGCTM) and m.net.cfg.in_channels == 4


def test_hole_statistics_are_measured_inside_the_hole():
    x0, x1, _ = pair(b=8, size=32)
    var0, var1, var01 = estimate_hole_vars(x0, x1)
    assert abs(var0 - 1 / 3) < 0.03  # uniform on [−1, 1]
    assert abs(var1 - 1.0) < 0.1 and abs(var01) < 0.05  # N(0, 1) noise, independent of the image


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
