"""Put a trained model into the zoo: `python3 -m gctm.publish <config> --ckpt <ckpt.pt> --metrics <metrics.json>`.

Writes models/zoo/<id>.onnx (fp32), fp16/<id>.onnx (fp16 weights, described by the same card),
<id>.json (the card), and the
plugin's golden files test/fixtures/golden-<id>-{in,out,hr}.png: a small held-out photo, the PyTorch
output for it at NFE = 1, and its ground truth. Refuses to publish when the ONNX parity check fails.
"""
import argparse
import json
import math
import random
import os
import sys

import numpy as np
import torch
from PIL import Image

from .card import build_card, tile_for, write_card
from .config import load
from .degrade import degrade_small, downsample, to_uint8
from .evaluate import CLEAN_LEVELS, CONSISTENCY_MARGIN_DB, SKIMAGE, load_ema, source_x1
from .export import ExportError, export_onnx, fp16_weights, parity
from .solvers import consistency_steps, one_step
from .time_grid import step_grid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARITY_TOL = 1e-4


def steps_grid(cfg, k: int) -> torch.Tensor:
    """The times the plugin walks for k steps (ui/engine/zoo.ts stepTimes): k + 1 points of the N-grid."""
    g = cfg.gctm
    grid = step_grid(g.steps, g.fine_steps, g.sigma_min, g.sigma_max, g.rho)
    n = grid.numel() - 1
    k = max(1, min(k, n))
    return grid[[int(math.floor(j * n / k + 0.5)) for j in range(k + 1)]]


def write_golden(model, cfg, out_dir, crop=(96, 96), steps: int = 1, default_output: str = "detailed"):
    """Tool input → PyTorch output, from the held-out astronaut photo: the small image (crop/scale)
    for an upscaler, the photo damaged at CLEAN_LEVELS["noise15"] for the clean tool. Writes -out.png
    (what the plugin makes by default) and -detailed.png / -faithful.png (each output by name)."""
    scale = cfg.data.scale if cfg.data.task == "upscale" else 1
    img = np.array(Image.open(os.path.join(SKIMAGE, "astronaut.png")).convert("RGB"))
    h, w = (crop[0] * scale, crop[1] * scale) if scale > 1 else (2 * crop[0], 2 * crop[1])
    hr = img[40:40 + h, 180:180 + w]  # the face and helmet edge: detail that bicubic blurs
    x0 = torch.from_numpy(np.ascontiguousarray(hr)).permute(2, 0, 1)[None]
    if cfg.data.task == "clean":
        torch.manual_seed(0)
        small = degrade_small(x0, CLEAN_LEVELS["noise15"], random.Random(0))
    else:
        small = downsample(x0, scale)
    x1 = source_x1(cfg, small[0].permute(1, 2, 0).numpy())
    # detailed: the card's default steps along the grid; faithful: one evaluation of the denoiser
    with torch.no_grad():
        detailed = one_step(model, x1) if steps == 1 else consistency_steps(model, x1, steps_grid(cfg, steps))
        ones = torch.ones(x1.shape[0])
        faithful = model.g(x1, ones, ones)
    base = os.path.join(out_dir, f"golden-{cfg.run.id}")
    png = lambda y, path: Image.fromarray(to_uint8(y)[0].permute(1, 2, 0).numpy()).save(path)
    Image.fromarray(small[0].permute(1, 2, 0).numpy()).save(base + "-in.png")
    png(detailed if default_output == "detailed" else faithful, base + "-out.png")
    png(detailed, base + "-detailed.png")
    png(faithful, base + "-faithful.png")
    Image.fromarray(hr).save(base + "-hr.png")


def pick_default_output(metrics: dict) -> str:
    """The output with the higher PSNR on the evaluation split (the card records both)."""
    m = metrics.get("summary", {})
    detailed, faithful = m.get("gctm_nfe1", {}).get("psnr"), m.get("gctm_denoiser", {}).get("psnr")
    if detailed is None or faithful is None:
        return "detailed"
    return "faithful" if faithful > detailed else "detailed"


