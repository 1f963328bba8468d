"""The noise ε of a perturbed source x1 + σp·ε, and its resolution ([gctm].sigma_p_scale = k).

k = 1: white noise at x1's own pixels (the sketch model, restore-x2). k > 1, for an upscaler whose
factor k divides: white noise at 1/k of x1's resolution, brought to size by the plugin's bicubic
resize. Why: the noise is two things at once. Its part outside the span of the bicubic source (a ×s
source spans 1/s² of the pixels' dimensions) is what the flow turns into detail, and what the
denoiser must cancel; its part inside looks like detail of the small image. A network running at
1/p resolution with c channels carries at most c values per p×p block, so it can read and cancel at
most that much noise: restore-x4 (32 channels, 4×4 blocks of 48 values) passed white noise through
whole. Noise at 1/2 resolution has 12 values per block; noise at 1/s (on the small input itself, as
resizing is linear) has none outside the span, and the flow then has nothing to draw detail from.
"""
import torch

from .degrade import upsample

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
