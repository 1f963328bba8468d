"""The sketch tool's two steering inputs on the held-out pairs, built as the engine builds them
(ui/engine/tools/sketch.ts):

- Colour latent (parseColor, latentTerm, sketchX1): ℓ is the constant image of a colour '#rrggbb' in
  [−1, 1] (each channel byte/255·2 − 1), the term γ·ℓ is rounded to float32 and added to the perturbed
  sketch y = line + σp·ε; the result is G(y + γ·ℓ, 1, 0). γ = 0 is the plain sketch run. Reported per
  colour and γ: the output's mean colour over the drawing (the pixels where the target is not paper:
  some channel below NEAR_WHITE; the same pixels at every γ), its distance to the picked colour (RGB
  levels), stroke F1 at 2 px of the sketch extracted from the output against the input, and the share
  of the target's paper that stays paper in the output (a colour flooding the background lowers it). `useful_gammas`: the γ > 0 whose
  mean colour is nearer the pick than at γ = 0 while stroke F1 keeps USEFUL_F1_SHARE of γ = 0's.
- Edit, the paper's Algorithm 5 (buildEditSource, editTimes): x_s = (1 − s)·x_edit + s·x1, where x1 is
  the sketch's own x1 (the line drawing + σp·ε of the result's seed; no extra noise), and the result is
  G(x_s, s, 0), one evaluation (the engine's default steps). x_edit is a held-out target with a few
  painted strokes or blobs of one random colour (seeded, EDIT_SEED0 + index). Reported per s: PSNR to
  x_edit outside the paint (faithfulness), PSNR to x_edit inside it (how much of the paint stays),
  SWD to the held-out targets (realism) and PSNR to the unpainted target; the same for x_edit itself.
"""
import numpy as np
import torch

from .masks import make_mask
from .metrics import psnr, swd
from .sketch_eval import source, to_u8
from .sketch_extract import extract_sketch, stroke_f1
from .sketch_data import to_unit
from .solvers import one_step

COLOURS = ("#cc3344", "#3366cc", "#33aa55")
GAMMAS = (0.0, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0)
EDIT_STRENGTHS = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)
NEAR_WHITE = 230        # a pixel with every channel at or above this is paper
USEFUL_F1_SHARE = 0.9   # useful_gammas: stroke F1 at least this share of γ = 0's
EDIT_SEED0 = 700_000    # the painted edits' seeds (far from the mask sets' seeds)
EDIT_COVERAGE = (0.03, 0.15)


# -- building the inputs (the engine's definitions) ------------------------------------------------

def parse_color(hex_rgb: str) -> tuple:
    """'#rrggbb' → (r, g, b) in [−1, 1], as the engine's parseColor."""
    return tuple(int(hex_rgb[1 + 2 * k:3 + 2 * k], 16) / 255 * 2 - 1 for k in range(3))


def colour_u8(hex_rgb: str) -> np.ndarray:
    return np.array([int(hex_rgb[1 + 2 * k:3 + 2 * k], 16) for k in range(3)], np.float64)


def latent_term(hex_rgb: str, gamma: float, like: torch.Tensor) -> torch.Tensor:
    """γ·ℓ, each channel's product in float64 rounded to float32 (the engine's latentTerm)."""
    rgb = torch.tensor([gamma * c for c in parse_color(hex_rgb)], dtype=torch.float64).to(like.dtype)
    return rgb.reshape(1, 3, 1, 1).expand_as(like)


def with_latent(y: torch.Tensor, hex_rgb: str, gamma: float) -> torch.Tensor:
    """x1 = y + γ·ℓ (y unchanged at γ = 0, as the engine passes no latent then)."""
    return y if gamma == 0 else y + latent_term(hex_rgb, gamma, y)


def edit_source(x_edit: torch.Tensor, x1: torch.Tensor, s: float) -> torch.Tensor:
    """x_s = (1 − s)·x_edit + s·x1, computed in float64 and stored in float32 as the engine does."""
    return ((1 - s) * x_edit.double() + s * x1.double()).to(x1.dtype)


@torch.no_grad()
def edit_step(model, x_edit: torch.Tensor, x1: torch.Tensor, s: float) -> torch.Tensor:
    """G(x_s, s, 0): the engine's edit at strength s with its default single evaluation."""
    xs = edit_source(x_edit, x1, s)
    n = xs.shape[0]
    return model(xs, torch.full((n,), float(s)), torch.zeros(n))


