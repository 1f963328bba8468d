"""How well an inpaint checkpoint's denoiser g(x_t, t, t) works at each time t, for choosing a recipe:

    python3 tools/inpaint_time_probe.py configs/inpaint.toml --ckpt runs/inpaint-mask-fm/ckpt.pt

On the first 8 validation crops under every held-out mask (gctm.inpaint_eval's crops, masks and x1),
x_t = (1 − t)·x0 + t·x1 with x1 the crop with noise in the hole. Printed per t, as PSNR inside the
hole in dB: the denoiser's output and x_t itself against the crop. A denoiser hardly above x_t at small
t was not trained there, and the ODE, whose last steps run there, leaves noise in its fills.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.evaluate import load_trained  # noqa: E402
from gctm.inpaint_data import with_hole  # noqa: E402
from gctm.inpaint_eval import crop_seed, heldout_crops, noisy_x1  # noqa: E402
from gctm.masks import heldout_masks  # noqa: E402
from gctm.threads import set_threads  # noqa: E402

CROPS = 8
TIMES = (0.02, 0.05, 0.1, 0.2, 0.3, 0.5, 0.7, 0.9, 1.0)


def hole_psnr(a: torch.Tensor, b: torch.Tensor, m: torch.Tensor) -> float:
    """PSNR (dB, images in [−1, 1]) inside the holes m [B, 1, H, W] of a batch."""
    mse = float((((a - b) ** 2) * m).sum() / m.sum() / a.shape[1])
    return 10 * np.log10(4.0 / mse)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    cfg, model, _ = load_trained(args.config, args.ckpt, log=lambda *_: None)
    size = cfg.data.crop
    m = torch.from_numpy(np.stack([mk for _, mk in heldout_masks(size, per_kind=3)]))[:, None].float()
    rows = {t: ([], []) for t in TIMES}
    for ci, (_, crop) in enumerate(heldout_crops(size, "validation")[:CROPS]):
        x1 = noisy_x1(crop, m, crop_seed(ci))
        x0 = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1)[None].float() / 127.5 - 1
        x0 = x0.expand(len(m), -1, -1, -1)
        for t in TIMES:
            xt = (1 - t) * x0 + t * x1
            tt = torch.full((len(m),), t)
            with torch.no_grad():
                g = model.g(with_hole(xt, m, model), tt, tt)[:, :3]
            rows[t][0].append(hole_psnr(g, x0, m))
            rows[t][1].append(hole_psnr(xt, x0, m))
    print(f"{args.ckpt}: " + ", ".join(f"t {t}: denoiser {np.mean(d):.1f} / x_t {np.mean(x):.1f} dB"
                                       for t, (d, x) in rows.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
