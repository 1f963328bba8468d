"""The raw networks F(x_in, c_t, c_s): a two-time U-Net for images and an MLP for 2-D toys.

They know nothing of the GCTM parameterization: `precond.py` feeds them the scaled state and the
noise levels c_t = ¼·ln σ(t), c_s = ¼·ln σ(s), and mixes their output with the state.
"""
import math
from dataclasses import dataclass, field, asdict

import torch
import torch.nn as nn
import torch.nn.functional as F


def sinusoidal(c: torch.Tensor, dim: int) -> torch.Tensor:
    """[B] → [B, dim] positional embedding of a scalar (half cos, half sin, geometric frequencies)."""
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=c.device) / half)
    # c = ¼·ln σ lies in about [-1.6, 1.6]; ×100 spreads it over many periods of the highest frequency.
    args = c.float()[:, None] * (100.0 * freqs)[None, :]
    return torch.cat([torch.cos(args), torch.sin(args)], dim=1)


class TimeEmbedding(nn.Module):
    """(c_t, c_s) → one embedding vector; t and s have their own MLPs (both are trained)."""

    def __init__(self, dim: int, out: int):
        super().__init__()
        self.dim = dim
        self.t_mlp = nn.Sequential(nn.Linear(dim, out), nn.SiLU(), nn.Linear(out, out))
        self.s_mlp = nn.Sequential(nn.Linear(dim, out), nn.SiLU(), nn.Linear(out, out))

    def forward(self, c_t, c_s):
        return F.silu(self.t_mlp(sinusoidal(c_t, self.dim)) + self.s_mlp(sinusoidal(c_s, self.dim)))


def _groups(channels: int) -> int:
    for g in (32, 16, 8, 4, 2):
        if channels % g == 0 and channels // g >= 2:
            return g
    return 1


def _group_size(channels: int) -> int:
    """Channels per GroupNorm group of a block this wide."""
    return channels // _groups(channels)


def zero_conv(cin: int, cout: int) -> nn.Conv2d:
    """A 3×3 conv that starts at zero: a residual branch starts as the identity, an output layer at 0."""
    conv = nn.Conv2d(cin, cout, 3, padding=1)
    nn.init.zeros_(conv.weight)
    nn.init.zeros_(conv.bias)
    return conv


def to_patches(x: torch.Tensor, patch: int) -> torch.Tensor:
    """Pixel-unshuffle stem input: [B, C, H, W] → [B, C·p², H/p, W/p]."""
    return F.pixel_unshuffle(x, patch) if patch > 1 else x


def from_patches(x: torch.Tensor, patch: int) -> torch.Tensor:
    """The inverse of to_patches, for the output layer."""
    return F.pixel_shuffle(x, patch) if patch > 1 else x


def inner_width(cout: int, inner_mult: float) -> int:
    """The width between a ResBlock's two convs: cout·inner_mult, in whole GroupNorm groups of the size
    a cout-wide block has, so a block widened inside (tools/widen_unet.py) keeps its old groups."""
    size = _group_size(cout)
    inner = round(cout * inner_mult)
    if inner < cout or inner % size:
        raise ValueError(f"inner_mult {inner_mult} gives {inner} channels for a {cout}-channel block; "
                         f"it must be at least {cout} and a multiple of {size}")
    return inner


class ResBlock(nn.Module):
    """GroupNorm/SiLU residual block; the (t, s) embedding is added after the first conv, or with
    `film` scales and shifts the normalised features (h·(1 + a) + b), which lets the jump target s
    change what the block computes rather than only its offset. `inner` (default cout) is the width
    between the two convs: more capacity without changing any width the skips carry."""

    def __init__(self, cin: int, cout: int, emb: int, dropout: float, film: bool = False, inner: int = 0):
        super().__init__()
        self.film = film
        inner = inner or cout
        self.norm0 = nn.GroupNorm(_groups(cin), cin)
        self.conv0 = nn.Conv2d(cin, inner, 3, padding=1)
        self.emb = nn.Linear(emb, 2 * inner if film else inner)
        # groups of the size a cout-wide block has: the first groups are exactly the narrow block's
        self.norm1 = nn.GroupNorm(inner // _group_size(cout), inner)
        self.dropout = nn.Dropout(dropout)
        self.conv1 = zero_conv(inner, cout)  # each block starts as the identity
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, emb):
        h = self.conv0(F.silu(self.norm0(x)))
        if self.film:
            scale, shift = self.emb(emb)[:, :, None, None].chunk(2, dim=1)
            h = self.norm1(h) * (1.0 + scale) + shift
        else:
            h = self.norm1(h + self.emb(emb)[:, :, None, None])
        h = self.conv1(self.dropout(F.silu(h)))
        return (self.skip(x) + h) * (1.0 / math.sqrt(2.0))


