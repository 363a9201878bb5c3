"""d2l's training loop, rebuilt as a baseline to measure the helpers against.

``train_ch6_style`` is d2l's ``train_ch6`` (PyTorch edition): a torchvision
``DataLoader`` (PIL images, ``ToTensor``, worker processes), metrics summed into
an ``Accumulator`` of Python floats after every batch, and an evaluation pass
after every epoch. Two differences, both so that the comparison is fair:

* it does **not** re-initialize the model (d2l's applies Xavier initialization
  silently): both loops must start from the same weights;
* it reports, next to d2l's own figure, the wall-clock examples per second of
  the whole call. d2l's timer runs only around the training step, so its
  "examples/sec" leaves out loading the data and evaluating.

``compare_training_loops`` measures the course's loop against it on LeNet
(the LeNet chapter calls it); ``benchmarks/training_loops.py`` measures the same
loops interleaved and repeated, at 1 and 2 threads and 0, 2 and 4 workers.
"""

from __future__ import annotations

import copy
import os
import time
from collections.abc import Iterable

import torch
from torch import nn

from .batches import fashion_mnist_batches
from .datasets import open_fashion_mnist
from .models import init_xavier, lenet
from .reproducibility import seed_everything
from .training import fit
from .validation import Integer, Real, check


class Accumulator:
    """Sums ``n`` running totals in Python floats (d2l's ``Accumulator``)."""

    def __init__(self, n: int) -> None:
        self.data = [0.0] * n

    def add(self, *args: float) -> None:
        if len(args) != len(self.data):
            raise ValueError(f"Accumulator of {len(self.data)} got {len(args)} values.")
        self.data = [a + float(b) for a, b in zip(self.data, args)]

    def __getitem__(self, index: int) -> float:
        return self.data[index]


def d2l_accuracy(y_hat: torch.Tensor, y: torch.Tensor) -> float:
    """Number of correct predictions, as a Python float (d2l's ``accuracy``)."""
    if y_hat.ndim > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    return float((y_hat.type(y.dtype) == y).type(y.dtype).sum())


def d2l_evaluate_accuracy(net: nn.Module, data_iter: Iterable, device: torch.device) -> float:
    """d2l's ``evaluate_accuracy_gpu``: eval mode, an Accumulator, one item() per batch."""
    net.eval()
    metric = Accumulator(2)
    with torch.no_grad():
        for X, y in data_iter:
            X, y = X.to(device), y.to(device)
            metric.add(d2l_accuracy(net(X), y), y.numel())
    return metric[0] / metric[1]


def train_ch6_style(net: nn.Module, train_iter: Iterable, test_iter: Iterable, num_epochs: int,
                    lr: float, device: torch.device | str = "cpu") -> dict[str, float]:
    """Train as d2l's ``train_ch6`` does (without its re-initialization) and measure it.

    Returns:
        ``train_loss``, ``train_acc`` and ``test_acc`` of the last epoch,
        ``wall_examples_per_s`` (everything included), ``d2l_examples_per_s``
        (what d2l prints: training steps only) and ``wall_seconds``.
    """
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int) or num_epochs < 1:
        raise ValueError(f"num_epochs must be a positive int, got {num_epochs!r}.")
    device = torch.device(device)
    net.to(device)
    optimizer = torch.optim.SGD(net.parameters(), lr=lr)
    loss = nn.CrossEntropyLoss()
    step_seconds, examples = 0.0, 0
    started = time.perf_counter()
    for _ in range(num_epochs):
        metric = Accumulator(3)
        net.train()
        for X, y in train_iter:
            step_started = time.perf_counter()
            optimizer.zero_grad()
            X, y = X.to(device), y.to(device)
            y_hat = net(X)
            batch_loss = loss(y_hat, y)
            batch_loss.backward()
            optimizer.step()
            with torch.no_grad():
                metric.add(batch_loss * X.shape[0], d2l_accuracy(y_hat, y), X.shape[0])
            step_seconds += time.perf_counter() - step_started
        examples += int(metric[2])
        test_acc = d2l_evaluate_accuracy(net, test_iter, device)
    wall = time.perf_counter() - started
    return {
        "train_loss": metric[0] / metric[2],
        "train_acc": metric[1] / metric[2],
        "test_acc": test_acc,
        "wall_examples_per_s": examples / wall,
        "d2l_examples_per_s": examples / step_seconds,
        "wall_seconds": wall,
    }


def d2l_fashion_mnist_loader(
    train: bool,
    batch_size: int,
    *,
    num_workers: int = 4,
    resize: int | None = None,
    root: str | os.PathLike[str] | None = None,
):
    """The loader d2l builds, for comparisons: torchvision dataset, PIL, ``ToTensor``, workers.

    Every image goes through PIL and ``transforms.ToTensor()`` in ``num_workers``
    processes, every epoch (d2l's ``load_data_fashion_mnist``). The helpers of
    this course use :class:`~d2lhelpers.batches.ImageBatches` instead; this
    exists to measure the difference.
    """
    from torch.utils.data import DataLoader
    from torchvision import transforms

    steps = ([transforms.Resize(resize)] if resize else []) + [transforms.ToTensor()]
    dataset = open_fashion_mnist(train, root, True, transforms.Compose(steps))
    return DataLoader(dataset, batch_size, shuffle=train, num_workers=num_workers)


