"""Put a trained model into the zoo: `python3 -m gctm.publish <config> --ckpt <ckpt.pt> --metrics <metrics.json>`.

Writes models/zoo/<id>.onnx (fp32), fp16/<id>.onnx (fp16 weights, described by the same card),
<id>.json (the card), and the
plugin's golden files test/fixtures/golden-<id>-{in,out,hr,detailed,faithful}.png: a small held-out
input, the PyTorch output for it (the card's default, and each output by name), and its ground truth.
Photo tools (restore, clean): a crop of the astronaut photo. Sketch and inpaint (gctm/golden.py): a
held-out drawing at the model's square, or the held-out photo crop with one hole (+ -mask.png and
-telea.png, OpenCV's fill of the same hole), built into x1 exactly as the engine builds it, its seeded
noise included. Refuses to publish when the ONNX parity check fails.

The metrics file is what the tool's evaluation wrote: gctm.evaluate (restore, clean), gctm.sketch_eval
(sketch), gctm.inpaint_eval (inpaint). The card's summary sentence, default output, `one_step` and (for
inpaint) `max_hole` come from it; its `data` from DATA.json (gctm/provenance.py) and, when that data is
CC-BY-SA, its `licence`.
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

from . import golden
from .card import build_card, tile_for, write_card
from .config import load
from .degrade import degrade_small, downsample, to_uint8
from .evaluate import CLEAN_LEVELS, CONSISTENCY_MARGIN_DB, SKIMAGE, as_trained, load_ema, source_x1
from .export import ExportError, export_onnx, fp16_weights, parity
from .provenance import sources_for, weights_licence
from .solvers import consistency_steps, one_step
from .threads import set_threads
from .time_grid import config_grid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PARITY_TOL = 1e-4


def steps_grid(cfg, k: int) -> torch.Tensor:
    """The times the plugin walks for k steps (ui/engine/zoo.ts stepTimes): k + 1 points of the N-grid."""
    grid = config_grid(cfg.gctm)
    n = grid.numel() - 1
    k = max(1, min(k, n))
    return grid[[int(math.floor(j * n / k + 0.5)) for j in range(k + 1)]]


def tool_kind(cfg) -> str:
    """upscale, clean (photos), sketch or inpaint: what the tool's golden files and metrics are."""
    return cfg.data.task if cfg.data.kind == "photos" else cfg.data.kind


def write_golden(model, cfg, out_dir, crop=(96, 96), steps: int = 1, default_output: str = "detailed", max_hole: int = None):
    """Tool input → PyTorch output. Sketch and inpaint: gctm/golden.py. Photo tools, from the held-out
    astronaut photo: the small image (crop/scale) for an upscaler, the photo damaged at
    CLEAN_LEVELS["noise15"] for the clean tool. Writes -out.png (what the plugin makes by default) and
    -detailed.png / -faithful.png (each output by name)."""
    kind = tool_kind(cfg)
    if kind in ("sketch", "inpaint"):
        write = golden.write_sketch if kind == "sketch" else golden.write_inpaint
        return write(model, cfg, out_dir, steps, steps_grid(cfg, steps), default_output, max_hole)
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
    # detailed: the card's default steps along the grid, from x1 + σp·ε with the engine's noise at the
    # default seed (ui/engine/tools/restore.ts); faithful: one evaluation of the denoiser at x1 itself
    x1d = golden.perturbed_x1(x1, cfg.gctm.sigma_p, noise_scale=cfg.gctm.sigma_p_scale)
    with torch.no_grad():
        detailed = one_step(model, x1d) if steps == 1 else consistency_steps(model, x1d, steps_grid(cfg, steps))
        ones = torch.ones(x1.shape[0])
        faithful = model.g(x1, ones, ones)
    base = os.path.join(out_dir, f"golden-{cfg.run.id}")
    png = lambda y, path: Image.fromarray(to_uint8(y)[0].permute(1, 2, 0).numpy()).save(path)
    Image.fromarray(small[0].permute(1, 2, 0).numpy()).save(base + "-in.png")
    png(detailed if default_output == "detailed" else faithful, base + "-out.png")
    png(detailed, base + "-detailed.png")
    png(faithful, base + "-faithful.png")
    Image.fromarray(hr).save(base + "-hr.png")


