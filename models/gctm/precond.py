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
        ratio = torch.where(s == t, torch.ones_like(t), s / torch.where(t > 0, t, torch.ones_like(t)))
        ratio = _bcast(ratio, x)
        # (1 − ratio) is exactly 0 when s == t, so G(x, t, t) = x bit for bit.
        return ratio * x + (1.0 - ratio) * self.g(x, t, s)

    def velocity(self, x: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
        """dx/dt = (x − E[x0 | x_t]) / t. Never call it at t = 0."""
        return (x - self.g(x, t, t)) / _bcast(t, x)

    def jump_weight(self, t: torch.Tensor, s: torch.Tensor) -> torch.Tensor:
        """w = c_out(t)·(1 − s/t) = ∂G/∂F: divides distances into network-output units."""
        _, _, c_out = self.coefficients(t)
        return c_out * (1.0 - s / torch.where(t > 0, t, torch.ones_like(t)))


class OneStepExport(nn.Module):
    """The exported graph: inputs (x, t, s); outputs y = G(x, t, s) and g = g(x, t, s), both from one
    network evaluation (see the model contract). With s = 0 from t = 1 both are the one-step jump;
    with s = t, y is x itself and g is the denoiser E[x0 | x_t] (the posterior mean)."""

    def __init__(self, model: GCTM):
        super().__init__()
        self.model = model

    def forward(self, x, t, s):
        g = self.model.g(x, t, s)
        ratio = torch.where(s == t, torch.ones_like(t), s / torch.where(t > 0, t, torch.ones_like(t)))
        ratio = ratio.reshape(-1, 1, 1, 1)
        return ratio * x + (1.0 - ratio) * g, g
