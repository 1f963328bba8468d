"""The 2-D toy tests' quantities at several training lengths, per seed: how many steps
tests/test_toy.py needs for its thresholds to hold with a margin (the numbers quoted there).

usage (from models/): /usr/bin/python3 tools/toy_steps.py [--seeds 0 1 2 3] [--steps 750 1000 1500] [--distil 1000 1500]

Each line gives a quantity over its limit as the test states it (below 1 passes): for each toy the
one-step SW over 4 × floor + 0.05 and over half the smaller of the source's and the untrained
model's, the one-step-to-ODE gap over a quarter of the distance travelled (and, for independent
coupling, over a quarter of one Euler step's gap); the paired toy's error over its limit; and the
distilled student's gap over a fifth of the travel and its SW over half the source's.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gctm.threads import set_threads  # noqa: E402
from tests.test_toy import (CASES, DISTIL_GAP_SHARE, ODE_GAP_SHARE, PAIRED_ERROR, SW_FLOOR_PLUS, SW_FLOOR_TIMES,  # noqa: E402
                            SW_SHARE, distil, ode_agreement, paired_error, sample_distances, train_toy)


def toy_rows(target: str, coupling: str, seed: int, steps: list) -> list:
    snapshots, untrained = train_toy(target, coupling, seed, steps)
    rows = []
    for step in steps:
        model = snapshots[step]
        if target == "paired":
            err, before = paired_error(model, untrained)
            rows.append((step, {"error": err / min(PAIRED_ERROR, PAIRED_ERROR * before)}))
            continue
        d, a = sample_distances(model, untrained, target), ode_agreement(model, target)
        ratios = {"SW/floor": d["one"] / (SW_FLOOR_TIMES * d["floor"] + SW_FLOOR_PLUS),
                  "SW/half": d["one"] / (SW_SHARE * min(d["source"], d["before"])),
                  "gap/travel": a["gap"] / (ODE_GAP_SHARE * a["travel"])}
        if coupling == "independent":
            ratios["gap/euler"] = a["gap"] / (ODE_GAP_SHARE * a["euler_gap"])
        rows.append((step, ratios))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--steps", type=int, nargs="*", default=[750, 1000, 1500], help="the toys' step counts (none: only the distillation)")
    ap.add_argument("--distil", type=int, nargs="*", default=[1000, 1500], help="the distillation test's step counts")
    args = ap.parse_args()
    set_threads(1)
    for seed in args.seeds:
        for target, coupling in (CASES + [("paired", "paired")]) if args.steps else []:
            for step, ratios in toy_rows(target, coupling, seed, args.steps):
                cells = ", ".join(f"{k} {v:.2f}" for k, v in ratios.items())
                print(f"seed {seed} {target}/{coupling} at {step}: {cells}", flush=True)
        for steps in args.distil:
            d = distil(seed, steps)
            print(f"seed {seed} distillation at {steps} + {steps}: gap/travel {d['gap'] / (DISTIL_GAP_SHARE * d['travel']):.2f}, "
                  f"SW/half {d['sw'] / (SW_SHARE * d['source_sw']):.2f}", flush=True)


if __name__ == "__main__":
    main()
