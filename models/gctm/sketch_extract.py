"""The sketch extractor: any image → what the sketch model expects (dark strokes on white).

The same numbers are computed by `ui/engine/image/sketch-extract.ts`; the parity vectors in
`test/fixtures/sketch-extract.json` pin the two together (`python3 -m gctm.sketch_extract --write-fixture`).
Every step is defined in float32 with a fixed operation order, so that the TypeScript side (float64
arithmetic rounded to float32 after every operation, which is exact for +, −, ×, ÷) gets the same bits.

Planes are single-channel float32 in [0, 1]: 1 = white paper, 0 = ink.

Input (`to_rgb`): H×W (grey), H×W×1…4 (grey, grey+alpha, RGB, RGBA); uint8 (÷255), uint16 (÷65535) or
float in [0, 1]. Transparency is composited on white first: c·a + (1 − a). Luminance is
(0.299·R + 0.587·G) + 0.114·B.

`extract_sketch` (colour art or a photo → a line drawing), XDoG on the luminance L:
1. g1 = blur(L, KERNEL_1), g2 = blur(L, KERNEL_2): separable, 9 taps (listed below: Gaussians of
   σ = 0.8 and σ = 1.28, normalised, rounded to float32), taps clamped to the edge, the horizontal pass
   first, each pass accumulating the taps in order from the leftmost/topmost (acc = k0·x0; acc += kj·xj).
2. gain = 1 / max(max(g1) − min(g1), MIN_RANGE) (per image: faint art gets the same edges as strong art).
3. S = g1 + (SHARPEN·gain)·(g1 − g2): the XDoG sharpened image; dark on the dark side of every edge,
   dark inside black regions, light elsewhere. A dark line gives one negative lobe (one stroke), never
   the two edges a gradient detector draws, so outlined flat-colour art comes out as single strokes.
4. ink = S < THRESHOLD (hard threshold).
5. despeckle: ink pixels with fewer than DESPECKLE_MIN ink pixels among their 8 neighbours (outside
   the image counts as paper) become paper.
6. out = 1 − ink.
Edges are found on luminance only: two touching colours of equal luminance get no line between them.
Despeckling also trims the end pixel of 1 px wide lines (strokes at 128² are wider). Strokes are as
thick as the art's own outlines (no skeleton thinning: stroke width varies in training anyway).
The extractor is meant to run at the model's working size (128² for `sketch`): resize the image first
(keeping aspect) and pad the *sketch* with white afterwards, or the padding's border is drawn as a line.

`normalise_sketch` (a sketch someone drew → strokes on white):
1. L as above (transparency on white). Sorted values s of the n pixels; percentiles are taken
   as s[⌊q·(n − 1) / 100⌋] in integer arithmetic.
2. If the median s[⌊(n − 1)/2⌋] < 0.5 (a dark background), L = 1 − L (and re-sorted).
3. bg = the 95th percentile (the paper), lo = s[0] (the darkest stroke).
4. If bg − lo < MIN_CONTRAST the layer is blank: all white. Otherwise
   out = clip((L − lo) / (PAPER_MARGIN · (bg − lo)), 0, 1): the paper becomes white whatever its tint
   or grain (anything within 10 % of it), the darkest stroke black.

`looks_like_sketch`: the normalised image is mostly paper (≥ SKETCH_PAPER of pixels ≥ 0.9) and its
non-paper pixels are nearly all colourless (≤ SKETCH_COLOURED of them with chroma max(RGB) − min(RGB)
> CHROMA). `to_sketch` picks: a sketch is normalised, anything else (colour art, a photo) extracted.

`stroke_f1` scores "the result follows the strokes": the F1 of ink pixels matched within tol_px.
"""
import argparse
import base64
import json
import os
import sys

import numpy as np

F32 = np.float32

SIGMA_1, SIGMA_2 = 0.8, 1.28
#: Gaussian σ = 0.8, taps −4…4, normalised in float64 then rounded to float32 (sums to 1 in float32).
KERNEL_1 = np.array([1.8583872e-06, 0.00044074171, 0.021910233, 0.22830987, 0.4986746,
                     0.22830987, 0.021910233, 0.00044074171, 1.8583872e-06], F32)
#: Gaussian σ = 1.28 (1.6 × σ1), the same 9 taps.
KERNEL_2 = np.array([0.00236188, 0.019999122, 0.091979645, 0.22977363, 0.31177145,
                     0.22977363, 0.091979645, 0.019999122, 0.00236188], F32)
