"""A portable data bank: the training images of every model, prepared once, in one folder.

`python3 -m gctm.bank --out cache/bank [--openmoji <unpacked openmoji npm package>]`

Training reads images from Debian packages (wallpapers, openclipart) and npm packages (openmoji)
installed on this machine. A machine without them (a rented GPU, a CI runner) trains from a bank
instead: the same training photos downscaled once (lossless WebP), a capped, evenly spaced set of
clip art, and the OpenMoji colour/line pairs rendered at the sketch model's size (compressed
arrays). Held-out pairs are written to a separate folder (`--heldout-out`), never into the bank;
`manifest.json` lists every file with its source so DATA.md's counts can be checked against it.
"""
import argparse
import json
import os
import sys

import numpy as np
from PIL import Image

from .data import evenly_spaced, expand, load_rgb
from .splits import CLIPART_TRAIN, OPENMOJI_HELDOUT, PHOTOS_TRAIN, openmoji_split


def _save_webp(img: np.ndarray, path: str):
    Image.fromarray(img).save(path, "WEBP", lossless=True, quality=100, method=4)


def photos(out: str, short_side: int) -> list:
    os.makedirs(out, exist_ok=True)
    rows = []
    for path in expand(PHOTOS_TRAIN):
        im = Image.fromarray(load_rgb(path))
        scale = short_side / min(im.size)
        if scale < 1:
            im = im.resize((round(im.width * scale), round(im.height * scale)), Image.BICUBIC, reducing_gap=None)
        name = _bank_name(path) + ".webp"
        _save_webp(np.array(im), os.path.join(out, name))
        rows.append({"file": f"photos/{name}", "source": path, "size": list(im.size)})
    return rows


def _bank_name(path: str) -> str:
    parts = path.strip("/").split("/")
    if "wallpapers" in parts and "contents" in parts:  # KDE: /usr/share/wallpapers/<Name>/contents/images/…
        return parts[parts.index("wallpapers") + 1]
    return os.path.splitext(parts[-1])[0]


def clipart(out: str, max_files: int, max_side: int) -> list:
    os.makedirs(out, exist_ok=True)
    rows = []
    for path in evenly_spaced(expand(CLIPART_TRAIN), max_files):
        try:
            with Image.open(path) as im:
                if im.width * im.height > 16_000_000:
                    continue
        except OSError:
            continue
        im = Image.fromarray(load_rgb(path))
        scale = max_side / max(im.size)
        if scale < 1:
            im = im.resize((max(1, round(im.width * scale)), max(1, round(im.height * scale))), Image.LANCZOS)
        if min(im.size) < 64:
            continue
        rel = os.path.relpath(path, "/usr/share/openclipart/png")
        name = rel.replace("/", "__").rsplit(".", 1)[0] + ".webp"
        _save_webp(np.array(im), os.path.join(out, name))
        rows.append({"file": f"clipart/{name}", "source": path})
    return rows


def fonts(out: str) -> list:
    """Copies of the text-mask fonts (gctm.masks.FONT_GLOBS: Debian's fonts-dejavu-core and
    fonts-liberation2, free to redistribute) for a machine without those packages; the inpaint config
    reads them from here ([data].font_dirs). Without any, text masks would silently become boxes."""
    import shutil
    from .masks import FONT_GLOBS, font_paths
    found = font_paths(FONT_GLOBS)
    if not found:
        raise SystemExit("no text-mask fonts on this machine: apt-get install fonts-dejavu-core fonts-liberation2")
    os.makedirs(out, exist_ok=True)
    rows = []
    for path in found:
        shutil.copyfile(path, os.path.join(out, os.path.basename(path)))
        rows.append({"file": f"fonts/{os.path.basename(path)}", "source": path})
    return rows


def can_render_svg() -> bool:
    try:
        import cairosvg  # noqa: F401  (Debian python3-cairosvg)
        return True
    except ImportError:
        return False


