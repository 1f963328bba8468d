"""A trained ResNet checkpoint made wider without changing what it computes, to go on training with
more channels (does a student's consistency gap close with more capacity?):

    python3 tools/widen_resnet.py runs/restore-x4-tg64/ckpt.pt runs/restore-x4-w48/init.pt --channels 48

The new checkpoint computes exactly the old function: every new unit starts at random weights but is
read by nothing (the weights from a new channel into an old one, into the output, and into the time
embedding's old units are zero; the embedding's new units are zero). Training then gives those
read-weights gradient (their inputs are not zero) and the new channels begin to count. It holds the
EMA as both model and EMA, with no optimizer state, like a slim checkpoint; train with
`--set net.channels=<C> --set train.init=<it>`.
"""
import argparse
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.widen import widen_checkpoint  # noqa: E402


def _place(new: torch.Tensor, old: torch.Tensor, maps: list) -> torch.Tensor:
    """new with old written at the indices `maps` gives per dimension (None: the same indices)."""
    out = new.clone()
    index = [torch.as_tensor(m) if m is not None else torch.arange(old.shape[d]) for d, m in enumerate(maps)]
    grid = torch.meshgrid(*index, indexing="ij")
    out[grid] = old
    return out


def widen_state(old: dict, new: dict) -> dict:
    """The wider network's state: `new` (a fresh wider network's) with `old` placed so the function is
    unchanged. Names are those of gctm.network.ResNet under GCTM's `net.`."""
    c_old, c_new = old["net.stem.weight"].shape[0], new["net.stem.weight"].shape[0]  # the two widths
    e_old, e_new = 4 * c_old, 4 * c_new
    same_c, same_e = list(range(c_old)), list(range(e_old))
    film = list(range(c_old)) + [c_new + i for i in range(c_old)]  # [scale, shift] halves of a FiLM row
    out = {}
    for k, v_new in new.items():
        v_old = old[k]
        if v_old.shape == v_new.shape:
            out[k] = v_old.clone()
            continue
        w = v_new.clone()
        part = k.split(".")
        if "t_mlp" in part or "s_mlp" in part:
            first = part[-2] == "0"
            if first:  # Linear(emb_dim, E): new hidden units read the sinusoid; nothing old reads them yet
                w = _place(w, v_old, [same_e] + [None] * (v_old.dim() - 1))
            else:  # Linear(E, E): new outputs are 0 (so silu(t + s) is 0 there); old outputs ignore new hidden units
                w.zero_()
                w = _place(w, v_old, [same_e] + ([same_e] if v_old.dim() == 2 else []))
        elif part[-2] == "stem":
            w = _place(w, v_old, [same_c] + [None] * (v_old.dim() - 1))
        elif part[-2] in ("conv0", "conv1"):
            if v_old.dim() == 4:
                w[:c_old].zero_()  # an old channel reads no new one
                w = _place(w, v_old, [same_c, same_c, None, None])
            else:
                w = _place(w, v_old, [same_c])
        elif part[-2] == "emb":  # Linear(E, C or 2C): rows per channel (FiLM: scale then shift)
            rows = film if v_new.shape[0] == 2 * c_new else same_c
            if v_old.dim() == 2:
                w[rows] = 0.0
                w = _place(w, v_old, [rows, same_e])
            else:
                w = _place(w, v_old, [rows])
        elif part[-2] == "out" and v_old.dim() == 4:
            w.zero_()  # the output reads no new channel
            w = _place(w, v_old, [None, same_c, None, None])
        else:
            raise ValueError(f"do not know how to widen {k} {tuple(v_old.shape)} → {tuple(v_new.shape)}")
        out[k] = w
    return out


def widen(src: str, dst: str, channels: int, seed: int = 0):
    return widen_checkpoint(src, dst, "resnet", "channels", channels, widen_state, seed=seed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--channels", type=int, required=True)
    args = ap.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.dst)), exist_ok=True)
    widen(args.src, args.dst, args.channels)
    print(f"wrote {args.dst}: {args.channels} channels, the same function as {args.src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
