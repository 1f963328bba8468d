"""Inpainting pairs: x0 a clean crop (photo or illustration), x1 the same crop with Gaussian noise in
the hole, as the paper's inpainting coupling does, centred on a coarse fill of the hole from its
surroundings (`coarse_fill`) rather than on grey. The fill alone is already about as close as OpenCV's
Telea (measured on the validation crops: 21.5 dB inside the hole against 20.5), so the network learns
a correction to a reasonable guess instead of a whole region from nothing; the noise (`HOLE_SIGMA`), the
paper's perturbation of the source, is what a seed changes. The engine builds the same x1 (ui/engine/image/coarse-fill.ts, parity-tested on
test/fixtures/coarse-fill.json).

With `with_mask` (a network with `mask = true`) both carry the hole as a fourth channel, the state
MaskedGCTM works on; the plugin composites the result inside the mask only either way.

Masks come from a pool drawn once per run with seeded generators (gctm.masks) and are varied per
sample by a quarter turn, a flip and a shift, so a pool of a few thousand covers many more holes.
"""
import random

import numpy as np
import torch
import torch.nn.functional as F

from .data import ImageCrops
from .masks import make_mask


# the noise's standard deviation in the hole, in [−1, 1] units (the card's source.hole_sigma): the
# paper's perturbation σp of an image-to-image source (0.05). The network's skip path carries x1, noise
# included, and the network must cancel that noise pixel by pixel: at σ 0.5 and 0.2 the fills of the
# first 2,000 teacher steps were still speckled and below Telea; at 0.05 what is left is a few levels.
HOLE_SIGMA = 0.05
# Jacobi smoothing passes over the hole after the pyramid fill (the card's source.hole_smooth)
HOLE_SMOOTH = 32


def coarse_fill(x: torch.Tensor, hole: torch.Tensor, smooth: int = HOLE_SMOOTH) -> torch.Tensor:
    """x with every hole pixel replaced by a smooth guess from the known pixels around it.

    Pull: halve the image while both sides are even and above 1, each pixel the mean of the known
    pixels under it (unknown when there are none); the last level's unknown pixels take the mean of its
    known ones (0 when none is known). Push: from the coarsest level down, an unknown pixel takes its
    parent's value (nearest). Then `smooth` Jacobi passes over the hole pixels: each becomes the mean of
    its four neighbours (edges repeated), known pixels fixed. x [B, C, H, W]; hole [B, 1, H, W], 1 inside.
    """
    known = (hole < 0.5).to(x.dtype)
    vals, ks = [x], [known]
    while vals[-1].shape[-2] % 2 == 0 and vals[-1].shape[-1] % 2 == 0 and min(vals[-1].shape[-2:]) > 1:
        k = ks[-1]
        total = F.avg_pool2d(vals[-1] * k, 2) * 4  # sums of the known pixels of each 2×2 block
        count = F.avg_pool2d(k, 2) * 4
        vals.append(total / count.clamp_min(1.0))
        ks.append((count > 0).to(x.dtype))
    v, k = vals[-1], ks[-1]
    mean = (v * k).sum((2, 3), keepdim=True) / k.sum((2, 3), keepdim=True).clamp_min(1.0)
    out = torch.where(k > 0, v, mean.expand_as(v))
    for level in range(len(vals) - 2, -1, -1):
        up = out.repeat_interleave(2, dim=-2).repeat_interleave(2, dim=-1)
        out = torch.where(ks[level] > 0, vals[level], up)
    inside = known < 0.5
    for _ in range(smooth):
        p = F.pad(out, (1, 1, 1, 1), mode="replicate")
        avg = (p[..., :-2, 1:-1] + p[..., 2:, 1:-1] + p[..., 1:-1, :-2] + p[..., 1:-1, 2:]) * 0.25
        out = torch.where(inside, avg, out)
    return out


def write_coarse_fill_vectors(path: str, seed: int = 0):
    """Inputs and outputs of coarse_fill for the engine's parity test (test/fixtures/coarse-fill.json):
    a rectangle inside, a ragged hole touching two edges, sides whose pyramid stops early (24, 40×24)."""
    import json
    g = torch.Generator().manual_seed(seed)
    cases = []
    for h, w, smooth in ((16, 16, 32), (32, 32, 32), (24, 24, 8), (24, 40, 0)):
        x = torch.rand(1, 3, h, w, generator=g) * 2 - 1
        hole = torch.zeros(1, 1, h, w)
        if len(cases) == 0:
            hole[..., 5:11, 3:12] = 1
        else:
            hole = (torch.rand(1, 1, h // 4, w // 4, generator=g) < 0.35).float()
            hole = F.interpolate(hole, size=(h, w), mode="nearest")
            hole[..., 0, :] = 1
            hole[..., :, -1] = 1
        out = coarse_fill(x, hole, smooth)
        cases.append({"width": w, "height": h, "smooth": smooth, "x": x.flatten().tolist(),
                      "hole": hole.flatten().tolist(), "out": out.flatten().tolist()})
    with open(path, "w") as f:
        json.dump({"cases": cases}, f)


def fill_hole(x0: torch.Tensor, mask: torch.Tensor, noise: torch.Tensor = None, sigma: float = HOLE_SIGMA) -> torch.Tensor:
    """x1 = x0 outside the mask; inside, the coarse fill plus sigma·N(0, 1) noise. x0 [B, 3, H, W] in
    [−1, 1]; mask [B, 1, H, W] in {0, 1}."""
    noise = torch.randn_like(x0) if noise is None else noise
    m = mask.expand(x0.shape[0], -1, -1, -1)
    return torch.where(m > 0.5, coarse_fill(x0, m) + sigma * noise, x0)


def with_hole(x: torch.Tensor, mask: torch.Tensor, model) -> torch.Tensor:
    """The state a model works on: x itself, or [x, mask] for a model that takes the mask."""
    return torch.cat([x, mask.expand(x.shape[0], -1, -1, -1)], dim=1) if getattr(model, "takes_mask", False) else x


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
