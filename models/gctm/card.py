"""The model card: what the plugin needs to run a model, and where the model came from."""
import json
import os
import platform

import torch

from .digest import sha256
from .export import flops_per_pixel
from .precond import takes_mask
from .network import ResNetConfig
from .time_grid import config_grid

# What each source kind means to the plugin's engine (it builds x1 exactly this way).
SOURCE_DOCS = {
    "upscale": "x1 = bicubic resize of the RGB input (in [-1, 1], composited on white) by `scale`: "
               "torch.nn.functional.interpolate(mode='bicubic', align_corners=False), Keys a = -0.75, "
               "half-pixel centres, edge-clamped taps, no antialiasing, no clamping. Alpha is resized "
               "the same way, clamped, and recombined. For Detailed on a model with sigma_p > 0, "
               "x1 + sigma_p * eps (eps ~ N(0, I), the seed); with sigma_p_scale = k > 1, eps is drawn at "
               "1/k of x1's width and height and resized to x1's size by the same bicubic.",
    "clean": "x1 = the RGB input itself (in [-1, 1], composited on white), same size; the model removes "
             "noise, blur and JPEG artefacts. Alpha is kept as it is.",
    "inpaint": "x1 = a size x size window of the image (in [-1, 1], composited on white) with every pixel "
               "of the hole replaced by N(0, 1) noise (the seed picks it), and the hole itself as the `mask` input "
               "where the model declares one; the output is composited inside "
               "the hole only, with a feathered edge. Large images are handled one window per hole, scaled "
               "down so the hole fits (ui/engine/tools/inpaint.ts).",
    "sketch": "x1 = the line drawing at the model's fixed square `size`: the input (composited on white) is "
              "resized to fit the square keeping its aspect (area average when shrinking, bicubic when "
              "enlarging), normalised if it is a drawn sketch or put through the sketch extractor "
              "(gctm.sketch_extract) otherwise, centred and padded with white (1 = paper), grey replicated "
              "to 3 channels in [-1, 1], plus sigma_p * eps (eps ~ N(0, I), the seed) and optionally a "
              "colour or texture latent gamma * l. The output is the size x size square, opaque.",
}


def tile_for(net_cfg) -> tuple:
    """(tile, overlap) in output pixels for the plugin's tiling. A plain ResNet has no normalisation, so
    a pixel only sees its receptive field: the overlap covers that radius, and tiles can be large
    (fewer calls, less overlap work). The U-Net's GroupNorm sees the whole tile: keep the tested 256/32."""
    if not isinstance(net_cfg, ResNetConfig):
        return 256, 32
    radius = (2 * net_cfg.blocks + 2) * net_cfg.patch  # 3×3 convs at 1/patch resolution
    overlap = -(-radius // 16) * 16
    return (1024 if net_cfg.patch >= 4 else 512), overlap


def build_card(cfg, model, onnx_path: str, *, fp16_path: str = None, metrics: dict = None,
               training: dict = None, data: list = None, tile: int = 256, overlap: int = 32,
               steps_grid: int = None, default_output: str = "detailed") -> dict:
    """Assemble <id>.json from the run config, the exported file and measured metrics."""
    g = cfg.gctm
    grid = config_grid(g, steps_grid or g.steps).tolist()
    kind = cfg.data.task if cfg.data.kind == "photos" else cfg.data.kind
    card = {
        "id": cfg.run.id,
        "tool": cfg.run.tool,
        "version": cfg.run.version,
        "title": cfg.run.title or cfg.run.id,
        "summary": "",
        "file": os.path.basename(onnx_path),
        "sha256": sha256(onnx_path),
        "bytes": os.path.getsize(onnx_path),
        "inputs": {"x": "float32 [B,3,H,W] in [-1,1]", "t": "float32 [B]", "s": "float32 [B]",
                   **({"mask": "float32 [B,1,H,W]: 1 in the hole, 0 elsewhere"} if takes_mask(model) else {})},
        "output": {"y": "float32 [B,3,H,W] = G(x, t, s)",
                   "g": "float32 [B,3,H,W] = g(x, t, s); at s = t the denoiser E[x0 | x_t]"},
        "outputs": ["y", "g"],
        "default_output": default_output,
        "multiple": model.net.cfg.multiple,
        "tile": {"size": tile, "overlap": overlap},
        "source": {"kind": kind, "scale": cfg.data.scale if kind == "upscale" else 1,
                   "resize": "bicubic" if kind == "upscale" else None, "sigma_p": g.sigma_p,
                   **({"sigma_p_scale": g.sigma_p_scale} if g.sigma_p_scale > 1 else {}),
                   "how": SOURCE_DOCS.get(kind, ""),
                   **({"size": cfg.data.crop} if kind in ("sketch", "inpaint") else {})},
        "time": {"sigma_min": g.sigma_min, "sigma_max": g.sigma_max, "rho": g.rho, "grid": grid,
                 "one_step": {"t": 1.0, "s": 0.0}},
        "vars": {"var0": model.var0, "var1": model.var1, "var01": model.var01},
        "params": sum(p.numel() for p in model.parameters()),
        "flops_per_output_pixel": round(flops_per_pixel(model)),
        "network": {k: v for k, v in cfg.net.items()},
        "training": {"config": cfg.to_dict(), "torch": torch.__version__, "host": platform.machine(),
                     **(training or {})},
        "data": data or [],
        "metrics": metrics or {},
    }
    if fp16_path:
        card["fp16_file"] = os.path.relpath(fp16_path, os.path.dirname(onnx_path))
        card["fp16_sha256"] = sha256(fp16_path)
        card["fp16_bytes"] = os.path.getsize(fp16_path)
    return card


def write_card(card: dict, path: str):
    with open(path, "w") as f:
        json.dump(card, f, indent=2, ensure_ascii=False)
        f.write("\n")
