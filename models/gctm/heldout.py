"""Write the held-out evaluation pairs as PNG files, for benchmarks outside Python (the browser peer
comparison): `python3 -m gctm.heldout <config> --out DIR`.

DIR gets <n>-source.png (what the tool is given: the small image, or the damaged one), <n>-target.png
(the clean ground truth) and index.json. The files are made on the fly from the Debian packages and
are not committed (DATA.md).
"""
import argparse
import json
import os
import sys

from PIL import Image

from .config import load
from .evaluate import heldout_pairs


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    cfg = load(args.config)
    os.makedirs(args.out, exist_ok=True)
    index = {"task": cfg.data.task, "scale": cfg.data.scale if cfg.data.task == "upscale" else 1, "pairs": []}
    for n, (name, target, source) in enumerate(heldout_pairs(cfg)):
        src, tgt = f"{n:02d}-source.png", f"{n:02d}-target.png"
        Image.fromarray(source).save(os.path.join(args.out, src))
        Image.fromarray(target).save(os.path.join(args.out, tgt))
        index["pairs"].append({"name": name, "source": src, "target": tgt})
    with open(os.path.join(args.out, "index.json"), "w") as f:
        json.dump(index, f, indent=2)
    print(f"wrote {len(index['pairs'])} pairs to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
