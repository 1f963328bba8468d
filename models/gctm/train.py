"""Training entry point: `python3 -m gctm.train configs/<run>.toml [--set section.key=value ...]`.

Resumes from runs/<id>/ckpt.pt when it exists (same architecture only), checkpoints every few
minutes and at the end, logs one JSON line per log tick to runs/<id>/stats.jsonl, prints a progress
line with loss and ETA, and runs a quick held-out evaluation every [train].eval_every steps.
Runs on CPU, one CUDA GPU, or several GPUs under `torchrun` (DDP; rank 0 logs and saves).
"""
import argparse
import json
import os
import random
import signal
import sys
import time

import torch

from . import checkpoint, source_noise
from .config import ConfigError, load
from .data import DataError, ImageCrops, check_disjoint, evenly_spaced, expand, gaussian, paired_map, TOY_TARGETS
from .degrade import make_pair
from .evaluate import load_ema
from .precond import estimate_hole_vars
from .source_bank import SourceBank, SourceBankError, bank_meta
from .threads import set_threads
from .time_grid import config_grid
from .trainer import NonFiniteLoss, Trainer, build_model, estimate_vars

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def parse_overrides(items):
    out = {}
    for item in items or []:
        key, sep, raw = item.partition("=")
        if not sep:
            raise ConfigError(f"--set {item!r}: expected section.key=value")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


class Batches:
    """Coupled-in-data batches (x0, x1) for the config's dataset, as float tensors on `device`."""

    def __init__(self, cfg, device, rank=0):
        self.cfg, self.device = cfg, device
        self.rng = random.Random(cfg.run.seed + 1000 * rank)
        d = cfg.data
        if d.kind == "photos":
            train_files = expand(d.train)
            if d.heldout:
                check_disjoint(train_files, expand(d.heldout))
            if d.task not in ("upscale", "clean"):
                raise DataError(f"unknown photo task {d.task!r}; expected upscale or clean")
            self.crops = ImageCrops(train_files, d.crop, d.scales, seed=cfg.run.seed + rank)
            self.clipart = None
            if d.clipart and d.clipart_fraction > 0:
                clip_files = evenly_spaced(expand(d.clipart), d.clipart_max)
                if d.heldout:
                    check_disjoint(clip_files, expand(d.heldout))
                self.clipart = ImageCrops(clip_files, d.crop, d.clipart_scales, seed=cfg.run.seed + 77 + rank,
                                          max_pixels=16_000_000)
            # fixed crops of the held-out photos for the periodic evaluation (never trained on)
            self.heldout = ImageCrops(expand(d.heldout), d.crop, d.scales, seed=12345) if d.heldout else None
        elif d.kind == "sketch":
            from .sketch_data import SketchPairs
            self.pairs = SketchPairs(d.pairs, device, seed=cfg.run.seed + rank, augment=d.augment, size=d.crop)
            self.heldout = None
        elif d.kind == "inpaint":
            from .inpaint_data import InpaintPairs
            from .masks import fonts
            train_files = expand(d.train)
            clip_files = evenly_spaced(expand(d.clipart), d.clipart_max) if d.clipart else []
            if d.heldout:
                check_disjoint(train_files + clip_files, expand(d.heldout))
            self.pairs = InpaintPairs(train_files, clip_files, d.crop, d.scales, d.clipart_scales, d.clipart_fraction,
                                      device, seed=cfg.run.seed + rank, pool=d.mask_pool, font_files=fonts(d.font_dirs),
                                      with_mask=bool(cfg.net.get("mask")))
            self.heldout = None
        else:
            self.heldout = None
        if d.kind == "toy" and d.target not in TOY_TARGETS and d.target != "paired":
            raise DataError(f"unknown toy target {d.target!r}; expected {sorted(TOY_TARGETS) + ['paired']}")

    def sample(self, batch):
        d = self.cfg.data
        if d.kind == "photos":
            n_clip = int(round(batch * d.clipart_fraction)) if self.clipart is not None else 0
            crops = self.crops.sample(batch - n_clip)
            if n_clip:
                crops = torch.cat([crops, self.clipart.sample(n_clip)])
            x0, x1 = make_pair(crops, d.task, d.scale, d.degrade, self.rng)
        elif d.kind in ("sketch", "inpaint"):
            return self.pairs.sample(batch)
        else:
            x1 = gaussian(batch)
            x0 = paired_map(x1) if d.target == "paired" else TOY_TARGETS[d.target](batch)
        return x0.to(self.device), x1.to(self.device)


