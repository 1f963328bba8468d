"""GCTM parameterization around a raw network F.

    g(x, t, s) = c_skip(t)·x + c_out(t)·F(c_in(t)·x, c_noise(t), c_noise(s))
    G(x, t, s) = (s/t)·x + (1 − s/t)·g(x, t, s),   with G(x, t, t) = x exactly

t = 0 is the target (clean image, data), t = 1 the source (degraded image, sketch, noise); the state is
x_t = (1 − t)·x0 + t·x1. The c_* coefficients are EDM-style preconditioning for a correlated pair
(var0 = Var x0, var1 = Var x1 including σp², var01 = Cov(x0, x1)), see notes/gctm-paper.md §1.3.
"""
import torch
import torch.nn as nn


def _bcast(v: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    """[B] → [B, 1, 1, ...] to broadcast against a state of any rank."""
    return v.reshape(v.shape[0], *([1] * (like.dim() - 1)))


def _ratio(t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
    """s/t, exactly 1 where s == t (including t = s = 0)."""
    return torch.where(s == t, torch.ones_like(t), s / torch.where(t > 0, t, torch.ones_like(t)))


class GCTM(nn.Module):
    def __init__(self, net: nn.Module, var0: float, var1: float, var01: float,
                 sigma_min: float = 0.002, sigma_max: float = 80.0):
        super().__init__()
        self.net = net
        self.var0, self.var1, self.var01 = float(var0), float(var1), float(var01)
        self.sigma_min, self.sigma_max = float(sigma_min), float(sigma_max)

    # -- coefficients ---------------------------------------------------------------------------
    def coefficients(self, t: torch.Tensor):
        """c_in, c_skip, c_out for times t [B] (each [B]); c_skip = 1 and c_out = 0 at t = 0."""
        tb = 1.0 - t
        var_t = tb * tb * self.var0 + t * t * self.var1 + 2.0 * t * tb * self.var01
        c_in = torch.rsqrt(var_t)
        c_skip = (tb * self.var0 + t * self.var01) / var_t
        a = 1.0 - c_skip * tb
        b = c_skip * t
        resid = a * a * self.var0 + b * b * self.var1 - 2.0 * a * b * self.var01
        c_out = torch.sqrt(torch.clamp(resid, min=0.0))
        return c_in, c_skip, c_out

    def c_noise(self, t: torch.Tensor) -> torch.Tensor:
        """¼·ln σ with σ = t/(1 − t) clamped to [σ_min, σ_max] (no division by zero at t = 1)."""
        safe = torch.clamp(1.0 - t, min=1e-12)
        sigma = torch.where(t >= 1.0, torch.full_like(t, self.sigma_max), t / safe)
        sigma = torch.clamp(sigma, self.sigma_min, self.sigma_max)
        return 0.25 * torch.log(sigma)

    # -- the two maps ---------------------------------------------------------------------------
    def g(self, x: torch.Tensor, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """The network's estimate of the endpoint of the jump; g(x, t, t) = E[x0 | x_t]."""
        c_in, c_skip, c_out = self.coefficients(t)
        f = self.net(_bcast(c_in, x) * x, self.c_noise(t), self.c_noise(s))
        return _bcast(c_skip, x) * x + _bcast(c_out, x) * f

    def forward(self, x: torch.Tensor, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """G(x, t, s): the state at time s ≤ t reached from x at time t."""
        ratio = _bcast(_ratio(t, s), x)
        # (1 − ratio) is exactly 0 when s == t, so G(x, t, t) = x bit for bit.
        return ratio * x + (1.0 - ratio) * self.g(x, t, s)

    def velocity(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """dx/dt = (x − E[x0 | x_t]) / t. Never call it at t = 0."""
        return (x - self.g(x, t, t)) / _bcast(t, x)

    def jump_weight(self, t: torch.Tensor, s: torch.Tensor, x: torch.Tensor = None) -> torch.Tensor:
        """w = c_out(t)·(1 − s/t) = ∂G/∂F: divides distances into network-output units. [B], or
        broadcastable against the state x when it is given."""
        _, _, c_out = self.coefficients(t)
        w = c_out * (1.0 - s / torch.where(t > 0, t, torch.ones_like(t)))
        return w if x is None else _bcast(w, x)

    def output_scale(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """c_out(t) broadcastable against x: ∂g/∂F, which turns x0-errors into network-output units."""
        return _bcast(self.coefficients(t)[2], x)


def takes_mask(model) -> bool:
    """Whether the model's state carries the hole ([RGB, mask]; its exported graph has a `mask` input)."""
    return bool(getattr(model, "takes_mask", False))


class MaskedGCTM(GCTM):
    """GCTM for inpainting, whose state carries the hole: x = [RGB, mask] with the mask channel (1 in
    the hole) equal in x0 and x1, so it is a fixed point of every jump and ODE step.

    The preconditioning is per pixel. Outside the hole x1 = x0, so c_skip = 1 and c_out = 0 there:
    g and G return those pixels untouched, exactly, and the network spends nothing on copying them.
    Inside, the skip path does not carry the noise of x1: it carries S_t(x) = (1 − t)·x + t·guess,
    where the guess is the coarse fill of the hole from the pixels around it (inpaint_data.coarse_fill;
    the same for x0, x_t and x1, since the known pixels never change). At t = 0 the skip is x itself
    (so g(x, 0, 0) = x); at t = 1 it is the guess, and the network learns what the guess lacks instead
    of having to cancel the noise pixel by pixel. The coefficients are GCTM's scalar ones with var1
    and var01 those of the guess against the image inside the hole (`estimate_hole_vars`). The network
    sees c_in·RGB, the mask and the guess.
    """

    takes_mask = True

    def __init__(self, net: nn.Module, *args, **kwargs):
        from .inpaint_data import FILL_LEVELS
        super().__init__(net, *args, **kwargs)
        multiple = getattr(getattr(net, "cfg", None), "multiple", 2 ** FILL_LEVELS)
        if multiple % 2 ** FILL_LEVELS:
            raise ValueError(f"an inpainting network's multiple must be a multiple of {2 ** FILL_LEVELS} (the coarse "
                             f"fill halves the image {FILL_LEVELS} times); this one's is {multiple}: add a U-Net level")

    def pixel_coefficients(self, t: torch.Tensor, m: torch.Tensor):
        """c_in, c_skip, c_out per pixel ([B, 1, H, W]) for the mask m [B, 1, H, W]."""
        c_in, c_skip, c_out = (_bcast(c, m) for c in self.coefficients(t))
        keep = 1.0 - m
        return (m * c_in + keep * (self.var0 ** -0.5), m * c_skip + keep, m * c_out)

    def g(self, x: torch.Tensor, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        from .inpaint_data import coarse_fill
        rgb, m = x[:, :-1], x[:, -1:]
        guess = coarse_fill(rgb, m)
        tb = _bcast(t, m)
        skip = rgb + m * tb * (guess - rgb)  # S_t(x) in the hole, x itself outside (bit for bit)
        c_in, c_skip, c_out = self.pixel_coefficients(t, m)
        inputs = torch.cat([c_in * rgb, m, guess * (self.var0 ** -0.5)], dim=1)
        f = self.net(inputs, self.c_noise(t), self.c_noise(s))[:, :rgb.shape[1]]
        return torch.cat([c_skip * skip + c_out * f, m], dim=1)

    def forward(self, x: torch.Tensor, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """G = x + (1 − s/t)·(g − x): the same jump, written so that where g = x (outside the hole, and
        the hole channel) G is x bit for bit."""
        return x + _bcast(1.0 - _ratio(t, s), x) * (self.g(x, t, s) - x)

    def jump_weight(self, t: torch.Tensor, s: torch.Tensor, x: torch.Tensor = None) -> torch.Tensor:
        """Per pixel inside the hole; 1 outside, where every jump's error is exactly zero."""
        w = super().jump_weight(t, s)
        if x is None:
            return w
        m = x[:, -1:]
        return m * _bcast(w, m) + (1.0 - m)

    def output_scale(self, t: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        m = x[:, -1:]
        return m * _bcast(self.coefficients(t)[2], m) + (1.0 - m)


def estimate_hole_vars(x0: torch.Tensor, x1: torch.Tensor, sigma_p: float = 0.0):
    """[var0, var1, var01] for MaskedGCTM from [RGB, mask] states: var0 over every image pixel; var1
    and var01 those of the skip path at t = 1 (the coarse fill of the hole) against x0, over hole
    pixels only."""
    from .inpaint_data import coarse_fill
    m = x0[:, -1:]
    hole = m.expand_as(x0[:, :-1]) > 0.5
    a = x0[:, :-1].double()
    b = coarse_fill(x1[:, :-1], m).double()
    var0 = a.flatten().var().item()
    ah, bh = a[hole], b[hole]
    var1 = bh.var().item() + sigma_p ** 2
    var01 = ((ah - ah.mean()) * (bh - bh.mean())).mean().item()
    return [var0, var1, var01]


class OneStepExport(nn.Module):
    """The exported graph: inputs (x, t, s); outputs y = G(x, t, s) and g = g(x, t, s), both from one
    network evaluation (see the model contract). With s = 0 from t = 1 both are the one-step jump;
    with s = t, y is x itself and g is the denoiser E[x0 | x_t] (the posterior mean)."""

    def __init__(self, model: GCTM):
        super().__init__()
        self.model = model

    def forward(self, x, t, s):
        g = self.model.g(x, t, s)
        ratio = _ratio(t, s).reshape(-1, 1, 1, 1)
        return ratio * x + (1.0 - ratio) * g, g


class MaskedOneStepExport(nn.Module):
    """The exported graph of a MaskedGCTM: inputs (x RGB, mask, t, s), outputs y and g in RGB; the
    mask is joined to the state inside the graph, so the engine feeds it as its own input."""

    def __init__(self, model: MaskedGCTM):
        super().__init__()
        self.model = model

    def forward(self, x, mask, t, s):
        g = self.model.g(torch.cat([x, mask], dim=1), t, s)[:, :-1]
        return x + (1.0 - _ratio(t, s)).reshape(-1, 1, 1, 1) * (g - x), g
