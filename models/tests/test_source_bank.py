"""The bank of a frozen teacher's ODE paths from the source ([gctm].source_bank): the same targets the
consistency term solves for every step, solved once, resumable, and refused when made for another
teacher or grid."""
import copy
import json
import os

import numpy as np
import pytest
import torch

from gctm.config import ConfigError, Gctm, from_dict
from gctm.inpaint_data import fill_hole
from gctm.losses import banked_source_loss, consistency_loss
from gctm.solvers import heun_between
from gctm.source_bank import SourceBank, SourceBankError, build, teacher_path
from gctm.time_grid import config_grid
from gctm.trainer import Trainer, build_model

MASKED = {"kind": "unet", "channels": 8, "channel_mult": [1, 2, 2], "num_blocks": 1, "patch": 2, "mask": True}
G = Gctm(coupling="paired", distance="l2", steps=4, ctm_source_p=1.0)
GRID = config_grid(G)
META = {"teacher_sha256": "abc", "data": {"kind": "inpaint"}, "mask": True}


def _teacher():
    torch.manual_seed(0)
    return build_model(MASKED, [0.3, 0.3, 0.05], 0.002, 80.0).eval()


def _sampler(start=0):
    """Deterministic inpaint pairs [RGB, hole]: call k gives the same samples whatever came before."""
    calls = {"n": start}

    def sample(n):
        g = torch.Generator().manual_seed(1000 + calls["n"])
        calls["n"] += 1
        x0 = torch.rand(n, 3, 16, 16, generator=g) * 2 - 1
        m = torch.zeros(n, 1, 16, 16)
        m[:, :, 3:11, 4:12] = 1
        x1 = fill_hole(x0, m, torch.randn(x0.shape, generator=g))
        return torch.cat([x0, m], 1), torch.cat([x1, m], 1)
    return sample


def test_the_path_is_the_heun_solution_to_every_grid_time():
    teacher = _teacher()
    _, x1 = _sampler()(3)
    path = teacher_path(teacher, x1, GRID, 3)
    n = GRID.numel() - 1
    assert path.shape == (3, n, 3, 16, 16)
    for s in range(n):
        want = heun_between(teacher, x1, GRID, torch.full((3,), n), torch.full((3,), s))
        assert torch.allclose(path[:, s], want[:, :3], atol=1e-5), s


def test_a_stopped_build_resumes_and_the_bank_holds_what_the_teacher_gives(tmp_path):
    teacher = _teacher()
    sample = _sampler()

    def stops_on_the_third_chunk(n):
        if stops_on_the_third_chunk.calls == 3:  # the shape probe, then two chunks of two
            raise KeyboardInterrupt
        stops_on_the_third_chunk.calls += 1
        return sample(n)
    stops_on_the_third_chunk.calls = 0
    with pytest.raises(KeyboardInterrupt):
        build(stops_on_the_third_chunk, teacher, GRID, str(tmp_path), 5, META, 3, chunk=2, log=lambda _: None)
    manifest = json.load(open(tmp_path / "bank.json"))
    assert manifest["done"] == 4 and manifest["meta"]["count"] == 5
    first = np.load(tmp_path / "x1.npy")[:4].copy()
    assert build(_sampler(10), teacher, GRID, str(tmp_path), 5, META, 3, chunk=2, log=lambda _: None) == 5
    x1 = np.load(tmp_path / "x1.npy")
    assert np.array_equal(x1[:4], first), "what was done is kept"
    assert np.abs(x1[4]).sum() > 0, "and the rest filled"
    path = torch.from_numpy(np.load(tmp_path / "path.npy").astype(np.float32))
    want = teacher_path(teacher, torch.from_numpy(x1.astype(np.float32)), GRID, 3)
    assert torch.allclose(path, want, atol=2e-3)  # stored as float16


def test_a_bank_for_other_settings_is_refused(tmp_path):
    teacher = _teacher()
    build(_sampler(), teacher, GRID, str(tmp_path), 2, META, 3, log=lambda _: None)
    with pytest.raises(SourceBankError, match="teacher_sha256"):
        build(_sampler(), teacher, GRID, str(tmp_path), 2, {**META, "teacher_sha256": "def"}, 3, log=lambda _: None)
    with pytest.raises(SourceBankError, match="count"):
        build(_sampler(), teacher, GRID, str(tmp_path), 3, META, 3, log=lambda _: None)
    with pytest.raises(SourceBankError, match="grid"):
        SourceBank(str(tmp_path), META, config_grid(Gctm(coupling="paired", steps=8)), torch.device("cpu"))
    with pytest.raises(SourceBankError, match="no source bank"):
        SourceBank(str(tmp_path / "none"), META, GRID, torch.device("cpu"))


