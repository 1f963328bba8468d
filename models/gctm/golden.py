"""The golden files of the sketch and inpaint tools: a held-out input, built into x1 exactly as the
plugin's engine builds it, and the PyTorch output for it (`gctm.publish` writes them; the engine's
tests, test/unit/zoo.test.ts and the zoo-wide browser test, compare the plugin's result with them).

The engine draws its noise from its own seeded generator (ui/engine/random.ts: mulberry32 and
Box–Muller), not from torch, so a golden comparison needs that same noise: `engine_gaussian` is a
bit-exact copy of it (uint32 arithmetic; the float64 log/cos/sin then rounded to float32, as a
Float32Array stores them). Everything else is chosen so the engine's preparation is simple to follow:

- sketch (ui/engine/tools/sketch.ts buildSketchSource): the golden input is the held-out line drawing
  (test/fixtures/heldout-sketch-1F34E.png, OpenMoji, never trained on) already area-averaged to the
  model's square `size`, so the engine's fit is the identity; then the engine's toSketch (Python:
  `sketch_extract.to_sketch`, pinned to it by test/fixtures/sketch-extract.json), grey → [−1, 1] on 3
  channels, + σp·ε with ε = gaussian(3·size², seed) in float64, stored as float32.
- inpaint (ui/engine/tools/inpaint.ts inpaintImage): the golden input is the held-out photo crop
  (test/fixtures/heldout-photo-128.png, a test photo) at the model's size with one rectangular hole
  whose side is at most GOLDEN_HOLE_MAX model pixels. For an image of exactly the model's size and a
  hole no larger than the engine's maxHole, the crop plan is one crop: the whole image at scale 1
  (image/crop-plan.ts: the window side is at least the model size, i.e. the whole image, and the scale
  min(1, size / size, maxHole / side) is 1), so x1 is the image with ε = gaussian(3·size², seed) in
  the hole, and the result is the model output composited with the engine's feathered mask (weight 1
  in the hole, a smoothstep over `feather` pixels outside it, 0 beyond; image/mask.ts featherMask).
"""
import json
import math
import os

import numpy as np
import torch

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
FIXTURES = os.path.join(ROOT, "test", "fixtures")
SKETCH_LINE = "heldout-sketch-1F34E.png"     # OpenMoji red apple, group food-drink (held out)
SKETCH_COLOUR = "heldout-colour-1F34E.png"
PHOTO = "heldout-photo-128.png"              # a crop of the test photo Dragonfly_by_Bolly (DATA.md)
#: The golden hole in the 128² photo: the first rectangle of test/fixtures/heldout-photo-128-telea.png.
GOLDEN_HOLE_128 = (20, 30, 24, 16)           # x, y, w, h
#: The golden hole stays one scale-1 crop for any maxHole of at least this many model pixels (a card
#: stating a smaller max_hole gets a smaller golden hole).
GOLDEN_HOLE_MAX = 24
FEATHER = 4                                  # INPAINT_DEFAULTS.feather
SEED = 0                                     # the panel's and the CLI's default seed

F32 = np.float32
_M32 = 0xFFFFFFFF


# -- the engine's noise (ui/engine/random.ts) -------------------------------------------------------

def _imul(a: int, b: int) -> int:
    return (a * b) & _M32


def mulberry32(seed: int):
    """The engine's uniform generator: floats in [0, 1), bit for bit (uint32 arithmetic)."""
    a = seed & _M32

    def rand() -> float:
        nonlocal a
        a = (a + 0x6D2B79F5) & _M32
        t = _imul(a ^ (a >> 15), 1 | a)
        t = ((t + _imul(t ^ (t >> 7), 61 | t)) & _M32) ^ t
        return ((t ^ (t >> 14)) & _M32) / 4294967296
    return rand


def engine_gaussian(n: int, seed: int) -> np.ndarray:
    """gaussian(n, seed) of ui/engine/random.ts: n standard normal float32 samples (Box–Muller)."""
    rand = mulberry32(seed)
    out = np.empty(n, F32)
    two_pi = 2 * math.pi
    for i in range(0, n, 2):
        u = 1 - rand()
        v = rand()
        r = math.sqrt(-2 * math.log(u))
        out[i] = r * math.cos(two_pi * v)
        if i + 1 < n:
            out[i + 1] = r * math.sin(two_pi * v)
    return out


# -- the engine's conversions (ui/engine/image/raw.ts) ----------------------------------------------

def to_planes(rgb_u8: np.ndarray) -> np.ndarray:
    """toPlanes of an opaque 8-bit RGB image: float32 [3, H, W], (v / 255)·2 − 1 in float64 then stored."""
    x = rgb_u8.astype(np.float64) / 255.0 * 2 - 1
    return np.ascontiguousarray(x.transpose(2, 0, 1)).astype(F32)