SHARPEN = F32(20.0)      # XDoG p
THRESHOLD = F32(0.2)     # XDoG ε: S below it is ink
MIN_RANGE = F32(0.3)     # the contrast gain is at most 1 / 0.3
DESPECKLE_MIN = 2        # an ink pixel needs this many ink neighbours (of 8) to stay
LUMA = (F32(0.299), F32(0.587), F32(0.114))

MIN_CONTRAST = F32(0.05)  # normalise: a layer with less contrast than this between paper and darkest stroke is blank
DARK_MEDIAN = F32(0.5)    # normalise: a median luminance below this is a dark background
PAPER_Q = 95              # normalise: the paper level is this percentile
PAPER_MARGIN = F32(0.9)   # normalise: within 10 % of the paper level (grain, tint) is white
SKETCH_PAPER = 0.5        # looks_like_sketch: fraction of pixels that must be paper (≥ PAPER_LEVEL)
PAPER_LEVEL = F32(0.9)
CHROMA = F32(0.2)         # looks_like_sketch: a pixel with max − min of RGB above this is coloured
SKETCH_COLOURED = 0.1     # …and at most this fraction of the non-paper pixels may be coloured

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURE = os.path.join(ROOT, "test", "fixtures", "sketch-extract.json")


# -- input ----------------------------------------------------------------------------------------

def to_rgb(img) -> np.ndarray:
    """Any image array → float32 [..., H, W, 3] in [0, 1], transparency composited on white.

    A 2-D array is one grey image; otherwise the last axis holds 1–4 channels (grey, grey+alpha, RGB,
    RGBA). Leading axes are a batch."""
    a = np.asarray(img)
    if a.ndim == 2:
        a = a[..., None]
    if a.dtype == np.uint8:
        x = a.astype(F32) / F32(255)
    elif a.dtype == np.uint16:
        x = a.astype(F32) / F32(65535)
    elif a.dtype == np.bool_:
        x = a.astype(F32)
    else:
        x = a.astype(F32)
    c = x.shape[-1]
    if c not in (1, 2, 3, 4):
        raise ValueError(f"an image needs 1 to 4 channels, got shape {a.shape}")
    if c in (2, 4):
        alpha = x[..., -1:]
        colour = x[..., :-1] * alpha + (F32(1) - alpha)
    else:
        colour = x
    if colour.shape[-1] == 1:
        colour = np.repeat(colour, 3, axis=-1)
    return np.ascontiguousarray(colour, dtype=F32)


def luminance(rgb: np.ndarray) -> np.ndarray:
    """[..., H, W, 3] float32 → [..., H, W] float32: (0.299·R + 0.587·G) + 0.114·B."""
    return (LUMA[0] * rgb[..., 0] + LUMA[1] * rgb[..., 1]) + LUMA[2] * rgb[..., 2]


def _lum(img) -> np.ndarray:
    return luminance(to_rgb(img))


# -- the extractor --------------------------------------------------------------------------------

def _blur_axis(x: np.ndarray, k: np.ndarray, axis: int) -> np.ndarray:
    r = len(k) // 2
    n = x.shape[axis]
    idx = np.arange(n)
    acc = None
    for j in range(len(k)):
        taps = np.take(x, np.clip(idx + j - r, 0, n - 1), axis=axis)
        term = k[j] * taps
        acc = term if acc is None else acc + term
    return acc


def blur(plane: np.ndarray, kernel: np.ndarray) -> np.ndarray:
    """Separable blur of [..., H, W] float32: horizontal pass, then vertical, edge-clamped taps."""
    return _blur_axis(_blur_axis(plane.astype(F32, copy=False), kernel, -1), kernel, -2)


def xdog_response(img) -> np.ndarray:
    """S, the value thresholded at THRESHOLD (steps 1–3 of the module docstring), float32 [..., H, W]."""
    lum = _lum(img)
    g1 = blur(lum, KERNEL_1)
    g2 = blur(lum, KERNEL_2)
    span = g1.max(axis=(-2, -1), keepdims=True) - g1.min(axis=(-2, -1), keepdims=True)
    gain = F32(1) / np.maximum(span, MIN_RANGE)
    return g1 + (SHARPEN * gain) * (g1 - g2)


def despeckle(ink: np.ndarray, min_neighbours: int = DESPECKLE_MIN) -> np.ndarray:
    """Drops ink pixels ([..., H, W] bool) with fewer than min_neighbours ink pixels among their 8 neighbours."""
    p = np.pad(ink.astype(np.int32), [(0, 0)] * (ink.ndim - 2) + [(1, 1), (1, 1)])
    h, w = ink.shape[-2:]
    n = sum(p[..., dy:dy + h, dx:dx + w] for dy in range(3) for dx in range(3)) - ink
    return ink & (n >= min_neighbours)


