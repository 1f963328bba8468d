"""Inpainting on held-out images with the fixed held-out masks:
`python3 -m gctm.inpaint_eval configs/inpaint.toml --ckpt runs/inpaint/ckpt.pt [--regression runs/inpaint-l2/ckpt.pt] --out m.json`

For each validation (or test) photo and illustration, a centre crop at the model's size and every
held-out mask (`masks.heldout_masks`): x1 = the crop with the hole filled with seeded N(0, 1) noise.
Methods: OpenCV's Telea and Navier–Stokes (`cv2.inpaint`, radius 3), xphoto's FSR (fast) and shift-map
where OpenCV has them, the GCTM at NFE = 1 (Detailed),
its denoiser (Faithful), its ODE (16 Heun steps), and the same network as an L2 regressor. Every
output is composited into the crop inside the mask only, as the plugin does. Reported: PSNR and SSIM
inside the mask (over the hole's bounding box for SSIM), SWD on a window around each hole, by hole size
(small < 5 %, medium 5–15 %, large > 15 %), by mask kind, and by the side of the box the hole spans
(its bounding box's longer side in model pixels, what the engine's crop plan limits: `by_side`).
Also: the consistency pair (PSNR inside the hole of the one step against its ODE and against its
denoiser, as gctm.evaluate measures it on whole photos), the targets (above Telea in each size class,
the consistency margin) and `max_hole`: per output, the largest hole side the measurements support
(`supported_max_hole`).
"""
import copy
import json
import os
import sys

import numpy as np
import torch

from .data import evenly_spaced, expand, load_rgb
from .evaluate import SKIMAGE, SKIMAGE_PHOTOS, consistency_target, eval_arguments, load_run, to_image
from .inpaint_data import fill_hole, with_hole
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


def crop_seed(index: int) -> int:
    """The noise seed of held-out crop number `index` (the eval and the grid draw the same x1)."""
    return 10_000 * index


def noisy_x1(crop: np.ndarray, masks: torch.Tensor, seed: int) -> torch.Tensor:
    """x1 for one uint8 HWC crop under every mask of `masks` ([B, 1, H, W], 1 = hole) in one batch:
    the crop in [-1, 1] with each hole filled with the noise of torch.Generator().manual_seed(seed)
    drawn for the whole batch (so a batch's x1 is reproduced only by the same masks and seed)."""
    x0 = torch.from_numpy(np.ascontiguousarray(crop)).permute(2, 0, 1)[None].float() / 127.5 - 1
    x0 = x0.expand(len(masks), -1, -1, -1)
    return fill_hole(x0, masks, torch.randn(x0.shape, generator=torch.Generator().manual_seed(seed)))


@torch.no_grad()
def model_outputs(model, x1: torch.Tensor, masks: torch.Tensor, ode_grid=None) -> dict:
    """RGB outputs [B, 3, H, W] of one model from x1 and its holes: "nfe1" (the one step, Detailed),
    "denoiser" (g(x1, 1, 1), Faithful) and, with an ODE grid, "ode"."""
    xs = with_hole(x1, masks, model)  # [x1, mask] for a model that takes the hole
    ones = torch.ones(len(x1))
    out = {"nfe1": one_step(model, xs), "denoiser": model.g(xs, ones, ones)}
    if ode_grid is not None:
        out["ode"] = ode_solve(model, xs, ode_grid)
    return {k: v[:, :3] for k, v in out.items()}


def composite(out: np.ndarray, crop: np.ndarray, mask: np.ndarray) -> np.ndarray:
    return np.where(mask[..., None], out, crop)


#: OpenCV contrib's xphoto inpainting (Debian's python3-opencv has it): frequency-selective
#: reconstruction and shift-map, measured beside Telea and Navier–Stokes where present.
XPHOTO = {"xphoto_fsr": "INPAINT_FSR_FAST", "xphoto_shiftmap": "INPAINT_SHIFTMAP"}


def xphoto_methods() -> list:
    import cv2
    return list(XPHOTO) if hasattr(cv2, "xphoto") and hasattr(cv2.xphoto, "inpaint") else []


def opencv_inpaint(crop: np.ndarray, mask: np.ndarray, method: str) -> np.ndarray:
    import cv2
    if method in XPHOTO:  # xphoto's mask is the other way round: non-zero = known
        bgr = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
        out = np.zeros_like(bgr)
        cv2.xphoto.inpaint(bgr, np.where(mask, 0, 255).astype(np.uint8), out, getattr(cv2.xphoto, XPHOTO[method]))
        return cv2.cvtColor(out, cv2.COLOR_BGR2RGB)
    flag = cv2.INPAINT_TELEA if method == "telea" else cv2.INPAINT_NS
    bgr = cv2.cvtColor(crop, cv2.COLOR_RGB2BGR)
    return cv2.cvtColor(cv2.inpaint(bgr, mask.astype(np.uint8) * 255, 3, flag), cv2.COLOR_BGR2RGB)


