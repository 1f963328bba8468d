"""Held-out evaluation of an upscaler: `python3 -m gctm.evaluate <config> --ckpt <ckpt.pt> [--regression <ckpt.pt>]`.

For each held-out photo: x0 = a centre crop, x1 = its antialiased downsample (8-bit) brought back to
size by the plugin's bicubic. Reported per method, as measured: PSNR and SSIM against x0 (mean over
images), and SWD on Laplacian-pyramid patches (whole set). Methods: bicubic (x1 itself), GCTM at
NFE = 1, GCTM with k consistency steps along the card's grid, the multi-step ODE reference (Heun on
g(x, t, t)), and the same network trained as a plain L2 regressor.
"""
import argparse
import json
import random
import os
import sys
import time

import numpy as np
import torch

from . import checkpoint, source_noise
from .config import load
from .data import expand, load_rgb
from .degrade import degrade_small, downsample, to_uint8, to_unit, upsample
from .metrics import psnr, ssim, swd
from .solvers import consistency_steps, ode_solve, one_step
from .threads import set_threads
from .time_grid import config_grid
from .trainer import build_model

SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data"
# Colour photos shipped with Debian's python3-skimage (CC0 / public domain): never used for training.
SKIMAGE_PHOTOS = ["astronaut.png", "coffee.png", "chelsea.png", "rocket.jpg", "motorcycle_left.png",
                  "motorcycle_right.png"]


SPLITS = ("validation", "test")