OUTPUT_KEY = {"detailed": "gctm_nfe1", "faithful": "gctm_denoiser"}


def check_metrics(cfg, metrics: dict):
    """Stops with a message when the metrics file is not the tool's own evaluation."""
    kind = tool_kind(cfg)
    ok = {"sketch": lambda m: "colourfulness" in m.get("summary", {}).get("gctm_nfe1", {}),
          "inpaint": lambda m: "by_size" in m and "all" in m}.get(kind, lambda m: "psnr" in m.get("summary", {}).get("gctm_nfe1", {}))
    command = {"sketch": "gctm.sketch_eval", "inpaint": "gctm.inpaint_eval"}.get(kind, "gctm.evaluate")
    if not ok(metrics):
        raise SystemExit(f"{cfg.run.id}: the metrics file is not {'an' if kind[0] in 'aeiou' else 'a'} {kind} evaluation: make it with "
                         f"`python3 -m {command} {'<config>'} --ckpt … --out …`; nothing published")
    if kind in ("sketch", "inpaint") and metrics.get("size") not in (None, cfg.data.crop):
        raise SystemExit(f"{cfg.run.id}: the metrics were measured at {metrics['size']}² but the model works at "
                         f"{cfg.data.crop}²: evaluate this checkpoint with `python3 -m {command}`; nothing published")


def finite(value):
    """The metrics with every non-finite number (an ∞ PSNR of an exact fill, a NaN) as null: a card
    must be valid JSON, which has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list):
        return [finite(v) for v in value]
    return value


def pick_default_output(metrics: dict, cfg=None) -> str:
    """The output the tool gives by default, from the evaluation (the card records both). Photo tools
    and inpaint: the higher PSNR (inpaint: inside the hole, over every held-out hole). Sketch: the lower
    SWD to the held-out colourings (PSNR rewards a grey mean there; gctm.sketch_eval)."""
    kind = tool_kind(cfg) if cfg is not None else "upscale"
    m = metrics.get("all" if kind == "inpaint" else "summary", {})
    detailed, faithful = m.get("gctm_nfe1", {}), m.get("gctm_denoiser", {})
    key = "swd" if kind == "sketch" else "psnr"
    if detailed.get(key) is None or faithful.get(key) is None:
        return "detailed"
    better = faithful[key] < detailed[key] if key == "swd" else faithful[key] > detailed[key]
    return "faithful" if better else "detailed"


def _consistency_words(metrics: dict, alike: bool = False) -> str:
    """Where the one step lies, as measured. `alike`: the photo tools, whose regressor-like one step is
    measured ≥ 50 dB from their denoiser; a sketch's one step can differ from its denoiser while still
    being no nearer its ODE, so it says only what was measured."""
    c = metrics.get("consistency")
    if not c:
        return ""
    nearer = c["one_step_to_ode_db"] - c["one_step_to_denoiser_db"]
    where = f", {c['measured']}" if c.get("measured") else ""
    text = (f". Its one step lies {'nearer its ODE' if nearer > 0 else 'nearer its denoiser'} "
            f"({c['one_step_to_ode_db']:.1f} dB from the ODE, {c['one_step_to_denoiser_db']:.1f} dB from the denoiser{where})")
    if nearer < CONSISTENCY_MARGIN_DB:
        text += ": it works as a regressor, not yet as a GCTM jump" + (", so Faithful and Detailed look alike" if alike else "")
    return text


def _missed_words(targets: list) -> str:
    missed = [f"{t['target']} ({t['value']})" for t in targets or [] if not t.get("met")]
    if not targets:
        return ""
    return (". Targets missed: " + "; ".join(missed)) if missed else ". Every target met"


def sketch_summary(cfg, metrics: dict, default_output: str = "detailed") -> str:
    """The sketch tool's sentence: colourfulness, SWD and stroke F1 against the L2 regressor and the ODE."""
    m = metrics.get("summary", {})
    size = cfg.data.crop
    what = f"Colours a line drawing at {size}×{size} in one network evaluation"
    key = OUTPUT_KEY[default_output]
    one = m.get(key)
    if not one:
        return what + "."
    label = "Detailed (one step)" if default_output == "detailed" else "Faithful (the denoiser)"
    n = metrics.get("pairs")
    target_c = m.get("targets", {}).get("colourfulness")
    text = (f"{what}. On {n} held-out OpenMoji drawings, {label}: colourfulness {one['colourfulness']:.1f}"
            + (f" (the real colourings {target_c:.1f})" if target_c is not None else "")
            + f", SWD {one['swd']:.1f} to the real colourings (lower is closer), strokes kept at F1 {one['stroke_f1']:.2f}")
    refs = [(name, m[k]) for name, k in (("the same network as a plain L2 regressor", "regression_nfe1"),
                                          (f"its {metrics.get('ode_steps', 16)}-step ODE", "gctm_ode")) if k in m]
    if refs:
        text += "; " + "; ".join(f"{name}: {r['colourfulness']:.1f}, SWD {r['swd']:.1f}, F1 {r['stroke_f1']:.2f}" for name, r in refs)
    from .sketch_eval import targets as sketch_targets
    return text + _missed_words(sketch_targets(m, metrics.get("consistency"), key)) + _consistency_words(metrics) + "."


