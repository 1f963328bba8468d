"""Training losses: the GCTM consistency loss, the flow-matching loss, and the plain L2 regression.

Each takes the online model (a `GCTM`), a coupled batch (x0 target, x1 source) and returns a scalar:
the per-sample loss summed over pixels, averaged over the batch (as in notes/gctm-paper.md §2).
"""
import math

import torch

from .solvers import heun_between
from .time_grid import sample_ctm_indices, sample_fm_times


def _interp(x0, x1, t):
    t = t.reshape(-1, *([1] * (x0.dim() - 1)))
    return (1.0 - t) * x0 + t * x1


def _sum_pixels(v):
    return v.reshape(v.shape[0], -1).sum(dim=1)


def pseudo_huber(est, target, w, c):
    """√(‖(est − target)/w‖² + c²) − c per sample: pseudo-Huber in network-output units (w = ∂G/∂F,
    per sample or per pixel)."""
    sq = _sum_pixels(((est - target) / w) ** 2)
    return torch.sqrt(sq + c * c) - c


def _seeded(seed, device, fn):
    """Run fn with the global RNG reseeded, so two calls draw the same dropout masks."""
    devices = [device] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        return fn()


def consistency_loss(model, teacher, x0, x1, grid, beta=(1.2, 2.0), distance="ph", teacher_fn=None, source_p=0.0,
                     reduce=True, endpoint_p=0.0):
    """L_GCTM = d(G_θ(x_t, t, s), G_sg(θ)(x_{t→u}, u, s)), teacher-free by default.

    x_{t→u} is the ODE solution from t to u by Heun on the grid, using the EMA `teacher` (eval mode,
    no grad) or, when given, `teacher_fn` (a pre-trained flow-matching GCTM used the same way).
    The target uses the online weights under no_grad, with the same dropout mask as the estimate.
    `reduce=False`: the per-sample distances. `source_p`, `endpoint_p`: as `sample_ctm_indices` takes them.
    """
    B = x0.shape[0]
    grid = grid.to(x0.device)
    t_idx, s_idx, u_idx = sample_ctm_indices(grid.cpu(), B, beta, source_p, endpoint_p)
    t_idx, s_idx, u_idx = t_idx.to(x0.device), s_idx.to(x0.device), u_idx.to(x0.device)
    t, s, u = grid[t_idx], grid[s_idx], grid[u_idx]
    x_t = _interp(x0, x1, t)
    solver = teacher_fn if teacher_fn is not None else teacher
    with torch.no_grad():
        x_u = heun_between(solver, x_t, grid, t_idx, u_idx)
    seed = int(torch.randint(0, 2 ** 31 - 1, (1,)))
    with torch.no_grad():
        target = _seeded(seed, x0.device, lambda: model(x_u, u, s))
    est = _seeded(seed, x0.device, lambda: model(x_t, t, s))
    per = jump_distance(model, est, target, t, s, x_t, distance)
    return per.mean() if reduce else per


def jump_distance(model, est, target, t, s, x_t, distance="ph"):
    """Per sample: the distance between a jump G(x_t, t, s) and its target, in network-output units."""
    if distance == "ph":
        c = 0.00054 * math.sqrt(est[0].numel())
        return pseudo_huber(est, target, model.jump_weight(t, s, x_t), c)
    if distance == "l2":
        return _sum_pixels(((est - target) / model.jump_weight(t, s, x_t)) ** 2)
    raise ValueError(f"unknown distance {distance!r}; expected ph or l2")


def banked_source_loss(model, bank, n, grid, beta=(1.2, 2.0), distance="ph", endpoint_p=0.0):
    """Per sample, for `n` jumps from the source: d(G_θ(x1, 1, s), the teacher's ODE state at s), x1
    and that state read from a `source_bank.SourceBank` (what `consistency_loss` gives a source sample,
    u = s, without solving the teacher again). s is drawn as `consistency_loss` draws it."""
    grid = grid.to(bank.device)
    t_idx, s_idx, _ = sample_ctm_indices(grid.cpu(), n, beta, source_p=1.0, endpoint_p=endpoint_p)
    _, x1, state = bank.sample(n, s_idx)
    target = torch.cat([state, x1[:, state.shape[1]:]], dim=1)  # a hole channel is x1's own at every time
    t, s = grid[t_idx.to(bank.device)], grid[s_idx.to(bank.device)]
    return jump_distance(model, model(x1, t, s), target, t, s, x1, distance)


def flow_matching_loss(model, x0, x1, fine_grid, kind="beta", params=(3.0, 1.0)):
    """L_FM = ‖g_θ(x_τ, τ, τ) − x0‖² / c_out(τ)²: x0-prediction weighted into network units."""
    tau = sample_fm_times(x0.shape[0], fine_grid, kind, params).to(x0.device)
    return _denoiser_loss(model, x0, _interp(x0, x1, tau), tau)


def _denoiser_loss(model, x0, x_tau, tau):
    """‖g_θ(x_τ, τ, τ) − x0‖² / c_out(τ)², per sample summed over pixels, averaged over the batch
    (x0: the data, or a teacher's denoiser output)."""
    g = model.g(x_tau, tau, tau)
    return _sum_pixels(((g - x0) / model.output_scale(tau, x_tau)) ** 2).mean()


def teacher_denoiser_loss(model, teacher, x0, x1, fine_grid):
    """‖g_θ(x_τ, τ, τ) − g_teacher(x_τ, τ, τ)‖² / c_out(τ)², τ uniform on the fine grid.

    A student distilled from a frozen teacher shares its weights between the jumps G(·, t, s) and the
    denoisers g(·, τ, τ) that define its own ODE. Trained only on the data (flow matching regresses
    onto x0, whose spread around the posterior mean is far larger than the student's error), the
    denoisers drift as the jumps train, and the ODE the consistency pair measures moves away from the
    one the jumps were taught. The teacher's denoiser is that posterior mean without the spread: this
    term holds the student's ODE on the teacher's (zero while the two agree), uniformly in τ because
    the ODE passes through every time."""
    tau = sample_fm_times(x0.shape[0], fine_grid, "uniform").to(x0.device)
    x_tau = _interp(x0, x1, tau)
    with torch.no_grad():
        target = teacher.g(x_tau, tau, tau)
    return _denoiser_loss(model, target, x_tau, tau)


def exact_source_loss(model, x0, x1):
    """The flow-matching loss at τ = 1 on the exact source: g_θ(x1, 1, 1) ≈ x0, the Faithful output.
    With a perturbed source (σp > 0) the other terms never show the network x1 itself, so this is how
    its posterior mean at x1 is trained as well as the L2 regressor's, without unperturbed samples
    pulling the one-step jump back toward that mean. With σp = 0 it weights Faithful's own time."""
    return _denoiser_loss(model, x0, x1, torch.ones(x0.shape[0], device=x0.device))


def regression_loss(model, x0, x1):
    """The baseline: the same network as a plain L2 regressor, G(x1, 1, 0) ≈ x0."""
    ones = torch.ones(x0.shape[0], device=x0.device)
    return _sum_pixels((model(x1, ones, torch.zeros_like(ones)) - x0) ** 2).mean()
