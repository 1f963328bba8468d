"""The diagnostic tools in tools/: what they print is what their columns say.

- student_probe: with the student its own teacher, its own ODE is the teacher's (identical images) and
  its one step is as far from one as from the other; with another student, the two ODEs differ.
- inpaint_recap: re-reading an inpaint_eval result at the cap it was measured with gives its means
  back (its max_hole too); capped at its lowest PSNR, every mean is that PSNR; Faithful is listed for every crop.
- inpaint_student_probe: with the student its own teacher, its ODE is the teacher's (the cap) and its one
  step is as far from one as from the other; with another student they differ, and each row is one hole.
- carry_baseline: a baseline carried from an evaluation that measured it into one that did not gives
  what measuring it would have (every mean, SWD per size); other crops or masks are refused.
- toy_steps: a toy measured at several lengths in one run is, at each, the toy trained straight to it.
- widen_resnet, widen_unet: the widened checkpoint computes what the narrow one did, and the weights
  that read its new channels get gradient.
"""
import importlib.util
import math
import os

import numpy as np
import pytest
import torch

from gctm import inpaint_eval
from gctm.fixtures import TINY_INPAINT, random_model, tiny_resnet
from gctm.time_grid import config_grid

TOOLS = os.path.join(os.path.dirname(__file__), "..", "tools")


