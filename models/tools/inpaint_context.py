"""How much context the engine's crop plan should give a hole: PSNR inside rectangular holes on the
validation photos when the window around each hole holds `c` × its side on every side (at least the
model's size, scaled down to it when wider), against OpenCV's Telea on the full-resolution image.

    python3 tools/inpaint_context.py configs/inpaint.toml --ckpt runs/inpaint/ckpt.pt --out results/…/inpaint-context.json

A wider window shows the model more of the scene but is scaled down further, so the fill comes back
with less detail: this measures which wins, per hole side, as ui/engine/image/crop-plan.ts plans it.
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.evaluate import load_trained  # noqa: E402
from gctm.inpaint_eval import heldout_crops, model_outputs, noisy_x1, opencv_inpaint  # noqa: E402
from gctm.threads import set_threads  # noqa: E402

CONTEXTS = (0.25, 0.5, 0.75, 1.0, 1.5)
IMAGE = 128          # the validation crops: twice the model's side, so windows can grow past it
CLASSES = ((16, "≤ 16 px"), (32, "17–32 px"), (10_000, "> 32 px"))


def _resize(a: np.ndarray, side: int) -> np.ndarray:
    return np.array(Image.fromarray(a).resize((side, side), Image.BICUBIC))


def _reach(n_in: int, n_out: int) -> list:
    """Per output sample of a bicubic resize n_in → n_out, the input range [lo, hi] that can reach it:
    the area it stands for and every tap with a non-zero weight (as ui/engine/tools/inpaint.ts reach();
    the engine's bicubic, half-pixel centres, reads 4 taps of which only the centre one is non-zero
    when the sample falls exactly on an input pixel)."""
    r = n_in / n_out
    out = []
    for o in range(n_out):
        lo, hi = math.floor(o * r), min(n_in - 1, math.ceil((o + 1) * r) - 1)
        real = r * (o + 0.5) - 0.5
        i0 = math.floor(real)
        taps = [i0] if real == i0 else [i0 - 1, i0, i0 + 1, i0 + 2]
        taps = [min(n_in - 1, max(0, i)) for i in taps]
        out.append((min([lo] + taps), max([hi] + taps)))
    return out


def model_hole(mask: np.ndarray, side: int) -> np.ndarray:
    """The engine's modelHole for a square window: a model pixel is hole when any hole pixel lies in
    its area or under its bicubic taps."""
    h, w = mask.shape
    rows = np.stack([mask[:, lo:hi + 1].any(axis=1) for lo, hi in _reach(w, side)], axis=1)  # h × side
    return np.stack([rows[lo:hi + 1].any(axis=0) for lo, hi in _reach(h, side)], axis=0)


def fills(model, window: np.ndarray, hole: np.ndarray, seed: int):
    m = torch.from_numpy(hole)[None, None].float()
    out = model_outputs(model, noisy_x1(window, m, seed), m)
    out = {"faithful": out["denoiser"], "detailed": out["nfe1"]}
    return {k: ((v[0].permute(1, 2, 0).numpy() + 1) * 127.5).clip(0, 255).round().astype(np.uint8) for k, v in out.items()}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--ckpt", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--images", type=int, default=40)
    ap.add_argument("--holes", type=int, default=6, help="holes per image")
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    cfg, model, _ = load_trained(args.config, args.ckpt)
    size = cfg.data.crop
    crops = [c for _, c in heldout_crops(IMAGE, "validation", clipart=0)]
    crops = crops[::max(1, len(crops) // args.images)][:args.images]
    rng = np.random.default_rng(0)
    sq = {}  # (method, class) -> squared errors inside the holes
    for ci, crop in enumerate(crops):
        for k in range(args.holes):
            w, h = (int(v) for v in rng.integers(8, 44, 2))
            x, y = int(rng.integers(0, IMAGE - w)), int(rng.integers(0, IMAGE - h))
            mask = np.zeros((IMAGE, IMAGE), bool)
            mask[y:y + h, x:x + w] = True
            side = max(w, h)
            cls = next(name for edge, name in CLASSES if side <= edge)
            err = lambda out: ((out[mask].astype(np.float64) - crop[mask]) ** 2).ravel()
            sq.setdefault(("telea", cls), []).append(err(opencv_inpaint(crop, mask, "telea")))
            for c in CONTEXTS:
                win = min(IMAGE, max(size, side + 2 * math.ceil(c * side)))
                X = min(IMAGE - win, max(0, round(x + w / 2 - win / 2)))
                Y = min(IMAGE - win, max(0, round(y + h / 2 - win / 2)))
                window, wmask = crop[Y:Y + win, X:X + win], mask[Y:Y + win, X:X + win]
                if win != size:
                    window, wmask = _resize(window, size), model_hole(wmask, size)
                for name, out in fills(model, window, wmask, 100 * ci + k).items():
                    back = _resize(out, win) if win != size else out
                    full = crop.copy()
                    full[Y:Y + win, X:X + win] = np.where(mask[Y:Y + win, X:X + win, None], back, full[Y:Y + win, X:X + win])
                    sq.setdefault((f"{name} c={c}", cls), []).append(err(full))
    psnr = lambda v: round(float(10 * np.log10(255 ** 2 / np.mean(np.concatenate(v)))), 2)
    table = {cls: {m: psnr(v) for (m, c2), v in sq.items() if c2 == cls} for _, cls in CLASSES}
    result = {"checkpoint": args.ckpt, "model_size": size, "image": IMAGE, "images": len(crops), "holes_per_image": args.holes,
              "how": "PSNR (dB) over all hole pixels of a class, the window's context c × the hole's side; Telea at full resolution",
              "psnr_by_hole_side": table}
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    for cls, row in table.items():
        print(f"{cls}: " + ", ".join(f"{m} {v:.2f}" for m, v in row.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
