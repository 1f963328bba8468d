"""sketch_eval's diversity on drawings with several real colourings (skin-tone variants)."""
import numpy as np
import pytest

from gctm.sketch_eval import colourings_reached, load_heldout


def bank(tmp_path):
    """Five pairs: base A has three colourings (red, green, blue), B and C one each."""
    rgb = [(220, 30, 30), (30, 200, 40), (40, 40, 220), (128, 128, 128), (250, 250, 0)]
    colour = np.stack([np.full((8, 8, 3), c, np.uint8) for c in rgb])
    line = np.full((5, 8, 8), 255, np.uint8)
    path = tmp_path / "pairs.npz"
    np.savez(path, colour=colour, line=line, base=np.array(["A", "A", "B", "A", "C"]),
             hexcode=np.array(["A", "A-1", "B", "A-2", "C"]), group=np.array(["g"] * 5))
    return str(path), colour


def test_groups_are_the_pairs_sharing_a_base(tmp_path):
    path, _ = bank(tmp_path)
    assert [g.tolist() for g in load_heldout(path, 8).groups] == [[0, 1, 3]]
    # with a limit, the indices are into the picked pairs (evenly spaced: 0, 2, 4 → bases A, B, C)
    assert load_heldout(path, 8, limit=3).groups == []


def test_seeds_count_by_the_nearest_real_colouring(tmp_path):
    path, colour = bank(tmp_path)
    groups = load_heldout(path, 8).groups
    near = lambda c, d: np.clip(colour[[c] * 5].astype(int) + d, 0, 255).astype(np.uint8)  # pair 0's output near colouring c
    seeds = [near(0, 10), near(0, -10), near(1, 5), near(3, 0)]  # red, red, green, blue
    assert colourings_reached(seeds, colour, groups) == 3
    grey = [np.full_like(colour, 128)] * 4  # one mean for every seed: one colouring
    assert colourings_reached(grey, colour, groups) == 1
    assert np.isnan(colourings_reached(seeds, colour, []))


def test_the_curves_are_drawn_from_the_json_and_a_missing_measurement_is_an_error(tmp_path):
    import json

    from PIL import Image

    from gctm import sketch_curves
    by_gamma = {str(g): {"distance": 100 - 40 * g, "stroke_f1": 1 - 0.2 * g, "background_white": max(0.0, 1 - g)} for g in (0.0, 0.5, 1.0)}
    metrics = {"colour_latent": {"gammas": [0.0, 0.5, 1.0], "colours": {"#cc3344": {"by_gamma": by_gamma}}},
               "edit": {"strengths": [0.1, 0.5], "by_s": {"0.1": {"psnr_outside_paint": 40, "psnr_paint_kept": 30},
                                                          "0.5": {"psnr_outside_paint": 30, "psnr_paint_kept": 15}}}}
    src, out = tmp_path / "m.json", tmp_path / "curves.png"
    src.write_text(json.dumps(metrics))
    assert sketch_curves.main([str(src), "--out", str(out)]) == 0
    assert Image.open(out).size == (1200, 340)
    del metrics["edit"]["by_s"]["0.5"]  # a strength without its measurement is an error, not a gap in the line
    with pytest.raises(KeyError):
        sketch_curves.draw(metrics, str(out))
    src.write_text(json.dumps({"summary": {}}))
    assert sketch_curves.main([str(src), "--out", str(out)]) == 2