class Attention(nn.Module):
    """Single-head self-attention over the pixels of the lowest resolution (plain ops for export)."""

    def __init__(self, channels: int):
        super().__init__()
        self.norm = nn.GroupNorm(_groups(channels), channels)
        self.qkv = nn.Conv2d(channels, 3 * channels, 1)
        self.proj = nn.Conv2d(channels, channels, 1)
        nn.init.zeros_(self.proj.weight)
        nn.init.zeros_(self.proj.bias)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, c, h * w).unbind(1)
        # bmm rather than einsum: MatMul runs on every onnxruntime-web backend
        attn = torch.softmax(torch.bmm(q.transpose(1, 2), k) * (1.0 / math.sqrt(c)), dim=-1)
        out = torch.bmm(v, attn.transpose(1, 2)).reshape(b, c, h, w)
        return x + self.proj(out)


@dataclass
class UNetConfig:
    channels: int = 64                 # width of the first level
    channel_mult: list = field(default_factory=lambda: [1, 2, 2])
    num_blocks: int = 1                # residual blocks per level (encoder; decoder has one more)
    patch: int = 2                     # pixel-unshuffle stem: the U-Net runs at 1/patch resolution
    attention: bool = False            # self-attention at the lowest resolution only
    dropout: float = 0.0
    emb_dim: int = 64                  # sinusoidal embedding size per time input
    in_channels: int = 3
    film: bool = False                 # scale-and-shift conditioning on (t, s) instead of an added bias
    inner_mult: float = 1.0            # width between each block's two convs, in units of its output width

    @property
    def multiple(self) -> int:
        """H and W must be multiples of this (stem × one halving per extra level)."""
        return self.patch * 2 ** (len(self.channel_mult) - 1)


class UNet(nn.Module):
    """F(x, c_t, c_s) for images [B, C, H, W] → [B, C, H, W]."""

    def __init__(self, cfg: UNetConfig):
        super().__init__()
        self.cfg = cfg
        p, c0, cin = cfg.patch, cfg.channels, cfg.in_channels
        emb = 4 * c0
        self.time = TimeEmbedding(cfg.emb_dim, emb)
        self.stem = nn.Conv2d(cin * p * p, c0, 3, padding=1)

        def block(ci: int, co: int) -> ResBlock:
            return ResBlock(ci, co, emb, cfg.dropout, cfg.film, inner_width(co, cfg.inner_mult))

        widths = [c0 * m for m in cfg.channel_mult]
        self.down = nn.ModuleList()
        skips, ch = [c0], c0
        for level, w in enumerate(widths):
            for _ in range(cfg.num_blocks):
                self.down.append(block(ch, w))
                ch = w
                skips.append(ch)
            if level < len(widths) - 1:
                self.down.append(nn.Conv2d(ch, ch, 3, stride=2, padding=1))
                skips.append(ch)
        self.mid0 = block(ch, ch)
        self.attn = Attention(ch) if cfg.attention else nn.Identity()
        self.mid1 = block(ch, ch)
        self.up = nn.ModuleList()
        for level, w in reversed(list(enumerate(widths))):
            for _ in range(cfg.num_blocks + 1):
                self.up.append(block(ch + skips.pop(), w))
                ch = w
            if level > 0:
                self.up.append(nn.Upsample(scale_factor=2, mode="nearest"))
        self.out_norm = nn.GroupNorm(_groups(ch), ch)
        self.out = zero_conv(ch, cin * p * p)

    def forward(self, x, c_t, c_s):
        emb = self.time(c_t, c_s)
        h = self.stem(to_patches(x, self.cfg.patch))
        hs = [h]
        for layer in self.down:
            h = layer(h, emb) if isinstance(layer, ResBlock) else layer(h)
            hs.append(h)
        h = self.mid1(self.attn(self.mid0(h, emb)), emb)
        for layer in self.up:
            if isinstance(layer, ResBlock):
                h = layer(torch.cat([h, hs.pop()], dim=1), emb)
            else:
                h = layer(h)
        h = self.out(F.silu(self.out_norm(h)))
        return from_patches(h, self.cfg.patch)


@dataclass
class ResNetConfig:
    channels: int = 32                 # width of every block
    blocks: int = 4                    # residual blocks, all at 1/patch resolution
    patch: int = 4                     # pixel-unshuffle stem: the net runs at 1/patch resolution
    emb_dim: int = 64                  # sinusoidal embedding size per time input
    in_channels: int = 3
    film: bool = False                 # scale-and-shift conditioning on (t, s) instead of an added bias

    @property
    def multiple(self) -> int:
        return self.patch


