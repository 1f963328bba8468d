"""Boundary conditions and algebra of the GCTM parameterization."""
import torch

from gctm.trainer import build_model

NET = {"kind": "unet", "channels": 8, "channel_mult": [1, 2], "num_blocks": 1, "patch": 2}


def model(vars3=(0.3, 0.25, 0.2)):
    m = build_model(NET, list(vars3), 0.002, 80.0).eval()
    with torch.no_grad():
        for p in m.parameters():
            p.add_(0.1 * torch.randn_like(p))  # leave the zero-init identity so g is not trivial
    return m


def test_G_is_identity_when_s_equals_t_exactly():
    m = model()
    x = torch.randn(5, 3, 8, 8)
    t = torch.tensor([0.0, 0.001, 0.3, 0.999, 1.0])
    with torch.no_grad():
        assert torch.equal(m(x, t, t), x)


def test_one_step_G_equals_g():
    m = model()
    x = torch.randn(3, 3, 8, 8)
    one, zero = torch.ones(3), torch.zeros(3)
    with torch.no_grad():
        assert torch.equal(m(x, one, zero), m.g(x, one, zero))


def test_G_mixes_state_and_g_by_s_over_t():
    m = model()
    x = torch.randn(2, 3, 8, 8)
    t, s = torch.tensor([0.8, 0.5]), torch.tensor([0.2, 0.1])
    with torch.no_grad():
        want = (s / t)[:, None, None, None] * x + (1 - s / t)[:, None, None, None] * m.g(x, t, s)
        assert torch.allclose(m(x, t, s), want, atol=1e-6)


def test_preconditioning_at_the_data_end_and_the_source_end():
    m = model((0.25, 1.0, 0.0))
    c_in, c_skip, c_out = m.coefficients(torch.tensor([0.0, 1.0]))
    assert c_skip[0] == 1.0 and c_out[0] == 0.0 and torch.isclose(c_in[0], torch.tensor(2.0))
    # independent source: nothing to skip at t = 1, and the output scale is the target's std
    assert abs(c_skip[1].item()) < 1e-7 and torch.isclose(c_out[1], torch.tensor(0.5))


def test_preconditioning_matches_least_squares_on_correlated_pairs():
    x0 = torch.randn(200000)
    x1 = 0.9 * x0 + 0.3 * torch.randn(200000)
    v = [x0.var().item(), x1.var().item(), ((x0 - x0.mean()) * (x1 - x1.mean())).mean().item()]
    m = model(v)
    t = torch.tensor([0.6])
    _, c_skip, c_out = m.coefficients(t)
    xt = 0.4 * x0 + 0.6 * x1
    beta = (xt * x0).mean() / (xt * xt).mean()
    assert torch.isclose(c_skip[0], beta, atol=1e-2)
    assert torch.isclose(c_out[0], (x0 - beta * xt).std(), atol=1e-2)


def test_time_embedding_is_finite_at_both_ends():
    m = model()
    c = m.c_noise(torch.tensor([0.0, 1.0]))
    assert torch.isfinite(c).all()
    assert torch.isclose(c[1], 0.25 * torch.log(torch.tensor(80.0)))
