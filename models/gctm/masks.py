"""Seeded inpainting masks: free-form brush strokes, blobs, rectangles and rendered words.

A mask is a bool array [size, size], True where the image is to be filled. Each kind covers what a
designer wants gone: strokes (scratches, wires, a person's outline traced roughly), blobs (an object),
boxes (a logo, a sticker) and text (a caption or watermark). `make_mask` redraws until the covered
share lies in the requested range, so a seed always gives the same mask.
"""
import glob
import math
import os
import random

import numpy as np
from PIL import Image, ImageDraw, ImageFont

KINDS = ("strokes", "blob", "box", "text")
# Debian font packages (fonts-dejavu-core, fonts-liberation2); a bank carries copies for machines without them.
FONT_GLOBS = ["/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf", "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf",
              "/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf",
              "/usr/share/fonts/truetype/liberation2/LiberationSerif-Bold.ttf",
              "/usr/share/fonts/truetype/liberation2/LiberationMono-Regular.ttf"]
WORDS = ("SALE", "Logo", "© 2024", "Sample", "draft", "PHOTO", "hello", "50% off", "Studio", "watermark",
         "NEW", "preview", "Brand", "#tag", "Q3 report", "CONFIDENTIAL", "Summer", "info@", "v2.0", "Menu")


def font_paths(patterns) -> list:
    """The font files that exist for `patterns` (globs), in the patterns' order."""
    return [path for pat in patterns for path in sorted(glob.glob(pat))]


def fonts(extra_dirs=()) -> list:
    """The text-mask fonts: Debian's where installed, else the copies in `extra_dirs` (one per name)."""
    found = {}
    for path in font_paths(list(FONT_GLOBS) + [os.path.join(d, "*.ttf") for d in extra_dirs]):
        found.setdefault(os.path.basename(path), path)
    return sorted(found.values())


def _strokes(draw, size, rng):
    for _ in range(rng.randint(1, 4)):
        x, y = rng.uniform(0, size), rng.uniform(0, size)
        width = int(rng.uniform(0.03, 0.12) * size)
        angle = rng.uniform(0, 2 * math.pi)
        pts = [(x, y)]
        for _ in range(rng.randint(2, 8)):
            angle += rng.uniform(-1.2, 1.2)
            step = rng.uniform(0.08, 0.3) * size
            x, y = x + step * math.cos(angle), y + step * math.sin(angle)
            pts.append((x, y))
        draw.line(pts, fill=255, width=max(2, width), joint="curve")
        for px, py in pts:  # round caps and joints, as a brush leaves
            r = width / 2
            draw.ellipse([px - r, py - r, px + r, py + r], fill=255)


def _blob(draw, size, rng):
    cx, cy = rng.uniform(0.2, 0.8) * size, rng.uniform(0.2, 0.8) * size
    base = rng.uniform(0.08, 0.3) * size
    n = rng.randint(6, 12)
    pts = []
    for i in range(n):
        a = 2 * math.pi * i / n + rng.uniform(-0.2, 0.2)
        r = base * rng.uniform(0.6, 1.3)
        pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    draw.polygon(pts, fill=255)


def _box(draw, size, rng):
    w, h = rng.uniform(0.1, 0.55) * size, rng.uniform(0.08, 0.45) * size
    x, y = rng.uniform(0, size - w), rng.uniform(0, size - h)
    draw.rectangle([x, y, x + w, y + h], fill=255)


def _text(draw, size, rng, font_files):
    if not font_files:
        return _box(draw, size, rng)
    for _ in range(rng.randint(1, 2)):
        font = ImageFont.truetype(rng.choice(font_files), int(rng.uniform(0.1, 0.25) * size))
        word = rng.choice(WORDS)
        x, y = rng.uniform(-0.1, 0.6) * size, rng.uniform(0, 0.8) * size
        # text is inpainted with a little margin (a glow, anti-aliasing): the stroke widens it
        draw.text((x, y), word, font=font, fill=255, stroke_width=max(1, int(size / 64)), stroke_fill=255)


def make_mask(size: int, seed: int, kind: str = None, coverage=(0.02, 0.40), font_files=None) -> np.ndarray:
    rng = random.Random(seed)
    kind = kind or rng.choice(KINDS)
    font_files = fonts() if font_files is None else font_files
    best = None
    for _ in range(40):
        im = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(im)
        {"strokes": lambda: _strokes(draw, size, rng), "blob": lambda: _blob(draw, size, rng),
         "box": lambda: _box(draw, size, rng), "text": lambda: _text(draw, size, rng, font_files)}[kind]()
        m = np.array(im) > 127
        share = m.mean()
        if coverage[0] <= share <= coverage[1]:
            return m
        if best is None or abs(share - sum(coverage) / 2) < abs(best.mean() - sum(coverage) / 2):
            best = m
    return best


def size_class(share: float) -> str:
    """The hole-size classes the measurements report: small < 5 %, medium 5–15 %, large > 15 %."""
    return "small" if share < 0.05 else ("medium" if share <= 0.15 else "large")


#: The coverage each size class of the held-out set is drawn in (size_class's edges).
SIZE_RANGES = {"small": (0.02, 0.05), "medium": (0.05, 0.15), "large": (0.15, 0.40)}


def heldout_masks(size: int, per_kind: int = 12, seed0: int = 900_000) -> list:
    """The fixed held-out mask set: (kind, mask), `per_kind` of every kind in every size class (so the
    large holes are measured, not left to chance), with seeds far from any training seed."""
    out = []
    for k, kind in enumerate(KINDS):
        for c, coverage in enumerate(SIZE_RANGES.values()):
            for i in range(per_kind):
                out.append((kind, make_mask(size, seed0 + 1000 * k + 100 * c + i, kind, coverage)))
    return out
