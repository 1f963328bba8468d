"""The training entry point end to end on tiny data: runs, resumes, and refuses bad input clearly."""
import os
import shutil

import numpy as np
import pytest
import torch
from PIL import Image

from gctm import checkpoint, train
from gctm.config import ConfigError, from_dict, load

BASE = """
[run]
id = "smoke"
tool = "restore"
[data]
kind = "photos"
train = ["{train}/*"]
crop = 16
scales = [1.0]
[net]
kind = "unet"
channels = {channels}
channel_mult = [1, 2]
patch = 2
[gctm]
coupling = "{coupling}"
steps = 2
[train]
batch = 2
steps = {steps}
lr = {lr}
threads = 1
log_every_s = 0.0
eval_every = 2
"""


def write_images(folder, n=3):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for i in range(n):
        Image.fromarray(rng.integers(0, 256, (40, 48, 3), dtype=np.uint8)).save(os.path.join(folder, f"img{i}.png"))


def write_config(path, **kw):
    values = {"channels": 8, "coupling": "paired", "steps": 3, "lr": 1e-4, **kw}
    with open(path, "w") as f:
        f.write(BASE.format(**values))
    return str(path)


def run(tmp_path, cfg, capsys, *extra):
    code = train.main([cfg, "--run-dir", str(tmp_path / "run"), *extra])
    return code, capsys.readouterr()


def test_trains_saves_and_resumes(tmp_path, capsys):
    write_images(tmp_path / "imgs")
    write_images(tmp_path / "held", n=1)
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs")
    code, out = run(tmp_path, cfg, capsys, "--set", f'data.heldout=["{tmp_path}/held/*"]')
    assert code == 0, out.err
    assert "eval step 2: psnr_one_step" in out.out
    state = checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))
    assert state["steps"] == 3
    code, out = run(tmp_path, cfg, capsys, "--set", "train.steps=5", "--set", f'data.heldout=["{tmp_path}/imgs/img0.png"]')
    assert code == 2 and "held-out image(s) also in the training set" in out.err
    code, out = run(tmp_path, cfg, capsys, "--set", "train.steps=5")
    assert code == 0 and "resumed" in out.out
    assert checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))["steps"] == 5
    assert os.path.getsize(tmp_path / "run" / "stats.jsonl") > 0


def test_a_new_run_can_start_from_its_l2_baseline(tmp_path, capsys):
    """[train].init: the regressor's weights (and step count) seed a GCTM run; the seed is left as it was."""
    write_images(tmp_path / "imgs")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs")
    code = train.main([cfg, "--run-dir", str(tmp_path / "l2"), "--set", "gctm.mode=regression"])
    assert code == 0
    seed = str(tmp_path / "l2" / "ckpt.pt")
    before = checkpoint.read(seed)
    code, out = run(tmp_path, cfg, capsys, "--set", f"train.init={seed}", "--set", "train.steps=5")
    assert code == 0 and f"started from {seed} at step 3" in out.out
    after = checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))
    assert after["steps"] == 5 and after["vars"] == before["vars"]
    assert checkpoint.read(seed)["steps"] == 3
    code, out = run(tmp_path, cfg, capsys, "--set", f"train.init={seed}", "--set", "train.steps=6")
    assert code == 0 and "resumed" in out.out  # its own checkpoint wins once it exists
    # a teacher of another width is rebuilt from its own checkpoint's network
    wide = write_config(tmp_path / "wide.toml", train=tmp_path / "imgs", channels=16)
    code = train.main([wide, "--run-dir", str(tmp_path / "student"), "--set", f"gctm.teacher={seed}"])
    assert code == 0
    assert checkpoint.read(str(tmp_path / "student" / "ckpt.pt"))["steps"] == 3


def test_two_process_ddp_run_on_cpu(tmp_path):
    """The multi-GPU path, exercised with gloo on CPU: two ranks, one shared checkpoint."""
    import subprocess
    import sys
    write_images(tmp_path / "imgs")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs")
    models_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.run([sys.executable, "-m", "gctm.launch", "--nproc", "2", cfg, "--run-dir", str(tmp_path / "run")],
                          cwd=models_dir, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    state = checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))
    assert state["steps"] == 3 and state["world_size"] == 2


def test_sigterm_saves_a_resumable_checkpoint(tmp_path):
    import signal
    import subprocess
    import sys
    write_images(tmp_path / "imgs")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs", steps=100000)
    models_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    proc = subprocess.Popen([sys.executable, "-u", "-m", "gctm.train", cfg, "--run-dir", str(tmp_path / "run")],
                            cwd=models_dir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in proc.stdout:  # wait until training is under way
        if line.startswith("step 3 "):
            break
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err[-2000:]
    assert "stopped on request" in out
    assert checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))["steps"] >= 3


def test_missing_field_is_named(tmp_path):
    cfg = write_config(tmp_path / "c.toml", train=tmp_path)
    text = open(cfg).read().replace("batch = 2\n", "")
    open(cfg, "w").write(text)
    with pytest.raises(ConfigError, match=r"\[train\]: missing required field 'batch'"):
        load(cfg)