def to_u8(x) -> np.ndarray:
    """Model units [3, H, W] → 8-bit HWC as the plugin writes them: round((clamp(y) + 1)·127.5)."""
    x = x.detach().numpy() if isinstance(x, torch.Tensor) else np.asarray(x)
    x = np.clip(x.astype(np.float64), -1, 1)
    return np.floor((x + 1) * 127.5 + 0.5).astype(np.uint8).transpose(1, 2, 0)  # Math.round: half up


def area_shrink(u8: np.ndarray, size: int) -> np.ndarray:
    """uint8 [H, W(, C)] area-averaged to size × size (size divides H = W), rounded (sketch_eval.shrink)."""
    from .sketch_eval import shrink
    return shrink(u8[None], size)[0]


def _read(name: str, mode: str) -> np.ndarray:
    from PIL import Image
    return np.array(Image.open(os.path.join(FIXTURES, name)).convert(mode))


def _save(u8: np.ndarray, path: str):
    from PIL import Image
    Image.fromarray(np.ascontiguousarray(u8)).save(path)


@torch.no_grad()
def _outputs(model, x1: torch.Tensor, steps: int, grid) -> dict:
    """Detailed (the card's default steps along the grid) and Faithful (the denoiser at t = 1)."""
    from .solvers import consistency_steps, one_step
    detailed = one_step(model, x1) if steps == 1 else consistency_steps(model, x1, grid)
    ones = torch.ones(x1.shape[0])
    return {"detailed": detailed[0], "faithful": model.g(x1, ones, ones)[0]}


