"""Pretrain the source network of the fine-tuning chapter on Fashion-MNIST.

The network is the modern LeNet of chapter 16, ``d2lhelpers.lenet(nn.ReLU, nn.MaxPool2d)``,
trained with SGD (lr 0.05, momentum 0.9, batch 128, Xavier initialization) on the
Fashion-MNIST training images. Its state dict is saved in float16 (about 0.13 MB)
and the script prints the file's SHA-256, which goes into
``d2lhelpers/pretrained/checkpoints.json``. The two committed checkpoints::

    python scripts/pretrain_source.py --epochs 5 --out d2lhelpers/pretrained/fashion_lenet_fp16.pt
    python scripts/pretrain_source.py --epochs 1 --train-subset 1000 \\
        --out d2lhelpers/pretrained/fashion_lenet_weak_fp16.pt

Same arguments, same seed and same software stack give the same bytes, whatever
the output file is called (the training runs on the CPU, with deterministic
algorithms and a fixed number of threads).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import sys
from pathlib import Path

import torch
from torch import nn

import d2lhelpers as d2l


def pretrain(epochs: int, seed: int, train_subset: int | None, test_subset: int | None,
             threads: int) -> tuple[dict[str, torch.Tensor], float]:
    """Train the source LeNet; return its float16 state dict and its Fashion-MNIST test accuracy."""
    torch.set_num_threads(threads)
    torch.use_deterministic_algorithms(True)
    train, test = d2l.fashion_mnist_batches(128, train_subset=train_subset, test_subset=test_subset, seed=seed,
                                            device="cpu")
    d2l.seed_everything(seed)
    net = d2l.lenet(nn.ReLU, nn.MaxPool2d)
    net.apply(d2l.init_xavier)
    optimizer = torch.optim.SGD(net.parameters(), lr=0.05, momentum=0.9)
    history = d2l.fit(net, train, nn.CrossEntropyLoss(), optimizer, epochs, test_batches=test,
                      progress=False, plot=False)
    state = {name: tensor.detach().to(torch.float16).clone() for name, tensor in net.state_dict().items()}
    return state, history.test_acc[-1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=5, help="training epochs (default 5)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the initialization and batch order")
    parser.add_argument("--train-subset", type=int, default=None,
                        help="train on this many Fashion-MNIST images (default: all 60,000)")
    parser.add_argument("--test-subset", type=int, default=None,
                        help="measure the test accuracy on this many test images (default: all 10,000)")
    parser.add_argument("--threads", type=int, default=2, help="PyTorch CPU threads (default 2)")
    parser.add_argument("--out", type=Path, required=True, help="the checkpoint file to write")
    args = parser.parse_args(argv)
    if args.epochs < 1:
        parser.error("--epochs must be at least 1")
    state, test_acc = pretrain(args.epochs, args.seed, args.train_subset, args.test_subset, args.threads)
    # Serialize in memory: torch.save names the archive after the file, so writing to a path
    # would make the bytes depend on the file name.
    buffer = io.BytesIO()
    torch.save(state, buffer)
    data = buffer.getvalue()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(data)
    print(f"Fashion-MNIST test accuracy: {test_acc:.4f}")
    print(f"wrote {args.out} ({len(data):,} bytes)")
    print(f"sha256 {hashlib.sha256(data).hexdigest()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