def extract_ink(img) -> np.ndarray:
    """The ink mask before despeckling, [..., H, W] bool."""
    return xdog_response(img) < THRESHOLD


def extract_sketch(img) -> np.ndarray:
    """Colour art or a photo → a line drawing, float32 [..., H, W] in {0, 1} (1 = paper, 0 = ink)."""
    return (~despeckle(extract_ink(img))).astype(F32)


def line_layer(colour_u8: np.ndarray) -> np.ndarray:
    """Synthetic line layers for training, shaped like a bank's `line` array: uint8 [..., H, W]."""
    return (extract_sketch(colour_u8) * 255).astype(np.uint8)


# -- user sketches --------------------------------------------------------------------------------

def _percentile(sorted_values: np.ndarray, q: int) -> np.float32:
    return sorted_values[(q * (len(sorted_values) - 1)) // 100]


def normalise_sketch(img, return_info: bool = False):
    """A drawn sketch (one image, any background) → float32 [H, W] strokes on white.

    With return_info: (plane, {"inverted": bool, "blank": bool, "paper": float, "ink": float})."""
    lum = _lum(img)
    if lum.ndim != 2:
        raise ValueError("normalise_sketch takes one image")
    s = np.sort(lum, axis=None)
    inverted = bool(s[(len(s) - 1) // 2] < DARK_MEDIAN)
    if inverted:
        lum = F32(1) - lum
        s = np.sort(lum, axis=None)
    bg, lo = _percentile(s, PAPER_Q), s[0]
    den = bg - lo
    blank = bool(den < MIN_CONTRAST)
    if blank:
        out = np.ones_like(lum)
    else:
        out = np.clip((lum - lo) / (PAPER_MARGIN * den), F32(0), F32(1))
    info = {"inverted": inverted, "blank": blank, "paper": float(bg), "ink": float(lo)}
    return (out, info) if return_info else out


def looks_like_sketch(img) -> bool:
    """Mostly paper, and what is not paper is nearly all colourless (a drawn sketch, not art or a photo)."""
    rgb = to_rgb(img)
    plane, info = normalise_sketch(rgb, return_info=True)
    if info["blank"]:
        return True
    n = plane.size
    not_paper = plane < PAPER_LEVEL
    paper = n - int(not_paper.sum())
    if paper < SKETCH_PAPER * n:
        return False
    chroma = rgb.max(axis=-1) - rgb.min(axis=-1)
    coloured = int((not_paper & (chroma > CHROMA)).sum())
    return coloured <= SKETCH_COLOURED * int(not_paper.sum())


def to_sketch(img):
    """What the sketch model is given for any image: (plane, info) with info["kind"] "sketch"
    (normalised) or "extracted" (colour art or a photo, put through the extractor), and "blank"."""
    if looks_like_sketch(img):
        plane, info = normalise_sketch(img, return_info=True)
        return plane, {"kind": "sketch", "inverted": info["inverted"], "blank": info["blank"]}
    return extract_sketch(img), {"kind": "extracted", "inverted": False, "blank": False}


# -- scoring --------------------------------------------------------------------------------------

def _ink(line) -> np.ndarray:
    a = np.asarray(line)
    if a.dtype == np.bool_:
        return a
    if a.dtype == np.uint8:
        return a < 128
    return a < 0.5


def stroke_f1(pred_line, ref_line, tol_px: float = 2) -> float:
    """F1 of ink pixels matched within tol_px (Euclidean): precision = predicted ink pixels with a
    reference ink pixel within tol_px, recall = the converse. Lines are [H, W] or a batch [N, H, W]
    (pooled over the batch): float in [0, 1] (ink < 0.5), uint8 (ink < 128) or bool (True = ink).
    Both empty: 1; one empty: 0."""
    from scipy.ndimage import distance_transform_edt
    pred, ref = _ink(pred_line), _ink(ref_line)
    if pred.shape != ref.shape:
        raise ValueError(f"shapes differ: {pred.shape} vs {ref.shape}")
    if pred.ndim == 2:
        pred, ref = pred[None], ref[None]
    tp_p = tp_r = n_p = n_r = 0
    for p, r in zip(pred, ref):
        n_p += int(p.sum())
        n_r += int(r.sum())
        if p.any() and r.any():
            tp_p += int((distance_transform_edt(~r)[p] <= tol_px).sum())
            tp_r += int((distance_transform_edt(~p)[r] <= tol_px).sum())
    if n_p == 0 and n_r == 0:
        return 1.0
    if n_p == 0 or n_r == 0:
        return 0.0
    precision, recall = tp_p / n_p, tp_r / n_r
    return 0.0 if precision + recall == 0 else 2 * precision * recall / (precision + recall)


def openmoji_f1(bank: str, n: int = 200, tol_px: float = 2) -> float:
    """F1 of the extractor on the colour side of n evenly spaced OpenMoji pairs against their line layers."""
    z = np.load(bank)
    idx = np.unique(np.linspace(0, len(z["colour"]) - 1, min(n, len(z["colour"]))).round().astype(int))
    return stroke_f1(extract_sketch(z["colour"][idx]), z["line"][idx], tol_px)


# -- parity vectors -------------------------------------------------------------------------------

def _disc(h, w, cy, cx, r):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    return np.clip(r - np.hypot(yy - cy, xx - cx) + 0.5, 0, 1)


def _ring(h, w, cy, cx, r, width):
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float64) + 0.5
    return np.clip(width / 2 - np.abs(np.hypot(yy - cy, xx - cx) - r) + 0.5, 0, 1)


def _over(base, cover, colour):
    return base * (1 - cover[..., None]) + np.array(colour, np.float64)[None, None] / 255 * cover[..., None]


def fixture_images() -> dict:
    """Small deterministic uint8 test images, name → [H, W, C] with C = 1 (grey), 2 (grey+alpha), 3 or 4."""
    rng = np.random.default_rng(7)
    imgs = {}
    h = w = 48
    yy, xx = np.mgrid[0:h, 0:w]
    # flat-colour art with dark outlines (RGB): a yellow face with eyes and a mouth
    a = np.ones((h, w, 3))
    a = _over(a, _disc(h, w, 24, 24, 18), (252, 234, 43))
    a = _over(a, _ring(h, w, 24, 24, 18, 2.2), (0, 0, 0))
    a = _over(a, _disc(h, w, 19, 17, 2.5), (0, 0, 0))
    a = _over(a, _disc(h, w, 19, 31, 2.5), (0, 0, 0))
    a = _over(a, _ring(h, w, 24, 24, 10, 2.0) * (yy > 28), (0, 0, 0))
    imgs["outlined-art"] = a * 255
    # flat colour without outlines, a transparent and a half-transparent corner (RGBA)
    b = np.ones((h, w, 3))
    b = _over(b, _disc(h, w, 20, 18, 12), (61, 90, 200))
    b[30:44, 8:40] = np.array([200, 60, 50]) / 255
    b = _over(b, _disc(h, w, 34, 34, 6), (60, 160, 70))
    alpha = np.full((h, w), 255.0)
    alpha[:12, 36:] = 0
    alpha[12:16, 36:] = 128
    imgs["flat-colour-alpha"] = np.dstack([b * 255, alpha])
    # a photo-like image (RGB, 56 px): smooth gradients, a dark disc, noise
    n = 56
    py, px = np.mgrid[0:n, 0:n] / (n - 1.0)
    c = np.stack([0.6 + 0.3 * np.sin(5 * px + 2 * py), 0.4 + 0.4 * py * px, 0.3 + 0.5 * (1 - py)], -1)
    c = _over(c, _disc(n, n, 26, 33, 12), (40, 30, 25))
    imgs["photo-like"] = np.clip(c + rng.normal(0, 0.04, c.shape), 0, 1) * 255
    # pen and pencil strokes on light grey paper with grain (grey)
    d = np.full((h, w), 0.86) + rng.normal(0, 0.01, (h, w))
    d = d * (1 - _ring(h, w, 22, 24, 13, 1.5)) + 0.16 * _ring(h, w, 22, 24, 13, 1.5)
    pencil = np.clip(1.2 - np.abs(yy - 0.7 * xx - 10), 0, 1)
    d = d * (1 - pencil) + 0.5 * pencil
    imgs["grey-paper-sketch"] = d[..., None] * 255
    # light strokes on a dark background (grey)
    e = np.full((h, w), 0.1)
    for r, width, level in ((15, 2.0, 0.94), (6, 1.5, 0.78)):
        ring = _ring(h, w, 24, 24, r, width)
        e = e * (1 - ring) + level * ring
    imgs["dark-background-sketch"] = e[..., None] * 255
    # black strokes on a transparent layer (grey + alpha)
    t = np.zeros((h, w, 2))
    t[..., 1] = np.maximum(_ring(h, w, 24, 24, 16, 2.0), _disc(h, w, 24, 24, 3)) * 255
    imgs["transparent-sketch"] = t
    # an all-white layer (grey)
    imgs["blank"] = np.full((24, 24, 1), 255.0)
    return {k: np.round(np.clip(v, 0, 255)).astype(np.uint8) for k, v in imgs.items()}


def _b64(a: np.ndarray, dtype) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype=np.dtype(dtype).newbyteorder("<")).tobytes()).decode()


