"""The colour latent, Edit (Algorithm 5) and the picture grid on a tiny random sketch model, 2 pairs."""
import numpy as np
import torch

from gctm.fixtures import tiny_sketch
from gctm.sketch_eval import load_heldout, source
from gctm.sketch_grid import render
from gctm.sketch_latents import (COLOURS, EDIT_STRENGTHS, GAMMAS, edit_outputs, latent_outputs, latent_term,
                                 measure_edit, measure_latents, parse_color, to_tensor)
from gctm.solvers import one_step
from gctm.time_grid import config_grid


def pairs(tmp_path, n=2, size=64):
    """n drawings at twice the tiny model's 32²: a ring outline and its colour fill."""
    yy, xx = np.mgrid[0:size, 0:size]
    r = np.hypot(yy - size / 2, xx - size / 2)
    line = np.where(np.abs(r - size / 4) < 2, 0, 255).astype(np.uint8)
    colour = np.full((size, size, 3), 255, np.uint8)
    colour[r < size / 4] = (250, 200, 40)
    colour[np.abs(r - size / 4) < 2] = 0
    path = tmp_path / "pairs.npz"
    np.savez(path, colour=np.stack([colour] * n), line=np.stack([line] * n))
    return str(path)


class Recorder(torch.nn.Module):
    """Wraps a model and records every call's (x, t, s)."""

    def __init__(self, model):
        super().__init__()
        self.model, self.calls = model, []

    def forward(self, x, t, s):
        self.calls.append((x.clone(), t.clone(), s.clone()))
        return self.model(x, t, s)

    def g(self, x, t, s):
        return self.model.g(x, t, s)

    def velocity(self, x, t):
        return self.model.velocity(x, t)


def test_colour_latent_is_the_engines_term_and_gamma_zero_is_the_plain_run(tmp_path):
    cfg, model = tiny_sketch()
    colour, line, _ = load_heldout(pairs(tmp_path), cfg.data.crop)
    assert colour.shape == (2, 32, 32, 3) and line.shape == (2, 32, 32)
    y = source(line, cfg.gctm.sigma_p, 0)
    # the engine's parseColor: byte/255·2 − 1, and a float32 constant image
    assert parse_color("#ff0080") == (1.0, -1.0, 128 / 255 * 2 - 1)
    term = latent_term("#cc3344", 0.5, y)
    assert term.dtype == torch.float32 and torch.equal(term[0, 0], torch.full((32, 32), np.float32(0.5 * (0xcc / 255 * 2 - 1))))
    outs = latent_outputs(model, y)
    assert set(outs) == {(c, g) for c in COLOURS for g in GAMMAS}
    plain = ((one_step(model, y).clamp(-1, 1) + 1) * 127.5).round().byte().permute(0, 2, 3, 1).numpy()
    assert all(np.array_equal(outs[(c, 0.0)], plain) for c in COLOURS)
    assert not np.array_equal(outs[(COLOURS[0], 2.0)], plain)
    m = measure_latents(model, colour, line, cfg.gctm.sigma_p, log=lambda *_: None)
    row = m["colours"]["#3366cc"]["by_gamma"]["1.0"]
    assert set(row) == {"mean_rgb", "distance", "stroke_f1", "background_white"} and len(m["colours"]) == 3
    assert 0 <= row["stroke_f1"] <= 1 and len(row["mean_rgb"]) == 3


def test_edit_runs_g_from_x_s_at_time_s_to_zero(tmp_path):
    cfg, model = tiny_sketch()
    colour, line, _ = load_heldout(pairs(tmp_path), cfg.data.crop)
    rec = Recorder(model)
    x_edit, x1 = to_tensor(colour), source(line, cfg.gctm.sigma_p, 0)
    outs = edit_outputs(rec, x_edit, x1)
    assert list(outs) == list(EDIT_STRENGTHS) and outs[0.5].shape == (2, 32, 32, 3)
    for (x, t, s), strength in zip(rec.calls, EDIT_STRENGTHS):
        assert torch.all(t == strength) and torch.all(s == 0)
        assert torch.allclose(x, (1 - strength) * x_edit + strength * x1, atol=1e-6)
    m = measure_edit(model, colour, line, cfg.gctm.sigma_p, log=lambda *_: None)
    assert set(m["by_s"]) == {str(s) for s in EDIT_STRENGTHS}
    assert set(m["by_s"]["0.1"]) == {"psnr_outside_paint", "psnr_paint_kept", "swd", "psnr_target"}
    assert 0 < m["paint_coverage"] < 0.3 and m["x_edit"]["psnr_target"] < 99


def test_grid_has_a_header_and_one_row_per_drawing_plus_latent_rows(tmp_path):
    cfg, model = tiny_sketch()
    colour, line, _ = load_heldout(pairs(tmp_path), cfg.data.crop)
    g = cfg.gctm
    img = render({"gctm": model, "regression": model}, colour, line, g.sigma_p,
                 config_grid(g, 2), latent=1)
    cell = 32 * 2
    # main block: sketch, 4 seeds, Faithful, ODE, L2, target = 9 columns; latent block: x1 + 7 γ = 8
    assert img.width == 9 * cell + 8 * 4
    assert img.height == (16 + 2 * (cell + 4)) + 4 + (16 + 3 * (cell + 4))
    a = np.asarray(img)
    assert (a[:16] < 128).any()  # the header's text
    # the first cell is the input sketch, pixel-doubled
    assert np.array_equal(a[16:16 + cell:2, :cell:2, 0], line[0])


def test_latent_range_is_where_the_paper_floods():
    from gctm.sketch_latents import latent_range
    kept = {0.0: (0.96, 0.97), 0.25: (0.39, 0.52), 0.5: (0.04, 0.02), 1.0: (0.0, 0.0)}
    measured = {"gammas": list(kept), "colours": {c: {"by_gamma": {str(g): {"background_white": v[i]} for g, v in kept.items()}}
                                                 for i, c in enumerate(("#cc3344", "#3366cc"))}}
    assert latent_range(measured) == {"best": 0.25, "floods": 0.5}
    never = {**measured, "colours": {c: {"by_gamma": {str(g): {"background_white": 0.9} for g in kept}} for c in ("#cc3344",)}}
    assert latent_range(never) is None  # nothing floods: the panel says what Strength does instead
