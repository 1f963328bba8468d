"""The inpainting picture grid (gctm.inpaint_grid) on a tiny random inpaint model (gctm.fixtures), with
made-up crops standing in for the held-out photos:

- its x1 is the one gctm.inpaint_eval gives the model (same seeded noise in the same holes), and every
  column is what inpaint_eval scores: the PSNR inside the hole of each cell is its per-sample number;
- the layout: a header line, one row per example, 7 columns, cells enlarged by nearest neighbour; the
  hole column is the crop painted magenta in the hole, model cells equal the crop outside it, the last
  column is the crop; the rows mix mask kinds;
- the command reads the model's size and network from the checkpoint, not from the config file.
"""
import tomllib

import numpy as np
import pytest
import torch
from PIL import Image

from gctm import inpaint_eval, inpaint_grid
from gctm.fixtures import TINY_INPAINT, random_model
from gctm.masks import heldout_masks
from gctm.inpaint_data import fill_hole
from gctm.network import architecture_signature
from gctm.time_grid import config_grid
from tiny_configs import INPAINT_TOML as TOML

SIZE = 32


def crops(n=3, size=SIZE):
    """n (name, uint8 HWC) crops: smooth colour ramps with a dark disc, different per crop."""
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    out = []
    for i in range(n):
        img = np.stack([255 * xx, 255 * yy, np.full_like(xx, 60 * i)], -1)
        img[np.hypot(yy - 0.3 - 0.2 * i, xx - 0.5) < 0.2] = (20, 30, 40)
        out.append((f"crop{i}.png", img.round().astype(np.uint8)))
    return out


class Recorder(torch.nn.Module):
    """Wraps a model and records the x of every forward call (the one step)."""

    def __init__(self, model):
        super().__init__()
        self.model, self.xs = model, []
        self.takes_mask = getattr(model, "takes_mask", False)

    def forward(self, x, t, s):
        self.xs.append(x.clone())
        return self.model(x, t, s)

    def g(self, x, t, s):
        return self.model.g(x, t, s)

    def velocity(self, x, t):
        return self.model.velocity(x, t)


@pytest.fixture(scope="module")
def tiny():
    return random_model(TINY_INPAINT, "tiny-inpaint", seed=2, vars3=(0.3, 1.0, 0.0))


def grid_of(cfg, k):
    return config_grid(cfg.gctm, k)


def test_the_grid_shows_what_inpaint_eval_scores(tiny, monkeypatch):
    cfg, model = tiny
    cs = crops()
    monkeypatch.setattr(inpaint_eval, "heldout_crops", lambda size, split: cs)
    rec = Recorder(model)
    metrics = inpaint_eval.evaluate({"gctm": rec}, SIZE, "validation", grid_of(cfg, 2), per_kind=1, log=lambda *_: None)
    masks = heldout_masks(SIZE, per_kind=1)
    assert len(rec.xs) == len(cs)  # one batch of every mask per crop
    for ci, (_, crop) in enumerate(cs):  # x1 and, as the model takes it, the hole as a fourth channel
        hole = torch.from_numpy(np.stack([m for _, m in masks]))[:, None].float()
        x0 = torch.from_numpy(crop).permute(2, 0, 1)[None].float().expand(len(masks), -1, -1, -1) / 127.5 - 1
        noise = torch.randn(x0.shape, generator=torch.Generator().manual_seed(10_000 * ci))
        assert torch.equal(torch.cat([fill_hole(x0, hole, noise), hole], 1), rec.xs[ci])
    chosen = inpaint_grid.pick(cs, masks, 4)
    assert [masks[mi][0] for _, mi in chosen] == ["strokes", "box", "text", "blob"]
    names, rows = inpaint_grid.columns({"gctm": model}, cs, masks, chosen, grid_of(cfg, 2))
    assert names == ["hole", "Telea", "Navier-Stokes", "one step", "Faithful", "ODE 2 steps", "original"]
    keys = [None, "telea", "ns", "gctm_nfe1", "gctm_denoiser", "gctm_ode", None]
    for (ci, mi), row in zip(chosen, rows):
        crop, (kind, mask) = cs[ci][1], masks[mi]
        ref = metrics["per_sample"][ci * len(masks) + mi]
        assert (ref["image"], ref["kind"]) == (cs[ci][0], kind)
        inside = mask[..., None].repeat(3, axis=2)
        for key, cell in zip(keys, row):
            assert cell.shape == (SIZE, SIZE, 3) and cell.dtype == np.uint8
            if key:
                got = inpaint_eval.hole_psnr(cell, crop, inside)
                assert got == pytest.approx(ref[key]["psnr"], abs=1e-3), (ref["image"], kind, key)
        for cell in row[3:]:  # model outputs: composited inside the hole only
            assert np.array_equal(cell[~mask], crop[~mask])
        assert np.array_equal(row[0][mask], np.broadcast_to(inpaint_grid.HOLE, (mask.sum(), 3)))
        assert np.array_equal(row[0][~mask], crop[~mask]) and np.array_equal(row[-1], crop)


