"""The Heun solver on a known ODE, and the samplers' shapes."""
import math

import torch

from gctm.solvers import consistency_steps, heun_between, ode_solve
from gctm.time_grid import step_grid


class LinearODE:
    """dx/dt = x (so x(0) = x(1)·e^{-1}); written through velocity() like the real model."""

    def velocity(self, x, t):
        return x


def uniform_grid(n):
    return torch.linspace(0, 1, n + 1)


def test_heun_solves_a_linear_ode_to_second_order():
    x1 = torch.ones(4, 2)
    exact = math.exp(-1.0)
    errs = []
    for n in (8, 16, 32):
        x0 = ode_solve(LinearODE(), x1, uniform_grid(n))
        errs.append((x0 - exact).abs().max().item())
    assert errs[2] < 1e-3
    assert 3.0 < errs[0] / errs[1] < 5.0 and 3.0 < errs[1] / errs[2] < 5.0  # halving h quarters the error


def test_heun_between_moves_each_sample_its_own_distance():
    grid = uniform_grid(10)
    x = torch.ones(3, 1)
    out = heun_between(LinearODE(), x, grid, torch.tensor([10, 5, 3]), torch.tensor([0, 5, 1]))
    assert torch.isclose(out[0], torch.tensor(math.exp(-1.0)), atol=3e-3)
    assert out[1] == 1.0  # no steps: untouched
    assert torch.isclose(out[2], torch.tensor(math.exp(-0.2)), atol=1e-3)


def test_consistency_steps_visit_the_grid_downwards():
    seen = []

    def fake(x, t, s):
        seen.append((round(t[0].item(), 4), round(s[0].item(), 4)))
        return x
    grid = step_grid(4)
    consistency_steps(fake, torch.zeros(2, 2), grid)
    g = [round(v, 4) for v in grid.tolist()]
    assert seen == [(g[4], g[3]), (g[3], g[2]), (g[2], g[1]), (g[1], g[0])]