def _bits(mask: np.ndarray) -> str:
    """A mask as base64 of its bits packed 8 to a byte, most significant first (numpy packbits)."""
    return base64.b64encode(np.packbits(np.asarray(mask, bool).ravel()).tobytes()).decode()


def fixture_case(name: str, img: np.ndarray) -> dict:
    """One parity case: the image and what each step makes of it."""
    h, w, ch = img.shape
    sketch = looks_like_sketch(img)
    case = {"name": name, "width": w, "height": h, "channels": ch, "pixels": _b64(img, np.uint8)}
    if not sketch:  # the extractor's path: its response before the threshold, and the threshold's mask
        s = xdog_response(img)
        case["response"] = _b64(s, F32)
        case["ink"] = _bits(s < THRESHOLD)
        case["near_threshold"] = int((np.abs(s - THRESHOLD) < F32(1e-4)).sum())
    case["extracted"] = _bits(extract_sketch(img) == 0)
    norm, info = normalise_sketch(img, return_info=True)
    if sketch:  # the normaliser's path
        case["normalised"] = _b64(norm, F32)
    case["normalise_info"] = {"inverted": info["inverted"], "blank": info["blank"]}
    case["looks_like_sketch"] = sketch
    case["to_sketch_kind"] = to_sketch(img)[1]["kind"]
    return case


