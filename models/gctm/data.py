"""Datasets: image folders for the image tools, and 2-D toy distributions with known answers.

Image datasets load every file named by the config's globs once, into memory, at a few scales, and
draw random crops with flips and quarter turns. The held-out photos are a separate, fixed list and
are refused if a training glob names one of them.
"""
import glob
import math
import os
import random

import numpy as np
import torch
from PIL import Image, UnidentifiedImageError


class DataError(ValueError):
    """A dataset that cannot be used, with the file or pattern at fault in the message."""


def expand(patterns) -> list:
    """Expand globs into a sorted file list; a pattern that names nothing is an error."""
    files = []
    for pat in patterns:
        hits = sorted(p for p in glob.glob(os.path.expanduser(pat), recursive=True) if os.path.isfile(p))
        if not hits:
            raise DataError(f"no files match {pat!r} (an empty folder or a wrong path)")
        files.extend(hits)
    return files


def load_rgb(path: str) -> np.ndarray:
    """HWC uint8 RGB; transparency is composited on white (as the plugin does)."""
    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("RGBA", "LA", "P"):
                rgba = im.convert("RGBA")
                bg = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
                return np.array(Image.alpha_composite(bg, rgba).convert("RGB"))
            return np.array(im.convert("RGB"))
    except (UnidentifiedImageError, OSError, SyntaxError) as e:
        raise DataError(f"{path} is not a readable image ({e.__class__.__name__}: {e})") from None


def _pixels(path: str) -> int:
    """Width × height from the file header, without decoding (0 when unreadable: load_rgb reports it)."""
    try:
        with Image.open(path) as im:
            return im.width * im.height
    except (UnidentifiedImageError, OSError, SyntaxError):
        return 0


def evenly_spaced(files, n: int) -> list:
    """At most n of the files, spread evenly over the sorted list (deterministic)."""
    if n <= 0 or len(files) <= n:
        return list(files)
    return [files[i * len(files) // n] for i in range(n)]


class ImageCrops:
    """Random uint8 crops [B, 3, crop, crop] from images held in memory at several scales."""

    def __init__(self, files, crop: int, scales=(1.0, 0.5, 0.25), seed: int = 0, max_pixels: int = 0):
        self.crop = crop
        self.rng = random.Random(seed)
        self.images, self.weights = [], []
        for path in files:
            if max_pixels and _pixels(path) > max_pixels:
                continue  # a few clip-art renders are 20k px wide: decoding them costs minutes and GBs
            base = Image.fromarray(load_rgb(path))
            for sc in scales:
                w, h = int(base.width * sc), int(base.height * sc)
                if min(w, h) < crop:
                    continue
                arr = np.array(base.resize((w, h), Image.BICUBIC, reducing_gap=None)) if sc != 1.0 else np.array(base)
                self.images.append(arr)
                self.weights.append(math.sqrt((w - crop + 1) * (h - crop + 1)))
        if not self.images:
            raise DataError(f"none of the {len(files)} image(s) is at least {crop}×{crop} pixels")

    def __len__(self):
        return len(self.images)

    def sample(self, batch: int) -> torch.Tensor:
        out = np.empty((batch, self.crop, self.crop, 3), dtype=np.uint8)
        picks = self.rng.choices(range(len(self.images)), weights=self.weights, k=batch)
        for n, i in enumerate(picks):
            img = self.images[i]
            y = self.rng.randrange(img.shape[0] - self.crop + 1)
            x = self.rng.randrange(img.shape[1] - self.crop + 1)
            c = img[y:y + self.crop, x:x + self.crop]
            if self.rng.random() < 0.5:
                c = c[:, ::-1]
            out[n] = np.rot90(c, self.rng.randrange(4))
        return torch.from_numpy(out).permute(0, 3, 1, 2).contiguous()


def check_disjoint(train_files, heldout_files):
    """Held-out images are never trained on: refuse any overlap by real path."""
    overlap = {os.path.realpath(p) for p in train_files} & {os.path.realpath(p) for p in heldout_files}
    if overlap:
        raise DataError(f"held-out image(s) also in the training set: {sorted(overlap)}")


# -- 2-D toys: sources and targets with known answers -----------------------------------------------

def gaussian(n: int, dim: int = 2) -> torch.Tensor:
    return torch.randn(n, dim)


def eight_gaussians(n: int, radius: float = 2.0, std: float = 0.15) -> torch.Tensor:
    angles = torch.randint(0, 8, (n,)).float() * (2 * math.pi / 8)
    centres = radius * torch.stack([torch.cos(angles), torch.sin(angles)], dim=1)
    return centres + std * torch.randn(n, 2)


def two_moons(n: int, noise: float = 0.05) -> torch.Tensor:
    """Scikit-learn's two moons, centred and scaled to unit-ish spread."""
    half = torch.rand(n) < 0.5
    a = torch.rand(n) * math.pi
    x = torch.where(half, torch.cos(a), 1.0 - torch.cos(a))
    y = torch.where(half, torch.sin(a), 0.5 - torch.sin(a))
    pts = torch.stack([x - 0.5, y - 0.25], dim=1) * 1.5
    return pts + noise * torch.randn(n, 2)


def paired_map(x1: torch.Tensor) -> torch.Tensor:
    """A known deterministic map x0 = f(x1) for the paired toy: a rotation, a shear and a bend."""
    x, y = x1[:, 0], x1[:, 1]
    return torch.stack([0.8 * x - 0.6 * y + 0.3 * torch.sin(y), 0.6 * x + 0.8 * y + 0.5], dim=1)


TOY_TARGETS = {"8gaussians": eight_gaussians, "moons": two_moons}
