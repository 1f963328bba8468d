"""The data bank: what a machine without the Debian packages trains from must be what this one would."""
import os

from gctm import bank, masks


def test_every_text_mask_font_is_installed():
    # the held-out masks of the inpaint evaluation are drawn with these fonts: without one, its words
    # are drawn in another font (or as boxes), and the measured numbers are not the documented ones
    assert [os.path.basename(p) for p in masks.fonts()] == sorted(os.path.basename(p) for p in masks.FONT_GLOBS), \
        "apt-get install fonts-dejavu-core fonts-liberation2 (packages.debian)"


def test_the_bank_carries_the_fonts_and_the_masks_read_them_from_it(tmp_path, monkeypatch):
    installed = list(masks.FONT_GLOBS)
    rows = bank.fonts(str(tmp_path / "fonts"))
    assert [r["source"] for r in rows] == installed
    # a machine without the Debian fonts: only the bank's copies exist
    monkeypatch.setattr(masks, "FONT_GLOBS", [])
    copies = masks.fonts([str(tmp_path / "fonts")])
    assert [os.path.basename(p) for p in copies] == sorted(os.path.basename(p) for p in installed)
    a = masks.make_mask(64, 11, kind="text", font_files=copies)
    monkeypatch.undo()
    b = masks.make_mask(64, 11, kind="text", font_files=masks.fonts())
    assert (a == b).all(), "the bank's fonts draw the same text masks as the installed ones"


def test_the_openmoji_pairs_are_refused_at_once_without_an_svg_renderer(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(bank, "can_render_svg", lambda: False)
    code = bank.main(["--out", str(tmp_path / "bank"), "--openmoji", str(tmp_path), "--only", "openmoji"])
    assert code == 2
    assert "python3-cairosvg" in capsys.readouterr().err
    assert not (tmp_path / "bank" / "manifest.json").exists()