def _window(mask: np.ndarray, pad: int = 8):
    ys, xs = np.nonzero(mask)
    return slice(max(0, ys.min() - pad), ys.max() + pad + 1), slice(max(0, xs.min() - pad), xs.max() + pad + 1)


#: PSNR inside a hole counts at most this. A fill within about 0.8 levels (RMS, 8-bit) of the photo is as
#: good as exact to the eye, and without a cap such fills rule the mean of the dB values: a flat white
#: crop filled 0.1 level off scores 67 dB and 0.5 level off 53 dB, a 14 dB swing nobody can see, which
#: moved the mean over the held-out crops by a whole dB while every photo's fill improved. Also keeps
#: an exact fill (∞: Telea over flat paper) a finite number, so the metrics stay valid JSON.
PSNR_CAP_DB = 50.0


def hole_psnr(out: np.ndarray, crop: np.ndarray, inside: np.ndarray) -> float:
    """PSNR (dB) of a composited uint8 output against the crop over the hole's pixels, capped."""
    return min(psnr(out[inside], crop[inside]), PSNR_CAP_DB)

#: Upper edges of the `by_side` classes: the hole's bounding-box longer side, in model pixels.
SIDE_EDGES = (16, 24, 32, 48, 64, 96, 128)


def hole_side(mask: np.ndarray) -> int:
    """The longer side of the box the hole spans (all its parts), in pixels."""
    ys, xs = np.nonzero(mask)
    return int(max(ys.max() - ys.min() + 1, xs.max() - xs.min() + 1))


def side_class(side: int) -> int:
    """The smallest SIDE_EDGES edge at or above `side`."""
    return next((e for e in SIDE_EDGES if side <= e), SIDE_EDGES[-1])


def supported_max_hole(rows: list, method: str, baseline: str = "telea") -> int:
    """The largest SIDE_EDGES edge E such that on every hole with a side up to E (pooled) the method's
    mean PSNR inside the hole is at least the baseline's, among the edges that measured holes reach
    (an edge above the largest measured hole adds nothing and is never claimed); None when no edge
    qualifies. What the card
    states as `max_hole` (the engine scales a window down so a larger hole shrinks to it)."""
    best, counted = None, 0
    for e in SIDE_EDGES:
        sel = [r for r in rows if r["side"] <= e and method in r]
        if len(sel) == counted:  # no hole of this size was measured: the edge is not supported by anything
            continue
        counted = len(sel)
        if np.mean([r[method]["psnr"] for r in sel]) >= np.mean([r[baseline]["psnr"] for r in sel]):
            best = e
    return best


#: The release goals beside the product targets: the one step beats the better of Telea and
#: Navier–Stokes by this much inside medium holes, and stays this close to its ODE reference.
GOAL_MEDIUM_GAIN_DB = 1.0
GOAL_ODE_GAP_DB = 0.3


def targets(by_size: dict, consistency: dict = None, method: str = "gctm_nfe1", goals: bool = True) -> list:
    """The inpaint tool's targets, as measured: the fill is closer to the photo inside the hole than
    OpenCV's Telea in each hole-size class; the one step is nearer its ODE than its denoiser. With
    `goals`, also the release goals (marked "goal": True): ≥ GOAL_MEDIUM_GAIN_DB over the better of
    Telea and Navier–Stokes on medium holes, a lower SWD than both at every size, and the one step
    within GOAL_ODE_GAP_DB of its ODE reference's PSNR."""
    num = lambda v: isinstance(v, (int, float))
    out = []
    for s, table in by_size.items():
        if method in table and "telea" in table:
            ours, base = table[method]["psnr"], table["telea"]["psnr"]
            out.append({"target": f"{s} holes: PSNR inside the hole above Telea's",
                        "value": f"{ours:.2f} vs {base:.2f} dB" if num(ours) and num(base) else f"{ours} vs {base} dB",
                        "met": num(ours) and num(base) and ours > base})
    if consistency:
        out.append(consistency_target(consistency))
    if not goals:
        return out
    classical = ("telea", "ns")
    medium = by_size.get("medium", {})
    if method in medium and all(k in medium for k in classical):
        best = max(medium[k]["psnr"] for k in classical)
        ours = medium[method]["psnr"]
        out.append({"target": f"medium holes: ≥ {GOAL_MEDIUM_GAIN_DB:.1f} dB above the better of Telea and Navier–Stokes",
                    "value": f"{ours - best:+.2f} dB", "met": ours - best >= GOAL_MEDIUM_GAIN_DB, "goal": True})
    for s, table in by_size.items():
        if method in table and all(k in table and "swd" in table[k] for k in classical) and "swd" in table[method]:
            best = min(table[k]["swd"] for k in classical)
            out.append({"target": f"{s} holes: SWD below Telea's and Navier–Stokes'",
                        "value": f"{table[method]['swd']:.1f} vs {best:.1f}", "met": table[method]["swd"] < best, "goal": True})
    ode = [(t[method]["psnr"], t["gctm_ode"]["psnr"]) for t in by_size.values() if method in t and "gctm_ode" in t]
    if ode:
        gap = max(o - m for m, o in ode)  # how far the one step falls below its ODE, worst size class
        out.append({"target": f"one step within {GOAL_ODE_GAP_DB} dB of its ODE reference (PSNR inside the hole)",
                    "value": f"worst size class {-gap:+.2f} dB", "met": gap <= GOAL_ODE_GAP_DB, "goal": True})
    return out


