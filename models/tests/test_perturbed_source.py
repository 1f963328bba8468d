"""A perturbed source (x1 + σp·ε): what the evaluation gives a model, and the training share left as given."""
import functools
import os

import torch

from gctm import couplings
from gctm.evaluate import perturbed
from gctm.trainer import keep_some_unperturbed


def test_an_unperturbed_source_is_given_as_it_is():
    x1 = torch.rand(1, 3, 8, 8)
    assert perturbed(x1, 0.0, 3) is x1


def test_the_perturbation_is_seeded_and_of_the_trained_size():
    x1 = torch.zeros(1, 3, 64, 64)
    a, b, c = perturbed(x1, 0.02, 1), perturbed(x1, 0.02, 1), perturbed(x1, 0.02, 2)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert abs(a.std().item() - 0.02) < 0.002


def test_a_share_of_the_training_sources_is_left_as_given():
    torch.manual_seed(0)
    x0, x1 = torch.rand(400, 3, 4, 4), torch.rand(400, 3, 4, 4)
    couple = functools.partial(couplings.as_drawn, sigma_p=0.05)
    y0, y1 = keep_some_unperturbed(couple, 0.25, x0, x1)
    assert torch.equal(y0, x0)
    exact = (y1 == x1).flatten(1).all(1)
    assert 70 < int(exact.sum()) < 130, "about a quarter of the rows untouched"
    moved = (y1 - x1)[~exact]
    assert abs(moved.std().item() - 0.05) < 0.005, "the others perturbed by σp·ε"


def _toy_model():
    from gctm.trainer import build_model
    torch.manual_seed(0)
    net = {"kind": "resnet", "channels": 8, "blocks": 1, "patch": 1, "film": True}
    return build_model(net, [0.3, 0.3, 0.05], 0.002, 80.0)


def test_the_exact_source_term_is_the_denoiser_at_the_unperturbed_source():
    from gctm.config import Gctm
    from gctm.losses import exact_source_loss
    from gctm.trainer import Trainer
    m = _toy_model()
    x0, x1 = torch.rand(4, 3, 8, 8) * 2 - 1, torch.rand(4, 3, 8, 8) * 2 - 1
    trainer = Trainer(m, Gctm(coupling="paired", distance="l2", steps=4, sigma_p=0.05, lambda_exact=1.0), lr=1e-3)
    parts = trainer.losses(x0, x1 + 0.05, x1)
    assert set(parts) == {"fm", "ctm", "exact"}
    assert torch.allclose(parts["exact"], exact_source_loss(m, x0, x1))
    assert not torch.allclose(parts["exact"], exact_source_loss(m, x0, x1 + 0.05))
    plain = Trainer(m, Gctm(coupling="paired", distance="l2", steps=4, sigma_p=0.05), lr=1e-3)
    assert "exact" not in plain.losses(x0, x1 + 0.05, x1)


def test_the_exact_source_term_lowers_the_denoisers_error_at_the_source():
    from gctm.config import Gctm
    from gctm.losses import exact_source_loss
    from gctm.trainer import Trainer
    x0, x1 = torch.rand(8, 3, 8, 8) * 2 - 1, torch.rand(8, 3, 8, 8) * 2 - 1
    after = {}
    for weight in (0.0, 4.0):
        m = _toy_model()
        trainer = Trainer(m, Gctm(coupling="paired", mode="fm", sigma_p=0.05, lambda_exact=weight), lr=2e-3)
        torch.manual_seed(1)
        for _ in range(60):
            trainer.step(x0, x1)
        after[weight] = exact_source_loss(m, x0, x1).item()
    assert after[4.0] < 0.8 * after[0.0], after


def test_the_exact_source_term_is_refused_without_the_paired_coupling():
    import pytest
    from gctm.config import ConfigError, from_dict
    d = {"run": {"id": "t", "tool": "restore", "title": "t", "version": "0"},
         "data": {"kind": "toy"}, "net": {"kind": "mlp"}, "train": {"batch": 4},
         "gctm": {"coupling": "ot", "lambda_exact": 1.0}}
    with pytest.raises(ConfigError, match="paired"):
        from_dict(d)


# -- noise at 1/k of an upscaler's source ([gctm].sigma_p_scale, gctm.source_noise) -----------------

