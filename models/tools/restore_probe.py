"""A quick look at a restore checkpoint's trajectory on a few validation patches, for choosing a recipe
before a full `gctm.evaluate`:

    python3 tools/restore_probe.py configs/restore-x2.toml --ckpt runs/restore-x2-fm2/ckpt.pt [--sigma-p 0.1]

On the first 8 validation images (a 48 px corner of the small image, so 96 or 192 px out), x1 is the
bicubic resize plus σp·ε. Printed, as PSNR in dB (higher: closer): the 16-step ODE and the denoiser
g(x1, 1, 1) against the photo and against each other, the high-frequency ratio of each against the
photo (gctm.evaluate.high_frequency_ratio; above 1 is leftover noise), two seeds' ODE results against
each other, and the consistency pair (the one step against its ODE and against its denoiser). With
σp > 0, also how much of the added noise the denoiser passes through: the change of g(x1 + σp·ε, 1, 1)
from g(x1, 1, 1), projected on σp·ε, over |σp·ε|² (0: removed; 1: kept; above 1: sharpened).
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.evaluate import heldout_pairs, high_frequency_ratio, load_trained, perturbed, source_x1, to_image  # noqa: E402
from gctm.metrics import psnr  # noqa: E402
from gctm.solvers import ode_solve, one_step  # noqa: E402
from gctm.threads import set_threads  # noqa: E402

PATCH = 48
IMAGES = 8


def noise_passthrough(model, x1: torch.Tensor, noise: torch.Tensor) -> float:
    """⟨g(x1 + noise) − g(x1), noise⟩ / |noise|² at t = s = 1."""
    ones = torch.ones(1)
    with torch.no_grad():
        change = model.g(x1 + noise, ones, ones) - model.g(x1, ones, ones)
    return float((change * noise).sum() / (noise * noise).sum())


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--sigma-p", type=float, default=0.0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    cfg, model, grids = load_trained(args.config, args.ckpt, log=lambda *_: None)
    grid = grids(16)
    rows = {k: [] for k in ("ode_photo", "denoiser_photo", "ode_denoiser", "hf_ode", "hf_denoiser",
                            "seeds_apart", "one_step_to_ode", "one_step_to_denoiser", "noise_passthrough")}
    s = cfg.data.scale
    for name, hr, src in heldout_pairs(cfg)[:IMAGES]:
        x1, hr = source_x1(cfg, src[:PATCH, :PATCH]), hr[:PATCH * s, :PATCH * s]
        odes = []
        for seed in (0, 1):
            x = perturbed(x1, args.sigma_p, seed, cfg.gctm.sigma_p_scale)
            with torch.no_grad():
                ones = torch.ones(1)
                den, ode, one = (to_image(model.g(x, ones, ones)), to_image(ode_solve(model, x, grid)),
                                 to_image(one_step(model, x)))
            odes.append(ode)
            if seed == 0:
                rows["ode_photo"].append(psnr(ode, hr))
                rows["denoiser_photo"].append(psnr(den, hr))
                rows["ode_denoiser"].append(psnr(ode, den))
                rows["hf_ode"].append(high_frequency_ratio(ode, hr))
                rows["hf_denoiser"].append(high_frequency_ratio(den, hr))
                rows["one_step_to_ode"].append(psnr(one, ode))
                rows["one_step_to_denoiser"].append(psnr(one, den))
                if args.sigma_p > 0:
                    rows["noise_passthrough"].append(noise_passthrough(model, x1, x - x1))
        rows["seeds_apart"].append(psnr(odes[0], odes[1]))
    print(f"{args.ckpt}, σp {args.sigma_p}: " + ", ".join(f"{k} {np.mean(v):.2f}" for k, v in rows.items() if v))
    return 0


if __name__ == "__main__":
    sys.exit(main())