SIZE_WORDS = {"small": "small holes (< 5 %)", "medium": "medium (5–15 %)", "large": "large (> 15 %)"}


def _db(v) -> str:
    return f"{v:.2f}" if isinstance(v, (int, float)) else "–"


def _regressor_words(metrics: dict, row: dict, same: str) -> str:
    """Whose L2 baseline the sentence quotes: one measured on another network (an earlier, narrower one)
    is not "the same network". It says so by a note on its row (the upscalers) or by being carried from
    an earlier evaluation (`tools/carry_baseline.py`, inpaint)."""
    borrowed = row.get("note") or "regression_nfe1" in (metrics.get("carried") or {})
    return "an L2 regressor, see the card's metrics note" if borrowed else same


def inpaint_summary(cfg, metrics: dict, default_output: str = "detailed") -> str:
    """The inpaint tool's sentence: PSNR inside the hole against OpenCV's Telea and Navier–Stokes by hole size."""
    size = cfg.data.crop
    what = f"Fills the masked part of an image in one network evaluation per {size}×{size} window"
    key = OUTPUT_KEY[default_output]
    by_size = metrics.get("by_size", {})
    rows = [(s, t) for s, t in by_size.items() if key in t and "telea" in t]
    if not rows:
        return what + "."
    label = "Detailed (one step)" if default_output == "detailed" else "Faithful (the denoiser)"
    text = (f"{what}. PSNR inside the hole on {metrics.get('crops')} held-out crops × {metrics.get('masks')} masks, "
            f"{label} against OpenCV's Telea / Navier–Stokes: "
            + ", ".join(f"{SIZE_WORDS.get(s, s)} {_db(t[key]['psnr'])} dB vs {_db(t['telea']['psnr'])}"
                        + (f" / {_db(t['ns']['psnr'])}" if "ns" in t else "") for s, t in rows))
    if all("regression_nfe1" in t for _, t in rows):
        whose = _regressor_words(metrics, rows[0][1]["regression_nfe1"], "the same network as a plain L2 regressor")
        text += f" ({whose}: " + " / ".join(_db(t["regression_nfe1"]["psnr"]) for _, t in rows) + ")"
    mh = (metrics.get("max_hole") or {}).get(key)
    if mh:
        text += f"; on average above Telea for holes up to {mh} px across"
    elif metrics.get("max_hole"):
        text += "; not above Telea on average at any hole size measured"
    from .inpaint_eval import targets as inpaint_targets
    text += _missed_words(inpaint_targets(by_size, metrics.get("consistency"), key, goals=False))
    return text + _consistency_words(metrics) + "."


