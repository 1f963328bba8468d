"""A file's SHA-256, read in 1 MiB blocks (cards name their ONNX files by it, source banks their teacher)."""
import hashlib


def sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
