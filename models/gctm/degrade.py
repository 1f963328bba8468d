"""Source builders for restoration: x1 = H(x0), computed on the fly from clean images.

This file is the truth the plugin's engine must match: `upsample` is what the UI does to the user's
image before the model sees it (torch bicubic, Keys a = −0.75, half-pixel centres, edges clamped, no
antialiasing and no clamping), proven by the parity vectors written by `write_parity_vectors`.
"""
import io
import json
import random

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image


def to_unit(x_uint8: torch.Tensor) -> torch.Tensor:
    """uint8 [B, 3, H, W] → float in [−1, 1]."""
    return x_uint8.float() / 127.5 - 1.0


def to_uint8(x: torch.Tensor) -> torch.Tensor:
    """float in [−1, 1] → uint8, rounding as the plugin does: round((x + 1)·127.5)."""
    return torch.round((x.clamp(-1.0, 1.0) + 1.0) * 127.5).to(torch.uint8)


def upsample(x: torch.Tensor, scale: int) -> torch.Tensor:
    """The plugin's resize to output size (see module docstring)."""
    return F.interpolate(x, scale_factor=scale, mode="bicubic", align_corners=False)


def downsample(x_uint8: torch.Tensor, scale: int) -> torch.Tensor:
    """Antialiased bicubic downsampling of a uint8 batch, quantised back to uint8 (a real small image)."""
    h, w = x_uint8.shape[-2] // scale, x_uint8.shape[-1] // scale
    y = F.interpolate(x_uint8.float(), size=(h, w), mode="bicubic", align_corners=False, antialias=True)
    return torch.round(y.clamp(0, 255)).to(torch.uint8)


def gaussian_blur(x: torch.Tensor, sigma: float) -> torch.Tensor:
    """Separable Gaussian blur of a float batch, reflect padding."""
    if sigma <= 0:
        return x
    r = max(1, int(round(3 * sigma)))
    k = torch.exp(-0.5 * (torch.arange(-r, r + 1, dtype=torch.float32) / sigma) ** 2)
    k = (k / k.sum()).to(x)
    c = x.shape[1]
    x = F.pad(x, (r, r, r, r), mode="reflect")
    x = F.conv2d(x, k.reshape(1, 1, 1, -1).repeat(c, 1, 1, 1), groups=c)
    return F.conv2d(x, k.reshape(1, 1, -1, 1).repeat(c, 1, 1, 1), groups=c)


def jpeg(x_uint8: torch.Tensor, quality: int) -> torch.Tensor:
    """Round-trip each image of a uint8 batch through PIL's JPEG encoder."""
    out = []
    for img in x_uint8:
        buf = io.BytesIO()
        Image.fromarray(img.permute(1, 2, 0).numpy()).save(buf, format="JPEG", quality=int(quality))
        out.append(torch.from_numpy(np.array(Image.open(buf).convert("RGB"))).permute(2, 0, 1))
    return torch.stack(out)


def degrade_small(x_uint8: torch.Tensor, opts: dict, rng: random.Random) -> torch.Tensor:
    """Optional realistic damage on an 8-bit image: blur, noise, JPEG, each with its own probability."""
    y = x_uint8
    if rng.random() < opts.get("blur_p", 0.0):
        sigma = rng.uniform(*opts.get("blur_sigma", (0.3, 1.2)))
        y = torch.round(gaussian_blur(y.float(), sigma).clamp(0, 255)).to(torch.uint8)
    if rng.random() < opts.get("noise_p", 0.0):
        std = rng.uniform(*opts.get("noise_std", (1.0, 8.0)))
        y = torch.round((y.float() + std * torch.randn(y.shape)).clamp(0, 255)).to(torch.uint8)
    if rng.random() < opts.get("jpeg_p", 0.0):
        y = jpeg(y, rng.randint(*opts.get("jpeg_quality", (40, 90))))
    return y


def degrade_each(x_uint8: torch.Tensor, opts: dict, rng: random.Random) -> torch.Tensor:
    """degrade_small with its own random draw for every image of the batch."""
    return torch.cat([degrade_small(x_uint8[i:i + 1], opts, rng) for i in range(x_uint8.shape[0])])


def clean_pair(x_uint8: torch.Tensor, opts: dict, rng: random.Random):
    """(x0, x1) in [−1, 1] for the clean tool: x1 is x0 itself damaged by blur, noise and JPEG."""
    return to_unit(x_uint8), to_unit(degrade_each(x_uint8, opts, rng))


def make_pair(x_uint8: torch.Tensor, task: str, scale: int, opts: dict, rng: random.Random):
    """The training pair of a photo task from clean 8-bit crops."""
    if task == "upscale":
        small = downsample(x_uint8, scale)
        if opts:
            small = degrade_each(small, opts, rng)
        return to_unit(x_uint8), upsample(to_unit(small), scale)
    if task == "clean":
        return clean_pair(x_uint8, opts, rng)
    raise ValueError(f"unknown photo task {task!r}; expected upscale or clean")


def parity_image(seed: int = 0):
    """The small random RGB image of the engine's parity vectors: ([1, 3, 5, 7] in [-1, 1], its JSON)."""
    g = torch.Generator().manual_seed(seed)
    h, w = 5, 7
    img = to_unit(torch.randint(0, 256, (1, 3, h, w), generator=g, dtype=torch.uint8))
    return img, {"w": w, "h": h, "c": 3, "layout": "CHW", "range": "[-1,1] = uint8/127.5-1",
                 "data": img[0].flatten().tolist()}


def write_parity_vectors(path: str, seed: int = 0):
    """Vectors the plugin's TS resize is tested against: a small random RGB image and its ×2, ×4."""
    img, image_json = parity_image(seed)
    h, w = img.shape[2:]
    out = {"input": image_json, "cases": []}
    for scale in (2, 4):
        y = upsample(img, scale)[0]
        out["cases"].append({"scale": scale, "w": w * scale, "h": h * scale, "data": y.flatten().tolist()})
    with open(path, "w") as f:
        json.dump(out, f)
