"""Damaged small images through an upscaler alone and with clean-up first, as the Restore tool chains them:
`python3 -m gctm.chain configs/restore-x4.toml --ckpt runs/restore-x4/ckpt.pt
    --clean configs/clean.toml runs/clean/ckpt.pt [--also NAME=CKPT ...] --out runs/restore-x4/chain.json`

The upscalers are scored on clean downsamples (evaluate.py); users also bring small images that are
soft, noisy or compressed. Here each held-out photo is downsampled, damaged at a few fixed levels,
and upscaled by: bicubic, the upscaler at one step, the clean model then the upscaler (an 8-bit image
handed from one to the next, as the plugin's engine does), and any other upscaler checkpoints given
with --also. PSNR against the original photo, mean over images, per damage level.
"""
import argparse
import json
import random
import sys

import numpy as np
import torch

from .config import load
from .degrade import degrade_small, downsample
from .evaluate import heldout_images, load_ema, source_x1, to_image
from .metrics import psnr
from .solvers import one_step
from .threads import set_threads

# Damage on the small image: none (what evaluate.py scores), then one kind each at a strength a
# user meets in a screenshot or a phone photo.
DAMAGE = {
    "none": {},
    "blur1": {"blur_p": 1.0, "blur_sigma": [1.0, 1.0]},
    "noise5": {"noise_p": 1.0, "noise_std": [5.0, 5.0]},
    "jpeg50": {"jpeg_p": 1.0, "jpeg_quality": [50, 50]},
}


def run_chain(links, small_hwc: np.ndarray) -> np.ndarray:
    """links: [(model, its config)] run in turn at one step, each on the previous 8-bit result with
    x1 built as the plugin builds it (evaluate.source_x1); uint8 HWC in, uint8 HWC out."""
    img = small_hwc
    for model, cfg in links:
        img = to_image(one_step(model, source_x1(cfg, img)))
    return img


def evaluate_chain(up_cfg, upscaler, clean_cfg, cleaner, also: dict, log=print) -> dict:
    """{"images": n, "psnr": {damage level: {method: mean PSNR}}}."""
    rows = {}
    images = heldout_images(up_cfg)
    for i, (name, hr) in enumerate(images):
        small = downsample(torch.from_numpy(hr).permute(2, 0, 1)[None], up_cfg.data.scale)
        for level, opts in DAMAGE.items():
            torch.manual_seed(2000 + i)
            damaged = degrade_small(small, opts, random.Random(i))[0].permute(1, 2, 0).numpy()
            res = {"bicubic": psnr(to_image(source_x1(up_cfg, damaged)), hr),
                   "upscaler": psnr(run_chain([(upscaler, up_cfg)], damaged), hr),
                   "clean_then_upscaler": psnr(run_chain([(cleaner, clean_cfg), (upscaler, up_cfg)], damaged), hr)}
            for other, model in also.items():
                res[other] = psnr(run_chain([(model, up_cfg)], damaged), hr)
            rows.setdefault(level, []).append(res)
            log(f"  {name} {level}: " + ", ".join(f"{k} {v:.2f}" for k, v in res.items()))
    summary = {level: {k: round(sum(r[k] for r in rs) / len(rs), 3) for k in rs[0]} for level, rs in rows.items()}
    return {"images": len(images), "psnr": summary}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", help="the upscaler's config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--clean", nargs=2, required=True, metavar=("CONFIG", "CKPT"))
    ap.add_argument("--also", action="append", default=[], metavar="NAME=CKPT", help="another upscaler to score alone")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    up_cfg, clean_cfg = load(args.config), load(args.clean[0])
    upscaler, _ = load_ema(up_cfg, args.ckpt)
    cleaner, _ = load_ema(clean_cfg, args.clean[1])
    also = {}
    for item in args.also:
        name, _, path = item.partition("=")
        also[name] = load_ema(up_cfg, path)[0]
    result = evaluate_chain(up_cfg, upscaler, clean_cfg, cleaner, also)
    for level, res in result["psnr"].items():
        print(f"{level:8s} " + "  ".join(f"{k} {v:.2f}" for k, v in res.items()))
    with open(args.out, "w") as f:
        json.dump({"damage": DAMAGE, **result}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
