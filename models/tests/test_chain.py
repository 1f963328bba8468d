"""gctm.chain hands an 8-bit image from one model to the next, as the plugin's engine does."""
import torch

from gctm.chain import run_chain
from gctm.degrade import to_uint8, to_unit, upsample
from gctm.solvers import one_step
from gctm.trainer import build_model


def _model(patch, seed):
    torch.manual_seed(seed)
    m = build_model({"kind": "resnet", "channels": 8, "blocks": 1, "patch": patch}, [0.2, 0.2, 0.19], 0.002, 80.0)
    with torch.no_grad():  # the output conv starts at zero: give both models something to do
        m.net.out.weight.normal_(0, 0.05)
    return m.eval()


def test_a_chain_is_each_model_in_turn_on_the_rounded_8_bit_result():
    cleaner, upscaler = _model(2, 1), _model(4, 2)
    small = torch.randint(0, 256, (1, 3, 8, 12), dtype=torch.uint8)
    out = run_chain([(cleaner, 1), (upscaler, 4)], small)
    assert out.dtype == torch.uint8 and out.shape == (1, 3, 32, 48)
    mid = to_uint8(one_step(cleaner, to_unit(small)))
    assert not torch.equal(mid, small)
    assert torch.equal(out, to_uint8(one_step(upscaler, upsample(to_unit(mid), 4))))
    assert torch.equal(run_chain([(upscaler, 4)], mid), out)
