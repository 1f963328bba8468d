"""Where along the trajectory a checkpoint's jumps work: `python3 -m gctm.jumps <config> --ckpt <ckpt.pt>`.

On the first held-out pairs (a corner crop each), with the true x_t = (1 − t)·x0 + t·x1 at every point
t of the consistency grid: PSNR of the jump to the target G(x_t, t, 0), of the model's own denoiser
g(x_t, t, t) = E[x0 | x_t], and of the 16-step ODE from the source. A one-step map that has not
trained shows as jumps near x_t's own PSNR from t near 1 while g and the ODE are good there.
"""
import argparse
import sys

import numpy as np
import torch

from .evaluate import heldout_pairs, load_trained, source_x1
from .degrade import to_unit
from .solvers import ode_solve
from .threads import set_threads
from .time_grid import config_grid


def jump_report(cfg, model, images: int = 6, crop: int = 128) -> dict:
    """{row name: mean PSNR (dB)} over the first `images` held-out pairs, each cropped to crop × crop."""
    grid, ode = config_grid(cfg.gctm), config_grid(cfg.gctm, 16)
    scale = cfg.data.scale if cfg.data.task == "upscale" else 1
    rows = {}
    for _, hr, src in heldout_pairs(cfg)[:images]:
        x0 = to_unit(torch.from_numpy(np.ascontiguousarray(hr[:crop, :crop])).permute(2, 0, 1)[None])
        x1 = source_x1(cfg, src[:crop // scale, :crop // scale])

        def db(x):
            return float(10 * torch.log10(4 / ((x.clamp(-1, 1) - x0) ** 2).mean()))
        out = {"source x1": db(x1)}
        with torch.no_grad():
            for t in grid[1:].tolist():
                xt = (1 - t) * x0 + t * x1
                tt, zero = torch.full((1,), t), torch.zeros(1)
                out[f"jump G(x_t, {t:.3f}, 0)"] = db(model(xt, tt, zero))
                out[f"denoiser g(x_t, {t:.3f}, {t:.3f})"] = db(model.g(xt, tt, tt))
        out["ODE, 16 Heun steps from x1"] = db(ode_solve(model, x1, ode))
        for k, v in out.items():
            rows.setdefault(k, []).append(v)
    return {k: round(sum(v) / len(v), 2) for k, v in rows.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--images", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    # the grid and σ schedule the checkpoint was trained with, not whatever the config file says now
    cfg, model, _ = load_trained(args.config, args.ckpt)
    for name, value in jump_report(cfg, model, args.images).items():
        print(f"{name:34s} {value:6.2f} dB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
