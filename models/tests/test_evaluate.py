"""gctm.evaluate's source for a model trained on a perturbed source."""
import torch

from gctm.evaluate import perturbed


def test_an_unperturbed_source_is_given_as_it_is():
    x1 = torch.rand(1, 3, 8, 8)
    assert perturbed(x1, 0.0, 3) is x1


def test_the_perturbation_is_seeded_and_of_the_trained_size():
    x1 = torch.zeros(1, 3, 64, 64)
    a, b, c = perturbed(x1, 0.02, 1), perturbed(x1, 0.02, 1), perturbed(x1, 0.02, 2)
    assert torch.equal(a, b)
    assert not torch.equal(a, c)
    assert abs(a.std().item() - 0.02) < 0.002
