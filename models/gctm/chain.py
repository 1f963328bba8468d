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

import torch

from .config import load
from .degrade import degrade_small, downsample, to_uint8, to_unit, upsample
from .evaluate import heldout_images, load_ema
from .metrics import psnr
from .solvers import one_step

# Damage on the small image: none (what evaluate.py scores), then one kind each at a strength a
# user meets in a screenshot or a phone photo.
DAMAGE = {
    "none": {},
    "blur1": {"blur_p": 1.0, "blur_sigma": [1.0, 1.0]},
    "noise5": {"noise_p": 1.0, "noise_std": [5.0, 5.0]},
    "jpeg50": {"jpeg_p": 1.0, "jpeg_quality": [50, 50]},
}


def run_chain(links, small_uint8: torch.Tensor) -> torch.Tensor:
    """links: [(model, scale)] run in turn at one step; uint8 [1, 3, h, w] in, uint8 out."""
    img = small_uint8
    for model, scale in links:
        x1 = to_unit(img)
        if scale > 1:
            x1 = upsample(x1, scale)
        img = to_uint8(one_step(model, x1))
    return img


def score(hr: torch.Tensor, out: torch.Tensor) -> float:
    return psnr(out[0].permute(1, 2, 0).numpy(), hr[0].permute(1, 2, 0).numpy())


def evaluate_chain(up_cfg, upscaler, cleaner, also: dict, log=print) -> dict:
    scale = up_cfg.data.scale
    rows = {}
    for i, (name, hr_hwc) in enumerate(heldout_images(up_cfg)):
        hr = torch.from_numpy(hr_hwc).permute(2, 0, 1)[None]
        small = downsample(hr, scale)
        for level, opts in DAMAGE.items():
            torch.manual_seed(2000 + i)
            damaged = degrade_small(small, opts, random.Random(i))
            res = {"bicubic": score(hr, to_uint8(upsample(to_unit(damaged), scale))),
                   "upscaler": score(hr, run_chain([(upscaler, scale)], damaged)),
                   "clean_then_upscaler": score(hr, run_chain([(cleaner, 1), (upscaler, scale)], damaged))}
            for other, model in also.items():
                res[other] = score(hr, run_chain([(model, scale)], damaged))
            rows.setdefault(level, []).append(res)
            log(f"  {name} {level}: " + ", ".join(f"{k} {v:.2f}" for k, v in res.items()))
    return {level: {k: round(sum(r[k] for r in rs) / len(rs), 3) for k in rs[0]} for level, rs in rows.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config", help="the upscaler's config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--clean", nargs=2, required=True, metavar=("CONFIG", "CKPT"))
    ap.add_argument("--also", action="append", default=[], metavar="NAME=CKPT", help="another upscaler to score alone")
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    up_cfg = load(args.config)
    upscaler, _ = load_ema(up_cfg, args.ckpt)
    cleaner, _ = load_ema(load(args.clean[0]), args.clean[1])
    also = {}
    for item in args.also:
        name, _, path = item.partition("=")
        also[name] = load_ema(up_cfg, path)[0]
    summary = evaluate_chain(up_cfg, upscaler, cleaner, also)
    for level, res in summary.items():
        print(f"{level:8s} " + "  ".join(f"{k} {v:.2f}" for k, v in res.items()))
    with open(args.out, "w") as f:
        json.dump({"damage": DAMAGE, "images": len(heldout_images(up_cfg)), "psnr": summary}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
