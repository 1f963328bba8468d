"""ONNX export: the exported G(x, t, s) equals PyTorch through onnxruntime, at two sizes."""
import numpy as np
import onnx
import pytest
import torch

from gctm import export
from gctm.fixtures import tiny_model


def _exported(tmp_path_factory, model, name):
    path = str(tmp_path_factory.mktemp("onnx") / f"{name}.onnx")
    export.export_onnx(model, path, model.net.cfg.multiple)
    return model, path


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    return _exported(tmp_path_factory, tiny_model()[1], "tiny")


def test_graph_follows_the_model_contract(exported):
    _, path = exported
    m = onnx.load(path)
    assert m.opset_import[0].version == 17
    assert [i.name for i in m.graph.input] == ["x", "t", "s"] and [o.name for o in m.graph.output] == ["y", "g"]
    dims = [d.dim_param or d.dim_value for d in m.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["B", 3, "H", "W"]


def test_onnxruntime_matches_pytorch_at_two_sizes(exported):
    model, path = exported
    mult = model.net.cfg.multiple
    err = export.parity(model, path, mult, shapes=[(1, 8 * mult, 8 * mult), (2, 10 * mult, 6 * mult)])
    assert err < 1e-4


def test_onnx_keeps_the_identity_boundary(exported):
    _, path = exported
    x = np.random.default_rng(0).standard_normal((1, 3, 16, 16)).astype(np.float32)
    t = np.array([0.4], np.float32)
    y = export.ort_run(path, {"x": x, "t": t, "s": t})["y"]
    assert np.array_equal(y, x)


def test_onnx_gives_the_denoiser_beside_the_jump(exported):
    """One evaluation at s = t: y is x itself and g is the model's denoiser g(x, t, t); at (1, 0)
    the two outputs are the same one-step jump."""
    model, path = exported
    x = np.random.default_rng(1).standard_normal((2, 3, 16, 16)).astype(np.float32)
    ones, zeros = np.ones(2, np.float32), np.zeros(2, np.float32)
    out = export.ort_run(path, {"x": x, "t": ones, "s": ones})
    with torch.no_grad():
        want = model.g(torch.from_numpy(x), torch.ones(2), torch.ones(2)).numpy()
    assert np.array_equal(out["y"], x)
    assert np.abs(out["g"] - want).max() < 1e-4 and np.abs(out["g"] - x).max() > 1e-3
    jump = export.ort_run(path, {"x": x, "t": ones, "s": zeros})
    assert np.abs(jump["y"] - jump["g"]).max() < 1e-5


def test_fp16_weights_halve_the_file_and_stay_close(exported, tmp_path):
    model, path = exported
    half = str(tmp_path / "tiny.fp16.onnx")
    export.fp16_weights(path, half)
    import os
    assert os.path.getsize(half) < 0.7 * os.path.getsize(path)
    assert export.parity(model, half, model.net.cfg.multiple) < 1e-2


@pytest.fixture(scope="module")
def exported_masked(tmp_path_factory):
    from gctm.trainer import build_model
    torch.manual_seed(0)
    net = {"kind": "unet", "channels": 8, "channel_mult": [1, 2, 2], "num_blocks": 1, "patch": 2, "mask": True}
    model = build_model(net, [0.33, 1.0, 0.0], 0.002, 80.0).eval()
    with torch.no_grad():
        for p in model.parameters():
            p.add_(0.1 * torch.randn_like(p))
    return _exported(tmp_path_factory, model, "masked")


def test_a_model_that_takes_the_hole_has_a_mask_input(exported_masked):
    model, path = exported_masked
    m = onnx.load(path)
    assert [i.name for i in m.graph.input] == ["x", "mask", "t", "s"] and [o.name for o in m.graph.output] == ["y", "g"]
    dims = [d.dim_param or d.dim_value for d in m.graph.input[1].type.tensor_type.shape.dim]
    assert dims == ["B", 1, "H", "W"]
    mult = model.net.cfg.multiple
    assert export.parity(model, path, mult, shapes=[(1, 8 * mult, 8 * mult), (2, 10 * mult, 6 * mult)]) < 1e-4


def test_onnx_leaves_every_pixel_outside_the_hole_as_it_was(exported_masked):
    _, path = exported_masked
    rng = np.random.default_rng(2)
    x = rng.uniform(-1, 1, (1, 3, 16, 16)).astype(np.float32)
    mask = np.zeros((1, 1, 16, 16), np.float32)
    mask[..., 5:11, 2:9] = 1
    out = export.ort_run(path, {"x": x, "mask": mask, "t": np.ones(1, np.float32), "s": np.zeros(1, np.float32)})
    outside = np.broadcast_to(mask < 0.5, x.shape)
    for name in ("y", "g"):
        assert np.array_equal(out[name][outside], x[outside])
        assert np.abs(out[name][~outside] - x[~outside]).max() > 1e-2


@pytest.mark.parametrize("inner_mult", [1.0, 2.0])
def test_a_unet_is_rebuilt_from_its_onnx_file_with_its_group_norms(tmp_path, inner_mult):
    """from_onnx (evaluate/publish --zoo-card) reads every parameter back, including the GroupNorm
    weights the exporter folds into unnamed constants; the rebuilt network computes what the file does.
    Also for a U-Net widened inside its blocks (tools/widen_unet.py), whose card names its inner_mult."""
    from gctm.fixtures import TINY_SKETCH, random_model
    from gctm.from_onnx import load_onnx_weights

    spec = {**TINY_SKETCH, "net": {**TINY_SKETCH["net"], "inner_mult": inner_mult}}
    _, model = random_model(spec, "tiny-sketch", seed=3)
    norms = [m for m in model.modules() if isinstance(m, torch.nn.GroupNorm)]
    assert norms, "the sketch U-Net has group norms"
    assert model.net.down[0].conv0.out_channels == int(inner_mult * model.net.cfg.channels)
    path = str(tmp_path / "unet.onnx")
    export.export_onnx(model, path, model.net.cfg.multiple)
    _, fresh = random_model(spec, "tiny-sketch", seed=4)
    load_onnx_weights(fresh, path)
    for name, p in model.state_dict().items():
        assert torch.equal(fresh.state_dict()[name], p), name
    mult = model.net.cfg.multiple
    assert export.parity(fresh.eval(), path, mult, shapes=[(1, 8 * mult, 8 * mult)]) < 1e-4
