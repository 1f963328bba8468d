"""The noise ε of a perturbed source x1 + σp·ε, and where it is drawn ([gctm].sigma_p_at).

- "x1": white noise at x1's own pixels (the sketch model, restore-x2).
- "input": for an upscaler, white noise on the small input image before the plugin's bicubic resize,
  so ε = upsample(N(0, I) at 1/scale). Resizing is linear, so this is the same as noising the small
  image the user gives. Why: a bicubic ×s source spans 1/s² of the pixels' dimensions. White noise at
  x1's pixels mostly lies outside that span, where it looks like nothing an image has, and the
  denoiser must cancel it through the network's channels: restore-x4's 32 channels at 1/4 resolution
  cannot cancel 45 of every 48 pixel values, and its flow passed the noise through whole. Noise drawn
  on the input lies inside the span: it looks like detail of the small image, which the flow turns
  into detail of the large one.
"""
import torch

from .degrade import upsample

PLACES = ("x1", "input")


def noise_scale(cfg) -> int:
    """The factor from the noise's resolution to x1's: the upscale factor for "input", else 1."""
    if cfg.gctm.sigma_p_at == "input":
        return int(cfg.data.scale)
    return 1


def draw(like: torch.Tensor, scale: int = 1, generator: torch.Generator = None) -> torch.Tensor:
    """ε shaped like `like` ([B, C, H, W] when scale > 1): white noise, or white noise at 1/scale
    resolution brought to size by the plugin's resize."""
    if scale <= 1:
        return torch.randn(like.shape, generator=generator, dtype=like.dtype).to(like.device)
    b, c, h, w = like.shape
    if h % scale or w % scale:
        raise ValueError(f"a source of {h}×{w} is not a ×{scale} upscale")
    small = torch.randn((b, c, h // scale, w // scale), generator=generator, dtype=like.dtype)
    return upsample(small, scale).to(like.device)


_VARIANCE = {}


def variance(scale: int = 1) -> float:
    """The per-pixel variance of `draw` (1 for white noise; below 1 after the resize, which averages),
    for the preconditioning's Var x1. Measured once per scale on a large seeded draw."""
    if scale <= 1:
        return 1.0
    if scale not in _VARIANCE:
        g = torch.Generator().manual_seed(0)
        _VARIANCE[scale] = float(draw(torch.zeros(1, 3, 128 * scale, 128 * scale), scale, g)
                                 [..., 2 * scale:-2 * scale, 2 * scale:-2 * scale].var())
    return _VARIANCE[scale]
