"""Run configuration: dataclasses with documented defaults, loaded from a TOML file.

A config file lists what a run needs and what it changes from the defaults. Loading rejects unknown
sections and keys, wrong types and missing required fields, naming the file and the key.
"""
import copy
import dataclasses
import tomllib
from dataclasses import dataclass, field

from .couplings import COUPLINGS

REQUIRED = object()  # marks a field the file must give


class ConfigError(ValueError):
    pass


@dataclass
class Run:
    id: str = REQUIRED                 # model id, also the zoo file name: zoo/<id>.onnx
    tool: str = REQUIRED               # which plugin tool serves it: restore, sketch, inpaint, edit, generate
    title: str = ""                    # short name shown in the plugin
    version: str = "0.1.0"
    seed: int = 0


@dataclass
class Data:
    kind: str = REQUIRED               # "photos" (restore crops), "sketch" (line/colour pairs), "inpaint" (crops + holes) or "toy" (2-D points)
    train: list = field(default_factory=list)     # globs of training images
    heldout: list = field(default_factory=list)   # globs of held-out images (never trained on)
    crop: int = 64                     # training crop size in output pixels
    scales: list = field(default_factory=lambda: [1.0, 0.5, 0.25])  # each image is also used downscaled
    task: str = "upscale"              # how x1 is made from x0 (photos): "upscale" or "clean"
    scale: int = 2                     # upscale factor (upscale only)
    degrade: dict = field(default_factory=dict)   # blur/noise/JPEG: on the small image (upscale), on x0 (clean)
    clipart: list = field(default_factory=list)  # globs of flat illustrations mixed into the batches
    clipart_scales: list = field(default_factory=lambda: [1.0])
    clipart_fraction: float = 0.0      # share of each batch drawn from the clip art
    clipart_max: int = 0               # use at most this many clip-art files (evenly spaced; 0 = all)
    target: str = "8gaussians"         # toy: the x0 distribution ("8gaussians", "moons", "paired")
    pairs: str = ""                    # sketch: the bank file of line/colour pairs (python3 -m gctm.bank)
    augment: bool = True               # sketch: vary strokes, jitter, gaps, zoom/shift
    mask_pool: int = 4096              # inpaint: masks drawn per run (each varied per sample)
    font_dirs: list = field(default_factory=list)  # inpaint: extra folders of .ttf fonts for text masks


@dataclass
class Gctm:
    coupling: str = REQUIRED           # independent | paired | ot
    mode: str = "gctm"                 # gctm (consistency + FM) | fm (flow matching only) | regression (L2 baseline)
    sigma_p: float = 0.0               # source perturbation x1 ← x1 + σp·ε (0 for restoration)
    sigma_p_scale: int = 1             # ε drawn at 1/k of x1's resolution and resized (an upscaler's; gctm.source_noise)
    sigma_p_clean: float = 0.0         # share of samples left unperturbed: trains g(x1, 1, 1) on the exact source
    lambda_exact: float = 0.0          # weight of the exact-source term g(x1, 1, 1) ≈ x0 (paired coupling)
    lambda_teacher_g: float = 0.0      # weight of g_θ(x_τ, τ, τ) ≈ the frozen teacher's: holds a student's ODE on its teacher's
    sigma_min: float = 0.002
    sigma_max: float = 80.0            # also clamps the time embedding at t = 1: export uses the same
    rho: float = 7.0
    steps: int = 4                     # N of the consistency grid
    fine_steps: int = 1024             # K of the base grid (FM times)
    lambda_ctm: float = 1.0            # weight of the consistency loss
    lambda_fm: float = 1.0             # weight of the flow-matching loss (0: a student held by lambda_teacher_g alone)
    distance: str = "ph"               # ph (pseudo-Huber) | l2
    ctm_beta: list = field(default_factory=lambda: [1.2, 2.0])
    ctm_source_p: float = 0.0          # share of consistency samples that start at the source, t = 1
    ctm_endpoint_p: float = 0.0        # share of those that jump all the way to s = 0 (else s is drawn as for the rest)
    source_bank: list = field(default_factory=list)  # folders of the teacher's paths from the source (gctm.source_bank) for that share
    fm_time: str = "beta"              # beta | lognormal | uniform
    fm_params: list = field(default_factory=lambda: [3.0, 1.0])
    vars: list = field(default_factory=list)  # [var0, var1, var01]; estimated from data when empty
    ot_eps: float = 0.01
    ot_tol: float = 1e-3               # Sinkhorn runs until row and column sums are within this relative error ...
    ot_max_iters: int = 5000           # ... or this many iterations
    teacher: str = ""                  # optional checkpoint of a pre-trained flow-matching model


@dataclass
class Train:
    batch: int = REQUIRED
    lr: float = 2e-4
    ema: float = 0.999
    steps: int = 100000                # stop after this many optimizer steps ...
    minutes: float = 0.0               # ... or after this much wall time (0: no limit)
    threads: int = 2                   # torch CPU threads
    device: str = "auto"               # auto | cpu | cuda
    grad_clip: float = 1.0
    init: str = ""                     # start a new run from this checkpoint (same network), e.g. its L2 baseline
    ckpt_every_s: float = 300.0
    eval_every: int = 1000             # steps between held-out evaluations (0: never during training)
    log_every_s: float = 10.0


@dataclass
class Config:
    run: Run
    data: Data
    net: dict                          # kind + network options (network.py validates them)
    gctm: Gctm
    train: Train

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


SECTIONS = {"run": Run, "data": Data, "gctm": Gctm, "train": Train}