def test_layout_header_rows_and_enlarged_cells(tiny):
    cfg, model = tiny
    cs = crops()
    img, info = inpaint_grid.render({"gctm": model}, SIZE, "validation", 4, grid_of(cfg, 2), per_kind=2, crops=cs)
    scale = inpaint_grid.scale_for(SIZE)
    assert inpaint_grid.scale_for(64) == 2 and inpaint_grid.scale_for(128) == 1 and scale == 4
    cell, gap, head = SIZE * scale, inpaint_grid.GAP, inpaint_grid.HEADER
    assert img.size == (7 * cell + 6 * gap, head + 4 * (cell + gap) - gap)
    assert [kind for _, kind, _ in info] == ["strokes", "box", "text", "blob"]
    assert len({name for name, _, _ in info}) == 3  # the crops, evenly spaced (and repeated when n > crops)
    a = np.asarray(img)
    assert (a[:head] < 128).any()  # the header's text
    # the last column of the first row is its crop, enlarged by nearest neighbour
    x0 = 6 * (cell + gap)
    assert np.array_equal(a[head:head + cell:scale, x0:x0 + cell:scale], cs[0][1])
    assert np.array_equal(a[head:head + cell, x0:x0 + cell],
                          np.asarray(Image.fromarray(cs[0][1]).resize((cell, cell), Image.NEAREST)))


def test_the_command_takes_size_and_network_from_the_checkpoint(tmp_path, monkeypatch):
    spec = tomllib.loads(TOML)
    cfg, model = random_model(spec, "inpaint", seed=3)
    sd = model.state_dict()
    ckpt = tmp_path / "ckpt.pt"
    torch.save({"arch": architecture_signature(model.net), "vars": [model.var0, model.var1, model.var01],
                "model": sd, "ema": sd, "steps": 1, "elapsed_s": 1.0, "device": "cpu", "config": cfg.to_dict()}, ckpt)
    config = tmp_path / "inpaint.toml"  # what the file says: 64² and [1, 2, 4]; the checkpoint: 32² and [1, 2, 2]
    config.write_text(TOML.replace("crop = 32", "crop = 64").replace("channel_mult = [1, 2, 2]", "channel_mult = [1, 2, 4]"))
    seen = []
    monkeypatch.setattr(inpaint_grid, "heldout_crops", lambda size, split: seen.append((size, split)) or crops(size=size))
    out = tmp_path / "docs" / "grid.png"
    assert inpaint_grid.main([str(config), "--ckpt", str(ckpt), "--out", str(out), "--n", "2", "--ode-steps", "2",
                              "--masks-per-kind", "1", "--threads", "1"]) == 0
    assert seen == [(32, "validation")]
    img = Image.open(out)
    cell = 32 * inpaint_grid.scale_for(32)
    assert img.size == (7 * cell + 6 * inpaint_grid.GAP, inpaint_grid.HEADER + 2 * (cell + inpaint_grid.GAP) - inpaint_grid.GAP)