class PlainBlock(nn.Module):
    """conv–SiLU–conv residual block without normalisation, the (t, s) embedding added after the
    first conv. No norm layer means a pixel's output depends only on its neighbourhood, so tiled
    and untiled runs agree, and the block costs exactly its two convolutions."""

    def __init__(self, channels: int, emb: int, film: bool = False):
        super().__init__()
        self.film = film
        self.conv0 = nn.Conv2d(channels, channels, 3, padding=1)
        self.emb = nn.Linear(emb, 2 * channels if film else channels)
        self.conv1 = zero_conv(channels, channels)  # each block starts as the identity

    def forward(self, x, emb):
        h = self.conv0(x)
        if self.film:  # per-channel scale and shift from (t, s): still no normalisation, still local
            scale, shift = self.emb(emb)[:, :, None, None].chunk(2, dim=1)
            h = h * (1.0 + scale) + shift
        else:
            h = h + self.emb(emb)[:, :, None, None]
        return x + self.conv1(F.silu(h))


class ResNet(nn.Module):
    """F(x, c_t, c_s) for images: a small fast network for the interactive tools. Everything runs
    at 1/patch resolution (pixel-unshuffle in, pixel-shuffle out), so the cost per output pixel is
    about 18·channels²·(2·blocks + 2)/patch² FLOPs."""

    def __init__(self, cfg: ResNetConfig):
        super().__init__()
        self.cfg = cfg
        p, c, cin = cfg.patch, cfg.channels, cfg.in_channels
        emb = 4 * c
        self.time = TimeEmbedding(cfg.emb_dim, emb)
        self.stem = nn.Conv2d(cin * p * p, c, 3, padding=1)
        self.blocks = nn.ModuleList(PlainBlock(c, emb, cfg.film) for _ in range(cfg.blocks))
        self.out = zero_conv(c, cin * p * p)

    def forward(self, x, c_t, c_s):
        emb = self.time(c_t, c_s)
        h = self.stem(to_patches(x, self.cfg.patch))
        skip = h
        for block in self.blocks:
            h = block(h, emb)
        h = self.out(F.silu(h + skip))
        return from_patches(h, self.cfg.patch)


@dataclass
class MLPConfig:
    dim: int = 2
    hidden: int = 128
    layers: int = 3
    emb_dim: int = 32

    @property
    def multiple(self) -> int:
        return 1


class MLP(nn.Module):
    """F(x, c_t, c_s) for points [B, dim]: used by the 2-D toy problems."""

    def __init__(self, cfg: MLPConfig):
        super().__init__()
        self.cfg = cfg
        self.time = TimeEmbedding(cfg.emb_dim, cfg.hidden)
        self.inp = nn.Linear(cfg.dim, cfg.hidden)
        self.hidden = nn.ModuleList(nn.Linear(cfg.hidden, cfg.hidden) for _ in range(cfg.layers))
        self.out = nn.Linear(cfg.hidden, cfg.dim)

    def forward(self, x, c_t, c_s):
        emb = self.time(c_t, c_s)
        h = self.inp(x)
        for layer in self.hidden:
            h = F.silu(layer(F.silu(h + emb)))
        return self.out(h)


NETWORKS = {"unet": (UNetConfig, UNet), "resnet": (ResNetConfig, ResNet), "mlp": (MLPConfig, MLP)}


def build_network(kind: str, options: dict) -> nn.Module:
    """Make a network from its kind and options; unknown kinds or options raise ValueError."""
    if kind not in NETWORKS:
        raise ValueError(f"unknown network kind {kind!r}; expected one of {sorted(NETWORKS)}")
    cfg_cls, net_cls = NETWORKS[kind]
    known = set(cfg_cls.__dataclass_fields__)
    unknown = set(options) - known
    if unknown:
        raise ValueError(f"unknown option(s) {sorted(unknown)} for network {kind!r}; known: {sorted(known)}")
    return net_cls(cfg_cls(**options))


#: Options added after checkpoints were already made, with the value those checkpoints were built
#: with: at that value an option is left out of the signature, so the older checkpoints still load.
ADDED_LATER = {"film": False, "inner_mult": 1.0}


def architecture_signature(net: nn.Module) -> dict:
    """What must match for a checkpoint to load: the kind and every config field."""
    kind = next(k for k, (_, cls) in NETWORKS.items() if isinstance(net, cls))
    sig = {"kind": kind, **asdict(net.cfg)}
    return {k: v for k, v in sig.items() if not (k in ADDED_LATER and v == ADDED_LATER[k])}