def summary(sel: list, methods: list) -> dict:
    """{method: mean PSNR inside the hole, mean SSIM, n} over the per-sample rows `sel`."""
    out = {}
    for k in methods:
        ss = [r[k]["ssim"] for r in sel if r[k]["ssim"] is not None]
        out[k] = {"psnr": round(float(np.mean([r[k]["psnr"] for r in sel])), 3),
                  "ssim": round(float(np.mean(ss)), 4) if ss else None, "n": len(sel)}
    return out


def groups(rows: list, methods: list) -> dict:
    """The per-sample rows summarised over all of them and by hole size, mask kind and side class (SWD,
    which needs the images, is added by `evaluate`)."""
    def by(key, values):
        return {str(v): summary([r for r in rows if key(r) == v], methods) for v in values
                if any(key(r) == v for r in rows)}
    return {"all": summary(rows, methods),
            "by_size": by(lambda r: r["size"], ("small", "medium", "large")),
            "by_kind": by(lambda r: r["kind"], sorted({r["kind"] for r in rows})),
            "by_side": by(lambda r: side_class(r["side"]), SIDE_EDGES)}


def carry_method(metrics: dict, earlier: dict, method: str, note: str) -> dict:
    """`metrics` with one method's results taken from an earlier evaluation on the same crops and masks
    (a JSON of this module, or a zoo card holding one): for a baseline whose weights are not kept, such
    as an L2 regressor measured at an earlier release. Its per-sample PSNRs are capped again at today's
    PSNR_CAP_DB and every mean is recomputed from them; SWD per hole size, which needs the images, is
    carried as measured. The rows must be the same samples in the same order (image, mask kind, hole
    share), or nothing is carried. `note` says whose the numbers are; it lands in `carried`."""
    earlier = earlier.get("metrics", earlier)
    new, old = metrics["per_sample"], earlier["per_sample"]
    if len(new) != len(old):
        raise ValueError(f"the two evaluations have {len(new)} and {len(old)} samples: not the same crops and masks")
    for i, (a, b) in enumerate(zip(new, old)):
        if (a["image"], a["kind"], round(a["share"], 6)) != (b["image"], b["kind"], round(b["share"], 6)):
            raise ValueError(f"sample {i} differs ({a['image']} {a['kind']} {a['share']:.4f} against "
                             f"{b['image']} {b['kind']} {b['share']:.4f}): not the same crops and masks")
        if method not in b:
            raise ValueError(f"the earlier evaluation has no {method} for sample {i}")
    out = copy.deepcopy(metrics)
    for a, b in zip(out["per_sample"], old):
        a[method] = {**b[method], "psnr": min(b[method]["psnr"], PSNR_CAP_DB)}
    fresh = groups(out["per_sample"], [method])
    out["all"][method] = fresh["all"][method]
    for part in ("by_size", "by_kind", "by_side"):
        for group, table in fresh[part].items():
            out[part].setdefault(group, {})[method] = table[method]
    for size, table in out["by_size"].items():
        swd_then = earlier.get("by_size", {}).get(size, {}).get(method, {}).get("swd")
        if swd_then is not None:
            table[method]["swd"] = swd_then
    out.setdefault("carried", {})[method] = note
    return out


