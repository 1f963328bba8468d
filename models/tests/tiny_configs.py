"""Small run configs (TOML text) for the tests that publish, evaluate or grid a tiny random model of
the sketch and inpaint tools: 32×32, a two-level U-Net of 8 channels."""

NET = '''
[net]
kind = "unet"
channels = 8
channel_mult = [1, 2]
num_blocks = 1
patch = 2
attention = true
film = true
'''
SKETCH_TOML = '''
[run]
id = "sketch"
tool = "sketch"
title = "Sketch → image"
version = "0.2.0"

[data]
kind = "sketch"
pairs = "cache/bank/openmoji-train-128.npz"
crop = 32
''' + NET + '''
[gctm]
coupling = "paired"
sigma_p = 0.05
sigma_max = 500.0
steps = 8

[train]
batch = 1
'''
INPAINT_TOML = '''
[run]
id = "inpaint"
tool = "inpaint"
title = "Inpaint"
version = "0.1.0"

[data]
kind = "inpaint"
train = ["cache/bank/photos/*.webp"]
crop = 32
clipart = ["cache/bank/clipart/*.webp"]
''' + NET.replace("channel_mult = [1, 2]", "channel_mult = [1, 2, 2]") + '''mask = true

[gctm]
coupling = "paired"
sigma_max = 80.0
steps = 8

[train]
batch = 1
'''
