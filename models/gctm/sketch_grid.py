"""A picture grid of held-out sketch results:
`python3 -m gctm.sketch_grid configs/sketch.toml --ckpt runs/sketch/ckpt.pt [--regression CKPT] --out ../docs/sketch-grid.png --n 6`

One row per held-out drawing (n evenly spaced): the input line drawing, the one step G(x1, 1, 0) for
seeds 0–3, the denoiser g(x1, 1, 1) of seed 0 (Faithful), the 16-step ODE of seed 0, the L2 regressor
(with --regression) and the target. With --latent K, a second block: for the first K drawings and each
colour of sketch_latents.COLOURS, x1 at γ = 1 (clipped, to show what the model is given) and the one
step of seed 0 at every γ of sketch_latents.GAMMAS. Cells are the model's square, upscaled ×2 by
nearest neighbour; each block has a one-line header of column names (PIL's default font). README
pictures live in docs/ at the repository root (docs/<name>.png, bin/readme-pictures.mjs).
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from .evaluate import load_run
from .sketch_eval import SEEDS, load_heldout, source, to_u8
from .sketch_latents import COLOURS, GAMMAS, latent_outputs, with_latent
from .solvers import ode_solve, one_step

SCALE = 2
GAP = 4
HEADER = 16


def grey_rgb(line_u8: np.ndarray) -> np.ndarray:
    return np.repeat(line_u8[..., None], 3, axis=-1)


@torch.no_grad()
def result_columns(models: dict, line: np.ndarray, colour: np.ndarray, sigma_p: float, ode_grid) -> tuple:
    """(names, [columns of uint8 [N, H, W, 3]]) for the main block."""
    model = models["gctm"]
    x1 = {s: source(line, sigma_p, 1000 * s) for s in SEEDS}
    ones = torch.ones(len(line))
    names, cols = ["sketch"], [grey_rgb(line)]
    for s in SEEDS:
        names.append(f"one step, seed {s}")
        cols.append(to_u8(one_step(model, x1[s])))
    names.append("Faithful (denoiser)")
    cols.append(to_u8(model.g(x1[SEEDS[0]], ones, ones)))
    names.append(f"ODE, {ode_grid.numel() - 1} steps")
    cols.append(to_u8(ode_solve(model, x1[SEEDS[0]], ode_grid)))
    if "regression" in models:
        names.append("L2 regression")
        cols.append(to_u8(one_step(models["regression"], x1[SEEDS[0]])))
    names.append("target")
    cols.append(colour)
    return names, cols


@torch.no_grad()
def latent_rows(model, line: np.ndarray, sigma_p: float) -> tuple:
    """(names, rows): per drawing and colour, x1 at γ = 1 and the one step at every γ."""
    y = source(line, sigma_p, 0)
    outs = latent_outputs(model, y)
    names = ["x1 at gamma 1"] + [f"gamma {g:g}" for g in GAMMAS]
    rows = []
    for i in range(len(line)):
        for c in COLOURS:
            shown = to_u8(with_latent(y[i:i + 1], c, 1.0))[0]
            rows.append([shown] + [outs[(c, g)][i] for g in GAMMAS])
    return names, rows


def block(names: list, rows: list) -> Image.Image:
    """One header line of names over rows of equal-size uint8 cells, each upscaled ×SCALE (nearest)."""
    h, w = rows[0][0].shape[:2]
    cw, ch = w * SCALE, h * SCALE
    width = len(names) * cw + (len(names) - 1) * GAP
    img = Image.new("RGB", (width, HEADER + len(rows) * (ch + GAP)), "white")
    draw, font = ImageDraw.Draw(img), ImageFont.load_default()
    for j, name in enumerate(names):
        draw.text((j * (cw + GAP) + 2, 2), name, fill="black", font=font)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            up = Image.fromarray(cell).resize((cw, ch), Image.NEAREST)
            img.paste(up, (j * (cw + GAP), HEADER + i * (ch + GAP)))
    return img


def stack(blocks: list) -> Image.Image:
    width = max(b.width for b in blocks)
    out = Image.new("RGB", (width, sum(b.height for b in blocks) + GAP * (len(blocks) - 1)), "white")
    y = 0
    for b in blocks:
        out.paste(b, (0, y))
        y += b.height + GAP
    return out


def render(models: dict, colour: np.ndarray, line: np.ndarray, sigma_p: float, ode_grid, latent: int = 0) -> Image.Image:
    names, cols = result_columns(models, line, colour, sigma_p, ode_grid)
    blocks = [block(names, [[c[i] for c in cols] for i in range(len(line))])]
    if latent:
        blocks.append(block(*latent_rows(models["gctm"], line[:latent], sigma_p)))
    return stack(blocks)


def arguments():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ckpt", help="a training checkpoint (its EMA weights)")
    src.add_argument("--zoo-card", help="a shipped model, rebuilt from zoo/<id>.json and its ONNX file")
    ap.add_argument("--regression", help="checkpoint of the same network trained as an L2 regressor")
    ap.add_argument("--pairs", default="cache/heldout/openmoji-heldout-128.npz")
    ap.add_argument("--n", type=int, default=6, help="held-out drawings (rows), evenly spaced")
    ap.add_argument("--latent", type=int, default=0, help="colour-latent rows for the first K drawings (3 colours each)")
    ap.add_argument("--ode-steps", type=int, default=16)
    ap.add_argument("--out", required=True, help="PNG to write")
    ap.add_argument("--threads", type=int, default=2)
    return ap


def main(argv=None):
    args = arguments().parse_args(argv)
    cfg, models, grid = load_run(args)
    colour, line, _ = load_heldout(args.pairs, cfg.data.crop, args.n)
    img = render(models, colour, line, cfg.gctm.sigma_p, grid(max(1, args.ode_steps)), args.latent)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    img.save(args.out)
    print(f"wrote {args.out} ({img.width}×{img.height})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
