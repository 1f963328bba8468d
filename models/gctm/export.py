"""ONNX export per the model contract, the parity check through onnxruntime, and an fp16 variant.

Contract: inputs x float32 [B, 3, H, W] in [−1, 1], t float32 [B], s float32 [B]; outputs y = G(x, t, s)
and g = g(x, t, s) of x's shape; dynamic B, H, W (multiples of the network's `multiple`); opset 17. A
model whose state carries the hole (MaskedGCTM, inpainting) has one more input, mask float32
[B, 1, H, W] (1 in the hole, 0 elsewhere).
"""
import json
import os
import subprocess
import tempfile

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

from .precond import MaskedOneStepExport, OneStepExport, takes_mask

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ORT_RUN = os.path.join(ROOT, "models", "tools", "ort-run.cjs")


class ExportError(RuntimeError):
    pass


def export_onnx(model, path: str, multiple: int, channels: int = 3):
    """Write the eval-mode G(x, t, s) graph to `path` (opset 17, dynamic batch and size)."""
    model = model.eval()
    size = 4 * multiple
    x = torch.zeros(1, channels, size, size)
    t, s = torch.ones(1), torch.zeros(1)
    dyn = {"x": {0: "B", 2: "H", 3: "W"}, "t": {0: "B"}, "s": {0: "B"}, "y": {0: "B", 2: "H", 3: "W"},
           "g": {0: "B", 2: "H", 3: "W"}}
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    if takes_mask(model):
        graph, args, names = MaskedOneStepExport(model), (x, torch.zeros(1, 1, size, size), t, s), ["x", "mask", "t", "s"]
        dyn["mask"] = {0: "B", 2: "H", 3: "W"}
    else:
        graph, args, names = OneStepExport(model), (x, t, s), ["x", "t", "s"]
    with torch.no_grad():
        torch.onnx.export(graph, args, path, input_names=names, output_names=["y", "g"],
                          dynamic_axes=dyn, opset_version=17, do_constant_folding=True)
    onnx.checker.check_model(onnx.load(path))
    return path


def ort_run(path: str, feeds: dict) -> dict:
    """Run an ONNX file through onnxruntime-node (npm) and return its outputs as numpy arrays."""
    with tempfile.TemporaryDirectory() as d:
        spec = {}
        for name, arr in feeds.items():
            arr = np.ascontiguousarray(arr, dtype=np.float32)
            arr.tofile(os.path.join(d, f"{name}.in.bin"))
            spec[name] = {"dims": list(arr.shape), "file": f"{name}.in.bin"}
        with open(os.path.join(d, "inputs.json"), "w") as f:
            json.dump(spec, f)
        try:
            proc = subprocess.run(["node", ORT_RUN, os.path.abspath(path), d], capture_output=True, text=True, timeout=300)
        except FileNotFoundError:
            raise ExportError("node is not installed: the parity check runs onnxruntime-node") from None
        if proc.returncode != 0:
            hint = " (run `npm ci` at the repository root)" if "Cannot find module" in proc.stderr else ""
            raise ExportError(f"onnxruntime failed on {path}: {proc.stderr.strip()[-800:]}{hint}")
        with open(os.path.join(d, "outputs.json")) as f:
            outs = json.load(f)
        return {k: np.fromfile(os.path.join(d, v["file"]), dtype=np.float32).reshape(v["dims"]) for k, v in outs.items()}


def parity(model, path: str, multiple: int, shapes=None, seed: int = 0, t=None, s=None) -> float:
    """Largest |ORT − torch| over random inputs at several sizes and random (t, s) with s ≤ t."""
    model = model.eval()
    g = torch.Generator().manual_seed(seed)
    shapes = shapes or [(1, 4 * multiple, 4 * multiple), (2, 6 * multiple, 5 * multiple)]
    worst = 0.0
    for b, h, w in shapes:
        x = torch.randn(b, 3, h, w, generator=g).clamp(-1.5, 1.5)
        tt = torch.rand(b, generator=g) if t is None else torch.full((b,), float(t))
        ss = tt * torch.rand(b, generator=g) if s is None else torch.full((b,), float(s))
        tt[0], ss[0] = (1.0, 0.0) if t is None else (tt[0], ss[0])  # always include the one-step call
        feeds = {"x": x.numpy(), "t": tt.numpy(), "s": ss.numpy()}
        state = x
        if takes_mask(model):  # a random hole: boxes of a quarter of the image
            m = (torch.rand(b, 1, h // 4, w // 4, generator=g) < 0.3).float()
            m = torch.nn.functional.interpolate(m, size=(h, w), mode="nearest")
            feeds["mask"], state = m.numpy(), torch.cat([x, m], dim=1)
        with torch.no_grad():
            ref = {"y": model(state, tt, ss)[:, :3].numpy(), "g": model.g(state, tt, ss)[:, :3].numpy()}
        outs = ort_run(path, feeds)
        for name, want in ref.items():
            got = outs.get(name)
            if got is None or got.shape != want.shape:
                raise ExportError(f"ONNX output {name!r} is {None if got is None else got.shape}, torch {want.shape}")
            worst = max(worst, float(np.abs(got - want).max()))
    return worst


def fp16_weights(src: str, dst: str):
    """Store float initializers as fp16, each followed by a Cast back to fp32: half the download,
    the same fp32 arithmetic (tensors under 64 values, such as the time frequencies, stay fp32)."""
    m = onnx.load(src)
    g = m.graph
    new_inits, casts, renames = [], [], {}
    for init in g.initializer:
        arr = numpy_helper.to_array(init)
        if init.data_type == TensorProto.FLOAT and arr.size >= 64:
            half = init.name + "__fp16"
            new_inits.append(numpy_helper.from_array(arr.astype(np.float16), half))
            casts.append(helper.make_node("Cast", [half], [init.name], to=TensorProto.FLOAT, name=init.name + "__cast"))
            renames[init.name] = half
        else:
            new_inits.append(init)
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(casts + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)
    return dst


def flops_per_pixel(model, size: int = 64) -> float:
    """Multiply-adds ×2 of convolutions and linear layers per output pixel (attention excluded)."""
    total = [0]

    def conv_hook(mod, inp, out):
        k = mod.weight.shape[2] * mod.weight.shape[3] * mod.weight.shape[1]
        total[0] += 2 * k * out.numel()

    def lin_hook(mod, inp, out):
        total[0] += 2 * mod.in_features * out.numel()
    hooks = []
    for mod in model.modules():
        if isinstance(mod, torch.nn.Conv2d):
            hooks.append(mod.register_forward_hook(conv_hook))
        elif isinstance(mod, torch.nn.Linear):
            hooks.append(mod.register_forward_hook(lin_hook))
    with torch.no_grad():
        model.eval()(torch.zeros(1, 4 if takes_mask(model) else 3, size, size), torch.ones(1), torch.zeros(1))
    for h in hooks:
        h.remove()
    return total[0] / (size * size)
