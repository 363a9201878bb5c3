"""LeNet on Fashion-MNIST: the d2lhelpers fit loop against a loop built as d2l's train_ch6.

Same model (d2l's LeNet, sigmoid + average pooling), same initial weights,
same hyperparameters (lr 0.9, batch 256), same process, one after the other.
Throughput is wall clock over the whole training call: data loading, training
steps and the evaluation after every epoch are all included.

    D2L_DATA_DIR=../shared/data python benchmarks/lenet_throughput.py --epochs 10

Prints a table and, with --json PATH, writes the numbers there.
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import platform
import time

import torch
from torch import nn

import d2lhelpers as d2l


def run(epochs: int, batch_size: int = 256, lr: float = 0.9, num_workers: int = 4,
        train_subset: int | None = None, seed: int = 0) -> dict[str, dict[str, float]]:
    """Train the same initial LeNet twice, with each loop, and measure both."""
    d2l.seed_everything(seed)
    initial = d2l.lenet()
    initial.apply(d2l.init_xavier)  # d2l's initialization, done once, for both loops

    # The course's loop: data held in memory as uint8 tensors, batches by indexing.
    ours = copy.deepcopy(initial)
    started = time.perf_counter()
    train_batches, test_batches = d2l.fashion_mnist_batches(batch_size, train_subset=train_subset, seed=seed)
    history = d2l.fit(ours, train_batches, nn.CrossEntropyLoss(), torch.optim.SGD(ours.parameters(), lr=lr),
                      epochs, test_batches=test_batches, progress=False, plot=False)
    ours_wall = time.perf_counter() - started  # includes reading the files into memory

    # d2l's loop: torchvision DataLoader (PIL + ToTensor, worker processes), Accumulator.
    baseline = copy.deepcopy(initial)
    train_iter = d2l.d2l_fashion_mnist_loader(True, batch_size, num_workers=num_workers)
    test_iter = d2l.d2l_fashion_mnist_loader(False, batch_size, num_workers=num_workers)
    if train_subset is not None:
        from torch.utils.data import DataLoader, Subset
        index = torch.randperm(len(train_iter.dataset), generator=torch.Generator().manual_seed(seed))[:train_subset]
        train_iter = DataLoader(Subset(train_iter.dataset, index.tolist()), batch_size, shuffle=True,
                                num_workers=num_workers)
    started = time.perf_counter()
    measured = d2l.train_ch6_style(baseline, train_iter, test_iter, epochs, lr)
    baseline_wall = time.perf_counter() - started

    examples = sum(history.examples)
    return {
        "ours": {"examples_per_s": examples / ours_wall, "test_acc": history.test_acc[-1],
                 "seconds": ours_wall, "fit_examples_per_s": history.examples_per_s},
        "baseline": {"examples_per_s": examples / baseline_wall, "test_acc": measured["test_acc"],
                     "seconds": baseline_wall, "d2l_reported_examples_per_s": measured["d2l_examples_per_s"]},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-subset", type=int, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args()
    results = run(args.epochs, num_workers=args.workers, train_subset=args.train_subset)
    ours, base = results["ours"], results["baseline"]
    print(f"machine: {platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; {args.epochs} epochs")
    print(f"{'loop':<34}{'examples/s (wall)':>18}{'test acc':>10}{'seconds':>10}")
    print(f"{'d2lhelpers fit + ImageBatches':<34}{ours['examples_per_s']:>18,.0f}{ours['test_acc']:>10.3f}{ours['seconds']:>10.1f}")
    print(f"{'train_ch6 style + DataLoader(4)':<34}{base['examples_per_s']:>18,.0f}{base['test_acc']:>10.3f}{base['seconds']:>10.1f}")
    print(f"speed-up: {ours['examples_per_s'] / base['examples_per_s']:.2f}x "
          f"(d2l's own timer would report {base['d2l_reported_examples_per_s']:,.0f} examples/s for its loop)")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(results, handle, indent=1)


if __name__ == "__main__":
    main()