def paint(target_u8: np.ndarray, seed: int) -> tuple:
    """(x_edit uint8 [H, W, 3], mask bool [H, W]): strokes (even seed) or a blob (odd) of one random colour."""
    size = target_u8.shape[0]
    mask = make_mask(size, seed, "strokes" if seed % 2 == 0 else "blob", coverage=EDIT_COVERAGE, font_files=[])
    rgb = np.random.default_rng(seed).integers(0, 256, 3).astype(np.uint8)
    out = target_u8.copy()
    out[mask] = rgb
    return out, mask


def painted_set(colour: np.ndarray, seed0: int = EDIT_SEED0) -> tuple:
    """(x_edit uint8 [N, H, W, 3], masks bool [N, H, W]) for every held-out target."""
    pairs = [paint(c, seed0 + i) for i, c in enumerate(colour)]
    return np.stack([p[0] for p in pairs]), np.stack([p[1] for p in pairs])


def to_tensor(u8: np.ndarray) -> torch.Tensor:
    """uint8 [N, H, W, 3] → [N, 3, H, W] in [−1, 1]."""
    return to_unit(torch.from_numpy(np.ascontiguousarray(u8))).permute(0, 3, 1, 2).contiguous()


# -- running ----------------------------------------------------------------------------------------

def latent_outputs(model, y: torch.Tensor, colours=COLOURS, gammas=GAMMAS) -> dict:
    """(colour, γ) → G(y + γ·ℓ, 1, 0) as uint8; γ = 0 is run once and shared by the colours."""
    plain = to_u8(one_step(model, y)) if 0 in gammas else None
    return {(c, g): plain if g == 0 else to_u8(one_step(model, with_latent(y, c, g))) for c in colours for g in gammas}


def edit_outputs(model, x_edit: torch.Tensor, x1: torch.Tensor, strengths=EDIT_STRENGTHS) -> dict:
    """s → G(x_s, s, 0) as uint8."""
    return {s: to_u8(edit_step(model, x_edit, x1, s)) for s in strengths}


def _batches(n: int, batch: int):
    return [slice(i, min(n, i + batch)) for i in range(0, n, batch)]


def _gather(parts: list) -> dict:
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


# -- scoring ----------------------------------------------------------------------------------------

def paper(u8: np.ndarray) -> np.ndarray:
    """bool [..., H, W]: every channel at or above NEAR_WHITE."""
    return (u8 >= NEAR_WHITE).all(axis=-1)


def ink(u8: np.ndarray) -> np.ndarray:
    """The ink of the sketch extracted from uint8 RGB images (as sketch_eval scores strokes)."""
    return extract_sketch(u8.astype(np.float32) / 255.0) < 0.5


def colour_row(out: np.ndarray, target: np.ndarray, line_ink: np.ndarray, hex_rgb: str) -> dict:
    bg = paper(target)
    drawing = ~bg if (~bg).any() else ~paper(out)  # the target's drawing (fixed across γ)
    mean = out[drawing].astype(np.float64).mean(axis=0) if drawing.any() else np.full(3, 255.0)
    return {"mean_rgb": [round(float(v), 1) for v in mean],
            "distance": round(float(np.linalg.norm(mean - colour_u8(hex_rgb))), 2),
            "stroke_f1": round(stroke_f1(ink(out), line_ink, tol_px=2), 3),
            "background_white": round(float(paper(out)[bg].mean()) if bg.any() else 1.0, 3)}


FLOODED_PAPER = 0.1      # latent_range: at this share of paper kept (or less) the colour has flooded it


def latent_range(colour_latent: dict):
    """{"best", "floods"} for the panel's Strength hint from the measured colours: `floods` is the
    smallest γ at which the mean share of paper kept falls to FLOODED_PAPER or below, `best` the γ of
    the grid just before it (the strongest that still leaves paper); None when nothing floods or there
    is no γ > 0 before it."""
    gammas = sorted(float(g) for g in colour_latent["gammas"])
    kept = {g: float(np.mean([c["by_gamma"][str(g)]["background_white"] for c in colour_latent["colours"].values()]))
            for g in gammas}
    floods = next((g for g in gammas if g > 0 and kept[g] <= FLOODED_PAPER), None)
    before = [g for g in gammas if 0 < g < (floods or 0)]
    if floods is None or not before:
        return None
    return {"best": before[-1], "floods": floods}