def fixture() -> dict:
    cases = [fixture_case(name, img) for name, img in fixture_images().items()]
    return {
        "about": "Parity vectors for the sketch extractor, written by `cd models && python3 -m gctm.sketch_extract "
                 "--write-fixture` (models/gctm/sketch_extract.py) and checked by test/unit/sketch-extract.test.ts. "
                 "pixels: H×W×channels uint8, row-major, base64; response (the XDoG value S, extractor cases) and "
                 "normalised (sketch cases): float32 little-endian, row-major, base64; ink (S < threshold) and "
                 "extracted (after despeckling): masks, 1 = ink, bits packed most significant first, base64.",
        "constants": {"kernel_1": [float(str(v)) for v in KERNEL_1], "kernel_2": [float(str(v)) for v in KERNEL_2],
                      "sharpen": float(SHARPEN), "threshold": float(str(THRESHOLD)),
                      "min_range": float(str(MIN_RANGE)), "despeckle_min": DESPECKLE_MIN},
        "cases": cases,
    }


def write_fixture(path: str = FIXTURE):
    with open(path, "w") as f:
        json.dump(fixture(), f, separators=(",", ":"))
        f.write("\n")


# -- command line ---------------------------------------------------------------------------------

def _preview(paths, out: str, size: int = 128):
    from PIL import Image
    from .data import load_rgb
    rows = []
    for p in paths:
        im = Image.fromarray(load_rgb(p))
        sc = size / max(im.size)
        im = im.resize((max(1, round(im.width * sc)), max(1, round(im.height * sc))), Image.LANCZOS)
        rgb = np.asarray(im)
        line = extract_sketch(rgb)
        pad = np.full((size, size * 2, 3), 255, np.uint8)
        pad[:rgb.shape[0], :rgb.shape[1]] = rgb
        pad[:rgb.shape[0], size:size + rgb.shape[1]] = (line[..., None] * 255).astype(np.uint8)
        rows.append(pad)
    Image.fromarray(np.concatenate(rows, 0)).save(out)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write-fixture", nargs="?", const=FIXTURE, metavar="PATH",
                    help=f"write the parity vectors (default {os.path.relpath(FIXTURE)})")
    ap.add_argument("--measure", metavar="BANK", help="stroke F1 at 2 px on an OpenMoji bank (.npz)")
    ap.add_argument("--n", type=int, default=200, help="pairs measured")
    ap.add_argument("--preview", nargs="+", metavar="IMAGE", help="write image | sketch rows to --out")
    ap.add_argument("--out", default="sketch-preview.png")
    args = ap.parse_args(argv)
    if not (args.write_fixture or args.measure or args.preview):
        ap.error("nothing to do: --write-fixture, --measure or --preview")
    if args.write_fixture:
        write_fixture(args.write_fixture)
        print(f"wrote {args.write_fixture}")
    if args.measure:
        print(f"stroke F1 at 2 px on {args.n} pairs of {args.measure}: {openmoji_f1(args.measure, args.n):.4f}")
    if args.preview:
        _preview(args.preview, args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