def render_svg(path: str, size: int) -> np.ndarray:
    """An SVG rendered to size×size RGB on white (cairosvg, as the sketch data always is)."""
    import io
    import cairosvg
    png = cairosvg.svg2png(url=path, output_width=size, output_height=size)
    im = Image.open(io.BytesIO(png)).convert("RGBA")
    bg = Image.new("RGBA", im.size, (255, 255, 255, 255))
    return np.array(Image.alpha_composite(bg, im).convert("RGB"))


def openmoji(pkg: str, out: str, size: int, split: str) -> dict:
    """Colour/line pairs of one split as one compressed array file; returns its manifest row."""
    entries = openmoji_split(pkg)[split]
    colour = np.empty((len(entries), size, size, 3), np.uint8)
    line = np.empty((len(entries), size, size), np.uint8)
    keep = []
    for e in entries:
        try:
            c = render_svg(os.path.join(pkg, "color", "svg", e["hexcode"] + ".svg"), size)
            b = render_svg(os.path.join(pkg, "black", "svg", e["hexcode"] + ".svg"), size)
        except Exception as err:  # a few SVGs use features cairosvg rejects: skip them, counted
            print(f"  skipped {e['hexcode']}: {err.__class__.__name__}", file=sys.stderr)
            continue
        colour[len(keep)] = c
        line[len(keep)] = b.mean(axis=2).round().astype(np.uint8)
        keep.append(e)
    n = len(keep)
    if n == 0:
        raise SystemExit(f"none of the {len(entries)} OpenMoji {split} drawings rendered (see the lines above)")
    name = f"openmoji-{split}-{size}.npz"
    np.savez_compressed(os.path.join(out, name), colour=colour[:n], line=line[:n],
                        hexcode=np.array([e["hexcode"] for e in keep]),
                        group=np.array([e["group"] for e in keep]),
                        base=np.array([e.get("skintone_base_hexcode") or e["hexcode"] for e in keep]))
    return {"file": name, "pairs": n, "skipped": len(entries) - n, "size": size}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--openmoji", help="the unpacked openmoji npm package (npm pack openmoji@17)")
    ap.add_argument("--heldout-out", default="cache/heldout", help="where the held-out OpenMoji pairs go")
    ap.add_argument("--photo-side", type=int, default=560, help="short side of each stored photo")
    ap.add_argument("--clipart-max", type=int, default=500)
    ap.add_argument("--clipart-side", type=int, default=256)
    ap.add_argument("--sketch-size", type=int, default=128)
    ap.add_argument("--only", choices=["photos", "clipart", "fonts", "openmoji"], action="append")
    args = ap.parse_args(argv)
    todo = args.only or ["photos", "clipart", "fonts", "openmoji"]
    if "openmoji" in todo and args.openmoji and not can_render_svg():
        # checked first: every pair would otherwise be skipped and the bank written without them
        print("the OpenMoji pairs are rendered with cairosvg: apt-get install python3-cairosvg", file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    man_path = os.path.join(args.out, "manifest.json")
    manifest = json.load(open(man_path)) if os.path.exists(man_path) else {}
    if "photos" in todo:
        manifest["photos"] = photos(os.path.join(args.out, "photos"), args.photo_side)
        print(f"photos: {len(manifest['photos'])}")
    if "clipart" in todo:
        manifest["clipart"] = clipart(os.path.join(args.out, "clipart"), args.clipart_max, args.clipart_side)
        print(f"clip art: {len(manifest['clipart'])}")
    if "fonts" in todo:
        manifest["fonts"] = fonts(os.path.join(args.out, "fonts"))
        print(f"fonts: {len(manifest['fonts'])}")
    if "openmoji" in todo and args.openmoji:
        os.makedirs(args.heldout_out, exist_ok=True)
        manifest["openmoji"] = {"train": openmoji(args.openmoji, args.out, args.sketch_size, "train"),
                                "heldout": {**openmoji(args.openmoji, args.heldout_out, args.sketch_size, "heldout"),
                                            "folder": args.heldout_out}}
        print(f"openmoji: {manifest['openmoji']}")
    manifest["heldout_openmoji"] = OPENMOJI_HELDOUT
    with open(man_path, "w") as f:
        json.dump(manifest, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
