"""A trained checkpoint made wider in one network option without changing what it computes, to go on
training with more capacity (tools/widen_resnet.py: channels; tools/widen_unet.py: inner_mult). Each
tool gives how its network's weights are placed into the wider one; this module does the rest."""
import torch

from . import checkpoint
from .network import ADDED_LATER, architecture_signature
from .trainer import build_model


def widen_checkpoint(src: str, dst: str, kind: str, option: str, value, widen_state, seed: int = 0):
    """Writes `src` widened to `net.<option> = value` as a slim checkpoint at `dst` (the EMA as both model
    and EMA, no optimizer state) and returns the wider GCTM. `widen_state(old, new)` writes the old
    state into a fresh wider network's. Refuses another network kind or a value not above the current
    (for an option the checkpoint predates, the value it was built with: network.ADDED_LATER)."""
    state = checkpoint.read(src)
    net = dict(state["config"]["net"])
    if net.get("kind") != kind:
        raise SystemExit(f"{src} is a {net.get('kind')} network; only {kind} can be widened this way")
    current = net.get(option, ADDED_LATER.get(option))
    if value <= current:
        raise SystemExit(f"{src} has {option} {current} already; give more")
    g = state["config"]["gctm"]
    torch.manual_seed(seed)
    wide = build_model({**net, option: value}, state["vars"], g["sigma_min"], g["sigma_max"])
    ema = widen_state(state["ema"], wide.state_dict())
    wide.load_state_dict(ema)
    checkpoint.write_slim(state, ema, dst, arch=architecture_signature(wide.net),
                          config={**state["config"], "net": {**net, option: value}})
    return wide
