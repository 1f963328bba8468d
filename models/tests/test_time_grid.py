"""Grids and samplers stay on the grid and respect s ≤ u < t."""
import pathlib

import pytest
import torch

from gctm.config import ConfigError, from_dict, load
from gctm.time_grid import base_grid, config_base_grid, config_grid, sample_ctm_indices, sample_fm_times, step_grid

CONFIGS = pathlib.Path(__file__).resolve().parents[1] / "configs"


def test_grids_run_from_zero_to_one_and_increase():
    for grid in (base_grid(1024), step_grid(4), step_grid(16, sigma_max=500.0)):
        assert grid[0] == 0.0 and grid[-1] == 1.0
        assert torch.all(grid[1:] > grid[:-1])


def test_step_grid_matches_the_notes():
    assert torch.allclose(step_grid(4, sigma_max=80.0), torch.tensor([0, 0.145, 0.716, 0.946, 1.0]), atol=2e-3)


def test_a_configs_grid_follows_its_own_sigma_schedule_and_step_count():
    g = load(CONFIGS / "sketch.toml").gctm  # σ_max 500, not the default 80
    assert torch.equal(config_grid(g), step_grid(g.steps, g.fine_steps, g.sigma_min, 500.0, g.rho))
    assert torch.equal(config_grid(g, 16), step_grid(16, g.fine_steps, g.sigma_min, 500.0, g.rho))
    assert not torch.allclose(config_grid(g, 16), step_grid(16))
    assert torch.equal(config_base_grid(g), base_grid(g.fine_steps, g.sigma_min, 500.0, g.rho))


def test_ctm_indices_are_ordered_and_cover_the_grid():
    grid = step_grid(8)
    t, s, u = sample_ctm_indices(grid, 20000)
    assert torch.all(s < t) and torch.all(s <= u) and torch.all(u < t)
    assert t.max() == 8 and s.min() == 0 and t.min() >= 1
    assert (u == s).float().mean() > 0.2  # the boundary target is common, as in the reference


def test_fm_times_lie_on_the_fine_grid_and_never_at_zero():
    fine = base_grid(1024)
    for kind, params in (("beta", (3.0, 1.0)), ("lognormal", (-1.2, 1.2)), ("uniform", ())):
        tau = sample_fm_times(5000, fine, kind, params)
        assert torch.all(tau > 0)
        assert torch.isin(tau, fine).all()
    assert sample_fm_times(20000, fine, "beta", (3.0, 1.0)).mean() > 0.7  # Beta(3,1) favours the source


def test_source_share_starts_that_many_jumps_at_t_equal_one_with_the_teacher_as_target():
    grid = step_grid(4)
    torch.manual_seed(0)
    t0, _, _ = sample_ctm_indices(grid, 20000, (1.0, 1.0))
    t, s, u = sample_ctm_indices(grid, 20000, (1.0, 1.0), source_p=0.5)
    assert (t0 == 4).float().mean() < 0.1
    assert abs((t == 4).float().mean() - (0.5 + 0.5 * (t0 == 4).float().mean())) < 0.02
    assert torch.all(s < t) and torch.all(s <= u) and torch.all(u < t)
    assert (u == s).float().mean() > 0.5 + 0.5 * 0.2  # every source sample, and u = s often otherwise


def test_endpoint_share_sends_that_many_source_jumps_to_zero_and_leaves_the_rest_alone():
    grid = step_grid(8)
    torch.manual_seed(0)
    t0, s0, u0 = sample_ctm_indices(grid, 40000, source_p=0.8)
    torch.manual_seed(0)
    t, s, u = sample_ctm_indices(grid, 40000, source_p=0.8, endpoint_p=0.5)
    assert torch.equal(t, t0)  # the same samples start at the source
    moved = s != s0
    # only source samples move, and they jump to the data end with the teacher's solution there as target
    assert torch.all(t[moved] == 8) and torch.all(s[moved] == 0) and torch.all(u[moved] == 0)
    assert torch.equal(u[~moved], u0[~moved])
    # half of the source samples whose own draw of s was not already 0 (about four fifths of them)
    base = (s0[t0 == 8] == 0).float().mean()
    assert 0.1 < base < 0.35
    assert abs(moved.float().mean() - 0.8 * 0.5 * (1 - base)) < 0.02
    assert torch.all(s < t) and torch.all(s <= u) and torch.all(u < t)


def test_an_endpoint_share_needs_samples_from_the_source():
    base = {"run": {"id": "x", "tool": "inpaint", "title": "X", "version": "0.1.0"}, "data": {"kind": "toy"},
            "net": {"kind": "resnet"}, "train": {"batch": 1, "lr": 1e-3}}
    with pytest.raises(ConfigError, match="ctm_endpoint_p"):
        from_dict({**base, "gctm": {"coupling": "paired", "ctm_endpoint_p": 0.5}})
    with pytest.raises(ConfigError, match="ctm_endpoint_p"):
        from_dict({**base, "gctm": {"coupling": "paired", "ctm_source_p": 0.8, "ctm_endpoint_p": 1.5}})
    assert from_dict({**base, "gctm": {"coupling": "paired", "ctm_source_p": 0.8, "ctm_endpoint_p": 0.5}}).gctm.ctm_endpoint_p == 0.5