def _section(cls, values: dict, where: str):
    out = {}
    names = {f.name: f for f in dataclasses.fields(cls)}
    for key, value in values.items():
        if key not in names:
            raise ConfigError(f"{where}: unknown key {key!r}; known: {sorted(names)}")
        default = names[key].default
        if default is not REQUIRED and default is not dataclasses.MISSING:
            expected = type(default)
            if expected is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, expected):
                raise ConfigError(f"{where}.{key}: expected {expected.__name__}, got {type(value).__name__} ({value!r})")
        out[key] = value
    for name, f in names.items():
        if f.default is REQUIRED and name not in out:
            raise ConfigError(f"{where}: missing required field {name!r}")
    return cls(**out)


def from_dict(d: dict, source: str = "config") -> Config:
    d = copy.deepcopy(d)
    unknown = set(d) - set(SECTIONS) - {"net"}
    if unknown:
        raise ConfigError(f"{source}: unknown section(s) {sorted(unknown)}")
    for name in list(SECTIONS) + ["net"]:
        if name not in d:
            raise ConfigError(f"{source}: missing section [{name}]")
    parts = {name: _section(cls, d[name], f"{source} [{name}]") for name, cls in SECTIONS.items()}
    if "kind" not in d["net"]:
        raise ConfigError(f"{source} [net]: missing required field 'kind'")
    cfg = Config(net=d["net"], **parts)
    if cfg.gctm.coupling not in COUPLINGS:
        raise ConfigError(f"{source} [gctm].coupling: unknown coupling {cfg.gctm.coupling!r}; expected one of {sorted(COUPLINGS)}")
    if cfg.gctm.mode not in ("gctm", "fm", "regression"):
        raise ConfigError(f"{source} [gctm].mode: unknown mode {cfg.gctm.mode!r}; expected gctm, fm or regression")
    if cfg.data.kind not in ("photos", "sketch", "inpaint", "toy"):
        raise ConfigError(f"{source} [data].kind: unknown kind {cfg.data.kind!r}; expected photos, sketch, inpaint or toy")
    if cfg.data.kind in ("photos", "inpaint") and not cfg.data.train:
        raise ConfigError(f"{source} [data].train: a {cfg.data.kind} dataset needs at least one training glob")
    if cfg.data.kind == "sketch" and not cfg.data.pairs:
        raise ConfigError(f"{source} [data].pairs: a sketch dataset needs its bank file of pairs")
    if not 0.0 <= cfg.gctm.ctm_source_p <= 1.0:
        raise ConfigError(f"{source} [gctm].ctm_source_p: expected a share in [0, 1], got {cfg.gctm.ctm_source_p!r}")
    if not 0.0 <= cfg.gctm.ctm_endpoint_p <= 1.0:
        raise ConfigError(f"{source} [gctm].ctm_endpoint_p: expected a share in [0, 1], got {cfg.gctm.ctm_endpoint_p!r}")
    if cfg.gctm.ctm_endpoint_p > 0 and cfg.gctm.ctm_source_p == 0:
        raise ConfigError(f"{source} [gctm].ctm_endpoint_p: a share of the samples from the source, so it needs ctm_source_p > 0")
    if cfg.gctm.lambda_fm < 0:
        raise ConfigError(f"{source} [gctm].lambda_fm: expected a weight ≥ 0, got {cfg.gctm.lambda_fm!r}")
    if cfg.gctm.lambda_fm == 0 and cfg.gctm.mode == "fm":
        raise ConfigError(f"{source} [gctm].lambda_fm = 0: the flow-matching stage (mode fm) trains on that loss alone")
    if cfg.gctm.lambda_fm == 0 and cfg.gctm.mode == "gctm" and cfg.gctm.lambda_teacher_g <= 0:
        raise ConfigError(f"{source} [gctm].lambda_fm = 0 leaves the student's denoisers untrained: it needs "
                          f"[gctm].lambda_teacher_g > 0 (and a teacher) to hold them")
    if cfg.gctm.source_bank and not (cfg.gctm.mode == "gctm" and cfg.gctm.ctm_source_p > 0 and cfg.gctm.teacher
                                     and cfg.gctm.sigma_p == 0):
        raise ConfigError(f"{source} [gctm].source_bank: the bank holds a frozen teacher's paths from exact sources; it "
                          f"needs mode gctm, ctm_source_p > 0, a teacher and sigma_p = 0")
    if cfg.gctm.lambda_exact > 0 and cfg.gctm.coupling != "paired":
        raise ConfigError(f"{source} [gctm].lambda_exact: the exact-source term needs the paired coupling "
                          f"(it pairs each x0 with its own x1), not {cfg.gctm.coupling!r}")
    k = cfg.gctm.sigma_p_scale
    if not isinstance(k, int) or k < 1:
        raise ConfigError(f"{source} [gctm].sigma_p_scale: expected a whole number ≥ 1, got {k!r}")
    if k > 1 and not (cfg.data.kind == "photos" and cfg.data.task == "upscale" and cfg.data.scale % k == 0):
        raise ConfigError(f"{source} [gctm].sigma_p_scale: noise at 1/{k} of x1's resolution is for upscalers whose "
                          f"factor it divides ([data].task = upscale, [data].scale a multiple of {k})")
    if cfg.gctm.vars and len(cfg.gctm.vars) != 3:
        raise ConfigError(f"{source} [gctm].vars: expected [var0, var1, var01], got {cfg.gctm.vars!r}")
    return cfg


def load(path: str, overrides: dict = None) -> Config:
    """Read a TOML config; `overrides` maps "section.key" to a value (same checks as the file)."""
    try:
        with open(path, "rb") as f:
            d = tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"config file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e})") from None
    for dotted, value in (overrides or {}).items():
        section, _, key = dotted.partition(".")
        if not key:
            raise ConfigError(f"override {dotted!r}: expected section.key=value")
        d.setdefault(section, {})[key] = value
    return from_dict(d, path)
