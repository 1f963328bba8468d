"""How OT and independent coupling compare as the 2-D toy trains: one-step SW of the EMA model at
several step counts, per seed (the numbers quoted in tests/test_toy.py).

usage (from models/): /usr/bin/python3 tools/ot_curve.py [--target 8gaussians] [--seeds 0 1 2] [--steps 300 400 500 600 700]
"""
import argparse
import os
import sys


sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from gctm import data, metrics, solvers  # noqa: E402
from gctm.threads import set_threads  # noqa: E402
from tests.test_toy import eval_points, train_toy  # noqa: E402


def curve(target: str, coupling: str, seed: int, at: list) -> list:
    z, ref, _ = eval_points(target)
    snapshots, _ = train_toy(target, coupling, seed, at)
    return [metrics.sliced_wasserstein(solvers.one_step(snapshots[step], z), ref) for step in sorted(at)]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--target", default="8gaussians", choices=sorted(data.TOY_TARGETS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--steps", type=int, nargs="+", default=[300, 400, 500, 600, 700])
    args = ap.parse_args()
    set_threads(1)
    for seed in args.seeds:
        ind, ot = (curve(args.target, c, seed, args.steps) for c in ("independent", "ot"))
        ratio = " ".join(f"{o / i:.2f}" for o, i in zip(ot, ind))
        print(f"{args.target} seed {seed}: OT/independent at steps {args.steps}: {ratio}", flush=True)


if __name__ == "__main__":
    main()
