"""A bank of the frozen teacher's ODE paths from the source, for a student's consistency term.

Most of a distilling student's step goes into the teacher: a sample that jumps from the source
(`[gctm].ctm_source_p`) is taught by the teacher's Heun solution from t = 1 down to its s, some twelve
teacher evaluations a sample. The teacher is frozen, so the path of a given source never changes: this
module solves it once, stores the state at every grid time, and the trainer reads the target for any s
from the bank instead of solving again (`[gctm].source_bank`). The samples are drawn from the run's own
data (the same crops, masks and hole noise), so the bank is a fixed subset of that distribution: the
other terms, and the consistency samples that do not start at the source, still draw afresh.

    python3 -m gctm.source_bank configs/inpaint.toml --teacher T.pt --out cache/source-bank/inpaint-s1 --count 4000 --seed 1
    python3 -m gctm.train configs/inpaint.toml … --set 'gctm.source_bank=["cache/source-bank/inpaint-s1"]'

A bank grows by building another folder with another `--seed` beside it (two cores build two at once)
and listing both.

Files in the folder: x0.npy [K, C, H, W] (the clean crop, as the data gives it), x1.npy (the source),
path.npy [K, N, C', H, W] (the teacher's state at grid[0] … grid[N−1], C' the image channels: a hole
channel passes through every jump unchanged and is x1's), all float16; bank.json (what the bank was
made from, and how many samples are done: a stopped build resumes there). On one core of the 2-core
development machine, beside a training run on the other, a sample of the 64 px inpaint model took
0.3–0.45 s; 4,000 samples take 1 GB.
"""
import argparse
import json
import os
import time

import numpy as np
import torch

from .digest import sha256
from .solvers import heun_step
from .threads import set_threads

MANIFEST = "bank.json"


class SourceBankError(ValueError):
    pass


@torch.no_grad()
def teacher_path(teacher, x1: torch.Tensor, grid: torch.Tensor, image_channels: int) -> torch.Tensor:
    """[B, N, C', H, W]: the teacher's Heun states from x1 at grid[N] down to grid[N−1], …, grid[0]
    (what `solvers.heun_between` gives for each end), image channels only."""
    n = grid.numel() - 1
    B = x1.shape[0]
    out = torch.empty(B, n, image_channels, *x1.shape[2:], dtype=x1.dtype, device=x1.device)
    x = x1
    for i in range(n, 0, -1):
        x = heun_step(teacher, x, grid[i].expand(B), grid[i - 1].expand(B))
        out[:, i - 1] = x[:, :image_channels]
    return out


def build(sample, teacher, grid: torch.Tensor, folder: str, count: int, meta: dict, image_channels: int,
          chunk: int = 32, log=print) -> int:
    """Fill `folder` with `count` samples from `sample(n) -> (x0, x1)` and the teacher's path of each.

    `meta` (the teacher's checkpoint hash, the data it was drawn from) goes into the manifest with the
    grid; a folder made for other settings or another count is refused rather than mixed. A build that
    stopped resumes at its last finished chunk. Returns the number of samples done."""
    os.makedirs(folder, exist_ok=True)
    manifest_path = os.path.join(folder, MANIFEST)
    meta = {**meta, "grid": _grid_list(grid), "count": count}
    done = _done(folder, meta)
    x0, x1 = sample(1)
    shapes = {"x0": (count, *x0.shape[1:]), "x1": (count, *x1.shape[1:]),
              "path": (count, grid.numel() - 1, image_channels, *x1.shape[2:])}
    if done == 0:
        arrays = {k: np.lib.format.open_memmap(os.path.join(folder, f"{k}.npy"), mode="w+", dtype=np.float16, shape=v)
                  for k, v in shapes.items()}
        _write_manifest(manifest_path, meta, 0)
    else:
        arrays = {k: np.load(os.path.join(folder, f"{k}.npy"), mmap_mode="r+") for k in shapes}
    start = time.time()
    while done < count:
        n = min(chunk, count - done)
        x0, x1 = sample(n)
        path = teacher_path(teacher, x1, grid, image_channels)
        for k, v in (("x0", x0), ("x1", x1), ("path", path)):
            arrays[k][done:done + n] = v.cpu().numpy().astype(np.float16)
            arrays[k].flush()
        done += n
        _write_manifest(manifest_path, meta, done)  # only once the samples are on disk
        rate = (time.time() - start) / max(1, done)
        log(f"source bank: {done}/{count} samples ({rate:.2f} s each, about {(count - done) * rate / 60:.0f} min left)")
    return done


def _grid_list(grid: torch.Tensor) -> list:
    return [round(float(v), 6) for v in grid.to(torch.float32)]


def _manifest(folder: str, meta: dict, count_of_any: bool = False):
    """The folder's manifest (None: no bank there yet), refused when it was made for other settings;
    `count_of_any`: a bank of any size will do (reading), not only `meta`'s (building)."""
    path = os.path.join(folder, MANIFEST)
    if not os.path.exists(path):
        return None
    with open(path) as f:
        manifest = json.load(f)
    want = {**meta, "count": manifest["meta"].get("count")} if count_of_any else meta
    if manifest["meta"] != want:
        raise SourceBankError(f"{folder} holds a bank made for other settings ({_differences(manifest['meta'], want)}); "
                              f"use another folder")
    return manifest