def auto_summary(cfg, metrics: dict, default_steps: int = 1) -> str:
    """One plain sentence from the measured numbers (what the panel and `onestep models` show)."""
    m = metrics.get("summary", {})
    one = m.get("gctm_nfe1", {}).get("psnr")
    clean = cfg.data.task == "clean"
    base = m.get("input" if clean else "bicubic", {}).get("psnr")
    reg = m.get("regression_nfe1", {}).get("psnr")
    what = ("Removes noise, blur and JPEG artefacts at the same size" if clean
            else f"Upscales ×{cfg.data.scale}") + " in one network evaluation"
    if one is None or base is None:
        return what + "."
    text = f"{what}: {one - base:+.2f} dB PSNR over {'the damaged input' if clean else 'bicubic'} on the validation photos"
    den = m.get("gctm_denoiser", {}).get("psnr")
    if den is not None:
        text += f" for Detailed, {den - base:+.2f} dB for Faithful"
    if reg is not None:
        text += f" (the same network trained as a plain L2 regressor: {reg - base:+.2f} dB)"
    c = metrics.get("consistency")
    if c:
        nearer = c["one_step_to_ode_db"] - c["one_step_to_denoiser_db"]
        text += (f". Its one step lies {'nearer its ODE' if nearer > 0 else 'nearer its denoiser'} "
                 f"({c['one_step_to_ode_db']:.1f} dB from the ODE, {c['one_step_to_denoiser_db']:.1f} dB from the denoiser)")
        if nearer < CONSISTENCY_MARGIN_DB:
            text += ": it works as a regressor, not yet as a GCTM jump, so Faithful and Detailed look alike"
    k = m.get("gctm_k", {}).get("psnr")
    if default_steps > 1 and k is not None:
        text += (f". It runs {default_steps} steps by default: {k - base:+.2f} dB (the one-step map is not yet "
                 f"trained well enough to ship alone)")
    return text + "."


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--ckpt", help="a training checkpoint (its EMA weights)")
    src.add_argument("--zoo-card", help="re-export a shipped model from its own ONNX weights (e.g. to add the g "
                                        "output), keeping its card's network, time grid, data and training record")
    ap.add_argument("--version", default="", help="with --zoo-card: the new version (default: the patch bumped)")
    ap.add_argument("--metrics", required=True)
    ap.add_argument("--summary", default="")
    ap.add_argument("--history", default="", help="how the run went when it was not one config end to end")
    ap.add_argument("--default-steps", type=int, default=1,
                    help="steps the plugin runs by default (1 = one step); the golden output uses it")
    ap.add_argument("--default-output", choices=["auto", "detailed", "faithful"], default="auto",
                    help="what the tool gives by default; auto: the higher PSNR in --metrics")
    ap.add_argument("--licence", default="", help="the weights' licence when the data sets one (DATA.json)")
    ap.add_argument("--zoo", default=os.path.join(ROOT, "models", "zoo"))
    ap.add_argument("--fixtures", default=os.path.join(ROOT, "test", "fixtures"))
    args = ap.parse_args(argv)
    torch.set_num_threads(2)
    cfg = load(args.config)
    old = None
    if args.zoo_card:
        from .from_onnx import load_zoo_model
        model, old = load_zoo_model(args.zoo_card)
        state = {"steps": old["training"].get("steps", 0), "elapsed_s": 60 * old["training"].get("wall_time_min", 0),
                 "device": old["training"].get("hardware", "cpu").split(" ")[0]}
    else:
        model, state = load_ema(cfg, args.ckpt)
    with open(args.metrics) as f:
        metrics = json.load(f)
    os.makedirs(args.zoo, exist_ok=True)
    onnx_path = os.path.join(args.zoo, f"{cfg.run.id}.onnx")
    fp16_path = os.path.join(args.zoo, "fp16", f"{cfg.run.id}.onnx")
    os.makedirs(os.path.dirname(fp16_path), exist_ok=True)
    mult = model.net.cfg.multiple
    export_onnx(model, onnx_path, mult)
    err = parity(model, onnx_path, mult)
    if err > PARITY_TOL:
        os.remove(onnx_path)
        raise ExportError(f"ONNX parity failed: max |ORT − torch| = {err:.2e} > {PARITY_TOL:.0e}; nothing published")
    fp16_weights(onnx_path, fp16_path)
    err16 = parity(model, fp16_path, mult)
    training = {"steps": state["steps"], "wall_time_min": round(state.get("elapsed_s", 0) / 60, 1),
                "hardware": state.get("device", "cpu") + (" (2 cores)" if state.get("device", "cpu") == "cpu" else ""),
                "parity_max_abs": err, "parity_fp16_max_abs": err16}
    if args.history:
        training["history"] = args.history
    with open(os.path.join(ROOT, "models", "DATA.json")) as f:
        data = json.load(f)["sources"]
    tile, overlap = tile_for(model.net.cfg)
    default_output = pick_default_output(metrics) if args.default_output == "auto" else args.default_output
    card = build_card(cfg, model, onnx_path, fp16_path=fp16_path, metrics=metrics, training=training, data=data,
                      tile=tile, overlap=overlap, default_output=default_output)
    if old is not None:
        # the same weights in a new graph: what they were trained as stays on record
        for key in ("title", "network", "time", "vars", "data", "params", "flops_per_output_pixel"):
            card[key] = old[key]
        major, minor, patch = (old["version"].split(".") + ["0", "0"])[:3]
        card["version"] = args.version or f"{major}.{minor}.{int(patch) + 1}"
        card["training"] = {**old["training"], "parity_max_abs": err, "parity_fp16_max_abs": err16,
                            "reexported": f"{old['version']} re-exported from its own ONNX weights with the g output "
                                          f"beside y; metrics re-measured on the validation split"}
        for key in ("licence", "default_steps"):
            if key in old:
                card[key] = old[key]
        if "peer" in old.get("metrics", {}):  # same weights, same y: the peer comparison still holds
            card["metrics"]["peer"] = old["metrics"]["peer"]
    if args.licence:
        card["licence"] = args.licence
    # what the one step is, as measured: a jump along the model's ODE, or (still) its denoiser
    c = metrics.get("consistency")
    if c:
        gctm = c["one_step_to_ode_db"] - c["one_step_to_denoiser_db"] >= CONSISTENCY_MARGIN_DB
        card["one_step"] = "gctm" if gctm else "regressor"
    if args.default_steps > 1:
        card["default_steps"] = args.default_steps
    card["summary"] = args.summary or auto_summary(cfg, metrics, args.default_steps)
    write_card(card, os.path.join(args.zoo, f"{cfg.run.id}.json"))
    os.makedirs(args.fixtures, exist_ok=True)
    write_golden(model, cfg, args.fixtures, steps=args.default_steps, default_output=default_output)
    print(f"published {onnx_path} ({card['bytes'] / 1e6:.1f} MB; fp16 {card['fp16_bytes'] / 1e6:.1f} MB), "
          f"parity {err:.1e} (fp16 {err16:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
