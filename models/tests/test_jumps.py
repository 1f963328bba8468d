"""gctm.jumps reports every grid point's jump and denoiser, and the ODE, on held-out crops."""
import torch

from gctm.config import from_dict
from gctm.jumps import jump_report
from gctm.trainer import build_model


def test_a_fresh_model_jumps_nowhere_and_the_report_names_every_grid_point():
    cfg = from_dict({"run": {"id": "clean", "tool": "restore"},
                     "data": {"kind": "photos", "task": "clean", "train": ["x"], "degrade": {"noise_p": 1.0, "noise_std": [15.0, 15.0]}},
                     "net": {"kind": "resnet", "channels": 8, "blocks": 1, "patch": 2},
                     "gctm": {"coupling": "paired", "steps": 4}, "train": {"batch": 1}})
    model = build_model({"kind": "resnet", "channels": 8, "blocks": 1, "patch": 2}, [0.2, 0.2, 0.19], 0.002, 80.0).eval()
    report = jump_report(cfg, model, images=1, crop=32)
    assert len(report) == 1 + 2 * 4 + 1
    # F starts at zero, so g = c_skip·x_t and the jump from the source stays next to the source
    assert abs(report["jump G(x_t, 1.000, 0)"] - report["source x1"]) < 1.0
