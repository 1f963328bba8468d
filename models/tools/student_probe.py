"""Where a GCTM student's one step lies between its targets, for deciding what to change when its
consistency gap stalls:

    python3 tools/student_probe.py configs/restore-x4.toml --ckpt runs/restore-x4-r2/ckpt.pt --teacher runs/restore-x4-teacher-s52158/ckpt.pt

On the validation photos, each given x1 + σp·ε as `gctm.evaluate` gives it, printed as PSNR in dB
(higher: closer), per image and averaged:
- the teacher's Heun ODE on the training grid (8 steps) and on 16 steps against 32 steps: how much of a
  gap the discretisation of the training target explains;
- the student's one step against the teacher's 8-step ODE (what the consistency term trains it toward),
  the teacher's 16-step ODE, the student's own 16-step ODE and the student's denoiser: the last two are
  the consistency pair of `gctm.evaluate`;
- the student's own ODE against the teacher's, and its denoiser against the teacher's ODE: how far the
  student's trajectory has moved from the one it distils.
"""
import argparse
import os
import sys

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.evaluate import heldout_pairs, load_trained, perturbed, source_x1, to_image  # noqa: E402
from gctm.metrics import psnr  # noqa: E402
from gctm.solvers import ode_solve, one_step  # noqa: E402
from gctm.threads import set_threads  # noqa: E402

#: Each column: the PSNR between two of `outputs`' images.
PAIRS = {"T8–T32": ("T_train", "T32"), "T16–T32": ("T16", "T32"), "one–T8": ("one", "T_train"),
         "one–T16": ("one", "T16"), "one–own ODE": ("one", "own ODE"), "one–denoiser": ("one", "denoiser"),
         "own ODE–T16": ("own ODE", "T16"), "denoiser–T16": ("denoiser", "T16")}
COLUMNS = tuple(PAIRS)


@torch.no_grad()
def outputs(student, teacher, x1, grid, train_steps: int) -> dict:
    """The images the columns compare, each [B, C, H, W] in [−1, 1]: the teacher's ODE on `train_steps`,
    16 and 32 steps of `grid(k)`; the student's one step, own 16-step ODE and denoiser g(x1, 1, 1)."""
    ones = torch.ones(x1.shape[0])
    out = {"T_train": ode_solve(teacher, x1, grid(train_steps)), "T16": ode_solve(teacher, x1, grid(16)),
           "T32": ode_solve(teacher, x1, grid(32)), "own ODE": ode_solve(student, x1, grid(16)),
           "one": one_step(student, x1), "denoiser": student.g(x1, ones, ones)}
    return {k: v[:, :3] for k, v in out.items()}  # image channels (a hole channel passes through)


@torch.no_grad()
def probe(student, teacher, x1, grid, train_steps: int) -> list:
    """The PSNRs of COLUMNS, in that order, for one source x1."""
    img = {k: to_image(v) for k, v in outputs(student, teacher, x1, grid, train_steps).items()}
    return [psnr(img[a], img[b]) for a, b in PAIRS.values()]


def arguments(description: str) -> argparse.ArgumentParser:
    """The options every student probe takes: the config, the student, its teacher, threads."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("config")
    ap.add_argument("--ckpt", required=True, help="the student")
    ap.add_argument("--teacher", required=True, help="the frozen teacher it distils")
    ap.add_argument("--threads", type=int, default=1)
    return ap


def load_pair(args):
    """(config as the student was trained, student, teacher, grid(k)) from parsed `arguments`."""
    set_threads(args.threads)
    quiet = lambda *a: None  # noqa: E731
    cfg, student, grid = load_trained(args.config, args.ckpt, log=quiet)
    return cfg, student, load_trained(args.config, args.teacher, log=quiet)[1], grid


def line(name: str, values) -> str:
    """One printed row: a name, then each column's PSNR."""
    return name[:20].ljust(20) + " " + " | ".join(f"{v:.2f}" for v in values)


def main(argv=None):
    args = arguments(__doc__.splitlines()[0]).parse_args(argv)
    cfg, student, teacher, grid = load_pair(args)
    print("image".ljust(20), " | ".join(COLUMNS))
    rows = []
    with torch.no_grad():
        for i, (name, _, src) in enumerate(heldout_pairs(cfg, "validation")):
            x1 = perturbed(source_x1(cfg, src), cfg.gctm.sigma_p, i, cfg.gctm.sigma_p_scale)
            rows.append(probe(student, teacher, x1, grid, cfg.gctm.steps))
            print(line(name, rows[-1]), flush=True)
    print(line("mean", np.mean(rows, 0)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
