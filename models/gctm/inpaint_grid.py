"""A picture grid of held-out inpainting results:
`python3 -m gctm.inpaint_grid configs/inpaint.toml --ckpt runs/inpaint/ckpt.pt --out ../docs/inpaint-grid.png --n 6 [--threads 1]`

The examples are those gctm.inpaint_eval scores: its held-out crops (`heldout_crops`) at the size the
checkpoint was trained at (`load_run` reads size and network from the checkpoint), its fixed held-out
masks (`masks.heldout_masks`, --masks-per-kind as there) and its x1: the crop with the hole filled
with the N(0, 1) noise of that crop's seed (`inpaint_eval.noisy_x1` with `crop_seed`, the same draw
for the same crop and mask). One row per (crop, mask): crops evenly spaced over the split, masks
cycling through the kinds (strokes, box, text, blob) and mixing the hole-size classes (`pick`).
Columns: the crop with the hole painted magenta, OpenCV Telea, Navier–Stokes, the one step
G(x1, 1, 0), the denoiser g(x1, 1, 1) (Faithful), the ODE (16 Heun steps), the L2 regressor (with
--regression) and the original; every model output is composited into the crop inside the hole
only, as the plugin does and inpaint_eval scores it. Cells are enlarged by nearest neighbour to at
least 128 px (×2 at a 64² model); one header line of column names (PIL's default font), nothing else.
"""
import os
import sys

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from .data import evenly_spaced
from .evaluate import eval_arguments, load_run, to_image
from .inpaint_eval import composite, crop_seed, heldout_crops, model_outputs, noisy_x1, opencv_inpaint
from .masks import heldout_masks, size_class

GAP = 4
HEADER = 16
HOLE = (255, 0, 255)  # magenta: the hole stands out on photos and illustrations alike
KIND_ORDER = ("strokes", "box", "text", "blob")
SIZE_ORDER = ("small", "medium", "large")


def pick(crops: list, masks: list, n: int) -> list:
    """[(crop index, mask index)]: n crops evenly spaced over the split (repeating if n is larger);
    row i takes a held-out mask of kind KIND_ORDER[i mod 4], one not shown yet and of the size class
    (small, medium, large) shown least so far, so the rows mix kinds and hole sizes."""
    idx = list(range(len(crops)))
    rows = (evenly_spaced(idx, n) * (n // len(idx) + 1))[:n]
    kinds = [k for k in KIND_ORDER if any(kind == k for kind, _ in masks)]
    used, shown = set(), {s: 0 for s in SIZE_ORDER}
    out = []
    for i, ci in enumerate(rows):
        cand = [mi for mi, (k, _) in enumerate(masks) if k == kinds[i % len(kinds)]]
        cls = {mi: size_class(float(masks[mi][1].mean())) for mi in cand}
        mi = min(cand, key=lambda j: (j in used, shown[cls[j]], j))
        used.add(mi)
        shown[cls[mi]] += 1
        out.append((ci, mi))
    return out


def shown_hole(crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask[..., None], np.array(HOLE, np.uint8), crop)


@torch.no_grad()
def columns(models: dict, crops: list, masks: list, chosen: list, ode_grid) -> tuple:
    """(names, rows): per chosen (crop, mask), the uint8 HWC cells of every column."""
    every = torch.from_numpy(np.stack([mk for _, mk in masks]))[:, None].float()
    # inpaint_eval's x1 (all masks of crop ci in one batch, with its seed); the chosen rows run as one batch
    x1 = {ci: noisy_x1(crops[ci][1], every, crop_seed(ci)) for ci in {ci for ci, _ in chosen}}
    x = torch.cat([x1[ci][mi:mi + 1] for ci, mi in chosen])
    m = every[[mi for _, mi in chosen]]
    got = model_outputs(models["gctm"], x, m, ode_grid)
    outs = {"one step": got["nfe1"], "Faithful": got["denoiser"]}
    if ode_grid is not None:
        outs[f"ODE {ode_grid.numel() - 1} steps"] = got["ode"]
    if "regression" in models:
        outs["L2 regression"] = model_outputs(models["regression"], x, m)["nfe1"]
    names = ["hole", "Telea", "Navier-Stokes"] + list(outs) + ["original"]
    rows = []
    for r, (ci, mi) in enumerate(chosen):
        crop, mask = crops[ci][1], masks[mi][1]
        row = [shown_hole(crop, mask), opencv_inpaint(crop, mask, "telea"), opencv_inpaint(crop, mask, "ns")]
        row += [composite(to_image(v[r:r + 1]), crop, mask) for v in outs.values()]
        rows.append(row + [crop])
    return names, rows


def scale_for(size: int) -> int:
    """Nearest-neighbour enlargement: cells at least 128 px (×2 for a 64² model, ×1 at 128²)."""
    return max(1, 128 // size)


def grid_image(names: list, rows: list, scale: int) -> Image.Image:
    """One header line of names over rows of equal-size uint8 cells, each enlarged ×scale (nearest)."""
    h, w = rows[0][0].shape[:2]
    cw, ch = w * scale, h * scale
    img = Image.new("RGB", (len(names) * cw + (len(names) - 1) * GAP, HEADER + len(rows) * (ch + GAP) - GAP), "white")
    draw, font = ImageDraw.Draw(img), ImageFont.load_default()
    for j, name in enumerate(names):
        draw.text((j * (cw + GAP) + 2, 2), name, fill="black", font=font)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            img.paste(Image.fromarray(cell).resize((cw, ch), Image.NEAREST), (j * (cw + GAP), HEADER + i * (ch + GAP)))
    return img


def render(models: dict, size: int, split: str, n: int, ode_grid, per_kind: int = 3, crops=None) -> tuple:
    """(image, [(crop name, kind, hole share)] per row). `crops` defaults to heldout_crops(size, split)."""
    crops = heldout_crops(size, split) if crops is None else crops
    masks = heldout_masks(size, per_kind=per_kind)
    chosen = pick(crops, masks, n)
    names, rows = columns(models, crops, masks, chosen, ode_grid)
    info = [(crops[ci][0], masks[mi][0], float(masks[mi][1].mean())) for ci, mi in chosen]
    return grid_image(names, rows, scale_for(size)), info


def arguments():
    def extra(ap):
        ap.add_argument("--n", type=int, default=6, help="rows (held-out crop and mask pairs)")
        ap.add_argument("--split", choices=["validation", "test"], default="validation")
        ap.add_argument("--masks-per-kind", type=int, default=3, help="as gctm.inpaint_eval (the same masks)")
    ap = eval_arguments(__doc__.splitlines()[0], extra)
    for a in ap._actions:
        if a.dest == "out":
            a.help = "PNG to write"
    return ap


def main(argv=None):
    args = arguments().parse_args(argv)
    cfg, models, grid = load_run(args)
    img, info = render(models, cfg.data.crop, args.split, args.n, grid(args.ode_steps) if args.ode_steps else None,
                       args.masks_per_kind)
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    img.save(args.out)
    for name, kind, share in info:
        print(f"  {name}: {kind}, hole {100 * share:.1f} % ({size_class(share)})")
    print(f"wrote {args.out} ({img.width}×{img.height}, model size {cfg.data.crop})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
