"""Rebuild a zoo model in PyTorch from its ONNX file and card, for models whose training checkpoint
is not at hand (`--zoo-card zoo/<id>.json` in the evaluations and publish). The exported graph keeps
every parameter under its state-dict name (model.<name>), except the group norms' (below), and the card
records the network, the data statistics and the σ range.
"""
import json
import os

import onnx
import torch
from onnx import numpy_helper

from .trainer import build_model


def load_zoo_model(card_path: str):
    """(GCTM in eval mode, card dict) with the ONNX file's weights; refuses a file that does not match."""
    with open(card_path) as f:
        card = json.load(f)
    path = os.path.join(os.path.dirname(card_path), card["file"])
    v, t = card["vars"], card["time"]
    model = build_model(card["network"], [v["var0"], v["var1"], v["var01"]], t["sigma_min"], t["sigma_max"])
    load_onnx_weights(model, path)
    return model.eval(), card


def load_onnx_weights(model, path: str):
    """Copies the exported file's parameters into `model` (the GCTM it was exported from)."""
    graph = onnx.load(path).graph
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in graph.initializer}
    folded = _folded_norm_params(graph, weights)
    state = {}
    for name, current in model.state_dict().items():
        key = "model." + name
        w = weights.get(key, folded.get(key))
        if w is None or w.numel() != current.numel():
            raise ValueError(f"{path}: no initializer {key} (exported from another network?)")
        state[name] = w.reshape(current.shape)
    model.load_state_dict(state)


def _folded_norm_params(graph, weights: dict) -> dict:
    """A GroupNorm exports as InstanceNormalization, then a Mul by its weight and an Add of its bias,
    and those two constants lose their state-dict names (onnx::Mul_…). Name them back by the module
    path the exporter gives the nodes (/net/down.0/norm0/Mul → model.net.down.0.norm0.weight)."""
    params = {}
    for node in graph.node:
        kind = {"Mul": "weight", "Add": "bias"}.get(node.op_type)
        if kind is None or not node.name.endswith("/" + node.op_type) or len(node.input) != 2:
            continue
        if node.input[1] in weights and not node.input[1].startswith("model."):
            module = node.name.rsplit("/", 1)[0].strip("/").replace("/", ".")
            params[f"model.{module}.{kind}"] = weights[node.input[1]]
    return params
