"""The teacher-denoiser term ([gctm].lambda_teacher_g): a student's g(x_τ, τ, τ) held on its frozen
teacher's, so the ODE its consistency pair is measured against stays the one its jumps distil."""
import copy

import pytest
import torch

from gctm.config import Gctm
from gctm.inpaint_data import fill_hole
from gctm.losses import teacher_denoiser_loss
from gctm.time_grid import config_base_grid
from gctm.trainer import Trainer, build_model

FINE = config_base_grid(Gctm(coupling="paired"))


PLAIN = {"kind": "resnet", "channels": 8, "blocks": 1, "patch": 1, "film": True}
MASKED = {"kind": "unet", "channels": 8, "channel_mult": [1, 2, 2], "num_blocks": 1, "patch": 2, "mask": True}


def _model(mask=False):
    torch.manual_seed(0)
    return build_model(MASKED if mask else PLAIN, [0.3, 0.3, 0.05], 0.002, 80.0)


def _pair(n=4, mask=False):
    """x0, x1; for inpainting the state [RGB, hole], x1 the hole filled with noise as the data does."""
    torch.manual_seed(2)
    x0 = torch.rand(n, 3, 16, 16) * 2 - 1
    if not mask:
        return x0, torch.rand(n, 3, 16, 16) * 2 - 1
    m = torch.zeros(n, 1, 16, 16)
    m[:, :, 4:10, 3:12] = 1
    x1 = fill_hole(x0, m, torch.randn(x0.shape))
    return torch.cat([x0, m], 1), torch.cat([x1, m], 1)


def _g_gap(student, teacher, x0, x1):
    """Mean squared gap between the two denoisers on a fixed set of times."""
    with torch.no_grad():
        gaps = []
        for tau in (0.1, 0.3, 0.5, 0.7, 0.9, 1.0):
            t = torch.full((x0.shape[0],), tau)
            x = (1 - tau) * x0 + tau * x1
            gaps.append(((student.g(x, t, t) - teacher.g(x, t, t)) ** 2).mean())
        return float(torch.stack(gaps).mean())


@pytest.mark.parametrize("mask", [False, True])
def test_it_is_zero_for_a_copy_of_the_teacher_and_positive_once_they_differ(mask):
    teacher = _model(mask).eval()
    student = copy.deepcopy(teacher)
    x0, x1 = _pair(mask=mask)
    assert teacher_denoiser_loss(student, teacher, x0, x1, FINE).item() == 0.0
    with torch.no_grad():
        for p in student.parameters():
            p.add_(0.05 * torch.randn_like(p))
    loss = teacher_denoiser_loss(student, teacher, x0, x1, FINE)
    assert loss.item() > 0
    loss.backward()
    assert all(p.grad is None for p in teacher.parameters()), "the teacher stays frozen"
    assert any(p.grad is not None and p.grad.abs().sum() > 0 for p in student.parameters())


def test_it_is_refused_without_a_teacher():
    with pytest.raises(ValueError, match="teacher"):
        Trainer(_model(), Gctm(coupling="paired", distance="l2", steps=4, lambda_teacher_g=1.0), lr=1e-3)


def test_the_stages_without_a_teacher_train_from_the_same_config():
    """The flow-matching stage that makes the teacher, and the L2 baseline, run from the student's
    config (tools/train-gpu.sh sets only the mode and no teacher): the term is the student's alone."""
    x0, x1 = _pair(n=4)
    for mode, parts_expected in (("fm", {"fm"}), ("regression", {"l2"})):
        trainer = Trainer(_model(), Gctm(coupling="paired", distance="l2", steps=4, mode=mode, lambda_teacher_g=64.0),
                          lr=1e-3)
        parts = trainer.step(x0, x1)
        assert set(parts) - {"loss"} == parts_expected, (mode, parts)


def test_it_keeps_a_student_s_denoisers_nearer_its_teacher_s_while_the_jumps_train():
    """Consistency training at a high weight moves the shared weights; the term pulls g back."""
    x0, x1 = _pair(n=8)
    teacher = _model().eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    gaps = {}
    for weight in (0.0, 4.0):
        student = copy.deepcopy(teacher)
        for p in student.parameters():
            p.requires_grad_(True)
        cfg = Gctm(coupling="paired", distance="l2", steps=4, lambda_ctm=20.0, ctm_source_p=0.8,
                   lambda_teacher_g=weight)
        trainer = Trainer(student, cfg, lr=3e-3, teacher=teacher)
        torch.manual_seed(1)
        for _ in range(40):
            parts = trainer.step(x0, x1)
        assert ("teacher_g" in parts) == (weight > 0)
        gaps[weight] = _g_gap(student, teacher, x0, x1)
    assert gaps[4.0] < 0.7 * gaps[0.0], gaps


def test_a_student_held_by_its_teacher_may_leave_out_flow_matching():
    """[gctm].lambda_fm = 0: no flow-matching part (one forward and backward pass fewer), the jumps and
    the denoisers still train; the config refuses it where nothing else would hold the denoisers."""
    from gctm.config import ConfigError, from_dict

    x0, x1 = _pair(n=4)
    teacher = _model().eval()
    for p in teacher.parameters():
        p.requires_grad_(False)
    student = copy.deepcopy(teacher)
    for p in student.parameters():
        p.requires_grad_(True)
    cfg = Gctm(coupling="paired", distance="l2", steps=4, ctm_source_p=0.8, lambda_teacher_g=4.0, lambda_fm=0.0)
    before = [p.detach().clone() for p in student.parameters()]
    parts = Trainer(student, cfg, lr=1e-3, teacher=teacher).step(x0, x1)
    assert set(parts) - {"loss"} == {"ctm", "teacher_g"}, parts
    assert parts["loss"] == pytest.approx(parts["ctm"] + 4.0 * parts["teacher_g"], rel=1e-5)
    assert any(not torch.equal(a, b) for a, b in zip(before, student.parameters()))

    base = {"run": {"id": "x", "tool": "restore", "title": "X", "version": "0.1.0"}, "data": {"kind": "toy"},
            "net": {"kind": "resnet"}, "train": {"batch": 1, "lr": 1e-3}}
    with pytest.raises(ConfigError, match="lambda_fm = 0 leaves the student's denoisers untrained"):
        from_dict({**base, "gctm": {"coupling": "paired", "lambda_fm": 0.0}})
    with pytest.raises(ConfigError, match=r"lambda_fm = 0: the flow-matching stage"):
        from_dict({**base, "gctm": {"coupling": "paired", "mode": "fm", "lambda_fm": 0.0, "lambda_teacher_g": 4.0}})
    with pytest.raises(ConfigError, match="expected a weight ≥ 0"):
        from_dict({**base, "gctm": {"coupling": "paired", "lambda_fm": -1.0}})
    assert from_dict({**base, "gctm": {"coupling": "paired", "lambda_fm": 0.0, "lambda_teacher_g": 4.0}}).gctm.lambda_fm == 0.0