def compare_training_loops(
    epochs: int,
    batch_size: int = 256,
    lr: float = 0.9,
    num_workers: int = 4,
    train_subset: int | None = None,
    seed: int = 0,
    *,
    test_subset: int | None = None,
    root: str | os.PathLike[str] | None = None,
) -> dict[str, dict[str, float]]:
    """Train the same initial LeNet twice, with each loop, on Fashion-MNIST, and measure both.

    One Xavier-initialized ``lenet()`` (seeded with ``seed``) is copied twice:
    one copy trains with :func:`~d2lhelpers.training.fit` on in-memory
    :func:`~d2lhelpers.batches.fashion_mnist_batches`, the other with
    :func:`train_ch6_style` on :func:`d2l_fashion_mnist_loader` (PIL,
    ``ToTensor``, ``num_workers`` processes); plain SGD at ``lr``, one after
    the other, in this process. Each is timed by the wall clock around the
    whole of its training (the "ours" time includes reading the files into
    memory). ``train_subset`` / ``test_subset`` take the same seeded random
    subset for both loops; ``root`` is the data root (``$D2L_DATA_DIR`` by default).

    Returns:
        ``{"ours": {...}, "baseline": {...}}``. Both have ``examples_per_s``
        (training examples over wall-clock seconds), ``test_acc`` and
        ``seconds``; "ours" adds ``fit_examples_per_s`` (what ``fit`` reports),
        "baseline" ``d2l_reported_examples_per_s`` (what d2l's timer reports).

    Raises:
        ParameterError: for an ``epochs``, ``batch_size``, ``num_workers``, subset
            or ``lr`` out of range.
    """
    epochs = check("epochs", epochs, Integer(low=1))
    batch_size = check("batch_size", batch_size, Integer(low=1))
    lr = check("lr", lr, Real(low=0, low_open=True))
    num_workers = check("num_workers", num_workers, Integer(low=0), fix="0 loads the data in this process.")
    train_subset = check("train_subset", train_subset, (Integer(low=1), None), fix="None trains on all of it.")
    test_subset = check("test_subset", test_subset, (Integer(low=1), None), fix="None tests on all of it.")

    seed_everything(seed)
    initial = lenet()
    initial.apply(init_xavier)  # d2l's initialization, done once, for both loops

    # The course's loop: data held in memory as uint8 tensors, batches by indexing.
    ours = copy.deepcopy(initial)
    started = time.perf_counter()
    train_batches, test_batches = fashion_mnist_batches(batch_size, train_subset=train_subset,
                                                        test_subset=test_subset, seed=seed, root=root)
    history = fit(ours, train_batches, nn.CrossEntropyLoss(), torch.optim.SGD(ours.parameters(), lr=lr),
                  epochs, test_batches=test_batches, progress=False, plot=False)
    ours_wall = time.perf_counter() - started  # includes reading the files into memory

    # d2l's loop: torchvision DataLoader (PIL + ToTensor, worker processes), Accumulator.
    baseline = copy.deepcopy(initial)
    train_iter = d2l_fashion_mnist_loader(True, batch_size, num_workers=num_workers, root=root)
    test_iter = d2l_fashion_mnist_loader(False, batch_size, num_workers=num_workers, root=root)
    train_iter = _subset_loader(train_iter, train_subset, seed, shuffle=True)
    test_iter = _subset_loader(test_iter, test_subset, seed, shuffle=False)
    started = time.perf_counter()
    measured = train_ch6_style(baseline, train_iter, test_iter, epochs, lr)
    baseline_wall = time.perf_counter() - started

    examples = sum(history.examples)
    return {
        "ours": {"examples_per_s": examples / ours_wall, "test_acc": history.test_acc[-1],
                 "seconds": ours_wall, "fit_examples_per_s": history.examples_per_s},
        "baseline": {"examples_per_s": examples / baseline_wall, "test_acc": measured["test_acc"],
                     "seconds": baseline_wall, "d2l_reported_examples_per_s": measured["d2l_examples_per_s"]},
    }


def _subset_loader(loader, size: int | None, seed: int, shuffle: bool):
    """The loader over the seeded random subset ``random_subset`` takes (all of it for ``None``)."""
    if size is None:
        return loader
    from torch.utils.data import DataLoader, Subset

    index = torch.randperm(len(loader.dataset), generator=torch.Generator().manual_seed(seed))[:size]
    return DataLoader(Subset(loader.dataset, index.tolist()), loader.batch_size, shuffle=shuffle,
                      num_workers=loader.num_workers)
