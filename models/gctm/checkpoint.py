"""Checkpoints: written atomically, loaded only into the architecture they were made for."""
import os

import torch

from .network import architecture_signature


class CheckpointError(ValueError):
    pass


def save(path: str, trainer, extra: dict):
    """Write model, EMA, optimizer and progress; a crash mid-write leaves the previous file intact."""
    state = {
        "arch": architecture_signature(trainer.model.net),
        "vars": [trainer.model.var0, trainer.model.var1, trainer.model.var01],
        "model": trainer.model.state_dict(),
        "ema": trainer.ema.state_dict(),
        "opt": trainer.opt.state_dict(),
        "steps": trainer.steps_done,
        **extra,
    }
    for name in ("model", "ema"):
        for k, v in state[name].items():
            if v.is_floating_point() and not torch.isfinite(v).all():
                raise CheckpointError(f"refusing to save: {name} weight {k} holds NaN/inf; {path} is unchanged")
    tmp = path + ".tmp"
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    torch.save(state, tmp)
    os.replace(tmp, path)


def slim(src: str, dst: str, half: bool = True):
    """A small copy for carrying between machines: the EMA weights (fp16 when `half`) as both model and
    EMA, no optimizer state. It resumes (with fresh Adam moments), evaluates and exports like the full one."""
    state = read(src)
    ema = {k: (v.half() if half and v.is_floating_point() else v) for k, v in state["ema"].items()}
    write_slim(state, ema, dst)


def write_slim(state: dict, weights: dict, dst: str, **changes):
    """`state` as a slim checkpoint holding `weights` as both model and EMA, without optimizer state;
    `changes` replace entries of the record (a widened network's `arch` and `config`)."""
    out = {k: v for k, v in state.items() if k not in ("model", "ema", "opt")}
    out.update({**changes, "model": weights, "ema": weights, "slim": True})
    tmp = dst + ".tmp"
    torch.save(out, tmp)
    os.replace(tmp, dst)


def _as_float32(state: dict) -> dict:
    for name in ("model", "ema"):
        if name in state:
            state[name] = {k: (v.float() if v.is_floating_point() else v) for k, v in state[name].items()}
    return state


def read(path: str) -> dict:
    try:
        return _as_float32(torch.load(path, map_location="cpu", weights_only=False))
    except FileNotFoundError:
        raise CheckpointError(f"checkpoint not found: {path}") from None
    except Exception as e:  # a truncated or foreign file
        raise CheckpointError(f"{path} is not a readable checkpoint ({e.__class__.__name__}: {e})") from None


def check_architecture(state: dict, net, path: str):
    want, got = architecture_signature(net), state.get("arch")
    if got != want:
        diff = sorted(k for k in set(want) | set(got or {}) if (got or {}).get(k) != want.get(k))
        raise CheckpointError(
            f"{path} was made for another architecture (differs in {diff}: checkpoint "
            f"{ {k: (got or {}).get(k) for k in diff} } vs config { {k: want.get(k) for k in diff} }); "
            f"use a fresh run directory or the matching config")


def restore(path: str, trainer) -> dict:
    state = read(path)
    check_architecture(state, trainer.model.net, path)
    trainer.model.load_state_dict(state["model"])
    trainer.ema.load_state_dict(state["ema"])
    if "opt" in state:  # a slim checkpoint (weights only) restarts the optimizer's moments
        lrs = [group["lr"] for group in trainer.opt.param_groups]
        trainer.opt.load_state_dict(state["opt"])
        for group, lr in zip(trainer.opt.param_groups, lrs):  # the config's learning rate wins on resume
            group["lr"] = lr
    trainer.steps_done = state["steps"]
    return state


def load_model(path: str, model, use_ema: bool = True):
    """Weights only (for evaluation and export): the EMA by default."""
    state = read(path)
    check_architecture(state, model.net, path)
    model.load_state_dict(state["ema" if use_ema else "model"])
    return state
