"""LeNet training loops and Fashion-MNIST loaders: the course's against d2l's, interleaved.

Two measurements, each repeated ``--repeats`` times with the contestants
interleaved (A, B, C, A, B, C, ...) in one process, so that every contestant
sees the same machine state; each is reported as min / median / max.

1. Training loops: d2l's LeNet (sigmoid, average pooling, Xavier), SGD lr 0.9,
   batch 256, on a seeded ``--train-subset`` of Fashion-MNIST for ``--epochs``
   epochs, evaluated on the test set after every epoch. ``d2l.fit`` on
   in-memory ``ImageBatches``, against ``train_ch6_style`` on d2l's
   ``DataLoader`` (PIL + ``ToTensor``) with 0, 2 and 4 worker processes, each
   at 1 and at 2 PyTorch threads. The clock runs around the training call
   only: the files are read, the loaders built and torchvision imported before
   it starts, for both.
2. Loaders alone: one pass over the 10,000 test images at 28, 96 and 224 px,
   ``ImageBatches(resize=side)`` (bilinear, per batch, on tensors) against
   d2l's ``DataLoader`` with ``transforms.Resize`` (per image, PIL) and 2
   workers.

    D2L_DATA_DIR=../shared/data python benchmarks/training_loops.py

writes ``benchmarks/results/training_loops.json``, which the results page
(``d2l-notebooks pages``) shows. Run it on a quiet machine: nothing else heavy.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import io
import json
import os
import platform
import statistics
import time
import warnings
from datetime import date
from pathlib import Path

import torch
import torchvision  # noqa: F401  imported here, outside every timed region
from torch import nn

import d2lhelpers as d2l
from d2lhelpers.baseline import _subset_loader

RESULTS = Path(__file__).with_name("results") / "training_loops.json"


def summary(values: list[float]) -> dict[str, float]:
    """Min, median and max of repeated measurements."""
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def loop_contestants(args: argparse.Namespace) -> dict[str, callable]:
    """Name -> a function that trains a fresh copy of one initial LeNet and returns examples/s."""
    d2l.seed_everything(args.seed)
    initial = d2l.lenet()
    initial.apply(d2l.init_xavier)
    train, test = d2l.fashion_mnist_batches(256, train_subset=args.train_subset, seed=args.seed)
    n_train = train.num_examples * args.epochs

    def ours(threads: int):
        def run() -> float:
            torch.set_num_threads(threads)
            net = copy.deepcopy(initial)
            started = time.perf_counter()
            with contextlib.redirect_stdout(io.StringIO()):  # fit's one-line summary per run
                d2l.fit(net, train, nn.CrossEntropyLoss(), torch.optim.SGD(net.parameters(), lr=0.9),
                        args.epochs, test_batches=test, progress=False, plot=False)
            return n_train / (time.perf_counter() - started)
        return run

    loaders = {workers: (_subset_loader(d2l.d2l_fashion_mnist_loader(True, 256, num_workers=workers),
                                        args.train_subset, args.seed, shuffle=True),
                         d2l.d2l_fashion_mnist_loader(False, 256, num_workers=workers))
               for workers in (0, 2, 4)}

    def baseline(threads: int, workers: int):
        train_iter, test_iter = loaders[workers]

        def run() -> float:
            torch.set_num_threads(threads)
            net = copy.deepcopy(initial)
            started = time.perf_counter()
            d2l.train_ch6_style(net, train_iter, test_iter, args.epochs, 0.9)
            return n_train / (time.perf_counter() - started)
        return run

    contestants = {f"d2l.fit + ImageBatches, {t} thread(s)": ours(t) for t in (1, 2)}
    for workers in loaders:
        for t in (1, 2):
            contestants[f"train_ch6 + DataLoader({workers} workers), {t} thread(s)"] = baseline(t, workers)
    return contestants


def loader_contestants() -> dict[str, callable]:
    """Name -> a function that reads the test set once and returns images/s."""
    images, labels = d2l.load_fashion_mnist(train=False)
    contestants = {}
    for side in (28, 96, 224):
        batches = d2l.ImageBatches(images, labels, 256, resize=None if side == 28 else side)
        loader = d2l.d2l_fashion_mnist_loader(False, 256, num_workers=2, resize=None if side == 28 else side)

        def read(source, expected_side=side) -> float:
            started, count = time.perf_counter(), 0
            for X, _ in source:
                assert X.shape[-1] == expected_side
                count += X.shape[0]
            return count / (time.perf_counter() - started)

        contestants[f"ImageBatches, {side} px"] = lambda b=batches, r=read: r(b)
        contestants[f"d2l DataLoader(2 workers), {side} px"] = lambda l=loader, r=read: r(l)
    return contestants


def interleaved(contestants: dict[str, callable], repeats: int) -> dict[str, dict[str, float]]:
    """Run every contestant ``repeats`` times, alternating (the min absorbs a cold first run)."""
    rates: dict[str, list[float]] = {name: [] for name in contestants}
    for _ in range(repeats):
        for name, run in contestants.items():
            rates[name].append(run())
            print(f"  {name:<52} {rates[name][-1]:>10,.0f}/s", flush=True)
    return {name: summary(values) for name, values in rates.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=1)
    parser.add_argument("--train-subset", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", type=Path, default=RESULTS)
    args = parser.parse_args()
    threads_before = torch.get_num_threads()
    with warnings.catch_warnings():
        # 4 workers on 2 cores: PyTorch warns about the oversubscription measured here.
        warnings.filterwarnings("ignore", message="This DataLoader will create")
        print("training loops (training examples per second, wall clock):")
        loops = interleaved(loop_contestants(args), args.repeats)
        torch.set_num_threads(threads_before)
        print("loaders (test images per second):")
        loaders = interleaved(loader_contestants(), args.repeats)
    result = {
        "title": "LeNet training loops and Fashion-MNIST loaders, the course's against d2l's",
        "command": "D2L_DATA_DIR=../shared/data python benchmarks/training_loops.py",
        "date": date.today().isoformat(),
        "machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}",
        "settings": {"epochs": args.epochs, "train_subset": args.train_subset, "repeats": args.repeats,
                     "model": "d2l's LeNet (sigmoid, average pooling, Xavier), SGD lr 0.9, batch 256"},
        "tables": {"training examples per second (wall clock, training and evaluation)": loops,
                   "test images per second (one pass, resize included)": loaders},
    }
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=1) + "\n")
    print(f"written to {args.json}")


if __name__ == "__main__":
    main()