def useful_gammas(rows: dict) -> list:
    base = rows[0.0]
    return [g for g, r in rows.items() if g > 0 and r["distance"] < base["distance"]
            and r["stroke_f1"] >= USEFUL_F1_SHARE * base["stroke_f1"]]


def masked_psnr(a: np.ndarray, b: np.ndarray, masks: np.ndarray) -> float:
    """Mean over images of the PSNR on the masked pixels (images with none are skipped)."""
    vals = [psnr(x[m], y[m]) for x, y, m in zip(a, b, masks) if m.any()]
    return round(float(np.mean(vals)), 2) if vals else float("nan")


def edit_row(out: np.ndarray, x_edit: np.ndarray, masks: np.ndarray, target: np.ndarray) -> dict:
    return {"psnr_outside_paint": masked_psnr(out, x_edit, ~masks),
            "psnr_paint_kept": masked_psnr(out, x_edit, masks),
            "swd": round(swd(list(out), list(target), patches_per_image=32), 2),
            "psnr_target": round(float(np.mean([psnr(a, b) for a, b in zip(out, target)])), 2)}


# -- the two measurements ----------------------------------------------------------------------------

def measure_latents(model, colour: np.ndarray, line: np.ndarray, sigma_p: float, batch: int = 32,
                    colours=COLOURS, gammas=GAMMAS, log=print) -> dict:
    """The colour latent over γ on held-out pairs (uint8 colour [N, H, W, 3], line [N, H, W]); seed 0's
    noise as sketch_eval's (the batch's start), so γ = 0 is its gctm_nfe1 on seed 0 at the same batch."""
    parts = []
    for sl in _batches(len(colour), batch):
        outs = latent_outputs(model, source(line[sl], sigma_p, sl.start), colours, gammas)
        parts.append({f"{c} {g}": v for (c, g), v in outs.items()})
    outs = _gather(parts)
    line_ink = line.astype(np.float32) / 255.0 < 0.5
    result = {"gammas": list(gammas), "near_white": NEAR_WHITE, "colours": {}}
    for c in colours:
        rows = {g: colour_row(outs[f"{c} {g}"], colour, line_ink, c) for g in gammas}
        result["colours"][c] = {"by_gamma": {str(g): r for g, r in rows.items()}, "useful_gammas": useful_gammas(rows)}
        for g, r in rows.items():
            log(f"latent {c} γ {g:<4} mean {r['mean_rgb']} distance {r['distance']:6.1f}  "
                f"stroke_f1 {r['stroke_f1']:.3f}  background_white {r['background_white']:.3f}")
        log(f"latent {c} useful γ: {result['colours'][c]['useful_gammas']}")
    return result


def measure_edit(model, colour: np.ndarray, line: np.ndarray, sigma_p: float, batch: int = 32,
                 strengths=EDIT_STRENGTHS, log=print) -> dict:
    """Edit (Algorithm 5) over s on painted held-out targets; x1 = the line + σp·ε of seed 0 (as above)."""
    x_edit_u8, masks = painted_set(colour)
    parts = []
    for sl in _batches(len(colour), batch):
        outs = edit_outputs(model, to_tensor(x_edit_u8[sl]), source(line[sl], sigma_p, sl.start), strengths)
        parts.append({str(s): v for s, v in outs.items()})
    outs = _gather(parts)
    result = {"strengths": list(strengths), "paint_seed0": EDIT_SEED0,
              "paint_coverage": round(float(masks.mean()), 4),
              "x_edit": {k: v for k, v in edit_row(x_edit_u8, x_edit_u8, masks, colour).items()
                         if k not in ("psnr_outside_paint", "psnr_paint_kept")},
              "by_s": {s: edit_row(v, x_edit_u8, masks, colour) for s, v in outs.items()}}
    log(f"edit x_edit itself: {result['x_edit']}  (paint covers {100 * result['paint_coverage']:.1f} %)")
    for s, r in result["by_s"].items():
        log(f"edit s {s:<4} " + "  ".join(f"{k} {v}" for k, v in r.items()))
    return result
