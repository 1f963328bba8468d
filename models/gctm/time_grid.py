"""Time grids and samplers.

The base grid follows EDM's σ schedule mapped to flow-matching time t = σ/(1 + σ), with t_0 = 0 and
t_K = 1 forced. The N-step consistency grid takes N + 1 evenly spaced indices of the base grid.
Samplers return grid *indices*, so every time used in training lies exactly on the grid.
"""
import torch


def base_grid(K: int = 1024, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0) -> torch.Tensor:
    """[K + 1] increasing times from 0 to 1."""
    i = torch.arange(K + 1, dtype=torch.float64) / K
    sigma = (sigma_min ** (1 / rho) + i * (sigma_max ** (1 / rho) - sigma_min ** (1 / rho))) ** rho
    t = sigma / (1.0 + sigma)
    t[0], t[-1] = 0.0, 1.0
    return t.float()


def step_grid(N: int, K: int = 1024, sigma_min: float = 0.002, sigma_max: float = 80.0, rho: float = 7.0) -> torch.Tensor:
    """[N + 1] times: the consistency grid of N steps, 0 = t_0 < … < t_N = 1."""
    base = base_grid(K, sigma_min, sigma_max, rho)
    idx = torch.linspace(0, K, N + 1).round().long()
    return base[idx]


def config_grid(g, n: int = None) -> torch.Tensor:
    """The [gctm] config's n-step grid (default: its consistency steps), on its own σ schedule: the one
    place training, evaluation, export and the card read the grid from, so they cannot disagree."""
    return step_grid(g.steps if n is None else n, g.fine_steps, g.sigma_min, g.sigma_max, g.rho)


def config_base_grid(g) -> torch.Tensor:
    """The [gctm] config's fine grid, on which flow-matching times are drawn."""
    return base_grid(g.fine_steps, g.sigma_min, g.sigma_max, g.rho)


def sample_ctm_indices(grid: torch.Tensor, batch: int, beta=(1.2, 2.0), source_p: float = 0.0, endpoint_p: float = 0.0):
    """(t_idx, s_idx, u_idx), each [batch], with 0 ≤ s < t ≤ N and s ≤ u < t.

    s favours the data end (p ∝ 1 − t_i); t = λ + (1 − λ)·t_s with λ ~ Beta(a, b), snapped *up* to the
    grid (a true ceiling, not the reference code's nearest + 1); u is uniform in [s, t).
    With probability `source_p` a sample starts at the source instead (t = 1) and takes u = s, so its
    target is the teacher's ODE solution itself: the jumps from t = 1 are the ones the product
    evaluates, the Beta draw alone reaches t = 1 only a few percent of the time, and a target built on
    the model's own shorter jumps teaches them no faster than those jumps improve.
    With probability `endpoint_p` a source sample jumps all the way, s = u = 0: the one step the product
    runs, which the draw of s above gives only about a fifth of the source samples.
    """
    N = grid.numel() - 1
    p_s = (1.0 - grid[:N]).clamp(min=1e-6)
    s_idx = torch.multinomial(p_s, batch, replacement=True)
    lam = torch.distributions.Beta(float(beta[0]), float(beta[1])).sample((batch,))
    t_raw = lam + (1.0 - lam) * grid[s_idx]
    t_idx = torch.searchsorted(grid, t_raw.contiguous(), right=False)
    t_idx = torch.maximum(t_idx, s_idx + 1).clamp(max=N)
    span = (t_idx - s_idx).float()
    u_idx = torch.minimum(s_idx + torch.floor(torch.rand(batch) * span).long(), t_idx - 1)
    if source_p > 0:
        source = torch.rand(batch) < source_p
        t_idx = torch.where(source, torch.full_like(t_idx, N), t_idx)
        if endpoint_p > 0:
            s_idx = torch.where(source & (torch.rand(batch) < endpoint_p), torch.zeros_like(s_idx), s_idx)
        u_idx = torch.where(source, s_idx, u_idx)
    return t_idx, s_idx, u_idx


def sample_fm_times(batch: int, fine: torch.Tensor, kind: str = "beta", params=(3.0, 1.0)) -> torch.Tensor:
    """[batch] times on the fine grid (never t = 0) for the flow-matching loss.

    "beta": t ~ Beta(a, b) snapped up to the grid (Beta(3, 1) weights the source end);
    "lognormal": ln σ ~ N(mean, std²) (EDM's noise-level distribution), then snapped up.
    """
    if kind == "beta":
        t = torch.distributions.Beta(float(params[0]), float(params[1])).sample((batch,))
    elif kind == "lognormal":
        sigma = torch.exp(float(params[0]) + float(params[1]) * torch.randn(batch))
        t = sigma / (1.0 + sigma)
    elif kind == "uniform":
        t = torch.rand(batch)
    else:
        raise ValueError(f"unknown flow-matching time distribution {kind!r}; expected beta, lognormal or uniform")
    idx = torch.searchsorted(fine, t.contiguous()).clamp(1, fine.numel() - 1)
    return fine[idx]