def _neighbour_correlation(e: torch.Tensor) -> float:
    """Correlation of horizontally adjacent values: 0 for white noise, near 1 for smooth noise."""
    a, b = e[..., :-1].flatten(), e[..., 1:].flatten()
    return float(((a - a.mean()) * (b - b.mean())).mean() / (a.std() * b.std()))


def test_noise_at_a_lower_resolution_is_the_resize_of_white_noise_there():
    from gctm import source_noise
    from gctm.degrade import upsample
    x1 = torch.zeros(2, 3, 32, 32)
    e = source_noise.draw(x1, 4, torch.Generator().manual_seed(5))
    small = torch.randn((2, 3, 8, 8), generator=torch.Generator().manual_seed(5))
    assert torch.allclose(e, upsample(small, 4))
    assert _neighbour_correlation(e) > 0.8, "smooth at x1's pixels: it lies in the resize's span"
    assert abs(_neighbour_correlation(source_noise.draw(x1, 1, torch.Generator().manual_seed(5)))) < 0.1
    big = source_noise.draw(torch.zeros(1, 3, 256, 256), 4, torch.Generator().manual_seed(1))
    assert abs(big[..., 8:-8, 8:-8].var().item() - source_noise.variance(4)) < 0.03
    assert 0.6 < source_noise.variance(4) < 0.9 and source_noise.variance(1) == 1.0


def test_the_evaluation_and_the_training_draw_the_noise_where_the_config_says():
    from gctm.config import Gctm
    from gctm.trainer import Trainer, estimate_vars
    x1 = torch.zeros(1, 3, 64, 64)
    assert _neighbour_correlation(perturbed(x1, 0.05, 2, noise_scale=4) - x1) > 0.8
    assert abs(_neighbour_correlation(perturbed(x1, 0.05, 2) - x1)) < 0.1
    trainer = Trainer(_toy_model(), Gctm(coupling="paired", distance="l2", sigma_p=0.05, sigma_p_scale=4), lr=1e-3)
    _, moved = trainer.couple(torch.zeros(4, 3, 32, 32), torch.zeros(4, 3, 32, 32))
    assert _neighbour_correlation(moved) > 0.8
    x0 = torch.rand(4, 3, 8, 8)
    white, small = estimate_vars(x0, x0, 0.1), estimate_vars(x0, x0, 0.1, noise_variance=0.5)
    assert abs((white[1] - small[1]) - 0.1 ** 2 * 0.5) < 1e-9


def test_noise_at_a_lower_resolution_is_refused_where_it_does_not_divide_the_upscale():
    import pytest
    from gctm.config import ConfigError, from_dict
    base = {"run": {"id": "t", "tool": "restore", "title": "t", "version": "0"}, "net": {"kind": "resnet"},
            "train": {"batch": 4}, "gctm": {"coupling": "paired", "sigma_p": 0.02, "sigma_p_scale": 2}}
    upscale = {"kind": "photos", "task": "upscale", "scale": 4, "train": ["x/*.png"]}
    assert from_dict({**base, "data": upscale}).gctm.sigma_p_scale == 2
    with pytest.raises(ConfigError, match="upscale"):
        from_dict({**base, "data": {**upscale, "task": "clean"}})
    with pytest.raises(ConfigError, match="multiple of 3"):
        from_dict({**base, "data": upscale, "gctm": {**base["gctm"], "sigma_p_scale": 3}})
    with pytest.raises(ConfigError, match="whole number"):
        from_dict({**base, "data": upscale, "gctm": {**base["gctm"], "sigma_p_scale": 0}})


def test_the_committed_source_noise_vectors_are_the_golden_files_noise(tmp_path):
    """test/fixtures/source-noise.json is what golden.perturbed_x1 gives today; the engine's unit test
    (test/unit/restore-source.test.ts) builds the same x1 from the same seed, so a change to either
    side's noise (generator, resolution, resize, layout) fails one of the two tests."""
    import json
    from gctm import golden
    fresh = tmp_path / "noise.json"
    golden.write_source_noise_vectors(str(fresh))
    committed = os.path.join(os.path.dirname(__file__), "..", "..", "test", "fixtures", "source-noise.json")
    with open(committed) as f, open(fresh) as g:
        assert json.load(g) == json.load(f), "run `python3 -m gctm.fixtures` in models/ and commit test/fixtures"
