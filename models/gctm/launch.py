"""Start a multi-process (DDP) training run: `python3 -m gctm.launch --nproc N <train args>`.

It does what `torchrun --standalone --nproc_per_node N -m gctm.train ...` does, and exists because
Debian's torchrun (torch 1.13 on Python 3.11) fails before starting any worker. Each rank gets RANK,
LOCAL_RANK, WORLD_SIZE, MASTER_ADDR and MASTER_PORT; gctm.train then uses NCCL on GPUs, gloo on CPU.
"""
import argparse
import os
import socket
import subprocess
import sys


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nproc", type=int, required=True)
    args, rest = ap.parse_known_args(argv)
    port = str(free_port())
    procs = []
    for rank in range(args.nproc):
        env = dict(os.environ, RANK=str(rank), LOCAL_RANK=str(rank), WORLD_SIZE=str(args.nproc),
                   MASTER_ADDR="127.0.0.1", MASTER_PORT=port)
        procs.append(subprocess.Popen([sys.executable, "-m", "gctm.train", *rest], env=env))
    codes = [p.wait() for p in procs]
    return max(codes, key=abs)


if __name__ == "__main__":
    sys.exit(main())