def evaluate(models: dict, size: int, split: str, ode_grid, per_kind: int = 3, log=print) -> dict:
    crops = heldout_crops(size, split)
    masks = heldout_masks(size, per_kind=per_kind)
    m = torch.from_numpy(np.stack([mk for _, mk in masks]))[:, None].float()
    rows, windows = [], {}
    pair = {"to_ode": [], "to_denoiser": []}
    for ci, (name, crop) in enumerate(crops):
        x1 = noisy_x1(crop, m, crop_seed(ci))  # all masks of one crop in one batch
        batch = {}
        for mname, model in models.items():
            if mname == "gctm":
                batch.update({f"gctm_{k}": v for k, v in model_outputs(model, x1, m, ode_grid).items()})
            else:
                batch[f"{mname}_nfe1"] = model_outputs(model, x1, m)["nfe1"]
        for mi, (kind, mask) in enumerate(masks):
            outs = {k: opencv_inpaint(crop, mask, k) for k in ["telea", "ns"] + xphoto_methods()}
            outs.update({k: to_image(v[mi:mi + 1]) for k, v in batch.items()})
            ys, xs = _window(mask)
            row = {"image": name, "kind": kind, "share": float(mask.mean()), "size": size_class(float(mask.mean())),
                   "side": hole_side(mask)}
            inside = mask[..., None].repeat(3, axis=2)
            if "gctm_ode" in outs:  # the consistency pair, inside the hole (outside, every output is x1's context)
                one = outs["gctm_nfe1"][inside]
                pair["to_ode"].append(psnr(one, outs["gctm_ode"][inside]))
                pair["to_denoiser"].append(psnr(one, outs["gctm_denoiser"][inside]))
            for key, out in outs.items():
                full = composite(out, crop, mask)
                row[key] = {"psnr": round(hole_psnr(full, crop, inside), 3),
                            "ssim": round(ssim(full[ys, xs], crop[ys, xs]), 4) if min(full[ys, xs].shape[:2]) >= 7 else None}
                windows.setdefault((key, row["size"]), []).append((full[ys, xs], crop[ys, xs]))
            rows.append(row)
        log(f"  {name}: " + ", ".join(f"{k} {np.mean([r[k]['psnr'] for r in rows if r['image'] == name]):.2f}"
                                      for k in rows[-1] if isinstance(rows[-1][k], dict)))
    methods = [k for k in rows[0] if isinstance(rows[0][k], dict)]
    summaries = groups(rows, methods)
    by_size = summaries["by_size"]
    for s in by_size:
        for k in methods:  # SWD over the hole windows of that size class, resized to 64² patches' statistics
            pairs = windows[(k, s)]
            by_size[s][k]["swd"] = round(swd([_pad(a) for a, _ in pairs], [_pad(b) for _, b in pairs], patches_per_image=32), 2)
    finite = lambda v: [min(x, PSNR_CAP_DB) for x in v]
    consistency = ({"one_step_to_ode_db": round(float(np.mean(finite(pair["to_ode"]))), 2),
                    "one_step_to_denoiser_db": round(float(np.mean(finite(pair["to_denoiser"]))), 2),
                    "ode_steps": ode_grid.numel() - 1, "measured": "inside the hole"} if pair["to_ode"] else None)
    outputs = [k for k in ("gctm_nfe1", "gctm_denoiser") if k in methods]
    return {"split": split, "size": size, "crops": len(crops), "masks": len(masks),
            "all": summaries["all"], "by_size": by_size, "by_kind": summaries["by_kind"],
            "by_side": summaries["by_side"], "consistency": consistency,
            "targets": targets(by_size, consistency),
            "max_hole": {**{k: supported_max_hole(rows, k) for k in outputs},
                         "how": "the largest hole side (bounding box, model pixels) up to which the output's mean PSNR "
                                "inside the hole is at least Telea's (gctm.inpaint_eval.supported_max_hole)",
                         "largest_measured": max(r["side"] for r in rows)},
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
    for e, table in metrics["by_side"].items():
        print(f"side ≤ {e} px: " + ", ".join(f"{k} {v['psnr']:.2f} dB (n {v['n']})" for k, v in table.items()))
    if metrics["consistency"]:
        c = metrics["consistency"]
        print(f"consistency (inside the hole): one step to its ODE {c['one_step_to_ode_db']:.2f} dB, to its denoiser {c['one_step_to_denoiser_db']:.2f} dB")
    print(f"max_hole: {metrics['max_hole']}")
    for t in metrics["targets"]:
        print(f"target: {t['target']}: {t['value']} — {'met' if t['met'] else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
