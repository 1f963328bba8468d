"""A perturbed source (x1 + σp·ε): what the evaluation gives a model, and the training share left as given."""
import functools

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
