"""One method's results carried from an earlier `gctm.inpaint_eval` into a new one, for a baseline whose
weights are not kept (the L2 regressor measured at an earlier release):

    python3 tools/carry_baseline.py new.json zoo/inpaint.json --method regression_nfe1 --note "…" --out merged.json

Both must have scored the same held-out crops and masks (`gctm.inpaint_eval` with the same split and
--masks-per-kind), or nothing is written. The per-sample PSNRs are capped at today's cap and every mean
is recomputed (`gctm.inpaint_eval.carry_method`); SWD per hole size is carried as measured. The note,
saying whose numbers they are, is written under `carried` and the card shows it.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.inpaint_eval import carry_method  # noqa: E402


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("new", help="a gctm.inpaint_eval JSON")
    ap.add_argument("earlier", help="an earlier gctm.inpaint_eval JSON, or a zoo card (its metrics)")
    ap.add_argument("--method", default="regression_nfe1")
    ap.add_argument("--note", required=True, help="whose numbers these are")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    with open(args.new) as f:
        new = json.load(f)
    with open(args.earlier) as f:
        earlier = json.load(f)
    try:
        merged = carry_method(new, earlier, args.method, args.note)
    except ValueError as err:
        raise SystemExit(f"{args.earlier} → {args.new}: {err}")
    with open(args.out, "w") as f:
        json.dump(merged, f, indent=1)
    for size, table in merged["by_size"].items():
        r = table[args.method]
        print(f"{size} holes: {args.method} {r['psnr']:.2f} dB" + (f" / SWD {r['swd']:.1f}" if "swd" in r else ""))
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
