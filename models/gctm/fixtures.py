"""Writes the plugin's test fixtures from the training code: `python3 -m gctm.fixtures [out_dir]`.

- tiny-random.onnx + tiny-random.json: a small random-weight ×2 restore model and its card, so the
  engine's tests run a real ONNX graph from this exporter in milliseconds;
- tiny-random-golden.json: its PyTorch output on a fixed input (engine numerics check);
- tiny-x4 and tiny-clean (.onnx + .json): random-weight plain-ResNet ×4 and same-size clean-up
  models, so the panel's size and clean-up choices and model chains are tested without trained models;
- tiny-sketch (.onnx + .json): a random-weight sketch → image U-Net (card tool "sketch", source
  {kind: "sketch", size: 32, sigma_p: 0.05}, σ_max = 500), for the Sketch → image tool's engine tests;
- tiny-inpaint (.onnx + .json): a random-weight inpainting U-Net that takes the hole as its `mask`
  input, for the Inpaint tool's engine tests;
- resize-bicubic.json: the x1 resize the engine must reproduce (degrade.upsample);
- source-noise.json: the perturbed x1 (upscale + σp·ε, ε at 1/k resized) of the golden files, which the
  engine must reproduce from the same seed (golden.perturbed_x1).
"""
import json
import os
import sys

import torch

from .card import build_card, write_card
from .config import from_dict
from .degrade import write_parity_vectors
from .export import export_onnx, parity
from .golden import write_source_noise_vectors
from .threads import set_threads
from .trainer import build_model

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

TINY = {
    "run": {"id": "tiny-random", "tool": "restore", "title": "Tiny random (tests only)"},
    "data": {"kind": "photos", "train": ["(none: random weights)"], "scale": 2},
    "net": {"kind": "unet", "channels": 8, "channel_mult": [1, 2], "num_blocks": 1, "patch": 2, "attention": True},
    "gctm": {"coupling": "paired"},
    "train": {"batch": 1},
}


TINY_RESNETS = {
    "tiny-x4": ({"title": "Tiny ×4 (tests only)", "summary": "Random-weight ×4 restore model used by the engine tests."},
                {"scale": 4}, {"patch": 4}),
    "tiny-clean": ({"title": "Tiny clean-up (tests only)", "summary": "Random-weight same-size clean-up model used by the engine tests."},
                   {"task": "clean"}, {"patch": 2}),
}


def tiny_resnet(model_id: str, seed: int = 0):
    run, data, net = TINY_RESNETS[model_id]
    cfg, model = random_model({"run": {"id": model_id, "tool": "restore", "title": run["title"]},
                               "data": {"kind": "photos", "train": ["(none: random weights)"], **data},
                               "net": {"kind": "resnet", "channels": 8, "blocks": 1, **net},
                               "gctm": {"coupling": "paired"}, "train": {"batch": 1}}, model_id, seed)
    return cfg, model, run["summary"]


TINY_SKETCH = {
    "run": {"id": "tiny-sketch", "tool": "sketch", "title": "Tiny sketch (tests only)"},
    "data": {"kind": "sketch", "pairs": "(none: random weights)", "crop": 32},
    "net": {"kind": "unet", "channels": 8, "channel_mult": [1, 2], "num_blocks": 1, "patch": 2, "attention": True},
    "gctm": {"coupling": "paired", "sigma_p": 0.05, "sigma_max": 500.0},
    "train": {"batch": 1},
}


TINY_INPAINT = {
    "run": {"id": "tiny-inpaint", "tool": "inpaint", "title": "Tiny inpaint (tests only)"},
    "data": {"kind": "inpaint", "train": ["(none: random weights)"], "crop": 32},
    # takes the hole as its own input, as the shipped inpaint model does
    "net": {"kind": "unet", "channels": 8, "channel_mult": [1, 2, 2], "num_blocks": 1, "patch": 2, "attention": True,
            "mask": True},
    "gctm": {"coupling": "paired", "sigma_max": 80.0},
    "train": {"batch": 1},
}


def random_model(spec: dict, name: str, seed: int, vars3=(0.3, 0.3, 0.29)):
    """(config, eval-mode model) with seeded random weights around the initialisation: the
    zero-initialised output layers would otherwise make every test model the identity."""
    torch.manual_seed(seed)
    cfg = from_dict(spec, name)
    model = build_model(cfg.net, list(vars3), cfg.gctm.sigma_min, cfg.gctm.sigma_max).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.05 * torch.randn_like(p))
    return cfg, model


def tiny_sketch(seed: int = 0):
    return random_model(TINY_SKETCH, "tiny-sketch", seed)


def tiny_model(seed: int = 0):
    return random_model(TINY, "tiny-random", seed)


def write_fixture(out_dir, model_id, cfg, model, summary, tile, overlap) -> float:
    """<id>.onnx and its card for a random-weight test model; returns the ONNX parity error."""
    path = os.path.join(out_dir, f"{model_id}.onnx")
    export_onnx(model, path, model.net.cfg.multiple)
    err = parity(model, path, model.net.cfg.multiple)
    card = build_card(cfg, model, path, tile=tile, overlap=overlap,
                      metrics={"note": "random weights: for engine tests only"},
                      training={"steps": 0, "parity_max_abs": err})
    card["summary"] = summary
    write_card(card, os.path.join(out_dir, f"{model_id}.json"))
    return err


def main(out_dir=None):
    out_dir = out_dir or os.path.join(ROOT, "test", "fixtures")
    os.makedirs(out_dir, exist_ok=True)
    set_threads(2)
    cfg, model = tiny_model()
    err = write_fixture(out_dir, "tiny-random", cfg, model, "Random-weight ×2 restore model used by the engine tests.",
                        tile=32, overlap=8)
    g = torch.Generator().manual_seed(1)
    x = torch.rand(1, 3, 24, 16, generator=g) * 2 - 1
    calls = []
    with torch.no_grad():  # the jump, an intermediate jump, and the denoiser (s = t: y is x, g is E[x0 | x_t])
        for t, s in ((1.0, 0.0), (0.7, 0.2), (1.0, 1.0)):
            tt, ss = torch.full((1,), t), torch.full((1,), s)
            calls.append({"t": t, "s": s, "y": model(x, tt, ss).flatten().tolist(),
                          "g": model.g(x, tt, ss).flatten().tolist()})
    with open(os.path.join(out_dir, "tiny-random-golden.json"), "w") as f:
        json.dump({"x": {"dims": list(x.shape), "data": x.flatten().tolist()}, "calls": calls}, f)
    for model_id in TINY_RESNETS:
        rcfg, rmodel, summary = tiny_resnet(model_id)
        write_fixture(out_dir, model_id, rcfg, rmodel, summary, tile=64, overlap=16)
    write_parity_vectors(os.path.join(out_dir, "resize-bicubic.json"))
    write_source_noise_vectors(os.path.join(out_dir, "source-noise.json"))
    scfg, smodel = tiny_sketch(seed=1)  # not tiny-random's weights
    write_fixture(out_dir, "tiny-sketch", scfg, smodel, "Random-weight sketch → image model used by the engine tests.",
                  tile=32, overlap=8)
    icfg, imodel = random_model(TINY_INPAINT, "tiny-inpaint", seed=2, vars3=(0.3, 0.25, 0.22))  # weights of its own
    write_fixture(out_dir, "tiny-inpaint", icfg, imodel, "Random-weight inpainting model used by the engine tests.",
                  tile=32, overlap=8)
    print(f"wrote fixtures to {out_dir} (tiny-random parity {err:.2e})")


if __name__ == "__main__":
    main(*sys.argv[1:])
