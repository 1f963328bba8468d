"""Rebuild a zoo model in PyTorch from its ONNX file and card, for models whose training checkpoint
is not at hand (`evaluate --onnx zoo/<id>.json`). The exported graph keeps every parameter under its
state-dict name (model.<name>), and the card records the network, the data statistics and the σ range.
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
    weights = {i.name: torch.from_numpy(numpy_helper.to_array(i).copy()) for i in onnx.load(path).graph.initializer}
    state = {}
    for name in model.state_dict():
        key = "model." + name
        if key not in weights:
            raise ValueError(f"{path}: no initializer {key} (exported from another network?)")
        state[name] = weights[key]
    model.load_state_dict(state)
    return model.eval(), card