def heldout_images(cfg, max_side: int = 384, wallpaper_scale: float = 0.35, split: str = "validation"):
    """[(name, uint8 HWC)] of a held-out split, each centre-cropped to at most max_side and to a
    multiple of 8·scale. validation (recipes are chosen on it): the skimage photos and the validation
    wallpapers; test (reported at release only): the test wallpapers (gctm/splits.py). Wallpapers are
    downscaled the way training photos are."""
    from PIL import Image
    from .splits import PHOTOS_TEST, PHOTOS_VALIDATION
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}; expected one of {SPLITS}")
    items = [(n, load_rgb(os.path.join(SKIMAGE, n))) for n in SKIMAGE_PHOTOS] if split == "validation" else []
    for path in expand(PHOTOS_VALIDATION if split == "validation" else PHOTOS_TEST):
        im = Image.fromarray(load_rgb(path))
        im = im.resize((int(im.width * wallpaper_scale), int(im.height * wallpaper_scale)), Image.BICUBIC)
        items.append((os.path.basename(os.path.dirname(os.path.dirname(os.path.dirname(path))))
                      if "wallpapers" in path else os.path.basename(path), np.array(im)))
    m = 8 * cfg.data.scale
    out = []
    for name, img in items:
        h, w = (min(img.shape[0], max_side) // m) * m, (min(img.shape[1], max_side) // m) * m
        y, x = (img.shape[0] - h) // 2, (img.shape[1] - w) // 2
        out.append((name, np.ascontiguousarray(img[y:y + h, x:x + w])))
    return out


# Fixed damage for scoring the clean tool: strengths a user meets (phone-photo noise, a heavily
# compressed JPEG, a soft and slightly noisy capture). Each is applied to every held-out photo.
CLEAN_LEVELS = {
    "noise15": {"noise_p": 1.0, "noise_std": [15.0, 15.0]},
    "jpeg30": {"jpeg_p": 1.0, "jpeg_quality": [30, 30]},
    "blur1+noise5": {"blur_p": 1.0, "blur_sigma": [1.0, 1.0], "noise_p": 1.0, "noise_std": [5.0, 5.0]},
}


def heldout_pairs(cfg, split: str = "validation"):
    """[(name, clean uint8 HWC, source uint8 HWC)]: what the tool is given for each held-out image
    (the small image for an upscaler; the damaged image for the clean tool), deterministic."""
    pairs = []
    for i, (name, hr) in enumerate(heldout_images(cfg, split=split)):
        x0 = torch.from_numpy(hr).permute(2, 0, 1)[None]
        if cfg.data.task == "clean":
            for level, opts in CLEAN_LEVELS.items():
                torch.manual_seed(1000 + i)
                src = degrade_small(x0, opts, random.Random(i))
                pairs.append((f"{name}:{level}", hr, src[0].permute(1, 2, 0).numpy()))
        else:
            pairs.append((name, hr, downsample(x0, cfg.data.scale)[0].permute(1, 2, 0).numpy()))
    return pairs


def source_x1(cfg, src_hwc: np.ndarray) -> torch.Tensor:
    """x1 in [−1, 1] from what the tool is given, as the plugin builds it."""
    x = to_unit(torch.from_numpy(np.ascontiguousarray(src_hwc)).permute(2, 0, 1)[None])
    return x if cfg.data.task == "clean" else upsample(x, cfg.data.scale)


def to_image(x):
    """A model output in [−1, 1] as the 8-bit HWC image the plugin would write."""
    return to_uint8(x)[0].permute(1, 2, 0).numpy()


def high_frequency_ratio(img: np.ndarray, ref: np.ndarray) -> float:
    """Energy of the finest Laplacian band of img over that of the ground truth (1 = as sharp as the
    truth; a posterior mean comes out below 1, an over-sharpened image above)."""
    from .metrics import laplacian_pyramid
    band = lambda a: laplacian_pyramid(torch.from_numpy(np.ascontiguousarray(a)).permute(2, 0, 1)[None].double() / 255.0,
                                       min_size=4)[0]
    return float((band(img) ** 2).mean() / max((band(ref) ** 2).mean().item(), 1e-12))


def consistency_pair(model, x1: torch.Tensor, ode_grid) -> dict:
    """Is the one-step map a jump along the model's own ODE, or its denoiser? PSNR (dB, higher =
    closer) of G(x1, 1, 0) against the model's ODE solution and against its denoiser g(x1, 1, 1)."""
    with torch.no_grad():
        ones = torch.ones(x1.shape[0])
        one = to_image(one_step(model, x1))
        ode = to_image(ode_solve(model, x1, ode_grid))
        den = to_image(model.g(x1, ones, ones))
    return {"to_ode": psnr(one, ode), "to_denoiser": psnr(one, den), "denoiser": den}


def perturbed(x1: torch.Tensor, sigma_p: float, seed: int, noise_scale: int = 1) -> torch.Tensor:
    """x1 + σp·ε with ε from a seeded generator: the source a model trained on a perturbed source
    (σp > 0) is given, as the engine gives it; x1 itself when σp = 0. noise_scale > 1: ε is drawn on
    1/noise_scale of x1's resolution and resized (gctm.source_noise)."""
    if sigma_p <= 0:
        return x1
    return x1 + sigma_p * source_noise.draw(x1, noise_scale, torch.Generator().manual_seed(seed))


def evaluate(cfg, models: dict, k_grid, ode_grid, log=print, split: str = "validation"):
    """models: name → GCTM (EMA weights). Returns the metrics dict written into the card.

    With a perturbed source (the config's σp > 0) the GCTM model is given what the engine gives it:
    x1 + σp·ε (ε seeded per image) for the one step, k steps and the ODE, and x1 itself for the
    denoiser (Faithful: the most likely image of what the user gave, not of one draw of the noise);
    g(x1 + σp·ε, 1, 1) is reported beside as `gctm_denoiser_perturbed`, and the consistency pair is
    taken at the perturbed source. The L2 baseline (trained on the unperturbed source) is given x1."""
    images = heldout_pairs(cfg, split)
    base = "input" if cfg.data.task == "clean" else "bicubic"
    sigma_p = cfg.gctm.sigma_p
    kinds = ("nfe1", "k", "ode", "denoiser") + (("denoiser_perturbed",) if sigma_p > 0 else ())
    outs = {name: [] for name in [base] + [f"{m}_{kind}" for m in models for kind in kinds]}
    pair = {"to_ode": [], "to_denoiser": []}
    per_image = []
    targets = []
    timings = {}
    for index, (name, hr, src) in enumerate(images):
        clean = source_x1(cfg, src)
        row = {"image": name, "size": [hr.shape[1], hr.shape[0]]}
        results = {base: to_image(clean)}
        for mname, model in models.items():
            x1 = perturbed(clean, sigma_p, index, cfg.gctm.sigma_p_scale) if mname == "gctm" else clean
            t0 = time.time()
            results[f"{mname}_nfe1"] = to_image(one_step(model, x1))
            timings[f"{mname}_nfe1"] = timings.get(f"{mname}_nfe1", 0) + time.time() - t0
            if mname == "gctm":
                results[f"{mname}_k"] = to_image(consistency_steps(model, x1, k_grid))
                results[f"{mname}_ode"] = to_image(ode_solve(model, x1, ode_grid))
                cp = consistency_pair(model, x1, ode_grid)
                results[f"{mname}_denoiser"] = cp.pop("denoiser")
                if sigma_p > 0:
                    results[f"{mname}_denoiser_perturbed"] = results[f"{mname}_denoiser"]
                    with torch.no_grad():
                        ones = torch.ones(1)
                        results[f"{mname}_denoiser"] = to_image(model.g(clean, ones, ones))
                for k, v in cp.items():
                    pair[k].append(v)
                row["consistency"] = {k: round(v, 2) for k, v in cp.items()}
        for key, img in results.items():
            outs[key].append(img)
            row[key] = {"psnr": round(psnr(img, hr), 3), "ssim": round(ssim(img, hr), 4),
                        "hf_ratio": round(high_frequency_ratio(img, hr), 3)}
        per_image.append(row)
        targets.append(hr)
        log(f"  {name}: " + ", ".join(f"{k} {v['psnr']:.2f} dB" for k, v in row.items() if isinstance(v, dict) and "psnr" in v))
    summary = {}
    for key, imgs in outs.items():
        if not imgs:
            continue
        summary[key] = {
            "psnr": round(float(np.mean([r[key]["psnr"] for r in per_image])), 3),
            "ssim": round(float(np.mean([r[key]["ssim"] for r in per_image])), 4),
            "swd": round(swd(imgs, targets), 3),
            "hf_ratio": round(float(np.mean([r[key]["hf_ratio"] for r in per_image])), 3),
        }
    consistency = ({"one_step_to_ode_db": round(float(np.mean(pair["to_ode"])), 2),
                    "one_step_to_denoiser_db": round(float(np.mean(pair["to_denoiser"])), 2),
                    "ode_steps": ode_grid.numel() - 1} if pair["to_ode"] else None)
    return {"split": (f"{split}: " + ("skimage colour photos + validation wallpapers" if split == "validation"
                                       else "test wallpapers, never used to choose a recipe") + " (see DATA.md)"),
            "consistency": consistency,
            "degradation": (f"each photo at {', '.join(CLEAN_LEVELS)} ({CLEAN_LEVELS})" if cfg.data.task == "clean" else
                            f"antialiased bicubic ×1/{cfg.data.scale}, 8-bit, then the plugin's bicubic ×{cfg.data.scale}"),
            "images": len(images), "k_steps": k_grid.numel() - 1, "ode_steps": ode_grid.numel() - 1,
            "ode_nfe": 2 * (ode_grid.numel() - 1) - 1,
            "summary": summary, "per_image": per_image,
            "seconds_nfe1_cpu": {k: round(v, 2) for k, v in timings.items()}}


# A jump along the ODE and the posterior mean differ most in fine detail, which PSNR weighs little;
# 1 dB of PSNR (26 % less squared difference) between the two closeness numbers is well above the
# run-to-run spread of either (about 0.2 dB over the validation photos), so a model that meets it is
# measurably nearer its ODE.
CONSISTENCY_MARGIN_DB = 1.0


def targets(cfg, summary: dict, consistency: dict = None) -> list:
    """The product's quality targets, as measured (met or not): an upscaler gains at least 1 dB over
    bicubic; one step is within 0.3 dB of the model's own multi-step (ODE) reference, or above it."""
    out = []
    one = summary.get("gctm_nfe1", {}).get("psnr")
    if one is None:
        return out
    if cfg.data.task == "upscale" and "bicubic" in summary:
        # the output the card gives by default (a true GCTM's one step is a sample, which gives up
        # PSNR for detail)
        from .publish import OUTPUT_KEY, pick_default_output
        default = pick_default_output({"summary": summary}, cfg)
        name = {"faithful": "Faithful", "detailed": "one step"}[default]
        gain = summary[OUTPUT_KEY[default]]["psnr"] - summary["bicubic"]["psnr"]
        out.append({"target": "default output (the higher PSNR) ≥ bicubic + 1.0 dB", "value": f"{name} {gain:+.2f} dB",
                    "met": gain >= 1.0})
    if "gctm_ode" in summary:
        gap = one - summary["gctm_ode"]["psnr"]
        out.append({"target": "one step within 0.3 dB of the ODE reference (or above it)", "value": f"{gap:+.2f} dB",
                    "met": gap >= -0.3})
    if consistency:
        out.append(consistency_target(consistency))
    return out


def consistency_target(consistency: dict) -> dict:
    """The GCTM target every tool's evaluation reports: the one step nearer its ODE than its denoiser."""
    margin = consistency["one_step_to_ode_db"] - consistency["one_step_to_denoiser_db"]
    return {"target": f"one step nearer its ODE than its denoiser by ≥ {CONSISTENCY_MARGIN_DB} dB (a GCTM, not a regressor)",
            "value": f"{consistency['one_step_to_ode_db']:.1f} vs {consistency['one_step_to_denoiser_db']:.1f} dB",
            "met": margin >= CONSISTENCY_MARGIN_DB}


def load_ema(cfg, path):
    """The EMA network of a checkpoint, rebuilt as it was trained: its own network, data statistics
    and σ range (the time embedding at t = 1 depends on σ_max), whatever the current config says."""
    state = checkpoint.read(path)
    trained = state.get("config", {})
    g = trained.get("gctm", {})
    model = build_model(trained.get("net", cfg.net), state["vars"],
                        g.get("sigma_min", cfg.gctm.sigma_min), g.get("sigma_max", cfg.gctm.sigma_max))
    checkpoint.load_model(path, model)
    return model.eval(), state


#: The config sections a checkpoint's own record wins for: what the network was trained on and as.
TRAINED_SECTIONS = ("data", "net", "gctm", "train")


def as_trained(cfg, state: dict, path: str = "the checkpoint", log=print):
    """The config as the checkpoint was trained: its recorded [data], [net], [gctm] and [train] (a run
    launched with --set overrides, e.g. data.crop=64, is evaluated and published at the size it was
    trained at), the config file's [run] (id, tool, title, version: what is being published). A
    checkpoint without a readable record leaves the config as it is."""
    from .config import ConfigError, from_dict
    trained = state.get("config")
    if not isinstance(trained, dict) or not all(k in trained for k in TRAINED_SECTIONS):
        return cfg
    try:
        out = from_dict({**{k: trained[k] for k in TRAINED_SECTIONS}, "run": cfg.to_dict()["run"]}, path)
    except ConfigError as e:
        log(f"note: {path}'s recorded config is not readable ({e}); using the config file as it is")
        return cfg
    mine, theirs = cfg.to_dict(), out.to_dict()
    diff = [f"{sec}.{k}={theirs[sec].get(k)!r} (the file: {mine[sec].get(k)!r})" for sec in ("data", "net", "gctm")
            for k in sorted(set(mine[sec]) | set(theirs[sec])) if mine[sec].get(k) != theirs[sec].get(k)]
    if diff:
        log(f"note: {path} was trained with " + ", ".join(diff) + ": using the checkpoint's")
    return out


def eval_arguments(description: str, extra=None):
    """The command line every evaluation shares: a config, the GCTM checkpoint, its L2 baseline,
    the ODE steps, the output file and the thread count; `extra(ap)` adds a command's own options."""
    ap = argparse.ArgumentParser(description=description)
    ap.add_argument("config")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ckpt", help="a training checkpoint (its EMA weights)")
    src.add_argument("--zoo-card", help="a shipped model, rebuilt from zoo/<id>.json and its ONNX file")
    ap.add_argument("--regression", help="checkpoint of the same network trained as an L2 regressor")
    ap.add_argument("--ode-steps", type=int, default=16, help="Heun steps of the ODE reference (0: skip it where allowed)")
    ap.add_argument("--out", required=True, help="metrics JSON to write")
    ap.add_argument("--threads", type=int, default=2)
    if extra:
        extra(ap)
    return ap


def grids(cfg):
    """grid(k): the config's k-step time grid (k consistency steps, or k Heun steps of the ODE)."""
    return lambda k: config_grid(cfg.gctm, k)


def load_trained(config_path: str, ckpt: str, log=print):
    """(config as the checkpoint was trained, its EMA network, grid(k)) for a training checkpoint."""
    cfg = load(config_path)
    model, state = load_ema(cfg, ckpt)
    cfg = as_trained(cfg, state, ckpt, log=log)
    return cfg, model, grids(cfg)


def load_run(args):
    """(config, {"gctm": model, "regression": model?}, grid(k)) from parsed eval_arguments."""
    set_threads(args.threads)
    if args.zoo_card:
        from .from_onnx import load_zoo_model
        cfg = load(args.config)
        model, card = load_zoo_model(args.zoo_card)
        # the source the shipped model is given is its card's, whatever the config file says now
        cfg.gctm.sigma_p = card["source"].get("sigma_p") or 0.0
        cfg.gctm.sigma_p_scale = int(card["source"].get("sigma_p_scale") or 1)
        models = {"gctm": model}
    else:
        cfg, model, _ = load_trained(args.config, args.ckpt)
        models = {"gctm": model}
    if args.regression:
        models["regression"] = load_ema(cfg, args.regression)[0]
    return cfg, models, grids(cfg)


def main(argv=None):
    ap = eval_arguments(__doc__.splitlines()[0], lambda ap: ap.add_argument(
        "--split", choices=SPLITS, default="validation", help="validation while choosing a recipe; test only for a release"))
    args = ap.parse_args(argv)
    cfg, models, grid = load_run(args)
    k_grid, ode_grid = grid(cfg.gctm.steps), grid(args.ode_steps)
    metrics = evaluate(cfg, models, k_grid, ode_grid, split=args.split)
    metrics["targets"] = targets(cfg, metrics["summary"], metrics["consistency"])
    with open(args.out, "w") as f:
        json.dump(metrics, f, indent=2)
    for key, v in metrics["summary"].items():
        print(f"{key:18s} PSNR {v['psnr']:.2f} dB  SSIM {v['ssim']:.4f}  SWD {v['swd']:.2f}  HF {v['hf_ratio']:.2f}")
    if metrics["consistency"]:
        c = metrics["consistency"]
        print(f"consistency: one step to its ODE {c['one_step_to_ode_db']:.2f} dB, to its denoiser {c['one_step_to_denoiser_db']:.2f} dB")
    for t in metrics["targets"]:
        print(f"target: {t['target']}: {t['value']} — {'met' if t['met'] else 'not met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
