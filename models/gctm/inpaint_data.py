"""Inpainting pairs: x0 a clean crop (photo or illustration), x1 the same crop with the hole filled
with N(0, 1) noise, as the paper's inpainting coupling does. With `with_mask` (a network with
`mask = true`) both carry the hole as a fourth channel, the state MaskedGCTM works on; the plugin
composites the result inside the mask only either way.

`coarse_fill` is the guess MaskedGCTM starts from inside the hole (its skip path at t = 1): a smooth
continuation of the known pixels around it, so the network learns a correction to a reasonable guess
instead of a whole region from noise (models/README.md has what each way of filling the hole measured).

Masks come from a pool drawn once per run with seeded generators (gctm.masks) and are varied per
sample by a quarter turn, a flip and a shift, so a pool of a few thousand covers many more holes.
"""
import random

import numpy as np
import torch
import torch.nn.functional as F

from .data import ImageCrops
from .masks import make_mask


# Jacobi smoothing passes over the hole after the pyramid fill
FILL_SMOOTH = 32
# halvings of the pull-push pyramid: fixed, so the exported graph does the same at every size (H and W
# must be multiples of 2**FILL_LEVELS: the inpaint network's `multiple` is 8)
FILL_LEVELS = 3


def coarse_fill(x: torch.Tensor, hole: torch.Tensor, smooth: int = FILL_SMOOTH, levels: int = FILL_LEVELS) -> torch.Tensor:
    """x with every hole pixel replaced by a smooth guess from the known pixels around it; what is
    in the hole never counts.

    Pull: halve the image `levels` times, each pixel the mean of the known pixels under it (unknown
    when there are none); the last level's unknown pixels take the mean of its known ones (0 when none
    is known). Push: from the coarsest level down, an unknown pixel takes its parent's value (nearest).
    Then `smooth` Jacobi passes over the hole pixels: each becomes the mean of its four neighbours
    (edges repeated), known pixels fixed. x [B, C, H, W]; hole [B, 1, H, W], 1 inside.
    """
    known = (hole < 0.5).to(x.dtype)
    vals, ks = [x * known], [known]
    for _ in range(levels):
        total = F.avg_pool2d(vals[-1] * ks[-1], 2) * 4  # sums of the known pixels of each 2×2 block
        count = F.avg_pool2d(ks[-1], 2) * 4
        vals.append(total / count.clamp_min(1.0))
        ks.append((count > 0).to(x.dtype))
    v, k = vals[-1], ks[-1]
    mean = (v * k).sum((2, 3), keepdim=True) / k.sum((2, 3), keepdim=True).clamp_min(1.0)
    out = k * v + (1.0 - k) * mean
    for level in range(levels - 1, -1, -1):
        up = F.interpolate(out, scale_factor=2.0, mode="nearest")
        out = ks[level] * vals[level] + (1.0 - ks[level]) * up
    inside = 1.0 - known
    for _ in range(smooth):
        p = F.pad(out, (1, 1, 1, 1), mode="replicate")
        avg = (p[..., :-2, 1:-1] + p[..., 2:, 1:-1] + p[..., 1:-1, :-2] + p[..., 1:-1, 2:]) * 0.25
        out = out + inside * (avg - out)
    return out


def fill_hole(x0: torch.Tensor, mask: torch.Tensor, noise: torch.Tensor = None) -> torch.Tensor:
    """x1 = x0 outside the mask, N(0, 1) noise inside. x0 [B, 3, H, W] in [−1, 1]; mask [B, 1, H, W] in {0, 1}."""
    noise = torch.randn_like(x0) if noise is None else noise
    return x0 * (1.0 - mask) + noise * mask


def with_hole(x: torch.Tensor, mask: torch.Tensor, model) -> torch.Tensor:
    """The state a model works on: x itself, or [x, mask] for a model that takes the mask."""
    from .precond import takes_mask
    return torch.cat([x, mask.expand(x.shape[0], -1, -1, -1)], dim=1) if takes_mask(model) else x


class MaskPool:
    def __init__(self, size: int, count: int, seed: int, font_files=None):
        self.masks = torch.from_numpy(np.stack([make_mask(size, seed * 1_000_003 + i, font_files=font_files)
                                                for i in range(count)]))
        self.rng = random.Random(seed)

    def sample(self, batch: int) -> torch.Tensor:
        out = []
        size = self.masks.shape[-1]
        for _ in range(batch):
            m = self.masks[self.rng.randrange(len(self.masks))]
            m = torch.rot90(m, self.rng.randrange(4))
            if self.rng.random() < 0.5:
                m = m.flip(1)
            m = torch.roll(m, (self.rng.randrange(-size // 4, size // 4), self.rng.randrange(-size // 4, size // 4)), (0, 1))
            out.append(m)
        return torch.stack(out)[:, None].float()


class InpaintPairs:
    """Random (x0, x1) inpainting batches from photo crops with a share of clip art."""

    def __init__(self, photos, clipart, crop: int, scales, clipart_scales, clipart_fraction: float,
                 device, seed: int = 0, pool: int = 4096, font_files=None, with_mask: bool = False):
        self.photos = ImageCrops(photos, crop, scales, seed=seed)
        self.clipart = ImageCrops(clipart, crop, clipart_scales, seed=seed + 77, max_pixels=16_000_000) if clipart else None
        self.fraction = clipart_fraction if clipart else 0.0
        self.masks = MaskPool(crop, pool, seed, font_files)
        self.device = device
        self.with_mask = with_mask

    def sample(self, batch: int):
        n_clip = int(round(batch * self.fraction))
        crops = self.photos.sample(batch - n_clip)
        if n_clip:
            crops = torch.cat([crops, self.clipart.sample(n_clip)])
        x0 = (crops.float() / 127.5 - 1.0).to(self.device)
        mask = self.masks.sample(batch).to(self.device)
        x1 = fill_hole(x0, mask)
        if self.with_mask:
            return torch.cat([x0, mask], dim=1), torch.cat([x1, mask], dim=1)
        return x0, x1
