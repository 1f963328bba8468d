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


def test_film_conditioning_makes_the_jump_target_change_the_features():
    """With scale-and-shift conditioning the output for s = 0 and s = 1 differs by more than a
    per-channel offset (an additive bias alone cannot rescale features); locality is kept."""
    from gctm.network import UNet, UNetConfig
    for net in (_net(channels=8, blocks=2, patch=2, film=True),):
        x = torch.randn(1, 3, 32, 32)
        a = net(x, torch.zeros(1), torch.zeros(1))
        b = net(x, torch.zeros(1), torch.ones(1))
        diff = (a - b)[0].reshape(3, -1)
        # not a constant per channel: the difference varies across pixels
        assert diff.std(dim=1).min() > 1e-4
    torch.manual_seed(0)
    unet = UNet(UNetConfig(channels=8, channel_mult=[1, 2], patch=2, film=True)).eval()
    with torch.no_grad():
        for p in unet.parameters():
            p.add_(0.1 * torch.randn_like(p))
        x = torch.randn(2, 3, 16, 16)
        assert unet(x, torch.zeros(2), torch.ones(2)).shape == x.shape


def test_networks_without_film_keep_their_checkpoint_signature():
    from gctm.network import architecture_signature
    assert "film" not in architecture_signature(_net(channels=8, blocks=1, patch=2))
    assert architecture_signature(_net(channels=8, blocks=1, patch=2, film=True))["film"] is True


def test_unet_inner_width_keeps_old_signatures_and_whole_norm_groups():
    import pytest

    from gctm.network import UNet, UNetConfig, architecture_signature
    plain = UNet(UNetConfig(channels=8, channel_mult=[1, 2], patch=2))
    assert "inner_mult" not in architecture_signature(plain), "checkpoints made before the option still load"
    wide = UNet(UNetConfig(channels=8, channel_mult=[1, 2], patch=2, inner_mult=1.5))
    assert architecture_signature(wide)["inner_mult"] == 1.5
    block, narrow = wide.down[0], plain.down[0]
    assert block.conv0.out_channels == 12 and block.conv1.in_channels == 12 and block.conv1.out_channels == 8
    group = narrow.norm1.num_channels // narrow.norm1.num_groups
    assert block.norm1.num_channels // block.norm1.num_groups == group, "the narrow block's groups, more of them"
    x = torch.randn(2, 3, 16, 16)
    assert wide(x, torch.zeros(2), torch.ones(2)).shape == x.shape
    with pytest.raises(ValueError, match="multiple of 2"):
        UNet(UNetConfig(channels=8, channel_mult=[1, 2], patch=2, inner_mult=1.1))
