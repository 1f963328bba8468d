"""Earlier `gctm.inpaint_eval` results read again under the current PSNR cap, without re-running them:

    python3 tools/inpaint_recap.py results/2026-11-30/inpaint-0.4-by-size.json [more.json ...] [--cap 100]

Each file's per-sample PSNRs inside the hole were stored capped at the cap of their day (100 dB before
the tenth session); capping them again at `inpaint_eval.PSNR_CAP_DB` gives exactly what the evaluation
measures today. Printed per file: the mean of every method over all samples and by hole size, and the
denoiser's (Faithful's) mean per crop, so a change of the mean can be traced to the crops that made it,
and the largest hole each output supports (`max_hole`, which the engine's crop plan reads from the card).
`--cap 100` gives the means as they were measured before the cap was lowered.
SSIM, SWD and the consistency pair are not recomputed (they need the images).
"""
import argparse
import json
import os
import sys
from collections import defaultdict

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.inpaint_eval import PSNR_CAP_DB, supported_max_hole  # noqa: E402

SIZES = ("small", "medium", "large")


def recap(rows: list, cap: float = PSNR_CAP_DB) -> dict:
    """{"all" | size: {method: mean PSNR}, "faithful_by_crop": {image: mean PSNR}, "max_hole": {output:
    side}}, each PSNR capped."""
    methods = [k for k in rows[0] if isinstance(rows[0][k], dict) and "psnr" in rows[0][k]]
    rows = [{k: ({**v, "psnr": min(v["psnr"], cap)} if k in methods else v) for k, v in r.items()} for r in rows]
    mean = lambda sel, k: round(float(np.mean([r[k]["psnr"] for r in sel])), 2)  # noqa: E731
    out = {"all": {k: mean(rows, k) for k in methods}}
    for s in SIZES:
        sel = [r for r in rows if r["size"] == s]
        if sel:
            out[s] = {k: mean(sel, k) for k in methods}
    by_crop = defaultdict(list)
    for r in rows:
        by_crop[r["image"]].append(r)
    if "gctm_denoiser" in methods:
        out["faithful_by_crop"] = {name: mean(sel, "gctm_denoiser") for name, sel in by_crop.items()}
    outputs = [k for k in ("gctm_nfe1", "gctm_denoiser") if k in methods]
    if outputs and "telea" in methods and "side" in rows[0]:
        out["max_hole"] = {k: supported_max_hole(rows, k) for k in outputs}
    return out


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("results", nargs="+", help="gctm.inpaint_eval JSON files, or zoo cards (their metrics)")
    ap.add_argument("--cap", type=float, default=PSNR_CAP_DB, help="dB (default: the evaluation's cap today)")
    args = ap.parse_args(argv)
    for path in args.results:
        with open(path) as f:
            data = json.load(f)
        summary = recap(data.get("metrics", data)["per_sample"], args.cap)
        print(f"{path} (PSNR inside the hole, capped at {args.cap:g} dB)")
        for group, table in summary.items():
            # max_hole is None for an output that is above Telea at no measured size
            print(f"  {group}: " + ", ".join(f"{k} {v:.2f}" if v is not None else f"{k} none" for k, v in table.items()))
    return 0

if __name__ == "__main__":
    sys.exit(main())