def auto_summary(cfg, metrics: dict, default_steps: int = 1, default_output: str = "detailed") -> str:
    """One plain sentence from the measured numbers (what the panel and `onestep models` show)."""
    kind = tool_kind(cfg)
    if kind == "sketch":
        return sketch_summary(cfg, metrics, default_output)
    if kind == "inpaint":
        return inpaint_summary(cfg, metrics, default_output)
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
        whose = _regressor_words(metrics, m["regression_nfe1"], "the same network trained as a plain L2 regressor")
        text += f" ({whose}: {reg - base:+.2f} dB)"
    text += _consistency_words(metrics, alike=True)
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
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args(argv)
    set_threads(args.threads)
    cfg = load(args.config)
    old = None
    if args.zoo_card:
        from .from_onnx import load_zoo_model
        model, old = load_zoo_model(args.zoo_card)
        state = {"steps": old["training"].get("steps", 0), "elapsed_s": 60 * old["training"].get("wall_time_min", 0),
                 "device": old["training"].get("hardware", "cpu").split(" ")[0]}
    else:
        model, state = load_ema(cfg, args.ckpt)
        cfg = as_trained(cfg, state, args.ckpt)  # the size, network and time grid it was trained with
    with open(args.metrics) as f:
        metrics = finite(json.load(f))
    check_metrics(cfg, metrics)
    # what the card says, before any file is written (a metrics file it cannot read stops here)
    default_output = pick_default_output(metrics, cfg) if args.default_output == "auto" else args.default_output
    summary = args.summary or auto_summary(cfg, metrics, args.default_steps, default_output)
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
        data = sources_for(cfg, json.load(f)["sources"])
    tile, overlap = tile_for(model.net.cfg)
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
    elif old is None and weights_licence(card["data"]):
        card["licence"] = weights_licence(card["data"])
    # inpaint: the largest hole (bounding-box side, model pixels) the measurements support for the
    # default output (gctm.inpaint_eval.supported_max_hole); absent when none is
    max_hole = (metrics.get("max_hole") or {}).get(OUTPUT_KEY[default_output]) if tool_kind(cfg) == "inpaint" else None
    if max_hole:
        card["max_hole"] = max_hole
    # what the one step is, as measured: a jump along the model's ODE, or (still) its denoiser
    c = metrics.get("consistency")
    if c:
        gctm = c["one_step_to_ode_db"] - c["one_step_to_denoiser_db"] >= CONSISTENCY_MARGIN_DB
        card["one_step"] = "gctm" if gctm else "regressor"
    if args.default_steps > 1:
        card["default_steps"] = args.default_steps
    # sketch: the colour latent's useful strengths, as measured (gctm.sketch_latents), for the panel's hint
    if metrics.get("colour_latent"):
        from .sketch_latents import FLOODED_PAPER, latent_range
        lr = latent_range(metrics["colour_latent"])
        if lr:
            card["latent"] = {**lr, "how": f"floods: the smallest strength at which the paper kept falls to "
                                          f"{FLOODED_PAPER:.0%} or less (mean over the measured colours); best: "
                                          f"the strength before it on the measured grid"}
    card["summary"] = summary
    write_card(card, os.path.join(args.zoo, f"{cfg.run.id}.json"))
    os.makedirs(args.fixtures, exist_ok=True)
    write_golden(model, cfg, args.fixtures, steps=args.default_steps, default_output=default_output,
                 max_hole=card.get("max_hole"))
    print(f"published {onnx_path} ({card['bytes'] / 1e6:.1f} MB; fp16 {card['fp16_bytes'] / 1e6:.1f} MB), "
          f"parity {err:.1e} (fp16 {err16:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
