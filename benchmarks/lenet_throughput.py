"""LeNet on Fashion-MNIST: the d2lhelpers fit loop against a loop built as d2l's train_ch6.

Same model (d2l's LeNet, sigmoid + average pooling), same initial weights,
same hyperparameters (lr 0.9, batch 256), same process, one after the other.
Throughput is wall clock over the whole training call: data loading, training
steps and the evaluation after every epoch are all included. The measurement is
``d2lhelpers.compare_training_loops``, the function the LeNet chapter runs too.

    D2L_DATA_DIR=../shared/data python benchmarks/lenet_throughput.py --epochs 10

Prints a table and, with --json PATH, writes the numbers there.
"""

from __future__ import annotations

import argparse
import json
import os
import platform

import torch

import d2lhelpers as d2l


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--train-subset", type=int, default=None)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--json", default=None, help="write the results to this file")
    args = parser.parse_args()
    results = d2l.compare_training_loops(args.epochs, num_workers=args.workers, train_subset=args.train_subset)
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