def perturbed_x1(x1: torch.Tensor, sigma_p: float, seed: int = SEED, noise_scale: int = 1) -> torch.Tensor:
    """x1 [1, C, H, W] + σp·ε with ε = gaussian(C·H·W, seed) in float64, stored as float32, as the
    engine perturbs a source (ui/engine/tools/restore.ts); x1 itself when σp = 0. noise_scale k > 1 (an
    upscaler's, gctm.source_noise): ε = gaussian(C·H·W / k², seed) at 1/k of x1's size, resized by the
    plugin's bicubic, as the engine draws it."""
    if sigma_p <= 0:
        return x1
    b, c, h, w = x1.shape
    eps = engine_gaussian(x1.numel() // noise_scale ** 2, seed).astype(np.float64)
    eps = torch.from_numpy(eps.reshape(b, c, h // noise_scale, w // noise_scale))
    if noise_scale > 1:
        from .degrade import upsample
        eps = upsample(eps, noise_scale)
    return torch.from_numpy((x1.numpy().astype(np.float64) + float(sigma_p) * eps.numpy()).astype(F32))



def write_source_noise_vectors(path: str, sigma_p: float = 0.05, seed: int = 3):
    """Vectors the engine's perturbed source is tested against (test/unit/restore-source.test.ts): the
    parity image (degrade.parity_image) and, for each (scale, noise resolution 1/k), its bicubic upscale
    + σp·ε as `perturbed_x1` draws it for the golden files. The engine builds the same x1 from the same
    seed, so a golden file and the plugin stay in step on the noise, not only on the network."""
    from .degrade import parity_image, upsample
    img, image_json = parity_image(seed)
    h, w = img.shape[2:]
    out = {"input": image_json, "sigma_p": sigma_p, "seed": seed, "cases": []}
    for scale, k in ((2, 2), (4, 2), (4, 4)):
        x1 = perturbed_x1(upsample(img, scale), sigma_p, seed, noise_scale=k)
        out["cases"].append({"scale": scale, "sigma_p_scale": k, "w": w * scale, "h": h * scale,
                             "data": [round(v, 6) for v in x1[0].flatten().tolist()]})
    with open(path, "w") as f:
        json.dump(out, f)


# -- sketch ---------------------------------------------------------------------------------------

def sketch_golden_input(size: int) -> np.ndarray:
    """The golden input: the held-out line drawing at the model's square, uint8 RGB [size, size, 3]."""
    line = _read(SKETCH_LINE, "L")
    if line.shape[0] % size:
        raise ValueError(f"the sketch model's size {size} must divide the held-out drawing's {line.shape[0]}")
    return np.repeat(area_shrink(line, size)[..., None], 3, axis=2)


def sketch_x1(in_rgb_u8: np.ndarray, sigma_p: float, seed: int = SEED) -> torch.Tensor:
    """x1 [1, 3, size, size] as buildSketchSource makes it for a size × size input (no latent)."""
    from .sketch_extract import to_sketch
    plane, info = to_sketch(in_rgb_u8)
    if info["kind"] != "sketch" or info["blank"]:
        raise ValueError(f"the golden drawing was not read as a drawn sketch: {info}")
    grey = (plane.astype(F32) * F32(2) - F32(1)).astype(F32)
    x1 = np.repeat(grey[None], 3, axis=0)
    return perturbed_x1(torch.from_numpy(np.ascontiguousarray(x1))[None], sigma_p, seed)


def write_sketch(model, cfg, out_dir: str, steps: int, grid, default_output: str, max_hole: int = None) -> dict:
    """golden-<id>-{in,out,detailed,faithful,hr}.png; hr is the drawing's own held-out colouring."""
    size = cfg.data.crop
    src = sketch_golden_input(size)
    x1 = sketch_x1(src, cfg.gctm.sigma_p)
    outs = _outputs(model, x1, steps, grid)
    base = os.path.join(out_dir, f"golden-{cfg.run.id}")
    _save(src, base + "-in.png")
    for name, y in outs.items():
        _save(to_u8(y), f"{base}-{name}.png")
    _save(to_u8(outs[default_output]), base + "-out.png")
    _save(area_shrink(_read(SKETCH_COLOUR, "RGB"), size), base + "-hr.png")
    return {"x1": x1, **outs}


# -- inpaint --------------------------------------------------------------------------------------

def inpaint_golden_input(size: int, max_hole: int = None):
    """(photo uint8 [size, size, 3], hole bool [size, size], hole box (x, y, w, h)): the held-out photo
    at the model's size (area-averaged when the size divides 128) and the golden rectangle scaled to it,
    shrunk further when its side would exceed `max_hole` (the card's; the crop would then be scaled)."""
    photo = _read(PHOTO, "RGB")
    if photo.shape[0] % size:
        raise ValueError(f"the inpaint model's size {size} must divide the held-out photo's {photo.shape[0]}")
    img = area_shrink(photo, size)
    x, y, w, h = _scaled_hole(size / photo.shape[0])
    if max_hole and max(w, h) > max_hole:
        k = max_hole / max(w, h)
        w, h = max(2, int(w * k)), max(2, int(h * k))
    hole = np.zeros((size, size), bool)
    hole[y:y + h, x:x + w] = True
    return img, hole, (x, y, w, h)


def _scaled_hole(k: float) -> tuple:
    x, y, w, h = GOLDEN_HOLE_128
    return int(round(x * k)), int(round(y * k)), max(2, int(round(w * k))), max(2, int(round(h * k)))


def feather_weights(hole: np.ndarray, feather: float = FEATHER) -> np.ndarray:
    """featherMask over the whole image (the engine's weights, float32): 1 in the hole, a smoothstep
    1 − d/(feather + 1) over the pixels within `feather` (Euclidean) of it, 0 beyond."""
    from scipy.ndimage import distance_transform_edt
    d = distance_transform_edt(~hole)
    t = 1 - d / (feather + 1)
    w = np.where(d <= 0, 1.0, np.where(d > feather, 0.0, t * t * (3 - 2 * t)))
    return w.astype(F32)


def inpaint_x1(img_u8: np.ndarray, hole: np.ndarray, seed: int = SEED) -> torch.Tensor:
    """x1 [1, 3, size, size] as buildInpaintX1 makes it for one whole-image crop at scale 1."""
    x = to_planes(img_u8)
    eps = engine_gaussian(x.size, seed).reshape(x.shape)
    return torch.from_numpy(np.where(hole[None], eps, x).astype(F32))[None]


def composite(img_u8: np.ndarray, y: torch.Tensor, weights: np.ndarray) -> np.ndarray:
    """The engine's compositing: src + a·(y − src) (y where a = 1) in float64, stored as float32, as 8-bit."""
    src = to_planes(img_u8).astype(np.float64)
    val = y.detach().numpy().astype(np.float64)
    a = weights.astype(np.float64)[None]
    out = np.where(a == 1, val, np.where(a == 0, src, src + a * (val - src))).astype(F32)
    return to_u8(out)


def telea(img_u8: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """OpenCV's Telea (radius 3) on the same hole: the baseline the browser test compares with."""
    from .inpaint_eval import opencv_inpaint
    return opencv_inpaint(img_u8, hole, "telea")


def write_inpaint(model, cfg, out_dir: str, steps: int, grid, default_output: str, max_hole: int = None) -> dict:
    """golden-<id>-{in,mask,out,detailed,faithful,hr,telea}.png: the photo, the hole (white on black),
    the plugin's composited result (default, and each output by name), the truth (the photo itself)
    and Telea's fill."""
    size = cfg.data.crop
    img, hole, box = inpaint_golden_input(size, max_hole)
    x1 = inpaint_x1(img, hole)
    from .inpaint_data import with_hole
    outs = _outputs(model, with_hole(x1, torch.from_numpy(hole)[None, None].float(), model), steps, grid)
    outs = {k: v[:3] for k, v in outs.items()}  # RGB: a model that takes the hole carries it as a fourth channel
    weights = feather_weights(hole)
    base = os.path.join(out_dir, f"golden-{cfg.run.id}")
    _save(img, base + "-in.png")
    _save((hole * 255).astype(np.uint8), base + "-mask.png")
    for name, y in outs.items():
        _save(composite(img, y, weights), f"{base}-{name}.png")
    _save(composite(img, outs[default_output], weights), base + "-out.png")
    _save(img, base + "-hr.png")
    _save(telea(img, hole), base + "-telea.png")
    return {"x1": x1, "hole": hole, "box": box, **outs}
