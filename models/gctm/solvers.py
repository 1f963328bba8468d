"""Samplers: one step, k consistency steps along a grid, and the Heun ODE solver on g(x, t, t).

All go from t = 1 (source) towards t = 0 (target). The ODE velocity is never evaluated at t = 0: a
Heun step that lands on 0 keeps its Euler result.
"""
import torch


def _full(x, value):
    return torch.full((x.shape[0],), float(value), dtype=x.dtype, device=x.device)


@torch.no_grad()
def one_step(model, x1: torch.Tensor) -> torch.Tensor:
    """G(x1, 1, 0): the whole trajectory in one evaluation."""
    return model(x1, _full(x1, 1.0), _full(x1, 0.0))


@torch.no_grad()
def consistency_steps(model, x1: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """x ← G(x, t_k, t_{k−1}) for k = N … 1 along `grid` (increasing, grid[0] = 0, grid[-1] = 1)."""
    x = x1
    for k in range(grid.numel() - 1, 0, -1):
        x = model(x, _full(x, grid[k]), _full(x, grid[k - 1]))
    return x


def heun_step(model, x: torch.Tensor, t_from: torch.Tensor, t_to: torch.Tensor) -> torch.Tensor:
    """One Heun step of dx/dt = v(x, t) from t_from [B] to t_to [B] (t_to may be 0)."""
    shape = (-1,) + (1,) * (x.dim() - 1)
    dt = (t_to - t_from).reshape(shape)
    d1 = model.velocity(x, t_from)
    x_euler = x + dt * d1
    land = t_to > 0
    if not bool(land.any()):
        return x_euler
    t_safe = torch.where(land, t_to, torch.ones_like(t_to))
    d2 = model.velocity(x_euler, t_safe)
    x_heun = x + dt * 0.5 * (d1 + d2)
    return torch.where(land.reshape(shape), x_heun, x_euler)


def heun_between(model, x: torch.Tensor, grid: torch.Tensor, i_from: torch.Tensor, i_to: torch.Tensor) -> torch.Tensor:
    """Integrate each sample from grid[i_from] down to grid[i_to], one Heun step per grid interval.

    Samples needing fewer steps are left untouched once they arrive; only active samples are evaluated.
    """
    x = x.clone()
    cur = i_from.clone()
    while True:
        active = cur > i_to
        if not bool(active.any()):
            return x
        idx = active.nonzero(as_tuple=True)[0]
        x[idx] = heun_step(model, x[idx], grid[cur[idx]], grid[cur[idx] - 1])
        cur[idx] -= 1


@torch.no_grad()
def ode_solve(model, x1: torch.Tensor, grid: torch.Tensor) -> torch.Tensor:
    """The multi-step reference: Heun on the probability-flow ODE along `grid` from 1 to 0."""
    n = grid.numel() - 1
    B = x1.shape[0]
    return heun_between(model, x1, grid, torch.full((B,), n, dtype=torch.long), torch.zeros(B, dtype=torch.long))
