"""A trained U-Net checkpoint made wider inside its residual blocks without changing what it computes,
to go on training with more capacity (does a student's consistency gap close with more of it?):

    python3 tools/widen_unet.py runs/inpaint/ckpt.pt runs/inpaint-wide/init.pt --inner-mult 1.5

Only the width between each block's two convs grows (`net.inner_mult`): the skips, the time
embedding and every width outside a block stay, so nothing outside the blocks changes. The new inner
channels start at random weights and are read by nothing (the second conv's weights from them are
zero); their GroupNorm groups are new groups of the old size, so the old channels are normalised as
before. Training gives those read-weights gradient and the new channels begin to count. It holds the
EMA as both model and EMA, with no optimizer state, like a slim checkpoint; train with
`--set net.inner_mult=<m> --set train.init=<it>`.
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gctm.widen import widen_checkpoint  # noqa: E402


def widen_state(old: dict, new: dict) -> dict:
    """The wider network's state: `new` (a fresh wider network's) with `old` written in so the function
    is unchanged. Names are those of gctm.network.UNet's ResBlocks under GCTM's `net.`."""
    out = {}
    for k, v_new in new.items():
        v_old = old[k]
        if v_old.shape == v_new.shape:
            out[k] = v_old.clone()
            continue
        w, layer = v_new.clone(), k.split(".")[-2]
        if layer in ("conv0", "norm1"):  # rows per inner channel: the old ones first, new ones fresh
            w[: v_old.shape[0]] = v_old
        elif layer == "conv1" and v_old.dim() == 4:  # the output reads no new inner channel
            w.zero_()
            w[:, : v_old.shape[1]] = v_old
        elif layer == "emb":
            conv0 = k.rsplit(".", 2)[0] + ".conv0.weight"  # the block's inner widths, new and old
            i_new, i_old = new[conv0].shape[0], old[conv0].shape[0]
            if v_old.shape[0] == 2 * i_old:  # FiLM: [scale, shift] halves, each per inner channel
                w[:i_old], w[i_new: i_new + i_old] = v_old[:i_old], v_old[i_old:]
            else:
                w[:i_old] = v_old
        else:
            raise ValueError(f"do not know how to widen {k} {tuple(v_old.shape)} → {tuple(v_new.shape)}")
        out[k] = w
    return out


def widen(src: str, dst: str, inner_mult: float, seed: int = 0):
    return widen_checkpoint(src, dst, "unet", "inner_mult", inner_mult, widen_state, seed=seed)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src")
    ap.add_argument("dst")
    ap.add_argument("--inner-mult", type=float, required=True)
    args = ap.parse_args(argv)
    os.makedirs(os.path.dirname(os.path.abspath(args.dst)), exist_ok=True)
    widen(args.src, args.dst, args.inner_mult)
    print(f"wrote {args.dst}: inner_mult {args.inner_mult}, the same function as {args.src}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
