"""Where the inpaint student's one step lies between its targets, inside the hole:

    python3 tools/inpaint_student_probe.py configs/inpaint.toml --ckpt runs/inpaint-bank/ckpt.pt --teacher runs/inpaint-teacher-34098/ckpt.pt

`tools/student_probe.py`'s columns (PSNR in dB, higher: closer), measured on `gctm.inpaint_eval`'s
validation crops and held-out masks with the same hole noise, inside each hole only (outside it every
output is the crop itself) and capped as the evaluation caps them. Among them: the one step against the
student's own ODE and its denoiser (the evaluation's consistency pair), against the teacher's ODE (what
the consistency term trains it toward), and the student's ODE against the teacher's (how far the
trajectory it is measured on has moved from the one it distils).
"""
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, os.path.dirname(__file__))
from gctm.evaluate import to_image  # noqa: E402
from gctm.inpaint_data import with_hole  # noqa: E402
from gctm.inpaint_eval import PSNR_CAP_DB, crop_seed, heldout_crops, noisy_x1  # noqa: E402
from gctm.masks import heldout_masks  # noqa: E402
from gctm.metrics import psnr  # noqa: E402
from student_probe import COLUMNS, PAIRS, arguments, line, load_pair, outputs  # noqa: E402


@torch.no_grad()
def probe_crop(student, teacher, crop: np.ndarray, masks: list, seed: int, grid, train_steps: int) -> list:
    """One row of COLUMNS per mask: PSNR inside that hole, for one uint8 HWC crop under every mask of
    `masks` ([(kind, bool HW mask)]) with the evaluation's hole noise `seed`."""
    m = torch.from_numpy(np.stack([mk for _, mk in masks]))[:, None].float()
    xs = with_hole(noisy_x1(crop, m, seed), m, student)
    out = outputs(student, teacher, xs, grid, train_steps)
    rows = []
    for i, (_, mask) in enumerate(masks):
        inside = mask[..., None].repeat(3, axis=2)
        img = {k: to_image(v[i:i + 1])[inside] for k, v in out.items()}
        rows.append([min(psnr(img[a], img[b]), PSNR_CAP_DB) for a, b in PAIRS.values()])
    return rows


def main(argv=None):
    ap = arguments(__doc__.splitlines()[0])
    ap.add_argument("--crops", type=int, default=0, help="the first N validation crops (0: all)")
    args = ap.parse_args(argv)
    cfg, student, teacher, grid = load_pair(args)
    crops = heldout_crops(cfg.data.crop, "validation")
    masks = heldout_masks(cfg.data.crop, per_kind=3)
    print("image".ljust(20), " | ".join(COLUMNS))
    rows = []
    for ci, (name, crop) in enumerate(crops[:args.crops or None]):
        mine = probe_crop(student, teacher, crop, masks, crop_seed(ci), grid, cfg.gctm.steps)
        rows += mine
        print(line(name, np.mean(mine, 0)), flush=True)
    print(line("mean", np.mean(rows, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
