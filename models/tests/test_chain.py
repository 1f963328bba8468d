"""gctm.chain hands an 8-bit image from one model to the next, as the plugin's engine does."""
import torch

from gctm.chain import run_chain
from gctm.config import from_dict
from gctm.degrade import to_uint8, to_unit, upsample
from gctm.solvers import one_step
from gctm.trainer import build_model


def _cfg(task, scale):
    return from_dict({"run": {"id": task, "tool": "restore"}, "data": {"kind": "photos", "task": task, "scale": scale, "train": ["x"]},
                      "net": {"kind": "resnet"}, "gctm": {"coupling": "paired"}, "train": {"batch": 1}})


def _model(patch, seed):
    torch.manual_seed(seed)
    m = build_model({"kind": "resnet", "channels": 8, "blocks": 1, "patch": patch}, [0.2, 0.2, 0.19], 0.002, 80.0)
    with torch.no_grad():  # the output conv starts at zero: give both models something to do
        m.net.out.weight.normal_(0, 0.05)
    return m.eval()


def test_a_chain_is_each_model_in_turn_on_the_rounded_8_bit_result():
    cleaner, upscaler = _model(2, 1), _model(4, 2)
    clean_cfg, x4_cfg = _cfg("clean", 1), _cfg("upscale", 4)
    small = torch.randint(0, 256, (1, 3, 8, 12), dtype=torch.uint8)
    hwc = lambda x: x[0].permute(1, 2, 0).numpy()
    out = torch.from_numpy(run_chain([(cleaner, clean_cfg), (upscaler, x4_cfg)], hwc(small))).permute(2, 0, 1)[None]
    assert out.dtype == torch.uint8 and out.shape == (1, 3, 32, 48)
    mid = to_uint8(one_step(cleaner, to_unit(small)))
    assert not torch.equal(mid, small)
    assert torch.equal(out, to_uint8(one_step(upscaler, upsample(to_unit(mid), 4))))
    assert (run_chain([(upscaler, x4_cfg)], hwc(mid)) == hwc(out)).all()
