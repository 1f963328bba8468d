"""Inpainting on held-out images with the fixed held-out masks:
`python3 -m gctm.inpaint_eval configs/inpaint.toml --ckpt runs/inpaint/ckpt.pt [--regression runs/inpaint-l2/ckpt.pt] --out m.json`

For each validation (or test) photo and illustration, a centre crop at the model's size and every
held-out mask (`masks.heldout_masks`): x1 = the crop with the hole filled with seeded N(0, 1) noise.
Methods: OpenCV's Telea and Navier–Stokes (`cv2.inpaint`, radius 3), the GCTM at NFE = 1 (Detailed),
its denoiser (Faithful), its ODE (16 Heun steps), and the same network as an L2 regressor. Every
output is composited into the crop inside the mask only, as the plugin does. Reported: PSNR and SSIM
inside the mask (over the hole's bounding box for SSIM), SWD on a window around each hole, by hole size
(small < 5 %, medium 5–15 %, large > 15 %) and by mask kind.
"""
import json
import os
import sys

import numpy as np
import torch

from .data import evenly_spaced, expand, load_rgb
from .evaluate import SKIMAGE, SKIMAGE_PHOTOS, eval_arguments, load_run, to_image
from .inpaint_data import fill_hole
from .masks import heldout_masks, size_class
from .metrics import psnr, ssim, swd
from .solvers import ode_solve, one_step
from .splits import CLIPART_HELDOUT, PHOTOS_TEST, PHOTOS_VALIDATION


