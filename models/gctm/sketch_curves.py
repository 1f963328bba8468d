"""The sketch model's colour-latent and Edit curves, drawn from a gctm.sketch_eval result:
`python3 -m gctm.sketch_curves results/…/sketch.json --out ../docs/sketch-curves.png`

Three panels, every point a measurement of that JSON (nothing is fitted or smoothed):
- colour latent x1 = sketch + γ·ℓ: the distance (RGB levels) of the drawing's mean colour to the chosen
  colour against γ, one line per colour drawn in that colour;
- the same runs' stroke F1 (the result still follows the strokes) and the share of the paper left
  white (the colour floods the background as γ grows);
- Edit (Algorithm 5) over its strength s: PSNR of the pixels outside the paint against the painted
  image (how much of the user's picture is kept) and inside the paint (how much of the paint is kept).
"""
import argparse
import json
import sys

import matplotlib

matplotlib.use("Agg")  # files only, no display
import matplotlib.pyplot as plt  # noqa: E402


def _gammas(latent: dict) -> list:
    return [float(g) for g in latent["gammas"]]


def draw(metrics: dict, out: str) -> None:
    latent, edit = metrics["colour_latent"], metrics["edit"]
    gammas = _gammas(latent)
    fig, (ax_c, ax_f, ax_e) = plt.subplots(1, 3, figsize=(12, 3.4), dpi=100)
    for colour, m in latent["colours"].items():
        at = [m["by_gamma"][_key(m["by_gamma"], g)] for g in gammas]
        ax_c.plot(gammas, [v["distance"] for v in at], "o-", color=colour, label=colour)
        ax_f.plot(gammas, [v["stroke_f1"] for v in at], "o-", color=colour, label=f"{colour} stroke F1")
        ax_f.plot(gammas, [v["background_white"] for v in at], "s--", color=colour, alpha=0.6, label=f"{colour} paper white")
    ax_c.set(title="Colour latent: mean colour to the chosen one", xlabel="strength γ", ylabel="distance (RGB levels)")
    ax_c.legend(fontsize=8)
    ax_f.set(title="Colour latent: strokes and paper", xlabel="strength γ", ylabel="stroke F1 (—), paper white (--)", ylim=(0, 1.05))
    strengths = [float(s) for s in edit["strengths"]]
    by_s = [edit["by_s"][_key(edit["by_s"], s)] for s in strengths]
    ax_e.plot(strengths, [v["psnr_outside_paint"] for v in by_s], "o-", color="#333333", label="outside the paint")
    ax_e.plot(strengths, [v["psnr_paint_kept"] for v in by_s], "s--", color="#cc3344", label="the paint kept")
    ax_e.set(title="Edit: what is kept of the painted image", xlabel="strength s", ylabel="PSNR to the painted image (dB)")
    ax_e.legend(fontsize=8)
    for ax in (ax_c, ax_f, ax_e):
        ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(out)
    plt.close(fig)


def _key(table: dict, value: float) -> str:
    """The JSON key of a γ or s (written by json.dump as str(float): "0.25", "1.0")."""
    for k in table:
        if abs(float(k) - value) < 1e-9:
            return k
    raise KeyError(f"no measurement at {value}")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("metrics", help="a gctm.sketch_eval JSON (with its colour_latent and edit)")
    ap.add_argument("--out", required=True)
    args = ap.parse_args(argv)
    with open(args.metrics) as f:
        metrics = json.load(f)
    missing = [k for k in ("colour_latent", "edit") if k not in metrics]
    if missing:
        print(f"{args.metrics} has no {' or '.join(missing)}: run gctm.sketch_eval without --no-latents", file=sys.stderr)
        return 2
    draw(metrics, args.out)
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
