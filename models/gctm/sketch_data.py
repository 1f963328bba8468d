"""Sketch → image pairs: OpenMoji line drawings and their colourings, with the line side made to
look like what people draw in Figma.

x0 is the colour drawing, x1 the line drawing (dark strokes on white, grey replicated to 3 channels),
both in [−1, 1]. The augmentation runs in torch on the training device, on whole batches:
- both sides: a mirror flip and a small zoom/shift (white padding), so drawings need not be centred;
- the line side only: stroke width varied (thinner and thicker than OpenMoji's own), a small smooth
  jitter of the strokes, and a few gaps, as a hand-drawn sketch has.
"""
import numpy as np
import torch
import torch.nn.functional as F

from .data import DataError


def load_pairs(path: str):
    """(colour uint8 [N, H, W, 3], line uint8 [N, H, W], meta dict of arrays) from a bank file."""
    try:
        z = np.load(path)
    except (OSError, ValueError) as e:
        raise DataError(f"{path} is not a sketch-pair bank ({e}); build it with python3 -m gctm.bank") from None
    meta = {k: z[k] for k in ("hexcode", "group", "base") if k in z.files}
    return z["colour"], z["line"], meta


def to_unit(u8: torch.Tensor) -> torch.Tensor:
    return u8.float() / 127.5 - 1.0


def _warp(imgs: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """Sample with white outside the image (images are in [−1, 1], white = 1)."""
    return 1.0 - F.grid_sample(1.0 - imgs, grid, mode="bilinear", padding_mode="zeros", align_corners=False)


def _affine_grid(n, size, gen, device, zoom=(0.85, 1.1), shift=0.08):
    z = torch.empty(n).uniform_(*zoom, generator=gen).to(device)
    dx = (torch.rand(n, generator=gen) * 2 - 1).to(device) * shift
    dy = (torch.rand(n, generator=gen) * 2 - 1).to(device) * shift
    theta = torch.zeros(n, 2, 3, device=device)
    theta[:, 0, 0] = 1.0 / z
    theta[:, 1, 1] = 1.0 / z
    theta[:, 0, 2] = dx
    theta[:, 1, 2] = dy
    return F.affine_grid(theta, (n, 1, size, size), align_corners=False)


def vary_strokes(line: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """line [B, 1, H, W] in [−1, 1], dark strokes: per sample thinner (40 %), as drawn (40 %) or
    thicker (20 %). Dark strokes thin under a max filter and thicken under a min filter."""
    b = line.shape[0]
    r = torch.rand(b, generator=gen).to(line.device)
    thin = F.max_pool2d(line, 3, 1, 1)
    thick = -F.max_pool2d(-line, 3, 1, 1)
    pick = lambda m: m.reshape(b, 1, 1, 1).float()
    return pick(r < 0.4) * thin + pick((r >= 0.4) & (r < 0.8)) * line + pick(r >= 0.8) * thick


def jitter(line: torch.Tensor, gen: torch.Generator, amp_px: float = 1.2) -> torch.Tensor:
    """A smooth random displacement of up to about amp_px pixels (hand tremor)."""
    b, _, h, w = line.shape
    coarse = (torch.rand(b, 2, 6, 6, generator=gen) * 2 - 1).to(line.device)
    field = F.interpolate(coarse, size=(h, w), mode="bicubic", align_corners=False)
    base = F.affine_grid(torch.eye(2, 3, device=line.device)[None].expand(b, 2, 3), (b, 1, h, w), align_corners=False)
    disp = field.permute(0, 2, 3, 1) * (2.0 * amp_px / h)
    return _warp(line, base + disp)


def gaps(line: torch.Tensor, gen: torch.Generator, p: float = 0.5) -> torch.Tensor:
    """Erase a few small discs from half of the drawings (strokes that do not quite close)."""
    b, _, h, w = line.shape
    yy, xx = torch.meshgrid(torch.arange(h, device=line.device), torch.arange(w, device=line.device), indexing="ij")
    out = line.clone()
    for i in range(b):
        if torch.rand(1, generator=gen).item() >= p:
            continue
        k = int(torch.randint(2, 7, (1,), generator=gen))
        cy = torch.randint(0, h, (k,), generator=gen).to(line.device)
        cx = torch.randint(0, w, (k,), generator=gen).to(line.device)
        rad = (torch.rand(k, generator=gen) * 2 + 1.5).to(line.device)
        d2 = (yy[None] - cy[:, None, None]) ** 2 + (xx[None] - cx[:, None, None]) ** 2
        hole = (d2 <= rad[:, None, None] ** 2).any(dim=0)
        out[i, 0][hole] = 1.0
    return out


class SketchPairs:
    """Random augmented (x0 colour, x1 line) batches from a bank file, on `device`."""

    def __init__(self, path: str, device, seed: int = 0, augment: bool = True, size: int = 0):
        colour, line, self.meta = load_pairs(path)
        if len(colour) == 0:
            raise DataError(f"{path} holds no pairs")
        n = colour.shape[1]
        if size and (size > n or n % size):
            raise DataError(f"[data].crop = {size} must divide the bank's pair size {n}")
        # augmented at the bank's size (stroke widths and gaps in its pixels), then area-averaged to
        # the model's square, as the engine's box resampling shrinks a drawing
        self.factor = n // size if size else 1
        self.colour = torch.from_numpy(colour).permute(0, 3, 1, 2).contiguous()  # uint8, kept on CPU
        self.line = torch.from_numpy(line)[:, None].contiguous()
        self.device, self.augment = device, augment
        self.gen = torch.Generator().manual_seed(seed)

    def __len__(self):
        return len(self.colour)

    def sample(self, batch: int):
        idx = torch.randint(0, len(self.colour), (batch,), generator=self.gen)
        x0 = to_unit(self.colour[idx].to(self.device))
        line = to_unit(self.line[idx].to(self.device))
        if self.augment:
            flip = (torch.rand(batch, generator=self.gen) < 0.5).to(self.device)
            x0 = torch.where(flip[:, None, None, None], x0.flip(3), x0)
            line = torch.where(flip[:, None, None, None], line.flip(3), line)
            grid = _affine_grid(batch, x0.shape[-1], self.gen, self.device)
            x0, line = _warp(x0, grid), _warp(line, grid)
            line = gaps(jitter(vary_strokes(line, self.gen), self.gen), self.gen)
        if self.factor > 1:
            x0, line = F.avg_pool2d(x0, self.factor), F.avg_pool2d(line, self.factor)
        return x0, line.expand(-1, 3, -1, -1).contiguous()