def _done(folder: str, meta: dict) -> int:
    """How many samples of a bank made for `meta` the folder holds (0: none yet)."""
    manifest = _manifest(folder, meta)
    return manifest["done"] if manifest else 0


def _write_manifest(path, meta, done):
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump({"meta": meta, "done": done}, f, indent=2)
    os.replace(tmp, path)


def _differences(a: dict, b: dict) -> str:
    keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{k}: {a.get(k)!r} here, {b.get(k)!r} wanted" for k in keys)


class SourceBank:
    """Random samples of one or more built banks, read as one: (x0, x1, the teacher's state at grid[s])
    as float32. Banks built with different `--seed`s hold different samples, so a bank grows by
    building another folder beside it."""

    def __init__(self, folders, meta: dict, grid: torch.Tensor, device, seed: int = 0):
        self.parts = [_read_folder(folder, meta, grid) for folder in ([folders] if isinstance(folders, str) else folders)]
        if not self.parts:
            raise SourceBankError("no source bank folders given")
        self.starts = np.cumsum([0] + [len(p["x0"]) for p in self.parts])
        self.size = int(self.starts[-1])
        self.device = device
        self.gen = torch.Generator().manual_seed(seed)

    def sample(self, n: int, s_idx: torch.Tensor):
        """n random samples and, for each, the teacher's state at its grid index s_idx[i] (< N)."""
        rows = torch.randint(0, self.size, (n,), generator=self.gen).numpy()
        s = s_idx.cpu().numpy()
        out = {"x0": [], "x1": [], "path": []}
        order = []
        for k, part in enumerate(self.parts):
            mine = np.nonzero((rows >= self.starts[k]) & (rows < self.starts[k + 1]))[0]
            if len(mine) == 0:
                continue
            local = rows[mine] - self.starts[k]
            out["x0"].append(part["x0"][local])
            out["x1"].append(part["x1"][local])
            out["path"].append(part["path"][local, s[mine]])
            order.append(mine)
        back = np.argsort(np.concatenate(order))  # the rows in the order s_idx was drawn for
        take = lambda arrays: torch.from_numpy(np.concatenate(arrays)[back].astype(np.float32)).to(self.device)
        return take(out["x0"]), take(out["x1"]), take(out["path"])


def _read_folder(folder: str, meta: dict, grid: torch.Tensor) -> dict:
    """A finished bank's arrays (memory-mapped, its finished samples only), checked against `meta`."""
    manifest = _manifest(folder, {**meta, "grid": _grid_list(grid)}, count_of_any=True)
    if manifest is None:
        raise SourceBankError(f"no source bank in {folder}: build it with python3 -m gctm.source_bank")
    done = manifest["done"]
    if done == 0:
        raise SourceBankError(f"{folder} holds no finished samples yet")
    return {k: np.load(os.path.join(folder, f"{k}.npy"), mmap_mode="r")[:done] for k in ("x0", "x1", "path")}


def bank_meta(cfg, teacher_path_: str) -> dict:
    """What a bank depends on: the teacher's weights, the data and the state's shape."""
    d = cfg.data
    return {"teacher_sha256": sha256(teacher_path_), "data": {"kind": d.kind, "train": d.train, "crop": d.crop,
            "scales": d.scales, "clipart": d.clipart, "clipart_scales": d.clipart_scales,
            "clipart_fraction": d.clipart_fraction}, "mask": bool(cfg.net.get("mask"))}


def main(argv=None):
    from .config import load
    from .evaluate import load_ema
    from .time_grid import config_grid
    from .train import Batches, parse_overrides

    ap = argparse.ArgumentParser(description="Solve the frozen teacher's ODE from sources of the run's data, once.")
    ap.add_argument("config")
    ap.add_argument("--teacher", required=True, help="the frozen teacher's checkpoint ([gctm].teacher of the student)")
    ap.add_argument("--out", required=True, help="the bank's folder")
    ap.add_argument("--count", type=int, required=True, help="samples in the bank")
    ap.add_argument("--seed", type=int, default=1, help="the data draw (use another for a bank beside this one)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args(argv)
    set_threads(args.threads)
    cfg = load(args.config, parse_overrides(args.set))
    if cfg.gctm.sigma_p > 0:
        raise SystemExit("source bank: a perturbed source (sigma_p > 0) is drawn afresh every step; it cannot be banked")
    teacher = load_ema(cfg, args.teacher)[0]
    meta = bank_meta(cfg, args.teacher)
    grid = config_grid(cfg.gctm)
    done = _done(args.out, {**meta, "grid": _grid_list(grid), "count": args.count})
    # a resumed build draws on from a seed of its own, not the samples it already has again; never the
    # training run's draw (rank 0, 1, …)
    torch.manual_seed(args.seed * 1_000_003 + done)
    batches = Batches(cfg, torch.device("cpu"), rank=1000 + args.seed * 1_000_003 + done)
    image_channels = 3  # RGB: the hole channel of an inpaint state passes every jump unchanged (x1's own)
    build(batches.sample, teacher, grid, args.out, args.count, meta, image_channels)


if __name__ == "__main__":
    main()