def pick_device(name):
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ConfigError("[train].device is cuda but no CUDA device is available")
    return torch.device(name)


def quick_eval(trainer, batches, n=32):
    """PSNR (dB) of G(x1, 1, 0) and of x1 itself on fixed held-out crops (training crops when the
    config names no held-out files): a progress signal; the reported numbers come from evaluate.py."""
    if not hasattr(batches, "eval_batch"):
        d = batches.cfg.data
        if batches.heldout is not None:
            # upscalers are scored on clean downsampling; the clean tool on its own damage, fixed seed
            opts = d.degrade if d.task == "clean" else {}
            x0, x1 = make_pair(batches.heldout.sample(n), d.task, d.scale, opts, random.Random(0))
            batches.eval_batch = (x0.to(batches.device), x1.to(batches.device))
        else:
            state = torch.random.get_rng_state()
            torch.manual_seed(12345)
            batches.eval_batch = batches.sample(n)
            torch.random.set_rng_state(state)
    x0, x1 = batches.eval_batch
    with torch.no_grad():
        ones = torch.ones(x0.shape[0], device=x0.device)
        y = trainer.ema(x1, ones, torch.zeros_like(ones)).clamp(-1, 1)

    def p(a):
        mse = ((a.clamp(-1, 1) - x0) ** 2).mean().item() / 4.0
        return 10 * torch.log10(torch.tensor(1.0 / max(mse, 1e-12))).item()
    return {"psnr_one_step": p(y), "psnr_source": p(x1)}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("config")
    ap.add_argument("--set", action="append", default=[], metavar="SECTION.KEY=VALUE")
    ap.add_argument("--run-dir", default=None, help="default: models/runs/<id>")
    ap.add_argument("--dry-run", action="store_true", help="print the resolved config and exit")
    ap.add_argument("--session-minutes", type=float, default=0.0,
                    help="stop after this much wall time in this invocation (the config's minutes count the whole run)")
    args = ap.parse_args(argv)
    try:
        return train(args)
    except (ConfigError, DataError, checkpoint.CheckpointError, NonFiniteLoss, SourceBankError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2


def train(args):
    cfg = load(args.config, parse_overrides(args.set))
    if args.dry_run:
        print(json.dumps(cfg.to_dict(), indent=2))
        return 0
    ddp = "LOCAL_RANK" in os.environ
    rank = int(os.environ.get("RANK", 0))
    if ddp:
        torch.distributed.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
        if torch.cuda.is_available():
            torch.cuda.set_device(int(os.environ["LOCAL_RANK"]))
    device = pick_device(cfg.train.device) if not ddp or not torch.cuda.is_available() else torch.device("cuda")
    set_threads(cfg.train.threads)
    if device.type == "cuda":  # TF32 matmuls and convolutions: fp32 storage, several times the throughput
        torch.backends.cuda.matmul.allow_tf32 = True
        torch.backends.cudnn.allow_tf32 = True
        torch.backends.cudnn.benchmark = True
    torch.manual_seed(cfg.run.seed + 7919 * rank)  # each rank draws its own batches and noise
    run_dir = args.run_dir or os.path.join(HERE, "runs", cfg.run.id)
    os.makedirs(run_dir, exist_ok=True)
    ckpt_path = os.path.join(run_dir, "ckpt.pt")
    batches = Batches(cfg, device, rank)

    # a new run may start from another run's checkpoint ([train].init); an existing one always resumes
    start_path = ckpt_path if os.path.exists(ckpt_path) else (cfg.train.init or None)
    if start_path:
        vars3 = checkpoint.read(start_path)["vars"]
    elif cfg.gctm.vars:
        vars3 = cfg.gctm.vars
    else:
        x0, x1 = batches.sample(256)
        if cfg.net.get("mask"):
            vars3 = estimate_hole_vars(x0.cpu(), x1.cpu(), cfg.gctm.sigma_p)
        else:
            vars3 = estimate_vars(x0.cpu(), x1.cpu(), cfg.gctm.sigma_p, source_noise.variance(cfg.gctm.sigma_p_scale))
    if ddp:  # every rank must use rank 0's preconditioning
        shared = torch.tensor(vars3, dtype=torch.float64, device=device)
        torch.distributed.broadcast(shared, 0)
        vars3 = shared.cpu().tolist()
    with torch.random.fork_rng():
        torch.manual_seed(cfg.run.seed)  # the same initial weights (and so the same EMA) on every rank
        model = build_model(cfg.net, vars3, cfg.gctm.sigma_min, cfg.gctm.sigma_max).to(device)
    teacher = None
    if cfg.gctm.teacher:
        # the teacher is rebuilt as it was trained (its own network and data statistics), so a
        # student may be smaller or shaped differently
        teacher = load_ema(cfg, cfg.gctm.teacher)[0].to(device)
    bank = None
    if cfg.gctm.source_bank:
        bank = SourceBank(cfg.gctm.source_bank, bank_meta(cfg, cfg.gctm.teacher), config_grid(cfg.gctm),
                          device, seed=cfg.run.seed + 7919 * rank)
        if rank == 0:
            print(f"source bank {cfg.gctm.source_bank}: {bank.size} teacher paths")
    trainer = Trainer(model, cfg.gctm, cfg.train.lr, cfg.train.ema, cfg.train.grad_clip, teacher, source_bank=bank)
    elapsed_before = 0.0
    if start_path:
        # weights, EMA, optimizer state and step count; training time counts on from the same total
        state = checkpoint.restore(start_path, trainer)
        elapsed_before = state.get("elapsed_s", 0.0)
        verb = "resumed" if start_path == ckpt_path else "started from"
        print(f"{verb} {start_path} at step {trainer.steps_done} ({elapsed_before / 60:.1f} min trained)")
    if ddp:
        trainer.model.net = torch.nn.parallel.DistributedDataParallel(trainer.model.net)
    if rank == 0:
        with open(os.path.join(run_dir, "config.json"), "w") as f:
            json.dump({**cfg.to_dict(), "vars": vars3}, f, indent=2)
        params = sum(p.numel() for p in model.parameters())
        print(f"run {cfg.run.id}: {params / 1e6:.2f} M parameters, vars {[round(v, 4) for v in vars3]}, device {device}")

    budget = cfg.train.minutes * 60 if cfg.train.minutes > 0 else float("inf")
    if args.session_minutes > 0:
        budget = min(budget, elapsed_before + args.session_minutes * 60)
    start = time.time()
    last_log = last_ckpt = start
    stats = open(os.path.join(run_dir, "stats.jsonl"), "a") if rank == 0 else None
    running, count = {}, 0

    def save(final=False):
        if rank != 0:
            return
        net = trainer.model.net
        if ddp:
            trainer.model.net = net.module
        try:
            checkpoint.save(ckpt_path, trainer, {"elapsed_s": elapsed_before + time.time() - start,
                                                 "config": cfg.to_dict(), "device": str(device),
                                                 "world_size": torch.distributed.get_world_size() if ddp else 1})
        finally:
            trainer.model.net = net
        if final:
            print(f"saved {ckpt_path} at step {trainer.steps_done}")

    stop = []  # Ctrl-C or SIGTERM: finish the step, save, and exit cleanly
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.append(True))
    while not stop and trainer.steps_done < cfg.train.steps and elapsed_before + time.time() - start < budget:
        x0, x1 = batches.sample(cfg.train.batch)
        parts = trainer.step(x0, x1)
        for k, v in parts.items():
            running[k] = running.get(k, 0.0) + v
        count += 1
        now = time.time()
        if rank == 0 and cfg.train.eval_every and trainer.steps_done % cfg.train.eval_every == 0:
            ev = quick_eval(trainer, batches)
            stats.write(json.dumps({"step": trainer.steps_done, "eval": ev}) + "\n")
            print(f"  eval step {trainer.steps_done}: " + ", ".join(f"{k} {v:.2f}" for k, v in ev.items()))
        if rank == 0 and now - last_log >= cfg.train.log_every_s:
            mean = {k: v / count for k, v in running.items()}
            spent = elapsed_before + now - start
            per_step = (now - last_log) / count
            left = min((cfg.train.steps - trainer.steps_done) * per_step, budget - spent)
            line = " ".join(f"{k} {v:.4g}" for k, v in mean.items())
            print(f"step {trainer.steps_done} | {line} | {per_step:.2f} s/step | {spent / 60:.1f} min | ETA {left / 60:.1f} min",
                  flush=True)
            stats.write(json.dumps({"step": trainer.steps_done, "elapsed_s": spent, **mean}) + "\n")
            stats.flush()
            running, count, last_log = {}, 0, now
        if now - last_ckpt >= cfg.train.ckpt_every_s:
            save()
            last_ckpt = now
    save(final=True)
    if stop and rank == 0:
        print("stopped on request; run the same command to resume")
    if stats:
        stats.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