def test_unknown_key_and_wrong_type_are_named(tmp_path):
    cfg = write_config(tmp_path / "c.toml", train=tmp_path)
    with pytest.raises(ConfigError, match="unknown key 'batchsize'"):
        load(cfg, {"train.batchsize": 4})
    with pytest.raises(ConfigError, match=r"train\]\.lr.*expected float, got str"):
        load(cfg, {"train.lr": "fast"})


def test_unknown_coupling_is_named(tmp_path, capsys):
    write_images(tmp_path / "imgs")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs", coupling="sinkhorn")
    code, out = run(tmp_path, cfg, capsys)
    assert code == 2 and "unknown coupling 'sinkhorn'" in out.err


def test_empty_dataset_folder_is_named(tmp_path, capsys):
    os.makedirs(tmp_path / "empty")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "empty")
    code, out = run(tmp_path, cfg, capsys)
    assert code == 2 and "no files match" in out.err and "empty" in out.err


def test_non_image_file_is_named(tmp_path, capsys):
    write_images(tmp_path / "imgs")
    (tmp_path / "imgs" / "notes.txt").write_text("not a picture")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs")
    code, out = run(tmp_path, cfg, capsys)
    assert code == 2 and "notes.txt is not a readable image" in out.err


def a_good_checkpoint(tmp_path, capsys):
    """Train a few steps; return the checkpoint's path and its bytes, to prove later runs keep it."""
    write_images(tmp_path / "imgs")
    code, _ = run(tmp_path, write_config(tmp_path / "a.toml", train=tmp_path / "imgs"), capsys)
    assert code == 0
    ckpt = tmp_path / "run" / "ckpt.pt"
    return ckpt, ckpt.read_bytes()


def test_checkpoint_from_another_architecture_is_refused_and_kept(tmp_path, capsys):
    ckpt, before = a_good_checkpoint(tmp_path, capsys)
    code, out = run(tmp_path, write_config(tmp_path / "b.toml", train=tmp_path / "imgs", channels=16), capsys)
    assert code == 2 and "another architecture" in out.err and "channels" in out.err
    assert ckpt.read_bytes() == before


def test_nan_loss_stops_without_overwriting_the_checkpoint(tmp_path, capsys):
    ckpt, before = a_good_checkpoint(tmp_path, capsys)
    # An absurd learning rate blows the weights up within a few steps.
    cfg = write_config(tmp_path / "b.toml", train=tmp_path / "imgs", steps=200, lr=1e30)
    code, out = run(tmp_path, cfg, capsys, "--set", "train.grad_clip=0.0")
    assert code == 2 and "not finite" in out.err
    assert ckpt.read_bytes() == before


def test_every_shipped_config_loads():
    folder = os.path.join(os.path.dirname(__file__), "..", "configs")
    names = [n for n in os.listdir(folder) if n.endswith(".toml")]
    assert names
    for name in names:
        load(os.path.join(folder, name))


def test_clean_task_with_plain_resnet_and_clip_art(tmp_path, capsys):
    """The clean tool's recipe end to end: same-size damage, a plain ResNet, clip art mixed into batches."""
    write_images(tmp_path / "imgs")
    os.makedirs(tmp_path / "clip")
    rng = np.random.default_rng(1)
    for i in range(2):  # flat RGBA art: composited on white by load_rgb
        art = np.zeros((32, 32, 4), dtype=np.uint8)
        art[8:24, 8:24] = [*rng.integers(0, 256, 3), 255]
        Image.fromarray(art).save(tmp_path / "clip" / f"art{i}.png")
    cfg = tmp_path / "c.toml"
    cfg.write_text(f"""
[run]
id = "clean-smoke"
tool = "restore"
[data]
kind = "photos"
task = "clean"
train = ["{tmp_path}/imgs/*"]
heldout = ["{tmp_path}/imgs/img0.png"]
crop = 16
scales = [1.0]
clipart = ["{tmp_path}/clip/*.png"]
clipart_fraction = 0.5
[data.degrade]
noise_p = 1.0
noise_std = [5.0, 20.0]
jpeg_p = 0.5
[net]
kind = "resnet"
channels = 8
blocks = 2
patch = 2
[gctm]
coupling = "paired"
steps = 2
[train]
batch = 4
steps = 3
threads = 1
log_every_s = 0.0
eval_every = 2
""")
    code, out = run(tmp_path, str(cfg), capsys)
    assert code == 2 and "held-out image(s) also in the training set" in out.err
    code, out = run(tmp_path, str(cfg), capsys, "--set", "data.heldout=[]")
    assert code == 0, out.err
    state = checkpoint.read(str(tmp_path / "run" / "ckpt.pt"))
    assert state["steps"] == 3
    # the eval batch of a clean run is damaged at the same size: source PSNR is finite, not bicubic
    assert "psnr_source" in out.out


def test_clip_art_that_names_a_held_out_file_is_refused(tmp_path, capsys):
    write_images(tmp_path / "imgs")
    cfg = write_config(tmp_path / "c.toml", train=tmp_path / "imgs")
    code, out = run(tmp_path, cfg, capsys, "--set", f'data.clipart=["{tmp_path}/imgs/img1.png"]',
                    "--set", "data.clipart_fraction=0.5", "--set", f'data.heldout=["{tmp_path}/imgs/img1.png"]')
    assert code == 2 and "held-out image(s) also in the training set" in out.err