def tool(name):
    spec = importlib.util.spec_from_file_location(name, os.path.join(TOOLS, f"{name}.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_student_probe_columns_are_what_they_name():
    probe = tool("student_probe")
    cfg, teacher, _ = tiny_resnet("tiny-clean", seed=3)
    _, student, _ = tiny_resnet("tiny-clean", seed=4)
    grid = lambda k: config_grid(cfg.gctm, k)  # noqa: E731
    x1 = torch.rand(1, 3, 16, 16) * 2 - 1
    col = dict(zip(probe.COLUMNS, probe.probe(teacher, teacher, x1, grid, 4)))
    assert math.isinf(col["own ODE–T16"]), "the student's own ODE is its teacher's"
    assert col["one–own ODE"] == col["one–T16"]
    assert all(math.isfinite(v) for k, v in col.items() if k != "own ODE–T16"), col
    other = dict(zip(probe.COLUMNS, probe.probe(student, teacher, x1, grid, 4)))
    assert math.isfinite(other["own ODE–T16"]) and other["one–own ODE"] != other["one–T16"]
    assert other["T8–T32"] == col["T8–T32"] and other["T16–T32"] == col["T16–T32"], "the teacher's columns"


def crops(n=2, size=32):
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    out = []
    for i in range(n):
        img = np.stack([255 * xx, 255 * yy, np.full_like(xx, 90 * i)], -1)
        img[np.hypot(yy - 0.4, xx - 0.3 - 0.3 * i) < 0.2] = (200, 30, 40)
        out.append((f"crop{i}.png", img.round().astype(np.uint8)))
    return out


def test_inpaint_student_probe_measures_inside_each_hole():
    probe = tool("inpaint_student_probe")
    cfg, teacher = random_model(TINY_INPAINT, "tiny-inpaint", seed=2, vars3=(0.3, 1.0, 0.0))
    _, student = random_model(TINY_INPAINT, "tiny-inpaint", seed=5, vars3=(0.3, 1.0, 0.0))
    grid = lambda k: config_grid(cfg.gctm, k)  # noqa: E731
    (_, crop), _ = crops()
    masks = [(kind, m) for kind, m in inpaint_eval.heldout_masks(32, per_kind=1)][:2]
    same = [dict(zip(probe.COLUMNS, r)) for r in probe.probe_crop(teacher, teacher, crop, masks, 0, grid, 2)]
    assert len(same) == 2
    for col in same:
        assert col["own ODE–T16"] == inpaint_eval.PSNR_CAP_DB, "the student's own ODE is its teacher's"
        assert col["one–own ODE"] == col["one–T16"] and col["one–T16"] < inpaint_eval.PSNR_CAP_DB
    other = [dict(zip(probe.COLUMNS, r)) for r in probe.probe_crop(student, teacher, crop, masks, 0, grid, 2)]
    assert all(col["own ODE–T16"] < inpaint_eval.PSNR_CAP_DB for col in other)


def test_inpaint_recap_gives_back_what_inpaint_eval_measured(monkeypatch):
    recap = tool("inpaint_recap")
    cfg, model = random_model(TINY_INPAINT, "tiny-inpaint", seed=2, vars3=(0.3, 1.0, 0.0))
    monkeypatch.setattr(inpaint_eval, "heldout_crops", lambda size, split: crops())
    metrics = inpaint_eval.evaluate({"gctm": model}, 32, "validation", config_grid(cfg.gctm, 2), per_kind=1,
                                    log=lambda *_: None)
    again = recap.recap(metrics["per_sample"], inpaint_eval.PSNR_CAP_DB)
    for group, table in again.items():
        if group == "faithful_by_crop":
            assert set(table) == {"crop0.png", "crop1.png"}
            continue
        if group == "max_hole":
            assert table == {k: v for k, v in metrics["max_hole"].items() if k in ("gctm_nfe1", "gctm_denoiser")}
            continue
        measured = metrics["all"] if group == "all" else metrics["by_size"][group]
        assert set(table) == set(measured)
        for method, value in table.items():
            assert value == pytest.approx(measured[method]["psnr"], abs=0.006), (group, method)
    # capped at the lowest PSNR measured, every sample counts as that PSNR
    lowest = min(r[k]["psnr"] for r in metrics["per_sample"] for k in r if isinstance(r[k], dict))
    low = recap.recap(metrics["per_sample"], lowest)
    low.pop("max_hole")
    assert all(v == pytest.approx(lowest, abs=0.006) for table in low.values() for v in table.values()), low


def test_inpaint_recap_prints_an_output_above_telea_at_no_size(tmp_path, capsys):
    import json
    recap = tool("inpaint_recap")
    rows = [{"image": "a.png", "kind": "box", "share": 0.1, "size": "medium", "side": side,
             "telea": {"psnr": 20.0}, "gctm_nfe1": {"psnr": 18.0}, "gctm_denoiser": {"psnr": 21.0}} for side in (12, 40)]
    path = tmp_path / "m.json"
    path.write_text(json.dumps({"per_sample": rows}))
    assert recap.main([str(path)]) == 0
    assert "max_hole: gctm_nfe1 none, gctm_denoiser 48.00" in capsys.readouterr().out


def test_carry_baseline_gives_what_measuring_the_baseline_would(monkeypatch, tmp_path):
    import json
    carry = tool("carry_baseline")
    cfg, model = random_model(TINY_INPAINT, "tiny-inpaint", seed=2, vars3=(0.3, 1.0, 0.0))
    _, l2 = random_model(TINY_INPAINT, "tiny-inpaint", seed=5, vars3=(0.3, 1.0, 0.0))
    monkeypatch.setattr(inpaint_eval, "heldout_crops", lambda size, split: crops())
    run = lambda models: inpaint_eval.evaluate(models, 32, "validation", config_grid(cfg.gctm, 2),  # noqa: E731
                                               per_kind=1, log=lambda *_: None)
    both, alone = run({"gctm": model, "regression": l2}), run({"gctm": model})
    assert "regression_nfe1" not in alone["all"]
    paths = {k: tmp_path / f"{k}.json" for k in ("both", "alone", "merged")}
    paths["both"].write_text(json.dumps({"metrics": both}))  # a card holds its evaluation under metrics
    paths["alone"].write_text(json.dumps(alone))
    carry.main([str(paths["alone"]), str(paths["both"]), "--note", "an earlier L2 run", "--out", str(paths["merged"])])
    merged = json.loads(paths["merged"].read_text())
    assert merged["carried"] == {"regression_nfe1": "an earlier L2 run"}
    assert merged["all"]["regression_nfe1"] == both["all"]["regression_nfe1"]
    for part in ("by_size", "by_kind", "by_side"):
        assert set(merged[part]) == set(both[part]), part
        for group, table in both[part].items():
            assert merged[part][group]["regression_nfe1"] == table["regression_nfe1"], (part, group)
            assert merged[part][group]["gctm_nfe1"] == alone[part][group]["gctm_nfe1"], "the new model's own numbers stay"
    assert [r["regression_nfe1"] for r in merged["per_sample"]] == [r["regression_nfe1"] for r in both["per_sample"]]
    # other masks (one sample's hole share changed) are refused and nothing is written
    other = json.loads(paths["alone"].read_text())
    other["per_sample"][1]["share"] += 0.01
    paths["alone"].write_text(json.dumps(other))
    paths["merged"].unlink()
    with pytest.raises(SystemExit, match="sample 1 differs.*not the same crops and masks"):
        carry.main([str(paths["alone"]), str(paths["both"]), "--note", "x", "--out", str(paths["merged"])])
    assert not paths["merged"].exists()


@pytest.mark.parametrize("film", [True, False])
@pytest.mark.parametrize("model_id", ["tiny-x4", "tiny-clean"])
def test_widen_resnet_keeps_the_function_and_the_new_channels_can_learn(tmp_path, model_id, film):
    import dataclasses

    from gctm import checkpoint
    from gctm.trainer import build_model
    widen = tool("widen_resnet")
    cfg = tiny_resnet(model_id)[0]
    cfg.net["film"] = film
    torch.manual_seed(5)
    model = build_model(cfg.net, [0.3, 0.3, 0.29], cfg.gctm.sigma_min, cfg.gctm.sigma_max)
    with torch.no_grad():  # away from the zero-initialised identity, so every part counts
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    src, dst = str(tmp_path / "narrow.pt"), str(tmp_path / "wide.pt")
    torch.save({"vars": [0.3, 0.3, 0.29], "steps": 7, "config": dataclasses.asdict(cfg),
                "model": model.state_dict(), "ema": model.state_dict()}, src)
    wide = widen.widen(src, dst, 12)
    x = torch.rand(2, 3, 16, 16) * 2 - 1
    t, s = torch.tensor([1.0, 0.6]), torch.tensor([0.0, 0.3])
    with torch.no_grad():
        assert torch.allclose(wide(x, t, s), model(x, t, s), atol=1e-5)
    state = checkpoint.read(dst)
    checkpoint.check_architecture(state, wide.net, dst)
    assert state["config"]["net"]["channels"] == 12 and state["steps"] == 7
    (wide(x, t, s) - x.flip(-1)).pow(2).mean().backward()
    assert wide.net.out.weight.grad[:, 8:].abs().sum() > 0, "the output's weights from the new channels learn"


@pytest.mark.parametrize("film", [True, False])
def test_widen_unet_keeps_the_function_and_the_new_inner_channels_can_learn(tmp_path, film):
    import dataclasses

    from gctm import checkpoint
    widen = tool("widen_unet")
    cfg, model = random_model({**TINY_INPAINT, "net": {**TINY_INPAINT["net"], "film": film}}, "tiny-inpaint", seed=6)
    src, dst = str(tmp_path / "narrow.pt"), str(tmp_path / "wide.pt")
    torch.save({"vars": [0.3, 0.3, 0.29], "steps": 7, "config": dataclasses.asdict(cfg),
                "model": model.state_dict(), "ema": model.state_dict()}, src)
    wide = widen.widen(src, dst, 1.5).eval()
    torch.manual_seed(1)
    x = torch.cat([torch.rand(2, 3, 32, 32) * 2 - 1, (torch.rand(2, 1, 32, 32) > 0.7).float()], dim=1)
    t, s = torch.tensor([1.0, 0.6]), torch.tensor([0.0, 0.3])
    with torch.no_grad():
        assert not torch.allclose(wide.net.down[0].conv0.weight[8:], torch.zeros(4, *wide.net.down[0].conv0.weight.shape[1:]))
        assert torch.allclose(wide(x, t, s), model(x, t, s), atol=1e-5)
    state = checkpoint.read(dst)
    checkpoint.check_architecture(state, wide.net, dst)
    assert state["config"]["net"]["inner_mult"] == 1.5 and state["steps"] == 7
    assert wide.net.down[0].conv0.out_channels == 12 and wide.net.mid0.conv0.out_channels == 24
    (wide(x, t, s)[:, :3] - x[:, :3].flip(-1)).pow(2).mean().backward()
    block = wide.net.up[0]
    assert block.conv1.weight.grad[:, 16:].abs().sum() > 0, \
        "the second conv's weights from the new inner channels learn"
    with pytest.raises(SystemExit, match="already"):
        widen.widen(dst, str(tmp_path / "again.pt"), 1.5)


def test_toy_steps_reads_the_toy_tests_quantities_at_each_length():
    # A toy measured at 4 and 8 steps in one run is, at 8, the toy trained straight to 8: the earlier
    # snapshot draws nothing, so each length's line is what test_toy.py would see at that STEPS.
    from tests.test_toy import sample_distances, train_toy
    rows = dict(tool("toy_steps").toy_rows("moons", "independent", 0, [4, 8]))
    assert sorted(rows) == [4, 8] and set(rows[8]) == {"SW/floor", "SW/half", "gap/travel", "gap/euler"}
    snapshots, untrained = train_toy("moons", "independent", 0, [8])
    d = sample_distances(snapshots[8], untrained, "moons")
    assert rows[8]["SW/floor"] == pytest.approx(d["one"] / (4 * d["floor"] + 0.05))
    assert rows[8]["SW/half"] == pytest.approx(d["one"] / (0.5 * min(d["source"], d["before"])))
    assert rows[4]["SW/floor"] != pytest.approx(rows[8]["SW/floor"])
    assert set(dict(tool("toy_steps").toy_rows("paired", "paired", 0, [4]))[4]) == {"error"}