def heldout_crops(size: int, split: str, clipart: int = 6) -> list:
    """[(name, uint8 HWC size×size)]: photos downscaled so the short side is 2·size, centre crop; and
    a few held-out illustrations fitted on white."""
    from PIL import Image
    items = []
    photos = ([os.path.join(SKIMAGE, n) for n in SKIMAGE_PHOTOS] + expand(PHOTOS_VALIDATION)
              if split == "validation" else expand(PHOTOS_TEST))
    for path in photos:
        im = Image.fromarray(load_rgb(path))
        s = 2 * size / min(im.size)
        im = im.resize((max(size, round(im.width * s)), max(size, round(im.height * s))), Image.BICUBIC)
        x, y = (im.width - size) // 2, (im.height - size) // 2
        items.append((os.path.basename(path), np.array(im)[y:y + size, x:x + size]))
    if split == "validation":
        for path in evenly_spaced(expand(CLIPART_HELDOUT), clipart):
            im = Image.fromarray(load_rgb(path))
            im.thumbnail((size, size), Image.LANCZOS)
            canvas = Image.new("RGB", (size, size), (255, 255, 255))
            canvas.paste(im, ((size - im.width) // 2, (size - im.height) // 2))
            items.append((os.path.basename(path), np.array(canvas)))
    return items


def composite(out: np.ndarray, crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask[..., None], out, crop)


def opencv_inpaint(crop: np.ndarray, mask: np.ndarray, method: str) -> np.ndarray:
    import cv2
    flag = cv2.INPAINT_TELEA if method == "telea" else cv2.INPAINT_NS
    bgr = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(cv2.inpaint(bgr, mask.astype(np.uint8) * 255, 3, flag), cv2.COLOR_BGR2RGB)


def _window(mask: np.ndarray, pad: int = 8):
    ys, xs = np.nonzero(mask)
    return slice(max(0, ys.min() - pad), ys.max() + pad + 1), slice(max(0, xs.min() - pad), xs.max() + pad + 1)


def evaluate(models: dict, size: int, split: str, ode_grid, per_kind: int = 3, log=print) -> dict:
    crops = heldout_crops(size, split)
    masks = heldout_masks(size, per_kind=per_kind)
    m = torch.from_numpy(np.stack([mk for _, mk in masks]))[:, None].float()
    rows, windows = [], {}
    for ci, (name, crop) in enumerate(crops):
        x0 = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1)[None].float() / 127.5 - 1
        x0 = x0.expand(len(masks), -1, -1, -1)
        gen = torch.Generator().manual_seed(10_000 * ci)
        x1 = fill_hole(x0, m, torch.randn(x0.shape, generator=gen))  # all masks of one crop in one batch
        batch = {}
        with torch.no_grad():
            for mname, model in models.items():
                batch[f"{mname}_nfe1"] = one_step(model, x1)
                if mname == "gctm":
                    ones = torch.ones(len(masks))
                    batch["gctm_denoiser"] = model.g(x1, ones, ones)
                    if ode_grid is not None:
                        batch["gctm_ode"] = ode_solve(model, x1, ode_grid)
        for mi, (kind, mask) in enumerate(masks):
            outs = {"telea": opencv_inpaint(crop, mask, "telea"), "ns": opencv_inpaint(crop, mask, "ns")}
            outs.update({k: to_image(v[mi:mi + 1]) for k, v in batch.items()})
            ys, xs = _window(mask)
            row = {"image": name, "kind": kind, "share": float(mask.mean()), "size": size_class(float(mask.mean()))}
            for key, out in outs.items():
                full = composite(out, crop, mask)
                inside = mask[..., None].repeat(3, axis=2)
                row[key] = {"psnr": round(psnr(full[inside], crop[inside]), 3),
                            "ssim": round(ssim(full[ys, xs], crop[ys, xs]), 4) if min(full[ys, xs].shape[:2]) >= 7 else None}
                windows.setdefault((key, row["size"]), []).append((full[ys, xs], crop[ys, xs]))
            rows.append(row)
        log(f"  {name}: " + ", ".join(f"{k} {np.mean([r[k]['psnr'] for r in rows if r['image'] == name]):.2f}"
                                      for k in rows[-1] if isinstance(rows[-1][k], dict)))
    methods = [k for k in rows[0] if isinstance(rows[0][k], dict)]

    def summarise(sel):
        out = {}
        for k in methods:
            ss = [r[k]["ssim"] for r in sel if r[k]["ssim"] is not None]
            out[k] = {"psnr": round(float(np.mean([r[k]["psnr"] for r in sel])), 3),
                      "ssim": round(float(np.mean(ss)), 4) if ss else None, "n": len(sel)}
        return out
    by_size = {s: summarise([r for r in rows if r["size"] == s]) for s in ("small", "medium", "large")
               if any(r["size"] == s for r in rows)}
    for s in by_size:
        for k in methods:  # SWD over the hole windows of that size class, resized to 64² patches' statistics
            pairs = windows[(k, s)]
            by_size[s][k]["swd"] = round(swd([_pad(a) for a, _ in pairs], [_pad(b) for _, b in pairs], patches_per_image=32), 2)
    return {"split": split, "size": size, "crops": len(crops), "masks": len(masks),
            "all": summarise(rows), "by_size": by_size,
            "by_kind": {k: summarise([r for r in rows if r["kind"] == k]) for k in sorted({r["kind"] for r in rows})},
            "per_sample": rows}


def _pad(a: np.ndarray, size: int = 32) -> np.ndarray:
    """Windows smaller than the SWD patch pyramid needs are edge-padded to `size`."""
    h, w = a.shape[:2]
    return np.pad(a, ((0, max(0, size - h)), (0, max(0, size - w)), (0, 0)), mode="edge")


def main(argv=None):
    ap = eval_arguments(__doc__.splitlines()[0], lambda ap: (
        ap.add_argument("--split", choices=["validation", "test"], default="validation"),
        ap.add_argument("--masks-per-kind", type=int, default=3)))
    args = ap.parse_args(argv)
    cfg, models, grid = load_run(args)
    metrics = evaluate(models, cfg.data.crop, args.split, grid(args.ode_steps) if args.ode_steps else None,
                       args.masks_per_kind)
    with open(args.out, "w") as f:
        json.dump(metrics, f, indent=1)
    for s, table in metrics["by_size"].items():
        print(f"{s} holes: " + ", ".join(f"{k} {v['psnr']:.2f} dB / SWD {v['swd']:.1f}" for k, v in table.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
