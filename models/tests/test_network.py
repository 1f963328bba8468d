"""The plain ResNet's two promises: it runs at 1/patch resolution, and a pixel only sees its receptive
field (no normalisation), which is what the card's tile overlap is computed from (card.tile_for)."""
import torch

from gctm.card import tile_for
from gctm.network import ResNet, ResNetConfig


def _net(**kw):
    torch.manual_seed(0)
    net = ResNet(ResNetConfig(**kw)).eval()
    with torch.no_grad():  # zero-initialised output layers would hide everything
        for p in net.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return net


def test_shapes_and_cost_scale_with_patch():
    for patch in (2, 4):
        net = _net(channels=8, blocks=2, patch=patch)
        x = torch.randn(2, 3, 8 * patch, 4 * patch)
        c = torch.zeros(2)
        assert net(x, c, c).shape == x.shape
        assert net.cfg.multiple == patch


def test_a_pixel_sees_only_its_receptive_field():
    cfg = dict(channels=8, blocks=2, patch=4)
    net = _net(**cfg)
    radius = (2 * cfg["blocks"] + 2) * cfg["patch"]  # 3×3 convs at 1/patch resolution
    x = torch.randn(1, 3, 96, 96)
    c = torch.zeros(1)
    y = net(x, c, c)
    far = x.clone()
    far[..., :, 48 + radius + cfg["patch"]:] = torch.randn_like(far[..., :, 48 + radius + cfg["patch"]:])
    y2 = net(far, c, c)
    # columns up to 48 (a whole patch group left of the change minus the radius) are untouched
    assert torch.equal(y[..., :, :48], y2[..., :, :48])
    assert not torch.equal(y, y2)
    tile, overlap = tile_for(net.cfg)
    assert overlap >= radius and tile % net.cfg.multiple == 0