@pytest.mark.parametrize("endpoint_p", [0.0, 0.7])
def test_a_banked_source_sample_scores_as_the_solved_one(tmp_path, endpoint_p):
    """One sample in the bank, the same s drawn: banked_source_loss equals consistency_loss with every
    sample starting at the source (x_t = x1 at t = 1, u = s), up to the bank's float16; with an endpoint
    share, both send the same samples to s = 0."""
    teacher = _teacher()
    student = copy.deepcopy(teacher)
    with torch.no_grad():
        for p in student.parameters():
            p.add_(0.05 * torch.randn_like(p))
    sample = _sampler()
    build(sample, teacher, GRID, str(tmp_path), 1, META, 3, log=lambda _: None)
    bank = SourceBank(str(tmp_path), META, GRID, torch.device("cpu"))
    x0 = torch.from_numpy(bank.parts[0]["x0"][:1].astype(np.float32)).repeat(6, 1, 1, 1)
    x1 = torch.from_numpy(bank.parts[0]["x1"][:1].astype(np.float32)).repeat(6, 1, 1, 1)
    torch.manual_seed(7)
    solved = consistency_loss(student, None, x0, x1, GRID, distance="l2", teacher_fn=teacher, source_p=1.0, reduce=False,
                              endpoint_p=endpoint_p)
    torch.manual_seed(7)
    banked = banked_source_loss(student, bank, 6, GRID, distance="l2", endpoint_p=endpoint_p)
    assert torch.allclose(banked, solved, rtol=1e-2), (banked, solved)


def test_banks_built_beside_each_other_are_read_as_one(tmp_path):
    """Each sample comes back with the state at its own s, whichever folder holds it."""
    teacher = _teacher()
    build(_sampler(), teacher, GRID, str(tmp_path / "a"), 2, META, 3, log=lambda _: None)
    build(_sampler(20), teacher, GRID, str(tmp_path / "b"), 3, META, 3, log=lambda _: None)
    bank = SourceBank([str(tmp_path / "a"), str(tmp_path / "b")], META, GRID, torch.device("cpu"), seed=3)
    assert bank.size == 5
    s_idx = torch.tensor([0, 1, 2, 3, 0, 1, 2, 3, 0, 1, 2, 3])
    x0, x1, state = bank.sample(12, s_idx)
    want = teacher_path(teacher, x1, GRID, 3)
    assert torch.allclose(state, want[torch.arange(12), s_idx], atol=2e-3)
    rows = {tuple(x1[i, 0, 0, :4].tolist()) for i in range(12)}
    assert len(rows) > 2, "samples from both folders"


def test_the_trainer_takes_its_source_share_from_the_bank(tmp_path):
    teacher = _teacher()
    build(_sampler(), teacher, GRID, str(tmp_path), 4, META, 3, log=lambda _: None)
    bank = SourceBank(str(tmp_path), META, GRID, torch.device("cpu"))
    student = copy.deepcopy(teacher)
    for p in student.parameters():
        p.requires_grad_(True)
    cfg = Gctm(coupling="paired", distance="l2", steps=4, ctm_source_p=0.8, lambda_teacher_g=4.0)
    trainer = Trainer(student.train(), cfg, lr=1e-3, teacher=teacher, source_bank=bank)
    before = [p.detach().clone() for p in student.parameters()]
    x0, x1 = _sampler(50)(4)
    parts = trainer.step(x0, x1)
    assert {"fm", "ctm", "teacher_g"} <= set(parts) and np.isfinite(parts["ctm"]) and parts["ctm"] > 0
    assert any(not torch.equal(a, b) for a, b in zip(before, student.parameters()))


def test_the_config_names_what_a_bank_needs():
    base = {"run": {"id": "x", "tool": "inpaint", "title": "X", "version": "0.1.0"}, "data": {"kind": "toy"},
            "net": {"kind": "resnet"}, "train": {"batch": 1, "lr": 1e-3}}
    with pytest.raises(ConfigError, match="source_bank"):
        from_dict({**base, "gctm": {"coupling": "paired", "source_bank": ["b"], "ctm_source_p": 0.8}})  # no teacher
    cfg = from_dict({**base, "gctm": {"coupling": "paired", "source_bank": ["b"], "ctm_source_p": 0.8, "teacher": "t.pt"}})
    assert cfg.gctm.source_bank == ["b"]


def test_with_a_bank_the_source_share_never_solves_the_teacher(tmp_path):
    """Every consistency sample from the source (ctm_source_p = 1): with the bank the teacher is not
    evaluated at all; without it, the same step solves it."""
    teacher = _teacher()
    build(_sampler(), teacher, GRID, str(tmp_path), 4, META, 3, log=lambda _: None)
    bank = SourceBank(str(tmp_path), META, GRID, torch.device("cpu"))
    calls = {"n": 0}
    velocity = teacher.velocity

    def counted(*a, **k):
        calls["n"] += 1
        return velocity(*a, **k)
    teacher.velocity = counted
    cfg = Gctm(coupling="paired", distance="l2", steps=4, ctm_source_p=1.0)
    x0, x1 = _sampler(60)(4)
    seen = {}
    for name, source_bank in (("bank", bank), ("solved", None)):
        student = copy.deepcopy(_teacher())
        calls["n"] = 0
        Trainer(student.train(), cfg, lr=1e-3, teacher=teacher, source_bank=source_bank).step(x0, x1)
        seen[name] = calls["n"]
    assert seen["bank"] == 0 and seen["solved"] > 0, seen
